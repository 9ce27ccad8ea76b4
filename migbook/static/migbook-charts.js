/* Draw every .migbook-chart on the page with the vendored vega-embed (no network). */
(function () {
  function draw() {
    document.querySelectorAll(".migbook-chart").forEach(function (el) {
      var view = el.querySelector(".migbook-chart-view");
      var specNode = el.querySelector("script.migbook-spec");
      if (!view || !specNode || el.dataset.rendered) return;
      var spec = JSON.parse(specNode.textContent);
      vegaEmbed(view, spec, {
        renderer: "svg",
        actions: { export: true, source: false, compiled: false, editor: false }
      }).then(function () { el.dataset.rendered = "true"; })
        .catch(function (err) { el.dataset.rendered = "error"; console.error("migbook chart", el.id, err); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
