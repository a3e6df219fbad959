/* The map page: Leaflet with clustered markers, kept in sync with the list and the URL.
 * Without JavaScript (or without tiles) the server-rendered list and filters still work. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  var form = document.getElementById("map-filters");
  if (!el || !form || !window.L) { return; }
  var list = document.getElementById("results");
  var status = document.getElementById("list-status");
  var title = document.getElementById("results-title");
  var params = new URLSearchParams(window.location.search);
  var at = (params.get("at") || "").split(",").map(Number);
  var center = el.dataset.center.split(",").map(Number);
  var zoom = Number(el.dataset.zoom);
  if (at.length === 3 && at.every(isFinite)) { center = [at[0], at[1]]; zoom = at[2]; }

  var map = L.map(el, {scrollWheelZoom: false}).setView(center, zoom);
  L.tileLayer(el.dataset.tiles, {attribution: el.dataset.attribution, maxZoom: 19}).addTo(map);
  var cluster = L.markerClusterGroup({showCoverageOnHover: false});
  map.addLayer(cluster);
  var pending = null;

  function filters() {
    var query = new URLSearchParams(new FormData(form));
    query.delete("at");
    Array.from(query.keys()).forEach(function (key) { if (!query.get(key)) { query.delete(key); } });
    return query;
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

  function showList(features, truncated) {
    var b = map.getBounds();
    var visible = features.filter(function (f) {
      return b.contains([f.geometry.coordinates[1], f.geometry.coordinates[0]]);
    });
    list.innerHTML = "";
    visible.slice(0, 100).forEach(function (f) {
      var item = document.createElement("li");
      item.dataset.id = f.id;
      var link = document.createElement("a");
      link.href = f.properties.url;
      link.textContent = f.properties.title;
      item.appendChild(link);
      if (f.properties.starts_at) {
        var when = document.createElement("span");
        when.className = "muted";
        when.textContent = " " + new Date(f.properties.starts_at).toLocaleString(document.documentElement.lang);
        item.appendChild(when);
      }
      list.appendChild(item);
    });
    var message = el.dataset.labelCount.replace("__n__", String(visible.length));
    title.textContent = message;
    status.textContent = truncated ? el.dataset.labelMore : "";
  }

  function refresh() {
    var query = filters();
    query.set("bbox", snappedBounds());
    var c = map.getCenter();
    var shared = filters();
    shared.set("at", [c.lat.toFixed(5), c.lng.toFixed(5), map.getZoom()].join(","));
    history.replaceState(null, "", "?" + shared.toString());
    form.querySelector("input[name=at]").value = shared.get("at");
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(el.dataset.geojson + "?" + query.toString(), {signal: pending.signal})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
      .then(function (data) {
        cluster.clearLayers();
        cluster.addLayers(data.features.map(function (f) {
          var marker = L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]],
                                {title: f.properties.title, alt: f.properties.title});
          marker.bindPopup("<strong>" + escapeText(f.properties.title) + "</strong><br><a href=\"" +
                           encodeURI(f.properties.url) + "\">" + escapeText(el.dataset.labelOpen) + "</a>");
          return marker;
        }));
        showList(data.features, data.truncated);
      })
      .catch(function (error) { if (error.name !== "AbortError") { status.textContent = ""; } });
  }

  map.on("moveend", refresh);
  form.addEventListener("change", function (event) {
    if (event.target.name !== "q") { refresh(); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    refresh();
  });

  var nearMe = document.getElementById("near-me");
  if (nearMe && navigator.geolocation) {
    nearMe.hidden = false;
    var locate = function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        var point = [position.coords.latitude, position.coords.longitude];
        form.querySelector("input[name=near]").value = point.map(function (v) { return v.toFixed(5); }).join(",");
        form.querySelector("select[name=sort]").value = "distance";
        map.setView(point, 14);
      }, function () {
        document.getElementById("near-me-status").textContent = nearMe.dataset.denied;
      });
    };
    nearMe.addEventListener("click", locate);
    if (params.get("locate") === "1") { locate(); }
  }

  // A group (?group=playlist:12, kept in the form's hidden field so every refresh asks for it)
  // opens framed on its own activities, unless the address already says where to look;
  // fitting the bounds moves the map, which refreshes it.
  if (params.get("group") && !params.get("at")) {
    fetch(el.dataset.geojson + "?" + filters().toString())
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
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
