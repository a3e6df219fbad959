/* The map page: Leaflet with clustered markers, kept in sync with the list and the URL.
 * Without JavaScript (or without tiles) the server-rendered list and filters still work.
 * Every filter lives in the form (hidden fields carry those without a visible one, such as
 * skill=), so the GeoJSON request, the online list and the address all ask the same question.
 * Times come written by the server (`when`): the city's time zone, the page's language. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  var form = document.getElementById("map-filters");
  if (!el || !form || !window.L) { return; }
  var list = document.getElementById("results");
  var onlineSection = document.getElementById("online");
  var onlineList = document.getElementById("online-results");
  var onlineTitle = document.getElementById("online-title");
  var empty = document.getElementById("empty");
  var status = document.getElementById("list-status");
  var announce = document.getElementById("results-announce");
  var title = document.getElementById("results-title");
  var nearStatus = document.getElementById("near-me-status");
  var layout = el.parentNode;
  var viewSwitch = document.getElementById("view-switch");
  var params = new URLSearchParams(window.location.search);
  var at = (params.get("at") || "").split(",").map(Number);
  var cityCenter = el.dataset.center.split(",").map(Number);
  var cityZoom = Number(el.dataset.zoom);
  var center = cityCenter;
  var zoom = cityZoom;
  if (at.length === 3 && at.every(isFinite)) { center = [at[0], at[1]]; zoom = at[2]; }
  // Widening steps of "near me", in km: the first that holds an activity is shown.
  var RADII = [2, 5, 10, 25];
  var KM_PER_DEGREE = 111.32;

  var map = L.map(el, {scrollWheelZoom: false}).setView(center, zoom);
  L.tileLayer(el.dataset.tiles, {attribution: el.dataset.attribution, maxZoom: 19}).addTo(map);
  var cluster = L.markerClusterGroup({showCoverageOnHover: false});
  map.addLayer(cluster);
  var here = L.layerGroup().addTo(map);
  var pending = null;

  function field(name) { return form.querySelector("[name=" + name + "]"); }

  function filters() {
    var query = new URLSearchParams(new FormData(form));
    query.delete("at");
    Array.from(new Set(query.keys())).forEach(function (key) {
      var values = query.getAll(key).filter(Boolean);
      query.delete(key);
      values.forEach(function (value) { query.append(key, value); });
    });
    return query;
  }

  function nearPoint() {
    var near = (field("near").value || "").split(",").map(Number);
    return near.length === 2 && near.every(isFinite) && field("near").value ? near : null;
  }

  // Tile-aligned viewports: snapping outwards to a grid that follows the zoom makes nearby
  // views ask the same question, so the server's ETag cache answers them.
  function snappedBounds() {
    var b = map.getBounds();
    var step = 360 / Math.pow(2, Math.max(map.getZoom(), 1)) / 4;
    function down(v) { return Math.floor(v / step) * step; }
    function up(v) { return Math.ceil(v / step) * step; }
    return [Math.max(down(b.getWest()), -180), Math.max(down(b.getSouth()), -90),
            Math.min(up(b.getEast()), 180), Math.min(up(b.getNorth()), 90)]
      .map(function (v) { return v.toFixed(4); }).join(",");
  }

  function escapeText(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  // The server's own distance (query.distance_km): equirectangular, exact enough in a city.
  function distanceKm(from, lat, lon) {
    var dx = (lon - from[1]) * Math.cos(from[0] * Math.PI / 180);
    return Math.sqrt(dx * dx + (lat - from[0]) * (lat - from[0])) * KM_PER_DEGREE;
  }

  // A picture the server drew in the first list is kept when the list is drawn again; any
  // other activity gets its category's icon (docs/design.md, "Pictures").
  var icons = document.getElementById("category-icons");
  var covers = {};
  list.querySelectorAll("li[data-id] > .list-cover").forEach(function (cover) {
    covers[cover.parentNode.dataset.id] = cover;
  });

  function coverOf(id, category) {
    if (covers[id]) { return covers[id].cloneNode(true); }
    if (!icons) { return null; }
    var found = Array.prototype.find.call(icons.content.children, function (icon) {
      return icon.dataset.category === category;
    }) || icons.content.querySelector("[data-fallback]");
    return found ? found.cloneNode(true) : null;
  }

  function item(id, url, text, details, category) {
    var li = document.createElement("li");
    li.dataset.id = id;
    var cover = category === undefined ? null : coverOf(id, category);
    if (cover) { li.appendChild(cover); }
    var link = document.createElement("a");
    link.href = url;
    link.textContent = text;
    li.appendChild(link);
    var parts = details.filter(Boolean);
    if (parts.length) {
      var muted = document.createElement("span");
      muted.className = "muted";
      muted.textContent = " " + parts.join(" · ");
      li.appendChild(muted);
    }
    return li;
  }

  function showList(features, truncated) {
    var b = map.getBounds();
    var near = nearPoint();
    var visible = features.filter(function (f) {
      return b.contains([f.geometry.coordinates[1], f.geometry.coordinates[0]]);
    });
    list.innerHTML = "";
    visible.slice(0, 100).forEach(function (f) {
      var km = near ? distanceKm(near, f.geometry.coordinates[1], f.geometry.coordinates[0]) : null;
      list.appendChild(item(f.id, f.properties.url, f.properties.title, [
        f.properties.city, f.properties.when, f.properties.online ? el.dataset.labelOnline : "",
        km === null ? "" : el.dataset.labelKm.replace("__km__", km.toFixed(1))],
        f.properties.category || ""));
    });
    status.textContent = truncated ? el.dataset.labelMore : "";
    return visible.length;
  }

  function showOnline(data) {
    onlineList.innerHTML = "";
    data.items.forEach(function (hit) {
      onlineList.appendChild(item(hit.kind + ":" + hit.key, hit.url, hit.title, [
        hit.city, hit.when, hit.online ? el.dataset.labelOnline : el.dataset.labelNoPlace]));
    });
    onlineTitle.textContent = el.dataset.labelOnlineCount.replace("__n__", String(data.total));
    onlineSection.hidden = data.total === 0;
    return data.total;
  }

  function showEmpty(isEmpty) {
    empty.hidden = !isEmpty;
    if (!isEmpty) { return; }
    var query = filters();
    ["near", "sort", "km"].forEach(function (name) { query.delete(name); });
    empty.querySelector("[data-way=wider]").hidden = false;
    empty.querySelector("[data-way=clear]").hidden = !Array.from(query.keys()).length;
    empty.querySelector("[data-way=online]").hidden = query.get("mode") === "online";
  }

  function asJson(response) { return response.ok ? response.json() : Promise.reject(response); }

  function refresh() {
    var query = filters();
    query.set("bbox", snappedBounds());
    var c = map.getCenter();
    var shared = filters();
    shared.set("at", [c.lat.toFixed(5), c.lng.toFixed(5), map.getZoom()].join(","));
    var lang = params.get("lang");
    if (lang) { shared.set("lang", lang); }
    if (layout.dataset.view === "list") { shared.set("view", "list"); }
    history.replaceState(null, "", "?" + shared.toString());
    field("at").value = shared.get("at");
    // The calendar feed follows the same filters (not the view: a calendar has no viewport).
    var ical = document.getElementById("map-ical");
    if (ical) { ical.href = ical.href.split("?")[0] + "?" + filters().toString(); }
    // What has no place on the map: the same filters (and group), soonest first.
    var unlocated = filters();
    ["near", "km", "sort"].forEach(function (name) { unlocated.delete(name); });
    if (pending) { pending.abort(); }
    pending = new AbortController();
    var signal = pending.signal;
    Promise.all([
      fetch(el.dataset.geojson + "?" + query.toString(), {signal: signal}).then(asJson),
      fetch(el.dataset.unlocated + "?" + unlocated.toString(), {signal: signal}).then(asJson)
    ]).then(function (answers) {
      var data = answers[0];
      cluster.clearLayers();
      cluster.addLayers(data.features.map(function (f) {
        var marker = L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]],
                              {title: f.properties.title, alt: f.properties.title});
        // On the global site each activity names its city (and links to the city's page).
        marker.bindPopup("<strong>" + escapeText(f.properties.title) + "</strong><br>" +
                         (f.properties.city ? escapeText(f.properties.city) + "<br>" : "") + "<a href=\"" +
                         encodeURI(f.properties.url) + "\">" + escapeText(el.dataset.labelOpen) + "</a>");
        return marker;
      }));
      var onMap = showList(data.features, data.truncated);
      var online = showOnline(answers[1]);
      var message = el.dataset.labelTotal.replace("__map__", String(onMap))
        .replace("__online__", String(online));
      title.textContent = message;
      announce.textContent = message;
      showEmpty(onMap + online === 0);
    }).catch(function (error) { if (error.name !== "AbortError") { status.textContent = ""; } });
  }

  // Phones: Map | List.  The list view keeps the map's size out of sight (so the list still
  // follows the map's area) and makes it inert; wide screens show both side by side.
  var phone = window.matchMedia("(max-width: 59.99rem)");
  function showView(view) {
    layout.dataset.view = view;
    el.inert = view === "list" && phone.matches;
    viewSwitch.querySelectorAll("button").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.view === view));
    });
    if (view === "map") { map.invalidateSize(); }
  }
  viewSwitch.hidden = false;
  showView(layout.dataset.view);
  phone.addEventListener("change", function () { showView(layout.dataset.view); });
  viewSwitch.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-view]");
    if (!button) { return; }
    showView(button.dataset.view);
    var address = new URL(window.location.href);
    if (button.dataset.view === "list") {
      address.searchParams.set("view", "list");
    } else {
      address.searchParams.delete("view");
    }
    history.replaceState(null, "", address.toString());
  });

  map.on("moveend", refresh);
  form.addEventListener("change", function (event) {
    if (event.target.name !== "q") { refresh(); }
  });
  var searched = field("q") ? field("q").value : "";
  form.addEventListener("submit", function (event) {
    // New words are a new search: the page loads, and says what it searched if it corrected
    // them (typo tolerance); words searched as typed once (exact=) are not for the next ones.
    if (field("q") && field("q").value !== searched) {
      if (field("exact")) { field("exact").disabled = true; }
      return;
    }
    event.preventDefault();
    refresh();
  });
  document.getElementById("way-wider").addEventListener("click", function (event) {
    event.preventDefault();
    field("near").value = "";
    if (field("sort").value === "distance") { field("sort").value = "relevance"; }
    here.clearLayers();
    map.setView(cityCenter, cityZoom);
    refresh();
  });

  // "Near me": a marker where the learner is, then the smallest of RADII that holds an
  // activity (with the filters chosen), the map framed on it and the list nearest first.
  function nearMe(point) {
    var near = point.map(function (v) { return v.toFixed(5); }).join(",");
    var nearMeButton = document.getElementById("near-me");
    here.clearLayers();
    L.marker(point, {title: nearMeButton.dataset.you, alt: nearMeButton.dataset.you,
                     keyboard: false, zIndexOffset: 1000,
                     icon: L.divIcon({className: "map-you", iconSize: [18, 18]})}).addTo(here);
    field("near").value = near;
    field("sort").value = "distance";
    function tryRadius(index) {
      if (index >= RADII.length) {
        nearStatus.textContent = nearMeButton.dataset.none.replace("__km__", String(RADII[RADII.length - 1]));
        map.setView(cityCenter, cityZoom);
        refresh();
        return;
      }
      var probe = filters();
      probe.set("near", near);
      probe.set("km", String(RADII[index]));
      probe.set("limit", "1");
      fetch(el.dataset.geojson + "?" + probe.toString()).then(asJson).then(function (data) {
        if (!data.features.length) { tryRadius(index + 1); return; }
        var km = RADII[index];
        L.circle(point, {radius: km * 1000, interactive: false, fill: false, weight: 1}).addTo(here);
        nearStatus.textContent = nearMeButton.dataset.found.replace("__km__", String(km));
        // Moving the map refreshes it, but a map already there does not move: refresh anyway
        // (the newer request replaces the older).
        map.fitBounds(L.latLng(point).toBounds(km * 2000), {animate: false});
        refresh();
      }).catch(function () { tryRadius(RADII.length); });
    }
    tryRadius(0);
  }

  var nearMeButton = document.getElementById("near-me");
  if (nearMeButton && navigator.geolocation) {
    nearMeButton.hidden = false;
    var locate = function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        nearMe([position.coords.latitude, position.coords.longitude]);
      }, function () {
        nearStatus.textContent = nearMeButton.dataset.denied;
      });
    };
    nearMeButton.addEventListener("click", locate);
    if (params.get("locate") === "1") { locate(); }
  }

  // A group (?group=playlist:12, kept in the form's hidden field so every refresh asks for it)
  // opens framed on its own activities, unless the address already says where to look;
  // fitting the bounds moves the map, which refreshes it.
  if (params.get("group") && !params.get("at")) {
    fetch(el.dataset.geojson + "?" + filters().toString())
      .then(asJson)
      .then(function (data) {
        if (!data.features.length) { refresh(); return; }
        map.fitBounds(data.features.map(function (f) {
          return [f.geometry.coordinates[1], f.geometry.coordinates[0]];
        }), {maxZoom: 15, padding: [24, 24]});
      })
      .catch(refresh);
  } else {
    refresh();
  }
}());
