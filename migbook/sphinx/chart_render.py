"""Charts: each chart rendered from its Vega-Lite spec, with its static files, downloads and citation.

The kernel-side renderer (:mod:`migbook.charts`) outputs a chart as its Vega-Lite spec under its
own mime type. :class:`ChartMimeRenderer`, a myst-nb mime renderer (entry point
``myst_nb.mime_renderers`` in ``pyproject.toml``; ``_config.yml`` gives the type priority),
turns it into a :class:`migbook_chart` node; the HTML writer fills ``templates/chart.html``
with links computed by the builder. For every chart this module writes, once per spec (the
chart id is a hash of the spec), ``_charts/<figure name>.png`` (with the description as its
title), ``.svg`` (drawn by vl-convert), ``.csv`` (the chart's data) and ``.vl.json`` (the
spec); the page gets the download links, a ``<noscript><img></noscript>`` fallback and the Vega
spec vl-convert compiles from the Vega-Lite one, so it needs only ``vega.min.js`` to draw; and a
second Vega spec for narrow screens (:func:`narrow_spec`: its width follows its container, the
legend below the plot, panels one above the other), which the page draws where the chart's own
width does not fit. The downloads and images are always made from the chart's own spec. The
charts of a page executed in this build are handed, as soon as its run ends
(``migbook-page-executed``), to a child process that draws them at low priority while the other
pages still execute (:mod:`.chart_worker`); writing the page waits for its charts and copies them
from the cache.
Other builders show the chart's description. Everything happens with no network and no clock,
and writes the same bytes on every run.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from migbook.sphinx.chart_worker import ChartWorker, write_whole

logger = logging.getLogger(__name__)

CHARTS_DIR = "_charts"


# --------------------------------------------------------------------------- charts
def vl_version(spec: dict | None = None) -> str:
    """The Vega-Lite version a chart is written for, as ``"6.4"``: from the spec's ``$schema``
    (``.../vega-lite/v6.4.0.json``), else Altair's (importing Altair costs most of a second)."""
    found = re.search(
        r"/v(\d+)\.(\d+)", str((spec or {}).get("$schema", ""))
    )
    if found:
        return f"{found[1]}.{found[2]}"
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


def file_stem(chart_id: str, spec: dict) -> str:
    """The chart's download name: its figure name (``fig-exports-1982``, set by
    :func:`migbook.figure` as the spec's ``name``), else its id (a hash of the spec)."""
    name = re.sub(
        r"[^A-Za-z0-9._-]+", "-", str(spec.get("name") or "")
    ).strip("-.")
    return name or chart_id


def png_with_title(png: bytes, title: str) -> bytes:
    """The PNG with an ``iTXt`` ``Title`` chunk (UTF-8) after its header chunk."""
    import zlib

    if not title:
        return png
    data = b"Title\0\0\0\0\0" + title.encode("utf-8")
    chunk = (
        len(data).to_bytes(4, "big")
        + b"iTXt"
        + data
        + zlib.crc32(b"iTXt" + data).to_bytes(4, "big")
    )
    end_of_header = (
        8 + 4 + 4 + 13 + 4
    )  # signature, IHDR length, type, data, CRC
    return png[:end_of_header] + chunk + png[end_of_header:]


def compile_vega(spec: dict) -> str:
    """The Vega spec vl-convert compiles from a chart's Vega-Lite spec, as compact JSON."""
    import vl_convert as vlc

    return json.dumps(
        vlc.vegalite_to_vega(spec, vl_version=vl_version(spec)),
        ensure_ascii=False,
        separators=(",", ":"),
    )


#: a panel's widest plot in a chart of panels one above the other on a narrow screen: a phone's
#: text column (about 360 px) less the y axis and its labels
NARROW_PANEL_WIDTH = 260
#: the plots of a chart of panels side by side, together, on a narrow screen: panels that share
#: their rows (one set of row labels) stay side by side, narrower
NARROW_ROW_WIDTH = 200
#: the longest line of a chart's title (its source line) on a narrow screen, in characters
NARROW_TITLE_CHARS = 44


def _wrap_title(title):
    """A title's text as lines of at most :data:`NARROW_TITLE_CHARS` characters (a Vega-Lite
    title may be a list of lines)."""
    import textwrap

    if isinstance(title, dict):
        text = title.get("text")
        if isinstance(text, str):
            return {
                **title,
                "text": textwrap.wrap(text, NARROW_TITLE_CHARS) or [text],
            }
        return title
    if isinstance(title, str):
        return textwrap.wrap(title, NARROW_TITLE_CHARS) or [title]
    return title


#: a legend label longer than this many characters takes two lines on a narrow screen
NARROW_LEGEND_CHARS = 26
_CUT = f"lastindexof(substring(datum.label, 0, {NARROW_LEGEND_CHARS}), ' ')"
#: the Vega expression that breaks a long legend label at its last space before the limit (a text
#: given as an array is drawn as lines)
NARROW_LEGEND_LABEL = (
    f"length(datum.label) > {NARROW_LEGEND_CHARS} && {_CUT} > 0"
    f" ? [substring(datum.label, 0, {_CUT}), substring(datum.label, {_CUT} + 1)]"
    " : datum.label"
)
LEGEND_CHANNELS = (
    "color",
    "fill",
    "stroke",
    "shape",
    "strokeDash",
    "size",
    "opacity",
)


def _two_line_legends(spec) -> None:
    """Every legend of ``spec`` (in any view, layer or panel) breaks its long labels in two."""
    if isinstance(spec, list):
        for item in spec:
            _two_line_legends(item)
        return
    if not isinstance(spec, dict):
        return
    for channel, definition in (spec.get("encoding") or {}).items():
        if (
            channel in LEGEND_CHANNELS
            and isinstance(definition, dict)
            and "field" in definition
            and definition.get("legend", {}) is not None
        ):
            definition["legend"] = {
                **definition.get("legend", {}),
                "labelExpr": NARROW_LEGEND_LABEL,
            }
    for key in ("layer", "hconcat", "vconcat", "concat", "spec"):
        if key in spec:
            _two_line_legends(spec[key])


def narrow_spec(spec: dict) -> dict:
    """The chart's Vega-Lite spec for a screen narrower than the chart: a single or layered view
    takes its container's width (``width: "container"``, which Vega-Lite supports for those only);
    panels side by side (sharing their rows) stay so, their plots :data:`NARROW_ROW_WIDTH` wide
    together; other panels stand one above the other, none wider than
    :data:`NARROW_PANEL_WIDTH`; legends without a place of their own go below the plot, their long labels on two
    lines; the title (the source line) is broken into lines. Axis labels keep their size. The static images
    are made from the chart's own spec (vl-convert needs a numeric width)."""
    import copy
    import textwrap

    out = copy.deepcopy(spec)
    config = out.setdefault("config", {})
    config["legend"] = {
        **config.get("legend", {}),
        "orient": "bottom",
        "direction": "vertical",
    }
    if "hconcat" in out:
        widths = [p.get("width") for p in out["hconcat"]]
        if all(isinstance(w, (int, float)) for w in widths):
            scale = min(1.0, NARROW_ROW_WIDTH / max(sum(widths), 1))
            for panel, w in zip(out["hconcat"], widths, strict=True):
                panel["width"] = max(40, round(w * scale))
                # an x axis title wider than its narrower panel is broken into lines
                x = (panel.get("encoding") or {}).get("x")
                if isinstance(x, dict) and isinstance(x.get("title"), str):
                    chars = max(10, panel["width"] // 6)
                    x["title"] = (
                        textwrap.wrap(x["title"], chars) or x["title"]
                    )
    elif "vconcat" in out or "concat" in out:
        panels = out.pop("vconcat", None) or out.pop("concat")
        for panel in panels:
            if isinstance(panel.get("width"), (int, float)):
                panel["width"] = min(panel["width"], NARROW_PANEL_WIDTH)
            elif "width" not in panel:
                panel["width"] = NARROW_PANEL_WIDTH
        out.pop("columns", None)
        out["vconcat"] = panels
    elif not any(k in out for k in ("facet", "repeat")):
        out["width"] = "container"
    if "title" in out:
        out["title"] = _wrap_title(out["title"])
    _two_line_legends(out)
    return out


def narrow_cache_name(chart_id: str, narrow: dict) -> str:
    """The cache file of a chart's compiled narrow spec, named by a hash of that spec (so that a
    change of :func:`narrow_spec` compiles it again)."""
    import hashlib

    text = json.dumps(narrow, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha1(text.encode()).hexdigest()[:12]
    return f"{chart_id}.narrow-{digest}.vg.json"


def draw_svg(vega_text: str) -> str:
    import vl_convert as vlc

    return vlc.vega_to_svg(json.loads(vega_text))


def draw_png(svg: str) -> bytes:
    """The chart's PNG, at twice its CSS size (no title chunk yet)."""
    import vl_convert as vlc

    return vlc.svg_to_png(svg, scale=2)


class ChartAssets:
    """Writes the static files of each chart once per build output, named by :func:`file_stem`."""

    def __init__(self, outdir: Path, cachedir: Path):
        self.out = outdir / CHARTS_DIR
        self.cache = cachedir
        self.memo: dict[str, tuple[str, str]] = {}
        #: the child process drawing charts ahead (:meth:`prepare_ahead`), once started
        self.worker: ChartWorker | None = None

    def stem(self, chart_id: str, spec: dict) -> str:
        self.vega(chart_id, spec)
        return self.memo[chart_id][1]

    def _cached(self, chart_id: str, ext: str) -> Path:
        return self.cache / f"{chart_id}{ext}"

    def prepare(self, chart_id: str, spec: dict, draw: bool = True) -> None:
        """Compile the chart into the cache (its Vega spec and narrow Vega spec) and, with
        ``draw``, draw it there (SVG, and the PNG that rasterises it), each once per spec.
        Called for the charts of each page as soon as the page is executed
        (:func:`draw_executed_charts`), so that writing the page only copies them. The spec is
        compiled with its keys sorted, whatever order it comes in: vl-convert's output follows
        the order of the keys it is given, and the cache is named by the chart id alone."""
        spec = json.loads(
            json.dumps(spec, ensure_ascii=False, sort_keys=True)
        )
        self.cache.mkdir(parents=True, exist_ok=True)
        compiled = self._cached(chart_id, ".vg.json")
        svg, png = (
            self._cached(chart_id, ".svg"),
            self._cached(chart_id, ".png"),
        )
        try:  # each file written whole (a build stopped halfway leaves no part of one)
            if not compiled.exists():
                write_whole(compiled, compile_vega(spec).encode())
            if draw and not svg.exists():
                text = draw_svg(compiled.read_text(encoding="utf-8"))
                write_whole(svg, text.encode())
            if draw and not png.exists():
                write_whole(png, draw_png(svg.read_text(encoding="utf-8")))
        except (
            Exception
        ) as exc:  # vl-convert raises ValueError with the Vega message
            raise ExtensionError(
                f"chart {file_stem(chart_id, spec)}: cannot convert its Vega-Lite "
                f"spec: {exc}"
            ) from exc
        self.narrow_vega(chart_id, spec)

    def prepared(self, chart_id: str, spec: dict) -> bool:
        """Whether :meth:`prepare` has nothing left to do for this chart."""
        return (
            all(
                self._cached(chart_id, ext).exists()
                for ext in (".vg.json", ".svg", ".png")
            )
            and (
                self.cache / narrow_cache_name(chart_id, narrow_spec(spec))
            ).exists()
        )

    def prepare_ahead(self, chart_id: str, spec: dict) -> None:
        """:meth:`prepare` in the child process (:mod:`.chart_worker`), started for the first
        chart that is not in the cache; writing the page waits for it (:meth:`vega`)."""
        if chart_id in self.memo or self.prepared(chart_id, spec):
            return
        if self.worker is None:
            self.cache.mkdir(parents=True, exist_ok=True)
            self.worker = ChartWorker(self.cache)
        self.worker.submit(chart_id, spec)

    def close(self) -> None:
        """Stop the child process, if one was started."""
        if self.worker is not None:
            worker, self.worker = self.worker, None
            worker.close()
            logger.info(
                f"[migbook] charts drawn ahead by the chart process: {worker.drawn}"
            )

    def vega(self, chart_id: str, spec: dict) -> str:
        """Write the chart's files if missing or made from another spec (copies of what
        :meth:`prepare` drew); return its compiled Vega spec as JSON text."""
        if chart_id in self.memo:
            return self.memo[chart_id][0]
        if self.worker is not None:
            self.worker.wait(chart_id)
        stem = file_stem(chart_id, spec)
        self.out.mkdir(parents=True, exist_ok=True)
        spec_text = (
            json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False)
            + "\n"
        ).encode()
        title = spec.get("description", "") or stem
        files = {
            ".vl.json": lambda: spec_text,
            ".csv": lambda: chart_data_csv(spec).encode(),
            ".svg": lambda: self._cached(chart_id, ".svg").read_bytes(),
            ".png": lambda: png_with_title(
                self._cached(chart_id, ".png").read_bytes(), title
            ),
        }
        paths = {ext: self.out / f"{stem}{ext}" for ext in files}
        # a name outlives a spec: files made from another version of the chart are made again
        fresh = (
            all(p.exists() for p in paths.values())
            and paths[".vl.json"].read_bytes() == spec_text
        )
        self.prepare(chart_id, spec, draw=not fresh)
        if not fresh:
            for ext, make in files.items():
                paths[ext].write_bytes(make())
        vega_text = self._cached(chart_id, ".vg.json").read_text(
            encoding="utf-8"
        )
        self.memo[chart_id] = (vega_text, stem)
        return vega_text

    def narrow_vega(self, chart_id: str, spec: dict) -> str:
        """The compiled Vega spec of :func:`narrow_spec` as JSON text (cached beside the chart's
        own)."""
        narrow = narrow_spec(spec)
        cached = self.cache / narrow_cache_name(chart_id, narrow)
        if cached.exists():
            return cached.read_text(encoding="utf-8")
        try:
            text = compile_vega(narrow)
        except Exception as exc:
            raise ExtensionError(
                f"chart {file_stem(chart_id, spec)}: cannot convert its narrow-screen "
                f"Vega-Lite spec: {exc}"
            ) from exc
        self.cache.mkdir(parents=True, exist_ok=True)
        write_whole(cached, text.encode())
        return text

    def size(self, chart_id: str) -> tuple[int, int]:
        """CSS pixel size of the chart's PNG (drawn at scale 2)."""
        head = (self.out / f"{self.memo[chart_id][1]}.png").read_bytes()[
            16:24
        ]
        return int.from_bytes(head[:4], "big") // 2, int.from_bytes(
            head[4:], "big"
        ) // 2


#: the compiled and drawn charts, in the doctree folder, in a folder per :func:`cache_version`
CACHE_DIR = "migbook-charts"
#: what a cached drawing depends on besides its spec (named by the chart id, a hash of the spec);
#: raise it when the way a chart is compiled or drawn changes (2: compiled from its spec with the
#: keys sorted, as its page's node holds it)
CACHE_FORMAT = 2


def cache_version() -> str:
    """The cache's folder name: vl-convert's version and :data:`CACHE_FORMAT`, so that a cache
    made by another vl-convert, or by another way of compiling, is never read."""
    import vl_convert as vlc

    return f"vl-convert-{vlc.__version__}-format-{CACHE_FORMAT}"


def chart_assets(app: Sphinx) -> ChartAssets:
    """The build's chart files (one per build output)."""
    assets = getattr(app.builder, "migbook_chart_assets", None)
    if assets is None:
        assets = ChartAssets(
            Path(app.outdir),
            Path(app.doctreedir) / CACHE_DIR / cache_version(),
        )
        app.builder.migbook_chart_assets = assets
    return assets


# --------------------------------------------------------------------------- the mime renderer
class migbook_chart(nodes.General, nodes.Element):
    """A chart of the book: its Vega-Lite spec (``spec``, JSON text), ``chart_id``, ``name`` (the
    figure's) and ``docname`` (the page that places it). HTML builders write it through
    ``templates/chart.html``; other builders show its children (the description)."""


class ChartMimeRenderer:
    """myst-nb mime renderer (entry point ``myst_nb.mime_renderers``, see ``pyproject.toml``):
    a chart output (:data:`migbook.render.CHART_MIME`) becomes a :class:`migbook_chart` node."""

    mime_priority_overrides = ()  # set in _config.yml (nb_mime_priority_overrides)

    @staticmethod
    def handle_mime(renderer, data, inline):
        from migbook.render import CHART_MIME, chart_id, json_data

        if inline or data.mime_type != CHART_MIME:
            return None
        spec = json_data(data.content)
        env = getattr(renderer.renderer.document.settings, "env", None)
        desc = str(spec.get("description", ""))
        node = migbook_chart(
            "",
            nodes.paragraph(text=desc),
            spec=json.dumps(spec, ensure_ascii=False, sort_keys=True),
            chart_id=chart_id(spec),
            name=str(spec.get("name") or ""),
            docname=env.docname if env is not None else "",
            classes=["output", "text_html"],
        )
        return [node]


def chart_html(app: Sphinx, builder, docname: str, node) -> str:
    """The chart's HTML on the page of ``docname``: drawn from the compiled Vega spec, with its
    no-script PNG, downloads and citation (files written by :class:`ChartAssets`)."""
    from markupsafe import Markup

    from migbook.sphinx.citing import citation_meta, item_citation
    from migbook.sphinx.links import canonical_url, resource_uri
    from migbook.sphinx.templating import render

    spec = json.loads(node["spec"])
    cid = node["chart_id"]
    assets = chart_assets(app)
    vega_text = assets.vega(cid, spec).replace("</", "<\\/")
    narrow_text = assets.narrow_vega(cid, spec).replace("</", "<\\/")
    stem = assets.stem(cid, spec)
    url = {
        key: resource_uri(builder, docname, f"{CHARTS_DIR}/{stem}{ext}")
        for key, ext in (
            ("png", ".png"),
            ("svg", ".svg"),
            ("csv", ".csv"),
            ("spec", ".vl.json"),
        )
    }
    width, height = assets.size(cid)
    description = spec.get("description", "")
    cite = ""
    if node["name"]:
        cite = item_citation(
            citation_meta(),
            f"chart {node['name']}: {description}",
            canonical_url(app, node["docname"] or docname, node["name"]),
        )
    return render(
        "chart.html",
        id=cid,
        url=url,
        width=width,
        height=height,
        description=description,
        cite=cite,
        vega=Markup(vega_text),
        vega_narrow=Markup(narrow_text),
    )


def visit_chart_html(self, node) -> None:
    builder = self.builder
    docname = builder.current_docname
    self.body.append(
        f'<div class="{" ".join(node["classes"])}">'
        + chart_html(builder.app, builder, docname, node)
        + "</div>"
    )
    raise nodes.SkipNode


def _visit_children(self, node) -> None:
    """Non-HTML builders: the chart's description (its child paragraph)."""


def _depart(self, node) -> None:
    pass


def draw_executed_charts(app: Sphinx, docname: str, nb) -> None:
    """``migbook-page-executed``: draw the charts a page just executed has output, into the
    cache, while the build waits for its other pages: in the chart process
    (:meth:`ChartAssets.prepare_ahead`), or here with ``migbook_chart_worker = False``."""
    from migbook.render import CHART_MIME, chart_id, json_data

    if app.builder.format != "html":
        return
    assets = chart_assets(app)
    for cell in nb.cells:
        for output in cell.get("outputs", ()):
            for mime, content in (output.get("data") or {}).items():
                # shown where made, or glued (myst-nb's glue prefixes the type)
                if mime == CHART_MIME or mime.endswith("/" + CHART_MIME):
                    spec = json_data(content)
                    if app.config.migbook_chart_worker:
                        assets.prepare_ahead(chart_id(spec), spec)
                    else:
                        assets.prepare(chart_id(spec), spec)


def check_renderers(app: Sphinx, config) -> None:
    """The mime renderers are entry points: an install that predates them would silently show
    charts and badges as plain text."""
    from myst_nb.core.render import load_mime_renders

    from migbook.sphinx.badges import ClaimMimeRenderer

    found = load_mime_renders()
    if ChartMimeRenderer not in found or ClaimMimeRenderer not in found:
        raise ExtensionError(
            "migbook's myst-nb mime renderers are not installed (entry points "
            '"myst_nb.mime_renderers" in pyproject.toml): run `make venv`, or '
            "`pip install --no-deps -e .` in the book's virtual environment"
        )


def setup_charts(app: Sphinx) -> None:
    other = (_visit_children, _depart)
    app.add_node(
        migbook_chart,
        html=(visit_chart_html, None),
        latex=other,
        text=other,
        man=other,
        texinfo=other,
    )
    # the charts of executed pages drawn by a child process (chart_worker) rather than the build's
    app.add_config_value("migbook_chart_worker", True, "", bool)
    app.connect("config-inited", check_renderers)
    app.connect("migbook-page-executed", draw_executed_charts)
    app.connect("build-finished", close_chart_worker)


def close_chart_worker(app: Sphinx, exc) -> None:
    """``build-finished``: the chart process ends with the build (failed or not)."""
    assets = getattr(app.builder, "migbook_chart_assets", None)
    if assets is not None:
        assets.close()
