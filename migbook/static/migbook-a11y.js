/* Accessibility of the theme's own markup (migbook.sphinx.assets), found by axe-core:
   the book's title and logo at the top of the left sidebar sit outside every landmark
   (axe "region"); they are the link to the book's front page, so they become a navigation
   landmark of their own. */
(function () {
  "use strict";
  function setup() {
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
