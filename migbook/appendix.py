"""Back-matter placeholders filled from the claims ledger at build time (registered by ``sphinxext``).

- ``{claims-list}``: the ledger rows of some kinds and statuses, with their evidence (cited
  figure, recomputed value, bounds, reading, the chapter's note) and links to the report row and
  to the chapter place that checks them; ``:group-by-kind:`` gives one block per kind (the errata
  page), otherwise one table (the paper-against-paper rows of the reconciliation page).
- ``{claims-cite-example}``: how to cite one recomputed figure, worked on a real ledger row, with the
  book's own metadata read from ``CITATION.cff``.

Both reuse the machinery of :mod:`migbook.sphinxext`: the rows are the ones it joined
(``env.migbook_rows``, from :func:`migbook.sphinxext.collect`), and pages holding a placeholder are
re-read on every build (:func:`migbook.sphinxext.mark_dynamic`), so they never go stale.
"""

from __future__ import annotations

import html
from pathlib import Path

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from migbook.claims import STATUSES, fmt_number
from migbook.data import ROOT, resource_meta
from migbook.sphinxext import mark_dynamic

#: order and headings of the errata groups (the kinds of ``data/claims.csv``)
KIND_LABELS = {
    "table-arithmetic": "Table arithmetic: totals, averages and shares within a table",
    "text-vs-table": "Text against table",
    "paper-vs-paper": "Paper against paper",
    "unit-word": "Unit words (thousand, million, billion, trillion)",
    "count-vs-list": "Counts against lists",
    "outlier": "Outliers within a series",
    "blank": "Blanks left in print",
    "text": "Other figures stated in the text",
}


def kinds() -> list[str]:
    """Every kind the ledger schema allows, in the order of :data:`KIND_LABELS` (unknown ones last)."""
    field = next(
        f
        for f in resource_meta("claims")["schema"]["fields"]
        if f["name"] == "kind"
    )
    allowed = field["constraints"]["enum"]
    return [k for k in KIND_LABELS if k in allowed] + [
        k for k in allowed if k not in KIND_LABELS
    ]


def _words(value: str) -> list[str]:
    return [w for w in value.replace(",", " ").split() if w]


# --------------------------------------------------------------------------- rendering
def _claim_cell(r: dict, up: str) -> str:
    esc = html.escape
    return (
        f'<a href="{up}{esc(r["url"])}" title="This claim in the reproducibility report">'
        f"<code>{esc(r['id'])}</code></a><br>{esc(r['paper'])}, {esc(r['section'])}: "
        f"{esc(r['statement'])}"
    )


def _figures_cell(r: dict) -> str:
    esc = html.escape
    if r["qualifier"] == "blank":
        printed = f"<b>printed</b> “{esc(r['cited'])}” (left blank)"
    else:
        words = (
            ""
            if r["qualifier"] == "exact"
            else f"{r['qualifier'].replace('_', ' ')} "
        )
        high = f" to {r['cited_high']}" if r.get("cited_high") else ""
        printed = (
            f"<b>printed</b> “{esc(r['cited'])}” (read as {esc(words)}{esc(r['cited_value'])}{esc(high)} "
            f"{esc(r['unit'])})"
        )
    value = fmt_number(r["computed_value"])
    label = (
        "implied by the papers"
        if r["status"] == "external"
        else "recomputed"
    )
    recomputed = (
        f"<b>{label}</b> {value} {esc(r['computed_unit'])}"
        if value
        else f"<b>{label}</b>: no figure"
    )
    parts = [printed, recomputed]
    if r.get("bounds"):
        parts.append(f"the printed figure allows {esc(r['bounds'])}")
    if r.get("reading"):
        parts.append(f"reading adopted: {esc(r['reading'])}")
    return "<br>".join(parts)


def _table(rows: list[dict], up: str, prefix: str, caption: str) -> str:
    esc = html.escape
    head = [
        "Claim",
        "Printed and recomputed",
        "Status and evidence",
        "Discussed in",
    ]
    body = []
    for r in rows:
        cid = esc(r["id"])
        body.append(
            f'<tr id="{esc(prefix)}-{cid}" data-claim="{cid}" data-kind="{esc(r["kind"])}" '
            f'data-status="{esc(r["status"])}">'
            f'<th scope="row">{_claim_cell(r, up)}</th><td>{_figures_cell(r)}</td>'
            f'<td><span class="claim-badge claim-{esc(r["status"])}">{esc(r["status"])}</span> '
            f"{esc(r['note'])}</td>"
            f'<td><a href="{up}{esc(r["where"])}" title="The computation, in its chapter">'
            f"{esc(r['chapter'].split('/')[-1])}</a></td></tr>"
        )
    return (
        '<div class="migbook-table-wrap"><table class="migbook-table migbook-claims">'
        f"<caption>{esc(caption)}</caption><thead><tr>"
        + "".join(f'<th scope="col">{h}</th>' for h in head)
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div>"
    )


def _count_words(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def claims_list_html(
    rows: list[dict],
    docname: str,
    *,
    kinds_: list[str] | None = None,
    statuses: list[str] | None = None,
    group: bool = False,
    empty: str = "",
    prefix: str = "claims",
) -> str:
    """HTML for the ledger rows whose kind is in ``kinds_`` and status in ``statuses`` (None: all).

    Rows keep the ledger's order. With ``group``, one block per kind (in :func:`kinds` order) and a
    summary table of counts by kind and status; every row carries ``data-claim``, ``data-kind`` and
    ``data-status`` so that tests can read the page.
    """
    esc = html.escape
    up = "../" * docname.count("/")
    all_kinds = kinds()
    want_kinds = kinds_ or all_kinds
    want_status = statuses or list(STATUSES)
    chosen = [
        r
        for r in rows
        if r["kind"] in want_kinds and r["status"] in want_status
    ]
    out = [
        f'<div class="migbook-claims-list" id="{esc(prefix)}" '
        f'data-kinds="{esc(" ".join(want_kinds))}" data-statuses="{esc(" ".join(want_status))}">'
    ]
    status_words = " or ".join(want_status)
    if not chosen:
        out.append(
            f'<p class="migbook-empty">{esc(empty or "No ledger row of this kind yet.")}</p></div>'
        )
        return "".join(out)
    if not group:
        tally = ", ".join(
            f"{sum(r['status'] == s for r in chosen)} {s}"
            for s in want_status
        )
        out.append(
            f'<p class="migbook-claims-tally">{_count_words(len(chosen), "ledger row")}: '
            f"{esc(tally)}.</p>"
        )
        caption = (
            f"Ledger rows of kind {', '.join(want_kinds)}"
            + (f" that are {status_words}" if statuses else "")
            + ", in ledger order"
        )
        out.append(_table(chosen, up, prefix, caption))
        out.append("</div>")
        return "".join(out)
    order = [k for k in all_kinds if k in want_kinds]
    summary = []
    for k in order:
        n = {
            s: sum(r["kind"] == k and r["status"] == s for r in chosen)
            for s in want_status
        }
        total = sum(n.values())
        name = (
            f'<a href="#{esc(prefix)}-kind-{esc(k)}">{esc(KIND_LABELS.get(k, k))}</a>'
            if total
            else esc(KIND_LABELS.get(k, k))
        )
        summary.append(
            f'<tr data-kind="{esc(k)}"><th scope="row">{name}</th>'
            + "".join(f'<td class="num">{n[s]}</td>' for s in want_status)
            + f'<td class="num">{total}</td></tr>'
        )
    totals = "".join(
        f'<td class="num">{sum(r["status"] == s for r in chosen)}</td>'
        for s in want_status
    )
    out.append(
        '<table class="migbook-table migbook-claims-summary">'
        f"<caption>Ledger rows that are {esc(status_words)}, by kind of check</caption>"
        '<thead><tr><th scope="col">Kind</th>'
        + "".join(f'<th scope="col">{esc(s)}</th>' for s in want_status)
        + '<th scope="col">all</th></tr></thead><tbody>'
        + "".join(summary)
        + f'<tr><th scope="row">every kind</th>{totals}<td class="num">{len(chosen)}</td></tr>'
        "</tbody></table>"
    )
    for k in order:
        group_rows = [r for r in chosen if r["kind"] == k]
        if not group_rows:
            continue
        out.append(
            f'<section class="migbook-claims-group" id="{esc(prefix)}-kind-{esc(k)}" data-kind="{esc(k)}">'
            f'<h3>{esc(KIND_LABELS.get(k, k))} <a class="headerlink" href="#{esc(prefix)}-kind-{esc(k)}" '
            f'title="Link to this group">#</a></h3>'
        )
        out.append(
            _table(
                group_rows,
                up,
                prefix,
                f"{_count_words(len(group_rows), 'row')} of kind {k}, in ledger order",
            )
        )
        out.append("</section>")
    out.append("</div>")
    return "".join(out)


# --------------------------------------------------------------------------- citing a figure
def citation_meta(path: Path | None = None) -> dict:
    """The book's ``CITATION.cff`` (title, authors, version, date) as a dict."""
    return yaml.safe_load(
        (path or ROOT / "CITATION.cff").read_text(encoding="utf-8")
    )


def _authors(cff: dict) -> str:
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
    return (
        ", ".join(names[:-1])
        + (" and " if len(names) > 1 else "")
        + names[-1]
        if names
        else ""
    )


def example_row(rows: list[dict]) -> dict | None:
    """The row used in the worked example: the first reproduced row of the ledger, else the first row."""
    return next(
        (r for r in rows if r["status"] == "reproduced"),
        rows[0] if rows else None,
    )


def cite_example_html(rows: list[dict], docname: str, cff: dict) -> str:
    esc = html.escape
    up = "../" * docname.count("/")
    r = example_row(rows)
    authors = _authors(cff)
    year = str(cff.get("date-released", ""))[:4]
    version = cff.get("version", "")
    book = f"{authors} ({year}). <i>{esc(cff['title'])}</i>, version {esc(str(version))}"
    if r is None:
        return (
            '<div class="migbook-cite-example" data-claim="">'
            '<p class="migbook-empty">The ledger has no rows yet; when it has, a worked example built '
            f"from its first reproduced claim appears here. Meanwhile, cite the book as: {book}.</p></div>"
        )
    value = fmt_number(r["computed_value"])
    recomputed = (
        f"recomputed {value} {r['computed_unit']}"
        if value
        else "no figure recomputed"
    )
    detail = (
        f"claim {r['id']}: {r['statement']}; {r['paper']} {r['section']} prints “{r['cited']}”, "
        f"{recomputed} ({r['status']})"
    )
    anchor = f"{up}{r['url']}"
    bibtex = "\n".join(
        [
            f"@misc{{migbook-{r['id']},",
            f"  author  = {{{{{authors}}}}},",
            f"  title   = {{{cff['title']}}},",
            f"  year    = {{{year}}},",
            f"  version = {{{version}}},",
            f"  note    = {{{detail}}},",
            f"  howpublished = {{{r['url']}}}",
            "}",
        ]
    )
    return (
        f'<div class="migbook-cite-example" data-claim="{esc(r["id"])}">'
        f'<p>For example, the figure behind <a href="{esc(anchor)}"><code>{esc(r["id"])}</code></a> '
        f"({esc(r['statement'])}) is cited as:</p>"
        f'<blockquote class="migbook-citation"><p>{book}, {esc(detail)}. '
        f"<code>&lt;address of the book&gt;/{esc(r['url'])}</code></p></blockquote>"
        "<p>or, in BibTeX:</p>"
        f'<div class="highlight"><pre class="migbook-bibtex">{esc(bibtex)}</pre></div></div>'
    )


# --------------------------------------------------------------------------- directives
class claims_list_placeholder(nodes.General, nodes.Element):
    """Filled on doctree-resolved, from ``env.migbook_rows``."""


class ClaimsListDirective(SphinxDirective):
    """``{claims-list}`` with options ``:kind:`` and ``:status:`` (space-separated; default all),
    ``:group-by-kind:``, ``:id:`` (prefix of the anchors) and ``:empty:`` (text when nothing matches)."""

    has_content = False
    option_spec = {
        "kind": directives.unchanged,
        "status": directives.unchanged,
        "group-by-kind": directives.flag,
        "id": directives.unchanged,
        "empty": directives.unchanged,
    }

    def run(self):
        allowed = set(kinds())
        kinds_ = _words(self.options.get("kind", ""))
        statuses = _words(self.options.get("status", ""))
        bad = [k for k in kinds_ if k not in allowed] + [
            s for s in statuses if s not in STATUSES
        ]
        if bad:
            raise self.error(f"claims-list: unknown kind or status {bad}")
        mark_dynamic(self.env)
        node = claims_list_placeholder("")
        node["kinds"] = kinds_
        node["statuses"] = statuses
        node["group"] = "group-by-kind" in self.options
        node["prefix"] = self.options.get("id", "claims")
        node["empty"] = self.options.get("empty", "")
        return [node]


class cite_example_placeholder(nodes.General, nodes.Element):
    """Filled on doctree-resolved, from ``env.migbook_rows`` and ``CITATION.cff``."""


class CiteExampleDirective(SphinxDirective):
    has_content = False
    option_spec = {}

    def run(self):
        mark_dynamic(self.env)
        self.env.note_dependency(str(ROOT / "CITATION.cff"))
        return [cite_example_placeholder("")]


def _on_doctree_resolved(app, doctree, docname):
    rows = getattr(app.env, "migbook_rows", [])
    for node in list(doctree.findall(claims_list_placeholder)):
        node.replace_self(
            nodes.raw(
                "",
                claims_list_html(
                    rows,
                    docname,
                    kinds_=node["kinds"] or None,
                    statuses=node["statuses"] or None,
                    group=node["group"],
                    empty=node["empty"],
                    prefix=node["prefix"],
                ),
                format="html",
            )
        )
    for node in list(doctree.findall(cite_example_placeholder)):
        node.replace_self(
            nodes.raw(
                "",
                cite_example_html(rows, docname, citation_meta()),
                format="html",
            )
        )


def setup(app: Sphinx):
    app.add_node(claims_list_placeholder)
    app.add_node(cite_example_placeholder)
    app.add_directive("claims-list", ClaimsListDirective)
    app.add_directive("claims-cite-example", CiteExampleDirective)
    app.connect("doctree-resolved", _on_doctree_resolved)
    return {
        "version": "0.1",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
