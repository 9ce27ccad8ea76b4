"""The published site: downloads, static fallbacks, accessibility details and a lighter page.

Registered by :mod:`migbook.sphinxext` (``site.setup(app)``). Everything here happens at build
time, with no network and no clock, and writes the same bytes on every run.

Charts
    The renderer (:mod:`migbook.charts`) puts a chart's Vega-Lite spec in the page. For every
    chart on a page this module writes, once per spec (the chart id is a hash of the spec),
    ``_charts/<chart-id>.png``, ``.svg`` (drawn by vl-convert), ``.csv`` (the chart's data) and
    ``.vl.json`` (the spec); it adds the download links under the chart and a
    ``<noscript><img></noscript>`` fallback, and replaces the embedded Vega-Lite spec by the
    Vega spec vl-convert compiles from it. The page then needs only ``vega.min.js`` to draw
    (not vega-lite and vega-embed: about 310 kB less on every page with a chart).

Notebooks
    A chapter's executed notebook (written by myst-nb into its output folder) is published as
    ``_sources/<docname>.ipynb``: the theme's download menu offers it, and a line at the end of
    the page links it. Its charts carry their static PNG (the kernel makes none, see
    :mod:`migbook.charts`): beside the HTML of a chart a code cell shows, and, for a glued figure,
    attached to the markdown cell that places it with ``{glue:figure}`` and shown right after
    the directive; so the figures show in any notebook viewer, without JavaScript.

Accessibility
    Every header cell of a table gets ``scope`` if it lacks one (``col`` in the head, ``row`` in
    the body): tables written in MyST, DataFrames shown by code cells, the back matter's lists.
    Badges carry their status as text (:mod:`migbook.claims`).

Page weight
    The theme loads Font Awesome twice: as a web font through its CSS (which draws every icon
    the theme shows) and as a 1.5 MB script that replaces the same icons by inline SVG. The
    script is replaced by an empty file of the same name (``static/scripts/fontawesome.js``,
    copied over the theme's file); the icons still show, from the font. sphinx-design's CSS and
    JS are loaded only on pages that use sphinx-design.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

CHARTS_DIR = "_charts"
#: a chart as the renderer writes it (see migbook.charts._spec_html)
CHART_RE = re.compile(
    r'<div class="migbook-chart" id="(?P<id>chart-[0-9a-f]{12})">(?P<inner>.*?)'
    r'<script type="application/json" class="migbook-spec">(?P<spec>.*?)</script></div>',
    re.S,
)
VIEW_OPEN = '<div class="migbook-chart-view"'
DESIGN_ASSETS = ("sphinx-design", "design-tabs.js")
THEBE_ASSETS = ("thebe", "THEBE")
SD_CLASS_RE = re.compile(r'class="(?:[^"]*\s)?sd-')
GLUE_FIGURE_RE = re.compile(
    r"^(?P<fence>:{3,}|`{3,})\{glue(?::figure)?\}[ \t]+(?P<key>[^\s`]+)[ \t]*$",
    re.M,
)


# --------------------------------------------------------------------------- charts
def vl_version() -> str:
    """The Vega-Lite version the charts are written for (Altair's schema), as ``"6.4"``."""
    import altair as alt

    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def chart_data_csv(spec: dict) -> str:
    """The data a chart draws, as CSV (one dataset; several get a leading ``dataset`` column)."""
    sets: list[tuple[str, list]] = list(
        (spec.get("datasets") or {}).items()
    )
    inline = (spec.get("data") or {}).get("values")
    if isinstance(inline, list):
        sets.append(("values", inline))
    columns: list[str] = []
    for _, rows in sets:
        for r in rows:
            for k in r if isinstance(r, dict) else {"value": r}:
                if k not in columns:
                    columns.append(k)
    many = len(sets) > 1
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow((["dataset"] if many else []) + columns)
    for name, rows in sets:
        for r in rows:
            r = r if isinstance(r, dict) else {"value": r}
            writer.writerow(
                ([name] if many else [])
                + ["" if r.get(c) is None else r.get(c) for c in columns]
            )
    return buf.getvalue()


class ChartAssets:
    """Writes the static files of each chart once per build output, keyed by the chart id."""

    def __init__(self, outdir: Path, cachedir: Path):
        self.out = outdir / CHARTS_DIR
        self.cache = cachedir
        self.memo: dict[str, str] = {}

    def vega(self, chart_id: str, spec: dict) -> str:
        """Write the chart's files if missing; return its compiled Vega spec as JSON text."""
        if chart_id in self.memo:
            return self.memo[chart_id]
        cached = self.cache / f"{chart_id}.vg.json"
        made = [".vl.json", ".csv", ".svg", ".png"]
        if cached.exists() and all(
            (self.out / f"{chart_id}{ext}").exists() for ext in made
        ):  # made by an earlier build: no need to load Altair or vl-convert
            self.memo[chart_id] = cached.read_text(encoding="utf-8")
            return self.memo[chart_id]
        import vl_convert as vlc

        version = vl_version()
        self.out.mkdir(parents=True, exist_ok=True)
        self.cache.mkdir(parents=True, exist_ok=True)
        cached = self.cache / f"{chart_id}.vg.json"
        try:
            if cached.exists():
                vega_text = cached.read_text(encoding="utf-8")
            else:
                vega_text = json.dumps(
                    vlc.vegalite_to_vega(spec, vl_version=version),
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                cached.write_text(vega_text, encoding="utf-8")
            svg = None

            def make_svg() -> bytes:
                nonlocal svg
                if (
                    svg is None
                ):  # drawn once from the compiled spec; the PNG rasterises it
                    svg = vlc.vega_to_svg(json.loads(vega_text))
                return svg.encode()

            files = {
                ".vl.json": lambda: (
                    json.dumps(
                        spec, indent=1, sort_keys=True, ensure_ascii=False
                    )
                    + "\n"
                ).encode(),
                ".csv": lambda: chart_data_csv(spec).encode(),
                ".svg": make_svg,
                ".png": lambda: vlc.svg_to_png(
                    make_svg().decode(), scale=2
                ),
            }
            for ext, make in files.items():
                path = self.out / f"{chart_id}{ext}"
                if not path.exists():
                    path.write_bytes(make())
        except (
            Exception
        ) as exc:  # vl-convert raises ValueError with the Vega message
            raise ExtensionError(
                f"chart {chart_id}: cannot convert its Vega-Lite spec: {exc}"
            ) from exc
        self.memo[chart_id] = vega_text
        return vega_text

    def size(self, chart_id: str) -> tuple[int, int]:
        """CSS pixel size of the chart's PNG (drawn at scale 2)."""
        head = (self.out / f"{chart_id}.png").read_bytes()[16:24]
        return int.from_bytes(head[:4], "big") // 2, int.from_bytes(
            head[4:], "big"
        ) // 2


def rewrite_charts(
    body: str, assets: ChartAssets, pathto
) -> tuple[str, int]:
    """Add downloads and a no-script image to every chart of ``body``; embed Vega specs."""

    def one(m: re.Match) -> str:
        cid, inner = m["id"], m["inner"]
        spec = json.loads(m["spec"].replace("<\\/", "</"))
        vega_text = assets.vega(cid, spec).replace("</", "<\\/")
        desc = html.escape(spec.get("description", ""))
        url = {
            ext: html.escape(pathto(f"{CHARTS_DIR}/{cid}{ext}", 1))
            for ext in (".png", ".svg", ".csv", ".vl.json")
        }
        width, height = assets.size(cid)
        noscript = (
            f'<noscript><img class="migbook-chart-static" src="{url[".png"]}" alt="{desc}" '
            f'width="{width}" height="{height}"></noscript>'
        )
        if (
            VIEW_OPEN in inner
        ):  # the fallback goes inside the view, where the chart is drawn
            head, _, rest = inner.partition(VIEW_OPEN)
            tag_end = rest.index(">") + 1
            inner = (
                head
                + VIEW_OPEN
                + rest[:tag_end]
                + noscript
                + rest[tag_end:]
            )
        else:
            inner = noscript + inner
        links = (
            f'<p class="migbook-chart-downloads">Download this chart: '
            f'<a href="{url[".png"]}" download>PNG</a> · <a href="{url[".svg"]}" download>SVG</a> · '
            f'<a href="{url[".csv"]}" download>data (CSV)</a> · '
            f'<a href="{url[".vl.json"]}" download>Vega-Lite spec (JSON)</a></p>'
        )
        return (
            f'<div class="migbook-chart" id="{cid}" data-static="{url[".png"]}" data-width="{width}">{inner}{links}'
            f'<script type="application/json" class="migbook-vega">{vega_text}</script></div>'
        )

    new, n = CHART_RE.subn(one, body)
    return new, n


# --------------------------------------------------------------------------- notebooks
def _glue_bundles(folder: Path, docname: str) -> dict:
    path = folder / f"{docname}.glue.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _block_end(source: str, m: re.Match) -> int:
    """Where the directive opened by ``m`` ends (after its closing fence line)."""
    close = re.compile(
        r"^" + re.escape(m["fence"]) + r"[ \t]*$", re.M
    ).search(source, m.end())
    if close is None:
        return len(source)
    nl = source.find("\n", close.end())
    return len(source) if nl < 0 else nl + 1


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value or [])


def _chart_png(
    html_text: str, assets: ChartAssets | None
) -> tuple[str, str] | None:
    """(base64 PNG, description) of the chart in a text/html output, made by ``assets``."""
    m = CHART_RE.search(html_text)
    if m is None or assets is None:
        return None
    spec = json.loads(m["spec"].replace("<\\/", "</"))
    assets.vega(m["id"], spec)
    png = (assets.out / f"{m['id']}.png").read_bytes()
    return base64.b64encode(png).decode(), spec.get("description", "")


def publish_notebook(
    src: Path, dest: Path, glue: dict, assets: ChartAssets | None = None
) -> int:
    """Copy the executed notebook ``src`` to ``dest`` with its charts as images: a chart shown
    by a code cell gets an ``image/png`` beside its HTML; a glued figure placed by a markdown
    cell (``{glue:figure}``) is attached to that cell as a PNG and shown right after the
    directive. Returns the number of images added."""
    import nbformat

    nb = nbformat.read(str(src), as_version=4)
    added = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "text/html" in data and "image/png" not in data:
                    made = _chart_png(_text(data["text/html"]), assets)
                    if made:
                        data["image/png"] = made[0]
                        added += 1
            continue
        if cell.cell_type != "markdown":
            continue
        inserts = []
        for m in GLUE_FIGURE_RE.finditer(cell.source):
            key = m["key"]
            data = (glue.get(key) or {}).get("data", {})
            png, desc = (
                data.get("image/png"),
                re.sub(
                    r"^<chart: |>$", "", _text(data.get("text/plain", key))
                ),
            )
            if not png and "text/html" in data:
                made = _chart_png(_text(data["text/html"]), assets)
                png, desc = made if made else (None, desc)
            if not png:
                continue
            name = f"{key}.png"
            cell.setdefault("attachments", {})[name] = {
                "image/png": _text(png)
            }
            alt = (
                (desc or key)
                .replace("[", "(")
                .replace("]", ")")
                .replace("\n", " ")
            )
            pos = _block_end(cell.source, m)
            lead = "\n" if cell.source[:pos].endswith("\n") else "\n\n"
            inserts.append((pos, f"{lead}![{alt}](attachment:{name})\n"))
            added += 1
        for pos, text in reversed(
            inserts
        ):  # right after the directive that places the figure
            cell.source = cell.source[:pos] + text + cell.source[pos:]
    nbformat.validate(nb)
    dest.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(nb) + "\n"
    if not dest.exists() or dest.read_text(encoding="utf-8") != text:
        dest.write_text(text, encoding="utf-8")
    return added


def _executed_notebook(app: Sphinx, docname: str) -> Path | None:
    cfg = getattr(app.env, "mystnb_config", None)
    if cfg is None:
        return None
    path = Path(cfg.output_folder) / f"{docname}.ipynb"
    return path if path.exists() else None


# --------------------------------------------------------------------------- pages
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
TABLE_PART = re.compile(
    r"(<thead\b.*?</thead>)|(<tbody\b.*?</tbody>)", re.S
)


def _add_scopes(body: str) -> str:
    """``scope`` on every header cell that lacks one: ``col`` in a table's head, ``row`` in its
    body (docutils tables, pandas DataFrames shown by code cells, pages of other extensions)."""

    def part(m: re.Match) -> str:
        return TH_NO_SCOPE.sub(
            '<th scope="col"' if m[1] else '<th scope="row"', m[0]
        )

    return TABLE_PART.sub(part, body) if "<th" in body else body


def _on_page_context(app: Sphinx, pagename, templatename, context, doctree):
    if app.builder.format != "html":
        return
    # every page (search and index too): the book runs no live kernels, so sphinx-thebe's scripts
    # go (Jupyter Book 1 adds its inline script twice, a console error, and it names a CDN)
    _drop_assets(context, THEBE_ASSETS)
    if "body" not in context:
        return
    body = context["body"]
    pathto = context["pathto"]
    if 'class="migbook-chart"' in body:
        body, _ = rewrite_charts(body, app.migbook_chart_assets, pathto)
    if not SD_CLASS_RE.search(body):
        _drop_assets(context, DESIGN_ASSETS)
    body = _add_scopes(body)

    nb = _executed_notebook(app, pagename) if doctree is not None else None
    if nb is not None:
        rel = f"{pagename}.ipynb"
        publish_notebook(
            nb,
            Path(app.outdir) / "_sources" / rel,
            _glue_bundles(
                Path(app.env.mystnb_config.output_folder), pagename
            ),
            app.migbook_chart_assets,
        )
        context["ipynb_source"] = (
            rel  # the theme's download menu offers it (sphinx-book-theme)
        )
        url = html.escape(pathto(f"_sources/{rel}", 1))
        name = html.escape(rel.split("/")[-1])
        body += (
            f'<p class="migbook-page-downloads">This chapter as a notebook, executed, with its '
            f'outputs: <a href="{url}" download="{name}">{name}</a></p>'
        )
    context["body"] = body


def _on_builder_inited(app: Sphinx):
    app.migbook_chart_assets = ChartAssets(
        Path(app.outdir), Path(app.doctreedir) / "migbook-charts"
    )


def setup(app: Sphinx):
    # priority 500: after migbook.sphinxext adds the chart scripts (same priority, connected
    # earlier) and before sphinx-book-theme builds its header buttons (501)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_page_context, priority=500)
