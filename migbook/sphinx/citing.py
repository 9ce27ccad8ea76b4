"""Citing one recomputed figure: the text and the BibTeX entry of a claim, with its full address.

The book's own metadata come from ``CITATION.cff``; the address is ``html_baseurl`` and the
claim's anchor on the report page (:func:`migbook.sphinx.links.canonical_url`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from migbook.data import ROOT
from migbook.render import fmt_number, shown_number, value_label


@lru_cache(maxsize=4)
def _read(path: str, mtime: float) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def citation_meta(path: Path | None = None) -> dict:
    """The book's ``CITATION.cff`` (title, authors, version, date) as a dict."""
    p = path or ROOT / "CITATION.cff"
    return _read(str(p), p.stat().st_mtime)


def authors(cff: dict) -> str:
    names = []
    for a in cff.get("authors", []):
        if "name" in a:
            names.append(a["name"])
        else:
            names.append(
                " ".join(
                    x
                    for x in (
                        a.get("given-names", ""),
                        a.get("family-names", ""),
                    )
                    if x
                )
            )
    if not names:
        return ""
    return (
        ", ".join(names[:-1]) + " and " + names[-1]
        if len(names) > 1
        else names[0]
    )


def book_reference(cff: dict) -> str:
    """``The migbook team (2026). Title, version 0.1.0`` (plain text)."""
    year = str(cff.get("date-released", ""))[:4]
    return f"{authors(cff)} ({year}). {cff['title']}, version {cff.get('version', '')}"


def figure_words(row: dict) -> str:
    """What the paper printed and what the book found, in one clause, in the words of
    :func:`migbook.render.value_label` ("recomputed" only for a figure the book recomputed)."""
    parts = [f"{row['paper']} {row['section']} prints “{row['cited']}”"]
    number = shown_number(
        row["status"],
        row.get("computed_value"),
        row.get("implied_value"),
        row.get("plausibility", ""),
    )
    label = row.get("value_label") or value_label(
        row["status"],
        row.get("rule", ""),
        row.get("plausibility", ""),
        row.get("basis", ""),
    )
    if number is not None:
        parts.append(f"{label} {fmt_number(number)} {row['computed_unit']}")
    else:
        parts.append("no figure recomputed")
    status = row["status"] + (
        f", {row['severity']}" if row.get("severity") else ""
    )
    return ", ".join(parts) + f" ({status})"


def detail(row: dict) -> str:
    return f"claim {row['id']}: {row['statement']}; {figure_words(row)}"


def citation_text(row: dict, cff: dict, url: str) -> str:
    return f"{book_reference(cff)}, {detail(row)}. {url}"


_TEX = str.maketrans(
    {
        "%": r"\%",
        "&": r"\&",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
    }
)


def bibtex(row: dict, cff: dict, url: str) -> str:
    year = str(cff.get("date-released", ""))[:4]
    return "\n".join(
        [
            f"@misc{{migbook-{row['id']},",
            f"  author  = {{{{{authors(cff)}}}}},",
            f"  title   = {{{str(cff['title']).translate(_TEX)}}},",
            f"  year    = {{{year}}},",
            f"  version = {{{cff.get('version', '')}}},",
            f"  note    = {{{detail(row).translate(_TEX)}}},",
            f"  url     = {{{url}}}",
            "}",
        ]
    )


def item_citation(cff: dict, what: str, url: str) -> str:
    """Citation text for a chart or a table of the book: ``<book>, <what>. <url>``."""
    return f"{book_reference(cff)}, {what.rstrip('. ')}. {url}"
