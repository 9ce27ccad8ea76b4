"""The ledger of attributions, ``data/attributions.csv``: the papers' own words behind each sentence
of the book about what a paper argues, offers as evidence or concedes (pure; read by the book's
``{said}`` role, :mod:`migbook.sphinx.attributions`, and by the published notebooks,
:mod:`migbook.sphinx.plain_notebook`)."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from migbook.data import data_dir

FILE = "attributions.csv"


def rows(folder: Path | None = None) -> dict[str, dict[str, str]]:
    """The attributions by id (read again when the file changes)."""
    path = (folder or data_dir()) / FILE
    stat = path.stat()
    return _read(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _read(path: str, mtime_ns: int, size: int) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def where(row: dict[str, str]) -> str:
    """'p2004, section III' / 'p2001, section III, footnote 14' / 'p2001, Introduction'."""
    said_at = []
    for part in (p.strip() for p in row["section"].split(",")):
        if part.startswith("fn "):
            said_at.append("footnote " + part[3:])
        elif part.lower() == "intro":
            said_at.append("Introduction")
        else:
            said_at.append("section " + part)
    return f"{row['paper']}, " + ", ".join(said_at)


def footnote_text(row: dict[str, str]) -> str:
    """'p2004, section III: “…”' (quotation marks inside the passage become single ones)."""
    inner = row["passage"].replace("“", "‘").replace("”", "’")
    return f"{where(row)}: “{inner}”"
