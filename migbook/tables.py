"""Render a printed table exactly as transcribed, with its title, source line and notes; and the
reader's copy of its CSV, whose header carries each column's unit (:func:`reader_csv`)."""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

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


#: where the build writes the reader's copies (``_tables/<file>``, beside ``data/``)
READER_DIR = "_tables"


def column_header(field: dict, where: str = "") -> str:
    """A column's header for readers: its title and, for a quantity, its unit from the
    descriptor (``Remittances (US$ million)``).

    The unit is the first clause of the field's ``description`` (before ``;``). A title that
    already states its unit (a parenthesis or ``%``: ``Investment (in US$)``) is kept as it is;
    labels (strings, and the table's key such as ``year``) carry no unit. A quantity whose unit
    the descriptor does not give is an error naming the table and column, never a guess."""
    title = field.get("title") or field["name"]
    if field.get("type") not in ("integer", "number") or field.get("_key"):
        return title
    if "(" in title or "%" in title:
        return title
    unit = (field.get("description") or "").split(";")[0].strip()
    if not unit or unit.startswith("as printed"):
        raise ValueError(
            f"data/datapackage.json{where}, column {field['name']!r}: "
            "no unit in its description or title"
        )
    return f"{title} ({unit})"


def reader_headers(name: str) -> list[str]:
    """The header of table ``name``'s reader's copy, one cell per column of the data file."""
    meta = resource_meta(name)
    keys = meta["schema"].get("primaryKey") or []
    keys = [keys] if isinstance(keys, str) else keys
    where = f" ({meta['path']})"
    return [
        column_header({**f, "_key": f["name"] in keys}, where)
        for f in meta["schema"]["fields"]
    ]


def reader_csv(name: str) -> str:
    """The reader's copy of table ``name``: the data file's rows, byte for byte, under a header
    that names each column with its unit (the data file's own header has bare names)."""
    meta = resource_meta(name)
    text = (data_dir() / meta["path"]).read_text(encoding="utf-8")
    first, nl, rows = text.partition("\n")
    buf = io.StringIO()
    csv.writer(
        buf, lineterminator="\r\n" if first.endswith("\r") else "\n"
    ).writerow(reader_headers(name))
    return buf.getvalue() + rows


def write_reader_copies(out: Path) -> list[Path]:
    """Write every printed table's reader's copy into ``out/_tables/`` (the build does this)."""
    written = []
    desc = json.loads(
        (data_dir() / "datapackage.json").read_text(encoding="utf-8")
    )
    for res in desc["resources"]:
        if not str(res.get("table", "")).startswith("Table"):
            continue  # the claims ledger ("ledger") is not a printed table
        target = out / READER_DIR / res["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(reader_csv(res["name"]), encoding="utf-8")
        written.append(target)
    return written


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
        # the book's build points the links at its output folder (migbook.sphinx.table_links)
        f'<a href="../{READER_DIR}/{esc(meta["path"])}" '
        f'data-migbook-file="{READER_DIR}/{esc(meta["path"])}" download>'
        f"Download {esc(meta['path'])} (with units)</a>, its header naming each "
        "column's unit; or the "
        f'<a href="../data/{esc(meta["path"])}" data-migbook-file="data/{esc(meta["path"])}" download>'
        "exact transcription</a> (bare column names) with "
        f'<a href="../data/datapackage.json" data-migbook-file="data/datapackage.json">'
        f"datapackage.json</a>, the Frictionless descriptor of its columns.</p>"
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
