/* Maps of Quartier Commun, on Leaflet (static/vendor/leaflet/).
 *
 * - [data-map="<json id>"]: a map of the markers and outlines in that JSON block.
 * - [data-map-picker="<json id>"]: the idea form's pin. Fills the hidden latitude and
 *   longitude fields; "Utiliser ma position" (when the browser offers it); an address search
 *   through our own /idees/adresse/ (the server asks the geocoder: the CSP stays strict).
 *
 * Without this script the pages show the place in words and the form takes an address in
 * words. When tiles fail, the pin still works and the page says so. Only textContent is used
 * for what people wrote (titles, addresses): nothing they type becomes HTML.
 */
(function () {
  "use strict";
  if (typeof window.L === "undefined") return;
  var L = window.L;

  function readData(id) {
    var element = document.getElementById(id);
    if (!element) return null;
    try { return JSON.parse(element.textContent); } catch (error) { return null; }
  }

  function say(status, key) {
    if (!status) return;
    status.textContent = status.getAttribute("data-" + key) || "";
  }

  function baseMap(element, config, status) {
    element.hidden = false;
    var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 1 });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
    var loaded = false;
    var tiles = L.tileLayer(config.tiles, {
      attribution: config.attribution,
      maxZoom: config.maxZoom || 19,
      // Sharp on a phone's dense screen (tiles of the next zoom, four to a tile), unless
      // the person asked their browser to save data.
      detectRetina: !(navigator.connection && navigator.connection.saveData),
      // OpenStreetMap's tile policy asks for a Referer: send the origin only.
      referrerPolicy: "strict-origin-when-cross-origin"
    });
    tiles.on("tileload", function () { loaded = true; });
    var toldNoTiles = false;  // said once: later messages (« point posé ») must stay
    tiles.on("tileerror", function () {
      if (!loaded && !toldNoTiles) {
        toldNoTiles = true;
        say(status, "tiles-failed");
        element.classList.add("map--no-tiles");
      }
    });
    tiles.addTo(map);
    map.setView(config.center, config.zoom || 13);
    return map;
  }

  // No shadow under the pin: Leaflet ships it at one resolution only, blurred on phones.
  function icon(config) {
    return L.icon({
      iconUrl: config.icon,
      iconRetinaUrl: config.icon2x,
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      popupAnchor: [1, -34]
    });
  }

  function drawOutlines(map, outlines) {
    var bounds = L.latLngBounds([]);
    (outlines || []).forEach(function (outline) {
      var layer = L.geoJSON(outline.geometry, {
        interactive: false,
        style: { color: "#0b5c4a", weight: 3, fillColor: "#0b5c4a", fillOpacity: 0.08 }
      }).addTo(map);
      bounds.extend(layer.getBounds());
    });
    return bounds;
  }

  function popupFor(marker) {
    var box = document.createElement("div");
    if (marker.url) {
      var link = document.createElement("a");
      link.href = marker.url;
      link.textContent = marker.title;
      box.appendChild(link);
    } else {
      box.textContent = marker.title;
    }
    return box;
  }

  function showMap(element) {
    var data = readData(element.getAttribute("data-map"));
    if (!data) return;
    var status = element.parentNode.querySelector("[data-map-status]");
    var map = baseMap(element, data.config, status);
    var bounds = drawOutlines(map, data.outlines);
    var markerIcon = icon(data.config);
    data.markers.forEach(function (item) {
      var marker = L.marker([item.lat, item.lng], {
        icon: markerIcon, title: item.title, alt: item.title, keyboard: true
      }).addTo(map);
      marker.bindPopup(popupFor(item));
      bounds.extend(marker.getLatLng());
    });
    // Straight to the places, without a zoom animation from the default view: the pins
    // stay still under the finger from the moment they appear.
    if (data.markers.length === 1 && !data.outlines.length) {
      map.setView([data.markers[0].lat, data.markers[0].lng], 17, { animate: false });
    } else if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17, animate: false });
    }
  }

  function picker(box) {
    var data = readData(box.getAttribute("data-map-picker"));
    var latitude = document.getElementById(box.getAttribute("data-latitude"));
    var longitude = document.getElementById(box.getAttribute("data-longitude"));
    var address = document.getElementById(box.getAttribute("data-address"));
    if (!data || !latitude || !longitude) return;
    box.hidden = false;
    var status = box.querySelector("[data-map-status]");
    var element = box.querySelector(".map");
    var map = baseMap(element, data.config, status);
    var bounds = drawOutlines(map, data.outlines);
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16] });
    var clear = box.querySelector("[data-map-clear]");
    var marker = null;
    var markerIcon = icon(data.config);

    function write(latlng) {
      latitude.value = latlng.lat.toFixed(6);
      longitude.value = latlng.lng.toFixed(6);
    }
    function place(latlng, key) {
      if (!marker) {
        marker = L.marker(latlng, {
          icon: markerIcon, draggable: true, keyboard: true,
          title: box.querySelector(".map").getAttribute("aria-label"),
          alt: status.getAttribute("data-placed")
        }).addTo(map);
        marker.on("dragend", function () { write(marker.getLatLng()); say(status, "placed"); });
      } else {
        marker.setLatLng(latlng);
      }
      write(marker.getLatLng());
      clear.hidden = false;
      box.setAttribute("data-has-point", "true");
      say(status, key || "placed");
    }

    if (latitude.value && longitude.value) {
      var start = L.latLng(parseFloat(latitude.value.replace(",", ".")),
                           parseFloat(longitude.value.replace(",", ".")));
      if (!isNaN(start.lat) && !isNaN(start.lng)) {
        place(start);
        status.textContent = "";
        map.setView(start, 17);
      }
    }

    map.on("click", function (event) { place(event.latlng); });
    box.querySelector("[data-map-center]").addEventListener("click", function () {
      place(map.getCenter());
    });
    clear.addEventListener("click", function () {
      if (marker) { map.removeLayer(marker); marker = null; }
      latitude.value = "";
      longitude.value = "";
      clear.hidden = true;
      box.removeAttribute("data-has-point");
      say(status, "cleared");
    });

    var locate = box.querySelector("[data-map-locate]");
    if (navigator.geolocation && window.isSecureContext !== false) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        say(status, "locating");
        navigator.geolocation.getCurrentPosition(function (position) {
          var here = L.latLng(position.coords.latitude, position.coords.longitude);
          place(here, "located");
          map.setView(here, 17);
        }, function () { say(status, "no-location"); }, { enableHighAccuracy: true, timeout: 10000 });
      });
    }

    var results = box.querySelector("[data-map-results]");
    var search = box.querySelector("[data-map-search]");
    var geocoder = box.getAttribute("data-geocoder");
    if (!address || !geocoder) {
      search.hidden = true;
      return;
    }
    // The search button goes right under the address field it reads.
    var field = address.closest(".field") || address.parentNode;
    field.appendChild(box.querySelector(".map-search"));

    function choose(found) {
      address.value = found.label;
      results.hidden = true;
      results.textContent = "";
      var latlng = L.latLng(found.latitude, found.longitude);
      place(latlng);
      map.setView(latlng, 17);
    }
    search.addEventListener("click", function () {
      var query = address.value.trim();
      results.hidden = true;
      results.textContent = "";
      if (query.length < 3) { say(status, "short"); address.focus(); return; }
      say(status, "searching");
      fetch(geocoder + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (answer) {
        if (!answer.ok) {
          status.textContent = (answer.body && answer.body.message) || status.getAttribute("data-error");
          return;
        }
        if (!answer.body.results.length) { say(status, "none"); return; }
        answer.body.results.forEach(function (found) {
          var item = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = found.label;
          button.addEventListener("click", function () { choose(found); });
          item.appendChild(button);
          results.appendChild(item);
        });
        results.hidden = false;
        say(status, "found");
        results.querySelector("button").focus();
      }).catch(function () { say(status, "error"); });
    });
  }

  // A map further down the page starts when it comes near the screen: a resident who reads
  // the idea and leaves downloads no map tiles (they cost more than the rest of the page).
  function showWhenNear(element) {
    if (!("IntersectionObserver" in window)) { showMap(element); return; }
    element.hidden = false;
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        observer.disconnect();
        showMap(element);
      }
    }, { rootMargin: "200px 0px" });
    observer.observe(element);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), showWhenNear);
    Array.prototype.forEach.call(document.querySelectorAll("[data-map-picker]"), picker);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
