"""The book as a publication: addresses and licences, published notebooks that read right in plain
Jupyter, the reproduction bundle (and re-executing a chapter from it), the sitemap and Open Graph
metadata, and a scan of every built page and notebook for junk text."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from migbook.cli import bundle
from migbook.sphinx import plain_notebook
from migbook.sphinx import publication as publish

ROOT = Path(__file__).resolve().parents[1]


def config() -> dict:
    return yaml.safe_load(
        (ROOT / "_config.yml").read_text(encoding="utf-8")
    )


# ---------------------------------------------------------------- addresses and licences
def test_addresses_set_once_and_repeated_consistently():
    cfg = config()
    site, repo = cfg["html"]["baseurl"], cfg["repository"]["url"]
    assert (
        site == "https://migbook.github.io/migbook/"
        and repo == "https://github.com/migbook/migbook"
    )
    assert cfg["html"]["use_repository_button"] is True
    cff = yaml.safe_load(
        (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    )
    assert cff["url"] == site
    assert cff["repository-code"] == repo
    assert set(cff["license"]) == {"MIT", "CC-BY-4.0"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert site in readme and repo in readme
    # no other address of the book or its repository is typed anywhere it is published
    for name, text in {
        "README.md": readme,
        "CITATION.cff": (ROOT / "CITATION.cff").read_text(encoding="utf-8"),
    }.items():
        for url in re.findall(
            r"https://[\w.-]*github\.(?:io|com)/[^\s)>\"'`]*", text
        ):
            assert url.startswith((site, repo)), (
                f"{name}: {url} is not under {site} or {repo}"
            )


def test_licences_stated_everywhere():
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    cc = (ROOT / "LICENSE-CC-BY-4.0").read_text(encoding="utf-8")
    assert (
        cc.startswith(
            "Creative Commons Attribution 4.0 International Public License"
        )
        and "Section 8" in cc
    )
    footer = config()["html"]["extra_footer"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for text in (footer, readme):
        assert "MIT" in text and "CC BY 4.0" in text
        assert "copyright" in text.lower() and "papers" in text


# ---------------------------------------------------------------- published notebooks
GLUE = {
    "share": {"data": {"text/plain": "0.4567"}},
    "name": {"data": {"text/plain": "'Zacatecas'"}},
    "tbl": {
        "data": {
            "text/plain": "table",
            "text/html": "<table><tr><td>1</td></tr></table>",
        }
    },
}
SETTINGS = {
    "title": "The book",
    "site_url": "https://example.org/b/",
    "repository_url": "https://example.org/r",
    "citations": {"p2004": "Delgado-Wise, 2004"},
}


def test_roles_written_out_as_text():
    text = (
        "A {glue:text}`share:.1%` share in {glue:text}`name` {cite}`p2004`; see {numref}`fig-a` "
        "and the {doc}`report`, or {doc}`the errata <errata>`."
    )
    out = plain_notebook.resolve_roles(
        text, GLUE, SETTINGS, {"fig-a": "4"}, "book/ch1"
    )
    assert out == (
        "A 45.7% share in Zacatecas [Delgado-Wise, 2004]; see "
        "[Fig. 4](https://example.org/b/book/ch1.html#fig-a) and the "
        "[report](https://example.org/b/book/report.html), or "
        "[the errata](https://example.org/b/book/errata.html)."
    )
    assert "{" not in out


def test_glue_directives_become_their_output():
    src = (
        ":::{glue:figure} fig-a\n:name: fig-a\nThe caption.\n:::\n\n![a chart](attachment:fig-a.png)\n\n"
        "```{glue} tbl\n```\nAfter."
    )
    out = plain_notebook.resolve_directives(src, GLUE)
    assert ":::" not in out and "{glue" not in out
    assert out.index("*The caption.*") < out.index(
        "![a chart](attachment:fig-a.png)"
    )
    assert "<table><tr><td>1</td></tr></table>" in out and out.endswith(
        "After."
    )


def test_readable_notebook_starts_with_where_code_and_data_are():
    import nbformat

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                "# Chapter one\n{glue:text}`share:.2f`"
            ),
            nbformat.v4.new_code_cell("x = 1"),
        ]
    )
    plain_notebook.readable(nb, GLUE, "book/ch1", SETTINGS)
    plain_notebook.readable(
        nb, GLUE, "book/ch1", SETTINGS
    )  # idempotent: one intro cell
    first = nb.cells[0].source
    assert nb.cells[1].source == "# Chapter one\n0.46"
    assert (
        sum(
            c.get("metadata", {}).get("migbook-intro", False)
            for c in nb.cells
        )
        == 1
    )
    assert (
        "https://example.org/r" in first
        and "https://example.org/b/migbook-reproduction.zip" in first
    )
    assert (
        "https://example.org/b/book/ch1.html" in first
        and "Chapter one" in first
    )
    nbformat.validate(nb)


def test_citation_labels_from_the_books_bibliography():
    labels = plain_notebook.book_settings()["citations"]
    assert labels["p2004"] == "Delgado-Wise, 2004"
    assert labels["p2001"].startswith("Delgado Wise and Rodr")


# ---------------------------------------------------------------- bundle and sitemap
def test_bundle_is_deterministic_and_complete(tmp_path):
    nbs = tmp_path / "nb" / "book"
    nbs.mkdir(parents=True)
    (nbs / "ch1.ipynb").write_text('{"cells": []}', encoding="utf-8")
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    bundle.write_bundle(
        a,
        tmp_path / "nb",
        "https://example.org/b/",
        "https://example.org/r",
    )
    bundle.write_bundle(
        b,
        tmp_path / "nb",
        "https://example.org/b/",
        "https://example.org/r",
    )
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {i.date_time for i in zf.infolist()} == {bundle.FIXED_TIME}
        assert {
            "README.md",
            "requirements.txt",
            "data/claims.csv",
            "data/datapackage.json",
            "migbook/__init__.py",
            "migbook/cli/bundle.py",
            "notebooks/book/ch1.ipynb",
        } <= set(names)
        readme = zf.read("README.md").decode()
    assert (
        "https://example.org/r" in readme
        and "python -m migbook.cli.bundle run" in readme
    )


def test_claim_records_read_from_badge_outputs():
    import nbformat

    from migbook.render import CLAIM_MIME

    rec = {"id": "x-1", "status": "reproduced", "computed_value": 1.5}
    badge = nbformat.v4.new_output(
        "display_data",
        data={
            CLAIM_MIME: {"id": "x-1", "record": rec},
            "text/plain": "1.5",
        },
        metadata={"scrapbook": {"name": "x-1", "mime_prefix": ""}},
    )
    other = nbformat.v4.new_output(
        "display_data",
        data={"text/plain": "1"},
        metadata={"scrapbook": {"name": "y", "mime_prefix": ""}},
    )
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("", outputs=[other, badge])]
    )
    assert bundle.claim_records(nb) == [rec]


def test_sitemap_sorted_under_the_site_address():
    xml = publish.sitemap_xml(
        "https://example.org/b",
        ["book/b.html", "book/a.html", "book/a.html"],
    )
    assert re.findall(r"<loc>(.*?)</loc>", xml) == [
        "https://example.org/b/book/a.html",
        "https://example.org/b/book/b.html",
    ]


# ---------------------------------------------------------------- the built book
def html_pages(built_book: Path) -> list[Path]:
    return sorted(
        p
        for p in built_book.rglob("*.html")
        if "_static" not in p.parts and "_sources" not in p.parts
    )


@pytest.mark.build
@pytest.mark.build
def test_site_metadata_sitemap_and_downloads(built_book):
    site = config()["html"]["baseurl"]
    pages = [
        p
        for p in html_pages(built_book)
        if p.name not in ("search.html", "genindex.html")
        and 'http-equiv="Refresh"'
        not in p.read_text(encoding="utf-8")[:300]
    ]  # index.html redirects
    locs = re.findall(
        r"<loc>(.*?)</loc>",
        (built_book / "sitemap.xml").read_text(encoding="utf-8"),
    )
    assert locs == sorted(locs)
    assert set(locs) == {
        site + p.relative_to(built_book).as_posix() for p in pages
    }
    for p in pages:
        text = p.read_text(encoding="utf-8")
        rel = p.relative_to(built_book).as_posix()
        assert (
            f'<meta property="og:url" content="{site}{rel}" />' in text
        ), rel
        assert re.search(
            r'<meta name="description" content="[^"]{40,}', text
        ), f"{rel}: no page description"
        assert "CC BY 4.0" in text and "MIT licence" in text, (
            f"{rel}: no licence in the footer"
        )
    intro = (built_book / "book" / "intro.html").read_text(encoding="utf-8")
    assert 'href="../migbook-reproduction.zip" download' in intro
    assert (built_book / "migbook-reproduction.zip").exists()


#: what no reader should see: nan, inf, exponents, float noise, raw MyST roles, placeholders
JUNK = {
    "nan/inf": re.compile(
        r"(?<![\w-])(?:nan|NaN|NAN|-?inf|-?Infinity)(?![\w-])"
    ),
    "exponent": re.compile(
        r"(?<![\w.#-])\d+(?:\.\d+)?[eE][+-]?\d+(?![\w-])"
    ),
    "float noise": re.compile(r"\d+\.\d*(?:0000000\d|9999999\d)"),
    "raw MyST role": re.compile(
        r"\{(?:glue:text|glue:figure|glue|cite|cite:\w+|numref|doc|ref)\}`"
    ),
    "placeholder": re.compile(
        r"<(?:address|url|link|site|book)\b[^<>]{0,30}>|&lt;(?:address|url)[^&]{0,30}&gt;"
    ),
}


VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Text(HTMLParser):
    """Reader-facing text of a page: its visible text and the attributes alt, aria-label and title.
    Left out: scripts, styles, code (code cells' input and inline ``code``: ``1e6`` is fine there)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.code, self.stack = [], [], []

    def _skipping(self):
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not self._skipping():
            for k in ("alt", "aria-label", "title"):
                if attrs.get(k):
                    self.parts.append(f"[{k}] {attrs[k]}")
        if tag in VOID:
            return
        code = (
            tag in ("script", "style", "code")
            or "cell_input" in (attrs.get("class") or "").split()
        )
        self.stack.append((tag, self._skipping() or code))

    def handle_endtag(self, tag):
        for i in range(
            len(self.stack) - 1, -1, -1
        ):  # tolerate unclosed tags
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)
        elif self.stack[-1][0] not in ("script", "style"):
            self.code.append(data)  # scanned for placeholders only


INLINE_CODE = re.compile(r"(?<![}`])`[^`\n]+`")


def junk_in(text: str, where: str, markdown: bool = False) -> list[str]:
    """Junk in ``text``; in markdown, inline code spans are code (a role's own backticks are not)."""
    found = []
    for kind, rx in JUNK.items():
        scanned = (
            INLINE_CODE.sub(" ", text)
            if markdown and kind != "raw MyST role"
            else text
        )
        for m in rx.finditer(scanned):
            ctx = re.sub(
                r"\s+", " ", scanned[max(0, m.start() - 50) : m.end() + 30]
            )
            found.append(f"{where}: {kind} {m[0]!r} in …{ctx}…")
    return found


def scan_built_book(built_book: Path) -> list[str]:
    problems = []
    for p in html_pages(built_book):
        if p.name in ("genindex.html", "search.html"):
            continue
        parser = _Text()
        parser.feed(p.read_text(encoding="utf-8"))
        rel = p.relative_to(built_book).as_posix()
        problems += junk_in("\n".join(parser.parts), rel)
        problems += [
            x
            for x in junk_in("\n".join(parser.code), rel + " (code)")
            if ": placeholder " in x
        ]
    for nb_path in sorted((built_book / "_sources").rglob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        rel = nb_path.relative_to(built_book).as_posix()
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "markdown":
                problems += junk_in(
                    "".join(cell["source"]),
                    f"{rel} cell {i}",
                    markdown=True,
                )
            for out in cell.get("outputs", []):
                for mime in ("text/plain", "text/markdown"):
                    if mime in out.get("data", {}):
                        problems += junk_in(
                            "".join(out["data"][mime]),
                            f"{rel} cell {i} output",
                        )
    return problems


@pytest.mark.build
@pytest.mark.build
def test_no_junk_in_pages_or_notebooks(built_book):
    problems = scan_built_book(built_book)
    assert not problems, f"{len(problems)} junk strings:\n" + "\n".join(
        problems[:80]
    )


@pytest.mark.build
@pytest.mark.build
def test_published_notebooks_read_right(built_book):
    site = config()["html"]["baseurl"]
    nbs = sorted((built_book / "_sources" / "book").glob("ch*.ipynb"))
    assert len(nbs) == 5
    for p in nbs:
        nb = json.loads(p.read_text(encoding="utf-8"))
        first = "".join(nb["cells"][0]["source"])
        assert (
            nb["cells"][0]["cell_type"] == "markdown"
            and site + "migbook-reproduction.zip" in first
        ), p.name
        md = "\n".join(
            "".join(c["source"])
            for c in nb["cells"]
            if c["cell_type"] == "markdown"
        )
        assert not re.search(r"\{(glue|cite|numref|doc)[^}]*\}`", md), (
            p.name
        )
        assert not re.search(r"^(:::|```)\{glue", md, re.M), p.name
        # cell ids from the cells' content: the same notebook on every build
        import nbformat

        from migbook.sphinx.plain_notebook import stable_cell_ids

        node = nbformat.v4.reads(p.read_text(encoding="utf-8"))
        ids = [c.get("id") for c in node.cells]
        stable_cell_ids(node)
        assert ids == [c.get("id") for c in node.cells], p.name
        nbformat.validate(node)


def test_stable_cell_ids_follow_content():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("x = 1"),
    ]
    other = nbformat.from_dict(json.loads(json.dumps(nb)))
    for c in other.cells:
        c["id"] = "random"
    from migbook.sphinx.plain_notebook import stable_cell_ids

    stable_cell_ids(nb)
    stable_cell_ids(other)
    ids = [c["id"] for c in nb.cells]
    assert ids == [c["id"] for c in other.cells]
    assert ids[2] == ids[1] + "-1" and len(set(ids)) == 3
    nbformat.validate(nb)


def test_junk_patterns_find_junk():
    for bad in (
        "by nan to nan million",
        "1.2e+06 dollars",
        "19878.600000000002",
        "{glue:text}`x`",
        "see <address of the book>",
    ):
        assert junk_in(bad, "t"), bad
    for good in (
        "19,878.6 dollars",
        "Nancy",
        "1e-notation-free",
        "inference",
        "finance",
    ):
        assert not junk_in(good, "t"), good


@pytest.mark.build
@pytest.mark.build
def test_bundle_reexecutes_a_chapter_to_the_same_ledger_rows(
    built_book, built_claims, tmp_path
):
    with zipfile.ZipFile(built_book / "migbook-reproduction.zip") as zf:
        zf.extractall(tmp_path)
    chapter = "ch4_agenda"
    env = {
        "PATH": str(Path(sys.executable).parent),
        "PYTHONPATH": str(tmp_path),
        "HOME": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "migbook.cli.bundle", "run", chapter],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with (tmp_path / "results" / "claims.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        rows = {
            r["id"]: (r["status"], r["computed_value"])
            for r in csv.DictReader(fh)
        }
    expected = {
        r["id"]: (r["status"], r["computed_value"])
        for r in built_claims
        if r["chapter"] == f"book/{chapter}"
    }
    assert expected and rows == expected
    # and the bundle's package is the one imported, not the checkout's
    assert "migbook" in proc.stdout or "claims re-checked" in proc.stdout


# ---------------------------------------------------------------- table downloads with units
PRINTED_TABLES = [
    r["name"]
    for r in json.loads(
        (ROOT / "data" / "datapackage.json").read_text(encoding="utf-8")
    )["resources"]
    if str(r.get("table", "")).startswith("Table")
]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(text.splitlines()))


def test_reader_copies_carry_units_and_the_exact_rows(tmp_path):
    """Each printed table's reader's copy: a header with each column's unit (from the
    descriptor), then the data file's rows unchanged, byte for byte."""
    from migbook import tables

    written = tables.write_reader_copies(tmp_path)
    assert sorted(p.name for p in written) == sorted(
        f"{n}.csv" for n in PRINTED_TABLES
    )
    header = {
        p.stem: _rows(p.read_text(encoding="utf-8"))[0] for p in written
    }
    assert header["p2001_table2"] == [
        "Year",
        "Remittances (US$ million)",
        "Tourism (US$ million)",
        "Oil (US$ million)",
        "Manufacture (US$ million)",
        "Agriculture (US$ million)",
    ]
    assert header["p2001_table1"][1:] == [
        "Migrants 1992–1997 (persons)",
        "Annual average (persons a year)",
        "Annual growth rate (per 1000)",
    ]
    assert header["p2001_table6"] == [
        "Year",
        "Projects (count of projects)",
        "Investment (in US$)",
    ]
    assert header["p2004_table2"][-1] == "Remittances (US$ million)"
    assert header["p2001_table4"][1] == (
        "Households receiving remittances (percent of all households)"
    )
    for p in written:
        data = (ROOT / "data" / p.name).read_text(encoding="utf-8")
        copy = p.read_text(encoding="utf-8")
        assert copy.split("\n", 1)[1] == data.split("\n", 1)[1], p.name
        ours, theirs = _rows(copy), _rows(data)
        assert len(ours) == len(theirs) and ours[1:] == theirs[1:], p.name
        assert len(ours[0]) == len(theirs[0]), p.name


def test_a_quantity_without_a_unit_is_refused():
    from migbook.tables import column_header

    field = {
        "name": "x",
        "type": "number",
        "title": "Rate",
        "description": "as printed",
    }
    with pytest.raises(ValueError, match="column 'x'"):
        column_header(field, " (t.csv)")
    assert column_header({**field, "type": "string"}) == "Rate"
    assert (
        column_header({**field, "description": "US$ million; note"})
        == "Rate (US$ million)"
    )


@pytest.mark.build
@pytest.mark.build
def test_tables_link_their_copy_with_units(built_book):
    """Every printed table on the site links its reader's copy (built into ``_tables/``), the
    exact transcription in ``data/`` and the descriptor; the copy matches the data file."""
    from migbook import tables

    seen = set()
    for page in html_pages(built_book):
        text = page.read_text(encoding="utf-8")
        for name in re.findall(r'data-migbook-table="([^"]+)"', text):
            seen.add(name)
            rel = (
                "../"
                if "/" in page.relative_to(built_book).as_posix()
                else ""
            )
            for target in (
                f"_tables/{name}.csv",
                f"data/{name}.csv",
                "data/datapackage.json",
            ):
                assert f'href="{rel}{target}"' in text, (page.name, target)
            assert f"Download {name}.csv (with units)</a>" in text
    assert seen == set(PRINTED_TABLES), seen ^ set(PRINTED_TABLES)
    for name in PRINTED_TABLES:
        built = (built_book / "_tables" / f"{name}.csv").read_text(
            encoding="utf-8"
        )
        assert built == tables.reader_csv(name)
        assert (built_book / "data" / f"{name}.csv").read_bytes() == (
            ROOT / "data" / f"{name}.csv"
        ).read_bytes()
