"""One account per question: each claim is judged in one place, and no page contradicts it.

- Every paragraph of any page that names claim ids (in prose or in a glued value) and uses a status
  word (reproduced, qualified, discrepant, external) may only use the statuses those claims are built
  with (``tests/expected/*.csv``, which ``test_book`` holds equal to the built ledger).
- The back matter (the pages that list the chapters' results) holds no analysis of its own: its code
  cells call no checker, pick out no particular cell or year of a table, and only the errata page's
  screens (which apply one rule to every cell of every table) read the data at all. Its prose draws
  no conclusion about a particular cell: a paragraph that names a year may not call anything a
  misprint, a copy, right or wrong; that is the chapters' work, and the back matter links to it.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BACK_MATTER = (
    "intro",
    "reconciliation",
    "errata",
    "policy",
    "report",
    "references",
)
READS_DATA = {
    "errata"
}  # the outlier and repeat screens: one rule over every table
# a status word used as a status, not as an adjective ("external position", "better-qualified workers")
STATUS = re.compile(
    r"(?<![-\w])(reproduced|qualified|discrepant|external)\b(?![ \t\n]+[a-z])",
    re.I,
)
CLAIM_ID = re.compile(r"\b(?:p2001|p2004|both)-[a-z0-9]+(?:-[a-z0-9]+)*\b")
YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)\b")
VERDICT = re.compile(
    r"misprint|dropped digit|typo|\bcop(?:y|ied)\b|most likely|probably|\bis (?:right|wrong)\b"
    r"|\bin error\b|looks real|not a slip|printed on purpose",
    re.I,
)
CHECKER_CALL = re.compile(r"\b(?:check|external|evaluate)\s*\(")
FENCE = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.S | re.M)
DIRECTIVE = re.compile(r"^```\{[^}]+\}[^\n]*\n.*?^```", re.S | re.M)


def expected_status() -> dict[str, str]:
    out = {}
    for path in sorted((ROOT / "tests" / "expected").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            out.update({r["id"]: r["status"] for r in csv.DictReader(fh)})
    return out


def pages() -> dict[str, str]:
    return {
        p.stem: p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "book").glob("*.md"))
    }


def prose(text: str) -> str:
    """The page without front matter, code cells and directives (their content is not prose)."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    return DIRECTIVE.sub("", text)


def paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", prose(text)) if p.strip()]


def contradictions(text: str, status: dict[str, str]) -> list[str]:
    """Paragraphs that name a claim and use a status word other than the claim's built status."""
    found = []
    for para in paragraphs(text):
        ids = [i for i in CLAIM_ID.findall(para) if i in status]
        if not ids:
            continue
        words = {w.lower() for w in STATUS.findall(CLAIM_ID.sub(" ", para))}
        wrong = words - {status[cid] for cid in ids}
        if wrong:
            named = ", ".join(
                f"{cid} ({status[cid]})" for cid in dict.fromkeys(ids)
            )
            found.append(
                f"{named}, but the paragraph says {sorted(wrong)}: {para[:120]!r}"
            )
    return found


def own_analysis(name: str, text: str) -> list[str]:
    """What a back-matter page derives itself instead of listing a chapter's result."""
    found = []
    for code in FENCE.findall(text):
        if CHECKER_CALL.search(code):
            found.append(f"{name}: a code cell calls the checker")
        if YEAR.search(code):
            found.append(
                f"{name}: a code cell picks out a particular year: {YEAR.search(code).group()}"
            )
        if "load(" in code and name not in READS_DATA:
            found.append(f"{name}: a code cell reads the data")
    for para in paragraphs(text):
        if YEAR.search(para) and VERDICT.search(para):
            found.append(
                f"{name}: a paragraph about a particular year draws its own conclusion "
                f"({VERDICT.search(para).group()!r}): {para[:120]!r}"
            )
    return found


# ----------------------------------------------------------------------------- the detectors
def test_detectors_catch_a_second_account():
    status = {"both-t1-oil-1999": "external"}
    assert contradictions(
        "The gap in `both-t1-oil-1999` is discrepant.", status
    )
    assert not contradictions(
        "The gap in `both-t1-oil-1999` stays external.", status
    )
    assert not contradictions(
        "A discrepant row.\n\nThe row `both-t1-oil-1999`.", status
    )
    assert not contradictions(
        "`both-t1-oil-1999` and the external position; qualified workers.",
        status,
    )
    assert contradictions(
        "`both-t1-oil-1999` is qualified, and more", status
    )
    page = "Text.\n\n```{code-cell} ipython3\nm = load('t')\nm[1995]\n```\n\nIn 1995 a dropped digit.\n"
    assert len(own_analysis("reconciliation", page)) == 3
    assert (
        own_analysis(
            "reconciliation", "Chapter 2 examines the 1995 cell.\n"
        )
        == []
    )


# ----------------------------------------------------------------------------- the book
def test_no_page_contradicts_a_claims_status():
    status = expected_status()
    assert status, "no expected statuses"
    found = [
        f"book/{name}.md: {c}"
        for name, text in pages().items()
        for c in contradictions(text, status)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", BACK_MATTER)
def test_back_matter_lists_and_links_without_its_own_analysis(name):
    text = (ROOT / "book" / f"{name}.md").read_text(encoding="utf-8")
    assert not own_analysis(name, text), "\n".join(own_analysis(name, text))


def test_back_matter_assembles_claims_from_the_ledger():
    """The errata and reconciliation pages list claims through the build-time list, not by hand."""
    for name, opts in {
        "errata": ":group-by-rule:",
        "reconciliation": ":kind: paper-vs-paper",
    }.items():
        text = (ROOT / "book" / f"{name}.md").read_text(encoding="utf-8")
        assert "```{claims-list}" in text and opts in text, name
