"""Back matter: the reconciliation and errata pages list exactly what data/ and the ledger imply (the
cell-by-cell comparison of the tables both papers print lives in chapter 2, the one account the
reconciliation page links to);
claim addresses resolve; the bibliography holds the two papers; CITATION.cff is valid CFF 1.2.0.

Every expectation here is computed independently of the pages: straight from the CSV files of
``data/`` (with the csv module and a column correspondence written out below, not the book's code)
and from the built ``claims.csv``. Tests that re-execute a page on altered data check that a changed
cell changes the page, and that these tests would notice.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import statistics
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from migbook.data import update_stats

ROOT = Path(__file__).resolve().parents[1]
BUILD = pytest.mark.build
FLAGGED = ("discrepant", "qualified")

# p2001 table -> p2004 table, (p2001 column, p2004 column) for every series both print
CORRESPONDENCE = {
    ("p2001_table2", "p2004_table1"): [
        ("remittances", "remittances"),
        ("tourism", "tourism"),
        ("oil", "oil"),
        ("manufacture", "manufacture"),
        ("agriculture", "agriculture"),
    ],
    ("p2001_table3", "p2004_table2"): [
        ("agriculture", "agriculture"),
        ("oil_and_gas", "oil_and_gas"),
        ("manufacture", "manufacture"),
        ("tourism", "tourism"),
        ("remittances", "remittances"),
    ],
}
PAGE_TABLE = {
    "p2001_table2": "overlap-gross",
    "p2001_table3": "overlap-net",
}
AGGREGATES = {"Mexico", "Rest of states", "Rest of the states", "Total"}


# ---------------------------------------------------------------- expectations from data/
def read(folder: Path, name: str) -> list[dict]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def expected_overlap(folder: Path) -> dict[str, set[tuple]]:
    """Page table id -> {(series, year, p2001 marker, p2001, p2004, difference, explanation)}."""
    out = {}
    for (old, new), columns in CORRESPONDENCE.items():
        a = {r["year"]: r for r in read(folder, old)}
        b = {r["year"]: r for r in read(folder, new)}
        rows = set()
        for year in set(a) & set(b):
            for col_a, col_b in columns:
                va, vb = int(a[year][col_a]), int(b[year][col_b])
                marker = a[year].get("marker", "")
                why = (
                    "same figure"
                    if va == vb
                    else "dates"
                    if marker == "*"
                    else "neither dates nor definitions"
                )
                rows.add(
                    (
                        col_a if col_a == col_b else f"{col_a} / {col_b}",
                        int(year),
                        marker,
                        va,
                        vb,
                        vb - va,
                        why,
                    )
                )
        out[PAGE_TABLE[old]] = rows
    return out


def tables_and_schemas(folder: Path) -> list[tuple[str, dict]]:
    desc = json.loads(
        (folder / "datapackage.json").read_text(encoding="utf-8")
    )
    return [
        (r["name"], r["schema"])
        for r in desc["resources"]
        if str(r.get("table", "")).startswith("Table")  # printed only
    ]


def expected_outliers(folder: Path) -> set[tuple]:
    """{(table, series, row key, value)}: |x| below a tenth or above ten times the series' median |x|."""
    found = set()
    for name, schema in tables_and_schemas(folder):
        key = schema["primaryKey"][0]
        numeric = [
            f["name"]
            for f in schema["fields"]
            if f["type"] in ("integer", "number") and f["name"] != key
        ]
        rows = [r for r in read(folder, name) if r[key] not in AGGREGATES]
        for col in numeric:
            values = [(r[key], float(r[col])) for r in rows]
            typical = statistics.median(abs(v) for _, v in values)
            found |= {
                (name, col, k, v)
                for k, v in values
                if abs(v) < typical / 10 or abs(v) > typical * 10
            }
    return found


def expected_repeats(folder: Path) -> set[tuple]:
    """{(table, row key, {two series})}: two cells of one row with the same non-zero magnitude."""
    found = set()
    for name, schema in tables_and_schemas(folder):
        key = schema["primaryKey"][0]
        numeric = [
            f["name"]
            for f in schema["fields"]
            if f["type"] in ("integer", "number") and f["name"] != key
        ]
        for r in read(folder, name):
            for i, c1 in enumerate(numeric):
                for c2 in numeric[i + 1 :]:
                    if abs(float(r[c1])) == abs(float(r[c2])) != 0:
                        found.add((name, r[key], frozenset((c1, c2))))
    return found


# ---------------------------------------------------------------- reading the pages
def site_base() -> str:
    """The published address (``html_baseurl``) that starts every claim's ``url``."""
    return yaml.safe_load(
        (ROOT / "_config.yml").read_text(encoding="utf-8")
    )["html"].get("baseurl", "")


def number(text: str) -> float:
    return float(text.replace(",", "").replace("−", "-"))


def html_table(soup: BeautifulSoup, table_id: str) -> list[dict]:
    table = soup.find("table", id=table_id)
    assert table is not None, f"no table #{table_id} on the page"
    head = [
        th.get_text(strip=True) for th in table.find("thead").find_all("th")
    ]
    return [
        dict(
            zip(
                head,
                (
                    td.get_text(strip=True)
                    for td in tr.find_all(["td", "th"])
                ),
                strict=False,
            )
        )
        for tr in table.find("tbody").find_all("tr")
    ]


def overlap_on_page(soup) -> dict[str, set[tuple]]:
    out = {}
    for table_id in PAGE_TABLE.values():
        out[table_id] = {
            (
                r["series"],
                int(r["year"]),
                r["p2001 marker"],
                int(number(r["p2001"])),
                int(number(r["p2004"])),
                int(number(r["difference"])),
                r["explained by"],
            )
            for r in html_table(soup, table_id)
        }
    return out


def outliers_on_page(soup) -> set[tuple]:
    return {
        (r["table"], r["series"], r["row"], number(r["value"]))
        for r in html_table(soup, "outlier-screen")
    }


def repeats_on_page(soup) -> set[tuple]:
    return {
        (
            r["table"],
            r["row"],
            frozenset((r["first series"], r["second series"])),
        )
        for r in html_table(soup, "repeat-screen")
    }


def page(built_book: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup(
        (built_book / "book" / f"{name}.html").read_text(encoding="utf-8"),
        "html.parser",
    )


def listed_claims(soup, list_id: str) -> list[dict]:
    block = soup.find(id=list_id)
    assert block is not None and "migbook-claims-list" in block.get(
        "class", []
    ), f"no claims list #{list_id}"
    rows = []
    for tr in block.select("tr[data-claim]"):
        group = tr.find_parent("section", class_="migbook-claims-group")
        rows.append(
            {
                "id": tr["data-claim"],
                "status": tr["data-status"],
                "kind": tr["data-kind"],
                "rule": tr.get("data-rule", ""),
                "group": (group.get("data-rule") or group.get("data-kind"))
                if group
                else None,
                "links": [a["href"] for a in tr.find_all("a")],
            }
        )
    return rows, block


def anchors(built_book: Path) -> dict[str, set[str]]:
    """Every id in every built page, by page path relative to the HTML root."""
    out = {}
    for p in built_book.rglob("*.html"):
        out[p.relative_to(built_book).as_posix()] = set(
            re.findall(r'\sid="([^"]+)"', p.read_text(encoding="utf-8"))
        )
    return out


def resolves(href: str, from_page: str, ids: dict[str, set[str]]) -> bool:
    target, _, frag = href.partition("#")
    base = Path(from_page).parent
    path = (
        os.path.normpath(base / target).replace(os.sep, "/")
        if target
        else from_page
    )
    return path in ids and (not frag or frag in ids[path])


# ---------------------------------------------------------------- the shared tables (chapter 2) and reconciliation
@BUILD
def test_chapter_2_lists_every_shared_cell(built_book):
    expected = expected_overlap(ROOT / "data")
    assert (
        sum(map(len, expected.values())) == 95
    )  # 9 years x 5 series + 10 years x 5 series
    assert overlap_on_page(page(built_book, "ch2_escalation")) == expected


@BUILD
def test_reconciliation_links_the_comparison_and_compares_nothing_itself(
    built_book,
):
    soup = page(built_book, "reconciliation")
    assert (
        soup.find("table", id="overlap-gross") is None
        and soup.find("table", id="overlap-differences") is None
    )
    assert any(
        a["href"].startswith("ch2_escalation.html#ch2-overlap")
        for a in soup.select("a[href]")
    )


@BUILD
def test_chapter_2_differences_table(built_book):
    soup = page(built_book, "ch2_escalation")
    shown = {
        (
            r["series"],
            int(r["year"]),
            int(number(r["difference"])),
            r["explained by"],
        )
        for r in html_table(soup, "overlap-differences")
    }
    want = {
        (s, y, d, why)
        for rows in expected_overlap(ROOT / "data").values()
        for s, y, _, _, _, d, why in rows
        if d
    }
    assert shown == want
    assert (
        "oil",
        1999,
        8,
        "neither dates nor definitions",
    ) in want  # the 9920 / 9928 cell


@BUILD
def test_reconciliation_lists_paper_vs_paper_rows(built_book, built_claims):
    rows, block = listed_claims(page(built_book, "reconciliation"), "pvp")
    want = [
        (r["id"], r["status"])
        for r in built_claims
        if r["kind"] == "paper-vs-paper"
    ]
    assert [(r["id"], r["status"]) for r in rows] == want
    if not want:
        assert block.find(class_="migbook-empty"), (
            "an empty list must say so"
        )


# ---------------------------------------------------------------- the errata page
@BUILD
def test_errata_lists_every_discrepant_and_qualified_row_by_rule(
    built_book, built_claims
):
    from migbook.claims import RULES

    soup = page(built_book, "errata")
    rows, block = listed_claims(soup, "errata")
    want = {
        r["id"]: (r["rule"], r["status"])
        for r in built_claims
        if r["status"] in FLAGGED
    }
    got = {r["id"]: (r["rule"], r["status"]) for r in rows}
    assert got == want
    assert len(rows) == len(want), "a row is listed twice"
    for r in rows:
        assert r["rule"] in RULES, f"{r['id']}: rule {r['rule']!r}"
        assert r["group"] == r["rule"], (
            f"{r['id']} is listed under {r['group']}, not its rule {r['rule']}"
        )
    for section in block.select("section.migbook-claims-group"):
        title = RULES[section["data-rule"]].title
        assert (
            section.find("h3").get_text(" ", strip=True).startswith(title)
        ), section["data-rule"]
    ledger_order = [r["id"] for r in built_claims]
    for rule in {r["rule"] for r in rows}:
        ids = [r["id"] for r in rows if r["rule"] == rule]
        assert ids == sorted(ids, key=ledger_order.index)
    if not want:
        assert block.find(class_="migbook-empty"), (
            "an empty list must say so"
        )


@BUILD
def test_errata_rows_show_their_evidence(built_book, built_claims):
    soup = page(built_book, "errata")
    by_id = {r["id"]: r for r in built_claims}
    for tr in soup.select("#errata tr[data-claim]"):
        r = by_id[tr["data-claim"]]
        text = tr.get_text(" ", strip=True)
        assert r["cited"] in text and r["note"][:40] in text, r["id"]
        where = r["where"].removeprefix(site_base())
        targets = {
            os.path.normpath(f"book/{a['href']}") for a in tr.find_all("a")
        }
        assert where in targets, f"{r['id']}: no link to its chapter"


@BUILD
def test_outlier_screen_finds_what_the_rule_implies(built_book):
    soup = page(built_book, "errata")
    want = expected_outliers(ROOT / "data")
    assert outliers_on_page(soup) == want
    for table in (
        "p2001_table3",
        "p2004_table2",
    ):  # the cells the screen must at least find
        assert {
            (table, "manufacture", "1995", -117.0),
            (table, "manufacture", "1996", -124.0),
        } <= want
    assert ("p2001_table6", "investment_usd", "1998", 32983.0) in want


@BUILD
def test_errata_lists_the_outlier_rows_of_the_ledger(
    built_book, built_claims
):
    rows, block = listed_claims(page(built_book, "errata"), "outlier-rows")
    want = [
        (r["id"], r["status"])
        for r in built_claims
        if r["kind"] == "outlier"
    ]
    assert [(r["id"], r["status"]) for r in rows] == want
    if not want:
        assert block.find(class_="migbook-empty")


@BUILD
def test_repeat_screen_finds_what_the_data_imply(built_book):
    want = expected_repeats(ROOT / "data")
    assert repeats_on_page(page(built_book, "errata")) == want
    assert (
        "p2004_table2",
        "2003",
        frozenset(("oil_and_gas", "manufacture")),
    ) in want


# ---------------------------------------------------------------- addresses and citations
@BUILD
def test_every_claim_url_points_to_an_existing_anchor(
    built_book, built_claims
):
    ids = anchors(built_book)
    data = json.loads(
        (built_book / "claims.json").read_text(encoding="utf-8")
    )
    assert [d["url"] for d in data] == [r["url"] for r in built_claims]
    base = site_base()
    for r in built_claims:
        assert r["url"] == f"{base}book/report.html#{r['id']}"
        assert resolves(r["url"].removeprefix(base), "index.html", ids), r[
            "url"
        ]
        assert r["where"].startswith(base)
        assert resolves(r["where"].removeprefix(base), "index.html", ids), (
            r["where"]
        )


@BUILD
def test_links_of_the_back_matter_resolve(built_book):
    ids = anchors(built_book)
    for name in ("reconciliation", "errata", "report"):
        soup = page(built_book, name)
        for a in soup.select(
            ".migbook-claims-list a[href], .migbook-cite-example a[href]"
        ):
            base = site_base()
            if base and a["href"].startswith(
                base
            ):  # the published address of a row
                assert resolves(
                    a["href"].removeprefix(base), "index.html", ids
                ), (name, a["href"])
            else:
                assert resolves(a["href"], f"book/{name}.html", ids), (
                    name,
                    a["href"],
                )


@BUILD
def test_report_shows_how_to_cite_a_real_row(built_book, built_claims):
    soup = page(built_book, "report")
    assert soup.find(id="cite-a-figure"), (
        "the report page has no 'How to cite a figure' section"
    )
    example = soup.find(class_="migbook-cite-example")
    assert example is not None
    cff = yaml.safe_load(
        (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    )
    text = example.get_text(" ", strip=True)
    assert cff["title"] in text and str(cff["version"]) in text
    chosen = next(
        (r for r in built_claims if r["status"] == "reproduced"),
        built_claims[0] if built_claims else None,
    )
    if chosen is None:
        assert example["data-claim"] == "" and example.find(
            class_="migbook-empty"
        )
        return
    assert example["data-claim"] == chosen["id"]
    assert (
        chosen["cited"] in text
        and chosen["url"] in text
        and chosen["status"] in text
    )
    assert any(
        a["href"].endswith(chosen["url"]) for a in example.find_all("a")
    )


@BUILD
def test_references_list_the_two_papers_and_every_citation_resolves(
    built_book,
):
    refs = " ".join(
        page(built_book, "references").get_text(" ", strip=True).split()
    ).lower()
    # the bibliography style sets article titles in sentence case
    assert (
        "delgado wise and héctor rodríguez ramírez. the emergence of collective migrants"
        in refs
    )
    assert (
        "canadian journal of development studies , xxii(3):747–764, 2001"
        in refs
    )
    assert (
        "raúl delgado-wise. critical dimensions of mexico–us migration"
        in refs
    )
    ids = anchors(built_book)
    intro = page(built_book, "intro")
    cited = list(intro.select("a[href*='references.html#']"))
    assert len(cited) >= 2, "the intro page cites the two papers"
    for p in built_book.rglob("*.html"):
        rel = p.relative_to(built_book).as_posix()
        for href in re.findall(
            r'href="([^"]*references\.html#[^"]+)"',
            p.read_text(encoding="utf-8"),
        ):
            assert resolves(href, rel, ids), (rel, href)
    for name in ("reconciliation", "errata"):
        keys = page(built_book, name).select("a[href*='references.html#']")
        assert keys, f"{name} cites no source"


@BUILD
def test_back_matter_order_in_the_toc():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    back = next(p for p in toc["parts"] if p["caption"] == "Back matter")
    assert [c["file"] for c in back["chapters"]] == [
        "book/reconciliation",
        "book/errata",
        "book/policy",
        "book/report",
        "book/references",
    ]


def test_citation_cff_is_valid_cff_1_2_0():
    import jsonschema

    schema = json.loads(
        (ROOT / "tests" / "schemas" / "cff-1.2.0.schema.json").read_text(
            encoding="utf-8"
        )
    )
    cff = yaml.safe_load(
        (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    )
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    errors = [
        f"{list(e.path)}: {e.message}" for e in validator.iter_errors(cff)
    ]
    assert not errors, errors
    assert cff["cff-version"] == "1.2.0"
    assert isinstance(cff["date-released"], str), (
        "quote the date: a fixed string, never a clock"
    )
    broken = {k: v for k, v in cff.items() if k != "title"}
    assert list(validator.iter_errors(broken)), (
        "the schema check must reject a file without a title"
    )
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{cff["version"]}"' in pyproject, (
        "CITATION.cff and pyproject.toml name the same version"
    )


# ---------------------------------------------------------------- a changed status or cell changes the pages
def _row(cid, kind, status, **extra):
    base = {
        "id": cid,
        "paper": "p2001",
        "section": "I",
        "chapter": "book/ch_x",
        "kind": kind,
        "statement": "a thing",
        "cited": "5,910",
        "qualifier": "exact",
        "cited_value": "5910",
        "cited_high": "",
        "unit": "US$ million",
        "source": "none credited",
        "remark": "",
        "computed_value": 5920.0,
        "computed_unit": "US$ million",
        "status": status,
        "reading": "",
        "bounds": "[5,909.5, 5,910.5)",
        "note": "computed 5,920 lies 9.5 above",
        "url": f"book/report.html#{cid}",
        "where": f"book/ch_x.html#claim-{cid}",
    }
    return {**base, **extra}


def test_a_changed_status_changes_the_errata_list():
    from migbook.sphinx.claim_lists import claims_list_html

    rows = [
        _row("p2001-a", "text-vs-table", "discrepant"),
        _row("both-b", "paper-vs-paper", "qualified"),
        _row("p2004-c", "unit-word", "reproduced"),
    ]

    def listed(rows_, **kw):
        soup = BeautifulSoup(
            claims_list_html(rows_, "book/errata", prefix="errata", **kw),
            "html.parser",
        )
        return {
            (
                tr["data-claim"],
                tr.find_parent("section")["data-kind"]
                if tr.find_parent("section")
                else None,
            )
            for tr in soup.select("tr[data-claim]")
        }

    errata = {"statuses": list(FLAGGED), "group": True}
    assert listed(rows, **errata) == {
        ("p2001-a", "text-vs-table"),
        ("both-b", "paper-vs-paper"),
    }
    rows[0]["status"] = "reproduced"
    rows[2]["status"] = "discrepant"
    assert listed(rows, **errata) == {
        ("p2004-c", "unit-word"),
        ("both-b", "paper-vs-paper"),
    }
    rows[1]["kind"] = "text"
    assert listed(rows, **errata) == {
        ("p2004-c", "unit-word"),
        ("both-b", "text"),
    }
    assert listed(rows, kinds_=["paper-vs-paper"]) == set()
    empty = claims_list_html(
        [],
        "book/errata",
        statuses=list(FLAGGED),
        group=True,
        empty="nothing yet",
    )
    assert "nothing yet" in empty and "data-claim=" not in empty


def test_errata_groups_follow_the_rule_that_decided_each_row():
    from migbook.claims import RULES
    from migbook.sphinx.claim_lists import claims_list_html

    rows = [
        _row("p2001-a", "text-vs-table", "discrepant", rule="no-reading"),
        _row("both-b", "paper-vs-paper", "qualified", rule="base-year"),
        _row("p2004-c", "unit-word", "qualified", rule="base-year"),
    ]

    def groups(rows_):
        soup = BeautifulSoup(
            claims_list_html(
                rows_,
                "book/errata",
                prefix="errata",
                statuses=list(FLAGGED),
                group=True,
                by="rule",
            ),
            "html.parser",
        )
        return {
            tr["data-claim"]: tr.find_parent("section")["data-rule"]
            for tr in soup.select("tr[data-claim]")
        }, soup

    got, soup = groups(rows)
    assert got == {
        "p2001-a": "no-reading",
        "both-b": "base-year",
        "p2004-c": "base-year",
    }
    assert [
        h.get_text(" ", strip=True).rstrip("#").strip()
        for h in soup.select("section h3")
    ] == [
        RULES["base-year"].title,
        RULES["no-reading"].title,
    ]  # policy order
    rows[0].update(status="qualified", rule="round-number")
    got, _ = groups(rows)
    assert got["p2001-a"] == "round-number"


def _execute(page_name: str, data: Path, tmp_path: Path) -> BeautifulSoup:
    """Run a page's code cells (as a notebook) against the data folder ``data``; return its HTML outputs."""
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(ROOT / "book" / f"{page_name}.md")
    env = {
        **os.environ,
        "MIGBOOK_DATA": str(data),
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p
        ),
    }
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env=env)  # the kernel reads data/ from MIGBOOK_DATA
    html = "".join(
        o.get("data", {}).get("text/html", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    return BeautifulSoup(html, "html.parser")


def test_a_changed_cell_changes_the_pages(tmp_path):
    """Alter two printed cells in a copy of data/, re-run both pages on it: they follow the data."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)

    def edit(name, year, column, value):
        rows = read(data, name)
        for r in rows:
            if r["year"] == year:
                r[column] = value
        with (data / f"{name}.csv").open(
            "w", encoding="utf-8", newline=""
        ) as fh:
            writer = csv.DictWriter(
                fh, fieldnames=list(rows[0]), lineterminator="\n"
            )
            writer.writeheader()
            writer.writerows(rows)

    edit(
        "p2004_table1", "1995", "tourism", "4690"
    )  # a new difference between the papers
    edit(
        "p2001_table2", "1993", "tourism", "456400"
    )  # a new outlier (and another difference)
    update_stats(
        data
    )  # intended edits: record the files' new row counts and hashes
    before = (
        expected_overlap(ROOT / "data"),
        expected_outliers(ROOT / "data"),
    )
    after = expected_overlap(data), expected_outliers(data)
    assert after != before
    ch2 = _execute("ch2_escalation", data, tmp_path)
    assert overlap_on_page(ch2) == after[0]
    errata = _execute("errata", data, tmp_path)
    assert outliers_on_page(errata) == after[1]
    assert (
        "p2001_table2",
        "tourism",
        "1993",
        456400.0,
    ) in outliers_on_page(errata)
    assert repeats_on_page(errata) == expected_repeats(data)
