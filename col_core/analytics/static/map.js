// Draws the "joins by neighbourhood" table as circles on a Leaflet map (grid squares, never
// individual places).  The table stays the source and the text alternative; without JS it is all.
(function () {
  "use strict";
  var box = document.getElementById("analytics-map");
  var table = document.getElementById("data-map");
  if (!box || !table || !window.L) { return; }
  var points = [];
  table.querySelectorAll("tbody tr").forEach(function (row) {
    var cells = row.querySelectorAll("th, td");
    var lat = parseFloat(cells[0].textContent.replace(",", "."));
    var lon = parseFloat(cells[1].textContent.replace(",", "."));
    var joins = parseFloat(cells[2].getAttribute("data-value"));
    if (!isNaN(lat) && !isNaN(lon) && !isNaN(joins)) { points.push([lat, lon, joins, cells[2].textContent]); }
  });
  if (!points.length) { return; }
  var map = L.map(box, { scrollWheelZoom: false });
  L.tileLayer(box.getAttribute("data-tiles"), {
    maxZoom: 18, attribution: box.getAttribute("data-attribution")
  }).addTo(map);
  var most = Math.max.apply(null, points.map(function (p) { return p[2]; }));
  var layer = L.featureGroup(points.map(function (p) {
    return L.circle([p[0], p[1]], {
      radius: 150 + 350 * Math.sqrt(p[2] / most), weight: 1, fillOpacity: 0.45
    }).bindTooltip(p[3]);
  })).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [20, 20] });
})();
