/* Live news on the home page. The page works without it: this only adds new articles
   as they are published, and says so to screen readers through the status region.
   After a lost connection it catches up with what was published meanwhile (/api/news/). */
(function () {
  "use strict";
  var script = document.currentScript;
  var list = document.querySelector("[data-live-news]");
  var status = document.getElementById("live-status");
  if (!script || !list || !("WebSocket" in window)) { return; }

  var path = script.dataset.socketPath;
  var resyncUrl = script.dataset.resyncUrl || "/api/news/?page_size=5";
  var newLabel = script.dataset.newLabel;
  var announceLabel = script.dataset.announceLabel;
  var lang = document.documentElement.lang || "fr";
  var retryDelay = 1000;
  var connectedBefore = false;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }  // textContent: payloads are never parsed as HTML
    if (className) { node.className = className; }
    return node;
  }

  // "2025-05-04" → "4 mai 2025" in the page's language, like the cards rendered by Django.
  function formatDate(iso) {
    try {
      return new Intl.DateTimeFormat(lang, {
        day: "numeric", month: "long", year: "numeric", timeZone: "UTC"
      }).format(new Date(iso + "T00:00:00Z"));
    } catch (e) {
      return iso;
    }
  }

  function pathOf(url) {
    try { return new URL(url, window.location.href).pathname; } catch (e) { return url; }
  }

  // Already on the page? Cards added here carry the id; cards rendered by Django are
  // recognised by their link (the API gives full URLs, the page relative ones).
  function isShown(article) {
    if (document.getElementById("news-" + article.id)) { return true; }
    var target = pathOf(article.url);
    var links = list.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      if (pathOf(links[i].getAttribute("href")) === target) { return true; }
    }
    return false;
  }

  // ``article``: a "news.published" payload, or an item of /api/news/ (neighbourhood object).
  function addArticle(article) {
    if (!article || !article.url || isShown(article)) { return; }
    var empty = list.querySelector(".empty");
    if (empty) { empty.remove(); }
    var neighbourhood = article.neighbourhood;
    if (neighbourhood && typeof neighbourhood === "object") { neighbourhood = neighbourhood.name; }
    var item = el("li", null, "card is-new");
    item.id = "news-" + article.id;
    var body = el("article");
    var title = el("h3");
    var link = el("a", article.title);
    link.href = article.url;
    title.appendChild(link);
    var meta = el("p", null, "meta");
    meta.appendChild(el("span", newLabel, "badge"));
    var time = el("time", formatDate(article.date));
    time.setAttribute("datetime", article.date);
    meta.appendChild(time);
    if (neighbourhood) { meta.appendChild(document.createTextNode(" · " + neighbourhood)); }
    body.appendChild(title);
    body.appendChild(meta);
    body.appendChild(el("p", article.lead));
    item.appendChild(body);
    list.insertBefore(item, list.firstChild);
    if (status) { status.textContent = announceLabel + " " + article.title; }
  }

  // Events sent while the socket was down are lost: ask for the latest articles instead.
  function resync() {
    if (!window.fetch) { return; }
    fetch(resyncUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        var articles = (data && data.results) || [];
        // Newest first from the API: add the oldest first so the newest ends on top.
        for (var i = articles.length - 1; i >= 0; i--) { addArticle(articles[i]); }
      })
      .catch(function () { /* offline again: the next reconnect retries */ });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + path);
    socket.onopen = function () {
      retryDelay = 1000;
      if (connectedBefore) { resync(); }
      connectedBefore = true;
    };
    socket.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (data.event === "news.published") { addArticle(data.payload); }
    };
    socket.onclose = function () {
      // Reconnect with a growing delay (phone locked, network lost, server restarted).
      window.setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    };
  }
  connect();
})();
