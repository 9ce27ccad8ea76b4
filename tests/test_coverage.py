"""Coverage: every number in the papers' prose has a ledger row, or a reasoned entry in the sweep.

The book's front page says that every statistic the papers state in their text, footnotes and table
notes has a row in the claims ledger. This test holds it to that, mechanically, for every figure
written in digits; the sweep (``tests/coverage_sweep.csv``, the checklist of the last sweep of both
papers, sentence by sentence) records what a digit-by-digit scan cannot decide and what words
alone assert (quantity words, counts in words, dates):

- ``covered_by``: the ledger rows that check the statement (``;``-separated), or empty;
- ``reason``: why a statement has no row of its own (a page reference, a label, a citation's date,
  a figure checked by the row named), required when ``covered_by`` is empty.

A number in the papers' prose (tables are transcribed in ``data/`` and checked cell by cell; the
reference lists are left out; so are citations' years and pages, note markers and list numbers) is
covered when a ledger row of that paper quotes words of the same sentence (its ``cited``) and names
the number in its ``cited``, ``statement`` or ``section``; otherwise a sweep entry of that paper must
quote words of the sentence that include the number.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ROOT / "tests" / "coverage_sweep.csv"
PAPERS = {
    "p2001": "000_4d504017f873b4fe.txt",
    "p2004": "002_0a4f1e3d0c2b0fd3.txt",
}


def seeds_dir() -> Path | None:
    for parent in ROOT.parents:
        candidate = parent / "shared" / "seeds"
        if all((candidate / f).exists() for f in PAPERS.values()):
            return candidate
    return None


SEEDS = seeds_dir()
pytestmark = pytest.mark.skipif(
    SEEDS is None, reason="the papers' text (shared/seeds) is not here"
)

# a citation: an author (or 'al.', never a month) followed by a year, with optional pages: "Baker (1995: 402)",
# "(Corona 2001, 38)", "Saxe-Fernández (2001,171)", "Dussel 2003b 149"
MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
CITATION = re.compile(
    rf"(?:(?!{MONTH}\b)[A-Z][\w'\-]+|al\.)[,\s]*\(?\s*(?:19|20)\d\d[a-z]?"
    r"(?:[,:]?\s*\d[\d\-–]*(?:,\s*\d[\d\-–]*)*)?\)?"
)
MARKERS = re.compile(
    r"\^\{\d*\.?\}|<sup>\d+</sup>|^\s*[-•]?\s*\d+\.\s|\(\d\)|\((?:i|ii|iii)\)"
    r"|(?:p\.|pp\.|cap\.)\s*[\d.\-]+|\b(?:Table|Figure|table)\s+\d+"
)
# a figure with what is glued to it: "1990s", "3000km", "3x1", "H-2a"'s "2a"
NUMBER = re.compile(r"\d(?:[\w,.]*\w)?")
SENTENCE = re.compile(r"(?<=[.;:?])\s+(?=[A-Z(•\-])|(?<=[.;?])\s+(?=\d)")
# a full stop that ends an abbreviation or a list number, not a sentence
NOT_AN_END = re.compile(
    r"(?:\b(?:p|pp|cap|Jan|Feb|No|al|vs)|^[-•\s]*\d+|\^\{\d*)\.$"
)


def norm(text: str) -> str:
    """Quotes and dollar signs as plain characters, no superscript note markers, no emphasis
    marks, single spaces (thousands separators stay: "2,000" jobs is not the year 2000)."""
    text = (
        text.replace("\\$", "$")
        .replace("’", "'")
        .replace("“", '"')
        .replace("”", '"')
        .replace("*", "")
    )
    text = re.sub(
        r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", "", text
    )  # note markers set as superscripts
    return re.sub(r"\s+", " ", text).strip()


def sentences(paper: str) -> list[str]:
    """The paper's prose (text, footnotes, table titles and notes) sentence by sentence: table
    rows (tab-separated) and the reference list left out."""
    text = (SEEDS / PAPERS[paper]).read_text(encoding="utf-8")
    text = re.split(r"\n#*\s*REFERENCES\s*\n", text)[0]
    out = []
    for line in text.splitlines():
        if not line.strip() or "\t" in line:
            continue
        pieces: list[str] = []
        for piece in SENTENCE.split(norm(line)):
            if pieces and NOT_AN_END.search(pieces[-1]):
                pieces[-1] += " " + piece
            else:
                pieces.append(piece)
        out.extend(pieces)
    return out


def numbers(sentence: str) -> list[str]:
    """The figures of a sentence, citations, markers, labels and pages taken out."""
    bare = MARKERS.sub(" ", CITATION.sub(" ", sentence))
    return [m.group(0).rstrip(",.") for m in NUMBER.finditer(bare)]


def within(part: str, text: str) -> bool:
    """``part`` occurs in ``text`` as whole words (case aside): "2000" is not in "2,000 jobs" read
    as "2000 jobs"'s neighbour "12000", nor "10" in "1,000"."""
    pattern = r"(?<![\w.])" + re.escape(part.lower()) + r"(?!\w)"
    return re.search(pattern, text.lower()) is not None


def parts(quoted: str) -> list[str]:
    return [norm(p) for p in re.split(r"\.\.\.|…", quoted) if p.strip()]


def read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def uncovered(ledger: list[dict], sweep: list[dict]) -> list[str]:
    """Numbers of the papers' prose that neither a ledger row nor a sweep entry accounts for."""
    found = []
    for paper in PAPERS:
        rows = [
            (
                parts(r["cited"]),
                norm(f"{r['cited']} {r['statement']} {r['section']}"),
            )
            for r in ledger
            if r["paper"] in (paper, "both")
        ]
        entries = [
            parts(e["statement"]) for e in sweep if e["paper"] == paper
        ]
        for sent in sentences(paper):
            for tok in numbers(sent):
                by_row = any(
                    within(tok, words)
                    and any(within(p, sent) for p in quoted)
                    for quoted, words in rows
                )
                by_sweep = any(
                    any(within(p, sent) and within(tok, p) for p in quoted)
                    for quoted in entries
                )
                if not (by_row or by_sweep):
                    found.append(f"{paper}: {tok!r} in {sent[:160]!r}")
    return found


# ----------------------------------------------------------------------------- the sweep itself
def test_sweep_entries_are_printed_and_point_at_ledger_rows():
    ledger_ids = {r["id"] for r in read(ROOT / "data" / "claims.csv")}
    texts = {
        p: norm((SEEDS / f).read_text(encoding="utf-8"))
        for p, f in PAPERS.items()
    }
    problems = []
    for n, e in enumerate(read(SWEEP), start=2):
        for p in parts(e["statement"]):
            if p.lower() not in texts[e["paper"]].lower():
                problems.append(
                    f"line {n}: {p!r} is not printed in {e['paper']}"
                )
        ids = [i.strip() for i in e["covered_by"].split(";") if i.strip()]
        problems += [
            f"line {n}: no ledger row {i!r}"
            for i in ids
            if i not in ledger_ids
        ]
        if not ids and not e["reason"].strip():
            problems.append(f"line {n}: no ledger row and no reason")
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------- the detector
def test_detector_finds_a_number_whose_row_is_gone():
    ledger = read(ROOT / "data" / "claims.csv")
    sweep = read(SWEEP)
    assert not uncovered(ledger, sweep)
    gone = "p2004-iv-border-deaths-2001"
    gaps = uncovered(
        [r for r in ledger if r["id"] != gone],
        [e for e in sweep if gone not in e["covered_by"]],
    )
    assert [g.split(" in ")[0] for g in gaps] == [
        "p2004: '377'",
        "p2004: '2001'",
    ], gaps
    assert numbers(
        "as Baker (1995: 402) estimates, 65% of exports (Corona 2001, 38)"
    ) == ["65"]
    # a date is not a citation, and a figure keeps what is glued to it
    assert numbers("signed on 22 June 2001 (Sandoval 2001, 252)") == [
        "22",
        "2001",
    ]
    assert numbers("the 1990s; 3000km; the 3x1 program") == [
        "1990s",
        "3000km",
        "3x1",
    ]
    assert not within("2000", "2,000 jobs") and within(
        "2,000", "2,000 jobs"
    )


# ----------------------------------------------------------------------------- the papers
def test_every_number_in_the_papers_prose_is_covered():
    gaps = uncovered(read(ROOT / "data" / "claims.csv"), read(SWEEP))
    assert not gaps, (
        f"{len(gaps)} number(s) of the papers without a ledger row or a sweep entry "
        "(add a claim, or a line to tests/coverage_sweep.csv with the reason):\n"
        + "\n".join(gaps)
    )
