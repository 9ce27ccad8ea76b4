/* Draw every .migbook-chart on the page with the vendored Vega (no network).
   The build embeds each chart's Vega spec (compiled from its Vega-Lite spec by vl-convert), so
   vega.min.js alone draws it; and a second spec for narrow screens (migbook.sphinx.chart_render
   .narrow_spec: width from its container, legend below, panels stacked), drawn where the chart's
   own width (data-width, the size of its images) does not fit its box. Turning a phone or
   resizing the window draws the chart again when the other spec fits better.
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
  /* "narrow" where the chart's own width does not fit its box (a chart a few per cent too wide
     is drawn a little smaller: its labels stay above 11 px) and a narrow spec exists */
  var SHRINK = 0.92;
  function variant(el, view) {
    var own = +el.dataset.width || 0;
    return el.querySelector("script.migbook-vega-narrow") && own && view.clientWidth < own * SHRINK
      ? "narrow" : "wide";
  }
  function drawOne(el) {
    var view = el.querySelector(".migbook-chart-view");
    if (!view || el.dataset.rendered || el.dataset.drawing) return;
    el.dataset.drawing = "true";
    var which = variant(el, view);
    var vg = el.querySelector(which === "narrow" ? "script.migbook-vega-narrow" : "script.migbook-vega");
    function done(drawn) {
      el.migbookView = drawn;
      el.dataset.variant = which;
      el.dataset.rendered = "true";
      delete el.dataset.drawing;
    }
    function fail(err) {
      el.dataset.rendered = "error";
      delete el.dataset.drawing;
      console.error("migbook chart", el.id, err);
      fallback(el, view);
    }
    scripts().then(function () {
      if (!vg || !window.vega) throw new Error("no chart spec or no Vega script on this page");
      return new vega.View(vega.parse(JSON.parse(vg.textContent)),
                           { renderer: "svg", container: view, hover: true }).runAsync();
    }).then(done, fail);
  }
  function redrawWhereNeeded() {
    document.querySelectorAll('.migbook-chart[data-rendered="true"]').forEach(function (el) {
      var view = el.querySelector(".migbook-chart-view");
      if (!view || variant(el, view) === el.dataset.variant) return;
      if (el.migbookView) el.migbookView.finalize();
      view.replaceChildren();
      delete el.dataset.rendered;
      drawOne(el);
    });
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
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(redrawWhereNeeded, 200);
    });
    window.addEventListener("beforeprint", function () {
      charts.forEach(function (el) {
        if (!el.dataset.rendered) { el.dataset.rendered = "static"; fallback(el, el.querySelector(".migbook-chart-view")); }
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
