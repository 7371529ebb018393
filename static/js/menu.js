// The site menu (a <details> in base.html) works without this file. It adds two things:
// Escape closes the menu and gives the focus back to its button, and on wide screens it
// opens the menu in browsers that do not know the ::details-content selector of site.css.
(function () {
  var menu = document.querySelector("[data-site-menu]");
  if (!menu) return;
  var button = menu.querySelector("summary");
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open && getComputedStyle(button).display !== "none") {
      menu.open = false;
      button.focus();
    }
  });
  var cssShowsIt = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (cssShowsIt || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 64em)");
  function follow() { menu.open = wide.matches; }
  follow();
  if (wide.addEventListener) wide.addEventListener("change", follow);
})();
