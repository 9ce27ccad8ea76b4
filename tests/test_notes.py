"""Claim notes: fixed words in the ledger, computed clauses in the chapters, no figure typed.

A claim's note is the ledger's ``note`` (its fixed words, in the book's own words) joined with
what the chapter computes: the ``clause`` of ``data/claim_checks.csv``, a template whose
placeholders the chapter fills (``note={...}``, glued figures), or a clause the code builds
(``note=`` a string). A figure in a note must come from a placeholder or a format field
(``cited(...)`` or a computed value), never be typed into the words: the same detector as
``typed_numbers`` (years, table and footnote numbers, page references and small counts pass)
runs over the ledger's ``note`` column, over the ``clause`` column with its placeholders taken
out, and over the literal text of every ``note=`` in the chapters' code.
"""

from __future__ import annotations

import ast
import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", re.S | re.M)
LABELLED = re.compile(
    r"(?i)\b(table|tables|figure|fig\.|chapter|section|part|footnote|fn|note|appendix|p\.|pp\."
    r"|page|pages|no\.|vol\.|paper|claim)\s+[\dIVX]+[\d.–-]*(?:\s+and\s+\d+)?"
)
NUM = re.compile(
    r"(?<![\w.])[-−]?\$?\d[\d,]*(?:\.\d+)?\s*"
    r"(?:%|percent|per cent|million|billion|trillion|fold)?(?![\w])"
)
CLAIM_ID = re.compile(r"\b(?:p2001|p2004|both)-[a-z0-9]+(?:-[a-z0-9]+)*\b")


def typed_figures(text: str) -> list[str]:
    """Numbers that look typed by hand: not a year, a label's number or a small count."""
    text = LABELLED.sub(" ", CLAIM_ID.sub(" ", text))
    hits = []
    for m in NUM.finditer(text):
        tok = m.group(0).strip()
        digits = re.sub(r"[^\d.]", "", tok)
        try:
            v = float(digits.replace(",", ""))
        except ValueError:
            continue
        if re.fullmatch(r"(19|20)\d\d", digits):
            continue
        if v < 10 and not re.search(
            r"[%$.]|fold|percent|million|billion|trillion", tok
        ):
            continue
        hits.append(tok)
    return hits


def ledger_rows() -> list[dict]:
    with (ROOT / "data" / "claims.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        return list(csv.DictReader(fh))


def literal_text(node: ast.expr) -> str:
    """The words of a note expression that are typed, not computed: string constants, the
    constant parts of f-strings and of string concatenations."""
    parts = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            parts.append(sub.value)
    return " ".join(parts)


def chapter_notes() -> list[tuple[str, str, str]]:
    """(chapter, claim id expression, literal text) for every note= in the chapters' code."""
    out = []
    for path in sorted((ROOT / "book").glob("ch*.md")):
        for m in CELL.finditer(path.read_text(encoding="utf-8")):
            code = "\n".join(
                "" if re.match(r"^:\w+:", ln) else ln
                for ln in m.group(1).splitlines()
            )
            for node in ast.walk(ast.parse(code)):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in ("check", "external")
                ):
                    continue
                for kw in node.keywords:
                    if kw.arg == "note":
                        out.append(
                            (
                                path.stem,
                                ast.unparse(node.args[0]),
                                literal_text(kw.value),
                            )
                        )
    return out


def test_detector_flags_typed_figures_and_passes_labels():
    assert typed_figures("8.2 million x one third") == ["8.2 million"]
    assert typed_figures("the 40,000 members divided by 3%") == [
        "40,000",
        "3%",
    ]
    assert typed_figures("divided by the US$282 average") == ["282"]
    assert (
        typed_figures(
            "p2004 Table 1, 2001; page 152; pages 88-93; fn 13; 1978-1979; "
            "Tables 1 and 4; six items; 2 lists; see both-t1-oil-1999"
        )
        == []
    )


def test_ledger_has_a_note_column_described_by_the_schema():
    from migbook.data import resource_meta

    fields = {
        f["name"]: f for f in resource_meta("claims")["schema"]["fields"]
    }
    assert fields["note"]["type"] == "string" and fields["note"].get(
        "title"
    )
    assert "required" not in fields["note"].get("constraints", {})
    assert "note" in ledger_rows()[0]


def test_no_figure_typed_into_a_ledger_note():
    bad = [
        f"{r['id']}: {hits} in {r['note'][:80]!r}"
        for r in ledger_rows()
        if (hits := typed_figures(r["note"]))
    ]
    assert not bad, "\n".join(bad)


def test_no_figure_typed_into_a_chapter_note():
    notes = chapter_notes()
    assert (
        len(notes) > 20
    )  # the chapters do pass computed clauses or values
    bad = [
        f"{ch} {cid}: {hits} in {text[:80]!r}"
        for ch, cid, text in notes
        if (hits := typed_figures(text))
    ]
    assert not bad, "\n".join(bad)


def clause_rows() -> list[dict]:
    with (ROOT / "data" / "claim_checks.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        return list(csv.DictReader(fh))


def words_of(template: str) -> str:
    """A template's words, its placeholders (``{name:spec}``) taken out."""
    return re.sub(r"\{[^{}]*\}", " ", template)


def test_no_figure_typed_into_a_clause():
    rows = [r for r in clause_rows() if r["clause"]]
    assert len(rows) > 20  # the chapters' computed clauses live there
    bad = [
        f"{r['claim']}: {hits} in {r['clause'][:80]!r}"
        for r in rows
        if (hits := typed_figures(words_of(r["clause"])))
    ]
    assert not bad, "\n".join(bad)
    assert typed_figures(words_of("{n:.0f} of 8.5 million")) == [
        "8.5 million"
    ]


def test_ledger_notes_do_not_repeat_the_credited_source():
    """The badge of an external claim leads with the ledger's ``source``; the note adds to it."""
    bad = [
        f"{r['id']}: {r['source']!r}"
        for r in ledger_rows()
        if r["source"] != "none credited"
        and not r["source"].startswith("p20")
        and r["source"] in r["note"]
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    "row, clause, source, want",
    [
        (
            {
                "note": "oil / (oil + agriculture)",
                "source": "p2004 Table 1",
            },
            "",
            False,
            "oil / (oil + agriculture)",
        ),
        (
            {"note": "the lowest year.", "source": "x"},
            "it ranges from 1 to 2",
            False,
            "the lowest year; it ranges from 1 to 2",
        ),
        (
            {
                "note": "Maquiladora exports are not in the tables",
                "source": "Cypher 2000",
            },
            "",
            True,
            "credited to Cypher 2000. Maquiladora exports are not in the tables",
        ),
        (
            {"note": "", "source": "none credited"},
            "",
            True,
            "no source credited",
        ),
    ],
)
def test_a_note_joins_the_ledger_words_and_the_computed_clause(
    row, clause, source, want
):
    from migbook.notebook import _note

    assert _note(row, clause, source=source) == want
