"""Charts: each chart's static files, download links and no-script image, written at build time.

The kernel-side renderer (:mod:`migbook.charts`) puts a chart's Vega-Lite spec in the page. For
every chart on a page this module writes, once per spec (the chart id is a hash of the spec),
``_charts/<figure name>.png`` (with the description as its title), ``.svg`` (drawn by vl-convert), ``.csv`` (the chart's data) and
``.vl.json`` (the spec); it adds the download links under the chart and a
``<noscript><img></noscript>`` fallback, and replaces the embedded Vega-Lite spec by the Vega
spec vl-convert compiles from it, so the page needs only ``vega.min.js`` to draw. Everything
happens with no network and no clock, and writes the same bytes on every run.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

CHARTS_DIR = "_charts"
#: a chart as the renderer writes it (see :func:`migbook.charts._spec_html`)
CHART_RE = re.compile(
    r'<div class="migbook-chart" id="(?P<id>chart-[0-9a-f]{12})">(?P<inner>.*?)'
    r'<script type="application/json" class="migbook-spec">(?P<spec>.*?)</script></div>',
    re.S,
)
VIEW_OPEN = '<div class="migbook-chart-view"'


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


class ChartAssets:
    """Writes the static files of each chart once per build output, named by :func:`file_stem`."""

    def __init__(self, outdir: Path, cachedir: Path):
        self.out = outdir / CHARTS_DIR
        self.cache = cachedir
        self.memo: dict[str, tuple[str, str]] = {}

    def stem(self, chart_id: str, spec: dict) -> str:
        self.vega(chart_id, spec)
        return self.memo[chart_id][1]

    def vega(self, chart_id: str, spec: dict) -> str:
        """Write the chart's files if missing or made from another spec; return its compiled Vega
        spec as JSON text."""
        if chart_id in self.memo:
            return self.memo[chart_id][0]
        import vl_convert as vlc

        version = vl_version(spec)
        stem = file_stem(chart_id, spec)
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

            spec_text = (
                json.dumps(
                    spec, indent=1, sort_keys=True, ensure_ascii=False
                )
                + "\n"
            ).encode()
            title = spec.get("description", "") or stem
            files = {
                ".vl.json": lambda: spec_text,
                ".csv": lambda: chart_data_csv(spec).encode(),
                ".svg": make_svg,
                ".png": lambda: png_with_title(
                    vlc.svg_to_png(make_svg().decode(), scale=2), title
                ),
            }
            paths = {ext: self.out / f"{stem}{ext}" for ext in files}
            # a name outlives a spec: files made from another version of the chart are made again
            fresh = (
                all(p.exists() for p in paths.values())
                and paths[".vl.json"].read_bytes() == spec_text
            )
            if not fresh:
                for ext, make in files.items():
                    paths[ext].write_bytes(make())
        except (
            Exception
        ) as exc:  # vl-convert raises ValueError with the Vega message
            raise ExtensionError(
                f"chart {stem}: cannot convert its Vega-Lite spec: {exc}"
            ) from exc
        self.memo[chart_id] = (vega_text, stem)
        return vega_text

    def size(self, chart_id: str) -> tuple[int, int]:
        """CSS pixel size of the chart's PNG (drawn at scale 2)."""
        head = (self.out / f"{self.memo[chart_id][1]}.png").read_bytes()[
            16:24
        ]
        return int.from_bytes(head[:4], "big") // 2, int.from_bytes(
            head[4:], "big"
        ) // 2


def rewrite_charts(
    body: str, assets: ChartAssets, pathto, cite=None
) -> tuple[str, int]:
    """Add downloads and a no-script image to every chart of ``body``; embed Vega specs.
    ``cite(name, description)`` gives the citation text of a named chart (its anchor is the
    figure's name)."""

    def one(m: re.Match) -> str:
        cid, inner = m["id"], m["inner"]
        spec = json.loads(m["spec"].replace("<\\/", "</"))
        vega_text = assets.vega(cid, spec).replace("</", "<\\/")
        desc = html.escape(spec.get("description", ""))
        stem = assets.stem(cid, spec)
        url = {
            ext: html.escape(pathto(f"{CHARTS_DIR}/{stem}{ext}", 1))
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
        if cite is not None and spec.get("name"):
            links += (
                f'<details class="migbook-cite"><summary>Cite this chart</summary>'
                f'<p class="migbook-cite-text">{html.escape(cite(spec["name"], spec.get("description", "")))}'
                f"</p></details>"
            )
        return (
            f'<div class="migbook-chart" id="{cid}" data-static="{url[".png"]}" data-width="{width}">{inner}{links}'
            f'<script type="application/json" class="migbook-vega">{vega_text}</script></div>'
        )

    new, n = CHART_RE.subn(one, body)
    return new, n


def chart_assets(app: Sphinx) -> ChartAssets:
    """The build's chart files (one per build output)."""
    assets = getattr(app.builder, "migbook_chart_assets", None)
    if assets is None:
        assets = ChartAssets(
            Path(app.outdir), Path(app.doctreedir) / "migbook-charts"
        )
        app.builder.migbook_chart_assets = assets
    return assets


def _on_page_context(app: Sphinx, pagename, templatename, context, doctree):
    if (
        app.builder.format != "html"
        or 'class="migbook-chart"' not in context.get("body", "")
    ):
        return
    from migbook.sphinx.citing import citation_meta, item_citation
    from migbook.sphinx.links import canonical_url

    cff = citation_meta()

    def cite(name: str, description: str) -> str:
        return item_citation(
            cff,
            f"chart {name}: {description}",
            canonical_url(app, pagename, name),
        )

    context["body"], _ = rewrite_charts(
        context["body"], chart_assets(app), context["pathto"], cite
    )


def setup_charts(app: Sphinx) -> None:
    # before the assets module looks at the page's body (it adds the chart script)
    app.connect("html-page-context", _on_page_context, priority=480)
