"""The judging policy page: ``{claims-rules}`` renders :data:`migbook.claims.RULES` as a table, one
row per rule with the status it gives, its explanation and a real example from the ledger (the
first claim, in ledger order, that the rule decided in this build), so the page and the checker
cannot drift. Filled on doctree-resolved from the collector's joined rows; links from the builder."""

from __future__ import annotations

import html

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from migbook.claims import (
    ALTERNATIVE_LABELS,
    ALTERNATIVES,
    AS_LINKED,
    COUNTED,
    NEAR,
    RULES,
    tally,
)
from migbook.render import quantity, shown_number, value_label
from migbook.sphinx.collector import check_page, mark_dynamic
from migbook.sphinx.collector import rows as joined_rows
from migbook.sphinx.links import doc_uri


class rules_placeholder(nodes.General, nodes.Element):
    """Filled on doctree-resolved."""


class ClaimsRulesDirective(SphinxDirective):
    has_content = False
    option_spec = {}

    def run(self):
        mark_dynamic(self.env)
        check_page(self.env, "migbook_policy_page", "the rules table")
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
            value = shown_number(
                ex["status"],
                ex["computed_value"],
                ex["implied_value"],
                ex.get("plausibility", ""),
            )
            shown = (
                quantity(
                    value, ex["computed_unit"], ex["cited_value"] or None
                )
                if value not in ("", None)
                else ""
            )
            verb = ex.get("value_label") or value_label(
                ex["status"],
                ex.get("rule", ""),
                ex.get("plausibility", ""),
                ex.get("basis", ""),
            )
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
            + (
                '<td><span class="claim-badge">as the row it links to</span></td>'
                if rule.status == AS_LINKED
                else f'<td><span class="claim-badge claim-{rule.status}">{rule.status}</span></td>'
            )
            + f'<td>{esc(rule.explanation)}</td><td class="num">{counts[rid]}</td><td>{ex_html}</td></tr>'
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


class sensitivity_placeholder(nodes.General, nodes.Element):
    """Filled on doctree-resolved."""


class ClaimsSensitivityDirective(SphinxDirective):
    """``{claims-sensitivity}``: how the counts move under the alternative settings."""

    has_content = False
    option_spec = {}

    def run(self):
        mark_dynamic(self.env)
        return [sensitivity_placeholder("")]


def under(rows: list[dict], setting: str) -> list[dict]:
    """The rows with the status each would get under an alternative setting (its id in
    :data:`migbook.claims.ALTERNATIVES`), read from the records (no check is run again)."""
    return [
        {
            **r,
            "status": (r.get("sensitivity") or {}).get(
                setting, r["status"]
            ),
        }
        for r in rows
    ]


def sensitivity_html(rows: list[dict], link) -> str:
    """The table of counts by status under the book's settings and each alternative, and the
    claims whose status moves."""
    esc = html.escape
    settings = [
        (
            "the book's settings",
            f"qualifier tolerance {NEAR:.0%}, round-number readings on",
            rows,
        )
    ] + [(ALTERNATIVE_LABELS[k], "", under(rows, k)) for k in ALTERNATIVES]
    head = "".join(
        f'<th scope="col" class="num">{esc(s)}</th>' for s in COUNTED
    )
    body = []
    for name, detail, rs in settings:
        t = tally(rs)
        moved = [
            (a, b)
            for a, b in zip(rows, rs, strict=True)
            if a["status"] != b["status"]
        ]
        moved_html = (
            ", ".join(
                f'<a href="{esc(link(a["report_doc"], a["id"]))}"><code>{esc(a["id"])}</code></a> '
                f"({esc(a['status'])} → {esc(b['status'])})"
                for a, b in moved
            )
            if moved
            else ("none" if rs is not rows else "")
        )
        body.append(
            f'<tr data-setting="{esc(name)}"><th scope="row">{esc(name)}'
            + (f"<br><small>{esc(detail)}</small>" if detail else "")
            + "</th>"
            + "".join(
                f'<td class="num">{t["status"][s]}</td>' for s in COUNTED
            )
            + f"<td>{moved_html}</td></tr>"
        )
    return (
        '<div class="migbook-table-wrap"><table class="migbook-table migbook-sensitivity">'
        "<caption>Counted claims by status under the book's settings and under each "
        "alternative, computed from the inputs each check recorded (no chapter is run again), "
        "and the claims whose status would change</caption><thead><tr>"
        '<th scope="col">Setting</th>'
        + head
        + '<th scope="col">Claims whose status changes</th></tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table></div>"
    )


def _on_doctree_resolved(app, doctree, docname):
    sens = list(doctree.findall(sensitivity_placeholder))
    placeholders = list(doctree.findall(rules_placeholder))
    if not placeholders and not sens:
        return
    rows = joined_rows(app)

    def link_(todoc: str, anchor: str) -> str:
        return doc_uri(app.builder, docname, todoc, anchor)

    for node in sens:
        node.replace_self(
            nodes.raw("", sensitivity_html(rows, link_), format="html")
        )

    def link(todoc: str, anchor: str) -> str:
        return doc_uri(app.builder, docname, todoc, anchor)

    for node in placeholders:
        node.replace_self(
            nodes.raw("", rules_html(rows, link), format="html")
        )


def setup_policy(app: Sphinx) -> None:
    app.add_node(rules_placeholder)
    app.add_node(sensitivity_placeholder)
    app.add_directive("claims-rules", ClaimsRulesDirective)
    app.add_directive("claims-sensitivity", ClaimsSensitivityDirective)
    app.connect("doctree-resolved", _on_doctree_resolved)
