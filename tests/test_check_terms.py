"""The fixed settings and words of the checks, kept as data beside the ledger.

``data/claim_checks.csv`` (one row per claim, or per ``*`` pattern of ids) and
``data/claim_readings.csv`` (the named readings and measures of a claim) hold what does not change
between runs; ``migbook.notebook.check`` and ``external`` complete a call from them. These tests
run the notebook API on a copy of ``data/`` with rows written for the purpose, and check that the
result is what the same settings passed in code give, that a setting lives in one place, that
the words' placeholders are filled from what the chapter computes or glued, and that malformed
rows are refused with the file, line and column named.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from migbook import data as D
from migbook import notebook as N
from migbook.claims import Reading, evaluate, external_result

ROOT = Path(__file__).resolve().parents[1]
CHECKS = "claim_checks.csv"
READINGS = "claim_readings.csv"


#: what the notebook API published in a test: claim id -> result
PUBLISHED: dict = {}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A copy of data/ whose check files start empty; the notebook's results are captured in
    :data:`PUBLISHED`."""
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder)
    for name in (CHECKS, READINGS):
        header = (folder / name).read_text(encoding="utf-8").splitlines()[0]
        (folder / name).write_text(header + "\n", encoding="utf-8")
    D.update_stats(folder)
    monkeypatch.setenv("MIGBOOK_DATA", str(folder))
    D._validated.cache_clear()
    PUBLISHED.clear()
    monkeypatch.setattr(
        N,
        "_publish",
        lambda result, row: PUBLISHED.update({result.id: result}),
    )
    monkeypatch.setattr(N, "_glued", {})
    yield folder
    D._validated.cache_clear()


def add(folder: Path, name: str, **cells) -> None:
    """Append a row (unnamed columns empty) and record the file's new stats."""
    path = folder / name
    with path.open(encoding="utf-8", newline="") as fh:
        columns = next(csv.reader(fh))
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, columns, lineterminator="\n").writerow(cells)
    D.update_stats(folder)


def ledger_row(cid: str) -> dict:
    with (ROOT / "data" / "claims.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        return next(r for r in csv.DictReader(fh) if r["id"] == cid)


CID = "p2004-i-mfg-deficit-2002"  # a table check printed in US$ billion


def test_settings_come_from_the_claims_row(folder):
    add(folder, CHECKS, claim=CID, unit="US$ million", severity="slip")
    N.check(CID, 7000.0)
    got = PUBLISHED[CID]
    want = evaluate(
        ledger_row(CID),
        7000.0,
        unit="US$ million",
        severity="slip",
        note=N._note(ledger_row(CID), ""),
    )
    assert got.record() == want.record()
    assert got.severity == "slip" and got.computed_value == 7.0


def test_a_setting_lives_in_one_place(folder):
    add(folder, CHECKS, claim=CID, unit="US$ million")
    with pytest.raises(
        ValueError, match=r"'unit' is given in the code and in"
    ):
        N.check(CID, 7000.0, unit="US$ million")


def test_clause_filled_from_values_passed_computed_and_glued(folder):
    add(
        folder,
        CHECKS,
        claim=CID,
        unit="US$ million",
        severity="slip",
        clause="{value:,.0f} against {cited:.1f}; {year} row; "
        "{deficit-2000:.1f} in 2000",
    )
    N.glue_value("deficit-2000", 5.8123)
    N.check(CID, 7000.0, note={"year": 2001})
    assert PUBLISHED[CID].note.endswith(
        "7,000 against 17.5; 2001 row; 5.8 in 2000"
    ), PUBLISHED[CID].note


def test_a_missing_placeholder_is_named(folder):
    add(folder, CHECKS, claim=CID, unit="US$ million", clause="in {year}")
    with pytest.raises(
        ValueError, match=r"placeholder \{year\}.*note=\{'year'"
    ):
        N.check(CID, 7000.0)


def test_a_clause_and_a_note_string_do_not_mix(folder):
    add(folder, CHECKS, claim=CID, unit="US$ million", clause="fixed words")
    with pytest.raises(ValueError, match="keep it in one place"):
        N.check(CID, 7000.0, note="typed in the code")


def test_note_values_must_be_named_by_the_words(folder):
    add(folder, CHECKS, claim=CID, unit="US$ million", clause="in {year}")
    with pytest.raises(
        ValueError, match="note= gives yaer, which no words"
    ):
        N.check(CID, 7000.0, note={"year": 2001, "yaer": 2001})


def test_readings_by_key_take_rule_and_label_from_the_data(folder):
    add(folder, CHECKS, claim=CID, unit="US$ million", severity="slip")
    add(
        folder,
        READINGS,
        claim=CID,
        key="year-2001",
        rule="alternative-reading",
        label="{year} instead of 2002 ({value:,.0f})",
    )
    add(
        folder,
        READINGS,
        claim=CID,
        key="range",
        rule="component-rounding",
        label="between {lo:,.0f} and {hi:,.0f}",
        inferred="true",
    )
    N.check(
        CID,
        7000.0,
        readings={"year-2001": 8150.0, "range": (8100.0, 8000.0, 8300.0)},
        note={"year": 2001},
    )
    got = PUBLISHED[CID].readings
    assert got[0]["label"] == "2001 instead of 2002 (8,150)"
    assert (
        got[0]["rule"] == "alternative-reading" and not got[0]["inferred"]
    )
    assert got[1]["label"] == "between 8,000 and 8,300"
    assert (got[1]["lo"], got[1]["hi"], got[1]["inferred"]) == (
        8.0,
        8.3,
        True,
    )
    assert (
        got[0]["value"] == Reading("alternative-reading", "x", 8.15).value
    )


def test_an_unknown_reading_key_is_named(folder):
    add(folder, READINGS, claim=CID, key="one", rule="misprint", label="x")
    with pytest.raises(KeyError, match=r"no reading 'two'.*there: one"):
        N.check(CID, 7.0, readings={"two": 1.0})


def test_a_claim_without_reading_rows_keeps_computed_labels(folder):
    N.check(CID, 7.0, readings={"a label the code computed": 8.15})
    (r,) = PUBLISHED[CID].readings
    assert (r["label"], r["rule"]) == (
        "a label the code computed",
        "alternative-reading",
    )


def test_measures_by_key(folder):
    cid = "p2004-i-natural-resources-primarily-oil"
    add(folder, CHECKS, claim=cid, unit="percent", measure="lowest year")
    add(
        folder,
        READINGS,
        claim=cid,
        key="y2003",
        rule="measure",
        label="in 2003",
    )
    N.check(cid, 70.0, measures={"y2003": 90.0})
    assert PUBLISHED[cid].measures == {"lowest year": 70.0, "in 2003": 90.0}


def test_external_takes_unit_rule_and_clause(folder):
    cid = "p2004-iv-national-guard-increase"
    add(
        folder,
        CHECKS,
        claim=cid,
        unit="times",
        rule="coincidence",
        clause="almost {cited:.0f}% means {implied:.0f} times",
    )
    N.external(cid, implied=2.0)
    got = PUBLISHED[cid]
    want = external_result(
        ledger_row(cid),
        note=N._note(
            ledger_row(cid), "almost 800% means 2 times", source=True
        ),
        implied=2.0,
        implied_unit="times",
        rule="coincidence",
    )
    assert got.record() == want.record()


def test_a_pattern_row_serves_the_claims_of_a_loop(folder):
    add(
        folder,
        CHECKS,
        claim="both-t2-*-2000",
        unit="fraction",
        clause="{implied:.0%}",
    )
    for cid in ("both-t2-tourism-2000", "both-t2-remittances-2000"):
        N.external(cid, implied=0.75)
        assert PUBLISHED[cid].note.endswith("75%")
    assert D.check_terms("both-t2-tourism-all-years") == {}


# ----------------------------------------------------------------------- malformed rows refused
BAD = [
    (
        "unknown claim",
        CHECKS,
        {"claim": "p2004-no-such-claim", "unit": "persons"},
        [
            "data/claim_checks.csv",
            "line 2",
            "column 'claim'",
            "p2004-no-such-claim",
        ],
    ),
    (
        "pattern matching nothing",
        READINGS,
        {
            "claim": "p2004-zz-*",
            "key": "a",
            "rule": "misprint",
            "label": "x",
        },
        ["data/claim_readings.csv", "line 2", "column 'claim'", "pattern"],
    ),
    (
        "unknown counted_with",
        CHECKS,
        {"claim": CID, "counted_with": "p2004-nowhere"},
        [
            "data/claim_checks.csv",
            "line 2",
            "column 'counted_with'",
            "p2004-nowhere",
        ],
    ),
    (
        "unknown id in joint",
        CHECKS,
        {"claim": CID, "joint": f"{CID} p2004-nowhere"},
        [
            "data/claim_checks.csv",
            "line 2",
            "column 'joint'",
            "p2004-nowhere",
        ],
    ),
    (
        "placeholder that is not a name",
        CHECKS,
        {"claim": CID, "clause": "{x[0]:.1f} in {year}"},
        [
            "data/claim_checks.csv",
            "line 2",
            "column 'clause'",
            "{x[0]:.1f}",
        ],
    ),
    (
        "unbalanced brace",
        READINGS,
        {
            "claim": CID,
            "key": "a",
            "rule": "misprint",
            "label": "{value:.1f",
        },
        ["data/claim_readings.csv", "line 2", "column 'label'"],
    ),
    (
        "unknown plausibility",
        CHECKS,
        {"claim": CID, "plausibility": "roof"},
        [
            "data/claim_checks.csv",
            "line 2",
            "column 'plausibility'",
            "roof",
        ],
    ),
    (
        "unknown reading rule",
        READINGS,
        {"claim": CID, "key": "a", "rule": "hunch", "label": "x"},
        ["data/claim_readings.csv", "line 2", "column 'rule'", "hunch"],
    ),
    (
        "not a boolean",
        READINGS,
        {
            "claim": CID,
            "key": "a",
            "rule": "misprint",
            "label": "x",
            "inferred": "yes",
        },
        ["data/claim_readings.csv", "line 2", "column 'inferred'", "yes"],
    ),
    (
        "bad key",
        READINGS,
        {
            "claim": CID,
            "key": "Year 2001",
            "rule": "misprint",
            "label": "x",
        },
        ["data/claim_readings.csv", "line 2", "column 'key'", "Year 2001"],
    ),
]


@pytest.mark.parametrize(
    "case,name,cells,fragments", BAD, ids=[b[0] for b in BAD]
)
def test_malformed_rows_are_refused(folder, case, name, cells, fragments):
    add(folder, name, **cells)
    with pytest.raises(D.DataError) as err:
        D.validate_package(folder)
    msg = str(err.value)
    for frag in fragments:
        assert frag in msg, f"{case}: {frag!r} not in {msg}"


def test_a_claim_named_twice_is_refused(folder):
    add(folder, CHECKS, claim="both-t2-*-2000", unit="fraction")
    add(folder, CHECKS, claim="both-t2-tourism-2000", unit="fraction")
    with pytest.raises(D.DataError) as err:
        D.validate_package(folder)
    msg = str(err.value)
    assert "data/claim_checks.csv, line 3, column 'claim'" in msg
    assert "'both-t2-tourism-2000' already has a row (line 2)" in msg


def test_enums_match_the_checker():
    """The schema's lists of rules and severities are the checker's."""
    from migbook.claims import EXTERNAL_RULES, READING_RULES, SEVERITIES

    fields = {
        (r["name"], f["name"]): f
        for r in D._descriptor(ROOT / "data")["resources"]
        for f in r["schema"]["fields"]
    }
    enum = lambda res, col: fields[(res, col)]["constraints"]["enum"]  # noqa: E731
    assert enum("claim_checks", "rule") == list(EXTERNAL_RULES)
    assert enum("claim_checks", "severity") == list(SEVERITIES)
    assert enum("claim_readings", "rule") == [*READING_RULES, "measure"]


# ------------------------------------------------------------------------- the book's own rows
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def chapter_code() -> dict[str, str]:
    """book/<chapter> -> the code of its cells."""
    return {
        f"book/{p.stem}": "\n".join(
            CELL.findall(p.read_text(encoding="utf-8"))
        )
        for p in sorted((ROOT / "book").glob("ch*.md"))
    }


def test_every_reading_row_is_used_by_its_chapter():
    """A reading's key (an exact claim's, not a pattern's) is passed in its chapter's code."""
    code = chapter_code()
    chapters = {r["id"]: r["chapter"] for r in D.ledger_records()}
    unused = []
    with (ROOT / "data" / READINGS).open(
        encoding="utf-8", newline=""
    ) as fh:
        for r in csv.DictReader(fh):
            where = (
                code[chapters.get(r["claim"], "")]
                if "*" not in r["claim"]
                else ""
            )
            if "*" not in r["claim"] and f'"{r["key"]}"' not in where:
                unused.append(f"{r['claim']} {r['key']}")
    assert not unused, unused
