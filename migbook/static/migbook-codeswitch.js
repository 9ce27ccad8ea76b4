/* "Hide code" switch (migbook.sphinx.publication): on a page that shows code cells, a button in the page
   header hides or shows every code cell's input; the choice is remembered in this browser
   (localStorage "migbook-hide-code") and applies to every page. Outputs (tables, charts, badges)
   always stay. The class is set on <html> before the page draws, so code never flashes. */
(function () {
  "use strict";
  var KEY = "migbook-hide-code";
  var root = document.documentElement;
  function stored() { try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; } }
  function store(on) { try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode */ } }
  function apply(on, button) {
    root.classList.toggle("migbook-hide-code", on);
    if (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "Show code" : "Hide code";
      button.title = on ? "Show the code cells of every page" : "Hide the code cells of every page (outputs stay)";
    }
  }
  apply(stored(), null);
  function setup() {
    if (!document.querySelector(".cell .cell_input")) return;  // a page without code
    var button = document.createElement("button");
    button.type = "button";
    button.className = "migbook-code-toggle btn btn-sm";
    button.id = "migbook-code-toggle";
    button.addEventListener("click", function () {
      var on = !root.classList.contains("migbook-hide-code");
      store(on);
      apply(on, button);
    });
    var place = document.querySelector(".article-header-buttons");
    if (place) place.insertBefore(button, place.firstChild);
    else (document.querySelector("article") || document.body).prepend(button);
    apply(stored(), button);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
