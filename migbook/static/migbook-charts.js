/* Draw every .migbook-chart on the page with the vendored Vega (no network).
   The build embeds each chart's Vega spec (compiled from its Vega-Lite spec by vl-convert), so
   vega.min.js alone draws it.
   Vega (half a megabyte) is fetched only when a chart comes near the viewport, so a reader who
   never scrolls to a chart never downloads it. If drawing fails, or the page is printed before a
   chart was drawn, the chart's static PNG (made at build time) is shown instead. */
(function () {
  var me = document.currentScript;
  var base = (me && me.dataset.vendor) || "_static/vendor/";
  var loading = {};
  function load(name) {
    if (!loading[name]) {
      loading[name] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = base + name;
        s.onload = resolve;
        s.onerror = function () { reject(new Error("cannot load " + s.src)); };
        document.head.appendChild(s);
      });
    }
    return loading[name];
  }
  function scripts() {
    return window.vega ? Promise.resolve() : load("vega.min.js");
  }
  function fallback(el, view) {
    var src = el.dataset.static;
    if (!src || !view) return;
    var img = document.createElement("img");
    img.className = "migbook-chart-static";
    img.src = src;
    img.alt = view.getAttribute("aria-label") || "";
    if (el.dataset.width) img.width = +el.dataset.width;
    view.replaceChildren(img);
  }
  function drawOne(el) {
    var view = el.querySelector(".migbook-chart-view");
    var vg = el.querySelector("script.migbook-vega");
    if (!view || el.dataset.rendered || el.dataset.drawing) return;
    el.dataset.drawing = "true";
    function done() { el.dataset.rendered = "true"; }
    function fail(err) {
      el.dataset.rendered = "error";
      console.error("migbook chart", el.id, err);
      fallback(el, view);
    }
    scripts().then(function () {
      if (!vg || !window.vega) throw new Error("no chart spec or no Vega script on this page");
      return new vega.View(vega.parse(JSON.parse(vg.textContent)),
                           { renderer: "svg", container: view, hover: true }).runAsync();
    }).then(done, fail);
  }
  function draw() {
    var charts = document.querySelectorAll(".migbook-chart");
    if (!("IntersectionObserver" in window)) { charts.forEach(drawOne); return; }
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { io.unobserve(e.target); drawOne(e.target); }
      });
    }, { rootMargin: "800px 0px" });
    charts.forEach(function (el) { io.observe(el); });
    window.addEventListener("beforeprint", function () {
      charts.forEach(function (el) {
        if (!el.dataset.rendered) { el.dataset.rendered = "static"; fallback(el, el.querySelector(".migbook-chart-view")); }
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
