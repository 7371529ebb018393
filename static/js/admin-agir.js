/* The Régie's staff lists under /admin/agir/ (actions, shifts, roster, statistics,
 * certificates) on a phone: each table becomes stacked rows (static/css/admin-agir.css),
 * each cell labelled with its column's heading, so that nothing is cut off at 320 px.
 * Loaded on every admin page by civic/volunteering/wagtail_hooks.py; acts on /admin/agir/
 * only. Without it the tables keep their columns.
 */
(function () {
  "use strict";
  if (!/^\/admin\/agir\//.test(window.location.pathname)) return;

  function label(th) {
    if (!th) return "";
    return (th.textContent || "").replace(/\s+/g, " ").trim();
  }

  function stack(table) {
    var headings = Array.prototype.map.call(
      table.querySelectorAll("thead tr:first-child > th, thead tr:first-child > td"),
      label
    );
    table.classList.add("qc-stack");
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        var text = headings[column] || "";
        if (text && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", text);
        column += cell.colSpan || 1;
      });
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("main table.listing"), stack);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  // Wagtail reloads a listing's rows in place (search, filters, sorting).
  document.addEventListener("w-swap:success", start);
})();
