"""The judging policy page: ``{claims-rules}`` renders :data:`migbook.claims.RULES` as a table, one
row per rule with the status it gives, its explanation and a real example from the ledger (the
first claim, in ledger order, that the rule decided in this build), so the page and the checker
cannot drift. Filled on doctree-resolved from the collector's joined rows; links from the builder."""

from __future__ import annotations

import html

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from migbook.claims import RULES
from migbook.render import quantity
from migbook.sphinx.collector import mark_dynamic, state
from migbook.sphinx.collector import rows as joined_rows
from migbook.sphinx.links import doc_uri


class rules_placeholder(nodes.General, nodes.Element):
    """Filled on doctree-resolved."""


class ClaimsRulesDirective(SphinxDirective):
    has_content = False
    option_spec = {}

    def run(self):
        mark_dynamic(self.env)
        state(self.env).policy_doc = self.env.docname
        return [rules_placeholder("")]


def example(rows: list[dict], rule: str) -> dict | None:
    """The ledger's example of a rule: the first row it decided (ledger order)."""
    return next((r for r in rows if r.get("rule") == rule), None)


def rules_html(rows: list[dict], link) -> str:
    """The rules table; ``link(docname, anchor)`` gives an href from the page being written."""
    esc = html.escape
    counts = {rid: sum(r.get("rule") == rid for r in rows) for rid in RULES}
    body = []
    for rid, rule in RULES.items():
        ex = example(rows, rid)
        if ex is None:
            ex_html = '<span class="migbook-empty">no claim of this build is decided by this rule</span>'
        else:
            value = (
                ex["implied_value"]
                if ex["status"] == "external"
                else ex["computed_value"]
            )
            shown = (
                quantity(
                    value, ex["computed_unit"], ex["cited_value"] or None
                )
                if value != ""
                else ""
            )
            verb = (
                "the papers imply"
                if ex["status"] == "external"
                else "recomputed"
            )
            if ex.get("plausibility"):
                verb = f"plausibility {ex['plausibility']}"
            ex_html = (
                f'<a href="{esc(link(ex["report_doc"], ex["id"]))}"><code>{esc(ex["id"])}</code></a>: '
                f"{esc(ex['statement'])}; {esc(ex['paper'])} prints “{esc(ex['cited'])}”"
                + (f"; {verb} {esc(shown)}" if shown else "")
                + (
                    f'. <span class="claim-note">{esc(ex["note"])}</span>'
                    if ex["note"]
                    else ""
                )
            )
        body.append(
            f'<tr id="rule-{esc(rid)}" data-rule="{esc(rid)}">'
            f'<th scope="row"><code>{esc(rid)}</code><br>{esc(rule.title)}</th>'
            f'<td><span class="claim-badge claim-{rule.status}">{rule.status}</span></td>'
            f'<td>{esc(rule.explanation)}</td><td class="num">{counts[rid]}</td><td>{ex_html}</td></tr>'
        )
    return (
        '<div class="migbook-table-wrap"><table class="migbook-table migbook-rules">'
        "<caption>The rules of the checker (<code>migbook.claims.RULES</code>), the status each gives, "
        "how many claims it decided in this build, and the first of them</caption><thead><tr>"
        + "".join(
            f'<th scope="col">{h}</th>'
            for h in ("Rule", "Status", "What it says", "Claims", "Example")
        )
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div>"
    )


def _on_doctree_resolved(app, doctree, docname):
    placeholders = list(doctree.findall(rules_placeholder))
    if not placeholders:
        return
    rows = joined_rows(app)

    def link(todoc: str, anchor: str) -> str:
        return doc_uri(app.builder, docname, todoc, anchor)

    for node in placeholders:
        node.replace_self(
            nodes.raw("", rules_html(rows, link), format="html")
        )


def setup_policy(app: Sphinx) -> None:
    app.add_node(rules_placeholder)
    app.add_directive("claims-rules", ClaimsRulesDirective)
    app.connect("doctree-resolved", _on_doctree_resolved)
