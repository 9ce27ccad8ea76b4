"""The book's one chart theme, and the renderer that makes charts work with no network.

Importing :mod:`migbook` registers and enables both. Chapters only call :func:`figure`.

The renderer writes a chart as a ``<div class="migbook-chart">`` holding its Vega-Lite spec
(JSON), drawn in the browser by the vendored vega/vega-lite/vega-embed that the book's Sphinx
extension adds to pages with charts; the same output bundle carries a static PNG (made by
vl-convert) for places where HTML cannot run (a notebook viewer, a print-out).
"""
from __future__ import annotations

import base64
import hashlib
import html
import json

import altair as alt

#: Okabe–Ito palette: distinguishable with the common forms of colour blindness
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


@alt.theme.register("migbook", enable=True)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "view": {"continuousWidth": 560, "continuousHeight": 300, "stroke": None},
            "font": FONT,
            "range": {"category": PALETTE},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal",
                     "gridColor": "#e6e6e6"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "right"},
            "title": {"fontSize": 11, "fontWeight": "normal", "color": "#444", "anchor": "start"},
            "line": {"strokeWidth": 2.5, "point": True},
            "bar": {"color": PALETTE[0]},
        }
    }


def _spec_html(spec: dict) -> str:
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    chart_id = "chart-" + hashlib.sha1(text.encode()).hexdigest()[:12]
    desc = spec.get("description", "")
    safe_json = text.replace("</", "<\\/")
    return (f'<div class="migbook-chart" id="{chart_id}">'
            f'<div class="migbook-chart-view" role="img" aria-label="{html.escape(desc)}"></div>'
            f'<details class="migbook-chart-desc"><summary>Chart description</summary>'
            f'<p>{html.escape(desc)}</p></details>'
            f'<script type="application/json" class="migbook-spec">{safe_json}</script></div>')


def _png(spec: dict) -> str:
    import vl_convert as vlc

    return base64.b64encode(vlc.vegalite_to_png(spec, scale=2)).decode()


def render(spec: dict, **kwargs) -> dict:
    """Altair renderer: HTML drawn by local scripts + a static PNG fallback."""
    return {"text/html": _spec_html(spec), "image/png": _png(spec),
            "text/plain": f"<chart: {spec.get('description', '')}>"}


alt.renderers.register("migbook", render)
alt.renderers.enable("migbook")


def figure(chart: alt.TopLevelMixin, name: str, *, source: str, description: str):
    """Finish a chart for the book and glue it under ``name``.

    Adds the source line (below the chart) and the text description (for screen readers and
    the "Chart description" box); place it in prose with a ``{glue:figure}`` directive whose
    ``:name:`` is ``name``, and reference it with ``{numref}``.
    """
    from myst_nb import glue

    if not source.strip() or not description.strip():
        raise ValueError(f"figure {name!r}: every chart needs a source line and a description")
    chart = chart.properties(
        description=description,
        title=alt.Title(text=f"Source: {source}", orient="bottom", anchor="start",
                        fontSize=11, fontWeight="normal", color="#444", offset=12),
    )
    glue(name, chart, display=False)
    return chart
