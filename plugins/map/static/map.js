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
  var crowd = L.layerGroup().addTo(map);  // the server's clusters of crowded tiles
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

  // The map's activities come in Web-Mercator tiles (Leaflet's own numbering, one zoom out:
  // each tile covers 512 pixels of the map), kept by address: panning asks only for the tiles
  // it has not got, and tiles far from the view (or of another zoom or other filters) are
  // forgotten.  A tile answers its points, or clusters where it holds too many (docs/map.md).
  var TILE_ZOOM_OFFSET = 1;
  var MAX_TILE_ZOOM = 22;
  var KEEP = 2;  // tiles kept beyond each side of the view
  var tiles = new Map();  // address -> {z, x, y, query, answer: a promise of its GeoJSON}
  var refreshes = 0;

  function tileZoom() {
    return Math.max(0, Math.min(MAX_TILE_ZOOM, Math.round(map.getZoom()) - TILE_ZOOM_OFFSET));
  }

  // The tiles of zoom z under the view: its corners projected at z (map.project, as
  // L.GridLayer does), in 256-pixel tiles; x wraps around the world, y stops at its edges.
  function tileRange(z) {
    var b = map.getBounds();
    return L.bounds(map.project(b.getNorthWest(), z).divideBy(256).floor(),
                    map.project(b.getSouthEast(), z).divideBy(256).floor());
  }

  function tilesInView(z, range) {
    var n = Math.pow(2, z);
    var found = {};
    for (var y = Math.max(range.min.y, 0); y <= Math.min(range.max.y, n - 1); y++) {
      for (var x = range.min.x; x <= range.max.x && x < range.min.x + n; x++) {
        var wrapped = ((x % n) + n) % n;
        found[wrapped + "/" + y] = {z: z, x: wrapped, y: y};
      }
    }
    return Object.keys(found).map(function (key) { return found[key]; });
  }

  // The tiles' question: the filters (the page's language named, so that the answer depends
  // on its address alone and a CDN may keep it), without the list's order.
  function tileQuery() {
    var query = filters();
    query.delete("sort");
    if (!query.get("km")) { query.delete("near"); }
    query.set("lang", el.dataset.locale);
    return query.toString();
  }

  function tileAddress(tile, query) {
    return el.dataset.tileUrl.replace("__z__", tile.z).replace("__x__", tile.x)
      .replace("__y__", tile.y) + "?" + query;
  }

  function fetchTile(tile, query) {
    var address = tileAddress(tile, query);
    var kept = tiles.get(address);
    if (!kept) {
      kept = {z: tile.z, x: tile.x, y: tile.y, query: query,
              answer: fetch(address).then(asJson)};
      kept.answer.catch(function () { tiles.delete(address); });
      tiles.set(address, kept);
    }
    return kept.answer;
  }

  function forgetFarTiles(z, range, query) {
    tiles.forEach(function (kept, address) {
      var far = kept.x < range.min.x - KEEP || kept.x > range.max.x + KEEP ||
        kept.y < range.min.y - KEEP || kept.y > range.max.y + KEEP;
      if (kept.z !== z || kept.query !== query || far) { tiles.delete(address); }
    });
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

  // Each point's picture comes with it (properties.cover: the sources the server's own list
  // uses); an activity without one gets its category's icon (docs/design.md, "Pictures").
  var icons = document.getElementById("category-icons");

  function picture(cover) {
    var img = document.createElement("img");
    img.className = "list-cover";
    img.alt = "";  // the title beside it says what it is
    img.loading = "lazy";
    img.decoding = "async";
    ["src", "srcset", "sizes", "width", "height"].forEach(function (name) {
      if (cover[name]) { img.setAttribute(name, cover[name]); }
    });
    return img;
  }

  function coverOf(properties) {
    if (properties.cover) { return picture(properties.cover); }
    if (!icons) { return null; }
    var found = Array.prototype.find.call(icons.content.children, function (icon) {
      return icon.dataset.category === properties.category;
    }) || icons.content.querySelector("[data-fallback]");
    return found ? found.cloneNode(true) : null;
  }

  // ``properties``: a map point's, whose picture or icon the entry shows.
  function item(id, url, text, details, properties) {
    var li = document.createElement("li");
    li.dataset.id = id;
    var cover = properties ? coverOf(properties) : null;
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

  function inView(f) {
    return map.getBounds().contains([f.geometry.coordinates[1], f.geometry.coordinates[0]]);
  }

  // Points of several tiles, in the server's order: nearest first near a point, else soonest.
  function ordered(features) {
    var near = nearPoint();
    function key(f) {
      var c = f.geometry.coordinates;
      if (near) { return distanceKm(near, c[1], c[0]); }
      return f.properties.starts_at ? Date.parse(f.properties.starts_at) : Infinity;
    }
    return features.map(function (f) { return [key(f), f]; })
      .sort(function (a, b) { return a[0] - b[0] || (a[1].id < b[1].id ? -1 : 1); })
      .map(function (pair) { return pair[1]; });
  }

  function showList(features, truncated) {
    var near = nearPoint();
    var visible = features.filter(inView);
    list.innerHTML = "";
    visible.slice(0, 100).forEach(function (f) {
      var km = near ? distanceKm(near, f.geometry.coordinates[1], f.geometry.coordinates[0]) : null;
      list.appendChild(item(f.id, f.properties.url, f.properties.title, [
        f.properties.city, f.properties.when, f.properties.online ? el.dataset.labelOnline : "",
        km === null ? "" : el.dataset.labelKm.replace("__km__", km.toFixed(1))],
        f.properties));
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

  function pointMarker(f) {
    var marker = L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]],
                          {title: f.properties.title, alt: f.properties.title});
    // On the global site each activity names its city (and links to the city's page).
    marker.bindPopup("<strong>" + escapeText(f.properties.title) + "</strong><br>" +
                     (f.properties.city ? escapeText(f.properties.city) + "<br>" : "") + "<a href=\"" +
                     encodeURI(f.properties.url) + "\">" + escapeText(el.dataset.labelOpen) + "</a>");
    return marker;
  }

  // A crowded tile's cluster (counted by the server): choosing it zooms to its points.
  function crowdMarker(f) {
    var count = f.properties.count;
    var label = el.dataset.labelCount.replace("__n__", String(count));
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var marker = L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
      title: label, alt: label,
      icon: L.divIcon({html: "<div><span>" + count + "</span></div>", iconSize: [40, 40],
                       className: "marker-cluster marker-cluster-" + size})
    });
    function zoomIn() {
      var b = f.properties.bounds;
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {padding: [24, 24], maxZoom: 18});
    }
    // Leaflet's markers open popups on Enter; a cluster has none, so Enter zooms like a click.
    marker.on("click", zoomIn);
    marker.on("keypress", function (e) { if (e.originalEvent.key === "Enter") { zoomIn(); } });
    return marker;
  }

  // Clusters still there keep their marker (and so the keyboard's focus); others go.
  var crowdMarkers = new Map();  // "id count" -> marker
  function showCrowds(crowds) {
    var wanted = new Map(crowds.map(function (f) { return [f.id + " " + f.properties.count, f]; }));
    crowdMarkers.forEach(function (marker, key) {
      if (!wanted.has(key)) { crowd.removeLayer(marker); crowdMarkers.delete(key); }
    });
    wanted.forEach(function (f, key) {
      if (!crowdMarkers.has(key)) { crowdMarkers.set(key, crowdMarker(f).addTo(crowd)); }
    });
  }

  function showTiles(answers) {
    var points = [];
    var crowds = [];
    var seen = {};
    var truncated = false;
    answers.forEach(function (data) {
      truncated = truncated || data.truncated || data.aggregated;
      data.features.forEach(function (f) {
        if (f.properties.cluster) {
          crowds.push(f);
        } else if (!seen[f.id]) {  // a point on a tile's edge may come with both tiles
          seen[f.id] = true;
          points.push(f);
        }
      });
    });
    points = ordered(points);
    cluster.clearLayers();
    cluster.addLayers(points.map(pointMarker));
    showCrowds(crowds);
    var crowded = crowds.filter(inView).reduce(function (sum, f) {
      return sum + f.properties.count;
    }, 0);
    return showList(points, truncated && crowded > 0) + crowded;
  }

  function refresh() {
    var generation = ++refreshes;
    var z = tileZoom();
    var range = tileRange(z);
    var query = tileQuery();
    forgetFarTiles(z, range, query);
    var answers = tilesInView(z, range).map(function (tile) { return fetchTile(tile, query); });
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
    // Tiles are never aborted (a later view may want them); the online list is.
    if (pending) { pending.abort(); }
    pending = new AbortController();
    Promise.all([
      Promise.all(answers),
      fetch(el.dataset.unlocated + "?" + unlocated.toString(), {signal: pending.signal}).then(asJson)
    ]).then(function (results) {
      if (generation !== refreshes) { return; }  // a newer view is on its way
      var onMap = showTiles(results[0]);
      var online = showOnline(results[1]);
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
