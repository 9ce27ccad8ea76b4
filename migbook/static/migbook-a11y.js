/* Accessibility of the theme's own markup (migbook.sphinx.assets), found by axe-core:
   the book's title and logo at the top of the left sidebar sit outside every landmark
   (axe "region"); they are the link to the book's front page, so they become a navigation
   landmark of their own.
   A claim's badge links to its row of the report, which links the rule that decided it: the
   badge's own rule link ("[rule]") stays a link for a pointer but leaves the Tab order, so a
   keyboard reader meets one stop per badge instead of two. A badge whose note folds ("note",
   a <details>) is one stop too: the fold's toggle; the badge's link to its report row leaves
   the Tab order and is repeated inside the fold, where the keyboard reaches it once the note
   is open. */
(function () {
  "use strict";
  function setup() {
    document.querySelectorAll(".claim-check > a.claim-rule").forEach(function (el) {
      if (el.parentElement.querySelector("a.claim-badge")) el.setAttribute("tabindex", "-1");
    });
    document.querySelectorAll(".claim-check").forEach(function (el) {
      var badge = el.querySelector(":scope > a.claim-badge");
      var fold = el.querySelector(":scope > details.claim-details");
      if (!badge || !fold || fold.querySelector("a.claim-report-link")) return;
      badge.setAttribute("tabindex", "-1");
      var link = document.createElement("a");
      link.className = "claim-report-link";
      link.href = badge.getAttribute("href");
      link.textContent = "This claim in the report.";
      fold.appendChild(document.createTextNode(" "));
      fold.appendChild(link);
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
