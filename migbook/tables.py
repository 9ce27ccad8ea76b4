"""Render a printed table exactly as transcribed, with its title, source line and notes."""

from __future__ import annotations

import csv
import html

from migbook.data import data_dir, resource_meta

#: papers whose tables print thousands separators (p2004: "32,307", four digits plain: "4340");
#: p2001's tables print plain digits ("1590359")
PRINTS_SEPARATORS = {"p2004"}


def grouped(text: str) -> str:
    """A numeric cell as the papers print it: the CSV's digits, with thousands separators
    (``-12969`` -> ``-12,969``, ``1590359.5`` -> ``1,590,359.5``); the digits are never changed."""
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, dot, frac = digits.partition(".")
    if not whole.isdigit():
        return text
    return f"{sign}{int(whole):,}{dot}{frac}" if len(whole) > 4 else text


def table_html(name: str) -> str:
    """HTML for table ``name``: cells are the CSV text, with thousands separators where the paper prints them."""
    meta = resource_meta(name)
    fields = meta["schema"]["fields"]
    with (data_dir() / meta["path"]).open(
        encoding="utf-8", newline=""
    ) as fh:
        rows = list(csv.reader(fh))[1:]
    numeric = [f.get("type") in ("integer", "number") for f in fields]
    sep = meta["paper"] in PRINTS_SEPARATORS
    esc = html.escape
    head = "\n".join(
        f'<th scope="col" title="{esc(f.get("description", ""))}">{esc(f.get("title", f["name"]))}</th>'
        for f in fields
    )
    body = []
    for r in rows:
        cells = []
        for j, (v, num) in enumerate(zip(r, numeric, strict=False)):
            tag = 'th scope="row"' if j == 0 else "td"
            cls = ' class="num"' if num else ""
            cells.append(
                f"<{tag}{cls}>{esc(grouped(v) if num and sep else v)}</{tag.split()[0]}>"
            )
        body.append("<tr>" + "\n".join(cells) + "</tr>\n")
    notes = "".join(f"<li>{esc(n)}</li>" for n in meta.get("notes", []))
    caption = (
        f"{esc(meta['paper'])} {esc(meta['table'])}. {esc(meta['title'])}"
    )
    return (
        f'<div class="migbook-table-wrap"><table class="migbook-table" id="table-{esc(name)}">'
        f"<caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        f'<p class="migbook-source" data-migbook-table="{esc(name)}">'
        f"Source (as printed): {esc(meta.get('source', '').rstrip('.'))}. "
        f"Units: {esc(meta.get('units', ''))}. "
        # the book's build points the link at its copy of data/ (migbook.sphinx.tables)
        f'<a href="../data/{esc(meta["path"])}" data-migbook-file="data/{esc(meta["path"])}" download>'
        f"Download {esc(meta['path'])}</a> (its columns' units and descriptions: "
        f'<a href="../data/datapackage.json" data-migbook-file="data/datapackage.json">'
        f"datapackage.json</a>, the Frictionless descriptor published beside it)</p>"
        + (f'<ul class="migbook-notes">{notes}</ul>' if notes else "")
        + "</div>"
    )


class _Table:
    def __init__(self, name: str):
        self.name = name

    def _repr_html_(self) -> str:
        return table_html(self.name)

    def __repr__(self) -> str:
        meta = resource_meta(self.name)
        return f"{meta['paper']} {meta['table']}: {meta['title']} (data/{meta['path']})"


def show_table(name: str):
    """Display a printed table (use as the last line of a code cell)."""
    from IPython.display import display

    display(_Table(name))
