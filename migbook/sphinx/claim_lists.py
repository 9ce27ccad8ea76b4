"""Back-matter placeholders filled from the claims ledger at build time (:func:`setup_claim_lists`).

- ``{claims-list}``: the ledger rows of some kinds and statuses, with their evidence (cited
  figure, recomputed value, bounds, reading, the chapter's note) and links to the report row and
  to the chapter place that checks them; ``:group-by-rule:`` gives one block per rule of the judging
  policy that decided the rows (``claims.RULES``; the errata page), ``:group-by-kind:`` one block per
  kind, otherwise one table (the paper-against-paper rows of the reconciliation page).
- ``{claims-cite-example}``: how to cite one recomputed figure, worked on a real ledger row, with the
  book's own metadata read from ``CITATION.cff``.

Both use the rows joined by :mod:`migbook.sphinx.collector` (pages holding a placeholder are read
again on every build, so they never go stale); links come from the builder (:mod:`.links`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from migbook.claims import STATUSES
from migbook.data import ROOT, resource_meta
from migbook.render import fmt_number, quantity, shown_number, value_label
from migbook.sphinx import citing
from migbook.sphinx.collector import mark_dynamic
from migbook.sphinx.collector import rows as joined_rows
from migbook.sphinx.links import canonical_url, doc_uri
from migbook.sphinx.templating import render

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


def rules() -> dict[str, tuple[str, str]]:
    """The judging policy's rules, in policy order: rule id -> (heading, one-line explanation), read
    from ``migbook.claims.RULES`` (empty while the checker has none)."""
    from migbook import claims

    return {
        rid: (rule.title, rule.explanation)
        for rid, rule in getattr(claims, "RULES", {}).items()
    }


#: a link from the page being written: (docname, anchor) -> href
Link = Callable[[str, str], str]
REPORT_DOC = "book/report"


def relative_link(fromdoc: str) -> Link:
    """Links between the pages of a plain ``html`` build (used outside a Sphinx build, in tests);
    the build passes links computed by its builder."""

    def link(todoc: str, anchor: str) -> str:
        path = (
            posixpath.relpath(todoc, posixpath.dirname(fromdoc) or ".")
            + ".html"
        )
        return f"{path}#{anchor}"

    return link


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
def _row_context(r: dict, link: Link) -> dict:
    """What the list shows of one joined row (``templates/claims_list.html``)."""
    number = shown_number(
        r["status"],
        r.get("computed_value"),
        r.get("implied_value"),
        r.get("plausibility", ""),
    )
    read_as = ""
    if r["qualifier"] != "blank":
        words = (
            ""
            if r["qualifier"] == "exact"
            else f"{r['qualifier'].replace('_', ' ')} "
        )
        high = (
            f"{fmt_number(r['cited_value'], r['cited_value'])} to "
            if r.get("cited_high")
            else ""
        )
        last = r.get("cited_high") or r["cited_value"]
        read_as = f"{words}{high}{quantity(last, r['unit'], last)}"
    return {
        **{
            k: r.get(k) or ""
            for k in (
                "id",
                "kind",
                "rule",
                "status",
                "note",
                "paper",
                "section",
                "statement",
                "cited",
                "bounds",
                "reading",
            )
        },
        "report_href": link(r.get("report_doc", REPORT_DOC), r["id"]),
        "chapter_href": link(r["chapter"], "claim-" + r["id"]),
        "chapter_title": r.get("chapter_title")
        or r["chapter"].split("/")[-1],
        "blank": r["qualifier"] == "blank",
        "read_as": read_as,
        "label": r.get("value_label")
        or value_label(
            r["status"],
            r.get("rule", ""),
            r.get("plausibility", ""),
            r.get("basis", ""),
        ),
        "severity": r.get("severity", ""),
        "counted_with": r.get("counted_with", ""),
        "counted_href": link(
            r.get("report_doc", REPORT_DOC), r.get("counted_with", "")
        )
        if r.get("counted_with")
        else "",
        "basis": r.get("basis", ""),
        "shown": quantity(
            number, r["computed_unit"], r.get("cited_value") or None
        )
        if fmt_number(number)
        else "",
    }


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
    by: str = "kind",
    link: Link | None = None,
) -> str:
    """HTML (``templates/claims_list.html``) for the ledger rows whose kind is in ``kinds_`` and
    status in ``statuses`` (None: all).

    Rows keep the ledger's order. With ``group``, one block per ``by`` (``"kind"``: in :func:`kinds`
    order; ``"rule"``: the rule of the judging policy that decided the row, in :func:`rules` order,
    headed by the rule's title and explanation) and a summary table of counts by group and status;
    every row carries ``data-claim``, ``data-kind``, ``data-rule`` and ``data-status`` so that tests
    can read the page. Links come from ``link`` (the builder's, in a build).
    """
    link = link or relative_link(docname)
    all_kinds = kinds()
    want_kinds = kinds_ or all_kinds
    want_status = statuses or list(STATUSES)
    chosen = [
        r
        for r in rows
        if r["kind"] in want_kinds and r["status"] in want_status
    ]
    status_words = " or ".join(want_status)
    ctx = {
        "prefix": prefix,
        "kinds": want_kinds,
        "statuses": want_status,
        "rows": [_row_context(r, link) for r in chosen],
        "empty": empty or "No ledger row of this kind yet.",
        "groups": [],
        "by": by,
        "status_words": status_words,
    }
    counted = [r for r in chosen if not r.get("counted_with")]
    linked = len(chosen) - len(counted)
    ctx["linked"] = (
        f"{_count_words(linked, 'row')} restating another row's verdict "
        "are listed but counted once, under that row"
        if linked
        else ""
    )
    if chosen and not group:
        ctx["count"] = _count_words(len(chosen), "ledger row")
        ctx["tally"] = ", ".join(
            f"{sum(r['status'] == s for r in counted)} {s}"
            for s in want_status
        )
        ctx["caption"] = (
            f"Ledger rows of kind {', '.join(want_kinds)}"
            + (f" that are {status_words}" if statuses else "")
            + ", in ledger order"
        )
    if chosen and group:
        if by == "rule":
            policy = rules()
            seen = [r.get("rule") or "unrecorded" for r in chosen]
            order = list(policy) + [
                k for k in dict.fromkeys(seen) if k not in policy
            ]
            labels = {k: policy.get(k, (k, ""))[0] for k in order}
            blurbs = {k: policy.get(k, ("", ""))[1] for k in order}
            key = lambda r: r.get("rule") or "unrecorded"  # noqa: E731
            ctx.update(what="rule of the judging policy", column="Rule")
        else:
            order = [k for k in all_kinds if k in want_kinds]
            labels = {k: KIND_LABELS.get(k, k) for k in order}
            blurbs = {}
            key = lambda r: r["kind"]  # noqa: E731
            ctx.update(what="kind of check", column="Kind")
        summary = []
        for k in order:
            counts = [
                sum(key(r) == k and r["status"] == s for r in counted)
                for s in want_status
            ]
            if by == "rule" and not sum(counts):
                continue
            summary.append(
                {
                    "key": k,
                    "label": labels[k],
                    "counts": counts,
                    "total": sum(counts),
                }
            )
        ctx["summary"] = summary
        ctx["totals"] = [
            sum(r["status"] == s for r in counted) for s in want_status
        ]
        ctx["counted"] = len(counted)
        for k in order:
            group_rows = [r for r in chosen if key(r) == k]
            if not group_rows:
                continue
            n = _count_words(len(group_rows), "row")
            ctx["groups"].append(
                {
                    "key": k,
                    "label": labels[k],
                    "blurb": blurbs.get(k, ""),
                    "rows": [_row_context(r, link) for r in group_rows],
                    "caption": f"{n} decided by rule {k}, in ledger order"
                    if by == "rule"
                    else f"{n} of kind {k}, in ledger order",
                }
            )
    return render("claims_list.html", **ctx)


# --------------------------------------------------------------------------- citing a figure
def example_row(rows: list[dict]) -> dict | None:
    """The row used in the worked example: the first reproduced row of the ledger, else the first row."""
    return next(
        (r for r in rows if r["status"] == "reproduced"),
        rows[0] if rows else None,
    )


def cite_example_html(
    app, rows: list[dict], docname: str, cff: dict
) -> str:
    r = example_row(rows)
    ctx = {"book": citing.book_reference(cff), "row": r}
    if r is not None:
        url = canonical_url(app, r["report_doc"], r["id"])
        ctx.update(
            href=doc_uri(app.builder, docname, r["report_doc"], r["id"]),
            url=url,
            text=citing.citation_text(r, cff, url),
            bibtex=citing.bibtex(r, cff, url),
        )
    return render("cite_example.html", **ctx)


# --------------------------------------------------------------------------- directives
class claims_list_placeholder(nodes.General, nodes.Element):
    """Filled on doctree-resolved, from the joined rows."""


class ClaimsListDirective(SphinxDirective):
    """``{claims-list}`` with options ``:kind:`` and ``:status:`` (space-separated; default all),
    ``:group-by-rule:`` or ``:group-by-kind:``, ``:id:`` (prefix of the anchors) and ``:empty:`` (text
    when nothing matches)."""

    has_content = False
    option_spec = {
        "kind": directives.unchanged,
        "status": directives.unchanged,
        "group-by-kind": directives.flag,
        "group-by-rule": directives.flag,
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
        node["group"] = (
            "group-by-kind" in self.options
            or "group-by-rule" in self.options
        )
        node["by"] = "rule" if "group-by-rule" in self.options else "kind"
        node["prefix"] = self.options.get("id", "claims")
        node["empty"] = self.options.get("empty", "")
        return [node]


class cite_example_placeholder(nodes.General, nodes.Element):
    """Filled on doctree-resolved, from the joined rows and ``CITATION.cff``."""


class CiteExampleDirective(SphinxDirective):
    has_content = False
    option_spec = {}

    def run(self):
        mark_dynamic(self.env)
        self.env.note_dependency(str(ROOT / "CITATION.cff"))
        return [cite_example_placeholder("")]


def _on_doctree_resolved(app, doctree, docname):
    lists = list(doctree.findall(claims_list_placeholder))
    examples = list(doctree.findall(cite_example_placeholder))
    if not lists and not examples:
        return
    rows = joined_rows(app)

    def link(todoc: str, anchor: str) -> str:
        return doc_uri(app.builder, docname, todoc, anchor)

    for node in lists:
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
                    by=node.get("by", "kind"),
                    link=link,
                ),
                format="html",
            )
        )
    for node in examples:
        node.replace_self(
            nodes.raw(
                "",
                cite_example_html(
                    app, rows, docname, citing.citation_meta()
                ),
                format="html",
            )
        )


def setup_claim_lists(app: Sphinx) -> None:
    app.add_node(claims_list_placeholder)
    app.add_node(cite_example_placeholder)
    app.add_directive("claims-list", ClaimsListDirective)
    app.add_directive("claims-cite-example", CiteExampleDirective)
    app.connect("doctree-resolved", _on_doctree_resolved)
