"""Own words: no run of eight or more words copied from the papers outside quotation marks.

The papers' plain text sits in ``shared/seeds/`` beside the clone (CI: ``../shared/seeds`` from the
repository root; in a git worktree, beside one of its ancestors). The test reads it and never writes
there. Compared, after normalising case, punctuation, hyphenation and line breaks:

- every page of the book (``book/*.md``: prose and code, so strings in code cells count too);
- the ledger's own words: ``statement``, ``remark`` and ``note`` (the ``cited`` column is the
  papers' text by design and is left out), and the words of the checks beside it: ``inferred``,
  ``measure`` and ``clause`` of ``data/claim_checks.csv``, ``label`` of
  ``data/claim_readings.csv``;
- the descriptions and notes of ``data/datapackage.json`` (titles of printed tables and columns are
  transcriptions, as printed);
- the notes of ``data/attributions.csv``. Its ``passage`` column is the sanctioned quotation: the
  papers' own words behind a sentence about their argument, shown as a footnote in quotation marks,
  short (``tests/test_attributions.py`` caps it and finds it verbatim in the paper), so it is left
  out here as the ledger's ``cited`` column is.

The titles of the two papers (the first line of each text) may be cited anywhere. Text inside
quotation marks ("...", “...”, ‘...’ and '...') is left out: a short quoted phrase is
allowed where the exact wording is what a check is about.
"""

from __future__ import annotations

import csv
import json
import os
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = 8  # words


def seeds_dir() -> Path | None:
    """``$MIGBOOK_SEEDS``, else the first ``shared/seeds`` found beside the repository root or one
    of its ancestors (CI: ``../shared/seeds``)."""
    if os.environ.get("MIGBOOK_SEEDS"):
        return Path(os.environ["MIGBOOK_SEEDS"])
    for parent in ROOT.parents:
        candidate = parent / "shared" / "seeds"
        if candidate.is_dir() and any(candidate.glob("*.txt")):
            return candidate
    return None


SEEDS = seeds_dir()
pytestmark = pytest.mark.skipif(
    SEEDS is None,
    reason="the papers' text (shared/seeds/*.txt beside the repository) is not here",
)

# quoted spans: double and curly quotes always; straight single quotes only when they open after a
# non-letter and close before one (so that apostrophes in "Mexico's" or "migrants'" do not count)
QUOTED = re.compile(
    r'"[^"\n]*"|“[^”]*”|‘[^’]*’|(?<![A-Za-z0-9])\'[^\'\n]{1,300}?\'(?![A-Za-z0-9])'
)


def words(text: str) -> list[str]:
    """Lower-case words: accents kept, hyphens and dashes split words, other punctuation dropped,
    line breaks and hyphenation at a line end undone."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(
        r"(\w)-\s*\n\s*(\w)", r"\1\2", text
    )  # a word hyphenated across a line break
    text = text.replace("’", "'").lower()
    text = re.sub(r"[-‐‑‒–—―/_]", " ", text)
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return text.split()


def paper_titles() -> list[list[str]]:
    """The papers' titles (first non-empty line of each text), as word lists."""
    titles = []
    for path in sorted(SEEDS.glob("*.txt")):
        first = next(
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        )
        titles.append(words(first.lstrip("# ")))
    return titles


def unquoted(text: str) -> str:
    return QUOTED.sub(" | ", text)


def drop_titles(ws: list[str], titles: list[list[str]]) -> list[list[str]]:
    """Split a word list where it cites a paper's title, leaving the title out."""
    pieces, start, i = [], 0, 0
    while i < len(ws):
        title = next(
            (t for t in titles if t and ws[i : i + len(t)] == t), None
        )
        if title:
            pieces.append(ws[start:i])
            i += len(title)
            start = i
        else:
            i += 1
    pieces.append(ws[start:])
    return pieces


def shingles(ws: list[str], n: int = RUN) -> set[tuple[str, ...]]:
    return {tuple(ws[i : i + n]) for i in range(len(ws) - n + 1)}


def copied_runs(text: str, paper: set[tuple[str, ...]]) -> list[str]:
    """The runs of ``RUN`` or more words of ``text`` (outside quotes) that the papers also have,
    merged when they overlap."""
    hits = []
    titles = paper_titles() if SEEDS else []
    pieces = [
        p
        for q in unquoted(text).split(" | ")
        for p in drop_titles(words(q), titles)
    ]
    for ws in pieces:
        i, n = 0, len(ws)
        while i + RUN <= n:
            if tuple(ws[i : i + RUN]) in paper:
                j = i + RUN
                while j < n and tuple(ws[j - RUN + 1 : j + 1]) in paper:
                    j += 1
                hits.append(" ".join(ws[i:j]))
                i = j
            else:
                i += 1
    return hits


@pytest.fixture(scope="module")
def paper_runs() -> set[tuple[str, ...]]:
    runs: set[tuple[str, ...]] = set()
    for path in sorted(SEEDS.glob("*.txt")):
        runs |= shingles(words(path.read_text(encoding="utf-8")))
    assert runs, f"no text in {SEEDS}"
    return runs


#: the words of the checks beside the ledger: (file, key columns, text columns)
CHECK_WORDS = (
    ("claim_checks.csv", ("claim",), ("inferred", "measure", "clause")),
    ("claim_readings.csv", ("claim", "key"), ("label",)),
)


def texts():
    """(where, text) for every place the project speaks in its own words."""
    for page in sorted((ROOT / "book").glob("*.md")):
        yield f"book/{page.name}", page.read_text(encoding="utf-8")
    with open(
        ROOT / "data" / "claims.csv", newline="", encoding="utf-8"
    ) as f:
        for row in csv.DictReader(f):
            for column in ("statement", "remark", "note"):
                if row.get(column):
                    yield (
                        f"data/claims.csv {row['id']} {column}",
                        row[column],
                    )
    for name, key, columns in CHECK_WORDS:
        with open(ROOT / "data" / name, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                for column in columns:
                    if row.get(column):
                        yield (
                            f"data/{name} {' '.join(row[k] for k in key)} "
                            f"{column}",
                            row[column],
                        )
    with open(
        ROOT / "data" / "attributions.csv", newline="", encoding="utf-8"
    ) as f:
        for row in csv.DictReader(
            f
        ):  # 'passage' is the sanctioned quotation
            yield f"data/attributions.csv {row['id']} note", row["note"]
    package = json.loads(
        (ROOT / "data" / "datapackage.json").read_text(encoding="utf-8")
    )

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("description", "notes") and isinstance(
                    value, str
                ):
                    yield f"data/datapackage.json {path}{key}", value
                elif key == "notes" and isinstance(value, list):
                    for i, note in enumerate(value):
                        if isinstance(note, str):
                            yield (
                                f"data/datapackage.json {path}notes[{i}]",
                                note,
                            )
                else:
                    yield from walk(value, f"{path}{key}.")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, f"{path}{i}.")

    yield from walk(package, "")


# ----------------------------------------------------------------------------- the detector itself
def test_detector_finds_a_copied_run_and_ignores_quotes():
    paper = shingles(
        words(
            "The quick brown fox jumps over the lazy dog near the river bank today."
        )
    )
    assert copied_runs(
        "As they wrote, the quick brown fox jumps over the lazy dog near here.",
        paper,
    ) == ["the quick brown fox jumps over the lazy dog near"]
    assert (
        copied_runs(
            'They wrote "the quick brown fox jumps over the lazy dog near" here.',
            paper,
        )
        == []
    )
    assert (
        copied_runs("the quick brown fox jumps over the cat", paper) == []
    )  # seven words shared
    # hyphenation, case, punctuation and line breaks do not hide a copy
    assert copied_runs(
        "The QUICK brown-fox jumps,\nover the la-\nzy dog",
        shingles(words("the quick brown fox jumps over the lazy dog")),
    ) == ["the quick brown fox jumps over the lazy dog"]
    # apostrophes are not quotation marks
    assert (
        copied_runs(
            "Mexico's quick brown fox jumps over the lazy dog near",
            shingles(
                words(
                    "Mexico's quick brown fox jumps over the lazy dog near"
                )
            ),
        )
        != []
    )


def test_seeds_are_the_two_papers():
    names = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert len(names) >= 2, names


# ----------------------------------------------------------------------------- the project
def test_no_run_of_eight_words_copied_from_the_papers(paper_runs):
    found = [
        f"{where}: “{run}”"
        for where, text in texts()
        for run in copied_runs(text, paper_runs)
    ]
    assert not found, (
        f"{len(found)} run(s) of {RUN}+ words shared with the papers outside "
        "quotation marks (rewrite in the book's own words, or quote a short phrase):\n"
        + "\n".join(found)
    )
