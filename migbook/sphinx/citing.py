"""Citing one recomputed figure: the text and the BibTeX entry of a claim, with its full address.

The book's own metadata come from ``CITATION.cff``; the address is ``html_baseurl`` and the
claim's anchor on the report page (:func:`migbook.sphinx.links.canonical_url`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from migbook.data import ROOT
from migbook.render import quantity, shown_number, value_label


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
    """``The migbook team (2026). Title, version 0.1.0 of 2026-11-23`` (plain text): the release's
    version and date from ``CITATION.cff`` (the build reads no clock)."""
    date = str(cff.get("date-released", ""))
    when = f" of {date}" if date else ""
    return (
        f"{authors(cff)} ({date[:4]}). {cff['title']}, "
        f"version {cff.get('version', '')}{when}"
    )


@lru_cache(maxsize=1)
def _papers() -> dict[str, str]:
    from pybtex.database import parse_file

    out = {}
    bib = parse_file(str(ROOT / "book" / "references.bib"), "bibtex")
    for key in ("p2001", "p2004"):
        e = bib.entries[key]
        names = [
            ", ".join(
                x
                for x in (
                    " ".join(p.last_names),
                    " ".join(p.first_names + p.middle_names),
                )
                if x
            )
            for p in e.persons.get("author", [])
        ]
        f = e.fields
        title = (
            f["title"].replace("{", "").replace("}", "").replace("--", "–")
        )
        where = f.get("journal", "")
        if f.get("volume"):
            where += f" {f['volume']}"
            if f.get("number"):
                where += f"({f['number']})"
        if f.get("pages"):
            where += ": " + f["pages"].replace("--", "–")
        out[key] = f"{' and '.join(names)} ({f['year']}). {title}. {where}."
    return out


def paper_reference(paper: str) -> str:
    """The reference of the paper a claim comes from (``p2001``, ``p2004``), from the book's
    bibliography (``book/references.bib``); empty for another key."""
    return _papers().get(paper, "")


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
        parts.append(f"{label} {quantity(number, row['computed_unit'])}")
    else:
        parts.append("no figure recomputed")
    status = row["status"] + (
        f", {row['severity']}" if row.get("severity") else ""
    )
    return ", ".join(parts) + f" ({status})"


def detail(row: dict) -> str:
    return f"claim {row['id']}: {row['statement']}; {figure_words(row)}"


def citation_text(row: dict, cff: dict, url: str) -> str:
    """The book's reference, the claim and its address, then the original paper's reference
    (cite both: the book for the check, the paper for the figure)."""
    paper = paper_reference(row.get("paper", ""))
    also = f" Cite the original paper as well: {paper}" if paper else ""
    return f"{book_reference(cff)}, {detail(row)}. {url}.{also}"


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
    date = str(cff.get("date-released", ""))
    paper = paper_reference(row.get("paper", ""))
    note = detail(row) + (f". Original paper: {paper}" if paper else "")
    return "\n".join(
        [
            f"@misc{{migbook-{row['id']},",
            f"  author  = {{{{{authors(cff)}}}}},",
            f"  title   = {{{str(cff['title']).translate(_TEX)}}},",
            f"  year    = {{{date[:4]}}},",
            f"  date    = {{{date}}},",
            f"  version = {{{cff.get('version', '')}}},",
            f"  note    = {{{note.translate(_TEX)}}},",
            f"  url     = {{{url}}}",
            "}",
        ]
    )


def item_citation(cff: dict, what: str, url: str) -> str:
    """Citation text for a chart or a table of the book: ``<book>, <what>. <url>``."""
    return f"{book_reference(cff)}, {what.rstrip('. ')}. {url}"
