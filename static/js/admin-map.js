/* Maps of the Wagtail admin, on Leaflet (static/vendor/leaflet/), loaded through the
 * Media of civic/places/panels.py.
 *
 * - [data-admin-point="<json id>"]: a pin for the latitude and longitude inputs named by
 *   data-latitude / data-longitude. Clicking the map or dragging the pin fills both;
 *   typing in them moves the pin; « Retirer le point » empties both.
 * - [data-admin-outline="<json id>"]: a quartier's outline drawn point by point into the
 *   GeoJSON textarea named by data-textarea (a Polygon, [longitude, latitude]). What is
 *   pasted in the textarea shows on the map; « Annuler le dernier point », « Effacer ».
 *
 * Without this script the inputs and the textarea stay as they are. The server checks
 * everything again (civic.places.validate_outline, the point constraints).
 */
(function () {
  "use strict";
  if (typeof window.L === "undefined") return;
  var L = window.L;
  var BRAND = "#0b5c4a";

  function readData(id) {
    var element = document.getElementById(id);
    if (!element) return null;
    try { return JSON.parse(element.textContent); } catch (error) { return null; }
  }

  function say(status, key, count) {
    if (!status) return;
    var text = status.getAttribute("data-" + key) || "";
    status.textContent = text.replace("%(count)s", String(count));
  }

  // Tell Wagtail (its "unsaved changes" warning) and anything listening that the field changed.
  function changed(input) {
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function number(input) {
    var text = (input.value || "").trim().replace(",", ".");
    if (!text) return null;
    var value = Number(text);
    return isFinite(value) ? value : NaN;
  }

  function round(value) { return Math.round(value * 1e6) / 1e6; }

  function baseMap(element, config, status) {
    var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 1 });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
    var loaded = false;
    var tiles = L.tileLayer(config.tiles, {
      attribution: config.attribution,
      maxZoom: config.maxZoom || 19,
      referrerPolicy: "strict-origin-when-cross-origin"
    });
    tiles.on("tileload", function () { loaded = true; });
    // Said once: a later message (« contour collé »…) must not be overwritten by the next
    // tile that fails.
    var toldNoTiles = false;
    tiles.on("tileerror", function () {
      if (!loaded && !toldNoTiles) { toldNoTiles = true; say(status, "tiles-failed"); }
    });
    tiles.addTo(map);
    map.setView(config.center, config.zoom || 13);
    // A map in a collapsed panel or another tab has no size yet: redraw when it gets one.
    if (window.ResizeObserver) {
      new ResizeObserver(function () { map.invalidateSize(); }).observe(element);
    }
    return map;
  }

  function pinIcon(config) {
    return L.icon({
      iconUrl: config.icon, iconRetinaUrl: config.icon2x,
      iconSize: [25, 41], iconAnchor: [12, 41]
    });
  }

  // --- A point -----------------------------------------------------------------------------

  function point(box) {
    var data = readData(box.getAttribute("data-admin-point"));
    var latitude = document.getElementById(box.getAttribute("data-latitude"));
    var longitude = document.getElementById(box.getAttribute("data-longitude"));
    if (!data || !latitude || !longitude) return;
    box.hidden = false;
    var status = box.querySelector("[data-map-status]");
    var element = box.querySelector(".qc-admin-map__map");
    var clear = box.querySelector("[data-map-clear]");
    var map = baseMap(element, data.config, status);
    var bounds = L.latLngBounds([]);
    (data.outlines || []).forEach(function (outline) {
      var layer = L.geoJSON(outline.geometry, {
        interactive: false,
        style: { color: BRAND, weight: 3, fillColor: BRAND, fillOpacity: 0.08 }
      }).addTo(map);
      bounds.extend(layer.getBounds());
    });
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16] });
    var marker = null;

    function show(latlng) {
      if (!marker) {
        marker = L.marker(latlng, {
          icon: pinIcon(data.config), draggable: true, keyboard: true,
          title: element.getAttribute("aria-label"), alt: element.getAttribute("aria-label")
        }).addTo(map);
        marker.on("dragend", function () { write(marker.getLatLng()); });
      } else {
        marker.setLatLng(latlng);
      }
      clear.hidden = false;
    }
    function hide() {
      if (marker) { map.removeLayer(marker); marker = null; }
      clear.hidden = true;
    }
    function write(latlng) {
      show(latlng);
      latitude.value = latlng.lat.toFixed(6);
      longitude.value = latlng.lng.toFixed(6);
      changed(latitude);
      changed(longitude);
      say(status, "placed");
    }
    // The inputs are the truth: the pin follows a whole, valid point; an empty pair removes it.
    function read(follow) {
      var lat = number(latitude), lng = number(longitude);
      if (lat === null && lng === null) { hide(); return; }
      if (lat === null || lng === null || isNaN(lat) || isNaN(lng)) return;
      if (lat < -90 || lat > 90 || lng < -180 || lng > 180) return;
      var latlng = L.latLng(lat, lng);
      show(latlng);
      if (follow) map.panTo(latlng);
    }

    read(false);
    if (marker) map.setView(marker.getLatLng(), 17);
    [latitude, longitude].forEach(function (input) {
      input.addEventListener("input", function (event) {
        if (!event.isTrusted) return; // our own write() above
        read(true);
        if (marker) say(status, "moved");
      });
    });
    map.on("click", function (event) { write(event.latlng); });
    box.querySelector("[data-map-center]").addEventListener("click", function () {
      write(map.getCenter());
    });
    clear.addEventListener("click", function () {
      hide();
      latitude.value = "";
      longitude.value = "";
      changed(latitude);
      changed(longitude);
      say(status, "cleared");
    });
  }

  // --- An outline ----------------------------------------------------------------------------

  // The outer ring of a single Polygon (bare or in a Feature) as [lat, lng] points without the
  // closing one; null when the value is another shape (a MultiPolygon, holes), undefined when
  // it is not an outline at all.
  function ringOf(value) {
    var geometry = value && value.type === "Feature" ? value.geometry : value;
    if (!geometry || (geometry.type !== "Polygon" && geometry.type !== "MultiPolygon")) return undefined;
    if (!Array.isArray(geometry.coordinates)) return undefined;
    if (geometry.type === "MultiPolygon" || geometry.coordinates.length !== 1) return null;
    var ring = geometry.coordinates[0];
    if (!Array.isArray(ring)) return undefined;
    var points = [];
    for (var i = 0; i < ring.length; i++) {
      var position = ring[i];
      if (!Array.isArray(position) || typeof position[0] !== "number" || typeof position[1] !== "number") return undefined;
      points.push(L.latLng(position[1], position[0]));
    }
    if (points.length > 1 && points[0].equals(points[points.length - 1])) points.pop();
    return points;
  }

  function outline(box) {
    var config = readData(box.getAttribute("data-admin-outline"));
    var textarea = document.getElementById(box.getAttribute("data-textarea"));
    if (!config || !textarea) return;
    box.hidden = false;
    var status = box.querySelector("[data-map-status]");
    var element = box.querySelector(".qc-admin-map__map");
    var undo = box.querySelector("[data-outline-undo]");
    var clear = box.querySelector("[data-outline-clear]");
    var map = baseMap(element, config, status);
    var points = [];
    var shape = null; // the polygon (or line, under 3 points) being drawn
    var vertices = L.layerGroup().addTo(map);
    var other = null; // a pasted outline the drawing cannot edit (several parts, holes)

    function vertexIcon() {
      return L.divIcon({ className: "qc-admin-map__vertex", iconSize: [16, 16] });
    }

    function redraw() {
      if (shape) { map.removeLayer(shape); shape = null; }
      vertices.clearLayers();
      var style = { color: BRAND, weight: 3, fillColor: BRAND, fillOpacity: 0.12 };
      if (points.length >= 3) shape = L.polygon(points, style).addTo(map);
      else if (points.length === 2) shape = L.polyline(points, style).addTo(map);
      points.forEach(function (latlng, index) {
        var vertex = L.marker(latlng, {
          icon: vertexIcon(), draggable: true, keyboard: false,
          title: String(index + 1)
        });
        vertex.on("drag", function () {
          points[index] = vertex.getLatLng();
          if (shape) shape.setLatLngs(points);
        });
        vertex.on("dragend", function () { write(); });
        vertices.addLayer(vertex);
      });
      undo.disabled = points.length === 0;
      clear.disabled = points.length === 0 && !other;
    }

    // Three points or more make a closed Polygon; fewer are written too, so that saving
    // says what is missing instead of silently dropping the outline.
    function write() {
      if (!points.length) {
        textarea.value = "";
      } else {
        var ring = points.map(function (latlng) { return [round(latlng.lng), round(latlng.lat)]; });
        ring.push(ring[0]);
        textarea.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      }
      changed(textarea);
      if (points.length >= 3) say(status, "points", points.length);
      else if (points.length) say(status, "more-" + (3 - points.length));
    }

    function forgetOther() {
      if (other) { map.removeLayer(other); other = null; }
    }

    function load(fit) {
      var text = textarea.value.trim();
      forgetOther();
      if (!text) { points = []; redraw(); return true; }
      var value;
      try { value = JSON.parse(text); } catch (error) { say(status, "unreadable"); return false; }
      var ring = ringOf(value);
      if (ring === undefined) { say(status, "unreadable"); return false; }
      if (ring === null) {
        points = [];
        try {
          other = L.geoJSON(value, {
            interactive: false,
            style: { color: BRAND, weight: 3, dashArray: "6 4", fillColor: BRAND, fillOpacity: 0.08 }
          }).addTo(map);
        } catch (error) { other = null; say(status, "unreadable"); return false; }
        redraw();
        if (fit && other.getBounds().isValid()) map.fitBounds(other.getBounds(), { padding: [16, 16] });
        say(status, "several");
        return true;
      }
      points = ring;
      redraw();
      if (fit && points.length) map.fitBounds(L.latLngBounds(points), { padding: [16, 16] });
      return true;
    }

    load(true);
    textarea.addEventListener("input", function (event) {
      if (!event.isTrusted) return; // our own write()
      if (load(true) && textarea.value.trim()) say(status, other ? "several" : "pasted");
    });
    map.on("click", function (event) {
      forgetOther();
      points.push(event.latlng);
      redraw();
      write();
    });
    undo.addEventListener("click", function () {
      points.pop();
      redraw();
      write();
      if (!points.length) say(status, "cleared");
    });
    clear.addEventListener("click", function () {
      forgetOther();
      points = [];
      redraw();
      write();
      say(status, "cleared");
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-admin-point]"), point);
    Array.prototype.forEach.call(document.querySelectorAll("[data-admin-outline]"), outline);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
