/* The place picker: a map where a click or a dragged marker sets the activity's latitude and
 * longitude, and an address search (the form's JSON endpoint, backed by the city's geocoder).
 * Without JavaScript the coordinates stay plain fields; with it they fold away as "advanced". */
(function () {
  "use strict";
  var box = document.querySelector(".place-picker");
  var latitude = document.getElementById("f-latitude");
  var longitude = document.getElementById("f-longitude");
  if (!box || !window.L || !window.fetch || !latitude || !longitude) { return; }
  var data = box.dataset;
  var address = document.getElementById("f-address");
  var search = document.getElementById("place-search");
  var results = document.getElementById("place-results");
  var status = document.getElementById("place-status");
  var coordinates = document.getElementById("coordinates");
  box.hidden = false;
  if (coordinates && !latitude.hasAttribute("aria-invalid") && !longitude.hasAttribute("aria-invalid")) {
    coordinates.open = false;
  }
  var given = [parseFloat(latitude.value), parseFloat(longitude.value)];
  var known = !isNaN(given[0]) && !isNaN(given[1]);
  var map = L.map("place-map").setView(
    known ? given : data.center.split(",").map(Number), known ? 16 : parseInt(data.zoom, 10));
  L.tileLayer(data.tiles, {attribution: data.attribution, maxZoom: 19}).addTo(map);
  var marker = null;
  function write(point) {
    latitude.value = point.lat.toFixed(6);
    longitude.value = point.lng.toFixed(6);
    status.textContent = data.placed;
    latitude.dispatchEvent(new Event("input", {bubbles: true}));  // autosave hears it
  }
  function place(point) {
    if (marker === null) {
      marker = L.marker(point, {draggable: true, keyboard: true, title: data.placed}).addTo(map);
      marker.on("dragend", function () { write(marker.getLatLng()); });
    } else {
      marker.setLatLng(point);
    }
    write(L.latLng(point));
  }
  if (known) { marker = L.marker(given, {draggable: true, title: data.placed}).addTo(map);
               marker.on("dragend", function () { write(marker.getLatLng()); }); }
  map.on("click", function (event) { place(event.latlng); });
  function choose(item) {
    address.value = item.address;
    results.textContent = "";
    place([item.latitude, item.longitude]);
    map.setView([item.latitude, item.longitude], 16);
  }
  function find() {
    var query = search.value.trim();
    results.textContent = "";
    if (query.length < 2) { return; }
    status.textContent = data.searching;
    fetch(data.searchUrl + "?q=" + encodeURIComponent(query),
          {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.error) { status.textContent = answer.error; return; }
        status.textContent = answer.items.length ? "" : data.none;
        answer.items.forEach(function (item) {
          var entry = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "place-result";
          button.textContent = item.name === item.address ? item.address : item.name + ", " + item.address;
          button.addEventListener("click", function () { choose(item); });
          entry.appendChild(button);
          results.appendChild(entry);
        });
      })
      .catch(function () { status.textContent = data.failed; });
  }
  document.getElementById("place-search-button").addEventListener("click", find);
  // Enter searches instead of sending the whole form.
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); find(); }
  });
})();
