/* Live support counts and statuses on the idea list and idea pages.
   The pages work without it: this only refreshes what the server already rendered.
   Protocol: civic/proposals/consumers.py. Payloads are only ever written with textContent. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("WebSocket" in window) || !window.JSON) { return; }

  var cards = document.querySelectorAll("[data-proposal-id]");
  var ids = [];
  var seen = {};
  for (var i = 0; i < cards.length; i++) {
    var id = parseInt(cards[i].getAttribute("data-proposal-id"), 10);
    if (id > 0 && !seen[id]) { seen[id] = true; ids.push(id); }
  }
  if (!ids.length) { return; }

  var data = script.dataset;
  var path = data.socketPath || "/ws/idees/";
  var supportable = (data.supportable || "").split(" ");
  var announceCounts = data.announceCounts === "true";
  var status = document.getElementById("proposals-live-status");
  var retryDelay = 1000;
  var MAX_DELAY = 30000;

  function announce(text) {
    if (!status) { return; }
    // Emptying first makes screen readers read the same sentence twice in a row.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function each(root, selector, fn) {
    var nodes = root.querySelectorAll(selector);
    for (var n = 0; n < nodes.length; n++) { fn(nodes[n]); }
  }

  function titleOf(card) {
    var heading = card.querySelector("h1, h2, h3");
    return heading ? heading.textContent.trim() : "";
  }

  function apply(state) {
    if (!state || typeof state.id !== "number") { return; }
    var targets = document.querySelectorAll('[data-proposal-id="' + state.id + '"]');
    for (var t = 0; t < targets.length; t++) { applyTo(targets[t], state); }
  }

  function applyTo(card, state) {
    if (state.visible === false) {
      // The socket only speaks of public ideas. A page that was rendered for an idea that
      // is not public yet (its author, the Régie) keeps what the server showed.
      if (card.getAttribute("data-public") === "false") { return; }
      if (card.getAttribute("data-unavailable") === "true") { return; }
      card.setAttribute("data-unavailable", "true");
      card.classList.add("is-unavailable");
      each(card, "[data-status-label]", function (node) { node.textContent = data.unavailableLabel; });
      each(card, "[data-support-form]", function (node) { node.hidden = true; });
      announce(titleOf(card) + " — " + data.unavailableLabel);
      return;
    }
    card.setAttribute("data-public", "true");
    if (card.getAttribute("data-unavailable") === "true") {
      card.removeAttribute("data-unavailable");
      card.classList.remove("is-unavailable");
    }
    var statusChanged = false;
    each(card, "[data-status-label]", function (node) {
      var label = String(state.status_label || "");
      if (label && node.textContent !== label) {
        node.textContent = label;
        node.className = node.className.replace(/\bstatus-[a-z_]+/g, "").trim() +
          " status-" + String(state.status).replace(/[^a-z_]/g, "");
        statusChanged = true;
      }
    });
    var countChanged = false;
    each(card, "[data-support-count]", function (node) {
      var count = String(parseInt(state.support_count, 10) || 0);
      if (node.textContent !== count) { node.textContent = count; countChanged = true; }
    });
    var open = state.support_open === true && supportable.indexOf(state.status) !== -1;
    each(card, "[data-support-form]", function (node) { node.hidden = !open; });
    each(card, "[data-support-closed]", function (node) { node.hidden = open; });
    if (statusChanged) {
      announce(titleOf(card) + " — " + data.statusAnnounce + " " + state.status_label);
    } else if (countChanged && announceCounts) {
      announce(data.countAnnounce + " " + state.support_count);
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try {
      socket = new WebSocket(scheme + window.location.host + path);
    } catch (e) {
      return retry();
    }
    socket.onopen = function () {
      // On every (re)connect: the snapshot brings back what was missed meanwhile.
      socket.send(JSON.stringify({ type: "subscribe", ids: ids.slice(0, 200) }));
    };
    socket.onmessage = function (message) {
      var msg;
      try { msg = JSON.parse(message.data); } catch (e) { return; }
      if (!msg || !msg.payload) { return; }
      if (msg.event === "proposal.snapshot" && msg.payload.proposals instanceof Array) {
        // Reset the delay only once the server really answers: a socket that opens and
        // closes at once must not make the page reconnect every second.
        retryDelay = 1000;
        for (var p = 0; p < msg.payload.proposals.length; p++) { apply(msg.payload.proposals[p]); }
      } else if (msg.event === "proposal.state") {
        apply(msg.payload);
      }
    };
    socket.onclose = retry;
  }

  function retry() {
    // A growing delay with some randomness (phone asleep, network lost, server restarted).
    var delay = retryDelay + Math.floor(Math.random() * 500);
    retryDelay = Math.min(retryDelay * 2, MAX_DELAY);
    window.setTimeout(connect, delay);
  }

  connect();
})();
