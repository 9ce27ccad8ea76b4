"""The published site, read from the built HTML (no browser): downloads, fallbacks, accessibility.

The first tests exercise migbook.sphinx.chart_render and .notebooks on a chart and a notebook made here, so they mean
something even while the book has no chart; the others check every page of the built book.
"""

import hashlib
import html
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from migbook.charts import CHART_MIME
from migbook.sphinx import chart_render as site
from migbook.sphinx.published_notebooks import publish_notebook

ROOT = Path(__file__).resolve().parents[1]
CHART_BLOCK = re.compile(
    r'<div class="migbook-chart" id="(chart-[0-9a-f]{12})"(.*?)'
    r'<script type="application/json" class="migbook-vega">',
    re.S,
)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- migbook.sphinx on its own
@pytest.fixture(scope="module")
def sample_chart():
    import altair as alt
    import pandas as pd

    from migbook import charts

    df = pd.DataFrame(
        {
            "year": [1991, 1992, 1993],
            "remittances": [2660.0, 3070.0, 3333.0],
            "source": ["a", "b", "a"],
        }
    )
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(x="year:O", y="remittances:Q", color="source:N")
        .properties(description="Bars of three years of remittances.")
    )
    spec = chart.to_dict()
    bundle = charts.render(spec)
    assert set(bundle) == {charts.CHART_MIME, "text/plain"}
    return spec, bundle


def test_chart_files(tmp_path, sample_chart):
    """The files of one chart; its markup and links: tests/test_sphinx_ext.py."""
    from migbook.charts import chart_id

    spec, _ = sample_chart
    assets = site.ChartAssets(tmp_path / "html", tmp_path / "cache")
    cid = chart_id(spec)
    vega = json.loads(assets.vega(cid, spec))
    assert assets.stem(cid, spec) == cid  # no figure name: the chart id
    files = {
        ext: tmp_path / "html" / "_charts" / f"{cid}{ext}"
        for ext in (".png", ".svg", ".csv", ".vl.json")
    }
    assert files[".png"].read_bytes().startswith(PNG_MAGIC)
    assert (
        files[".svg"]
        .read_text(encoding="utf-8")
        .lstrip()
        .startswith("<svg")
    )
    assert json.loads(files[".vl.json"].read_text(encoding="utf-8")) == spec
    assert set(
        files[".csv"].read_text(encoding="utf-8").splitlines()[0].split(",")
    ) == {"year", "remittances", "source"}
    assert len(files[".csv"].read_text(encoding="utf-8").splitlines()) == 4
    assert vega["$schema"].startswith("https://vega.github.io/schema/vega/")
    width, height = assets.size(cid)
    assert 100 < width < 2000 and 50 < height < 2000


def test_chart_files_are_the_same_on_every_run(tmp_path, sample_chart):
    from migbook.charts import chart_id

    spec, _ = sample_chart
    outs = []
    for run in ("one", "two"):
        assets = site.ChartAssets(tmp_path / run, tmp_path / f"cache-{run}")
        page = assets.vega(chart_id(spec), spec)
        outs.append(
            (
                page,
                {
                    p.name: p.read_bytes()
                    for p in sorted((tmp_path / run / "_charts").iterdir())
                },
            )
        )
    assert outs[0] == outs[1]


def test_chart_data_with_several_datasets():
    spec = {
        "datasets": {
            "d1": [{"x": 1, "y": 2.5}],
            "d2": [{"x": 2, "z": None}],
        }
    }
    assert site.chart_data_csv(spec) == "dataset,x,y,z\nd1,1,2.5,\nd2,2,,\n"


def test_published_notebook_carries_its_figures(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1", execution_count=1),
        nbformat.v4.new_markdown_cell(
            ":::{glue:figure} fig-a\n:name: fig-a\nCaption.\n:::\n\nSee it."
        ),
    ]
    src, dest = tmp_path / "in.ipynb", tmp_path / "out" / "ch.ipynb"
    nbformat.write(nb, str(src))
    png = "iVBORw0KGgo="
    glue = {
        "fig-a": {
            "data": {
                "image/png": png,
                "text/plain": "<chart: Lines of two things.>",
            }
        }
    }
    assert publish_notebook(src, dest, glue) == 1  # a glued image as it is
    out = nbformat.read(str(dest), as_version=4)
    assert out.cells[0].metadata.get(
        "migbook-intro"
    )  # where the code and data are (plain_notebook)
    cell = out.cells[2]
    assert cell.attachments == {"fig-a.png": {"image/png": png}}
    # the directive is written out (migbook.sphinx.plain_notebook): its caption, then the image
    assert (
        cell.source
        == "*Caption.*\n\n![Lines of two things.](attachment:fig-a.png)\n\nSee it."
    )
    nbformat.validate(out)


# ---------------------------------------------------------------- the built book
pytestmark_build = pytest.mark.build


def html_pages(built_book: Path) -> list[Path]:
    return sorted(
        p for p in built_book.rglob("*.html") if "_static" not in p.parts
    )


def notebook_docs() -> list[str]:
    return [
        f"book/{p.stem}"
        for p in sorted((ROOT / "book").glob("*.md"))
        if "kernelspec:" in p.read_text(encoding="utf-8")[:400]
    ]


@pytestmark_build
def test_every_chart_offers_its_files(built_book):
    problems = []
    for page in html_pages(built_book):
        rel = page.relative_to(built_book)
        text = page.read_text(encoding="utf-8")
        if "migbook-spec" in text:
            problems.append(
                f"{rel}: a chart still embeds its Vega-Lite spec (not rewritten by migbook.sphinx.chart_render)"
            )
        for cid, block in CHART_BLOCK.findall(text):
            named = re.search(r'_charts/([^"/]+)\.png" download', block)
            stem = named[1] if named else cid
            if named is None or stem.startswith("chart-"):
                problems.append(
                    f"{rel}: chart {cid}: its files are not named after the figure ({stem})"
                )
            for ext in (".png", ".svg", ".csv", ".vl.json"):
                target = built_book / "_charts" / f"{stem}{ext}"
                if not target.is_file():
                    problems.append(
                        f"{rel}: chart {cid}: {target.name} missing"
                    )
                if f'_charts/{stem}{ext}" download' not in block:
                    problems.append(
                        f"{rel}: chart {cid}: no download link to {stem}{ext}"
                    )
            png = built_book / "_charts" / f"{stem}.png"
            if png.is_file() and not png.read_bytes().startswith(PNG_MAGIC):
                problems.append(
                    f"{rel}: chart {cid}: {png.name} is not a PNG"
                )
            elif (
                png.is_file()
                and b"iTXtTitle" not in png.read_bytes()[:4096]
            ):
                problems.append(
                    f"{rel}: chart {cid}: {png.name} has no title"
                )
            if stem != cid and f'id="{stem}"' not in text:
                problems.append(
                    f"{rel}: chart {cid}: no anchor #{stem} on the page"
                )
            if stem != cid and "Cite this chart" not in block:
                problems.append(f"{rel}: chart {cid}: no citation")
            spec_file = built_book / "_charts" / f"{stem}.vl.json"
            if spec_file.is_file():
                spec = json.loads(spec_file.read_text(encoding="utf-8"))
                canon = json.dumps(
                    spec,
                    sort_keys=True,
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                if (
                    "chart-" + hashlib.sha1(canon.encode()).hexdigest()[:12]
                    != cid
                ):
                    problems.append(
                        f"{rel}: chart {cid}: {spec_file.name} is not the chart's spec"
                    )
                desc = spec.get("description", "").strip()
                if not desc:
                    problems.append(
                        f"{rel}: chart {cid}: no text description"
                    )
                elif f'alt="{desc}"' not in html.unescape(block):
                    problems.append(
                        f"{rel}: chart {cid}: no <noscript> image with the description as alt text"
                    )
    assert not problems, "\n".join(problems)


@pytestmark_build
def test_every_chapter_offers_its_executed_notebook(built_book):
    import nbformat

    problems = []
    for doc in notebook_docs():
        page = built_book / f"{doc}.html"
        if not page.exists():
            continue  # not in the table of contents
        nb_path = built_book / "_sources" / f"{doc}.ipynb"
        if not nb_path.is_file():
            problems.append(
                f"{doc}.html: no {nb_path.relative_to(built_book)}"
            )
            continue
        nb = nbformat.read(str(nb_path), as_version=4)
        nbformat.validate(nb)
        unrun = [
            i
            for i, c in enumerate(nb.cells)
            if c.cell_type == "code"
            and c.source.strip()
            and c.execution_count is None
        ]
        if unrun:
            problems.append(
                f"{nb_path.name}: code cells {unrun} were not executed"
            )
        figures = re.findall(
            r"\{glue(?::figure)?\}\s+(\S+)",
            "\n".join(
                c.source for c in nb.cells if c.cell_type == "markdown"
            ),
        )
        attached = {
            k[:-4] for c in nb.cells for k in c.get("attachments", {})
        }
        store = built_book.parent / "jupyter_execute" / f"{doc}.glue.json"
        glue = (
            json.loads(store.read_text(encoding="utf-8"))
            if store.exists()
            else {}
        )
        for key in figures:
            data = glue.get(key, {}).get("data", {})
            is_image = "image/png" in data or CHART_MIME in data
            if is_image and key not in attached:
                problems.append(
                    f"{nb_path.name}: figure {key} is not attached as an image"
                )
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if CHART_MIME in data and "image/png" not in data:
                    problems.append(
                        f"{nb_path.name}: cell {i} shows a chart with no image/png"
                    )
        text = page.read_text(encoding="utf-8")
        name = Path(doc).name + ".ipynb"
        if (
            f'{name}" download="{name}"' not in text
            or "download-notebook-button" not in text
        ):
            problems.append(
                f"{doc}.html: no link to {name} (page footer and download menu)"
            )
    assert not problems, "\n".join(problems)


@pytestmark_build
def test_report_offers_the_ledger(built_book):
    text = (built_book / "book" / "report.html").read_text(encoding="utf-8")
    for name in ("claims.csv", "claims.json"):
        assert f'href="../{name}" download' in text, name
        assert (built_book / name).is_file(), name


@pytestmark_build
def test_every_local_link_and_image_resolves(built_book):
    """Downloads work from the built site: every relative href/src of every page is a file."""
    problems = []
    for page in html_pages(built_book):
        text = page.read_text(encoding="utf-8")
        for attr, url in re.findall(r'\b(href|src)="([^"]+)"', text):
            parts = urlsplit(html.unescape(url))
            if (
                parts.scheme
                or parts.netloc
                or not parts.path
                or url.startswith(("#", "mailto:", "data:"))
            ):
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(
                    f"{page.relative_to(built_book)}: {attr}={url} does not exist"
                )
    assert not problems, "\n".join(sorted(set(problems)))


@pytestmark_build
def test_tables_have_header_cells(built_book):
    problems = []
    for page in html_pages(built_book):
        if page.name in ("genindex.html", "search.html"):
            continue
        text = page.read_text(encoding="utf-8")
        main = text[text.find("<article") : text.rfind("</article>")]
        for i, table in enumerate(
            re.findall(r"<table\b.*?</table>", main, re.S)
        ):
            label = re.search(r'id="([^"]+)"', table)
            where = f"{page.relative_to(built_book)}: table {label[1] if label else i + 1}"
            if "<th" not in table:
                problems.append(f"{where}: no header cell")
            for th in re.findall(r"<th\b[^>]*>", table):
                if "scope=" not in th:
                    problems.append(
                        f"{where}: header cell without scope: {th}"
                    )
                    break
    assert not problems, "\n".join(problems)


@pytestmark_build
def test_theme_icon_script_replaced(built_book):
    stub = built_book / "_static" / "scripts" / "fontawesome.js"
    assert stub.stat().st_size < 1000, (
        "the theme's 1.5 MB Font Awesome script is published again"
    )
    css = (
        built_book / "_static" / "styles" / "pydata-sphinx-theme.css"
    ).read_text(encoding="utf-8")
    assert ".fa-bars:before" in css and "fa-solid-900.woff2" in css, (
        "the theme no longer draws icons from its CSS"
    )


def test_published_notebook_gets_chart_images(tmp_path, sample_chart):
    """The kernel makes no image: the published notebook gets each chart's PNG from the build."""
    import nbformat

    from migbook.charts import chart_id

    spec, bundle = sample_chart
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_output("display_data", data=dict(bundle))
    nb.cells = [
        nbformat.v4.new_code_cell(
            "chart", execution_count=1, outputs=[shown]
        ),
        nbformat.v4.new_markdown_cell(
            "```{glue:figure} fig-b\n:name: fig-b\n```"
        ),
    ]
    src, dest = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, str(src))
    glue = {
        "fig-b": {
            "data": {
                CHART_MIME: spec,
                "text/plain": "<chart: Bars.>",
            }
        }
    }
    assets = site.ChartAssets(tmp_path / "html", tmp_path / "cache")
    assert publish_notebook(src, dest, glue, assets) == 2
    out = nbformat.read(str(dest), as_version=4)
    cid = chart_id(spec)
    png = (tmp_path / "html" / "_charts" / f"{cid}.png").read_bytes()
    import base64

    assert (
        base64.b64decode(out.cells[1].outputs[0]["data"]["image/png"])
        == png
    )  # cells[0]: the intro cell
    assert (
        base64.b64decode(out.cells[2].attachments["fig-b.png"]["image/png"])
        == png
    )
    assert (
        out.cells[2].source.strip()
        == "![Bars of three years of remittances.](attachment:fig-b.png)"
    )
