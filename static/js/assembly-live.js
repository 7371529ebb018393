/* The live session of an assembly: the member's page (/assemblees/<id>/seance/), the chair's
   page (…/presidence/) and the projector (…/projecteur/).
   The pages work without it (forms, "Mettre à jour", the projector refreshes itself): this
   only keeps what the server rendered up to date and sends votes and chair actions over the
   socket. Protocol: civic/assemblies/consumers.py — on every (re)connect the server sends
   "assembly.snapshot" {state, me}, then "assembly.state", "me.state", "motion.votes";
   requests carry an id, answered by "ack" or "error". Payloads are only written with
   textContent. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("WebSocket" in window) || !window.JSON) { return; }
  var path = script.getAttribute("data-socket-path") || "";
  if (!/^\/ws\/assemblees\/\d+\/$/.test(path)) { return; }
  var page = script.getAttribute("data-page");
  var assemblyId = path.split("/")[3];
  var stringsNode = document.getElementById("assembly-live-strings");
  var S = {};
  try { S = JSON.parse(stringsNode.textContent); } catch (e) { return; }
  var polite = document.getElementById("assembly-live-polite");
  var assertive = document.getElementById("assembly-live-assertive");

  var socket = null;
  var retryDelay = 1000;
  var timer = null;
  var nextId = 1;
  var pending = {};  // request id → {onAck, onError, timer}
  var state = null;
  var me = null;
  var motionKey = "";
  var structureKey = "";
  var meKey = "";

  // --- Small DOM helpers ----------------------------------------------------------------------

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }
  function q(selector, root) { return (root || document).querySelector(selector); }
  function each(selector, fn) {
    var nodes = document.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) { fn(nodes[i]); }
  }
  function setText(selector, text) {
    each(selector, function (node) { if (node.textContent !== String(text)) { node.textContent = String(text); } });
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function say(region, text) {
    if (!region || !text) { return; }
    // Emptying first makes screen readers read the same sentence twice in a row.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }
  function csrf() {
    var input = q("input[name=csrfmiddlewaretoken]");
    return input ? input.value : script.getAttribute("data-csrf") || "";
  }

  // --- Rendering the state ----------------------------------------------------------------------

  function renderAttendance(att) {
    if (!att) { return; }
    setText('[data-live="registered"]', att.registered);
    setText('[data-live="present"]', att.present);
    setText('[data-live="represented"]', att.represented);
    each('[data-live="quorum"]', function (node) {
      clear(node);
      if (!att.quorum_required) { node.textContent = S.noQuorum; return; }
      node.appendChild(document.createTextNode(att.quorum_required + " — "));
      node.appendChild(el("strong", att.quorum_reached ? S.quorumReached : S.quorumNotReached,
        att.quorum_reached ? "quorum-ok" : "quorum-ko"));
    });
  }

  function renderSession(session) {
    var text = session === "open" ? S.sessionOpen : session === "ended" ? S.sessionEnded : S.sessionNotStarted;
    setText('[data-live="session"]', text);
  }

  function renderItem(item) {
    each('[data-live="item"]', function (node) {
      clear(node);
      if (!item) { node.appendChild(el("p", S.noItem, "empty")); return; }
      var title = el("p", null, "item-title");
      title.appendChild(el("strong", item.title));
      node.appendChild(title);
      if (item.description && page !== "projector") { node.appendChild(el("p", item.description, "item-description")); }
      if (item.proposal && page !== "projector") {
        var p = el("p");
        var a = el("a", item.proposal.title);
        if (/^\//.test(item.proposal.url)) { a.href = item.proposal.url; }
        p.appendChild(a);
        node.appendChild(p);
      }
    });
  }

  function renderSpeakers(speakers) {
    each('[data-live="speakers"]', function (node) {
      clear(node);
      var current = el("p", null, "speaker-current");
      if (speakers && speakers.current) {
        current.appendChild(document.createTextNode(S.speaking + " "));
        current.appendChild(el("strong", speakers.current.name));
      } else {
        current.textContent = S.nobodySpeaking;
      }
      node.appendChild(current);
      var queue = (speakers && speakers.queue) || [];
      if (!queue.length) { node.appendChild(el("p", S.queueEmpty, "empty")); return; }
      var list = el("ol", null, "speaker-queue");
      for (var i = 0; i < queue.length; i++) { list.appendChild(el("li", queue[i].name)); }
      node.appendChild(list);
    });
  }

  function outcomeText(result) {
    var text = (S.outcomes && S.outcomes[result.outcome]) || result.outcome;
    if (result.outcome === "chosen") {
      for (var i = 0; i < result.tallies.length; i++) {
        if (result.tallies[i].option === result.winner) { text += " : " + result.tallies[i].label; }
      }
    }
    return text;
  }

  // note: the server's sentence on how the result was counted (« Résultat pondéré : … »).
  function renderResult(result, note) {
    var box = el("div", null, "result" + (result.outcome === "adopted" || result.outcome === "chosen" ? " result-carried" : ""));
    var outcome = el("p", null, "result-outcome");
    outcome.appendChild(el("strong", outcomeText(result)));
    box.appendChild(outcome);
    var list = el("ul", null, "tallies");
    // A secret ballot whose figures would give a choice away: the outcome only.
    if (result.withheld) { box.appendChild(el("p", S.withheld, "result-withheld")); }
    for (var i = 0; !result.withheld && i < result.tallies.length; i++) {
      var t = result.tallies[i];
      var li = el("li", null, "tally" + (t.option === result.winner ? " tally-winner" : ""));
      li.appendChild(el("span", t.label, "tally-label"));
      li.appendChild(el("span", t.votes + " " + S.votes, "tally-votes"));
      li.appendChild(el("span", "(" + t.share + " %)", "tally-share"));
      // The same native bar as the server's (includes/result.html).
      var bar = el("progress", null, "bar");
      bar.setAttribute("aria-hidden", "true");
      bar.max = 100;
      bar.value = Math.max(0, Math.min(100, Math.round(Number(t.share) || 0)));
      li.appendChild(bar);
      list.appendChild(li);
    }
    box.appendChild(list);
    if (note) { box.appendChild(el("p", note, "meta result-note")); }
    return box;
  }

  function ballotForm(motion, voterId, legendText, proxyId, current) {
    var form = el("form", null, "ballot");
    form.method = "post";
    form.action = "/assemblees/" + assemblyId + "/votes/" + motion.id + "/";
    form.setAttribute("data-ballot", "");
    form.setAttribute("data-motion", motion.id);
    var token = el("input");
    token.type = "hidden"; token.name = "csrfmiddlewaretoken"; token.value = csrf();
    form.appendChild(token);
    if (proxyId) {
      form.setAttribute("data-for", proxyId);
      var hidden = el("input");
      hidden.type = "hidden"; hidden.name = "for"; hidden.value = proxyId;
      form.appendChild(hidden);
    }
    var fieldset = el("fieldset");
    fieldset.appendChild(el("legend", legendText));
    var currentLabel = null;
    for (var i = 0; i < motion.options.length; i++) {
      var o = motion.options[i];
      var div = el("div", null, "choice");
      var input = el("input");
      input.type = "radio"; input.name = "option"; input.value = o.id; input.required = true;
      input.id = "vote-" + voterId + "-" + o.id;
      if (current === o.id) { input.checked = true; currentLabel = o.label; }
      var label = el("label", o.label);
      label.htmlFor = input.id;
      div.appendChild(input); div.appendChild(label);
      fieldset.appendChild(div);
    }
    var choice = el("p", null, "current-choice");
    choice.setAttribute("data-current-choice", "");
    setChoice(choice, currentLabel);
    fieldset.appendChild(choice);
    fieldset.appendChild(el("button", currentLabel ? S.changeVote : S.submitVote));
    var feedback = el("p", null, "ballot-feedback");
    feedback.setAttribute("data-ballot-feedback", "");
    feedback.setAttribute("role", "status");
    fieldset.appendChild(feedback);
    form.appendChild(fieldset);
    return form;
  }

  function setChoice(node, label) {
    clear(node);
    if (!label) { node.textContent = S.noChoice; return; }
    node.appendChild(document.createTextNode(S.yourChoice + " "));
    node.appendChild(el("strong", label));
  }

  function renderMotion(motion) {
    var node = q('[data-live="motion"]');
    if (!node) { return; }
    if (motion && motion.status === "draft" && page !== "chair") { motion = null; }
    clear(node);
    node.className = "motion" + (motion ? " motion-" + motion.status : "");
    if (!motion) { node.appendChild(el("p", S.noMotion, "empty")); return; }
    var status = el("p", null, "motion-status");
    status.appendChild(el("strong", motion.status === "open" ? S.voteOpen : motion.status === "closed" ? S.voteClosed : S.voteDraft));
    status.appendChild(document.createTextNode(" · " + motion.majority_label));
    node.appendChild(status);
    node.appendChild(el("p", motion.question, "motion-question"));
    if (motion.status !== "draft") {
      var cast = el("p", S.votesCast + " ", "votes-cast");
      var count = el("strong", motion.votes_cast);
      count.setAttribute("data-live", "votes-cast");
      cast.appendChild(count);
      node.appendChild(cast);
    }
    if (motion.status === "closed" && motion.result) { node.appendChild(renderResult(motion.result, motion.result_note)); }
    if (page !== "session" || motion.status !== "open") { return; }
    var p = me && me.participant;
    if (!p) { return; }
    if (!p.present) { node.appendChild(el("p", S.notPresent, "notice")); return; }
    if (motion.is_secret) { node.appendChild(el("p", S.secret, "meta")); }
    node.appendChild(ballotForm(motion, p.id, S.yourVote, null, (p.votes || {})[String(p.id)]));
    if (p.proxy_for) {
      node.appendChild(ballotForm(motion, p.proxy_for.id, S.proxyVote.replace("%(name)s", p.proxy_for.name),
        p.proxy_for.id, (p.votes || {})[String(p.proxy_for.id)]));
    }
  }

  function keyOf(motion) {
    return motion ? motion.id + ":" + motion.status : "";
  }

  function apply(newState, isSnapshot) {
    if (!newState) { return; }
    if (state && newState.version < state.version) { return; }
    var old = state;
    state = newState;
    renderAttendance(state.attendance);
    if (old && old.attendance && old.attendance.present !== state.attendance.present) {
      say(polite, S.announcePresent + " " + state.attendance.present);
    }
    var newKey = keyOf(state.motion);
    var newStructure = [state.session, state.current_item && state.current_item.id, newKey,
      JSON.stringify(state.speakers)].join("|");
    if (page === "chair") {
      if (!isSnapshot && newStructure !== structureKey) { refreshChair(); }
    } else {
      renderSession(state.session);
      renderItem(state.current_item);
      renderSpeakers(state.speakers);
      if (old && old.session !== state.session) { renderFloor(); }
      if (newKey !== motionKey || isSnapshot) { renderMotion(state.motion); }
      else { setText('[data-live="votes-cast"]', state.motion ? state.motion.votes_cast : 0); }
    }
    if (!isSnapshot && newKey !== motionKey && state.motion) {
      if (state.motion.status === "open") { say(assertive, S.announceOpen + " " + state.motion.question); }
      if (state.motion.status === "closed" && state.motion.result) {
        say(assertive, S.announceResult + " " + outcomeText(state.motion.result));
      }
    }
    motionKey = newKey;
    structureKey = newStructure;
  }

  function applyMe(newMe) {
    var before = me && me.participant;
    me = newMe;
    var p = me && me.participant;
    // Being given the floor is news for this member only: said, not just shown.
    if (page === "session" && before && p && before.floor !== "speaking" && p.floor === "speaking") {
      say(assertive, S.youSpeak);
    }
    // Checked in at the door while this page was open: the sentence under the title follows.
    var presence = q('[data-live="me-presence"]');
    if (page === "session" && presence && p && p.present) {
      var text = presence.getAttribute("data-present") || "";
      if (text && presence.textContent !== text) {
        presence.textContent = text;
        if (before) { say(polite, text); }
      }
    }
    var key = p ? [p.present, p.proxy_for && p.proxy_for.id, p.floor].join("|") : "";
    if (page === "session" && key !== meKey) {
      meKey = key;
      if (state) { renderMotion(state.motion); }
      renderFloor();
    }
  }

  function renderFloor() {
    var node = q('[data-live="floor"]');
    var p = me && me.participant;
    if (!node || !p) { return; }
    clear(node);
    if (!p.present || !state || state.session !== "open") { return; }
    if (p.floor === "speaking") {
      node.appendChild(el("p")).appendChild(el("strong", S.youSpeak));
      return;
    }
    var waiting = p.floor === "waiting";
    var form = el("form");
    form.method = "post";
    form.action = "/assemblees/" + assemblyId + (waiting ? "/parole/retirer/" : "/parole/");
    form.setAttribute("data-socket-type", waiting ? "floor.withdraw" : "floor.request");
    var token = el("input");
    token.type = "hidden"; token.name = "csrfmiddlewaretoken"; token.value = csrf();
    form.appendChild(token);
    if (waiting) { form.appendChild(el("p", S.floorNoted)); }
    form.appendChild(el("button", waiting ? S.floorWithdraw : S.floorRequest));
    node.appendChild(form);
  }

  // The chair's page has many forms: after a change, its regions are fetched again, as the
  // server renders them (one or two chairs per assembly: no load to speak of).
  var refreshing = false;
  function refreshChair() {
    if (refreshing || !window.fetch || !window.DOMParser) { return; }
    refreshing = true;
    fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        refreshing = false;
        if (!text) { return; }
        var doc = new DOMParser().parseFromString(text, "text/html");
        each("[data-live-region]", function (node) {
          var fresh = doc.querySelector('[data-live-region="' + node.getAttribute("data-live-region") + '"]');
          if (fresh && !node.contains(document.activeElement)) { node.innerHTML = fresh.innerHTML; }
          else if (fresh) {
            // Keep focus on the same control when it still exists.
            var focusedAction = document.activeElement && document.activeElement.form && document.activeElement.form.action;
            node.innerHTML = fresh.innerHTML;
            if (focusedAction) {
              var again = node.querySelector('form[action="' + new URL(focusedAction).pathname + '"] button');
              if (again) { again.focus(); }
            }
          }
        });
      })
      .catch(function () { refreshing = false; });
  }

  // --- Sending ---------------------------------------------------------------------------------

  function send(message, onAck, onError) {
    if (!socket || socket.readyState !== 1) { return false; }
    var id = "r" + (nextId++);
    message.id = id;
    var entry = { onAck: onAck, onError: onError };
    // No answer in time: the caller falls back to the form.
    entry.timer = window.setTimeout(function () {
      delete pending[id];
      if (onError) { onError(null); }
    }, 8000);
    pending[id] = entry;
    try { socket.send(JSON.stringify(message)); } catch (e) { window.clearTimeout(entry.timer); delete pending[id]; return false; }
    return true;
  }

  function answer(kind, payload) {
    var entry = payload && pending[payload.id];
    if (!entry) {
      if (kind === "error" && payload && payload.message) { say(assertive, payload.message); }
      return;
    }
    window.clearTimeout(entry.timer);
    delete pending[payload.id];
    if (kind === "ack" && entry.onAck) { entry.onAck(payload); }
    if (kind === "error" && entry.onError) { entry.onError(payload); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-ballot")) { return submitBallot(event, form); }
    var type = form.getAttribute("data-socket-type");
    if (!type) { return; }
    var message = { type: type };
    var fields = form.querySelectorAll("[data-socket-field]");
    for (var i = 0; i < fields.length; i++) {
      message[fields[i].getAttribute("data-socket-field")] = parseInt(fields[i].value, 10);
    }
    var sent = send(message, function () {
      if (page === "chair") { refreshChair(); }
    }, function (error) {
      if (error && error.message) { say(assertive, error.message); window.alert(error.message); }
      else { form.submit(); }
    });
    if (sent) { event.preventDefault(); }
  });

  function submitBallot(event, form) {
    var checked = form.querySelector("input[name=option]:checked");
    if (!checked) { return; }
    var feedback = form.querySelector("[data-ballot-feedback]");
    var proxy = form.getAttribute("data-for");
    var message = { type: "vote", motion: parseInt(form.getAttribute("data-motion"), 10), option: parseInt(checked.value, 10) };
    if (proxy) { message["for"] = parseInt(proxy, 10); }
    var sent = send(message, function (ack) {
      if (feedback) { feedback.textContent = S.voteSaved; }
      var p = me && me.participant;
      if (p) { p.votes = p.votes || {}; p.votes[String(ack["for"])] = ack.option; }
      var label = checked.nextElementSibling ? checked.nextElementSibling.textContent : "";
      var choice = form.querySelector("[data-current-choice]");
      if (choice) { setChoice(choice, label); }
      var button = form.querySelector("button");
      if (button) { button.textContent = S.changeVote; }
    }, function (error) {
      if (error && error.message) {
        if (feedback) { feedback.textContent = error.message; }
        say(assertive, error.message);
      } else {
        form.submit();  // no answer over the socket: the form still works
      }
    });
    if (sent) {
      event.preventDefault();
      if (feedback) { feedback.textContent = S.sending; }
    }
  }

  // --- The socket ------------------------------------------------------------------------------

  var lostSaid = false;
  function connect() {
    timer = null;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    try { socket = new WebSocket(scheme + window.location.host + path); } catch (e) { return retry(); }
    socket.onmessage = function (message) {
      var msg;
      try { msg = JSON.parse(message.data); } catch (e) { return; }
      if (!msg || !msg.event) { return; }
      var payload = msg.payload || {};
      if (msg.event === "assembly.snapshot") {
        // Every (re)connect brings the whole state back: nothing missed meanwhile is lost.
        retryDelay = 1000;
        if (lostSaid) { say(polite, S.connectionBack); lostSaid = false; }
        if (payload.me) { me = payload.me; meKey = ""; }
        state = null;
        apply(payload.state, true);
        if (page === "chair" && structureKey) { refreshChair(); }
        if (payload.me) { applyMe(payload.me); }
      } else if (msg.event === "assembly.state") {
        apply(payload, false);
      } else if (msg.event === "me.state") {
        applyMe(payload);
      } else if (msg.event === "motion.votes") {
        if (state && state.motion && state.motion.id === payload.motion && payload.votes_cast >= state.motion.votes_cast) {
          state.motion.votes_cast = payload.votes_cast;
          setText('[data-live="votes-cast"]', payload.votes_cast);
        }
      } else if (msg.event === "ack" || msg.event === "error") {
        answer(msg.event, payload);
      }
    };
    socket.onclose = function (event) {
      socket = null;
      for (var id in pending) {
        if (Object.prototype.hasOwnProperty.call(pending, id)) {
          window.clearTimeout(pending[id].timer);
          var entry = pending[id];
          delete pending[id];
          if (entry.onError) { entry.onError(null); }
        }
      }
      // 4401/4403: this page may not listen (logged out, access withdrawn): stop there.
      if (event && (event.code === 4401 || event.code === 4403)) { return; }
      if (!lostSaid) { say(polite, S.connectionLost); lostSaid = true; }
      retry();
    };
  }

  function retry() {
    if (timer !== null) { return; }
    // A growing delay with some randomness (phone asleep, network lost, server restarted).
    var delay = retryDelay + Math.floor(Math.random() * 500);
    retryDelay = Math.min(retryDelay * 2, 30000);
    timer = window.setTimeout(connect, delay);
  }

  connect();
})();
