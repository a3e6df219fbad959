/* The playlist's activities on a small Leaflet map.  The numbered list on the page stays the
 * accessible (and script-free) version; this only adds the picture. */
(function () {
  "use strict";
  var el = document.getElementById("playlist-map");
  if (!el || !window.L) { return; }
  var points = JSON.parse(el.dataset.points || "[]");
  if (!points.length) { return; }
  el.hidden = false;
  var map = L.map(el, {scrollWheelZoom: false});
  L.tileLayer(el.dataset.tiles, {attribution: el.dataset.attribution, maxZoom: 19}).addTo(map);
  // Markers close together are grouped (their targets would overlap); a group opens on a tap.
  var layer = L.markerClusterGroup ? L.markerClusterGroup({showCoverageOnHover: false}) : L.layerGroup();
  layer.addTo(map);
  var bounds = points.map(function (point) {
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.number + ". " + point.title;  // text, never HTML
    L.marker([point.lat, point.lon], {title: point.title, alt: point.title})
      .addTo(layer).bindPopup(link);
    return [point.lat, point.lon];
  });
  map.fitBounds(bounds, {maxZoom: 15, padding: [24, 24]});
}());
