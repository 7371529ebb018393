// Staff pages (volunteering/staff/base.html): the "Print" buttons, shown only when they work.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
