// Small behaviours of the pages, bound from data attributes: the Content-Security-Policy
// (cems/core/middleware.py) allows no inline script and no on* attribute.
//   <button type="button" data-print>            prints the page
//   <input type="checkbox" data-tick-all="SEL">  ticks or clears every enabled box of SEL
(function () {
  "use strict";
  function bind() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-tick-all]").forEach(function (master) {
      master.addEventListener("change", function () {
        document.querySelectorAll(master.dataset.tickAll).forEach(function (box) {
          if (!box.disabled) { box.checked = master.checked; }
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bind);
  } else {
    bind();
  }
})();
