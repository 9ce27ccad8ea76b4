/* Tables on narrow screens (migbook.sphinx.assets loads this on pages with a table; styles in
   migbook.css). On every width, a column with no text in any body cell is not shown. Where a
   table is wider than the text column (below 700 px):
   - a list of claims or rules (.migbook-claims, .migbook-rules) becomes one card per row, each
     cell labelled with its column's header, empty cells left out (as the report's cards);
   - any other table scrolls sideways in its own box: its caption stays whole above it, its first
     column stays in view, a line above the table says that it scrolls and how many columns it
     has, and the box takes keyboard focus so that it can be scrolled without a pointer.
   The report's table has cards of its own (migbook-report.js) and is left alone. */
(function () {
  "use strict";
  var NARROW = window.matchMedia("(max-width: 700px)");
  var CARDS = ".migbook-claims, .migbook-rules";
  function rows(table) {
    return Array.prototype.slice.call(table.rows);
  }
  function simple(table) {
    return !table.querySelector("[colspan]:not([colspan='1']), [rowspan]:not([rowspan='1'])");
  }
  /* the header text of each column: the last header row's cells */
  function headers(table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    return head ? Array.prototype.map.call(head.cells, function (c) {
      return c.textContent.replace(/\s+/g, " ").trim();
    }) : [];
  }
  function hideEmptyColumns(table) {
    if (!simple(table) || !table.tBodies.length) return;
    var body = [];
    Array.prototype.forEach.call(table.tBodies, function (b) { body = body.concat(rows(b)); });
    if (body.length < 2) return;
    var width = body[0].cells.length;
    for (var j = 1; j < width; j++) {
      var empty = body.every(function (r) {
        return r.cells.length === width && !r.cells[j].textContent.trim();
      });
      if (!empty) continue;
      rows(table).forEach(function (r) {
        if (r.cells.length === width) r.cells[j].classList.add("migbook-empty-col");
      });
    }
  }
  function labelCells(table) {
    var names = headers(table);
    if (!names.length || !simple(table)) return;
    Array.prototype.forEach.call(table.tBodies, function (b) {
      rows(b).forEach(function (r) {
        Array.prototype.forEach.call(r.cells, function (c, j) {
          if (!c.hasAttribute("data-label") && names[j]) c.setAttribute("data-label", names[j]);
        });
      });
    });
  }
  function shownColumns(table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    var row = head || table.rows[0];
    return row ? Array.prototype.filter.call(row.cells, function (c) {
      return !c.classList.contains("migbook-empty-col");
    }).length : 0;
  }
  function cue(table) {
    var prev = table.previousElementSibling;
    if (prev && prev.classList.contains("migbook-scroll-cue")) return prev;
    var p = document.createElement("p");
    p.className = "migbook-scroll-cue";
    p.setAttribute("aria-hidden", "true");  // the table itself is announced with its columns
    table.parentNode.insertBefore(p, table);
    return p;
  }
  var tables = [];
  function update() {
    tables.forEach(function (t) {
      var cards = t.matches(CARDS);
      t.classList.toggle("migbook-cards", NARROW.matches && cards);
      t.classList.toggle("migbook-scrolls", NARROW.matches && !cards);
      var over = NARROW.matches && !cards && t.scrollWidth > t.clientWidth + 1;
      t.classList.toggle("migbook-overflows", over);
      if (over) {
        cue(t).textContent = "\u2194 Wider than the screen: swipe or scroll the table sideways to see all " +
          shownColumns(t) + " columns.";
        if (!t.hasAttribute("tabindex")) { t.setAttribute("tabindex", "0"); t.dataset.migbookTab = "1"; }
      } else {
        var prev = t.previousElementSibling;
        if (prev && prev.classList.contains("migbook-scroll-cue")) prev.remove();
        if (t.dataset.migbookTab) { t.removeAttribute("tabindex"); delete t.dataset.migbookTab; }
      }
    });
  }
  function setup() {
    tables = Array.prototype.filter.call(
      document.querySelectorAll("article table"),
      function (t) { return !t.closest(".migbook-report") && !t.matches(".migbook-summary"); });
    tables.forEach(function (t) {
      hideEmptyColumns(t);
      if (t.matches(CARDS)) labelCells(t);
    });
    update();
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(update, 150);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
