"""The book's one chart theme, and the renderer that makes charts work with no network.

Importing :mod:`migbook` registers and enables both. Chapters only call :func:`figure`.

The renderer outputs a chart as its Vega-Lite spec under its own mime type (:data:`CHART_MIME`).
The book's Sphinx extension (:mod:`migbook.sphinx.chart_render`, a myst-nb mime renderer) turns it into a
chart drawn in the browser by the vendored Vega, and makes its static PNG and SVG at build time with
vl-convert:
they are the chart's downloads, its no-script fallback, and the image attached to the published
notebook. The kernel makes no image: starting vl-convert costs about a second per notebook, and
the build makes each chart's images once (cached by the spec's hash) instead.
"""

from __future__ import annotations

import altair as alt

from migbook.render import CHART_MIME, chart_id  # noqa: F401 (re-exported)

#: Okabe–Ito palette: distinguishable with the common forms of colour blindness
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
]
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


@alt.theme.register("migbook", enable=True)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "view": {
                "continuousWidth": 560,
                "continuousHeight": 300,
                "stroke": None,
            },
            "font": FONT,
            "range": {"category": PALETTE},
            "mark": {
                "color": PALETTE[0]
            },  # marks with no colour encoding (text and rules stay black)
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "titleFontWeight": "normal",
                "gridColor": "#e6e6e6",
            },
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "orient": "right",
            },
            "title": {
                "fontSize": 11,
                "fontWeight": "normal",
                "color": "#444",
                "anchor": "start",
            },
            "line": {"strokeWidth": 2.5, "point": True},
            "bar": {"color": PALETTE[0]},
        }
    }


def render(spec: dict, **kwargs) -> dict:
    """Altair renderer: the chart's Vega-Lite spec under :data:`CHART_MIME` (the book draws it
    and makes its images at build time) and its description as text."""
    return {
        CHART_MIME: spec,
        "text/plain": f"<chart: {spec.get('description', '')}>",
    }


alt.renderers.register("migbook", render)
alt.renderers.enable("migbook")


def figure(
    chart: alt.TopLevelMixin, name: str, *, source: str, description: str
):
    """Finish a chart for the book and glue it under ``name``.

    Adds the source line (below the chart) and the text description (for screen readers and
    the "Chart description" box); place it in prose with a ``{glue:figure}`` directive whose
    ``:name:`` is ``name``, and reference it with ``{numref}``.
    """
    from myst_nb import glue

    if not source.strip() or not description.strip():
        raise ValueError(
            f"figure {name!r}: every chart needs a source line and a description"
        )
    chart = chart.properties(
        name=name,  # the build names the chart's download files after it
        description=description,
        title=alt.Title(
            text=f"Source: {source}",
            orient="bottom",
            anchor="start",
            fontSize=11,
            fontWeight="normal",
            color="#444",
            offset=12,
        ),
    )
    glue(name, chart, display=False)
    return chart
