"""Assets: the book's CSS and scripts, served only where a page needs them, and a lighter page.

- ``migbook.css`` on every page; ``migbook-charts.js`` (which fetches the vendored vega when a
  chart nears the viewport) only on pages with a chart; ``migbook-report.js`` only on the report;
  ``migbook-tables.js`` (tables on narrow screens: scrolling with a cue, or cards) on pages with
  a table.
- The theme loads Font Awesome twice: as a web font through its CSS (which draws every icon the
  theme shows) and as a 1.5 MB script that replaces the same icons by inline SVG. The script is
  replaced by an empty file of the same name (``static/scripts/fontawesome.js``, copied over the
  theme's file); the icons still show, from the font. sphinx-design's CSS and JS are loaded only
  on pages that use sphinx-design; sphinx-thebe's nowhere (the book runs no live kernels).
- Every header cell of a table gets ``scope`` if it lacks one (``col`` in the head, ``row`` in the
  body): tables written in MyST, DataFrames shown by code cells, the back matter's lists.
- Accessibility fixes of markup the book does not write (axe-core, ``tests/test_browser.py``):
  docutils marks each entry of a citation list ``role="doc-biblioentry"``, a role ARIA 1.2
  deprecates and axe refuses inside ``role="list"``: the entries become ``listitem``; the
  theme's sidebar title gets a landmark (``static/migbook-a11y.js``).
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx

STATIC = Path(__file__).resolve().parents[1] / "static"
DESIGN_ASSETS = ("sphinx-design", "design-tabs.js")
THEBE_ASSETS = ("thebe", "THEBE")
SD_CLASS_RE = re.compile(r'class="(?:[^"]*\s)?sd-')


def _asset_name(asset) -> str:
    """A script's or stylesheet's file name, or the text of an inline script."""
    return str(
        getattr(asset, "filename", None)
        or getattr(asset, "attributes", {}).get("body", "")
        or asset
    )


def _drop_assets(context, needles) -> None:
    """Remove, in place (later add_js_file calls append to these lists), the page's scripts and
    stylesheets whose name or inline text contains one of ``needles``."""
    for key in ("script_files", "css_files"):
        if key in context:
            context[key][:] = [
                a
                for a in context[key]
                if not any(n in _asset_name(a) for n in needles)
            ]


TH_NO_SCOPE = re.compile(r"<th\b(?![^>]*\bscope=)")
#: a header cell with no text (the corner cell of a DataFrame): screen readers get a label
EMPTY_TH = re.compile(r"(<th\b[^>]*>)\s*</th>")
TABLE_PART = re.compile(
    r"(<thead\b.*?</thead>)|(<tbody\b.*?</tbody>)", re.S
)


def _add_scopes(body: str) -> str:
    """``scope`` on every header cell that lacks one: ``col`` in a table's head, ``row`` in its
    body (docutils tables, pandas DataFrames shown by code cells, pages of other extensions);
    an empty header cell gets a label for screen readers."""

    def part(m: re.Match) -> str:
        return TH_NO_SCOPE.sub(
            '<th scope="col"' if m[1] else '<th scope="row"', m[0]
        )

    if "<th" not in body:
        return body
    return EMPTY_TH.sub(
        r'\1<span class="visually-hidden">row label</span></th>',
        TABLE_PART.sub(part, body),
    )


BIBLIOENTRY = 'role="doc-biblioentry"'


def _fix_roles(body: str) -> str:
    """Entries of a citation list (``<div role="list">``) as ``listitem`` (was the deprecated
    ``doc-biblioentry``, which also leaves the list with no valid item for axe)."""
    return body.replace(BIBLIOENTRY, 'role="listitem"')


def page_context(app: Sphinx, pagename, templatename, context, doctree):
    if app.builder.format != "html":
        return
    _drop_assets(context, THEBE_ASSETS)  # every page, search and index too
    body = context.get("body")
    if body is None:
        return
    if 'class="migbook-chart"' in body:
        vendor = context["pathto"]("_static/vendor/", 1)
        app.add_js_file(
            "migbook-charts.js", priority=600, **{"data-vendor": vendor}
        )
    if "migbook-report" in body:
        app.add_js_file("migbook-report.js", priority=650)
    if "<table" in body:
        app.add_js_file("migbook-tables.js", loading_method="defer")
    if not SD_CLASS_RE.search(body):
        _drop_assets(context, DESIGN_ASSETS)
    context["body"] = _fix_roles(_add_scopes(body))


def _on_config_inited(app: Sphinx, config) -> None:
    config.html_static_path = list(config.html_static_path) + [str(STATIC)]
    app.add_css_file("migbook.css")
    app.add_js_file("migbook-a11y.js", loading_method="defer")


def setup_assets(app: Sphinx) -> None:
    app.connect("config-inited", _on_config_inited)
