/* Live places left and waitlist lengths on an action page (/agir/<id>/).
   The page works without it: this only refreshes what the server already rendered.
   Protocol: civic/volunteering/consumers.py — on every (re)connect the server sends
   "shift.snapshot" {shifts: [state, …]}, then "shift.state" deltas (see live.shift_state).
   Payloads are only ever written with textContent. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("WebSocket" in window) || !window.JSON) { return; }

  var data = script.dataset;
  var path = data.socketPath;
  if (!path || !/^\/ws\/agir\/\d+\/$/.test(path)) { return; }
  if (!document.querySelector("[data-shift-id]")) { return; }

  var status = document.getElementById("volunteering-live-status");
  var retryDelay = 1000;
  var MAX_DELAY = 30000;
  var timer = null;

  function announce(text) {
    if (!status || !text) { return; }
    // Emptying first makes screen readers read the same sentence twice in a row.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function each(root, selector, fn) {
    var nodes = root.querySelectorAll(selector);
    for (var n = 0; n < nodes.length; n++) { fn(nodes[n]); }
  }

  function setText(node, text) {
    if (node.textContent !== text) { node.textContent = text; return true; }
    return false;
  }

  function toInt(value) {
    var number = parseInt(value, 10);
    return isNaN(number) || number < 0 ? null : number;
  }

  function apply(state) {
    if (!state || typeof state.id !== "number") { return; }
    var item = document.querySelector('[data-shift-id="' + state.id + '"]');
    if (!item) { return; }
    var label = item.getAttribute("data-shift-label") || "";
    var placesLeft = toInt(state.places_left);
    var capacity = toInt(state.capacity);
    var waitlist = toInt(state.waitlist);

    if (state.is_cancelled === true) {
      if (item.getAttribute("data-cancelled") === "true") { return; }
      item.setAttribute("data-cancelled", "true");
      item.className = item.className.replace(/\bshift-[a-z]+\b/g, "").trim() + " shift-cancelled";
      each(item, "[data-shift-status]", function (node) { setText(node, data.statusCancelled); });
      each(item, "[data-signup-form]", function (node) { node.hidden = true; });
      announce(label + " — " + data.announceCancelled);
      return;
    }

    var placesChanged = false;
    if (placesLeft !== null) {
      each(item, "[data-places-left]", function (node) {
        if (setText(node, String(placesLeft))) { placesChanged = true; }
      });
    }
    if (capacity !== null) {
      each(item, "[data-capacity]", function (node) { setText(node, String(capacity)); });
    }
    if (waitlist !== null) {
      each(item, "[data-waitlist]", function (node) { setText(node, String(waitlist)); });
      each(item, "[data-waitlist-box]", function (node) { node.hidden = waitlist === 0; });
    }
    if (placesLeft === null) { return; }

    // Only shifts still open to sign-ups change between "Ouvert" and "Complet".
    var full = placesLeft === 0;
    var isOpenOrFull = /\bshift-(open|full)\b/.test(item.className);
    if (isOpenOrFull) {
      item.className = item.className.replace(/\bshift-(open|full)\b/, full ? "shift-full" : "shift-open");
      each(item, "[data-shift-status]", function (node) {
        setText(node, full ? data.statusFull : data.statusOpen);
      });
      each(item, "[data-signup-button]", function (node) {
        setText(node, full ? data.labelFull : data.labelOpen);
      });
      each(item, "[data-waitlist-input]", function (node) { node.value = full ? "1" : "0"; });
    }
    if (placesChanged) {
      announce(label + " — " + (full ? data.announceFull : data.announcePlaces + " " + placesLeft));
    }
  }

  function connect() {
    timer = null;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try {
      socket = new WebSocket(scheme + window.location.host + path);
    } catch (e) {
      return retry();
    }
    socket.onmessage = function (message) {
      var msg;
      try { msg = JSON.parse(message.data); } catch (e) { return; }
      if (!msg || !msg.payload) { return; }
      if (msg.event === "shift.snapshot" && msg.payload.shifts instanceof Array) {
        // The server sends a snapshot on every (re)connect: it brings back what was missed.
        // Reset the delay only once the server really answers.
        retryDelay = 1000;
        for (var s = 0; s < msg.payload.shifts.length; s++) { apply(msg.payload.shifts[s]); }
      } else if (msg.event === "shift.state") {
        apply(msg.payload);
      }
    };
    socket.onclose = function (event) {
      // 4401/4404: this page may not listen (action unpublished meanwhile): stop there.
      if (event && (event.code === 4401 || event.code === 4404)) { return; }
      retry();
    };
  }

  function retry() {
    if (timer !== null) { return; }
    // A growing delay with some randomness (phone asleep, network lost, server restarted).
    var delay = retryDelay + Math.floor(Math.random() * 500);
    retryDelay = Math.min(retryDelay * 2, MAX_DELAY);
    timer = window.setTimeout(connect, delay);
  }

  connect();
})();
