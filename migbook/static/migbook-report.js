/* Sort and filter the reproducibility report table. */
(function () {
  function init() {
    var table = document.querySelector("table.migbook-report");
    if (!table) return;
    var tbody = table.tBodies[0];
    var text = document.querySelector(".migbook-filter-text");
    var status = document.querySelector(".migbook-filter-status");
    var chapter = document.querySelector(".migbook-filter-chapter");
    var count = document.querySelector(".migbook-filter-count");
    function apply() {
      var q = (text.value || "").toLowerCase(), s = status.value, c = chapter.value, n = 0;
      Array.prototype.forEach.call(tbody.rows, function (tr) {
        var ok = (!s || tr.dataset.status === s) && (!c || tr.dataset.chapter === c) &&
          (!q || tr.textContent.toLowerCase().indexOf(q) >= 0);
        tr.hidden = !ok; if (ok) n++;
      });
      count.textContent = n + " claims";
    }
    [text, status, chapter].forEach(function (el) { el.addEventListener("input", apply); });
    table.querySelectorAll("button.migbook-sort").forEach(function (btn, col) {
      btn.addEventListener("click", function () {
        var asc = btn.dataset.order !== "asc";
        table.querySelectorAll("button.migbook-sort").forEach(function (b) { delete b.dataset.order; b.parentNode.removeAttribute("aria-sort"); });
        btn.dataset.order = asc ? "asc" : "desc";
        btn.parentNode.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(tbody.rows);
        function key(tr) {
          var cell = tr.cells[col], v = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
          var x = parseFloat(v); return isNaN(x) || cell.dataset.sort === undefined ? v.toLowerCase() : x;
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (typeof x !== typeof y) { x = String(x); y = String(y); }
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (tr) { tbody.appendChild(tr); });
      });
    });
    if (location.hash) { var t = document.getElementById(location.hash.slice(1)); if (t) t.classList.add("migbook-target"); }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
