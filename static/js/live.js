/* Live news on the home page. The page works without it: this only adds new articles
   as they are published, and says so to screen readers through the status region. */
(function () {
  "use strict";
  var script = document.currentScript;
  var list = document.querySelector("[data-live-news]");
  var status = document.getElementById("live-status");
  if (!script || !list || !("WebSocket" in window)) { return; }

  var path = script.dataset.socketPath;
  var newLabel = script.dataset.newLabel;
  var announceLabel = script.dataset.announceLabel;
  var retryDelay = 1000;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }  // textContent: payloads are never parsed as HTML
    if (className) { node.className = className; }
    return node;
  }

  function addArticle(article) {
    if (document.getElementById("news-" + article.id)) { return; }
    var empty = list.querySelector(".empty");
    if (empty) { empty.remove(); }
    var item = el("li", null, "card is-new");
    item.id = "news-" + article.id;
    var body = el("article");
    var title = el("h3");
    var link = el("a", article.title);
    link.href = article.url;
    title.appendChild(link);
    var meta = el("p", null, "meta");
    meta.appendChild(el("span", newLabel, "badge"));
    var time = el("time", article.date_display);
    time.setAttribute("datetime", article.date);
    meta.appendChild(time);
    if (article.neighbourhood) { meta.appendChild(document.createTextNode(" · " + article.neighbourhood)); }
    body.appendChild(title);
    body.appendChild(meta);
    body.appendChild(el("p", article.lead));
    item.appendChild(body);
    list.insertBefore(item, list.firstChild);
    if (status) { status.textContent = announceLabel + " " + article.title; }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + path);
    socket.onopen = function () { retryDelay = 1000; };
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
