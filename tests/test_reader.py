"""What a reader meets, checked without a browser: the front page and chapter 2 put their
findings first, bookkeeping code folds, citations name the release and the original paper, and
the published notebooks and the bundle stand alone. (At both widths in Chromium:
tests/test_browser_reader.py.)"""

import ast
import io
import json
import re
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from migbook.cli import bundle
from migbook.render import badge_html
from migbook.sphinx import citing
from migbook.sphinx import plain_notebook as notebook_text
from migbook.sphinx.publication import site_file_links

ROOT = Path(__file__).resolve().parents[1]
CELL = re.compile(
    r"^```\{code-cell\}[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.S | re.M
)
#: calls that only record or glue a result (no analysis of their own)
BOOKKEEPING = {
    "check",
    "external",
    "withdraw",
    "glue_value",
    "glue_values",
    "glue_cited",
}


def cells(path: Path):
    """(tags, code) of each code cell of a chapter."""
    for m in CELL.finditer(path.read_text(encoding="utf-8")):
        lines = m["body"].splitlines()
        tags = " ".join(ln for ln in lines if ln.startswith(":tags:"))
        code = "\n".join(ln for ln in lines if not re.match(r"^:\w+:", ln))
        yield tags, code


def is_bookkeeping(code: str) -> bool:
    """Every statement a bookkeeping call (or a loop of them), or a cell that only draws a
    chart (its code folds, the chart stays)."""
    tree = ast.parse(code)
    names = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    if "figure" in names and "alt." in code and not names & BOOKKEEPING:
        return True

    def call(st):
        return (
            isinstance(st, ast.Expr)
            and isinstance(st.value, ast.Call)
            and isinstance(st.value.func, ast.Name)
            and st.value.func.id in BOOKKEEPING
        )

    return bool(tree.body) and all(
        call(st) or (isinstance(st, ast.For) and all(map(call, st.body)))
        for st in tree.body
    )


def test_is_bookkeeping_tells_bookkeeping_from_analysis():
    assert is_bookkeeping('external("a")\nglue_values({"x": 1})')
    assert is_bookkeeping('for k in "ab":\n    external(k)')
    assert not is_bookkeeping('x = load("t")\ncheck("a", x.sum())')
    assert not is_bookkeeping("")


CHAPTERS = sorted((ROOT / "book").glob("ch*.md"))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapters_fold_their_bookkeeping_cells(path):
    """No cell that only records results or draws a chart shows its code by default
    (``hide-input``: one click shows it; it still runs)."""
    shown = [
        code.splitlines()[0]
        for tags, code in cells(path)
        if code.strip()
        and is_bookkeeping(code)
        and not re.search(r"hide-input|remove-input|remove-cell", tags)
    ]
    assert not shown, shown


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_code_cell_only_names_a_claim(path):
    """A claim with nothing to compute is declared by the ledger ({claims-declared}), not by
    an ``external("<id>")`` call that carries nothing but the id."""
    bare = []
    for _, code in cells(path):
        for node in ast.walk(ast.parse(code)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "external"
                and not node.keywords
                and all(isinstance(a, ast.Constant) for a in node.args)
            ):
                bare.append(node.args[0].value)
    assert not bare, bare


def test_declared_claim_is_what_external_records():
    from migbook.claims import external_result
    from migbook.data import ledger_records
    from migbook.notebook import _note, declared

    rows = ledger_records()
    outside = next(r for r in rows if r["basis"] == "outside")
    result, row = declared(outside["id"])
    want = external_result(row, note=_note(row, "", source=True))
    assert result.record() == want.record()
    assert result.status == "external" and result.rule == "outside-source"
    inside = next(r for r in rows if r["basis"] == "table")
    with pytest.raises(ValueError, match="column basis"):
        declared(inside["id"])


def test_declared_claims_in_a_published_notebook_and_the_bundle():
    from migbook.data import ledger_records

    cid = next(r["id"] for r in ledger_records() if r["basis"] == "outside")
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                f"Text.\n\n```{{claims-declared}}\n{cid}\n```\n"
            )
        ]
    )
    notebook_text.readable(
        nb,
        {},
        "book/ch1",
        {"site_url": "", "repository_url": "", "citations": {}},
    )
    cell = nb.cells[1]
    assert cell.metadata["migbook-declared"] == [cid]
    assert "{claims-declared}" not in cell.source
    assert (
        f"- external [outside-source] (outside source) {cid}:"
        in cell.source
    )
    recs = bundle.claim_records(nb)
    assert [r["id"] for r in recs] == [cid] and recs[0][
        "status"
    ] == "external"


def _headings(path: Path) -> list[str]:
    text = re.sub(
        r"^```.*?^```",
        "",
        path.read_text(encoding="utf-8"),
        flags=re.S | re.M,
    )
    return re.findall(r"^(#{1,3}) (.+)$", text, re.M)


def test_chapter_two_opens_with_its_findings():
    heads = _headings(ROOT / "book" / "ch2_escalation.md")
    assert heads[1] == ("##", "What the checks show"), heads[:3]


def test_front_page_leads_with_the_findings():
    """The front page: counts and findings (glued, never typed), then where to start, then what
    the book is; its files are links."""
    text = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    counts = text.index("```{claims-counts}")
    about = text.index("## What the book is")
    assert counts < about
    findings = text[counts:about]
    assert findings.count("{glue:text}`") >= 6
    assert "Where to start" in findings
    # no number typed in the findings: every digit is in a glue key, a year, or a paper's name
    prose = re.sub(r"\{[a-z:]+\}`[^`]*`", "", findings)
    prose = re.sub(r"```\{claims-counts\}\n```", "", prose)
    typed = [
        n
        for n in re.findall(r"\d[\d.,]*", prose)
        if not re.fullmatch(r"(19|20)\d\d|2001|2004|[1-6]", n)
    ]
    assert not typed, typed
    assert '<a href="site:claims.csv">' in text
    assert '<a href="site:CITATION.cff">' in text


def test_site_file_links_are_relative_to_the_page():
    def pathto(name, resource):
        assert resource == 1
        return "../" + name

    out = site_file_links('<a href="site:CITATION.cff">x</a>', pathto)
    assert out == '<a href="../CITATION.cff">x</a>'


# ---------------------------------------------------------------- citations
def test_citation_names_release_date_and_the_original_paper():
    cff = citing.citation_meta()
    row = {
        "id": "p2001-x",
        "paper": "p2001",
        "section": "I",
        "statement": "a figure",
        "cited": "5",
        "status": "reproduced",
        "computed_value": "5",
        "computed_unit": "US$ billion",
        "rule": "",
        "basis": "table",
    }
    text = citing.citation_text(row, cff, "https://example.org/r#p2001-x")
    assert f"version {cff['version']} of {cff['date-released']}" in text
    assert "recomputed US$5 billion" in text
    assert "Cite the original paper as well: Delgado Wise, Raúl" in text
    assert (
        "Canadian Journal of Development Studies XXII(3): 747–764" in text
    )
    bib = citing.bibtex(row, cff, "https://example.org/r#p2001-x")
    assert f"date    = {{{cff['date-released']}}}" in bib
    assert "Original paper: Delgado Wise" in bib
    assert citing.paper_reference("p2004").startswith(
        "Delgado-Wise, Raúl (2004)"
    )


# ---------------------------------------------------------------- badges
def test_badge_note_folds_under_its_line():
    fields = {
        "id": "p2001-x",
        "status": "discrepant",
        "rule": "as-printed",
        "cited": "5",
        "label": "recomputed",
        "value": "US$6 billion",
        "note": "Computed US$6 billion lies US$1 billion above.",
    }
    out = badge_html(fields)
    assert re.search(
        r'^<div class="claim-check" id="claim-p2001-x"><a class="claim-badge'
        r'.*US\$6 billion</b>\. <details class="claim-details"><summary>note'
        r'</summary> <span class="claim-note">[^<]*</span></details></div>$',
        out.strip(),
        re.S,
    ), out
    # no control inside the summary (axe: nested-interactive)
    summary = re.search(r"<summary>(.*?)</summary>", out, re.S)[1]
    assert "<a " not in summary
    bare = badge_html({**fields, "note": ""})
    assert (
        "<details" not in bare and "recomputed <b>US$6 billion</b>" in bare
    )


# ---------------------------------------------------------------- notebooks and bundle
def test_book_only_markup_written_out():
    text = (
        "(ch2-escalation)=\n# Title\n\n```{claims-list}\n:status: discrepant\n```\n\n"
        "```{note}\nA remark.\n```\n"
    )
    out = notebook_text.resolve_book_only(
        text, {"site_url": "https://example.org/b/"}, "book/errata"
    )
    assert "(ch2-escalation)=" not in out and out.startswith("# Title")
    assert "{claims-list}" not in out and ":status:" not in out
    assert "https://example.org/b/book/errata.html" in out
    assert "> A remark." in out and "{note}" not in out


def test_glue_only_outputs_show_their_value(tmp_path):
    from migbook.sphinx.published_notebooks import publish_notebook

    glued = nbformat.v4.new_output(
        "display_data",
        data={
            "application/papermill.record/text/plain": "0.40700000000000003"
        },
        metadata={
            "scrapbook": {
                "name": "origin-2001",
                "mime_prefix": "application/papermill.record/",
            }
        },
    )
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("glue", outputs=[glued])]
    )
    src = tmp_path / "ch.ipynb"
    nbformat.write(nb, str(src))
    dest = tmp_path / "_sources" / "book" / "ch.ipynb"
    publish_notebook(src, dest, {})
    out = json.loads(dest.read_text(encoding="utf-8"))
    data = [c for c in out["cells"] if c["cell_type"] == "code"][0][
        "outputs"
    ][0]["data"]
    assert (
        "".join(data["text/plain"])
        == "origin-2001 = 0.407  (glued for the text)"
    )


def test_bundle_requirements_are_what_reexecution_needs():
    text = bundle.run_requirements(
        (ROOT / "requirements.txt").read_text(encoding="utf-8")
    )
    names = {
        ln.split("==")[0]
        for ln in text.splitlines()
        if ln and not ln.startswith("#")
    }
    assert {
        "pandas",
        "numpy",
        "altair",
        "ipykernel",
        "nbclient",
        "myst-nb",
        "jupyter-client",
        "pyzmq",
    } <= names
    for tool in (
        "playwright",
        "ruff",
        "pre-commit",
        "pytest",
        "jupyter-book",
        "axe-playwright-python",
        "pypdf",
    ):
        assert tool not in names, tool
    full = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            assert re.search(rf"^{re.escape(line)}$", full, re.M), line
    with pytest.raises(ValueError, match="no pin for nosuch"):
        bundle.run_requirements(full, roots=("pandas", "nosuch"))


def test_bundle_carries_licences_citation_and_its_title(tmp_path):
    nbs = tmp_path / "nb" / "book"
    nbs.mkdir(parents=True)
    (nbs / "ch1.ipynb").write_text('{"cells": []}', encoding="utf-8")
    dest = bundle.write_bundle(
        tmp_path / "b.zip",
        tmp_path / "nb",
        "https://e.org/",
        "https://e.org/r",
    )
    with zipfile.ZipFile(io.BytesIO(dest.read_bytes())) as zf:
        names = set(zf.namelist())
        readme = zf.read("README.md").decode()
        reqs = zf.read("requirements.txt").decode()
    assert {"LICENSE", "LICENSE-CC-BY-4.0", "CITATION.cff"} <= names
    title = yaml.safe_load(
        (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    )["title"]
    assert readme.startswith(f"# Reproduction bundle: {title}\n")
    assert "Project name not set" not in readme
    assert "playwright" not in reqs and "pandas==" in reqs


# ---------------------------------------------------------------- the built site
@pytest.mark.build
def test_built_site_serves_citation_and_ledger_links(built_book):
    assert (built_book / "CITATION.cff").read_bytes() == (
        ROOT / "CITATION.cff"
    ).read_bytes()
    intro = (built_book / "book" / "intro.html").read_text(encoding="utf-8")
    assert (
        'href="../claims.csv"' in intro
        and 'href="../CITATION.cff"' in intro
    )
    assert "site:" not in intro
    with zipfile.ZipFile(built_book / "migbook-reproduction.zip") as zf:
        assert "Project name not set" not in zf.read("README.md").decode()
        assert "LICENSE" in zf.namelist()


@pytest.mark.build
def test_built_notebooks_stand_alone(built_book):
    """No raw label, no unfilled directive, no blank output in any published notebook."""
    for p in sorted((built_book / "_sources" / "book").glob("*.ipynb")):
        nb = json.loads(p.read_text(encoding="utf-8"))
        md = "\n".join(
            "".join(c["source"])
            for c in nb["cells"]
            if c["cell_type"] == "markdown"
        )
        assert not re.search(r"^\([\w.:-]+\)=", md, re.M), p.name
        assert not re.search(
            r"^(:::|```)\{(claims-|note|bibliography)", md, re.M
        ), p.name
        shown = ("text/plain", "text/html", "image/png", "image/svg+xml")
        blank = [
            o.get("metadata", {}).get("scrapbook", {}).get("name", "?")
            for c in nb["cells"]
            if c["cell_type"] == "code"
            for o in c.get("outputs", [])
            if o["output_type"] in ("display_data", "execute_result")
            and not any(k in o.get("data", {}) for k in shown)
        ]
        assert not blank, (p.name, blank[:5])
