/* Defaults for every Leaflet map of the platform; load it right after leaflet.js (through
   templates/leaflet-defaults.jinja2, which gives it the controls' words in the page's language).
   - A marker that gets keyboard focus does not pan the map: a pan reloads the map page's
     markers, and the focused one would vanish with its focus.
   - A visitor who asks for less motion (prefers-reduced-motion) gets maps that jump instead of
     gliding: no zoom, fade or marker animation and no inertia after a drag. */
(function () {
  "use strict";
  if (!window.L) { return; }
  var words = document.currentScript ? document.currentScript.dataset : {};
  if (words.zoomIn) {
    L.Control.Zoom.mergeOptions({zoomInTitle: words.zoomIn, zoomOutTitle: words.zoomOut});
  }
  L.Marker.prototype.options.autoPanOnFocus = false;
  if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    L.Map.mergeOptions({
      zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false, inertia: false
    });
  }
}());
