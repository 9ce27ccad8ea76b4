"""The built book: every claim has the status and value it is expected to have."""

import json
from pathlib import Path

import pytest

from migbook.data import ledger

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.build


#: the columns each chapter's expected results pin (pytest-regressions, in tests/expected/)
EXPECTED = ["id", "status", "rule", "computed_value", "implied_value"]
CHAPTERS = sorted(ledger()["chapter"].unique())


@pytest.fixture
def original_datadir():
    """Where pytest-regressions keeps the expected results: ``tests/expected/<chapter>.csv``."""
    return ROOT / "tests" / "expected"


def test_every_chapter_has_its_expected_results():
    kept = sorted(
        p.stem for p in (ROOT / "tests" / "expected").glob("*.csv")
    )
    assert kept == [c.split("/")[-1] for c in CHAPTERS]


def test_every_ledger_row_is_published(built_claims):
    assert [r["id"] for r in built_claims] == list(ledger().index)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_status_and_value_of_every_claim(
    built_claims, chapter, dataframe_regression
):
    """Every claim of the chapter has the status, rule and values of ``tests/expected/``, in
    ledger order (values as published in ``claims.csv``, compared as numbers). After an intended
    change: ``pytest tests/test_book.py --force-regen``, then review the diff of
    ``tests/expected/``."""
    import pandas as pd

    rows = [
        {c: r[c] for c in EXPECTED}
        for r in built_claims
        if r["chapter"] == chapter
    ]
    # the values as claims.csv publishes them: the files hold the same text, and
    # pytest-regressions reads both sides back as numbers
    frame = pd.DataFrame(rows, columns=EXPECTED, dtype=str).set_index("id")
    dataframe_regression.check(
        frame,
        basename=chapter.split("/")[-1],
        default_tolerance={"rtol": 1e-12, "atol": 0},
    )


def test_every_status_follows_from_a_rule(built_claims):
    """Every published status names the rule of the judging policy that decided it, and that rule
    gives that status (rule ``inferred`` caps a status at qualified); externals carry no computed
    value (what the papers imply is ``implied_value``)."""
    from migbook.claims import AS_LINKED, RULES

    by_id = {r["id"]: r for r in built_claims}
    for r in built_claims:
        assert r["rule"] in RULES, (
            f"{r['id']}: rule {r['rule']!r} is not in claims.RULES"
        )
        gives = RULES[r["rule"]].status
        if gives == AS_LINKED:  # counted once, under the row it restates
            linked = by_id[r["counted_with"]]
            assert r["status"] == linked["status"], r["id"]
        else:
            assert gives == r["status"], (
                f"{r['id']}: {r['rule']} does not give {r['status']}"
            )
        if r["status"] == "discrepant" and not r["counted_with"]:
            assert r["severity"] in ("slip", "load-bearing"), (
                f"{r['id']}: a discrepancy carries a severity"
            )
        if r["status"] == "external":
            assert r["computed_value"] == "", (
                f"{r['id']}: an external claim has no computed value"
            )


def test_published_ledger_columns(built_book, built_claims):
    need = [
        "id",
        "paper",
        "section",
        "statement",
        "cited",
        "cited_kind",
        "cited_value",
        "unit",
        "computed_value",
        "implied_value",
        "status",
        "rule",
        "note",
        "url",
    ]
    assert (
        set(need) <= set(built_claims[0].keys()) if built_claims else True
    )
    data = json.loads(
        (built_book / "claims.json").read_text(encoding="utf-8")
    )
    assert [d["id"] for d in data] == [r["id"] for r in built_claims]
    from migbook.claims import BASES, STATUSES

    for r in built_claims:
        assert r["status"] in STATUSES
        assert r["basis"] in BASES
        assert r["url"].endswith("#" + r["id"])
        if r["status"] in ("discrepant", "qualified", "external"):
            assert r["note"].strip(), (
                f"{r['id']}: a {r['status']} claim needs a note"
            )


def site_base() -> str:
    """The published address (``html_baseurl``, from ``_config.yml``)."""
    import yaml

    return yaml.safe_load(
        (ROOT / "_config.yml").read_text(encoding="utf-8")
    )["html"].get("baseurl", "")


def test_claim_urls_resolve(built_book, built_claims):
    base = site_base()
    for r in built_claims:
        assert r["url"].startswith(base) and r["where"].startswith(base)
        page, anchor = r["url"].removeprefix(base).split("#")
        assert f'id="{anchor}"' in (built_book / page).read_text(
            encoding="utf-8"
        ), r["url"]
        page, anchor = r["where"].removeprefix(base).split("#")
        assert f'id="{anchor}"' in (built_book / page).read_text(
            encoding="utf-8"
        ), r["where"]


def test_report_lists_every_claim(built_book, built_claims):
    html = (built_book / "book" / "report.html").read_text(encoding="utf-8")
    assert html.count('<tbody class="migbook-claim" id="') == len(
        built_claims
    )
    for s in ("reproduced", "qualified", "discrepant", "external"):
        n = sum(r["status"] == s for r in built_claims)
        assert f'data-status="{s}"' in html or n == 0


def test_data_published_with_the_book(built_book):
    for p in (ROOT / "data").glob("*"):
        assert (built_book / "data" / p.name).read_bytes() == p.read_bytes()


def test_no_clock_in_pages(built_book):
    for page in built_book.rglob("*.html"):
        assert "Last updated" not in page.read_text(encoding="utf-8"), page


def test_no_remote_scripts_or_styles(built_book):
    """Every script and stylesheet a page loads is a local file (the browser test checks requests)."""
    import re

    for page in built_book.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        # (the canonical address, from html_baseurl, is a link but loads nothing)
        remote = re.findall(
            r'<(?:script|link)(?![^>]*rel="canonical")[^>]+(?:src|href)="(https?://[^"]+)"',
            text,
        )
        assert not remote, (page, remote)
        assert (
            "cdn.jsdelivr.net/npm/vega" not in text
            and "THEBE_JS_URL" not in text
        ), page


def test_claims_json_types(built_book, built_claims):
    """Numbers as numbers (null when absent), text as text; the CSV carries no float noise."""
    import re

    data = json.loads(
        (built_book / "claims.json").read_text(encoding="utf-8")
    )
    assert data and set(data[0]) == set(built_claims[0])
    for d in data:
        for key in (
            "cited_value",
            "cited_high",
            "computed_value",
            "implied_value",
        ):
            assert (
                d[key] is None
                or isinstance(d[key], (int, float))
                and not isinstance(d[key], bool)
            ), (d["id"], key)
        for key in (
            "id",
            "cited",
            "status",
            "note",
            "url",
            "where",
            "computed_unit",
        ):
            assert isinstance(d[key], str), (d["id"], key)
        if d["status"] == "external":
            assert d["computed_value"] is None, (
                f"{d['id']}: an external row recomputes nothing"
            )
    assert any(d["implied_value"] is not None for d in data), (
        "no external row shows what the papers imply"
    )
    assert any(isinstance(d["cited_value"], float) for d in data)
    text = (built_book / "claims.csv").read_text(encoding="utf-8")
    noise = re.findall(r"\d\.\d*(?:0000|9999)\d\b", text)
    assert not noise, noise[:5]
    for r in built_claims:
        for key in ("computed_value", "implied_value"):
            if r[key]:
                digits = r[key].lstrip("-").replace(".", "").lstrip("0")
                assert "e" not in r[key].lower() and (
                    len(digits) <= 6 or "." not in r[key]
                ), (r["id"], r[key])


# --------------------------------------------------------------------------- issue 16
def test_headline_counts_by_status_and_basis(built_book, built_claims):
    """The report and the errata show the same headline counts, by status and by basis, and
    they agree with the badges (one error counted once, withdrawn rows apart)."""
    from migbook.claims import BASES, COUNTED, tally
    from migbook.sphinx.report import headline

    t = tally(built_claims)
    assert t["total"] == len(built_claims)
    assert t["total"] == t["counted"] + t["counted_with"] + t["withdrawn"]
    assert sum(t["basis"].values()) == t["counted"]
    words = headline(t)
    for s in COUNTED:
        assert f"{t['status'][s]} {s}" in words
    for b in BASES:
        assert f"{t['basis'][b]} on {BASES[b]}" in words
    import html as html_

    for page in ("report", "errata"):
        text = (built_book / "book" / f"{page}.html").read_text(
            encoding="utf-8"
        )
        assert html_.escape(words).replace("&#x27;", "&#39;") in text, page
        for b in BASES:
            assert f'data-basis="{b}"' in text, (page, b)


def test_every_row_says_what_its_check_rests_on(built_book, built_claims):
    from migbook.claims import BASES

    text = (built_book / "book" / "ch2_escalation.html").read_text(
        encoding="utf-8"
    )
    assert 'class="claim-basis claim-basis-restatement"' in text
    for r in built_claims:
        assert r["basis"] in BASES, r["id"]
        if r["status"] == "consistent":
            assert r["basis"] in ("restatement", "internal"), r["id"]
        if r["basis"] == "outside":
            assert r["status"] in ("external", "withdrawn"), r["id"]


def test_recomputed_only_for_what_was_recomputed(built_book, built_claims):
    """No citation, errata line or export calls a ceiling, floor, blank or restatement
    "recomputed" (issue 16, section 4)."""
    from migbook.sphinx import citing

    cff = citing.citation_meta()
    report = (built_book / "book" / "report.html").read_text(
        encoding="utf-8"
    )
    errata = (built_book / "book" / "errata.html").read_text(
        encoding="utf-8"
    )
    odd = [
        r
        for r in built_claims
        if r["plausibility"]
        or r["rule"] == "left-blank"
        or r["basis"] in ("restatement", "internal")
    ]
    assert any(r["rule"] == "left-blank" for r in odd)
    assert any(r["plausibility"] == "ceiling" for r in odd)
    for r in odd:
        assert r["value_label"] != "recomputed", r["id"]
        row = {
            **r,
            "computed_value": float(r["computed_value"])
            if r["computed_value"]
            else None,
            "implied_value": float(r["implied_value"])
            if r["implied_value"]
            else None,
        }
        text = citing.citation_text(row, cff, r["url"])
        assert "recomputed" not in text, (r["id"], text)
        assert "recomputed" not in citing.bibtex(row, cff, r["url"])
    blank = next(r for r in odd if r["rule"] == "left-blank")
    assert "the book&#39;s filling of the blank" in errata or (
        "the book's filling of the blank" in errata
    )
    block = report.split(f'id="{blank["id"]}"')[1].split("</tbody>")[0]
    assert "recomputed" not in block.replace("Recom&shy;puted", "")


def test_sensitivity_on_the_policy_page(built_book, built_claims):
    """The policy page counts the statuses under 5% and 20% tolerance and with round-number
    readings off, from the records, and names every claim whose status moves; each such badge
    says so."""
    from migbook.claims import ALTERNATIVE_LABELS

    policy = (built_book / "book" / "policy.html").read_text(
        encoding="utf-8"
    )
    assert 'class="migbook-table migbook-sensitivity"' in policy
    for label in ALTERNATIVE_LABELS.values():
        assert f'data-setting="{label}"' in policy
    moved = [
        r
        for r in built_claims
        if any(
            r[c] != r["status"]
            for c in ("status_near_5", "status_near_20", "status_no_round")
        )
    ]
    assert moved, "no badge is fragile: the table would show nothing"
    for r in moved:
        assert f"<code>{r['id']}</code></a> ({r['status']} →" in policy
        chapter = r["chapter"].split("/")[-1]
        page = (built_book / "book" / f"{chapter}.html").read_text(
            encoding="utf-8"
        )
        badge = page.split(f'id="claim-{r["id"]}"')[1].split("</div>")[0]
        assert 'class="claim-fragile"' in badge, r["id"]
