"""The built book: every claim has the status and value it is expected to have."""

import csv
import json
from pathlib import Path

import pytest

from migbook.data import ledger

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.xdist_group("build")


def expected_rows() -> dict[str, dict]:
    rows = {}
    for path in sorted((ROOT / "tests" / "expected").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                assert r["id"] not in rows, f"{r['id']} expected twice"
                rows[r["id"]] = {**r, "file": path.name}
    return rows


def same_at_printed_precision(got: float, want: str) -> bool:
    """Compare at the precision the expectation is written with: "16823669" is exact to the unit,
    "1.68237e+07" to six significant digits, "0.27" to two decimals."""
    mantissa = want.lower().split("e")[0].lstrip("+-")
    digits = len(mantissa.replace(".", "").lstrip("0")) or 1
    if "." not in mantissa and "e" not in want.lower():
        return abs(got - float(want)) < 0.5 + 1e-9 * abs(got)
    return float(f"{got:.{digits}g}") == float(f"{float(want):.{digits}g}")


def test_every_claim_has_an_expectation(built_claims):
    exp = expected_rows()
    built = {r["id"] for r in built_claims}
    assert built == set(exp), {
        "not expected": sorted(built - set(exp)),
        "not built": sorted(set(exp) - built),
    }


def test_every_ledger_row_is_published(built_claims):
    assert [r["id"] for r in built_claims] == list(ledger().index)


def test_status_and_value_of_every_claim(built_claims):
    exp = expected_rows()
    wrong = []
    for r in built_claims:
        e = exp.get(r["id"])
        if e is None:
            continue
        if r["status"] != e["status"]:
            wrong.append(
                f"{r['id']}: status {r['status']} (expected {e['status']})"
            )
        got, want = r["computed_value"], e["computed_value"]
        if (got == "") != (want == ""):
            wrong.append(f"{r['id']}: value {got!r} (expected {want!r})")
        elif got and not same_at_printed_precision(float(got), want):
            wrong.append(f"{r['id']}: value {got} (expected {want})")
    assert not wrong, "\n".join(wrong)


def test_published_ledger_columns(built_book, built_claims):
    need = [
        "id",
        "paper",
        "section",
        "statement",
        "cited",
        "cited_value",
        "unit",
        "computed_value",
        "status",
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
    for r in built_claims:
        assert r["status"] in (
            "reproduced",
            "qualified",
            "discrepant",
            "external",
        )
        assert r["url"].endswith("#" + r["id"])
        if r["status"] in ("discrepant", "qualified", "external"):
            assert r["note"].strip(), (
                f"{r['id']}: a {r['status']} claim needs a note"
            )


def test_claim_urls_resolve(built_book, built_claims):
    for r in built_claims:
        page, anchor = r["url"].split("#")
        assert f'id="{anchor}"' in (built_book / page).read_text(
            encoding="utf-8"
        ), r["url"]
        page, anchor = r["where"].split("#")
        assert f'id="{anchor}"' in (built_book / page).read_text(
            encoding="utf-8"
        ), r["where"]


def test_report_lists_every_claim(built_book, built_claims):
    html = (built_book / "book" / "report.html").read_text(encoding="utf-8")
    assert html.count('<tr id="') == len(built_claims)
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
        remote = re.findall(
            r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', text
        )
        assert not remote, (page, remote)
        assert (
            "cdn.jsdelivr.net/npm/vega" not in text
            and "THEBE_JS_URL" not in text
        ), page
