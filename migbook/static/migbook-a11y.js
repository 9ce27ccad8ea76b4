/* Accessibility of the theme's own markup (migbook.sphinx.assets), found by axe-core:
   the book's title and logo at the top of the left sidebar sit outside every landmark
   (axe "region"); they are the link to the book's front page, so they become a navigation
   landmark of their own.
   A chart scrolls sideways in its own box on a phone (migbook.css): the box must be reachable by
   keyboard to be scrolled without a pointer (axe "scrollable-region-focusable"), so every chart's
   view is focusable (it carries the chart's aria-label, which a screen reader then reads). */
(function () {
  "use strict";
  function setup() {
    document.querySelectorAll(".migbook-chart-view").forEach(function (el) {
      if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
    });
    document.querySelectorAll(".sidebar-primary-item").forEach(function (el) {
      if (el.querySelector("a.navbar-brand") && !el.closest("nav, [role]")) {
        el.setAttribute("role", "navigation");
        el.setAttribute("aria-label", "Book title");
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
