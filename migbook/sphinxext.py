"""Sphinx extension of the book (listed in ``_config.yml``).

- Validates ``data/`` before anything is read: a malformed file stops the build with a message
  naming the file, the line and the column.
- Re-executes every chapter when ``data/`` or the helper package changed (jupyter-cache keys on
  code cells only, so a changed ledger row would otherwise leave a stale status).
- ``{claims-report}``: a placeholder filled after every page was read, from the chapters' glue
  files and ``data/claims.csv``; pages holding it are rebuilt on every build.
- Fails the build when a ledger row of a page in the book was never checked, was checked on
  another page, or was checked twice.
- Writes ``claims.csv`` and ``claims.json`` and a copy of ``data/`` into the HTML output.
- Serves the vendored vega, vega-lite and vega-embed, only on pages that hold a chart.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from migbook.claims import STATUSES, fmt_number
from migbook.data import (
    ROOT,
    VALIDATED_ENV,
    DataError,
    data_digest,
    data_dir,
    ledger,
    validate_package,
)

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
LEDGER_COLUMNS = [
    "id",
    "paper",
    "section",
    "chapter",
    "kind",
    "statement",
    "cited",
    "qualifier",
    "cited_value",
    "cited_high",
    "unit",
    "source",
    "remark",
]
OUT_COLUMNS = [
    "id",
    "paper",
    "section",
    "chapter",
    "kind",
    "statement",
    "cited",
    "qualifier",
    "cited_value",
    "cited_high",
    "unit",
    "source",
    "remark",
    "computed_value",
    "computed_unit",
    "status",
    "reading",
    "bounds",
    "note",
    "url",
    "where",
]


# --------------------------------------------------------------------------- inputs
def _inputs_hash() -> str:
    h = hashlib.sha256()
    files = sorted(data_dir().glob("*")) + sorted(
        (ROOT / "migbook").glob("*.py")
    )
    for p in files:
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def _on_builder_inited(app: Sphinx) -> None:
    data_sum = data_digest()
    valid = Path(app.doctreedir) / "migbook-valid-data.sha256"
    # bytes that passed validation in an earlier build of this folder need no second look
    if not (valid.exists() and valid.read_text() == data_sum):
        try:
            validate_package()
        except DataError as exc:
            raise ExtensionError(
                f"data/ does not match data/datapackage.json; nothing is built.\n{exc}"
            ) from exc
        valid.parent.mkdir(parents=True, exist_ok=True)
        valid.write_text(data_sum)
    # the chapters' kernels (started later, from this process) need not validate these bytes again
    os.environ[VALIDATED_ENV] = data_sum
    stamp = Path(app.doctreedir) / "migbook-inputs.sha256"
    digest = _inputs_hash()
    app.env.migbook_inputs_changed = (
        not stamp.exists() or stamp.read_text() != digest
    )
    if app.env.migbook_inputs_changed:
        cache = Path(
            app.config.nb_execution_cache_path
            or Path(app.outdir).parent / ".jupyter_cache"
        )
        if cache.exists():
            logger.info(
                "[migbook] data/ or migbook/ changed: clearing the execution cache"
            )
            shutil.rmtree(cache)
    app.env.migbook_stamp = (stamp, digest)


def _on_get_outdated(app, env, added, changed, removed):
    """Pages that show other pages' results are re-read whenever any other page is, or when data/
    or the helper package changed (then every page is)."""
    if getattr(env, "migbook_inputs_changed", False):
        return sorted(set(env.found_docs) - set(added) - set(changed))
    dynamic = set(getattr(env, "migbook_dynamic_docs", set()))
    if (set(added) | set(changed) | set(removed)) - dynamic:
        return sorted(dynamic - set(added) - set(changed))
    return []


# --------------------------------------------------------------------------- directive
class claims_placeholder(nodes.General, nodes.Element):
    """Filled on doctree-resolved."""


def mark_dynamic(env) -> None:
    """The page being read holds a placeholder filled from the ledger: re-read it on every build."""
    if not hasattr(env, "migbook_dynamic_docs"):
        env.migbook_dynamic_docs = set()
    env.migbook_dynamic_docs.add(env.docname)


class ClaimsReportDirective(SphinxDirective):
    has_content = False
    option_spec = {}

    def run(self):
        env = self.env
        mark_dynamic(env)
        env.migbook_report_doc = env.docname
        return [claims_placeholder("", kind="report")]


def _on_purge(app, env, docname):
    getattr(env, "migbook_dynamic_docs", set()).discard(docname)


def _on_merge(app, env, docnames, other):
    env.migbook_dynamic_docs = getattr(
        env, "migbook_dynamic_docs", set()
    ) | getattr(other, "migbook_dynamic_docs", set())
    if hasattr(other, "migbook_report_doc"):
        env.migbook_report_doc = other.migbook_report_doc


# --------------------------------------------------------------------------- collecting
def _glue_records(env, docname: str) -> dict[str, dict]:
    folder = Path(env.mystnb_config.output_folder)
    path = folder.joinpath(
        *docname.split("/")[:-1], docname.split("/")[-1] + ".glue.json"
    )
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for key, output in data.items():
        if key.startswith("rec-"):
            rec = json.loads(output["data"]["text/plain"])
            out[rec["id"]] = rec
    return out


def collect(env) -> tuple[list[dict], list[str]]:
    """Join the ledger with every chapter's results. Returns (rows, problems)."""
    led = ledger()
    report_doc = getattr(env, "migbook_report_doc", "book/report")
    docs = sorted(env.found_docs)
    records: dict[str, list[tuple[str, dict]]] = {}
    for doc in docs:
        for cid, rec in _glue_records(env, doc).items():
            records.setdefault(cid, []).append((doc, rec))
    problems, rows = [], []
    for line, (cid, row) in enumerate(led.iterrows(), start=2):
        chapter = row["chapter"]
        where = f"data/claims.csv line {line} ({cid})"
        if chapter not in env.found_docs:
            problems.append(
                f"{where}: its chapter {chapter!r} is not a page of the book"
            )
            continue
        found = records.pop(cid, [])
        if not found:
            problems.append(
                f"{where}: never checked; {chapter} must call check() or external() for it"
            )
            continue
        if len(found) > 1:
            problems.append(
                f"{where}: checked on several pages: {', '.join(d for d, _ in found)}"
            )
            continue
        doc, rec = found[0]
        if doc != chapter:
            problems.append(
                f"{where}: checked on {doc} but the ledger assigns it to {chapter}"
            )
            continue
        rows.append(
            {
                "id": cid,
                **{k: row[k] for k in LEDGER_COLUMNS[1:]},
                "computed_value": ""
                if rec["computed_value"] is None
                else rec["computed_value"],
                "computed_unit": rec["unit"],
                "status": rec["status"],
                "reading": rec["reading"],
                "bounds": rec["bounds"],
                "note": rec["note"],
                "url": f"{report_doc}.html#{cid}",
                "where": f"{chapter}.html#claim-{cid}",
            }
        )
    for cid, found in records.items():
        problems.append(
            f"claim {cid!r} checked on {found[0][0]} is not in data/claims.csv"
        )
    return rows, problems


def _on_check_consistency(app, env):
    rows, problems = collect(env)
    if problems:
        raise ExtensionError(
            "claims ledger and chapters disagree:\n  "
            + "\n  ".join(problems)
        )
    env.migbook_rows = rows


# --------------------------------------------------------------------------- report
def report_html(rows: list[dict], docname: str) -> str:
    esc = html.escape
    up = "../" * docname.count("/")
    counts = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
    chapters = sorted({r["chapter"] for r in rows})
    summary = "".join(
        f'<tr><th scope="row">{esc(ch)}</th>'
        + "".join(
            f'<td class="num">{sum(r["chapter"] == ch and r["status"] == s for r in rows)}</td>'
            for s in STATUSES
        )
        + f'<td class="num">{sum(r["chapter"] == ch for r in rows)}</td></tr>'
        for ch in chapters
    )
    summary_html = (
        '<table class="migbook-table migbook-summary"><caption>Claims by chapter and status</caption>'
        '<thead><tr><th scope="col">Chapter</th>'
        + "".join(f'<th scope="col">{s}</th>' for s in STATUSES)
        + '<th scope="col">all</th></tr></thead><tbody>'
        + summary
        + '<tr><th scope="row">whole book</th>'
        + "".join(f'<td class="num">{counts[s]}</td>' for s in STATUSES)
        + f'<td class="num">{len(rows)}</td></tr></tbody></table>'
    )
    filters = (
        '<div class="migbook-filters" role="search">'
        '<label>Filter <input type="search" class="migbook-filter-text" placeholder="id, words, source…"></label> '
        '<label>Status <select class="migbook-filter-status"><option value="">all</option>'
        + "".join(f'<option value="{s}">{s}</option>' for s in STATUSES)
        + "</select></label> "
        '<label>Chapter <select class="migbook-filter-chapter"><option value="">all</option>'
        + "".join(
            f'<option value="{esc(c)}">{esc(c)}</option>' for c in chapters
        )
        + "</select></label> "
        f'<span class="migbook-filter-count" aria-live="polite">{len(rows)} claims</span></div>'
    )
    head = [
        "Claim",
        "Paper, place",
        "What it measures",
        "Cited",
        "Recomputed",
        "Status",
        "Note",
        "Where",
    ]
    body = []
    for r in rows:
        comp = fmt_number(r["computed_value"])
        comp = f"{comp} {esc(r['computed_unit'])}" if comp else "—"
        body.append(
            f'<tr id="{esc(r["id"])}" data-status="{r["status"]}" data-chapter="{esc(r["chapter"])}">'
            f'<th scope="row"><a href="#{esc(r["id"])}"><code>{esc(r["id"])}</code></a></th>'
            f"<td>{esc(r['paper'])} {esc(r['section'])}</td><td>{esc(r['statement'])}</td>"
            f'<td>“{esc(r["cited"])}”</td><td class="num" data-sort="{esc(str(r["computed_value"]))}">{comp}</td>'
            f'<td><span class="claim-badge claim-{r["status"]}">{r["status"]}</span></td>'
            f"<td>{esc(r['note'])}</td>"
            f'<td><a href="{up}{esc(r["where"])}">{esc(r["chapter"].split("/")[-1])}</a></td></tr>'
        )
    table = (
        '<div class="migbook-table-wrap"><table class="migbook-table migbook-report">'
        "<caption>Every claim of the book (click a column header to sort)</caption><thead><tr>"
        + "".join(
            f'<th scope="col"><button type="button" class="migbook-sort">{h}</button></th>'
            for h in head
        )
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div>"
    )
    downloads = (
        f'<p class="migbook-downloads">Download the ledger: <a href="{up}claims.csv" download>claims.csv</a> · '
        f'<a href="{up}claims.json" download>claims.json</a></p>'
    )
    return summary_html + downloads + filters + table


def _on_doctree_resolved(app, doctree, docname):
    for node in list(doctree.findall(claims_placeholder)):
        rows = getattr(app.env, "migbook_rows", [])
        node.replace_self(
            nodes.raw("", report_html(rows, docname), format="html")
        )


# --------------------------------------------------------------------------- pages and outputs
def _on_page_context(app, pagename, templatename, context, doctree):
    body = context.get("body", "")
    if 'class="migbook-chart"' in body:
        # the chart script fetches vega from the vendor folder when a chart nears the viewport
        vendor = context["pathto"]("_static/vendor/", 1)
        app.add_js_file(
            "migbook-charts.js", priority=600, **{"data-vendor": vendor}
        )
    if "migbook-report" in body:
        app.add_js_file("migbook-report.js", priority=650)


def _on_build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    rows = getattr(app.env, "migbook_rows", None)
    if rows is None:
        rows, problems = collect(app.env)
        if problems:
            raise ExtensionError(
                "claims ledger and chapters disagree:\n  "
                + "\n  ".join(problems)
            )
    out = Path(app.outdir)
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=OUT_COLUMNS, lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    (out / "claims.csv").write_text(buf.getvalue(), encoding="utf-8")
    (out / "claims.json").write_text(
        json.dumps(rows, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    shutil.copytree(data_dir(), out / "data", dirs_exist_ok=True)
    stamp, digest = app.env.migbook_stamp
    stamp.write_text(digest)


def _on_config_inited(app, config):
    config.html_static_path = list(config.html_static_path) + [str(STATIC)]
    app.add_css_file("migbook.css")


def setup(app: Sphinx):
    app.connect("config-inited", _on_config_inited)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("env-get-outdated", _on_get_outdated)
    app.connect("env-purge-doc", _on_purge)
    app.connect("env-merge-info", _on_merge)
    app.connect("env-check-consistency", _on_check_consistency)
    app.connect("doctree-resolved", _on_doctree_resolved)
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _on_build_finished)
    app.setup_extension("migbook.execution")  # notebooks run in parallel
    app.add_node(claims_placeholder)
    app.add_directive("claims-report", ClaimsReportDirective)
    app.setup_extension(
        "migbook.appendix"
    )  # errata, reconciliation and citation placeholders
    from migbook import site

    site.setup(app)  # the published site: downloads, fallbacks, page weight
    return {
        "version": "0.1",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
