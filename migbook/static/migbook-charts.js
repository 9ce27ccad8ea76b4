/* Draw every .migbook-chart on the page with the vendored Vega (no network).
   The build embeds each chart's Vega spec (compiled from its Vega-Lite spec by vl-convert), so
   vega.min.js alone draws it; a page still holding a Vega-Lite spec is drawn by vega-embed.
   If drawing fails, the chart's static PNG (made at build time) is shown instead. */
(function () {
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
    var vl = el.querySelector("script.migbook-spec");
    if (!view || el.dataset.rendered) return;
    function done() { el.dataset.rendered = "true"; }
    function fail(err) {
      el.dataset.rendered = "error";
      console.error("migbook chart", el.id, err);
      fallback(el, view);
    }
    try {
      if (vg && window.vega) {
        new vega.View(vega.parse(JSON.parse(vg.textContent)),
                      { renderer: "svg", container: view, hover: true })
          .runAsync().then(done, fail);
      } else if (vl && window.vegaEmbed) {
        vegaEmbed(view, JSON.parse(vl.textContent), {
          renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false }
        }).then(done, fail);
      } else {
        fail(new Error("no chart spec or no Vega script on this page"));
      }
    } catch (err) { fail(err); }
  }
  function draw() { document.querySelectorAll(".migbook-chart").forEach(drawOne); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
