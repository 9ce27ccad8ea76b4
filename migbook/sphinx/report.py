"""The reproducibility report (``{claims-report}``) and the ledger's exports.

- The placeholder is filled after every page was read (``doctree-resolved``), from the rows of
  :mod:`migbook.sphinx.collector`, with the template ``templates/report.html``: a summary by
  chapter (labelled by the chapters' titles), then one ``<tbody id="<claim id>">`` per claim
  (a main row, and a detail row with the note, the chapter and the citation text and BibTeX).
- Every claim is a search entry of its own (its id, and its printed figures with and without
  thousands separators), so the search box leads to its row.
- ``claims.csv`` and ``claims.json`` (and a copy of ``data/``) are written into the output:
  numbers to six significant digits; in JSON, numbers as numbers and null when absent.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from migbook.claims import BASES, COUNTED, STATUSES
from migbook.data import data_dir, resource_meta
from migbook.render import (
    SIGNIFICANT,
    fmt_number,
    fragile_text,
    plain,
    quantity,
)
from migbook.sphinx import citing
from migbook.sphinx._compat import keep_search_entries
from migbook.sphinx.collector import (
    ROWS_CHANGED,
    check_page,
    claims_unchanged,
    counts,
    ledger_columns,
    mark_dynamic,
)
from migbook.sphinx.collector import rows as joined_rows
from migbook.sphinx.links import canonical_url, doc_uri, resource_uri
from migbook.sphinx.templating import render

PRECISION_NOTE = (
    f"recomputed and implied values are rounded to {SIGNIFICANT} significant digits "
    "(whole numbers in full); cited values are as the ledger reads the print"
)
#: columns the build adds to the ledger's own (read from data/datapackage.json)
RESULT_COLUMNS = [
    "computed_value",
    "implied_value",
    "computed_unit",
    "value_label",
    "status",
    "rule",
    "severity",
    "counted_with",
    "joint",
    "status_near_5",
    "status_near_20",
    "status_no_round",
    "plausibility",
    "reading",
    "bounds",
    "note",
    "url",
    "where",
]
#: the export column of each alternative setting of the policy (``claims.ALTERNATIVES``)
SENSITIVITY_COLUMNS = {
    "near-5": "status_near_5",
    "near-20": "status_near_20",
    "no-round": "status_no_round",
}


class claims_placeholder(nodes.General, nodes.Element):
    """Filled on doctree-resolved."""


class counts_placeholder(nodes.General, nodes.Element):
    """Filled on doctree-resolved."""


class ClaimsCountsDirective(SphinxDirective):
    """``{claims-counts}``: the headline counts by status and by basis (any page)."""

    has_content = False
    option_spec = {}

    def run(self):
        mark_dynamic(self.env)
        return [counts_placeholder("")]


def headline(t: dict) -> str:
    """The headline counts in one sentence, by status and by basis (from
    :func:`migbook.claims.tally`): the same words on every page that shows them."""
    by_status = ", ".join(f"{t['status'][s]} {s}" for s in COUNTED)
    by_basis = ", ".join(f"{t['basis'][b]} on {BASES[b]}" for b in BASES)
    apart = []
    if t["counted_with"]:
        apart.append(
            f"{t['counted_with']} more share the verdict of another claim and "
            "are counted there"
        )
    if t["withdrawn"]:
        apart.append(
            f"{t['withdrawn']} withdrawn because their check could not fail"
        )
    return (
        f"{t['total']} claims, {t['counted']} of them counted: {by_status}. "
        f"By what the check rests on: {by_basis}."
        + (f" Apart: {'; '.join(apart)}." if apart else "")
    )


def counts_context(rows: list[dict]) -> dict:
    """What ``templates/counts.html`` shows: :func:`headline` and the table of counted claims by
    basis and status."""
    whole = counts(rows)
    return {
        "headline": headline(whole),
        "statuses": list(COUNTED),
        "by_basis": [
            {
                "basis": b,
                "label": BASES[b],
                "counts": [whole["status_basis"][s][b] for s in COUNTED],
                "total": whole["basis"][b],
            }
            for b in BASES
        ],
        "totals": [whole["status"][s] for s in COUNTED],
        "counted": whole["counted"],
    }


def counts_html(rows: list[dict]) -> str:
    return render("counts.html", **counts_context(rows))


class ClaimsReportDirective(SphinxDirective):
    has_content = False
    option_spec = {}

    def run(self):
        mark_dynamic(self.env)
        check_page(self.env, "migbook_report_page", "the claims report")
        return [claims_placeholder("")]


# --------------------------------------------------------------------------- numbers
def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(
        value, float
    ):  # shortest round-trip digits, never an exponent
        import numpy as np

        return np.format_float_positional(value, trim="-")
    return str(value)


def export_rows(app: Sphinx, rows: list[dict]) -> list[dict]:
    """The rows of ``claims.csv``/``claims.json``: the ledger's columns (numbers as numbers),
    then the results, with full addresses."""
    fields = {
        f["name"]: f.get("type")
        for f in resource_meta("claims")["schema"]["fields"]
    }
    out = []
    for r in rows:
        rec = {
            c: (plain(r[c]) if fields[c] in ("number", "integer") else r[c])
            for c in ledger_columns()
        }
        rec.update(
            {
                "computed_value": plain(r["computed_value"]),
                "implied_value": plain(r["implied_value"]),
                "computed_unit": r["computed_unit"],
                "value_label": r.get("value_label", ""),
                "status": r["status"],
                "rule": r["rule"],
                "severity": r.get("severity", ""),
                "counted_with": r.get("counted_with", ""),
                "joint": " ".join(r.get("joint") or []),
                **{
                    col: (r.get("sensitivity") or {}).get(k, r["status"])
                    for k, col in SENSITIVITY_COLUMNS.items()
                },
                "plausibility": r.get("plausibility", ""),
                "reading": r["reading"],
                "bounds": r["bounds"],
                "note": r["note"],
                "url": canonical_url(app, r["report_doc"], r["id"]),
                "where": canonical_url(
                    app, r["chapter"], f"claim-{r['id']}"
                ),
            }
        )
        out.append(rec)
    return out


# --------------------------------------------------------------------------- the page
def _value(value, unit: str, printed: str | None = None) -> str:
    """A number with its unit in words, at the reader-facing precision (render.quantity)."""
    return quantity(value, unit, printed) if value is not None else ""


def search_terms(row: dict) -> list[str]:
    """What a reader may type to find a claim: its id, and every printed figure with and without
    thousands separators."""
    terms = [row["id"]]
    figures = re.findall(
        r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", row["cited"]
    )
    if figures:  # the number the ledger reads from a printed figure (not from words: "twice")
        for v in (row.get("cited_value"), row.get("cited_high")):
            if v not in (None, ""):
                figures.append(fmt_number(v))
    for f in figures:
        terms += [f, f.replace(",", "")]
    return list(dict.fromkeys(t for t in terms if t))


def report_context(app: Sphinx, rows: list[dict], docname: str) -> dict:
    builder = app.builder
    cff = citing.citation_meta()
    chapters = list(dict.fromkeys(r["chapter"] for r in rows))
    titles = {r["chapter"]: r["chapter_title"] for r in rows}
    summary = []
    for ch in chapters:
        t = counts([r for r in rows if r["chapter"] == ch])
        summary.append(
            {
                "title": titles[ch],
                "href": doc_uri(builder, docname, ch),
                "counts": [t["status"][s] for s in COUNTED]
                + [t["counted_with"], t["withdrawn"]],
                "total": t["total"],
            }
        )
    whole = counts(rows)
    view = []
    policy_doc = app.config.migbook_policy_page
    for r in rows:
        url = canonical_url(app, r["report_doc"], r["id"])
        view.append(
            {
                **r,
                "computed": _value(
                    r["computed_value"],
                    r["computed_unit"],
                    r.get("cited_value") or None,
                ),
                "implied": _value(
                    r["implied_value"],
                    r["computed_unit"],
                    r.get("cited_value") or None,
                ),
                "computed_sort": ""
                if r["computed_value"] is None
                else repr(float(r["computed_value"])),
                "implied_sort": ""
                if r["implied_value"] is None
                else repr(float(r["implied_value"])),
                "where_href": doc_uri(
                    builder, docname, r["chapter"], f"claim-{r['id']}"
                ),
                "rule_href": (
                    doc_uri(
                        builder, docname, policy_doc, f"rule-{r['rule']}"
                    )
                    if r.get("rule") and policy_doc in app.env.found_docs
                    else ""
                ),
                "basis_label": BASES.get(r.get("basis", ""), ""),
                "fragile": fragile_text(r["status"], r.get("sensitivity")),
                "cite_text": citing.citation_text(r, cff, url),
                "bibtex": citing.bibtex(r, cff, url),
                "url": url,
            }
        )
    return {
        "statuses": STATUSES,
        "columns": [*COUNTED, "counted once elsewhere", "withdrawn"],
        "summary": summary,
        "totals": [whole["status"][s] for s in COUNTED]
        + [whole["counted_with"], whole["withdrawn"]],
        "counts_html": counts_html(rows),
        "count": len(rows),
        "chapters": [(ch, titles[ch]) for ch in chapters],
        "rows": view,
        "csv_href": resource_uri(builder, docname, "claims.csv"),
        "json_href": resource_uri(builder, docname, "claims.json"),
        "precision": PRECISION_NOTE,
    }


def index_entries(rows: list[dict]) -> list[tuple]:
    """Each claim as search entries of its own (its id and figures), linked to its row."""
    return [
        ("single", term, r["id"], "main", None)
        for r in rows
        for term in search_terms(r)
    ]


def _remember_search_entries(app: Sphinx, env, rows: list[dict]) -> None:
    """Sphinx takes a page's search entries from its doctree when it writes the page, after
    the environment is saved; a later build that does not write the report would lose them.
    Setting them here, before the environment is saved, keeps them
    (:func:`~migbook.sphinx._compat.keep_search_entries`)."""
    keep_search_entries(
        env,
        app.config.migbook_report_page,
        sorted(
            {
                (term, anchor, main)
                for _, term, anchor, main, _ in index_entries(rows)
            }
        ),
    )


def _on_doctree_resolved(app: Sphinx, doctree, docname):
    for node in list(doctree.findall(counts_placeholder)):
        node.replace_self(
            nodes.raw("", counts_html(joined_rows(app)), format="html")
        )
    placeholders = list(doctree.findall(claims_placeholder))
    if not placeholders:
        return
    rows = joined_rows(app)
    html = render("report.html", **report_context(app, rows, docname))
    entries = index_entries(rows)
    for node in placeholders:
        # the index node makes each claim a search entry of its own, linked to its row (it is
        # added after reading, so the general index page does not list the claims)
        node.replace_self(
            [
                nodes.raw("", html, format="html"),
                addnodes.index(entries=entries),
            ]
        )


# --------------------------------------------------------------------------- exports
def build_finished(app: Sphinx, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    if claims_unchanged(app) and all(
        (out / f).exists() for f in ("claims.csv", "claims.json", "data")
    ):
        return
    rows = export_rows(app, joined_rows(app))
    columns = ledger_columns() + [
        c for c in RESULT_COLUMNS if c not in ledger_columns()
    ]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _csv_cell(v) for k, v in r.items()} for r in rows)
    (out / "claims.csv").write_text(buf.getvalue(), encoding="utf-8")
    (out / "claims.json").write_text(
        json.dumps(rows, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    shutil.copytree(data_dir(), out / "data", dirs_exist_ok=True)


def setup_report(app: Sphinx) -> None:
    app.add_node(claims_placeholder)
    app.add_node(counts_placeholder)
    app.add_directive("claims-report", ClaimsReportDirective)
    app.add_directive("claims-counts", ClaimsCountsDirective)
    app.connect("doctree-resolved", _on_doctree_resolved)
    app.connect(ROWS_CHANGED, _remember_search_entries)
