"""The Sphinx extension (migbook.sphinx) on a tiny book built with sphinx.testing: one chapter
that glues two claim records, the report, a claims list and the citation example, under the
html, dirhtml and singlehtml builders (links must hold under all three)."""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest

from migbook.data import update_stats

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://example.org/tiny/"

CONF = f'''
extensions = ["myst_nb", "migbook.sphinx"]
root_doc = "index"
html_baseurl = "{BASE}"
nb_execution_mode = "cache"  # as the book: notebook pages run in parallel (migbook.sphinx.execution)
nb_execution_raise_on_error = True
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build", "data"]
suppress_warnings = ["mystnb.unknown_mime_type"]
numfig = True
nb_mime_priority_overrides = [
    ("*", "application/vnd.migbook.chart+json", 1),
    ("*", "application/vnd.migbook.claim+json", 1),
]
'''
CHAPTER = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---
# A tiny chapter

```{{code-cell}} python3
from IPython.display import display

# each claim as migbook.notebook shows it: one badge output, glued under the claim id, that
# carries the claim's record
for rec in {records!r}:
    badge = dict(id=rec["id"], status=rec["status"], rule="", cited="1", label="", value="")
    display(
        {{
            "application/vnd.migbook.claim+json": dict(badge, note="", record=rec),
            "text/plain": repr(rec["computed_value"]),
        }},
        raw=True,
        metadata={{"scrapbook": {{"name": rec["id"], "mime_prefix": ""}}}},
    )
```
"""
PAGES = {
    "index.md": "# Tiny book\n\n```{toctree}\nbook/ch1_export_model\nbook/figures\nbook/errata\nbook/report\n```\n",
    "book/errata.md": "# Errata\n\n```{claims-list}\n:id: errata\n```\n",
    "book/report.md": "# Report\n\n## Citing\n\n```{claims-cite-example}\n```\n\n## Claims\n\n```{claims-report}\n```\n",
}


@pytest.fixture(scope="module")
def tiny_rows():
    with (ROOT / "data" / "claims.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        led = list(csv.DictReader(fh))
    done = next(r for r in led if r["cited_value"] and "," in r["cited"])
    ext = next(r for r in led if r is not done and r["cited_value"])
    return led[0].keys(), [done, ext]


@pytest.fixture(scope="module")
def tiny_src(tmp_path_factory, tiny_rows):
    import shutil

    columns, (done, ext) = tiny_rows
    src = tmp_path_factory.mktemp("tiny")
    data = src / "data"
    shutil.copytree(ROOT / "data", data)
    for r in (done, ext):
        r["chapter"] = "book/ch1_export_model"
    with (data / "claims.csv").open(
        "w", encoding="utf-8", newline=""
    ) as fh:
        w = csv.DictWriter(
            fh, fieldnames=list(columns), lineterminator="\n"
        )
        w.writeheader()
        w.writerows([done, ext])
    for name in ("claim_checks.csv", "claim_readings.csv"):
        header = (data / name).read_text(encoding="utf-8").splitlines()[0]
        (data / name).write_text(header + "\n", encoding="utf-8")  # no rows
    update_stats(
        data
    )  # an intended edit: record the reduced ledger's stats
    records = [
        {
            "id": done["id"],
            "status": "reproduced",
            "computed_value": float(done["cited_value"]) + 0.1**12,
            "unit": done["unit"],
            "reading": "",
            "bounds": "[a, b)",
            "note": "",
        },
        {
            "id": ext["id"],
            "status": "external",
            "computed_value": 19878.600000000002,
            "unit": "US$ million",
            "reading": "",
            "bounds": "",
            "note": "needs an outside source",
        },
    ]
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    (src / "book").mkdir()
    (src / "book" / "ch1_export_model.md").write_text(
        CHAPTER.format(records=records), encoding="utf-8"
    )
    for name, text in PAGES.items():
        (src / name).write_text(text, encoding="utf-8")
    _figures_notebook(src / "book" / "figures.ipynb", done)
    return src, done, ext


#: the chart of the figures page: glued, placed by {glue:figure}, referenced by {numref}
TINY_SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
    "name": "fig-tiny",
    "description": "Two bars: 1 in 1991, 3 in 1992.",
    "data": {
        "values": [{"year": "1991", "n": 1}, {"year": "1992", "n": 3}]
    },
    "mark": "bar",
    "encoding": {
        "x": {"field": "year", "type": "ordinal"},
        "y": {"field": "n", "type": "quantitative"},
    },
}


def _figures_notebook(path: Path, done: dict) -> None:
    """A notebook page with stored outputs (not executed): a claim badge under a code cell, a
    chart shown by a code cell, and a glued chart placed as a numbered figure."""
    import nbformat
    from myst_nb.ext.glue import GLUE_PREFIX

    from migbook.charts import render
    from migbook.render import CLAIM_MIME, badge_html, badge_text

    fields = {
        "id": done["id"],
        "status": "reproduced",
        "rule": "round-number",
        "cited": done["cited"],
        "label": "recomputed",
        "value": "1,234",
        "note": "A note with <angle> & ampersand",
    }
    badge = {
        CLAIM_MIME: fields,
        "text/html": badge_html(fields),
        "text/plain": badge_text(fields),
    }
    shown = dict(TINY_SPEC, name="", description="A chart shown by a cell.")
    nb = nbformat.v4.new_notebook()
    nb.metadata.update(
        {
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
            "language_info": {"name": "python"},
            "mystnb": {"execution_mode": "off"},
        }
    )
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Figures"),
        nbformat.v4.new_code_cell(
            "check(...)",
            execution_count=1,
            outputs=[nbformat.v4.new_output("display_data", data=badge)],
        ),
        nbformat.v4.new_code_cell(
            "chart",
            execution_count=2,
            outputs=[
                nbformat.v4.new_output("display_data", data=render(shown))
            ],
        ),
        nbformat.v4.new_code_cell(
            "figure(chart, 'fig-tiny', ...)",
            execution_count=3,
            outputs=[
                nbformat.v4.new_output(
                    "display_data",
                    data={
                        GLUE_PREFIX + k: v
                        for k, v in render(TINY_SPEC).items()
                    },
                    metadata={
                        "scrapbook": {
                            "name": "fig-tiny",
                            "mime_prefix": GLUE_PREFIX,
                        }
                    },
                )
            ],
        ),
        nbformat.v4.new_markdown_cell(
            ":::{glue:figure} fig-tiny\n:name: fig-tiny\n\nTwo years.\n:::\n\n"
            "{numref}`fig-tiny` shows two years."
        ),
    ]
    nbformat.validate(nb)
    nbformat.write(nb, str(path))


def build(src: Path, builder: str) -> Path:
    return build_with_log(src, builder)[0]


def build_with_log(src: Path, builder: str) -> tuple[Path, str]:
    """Build ``src`` (incrementally, in ``src/_build``); return the output folder and the log."""
    from sphinx.testing.util import SphinxTestApp

    old = os.environ.get("MIGBOOK_DATA")
    os.environ["MIGBOOK_DATA"] = str(src / "data")
    try:
        app = SphinxTestApp(
            builder, srcdir=src, builddir=src / "_build" / f"{builder}-tree"
        )
        try:
            app.build()
            assert not app._warning.getvalue().strip(), (
                app._warning.getvalue()
            )
            return Path(app.outdir), app._status.getvalue()
        finally:
            app.cleanup()
    finally:
        if old is None:
            os.environ.pop("MIGBOOK_DATA", None)
        else:
            os.environ["MIGBOOK_DATA"] = old


@pytest.fixture(scope="module")
def html_out(tiny_src):
    return build(tiny_src[0], "html")


def test_report_rows_links_and_search_entries(tiny_src, html_out):
    _, done, ext = tiny_src
    page = (html_out / "book" / "report.html").read_text(encoding="utf-8")
    for r in (done, ext):
        assert f'<tbody class="migbook-claim" id="{r["id"]}"' in page
        assert (
            f'href="ch1_export_model.html#claim-{r["id"]}"' in page
        )  # from the builder
        assert (
            f"url     = {{{BASE}book/report.html#{r['id']}}}" in page
        )  # per-row BibTeX, full url
    assert (
        'href="../claims.csv" download' in page and "A tiny chapter" in page
    )  # chapter by title
    assert (
        "&lt;address of the book&gt;" not in page
        and f"{BASE}book/report.html#{done['id']}" in page
    )
    index = (html_out / "searchindex.js").read_text(encoding="utf-8")
    figure = re.search(r"\d{1,3}(?:,\d{3})+", done["cited"])[0]
    for term in (done["id"], figure, figure.replace(",", "")):
        assert f'"{term}": [[' in index, term


def test_search_entries_survive_a_rebuild_with_no_change(
    tiny_src, html_out
):
    """Sphinx takes a page's search entries from its doctree when it writes the page: a rebuild
    with nothing changed writes no page, and the claims must still be in the search index."""
    _, done, _ = tiny_src
    again = build(
        tiny_src[0], "html"
    )  # the same build folder: an incremental build
    index = (again / "searchindex.js").read_text(encoding="utf-8")
    assert f'"{done["id"]}": [[' in index


def _read_and_written(log: str) -> tuple[set[str], set[str]]:
    log = re.sub(r"\x1b\[[0-9;]*m", "", log)
    read = set(re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", log))
    written = set(
        re.findall(r"writing output\.\.\. \[\s*\d+%\] (\S+)", log)
    )
    return read, written


def test_incremental_builds_read_and_write_only_what_changed(
    tiny_src, html_out, tmp_path
):
    """The author's loop: nothing changed, nothing read or written; a chapter edit that leaves
    every claim as it was rewrites that chapter only (and, as Sphinx does, its table of contents); an edit that changes a claim rewrites the
    pages that show the claims too, with the new value."""
    import shutil

    src = tmp_path / "tiny"
    # with its _build: the builds below are incremental
    shutil.copytree(tiny_src[0], src)
    _, done, _ = tiny_src
    chapter = src / "book" / "ch1_export_model.md"
    build(src, "html")  # the copy's first build in its new folder
    out, log = build_with_log(src, "html")
    assert _read_and_written(log) == (set(), set())
    index = (out / "searchindex.js").read_text(encoding="utf-8")
    assert f'"{done["id"]}": [[' in index

    text = chapter.read_text(encoding="utf-8")
    # prose only: the code is in the cache (the kernel started early is stopped unused)
    chapter.write_text(text + "\nOne more sentence.\n", encoding="utf-8")
    out, log = build_with_log(src, "html")
    assert _read_and_written(log)[0] == {"book/ch1_export_model"}
    assert "Executing notebook" not in log

    exported = (out / "claims.json").stat().st_mtime_ns
    chapter.write_text(
        text + "\n```{code-cell} python3\nunrelated = 1\n```\n",
        encoding="utf-8",
    )
    out, log = build_with_log(src, "html")
    # the claims are as they were: their exports are not written again
    assert (out / "claims.json").stat().st_mtime_ns == exported
    read, written = _read_and_written(log)
    assert read == {"book/ch1_export_model"}
    # Sphinx also writes the page whose table of contents holds the edited one
    assert written == {"book/ch1_export_model", "index"}
    # run once, in parallel, into the cache myst-nb then reads (not run again by myst-nb)
    assert "Executing notebook (in parallel)" in log
    assert "Executing notebook using" not in log

    changed = 1234567.0
    old = repr(float(done["cited_value"]) + 0.1**12)
    assert old in text
    chapter.write_text(text.replace(old, repr(changed)), encoding="utf-8")
    out, log = build_with_log(src, "html")
    read, written = _read_and_written(log)
    assert read == {"book/ch1_export_model"}
    assert {
        "book/ch1_export_model",
        "book/errata",
        "book/report",
    } <= written
    data = json.loads((out / "claims.json").read_text(encoding="utf-8"))
    row = next(r for r in data if r["id"] == done["id"])
    assert row["computed_value"] == changed
    assert "1,234,567" in (out / "book" / "report.html").read_text(
        encoding="utf-8"
    )


def test_exports_typed_and_rounded(tiny_src, html_out):
    _, done, ext = tiny_src
    data = json.loads(
        (html_out / "claims.json").read_text(encoding="utf-8")
    )
    by_id = {d["id"]: d for d in data}
    assert by_id[done["id"]]["computed_value"] == float(
        done["cited_value"]
    )  # no float noise
    assert (
        by_id[done["id"]]["implied_value"] is None
        and by_id[done["id"]]["cited_high"] is None
    )
    assert (
        by_id[ext["id"]]["computed_value"] is None
        and by_id[ext["id"]]["implied_value"] == 19878.6
    )
    assert isinstance(by_id[done["id"]]["cited_value"], (int, float))
    text = (html_out / "claims.csv").read_text(encoding="utf-8")
    assert "19878.6," in text and "19878.600000000002" not in text
    header = text.splitlines()[0].split(",")
    schema = json.loads(
        (ROOT / "data" / "datapackage.json").read_text(encoding="utf-8")
    )
    ledger = [
        f["name"]
        for r in schema["resources"]
        if r["name"] == "claims"
        for f in r["schema"]["fields"]
    ]
    assert header[: len(ledger)] == ledger and "implied_value" in header


def test_dirhtml_links(tiny_src):
    src, done, _ = tiny_src
    out = build(src, "dirhtml")
    page = (out / "book" / "report" / "index.html").read_text(
        encoding="utf-8"
    )
    assert f'href="../ch1_export_model/#claim-{done["id"]}"' in page
    assert 'href="../../claims.csv" download' in page
    assert f"{BASE}book/report/#{done['id']}" in page
    errata = (out / "book" / "errata" / "index.html").read_text(
        encoding="utf-8"
    )
    assert f'href="../report/#{done["id"]}"' in errata


CHART_DOWNLOADS = (
    '<p class="migbook-chart-downloads">Download this chart: '
    '<a href="{p}fig-tiny.png" download>PNG</a> · '
    '<a href="{p}fig-tiny.svg" download>SVG</a> · '
    '<a href="{p}fig-tiny.csv" download>data (CSV)</a> · '
    '<a href="{p}fig-tiny.vl.json" download>Vega-Lite spec (JSON)</a></p>'
)


def _chart_and_badge(out: Path, page: Path, up: str, done: dict, urls):
    """The figures page's chart, downloads, figure and badge, with ``up`` the way from the page
    to the output folder and ``urls`` the expected (report, policy, page address) links."""
    from migbook.charts import chart_id

    text = page.read_text(encoding="utf-8")
    cid = chart_id(TINY_SPEC)
    block = re.search(
        rf'<div class="migbook-chart" id="{cid}"(.*?)</script></div>',
        text,
        re.S,
    )
    assert block, "the glued chart is not on the page"
    block = block[0]
    png = f"{up}_charts/fig-tiny.png"
    assert f'data-static="{png}"' in block
    assert (
        '<div class="migbook-chart-view" role="img" '
        'aria-label="Two bars: 1 in 1991, 3 in 1992.">'
        f'<noscript><img class="migbook-chart-static" src="{png}" '
        'alt="Two bars: 1 in 1991, 3 in 1992." width="'
    ) in block
    assert (
        "<summary>Chart description</summary>"
        "<p>Two bars: 1 in 1991, 3 in 1992.</p>"
    ) in block
    assert CHART_DOWNLOADS.format(p=f"{up}_charts/") in block
    assert (
        '<p class="migbook-cite-text">' in block
        and f"{urls[2]}#fig-tiny</p>" in block
    )
    assert _links_resolve(page, block) == 4  # the downloads
    vega = json.loads(
        re.search(r'class="migbook-vega">(.*?)</script>', block, re.S)[1]
    )
    assert vega["$schema"].startswith("https://vega.github.io/schema/vega/")
    for ext in (".png", ".svg", ".csv", ".vl.json"):
        assert (out / "_charts" / f"fig-tiny{ext}").stat().st_size > 0
    # the {glue:figure}: a numbered figure with its anchor, referenced by {numref}
    assert re.search(
        r'<figure class="align-default" id="fig-tiny">\s*'
        r'<div class="output text_html"><div class="migbook-chart"',
        text,
    )
    assert re.search(
        r'href="#fig-tiny"><span class="std std-numref">Fig\. 1', text
    )
    # a chart shown by a code cell (no figure name: files named by its id)
    assert 'aria-label="A chart shown by a cell."' in text
    assert "migbook-spec" not in text and "vnd.migbook" not in text
    # the badge: its text kept, links from the builder
    badge = re.search(r'<div class="claim-check".*?</div>', text, re.S)[0]
    # the report row resolves (the tiny book has no policy page)
    assert _links_resolve(page, badge, skip=("policy",)) == 1
    # the note folds at the end of the badge's line
    assert badge == (
        f'<div class="claim-check" id="claim-{done["id"]}">'
        f'<a class="claim-badge claim-reproduced" href="{urls[0]}" '
        'title="See this claim in the reproducibility report">reproduced</a> '
        f'<a class="claim-rule" href="{urls[1]}" '
        'title="The rule of the judging policy that decided this status">'
        "[round-number]</a> "
        f"<code>{done['id']}</code>: cited “{html_escape(done['cited'])}”; "
        "recomputed <b>1,234</b>. "
        '<details class="claim-details"><summary>note</summary> '
        '<span class="claim-note">A note with &lt;angle&gt; &amp; ampersand'
        "</span></details></div>"
    )


def _resolve(page: Path, href: str) -> tuple[Path, str]:
    """The file and anchor a relative link of ``page`` points to (a folder: its index.html)."""
    path, _, anchor = href.partition("#")
    target = (page.parent / path).resolve() if path else page
    if target.is_dir():
        target = target / "index.html"
    return target, anchor


def _links_resolve(page: Path, block: str, skip=()) -> int:
    """Every link of ``block`` reaches an existing file, and the anchor on it; returns the count."""
    n = 0
    for href in re.findall(r'href="([^"]+)"', block):
        if href.startswith("http") or any(s in href for s in skip):
            continue
        target, anchor = _resolve(page, href)
        assert target.is_file(), (href, target)
        if anchor:
            assert f'id="{anchor}"' in target.read_text(encoding="utf-8"), (
                href
            )
        n += 1
    return n


def html_escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def test_chart_and_badge_html(tiny_src, html_out):
    _, done, _ = tiny_src
    _chart_and_badge(
        html_out,
        html_out / "book" / "figures.html",
        "../",
        done,
        (
            f"report.html#{done['id']}",
            "policy.html#rule-round-number",
            f"{BASE}book/figures.html",
        ),
    )
    report = (html_out / "book" / "report.html").read_text(encoding="utf-8")
    assert f'<tbody class="migbook-claim" id="{done["id"]}"' in report


def test_chart_and_badge_dirhtml(tiny_src):
    src, done, _ = tiny_src
    out = build(src, "dirhtml")
    _chart_and_badge(
        out,
        out / "book" / "figures" / "index.html",
        "../../",
        done,
        (
            f"../report/#{done['id']}",
            "../policy/#rule-round-number",
            f"{BASE}book/figures/",
        ),
    )


def test_chart_and_badge_in_text_and_latex_builders(tiny_src):
    """Builders other than HTML do not crash: the chart's description, the badge as text."""
    src, done, _ = tiny_src
    out = build(src, "text")
    text = (out / "book" / "figures.txt").read_text(encoding="utf-8")
    assert "Two bars: 1 in 1991, 3 in 1992." in text
    assert f"reproduced [round-number] {done['id']}: cited" in text
    out = build(src, "latex")
    tex = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.tex"))
    assert "Two bars: 1 in 1991, 3 in 1992." in tex


def test_published_notebook_keeps_badge_and_gets_chart_image(
    tiny_src, html_out
):
    import nbformat

    from migbook.charts import CHART_MIME

    nb = nbformat.read(
        str(html_out / "_sources" / "book" / "figures.ipynb"), as_version=4
    )
    outs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert any(
        "claim-check" in o["data"].get("text/html", "") for o in outs
    )
    assert any(
        CHART_MIME in o["data"] and "image/png" in o["data"] for o in outs
    )
    assert any("fig-tiny.png" in c.get("attachments", {}) for c in nb.cells)


def test_singlehtml_links(tiny_src):
    src, done, _ = tiny_src
    out = build(src, "singlehtml")
    page = (out / "index.html").read_text(encoding="utf-8")
    assert (
        f'id="{done["id"]}"' in page
        and f'href="#claim-{done["id"]}"' in page
    )
    assert f'href="#{done["id"]}"' in page
    assert "report.html#" not in page.replace(
        f"{BASE}book/report.html#", ""
    )
    assert (
        f"{BASE}book/report.html#{done['id']}" in page
    )  # citations give the web address


def test_ledger_columns_come_from_the_schema(tmp_path, tiny_src):
    """A ledger that gains columns (here `cited_kind` and `note`, as other branches add) is
    published with them."""
    import shutil

    src0, done, ext = tiny_src
    src = tmp_path / "book"
    shutil.copytree(src0, src, ignore=shutil.ignore_patterns("_build"))
    desc_path = src / "data" / "datapackage.json"
    desc = json.loads(desc_path.read_text(encoding="utf-8"))
    claims = next(r for r in desc["resources"] if r["name"] == "claims")
    have = {f["name"] for f in claims["schema"]["fields"]}
    claims["schema"]["fields"] += [
        {"name": n, "type": "string"}
        for n in ("cited_kind", "note")
        if n not in have
    ]
    desc_path.write_text(json.dumps(desc, indent=2), encoding="utf-8")
    with (src / "data" / "claims.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["cited_kind"] = "printed"
        r["note"] = "fixed part from the ledger"
    with (src / "data" / "claims.csv").open(
        "w", encoding="utf-8", newline=""
    ) as fh:
        w = csv.DictWriter(
            fh, fieldnames=list(rows[0]), lineterminator="\n"
        )
        w.writeheader()
        w.writerows(rows)
    update_stats(src / "data")
    out = build(src, "html")
    with (out / "claims.csv").open(encoding="utf-8", newline="") as fh:
        published = list(csv.DictReader(fh))
    header = list(published[0])
    assert header.count("note") == 1 and "cited_kind" in header
    by_id = {r["id"]: r for r in published}
    assert by_id[done["id"]]["cited_kind"] == "printed"
    # the record's note is published as the badge showed it (migbook.notebook joins the ledger's
    # fixed note with the chapter's clause once, in the kernel); the build does not join again
    assert by_id[ext["id"]]["note"] == "needs an outside source"
    assert "fixed part from the ledger" not in by_id[done["id"]]["note"]


@pytest.mark.parametrize("worker", [True, False], ids=["process", "build"])
def test_charts_are_drawn_as_soon_as_their_page_is_executed(
    tmp_path, worker
):
    """``migbook-page-executed`` draws a page's charts (shown or glued) into the cache, from the
    spec as the page's chart node holds it (keys sorted: vl-convert follows key order), so that
    writing the page copies them; the page's files are those drawings. By default the chart
    process draws them (the page waits for them); with ``migbook_chart_worker = False``, the
    build's own process."""
    from types import SimpleNamespace

    import nbformat
    from myst_nb.ext.glue import GLUE_PREFIX

    from migbook.charts import render
    from migbook.render import chart_id
    from migbook.sphinx.chart_render import (
        cache_version,
        chart_assets,
        compile_vega,
        draw_executed_charts,
    )

    shown = dict(TINY_SPEC, name="", description="Shown.")
    glued = dict(reversed(list(TINY_SPEC.items())))  # keys in another order
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "chart",
            outputs=[
                nbformat.v4.new_output("display_data", data=render(shown)),
                nbformat.v4.new_output(
                    "display_data",
                    data={
                        GLUE_PREFIX + k: v for k, v in render(glued).items()
                    },
                ),
            ],
        )
    ]
    app = _chart_app(tmp_path, worker)
    draw_executed_charts(app, "book/figures", nb)
    assets = chart_assets(app)
    cache = assets.cache
    assert (assets.worker is not None) == worker
    if worker:  # the pages wait for their charts
        for spec in (shown, TINY_SPEC):
            assets.worker.wait(chart_id(spec))
        assert assets.worker.drawn == 2
        proc = assets.worker.proc
        # at low priority: the kernels and the build come first
        assert os.getpriority(os.PRIO_PROCESS, proc.pid) > os.getpriority(
            os.PRIO_PROCESS, 0
        )
        assets.close()
        assert proc.poll() is not None and assets.worker is None
        assert not list(cache.glob("*.request.json")), (
            "requests left behind"
        )
    assert cache.parent == tmp_path / "doctrees" / "migbook-charts"
    assert cache.name == cache_version()
    for spec in (shown, TINY_SPEC):
        cid = chart_id(spec)
        ordered = json.loads(json.dumps(spec, sort_keys=True))
        for ext in (".vg.json", ".svg", ".png"):
            assert (cache / f"{cid}{ext}").stat().st_size > 0, (cid, ext)
        assert list(cache.glob(f"{cid}.narrow-*.vg.json")), cid
        assert (cache / f"{cid}.vg.json").read_text() == compile_vega(
            ordered
        )
        assert assets.vega(cid, ordered) == compile_vega(ordered)
        stem = assets.stem(cid, ordered)
        page_svg = tmp_path / "html" / "_charts" / f"{stem}.svg"
        assert page_svg.read_bytes() == (cache / f"{cid}.svg").read_bytes()
    assert not list(cache.glob("*.part")), "parts of files left behind"
    # another builder draws nothing
    other = SimpleNamespace(builder=SimpleNamespace(format="latex"))
    draw_executed_charts(other, "book/figures", nb)


def _chart_app(tmp_path: Path, worker: bool = True):
    from types import SimpleNamespace

    return SimpleNamespace(
        builder=SimpleNamespace(format="html"),
        outdir=str(tmp_path / "html"),
        doctreedir=str(tmp_path / "doctrees"),
        config=SimpleNamespace(migbook_chart_worker=worker),
    )


def _chart_notebook(*specs):
    import nbformat

    from migbook.charts import render

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "chart",
            outputs=[
                nbformat.v4.new_output("display_data", data=render(spec))
                for spec in specs
            ],
        )
    ]
    return nb


def test_a_chart_the_process_cannot_draw_fails_the_build_naming_it(
    tmp_path,
):
    """The chart process answers that it could not draw the chart; writing the page draws it
    in the build's own process, which raises the error that names the chart."""
    from sphinx.errors import ExtensionError

    from migbook.render import chart_id
    from migbook.sphinx.chart_render import (
        chart_assets,
        draw_executed_charts,
    )

    bad = dict(TINY_SPEC, name="fig-bad", mark="no-such-mark")
    app = _chart_app(tmp_path)
    draw_executed_charts(app, "book/figures", _chart_notebook(bad))
    assets = chart_assets(app)
    cid = chart_id(bad)
    assets.worker.wait(cid)
    assert assets.worker.drawn == 0
    with pytest.raises(
        ExtensionError, match="chart fig-bad: cannot convert"
    ):
        assets.vega(cid, json.loads(json.dumps(bad, sort_keys=True)))
    assets.close()


def test_charts_are_drawn_when_the_chart_process_is_gone(tmp_path):
    """A chart process that dies leaves nobody waiting: the page draws its charts itself."""
    from migbook.render import chart_id
    from migbook.sphinx.chart_render import (
        chart_assets,
        compile_vega,
        draw_executed_charts,
    )

    app = _chart_app(tmp_path)
    assets = chart_assets(app)
    nb = _chart_notebook(TINY_SPEC)
    draw_executed_charts(app, "book/figures", nb)
    assets.worker.proc.kill()  # before or while it draws
    ordered = json.loads(json.dumps(TINY_SPEC, sort_keys=True))
    assert assets.vega(chart_id(TINY_SPEC), ordered) == compile_vega(
        ordered
    )
    assets.close()


def test_charts_in_the_cache_start_no_chart_process(tmp_path):
    """A page whose charts are drawn already (an edit that leaves them as they were) starts no
    process."""
    from migbook.render import chart_id
    from migbook.sphinx.chart_render import (
        chart_assets,
        draw_executed_charts,
    )

    app = _chart_app(tmp_path)
    assets = chart_assets(app)
    assets.prepare(chart_id(TINY_SPEC), TINY_SPEC)
    draw_executed_charts(app, "book/figures", _chart_notebook(TINY_SPEC))
    assert assets.worker is None


def test_search_index_stems_words_in_c():
    """Sphinx stems every word of the search index with snowballstemmer, which uses PyStemmer (C)
    when it is installed: the same stems, a hundred times faster than its pure-Python one."""
    from sphinx.search.en import SearchEnglish

    stemmer = SearchEnglish({}).stemmer
    assert type(stemmer).__module__ == "Stemmer", type(stemmer)
    assert [stemmer.stemWord(w) for w in ("remittances", "migrating")] == [
        "remitt",
        "migrat",
    ]


def test_published_notebook_text_is_nbformats():
    """``notebook_json`` writes what ``nbformat.v4.writes`` writes (without its deep copy):
    every kind of text nbformat splits into lines (sources, attachments, text/*, SVG and
    JavaScript outputs, streams), a JSON output kept whole, the transient keys left out."""
    import nbformat
    from nbformat.v4 import (
        new_code_cell,
        new_markdown_cell,
        new_notebook,
        new_output,
    )

    from migbook.sphinx.published_notebooks import notebook_json

    svg = '<svg xmlns="http://www.w3.org/2000/svg">\n<rect/>\n</svg>'
    nb = new_notebook(
        cells=[
            new_markdown_cell(
                "# Title\n\nA line é, and ![x](attachment:x.png)\n",
                attachments={
                    "x.png": {"image/png": "iVBOR", "text/plain": "a\nb"}
                },
            ),
            new_code_cell(
                "x = 1\nprint(x)",
                execution_count=1,
                metadata={"trusted": True, "tags": ["t"]},
                outputs=[
                    new_output("stream", name="stdout", text="1\n2\n"),
                    new_output(
                        "display_data",
                        data={
                            "text/plain": "one\ntwo",
                            "text/html": "<p>a</p>\n<p>b</p>",
                            "image/svg+xml": svg,
                            "application/javascript": "a();\nb();",
                            "application/vnd.migbook.chart+json": {
                                "datasets": {"d": [{"a": 1}, {"a": 2}]}
                            },
                        },
                        metadata={"scrapbook": {"name": "k"}},
                    ),
                    new_output(
                        "execute_result",
                        data={"text/plain": "3"},
                        execution_count=1,
                    ),
                ],
            ),
        ],
        metadata={
            "orig_nbformat": 3,
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
        },
    )
    expected = nbformat.v4.writes(nb)
    assert notebook_json(nb) == expected
    assert '"trusted"' not in expected and "orig_nbformat" not in expected
    assert '"a();\\n",' in expected  # the split did happen
