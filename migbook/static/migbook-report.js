/* Sort and filter the reproducibility report: one <tbody class="migbook-claim"> per claim. */
(function () {
  function init() {
    var table = document.querySelector("table.migbook-report");
    if (!table) return;
    var claims = Array.prototype.slice.call(table.tBodies);
    var text = document.querySelector(".migbook-filter-text");
    var status = document.querySelector(".migbook-filter-status");
    var chapter = document.querySelector(".migbook-filter-chapter");
    var count = document.querySelector(".migbook-filter-count");
    /* what each row shows: its main line and the note, chapter and basis under it, not the text
       of the closed "Cite this figure" box (which names the book on every row) */
    function shown(tb) {
      return Array.prototype.map.call(
        tb.querySelectorAll(".migbook-claim-main, .migbook-claim-detail > td > p"),
        function (el) { return el.textContent; }
      ).join(" ").toLowerCase().replace(/,/g, "");
    }
    claims.forEach(function (tb) { tb.migbookShown = shown(tb); });
    function apply() {
      var q = (text.value || "").toLowerCase().replace(/,/g, ""), s = status.value, c = chapter.value, n = 0;
      claims.forEach(function (tb) {
        var ok = (!s || tb.dataset.status === s) && (!c || tb.dataset.chapter === c) &&
          (!q || tb.migbookShown.indexOf(q) >= 0);
        tb.hidden = !ok; if (ok) n++;
      });
      count.textContent = n + (n === 1 ? " claim" : " claims") + " of " + claims.length;
    }
    [text, status, chapter].forEach(function (el) { el.addEventListener("input", apply); });
    var buttons = table.querySelectorAll("button.migbook-sort");
    buttons.forEach(function (btn, col) {
      btn.addEventListener("click", function () {
        var asc = btn.dataset.order !== "asc";
        buttons.forEach(function (b) { delete b.dataset.order; b.parentNode.removeAttribute("aria-sort"); });
        btn.dataset.order = asc ? "asc" : "desc";
        btn.parentNode.setAttribute("aria-sort", asc ? "ascending" : "descending");
        function key(tb) {
          var cell = tb.rows[0].cells[col];
          if (cell.dataset.sort !== undefined) {
            var x = parseFloat(cell.dataset.sort);
            return isNaN(x) ? Infinity : x;
          }
          return cell.textContent.trim().toLowerCase();
        }
        claims.sort(function (a, b) {
          var x = key(a), y = key(b);
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        claims.forEach(function (tb) { table.appendChild(tb); });
      });
    });
    function mark() {
      claims.forEach(function (tb) { tb.classList.remove("migbook-target"); });
      var t = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (t && t.classList.contains("migbook-claim")) t.classList.add("migbook-target");
    }
    window.addEventListener("hashchange", mark);
    mark();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
