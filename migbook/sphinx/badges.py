"""Claim badges: the status badge under each check, with links from the builder.

A chapter's ``check``/``external`` (:mod:`migbook.notebook`) displays the badge as a bundle: its
fields (:func:`migbook.render.badge_fields`) under :data:`migbook.render.CLAIM_MIME`, plus
``text/html`` for plain Jupyter and ``text/plain``. :class:`ClaimMimeRenderer`, a myst-nb mime
renderer (entry point ``myst_nb.mime_renderers`` in ``pyproject.toml``; ``_config.yml`` gives the
type priority), turns the fields into a :class:`claim_badge` node; the HTML writer fills
:data:`migbook.render.BADGE_TEMPLATE` with the links to the claim's row on the report page (anchor: the claim
id) and to its rule on the policy page (``rule-<rule>``), computed by the builder, so they hold
under ``html``, ``dirhtml`` and ``singlehtml`` wherever the chapter sits. Other builders show the
badge as text.

A claim that has nothing to compute (its check rests on an outside source, and the ledger holds
its source and note) is declared by the ledger alone: ``{claims-declared}`` lists such claim ids,
one a line, where their badges belong in the prose, and :class:`DeclaredClaimsDirective` draws
each badge from :func:`migbook.notebook.declared` and hands its record to the collector, as a
badge output would.
"""

from __future__ import annotations

import json

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective


class claim_badge(nodes.General, nodes.Element):
    """A claim's badge: ``fields`` (JSON text of :func:`migbook.render.badge_fields`)."""


class ClaimMimeRenderer:
    """myst-nb mime renderer: a badge output (:data:`migbook.render.CLAIM_MIME`) becomes a
    :class:`claim_badge` node."""

    mime_priority_overrides = ()  # set in _config.yml (nb_mime_priority_overrides)

    @staticmethod
    def handle_mime(renderer, data, inline):
        from migbook.render import CLAIM_MIME, badge_text, json_data

        if inline or data.mime_type != CLAIM_MIME:
            return None
        # the claim's record travels with the badge for the report (migbook.sphinx.collector)
        fields = {
            k: v
            for k, v in json_data(data.content).items()
            if k != "record"
        }
        return [
            claim_badge(
                "",
                nodes.paragraph(text=badge_text(fields)),
                fields=json.dumps(
                    fields, ensure_ascii=False, sort_keys=True
                ),
                classes=["output", "text_html"],
            )
        ]


def badge_links(builder, docname: str, fields: dict) -> dict[str, str]:
    """The badge's links from the page of ``docname``: the claim's row on the report page, its
    rule on the policy page."""
    from migbook.sphinx.links import doc_uri

    config = builder.config
    return {
        "report_href": doc_uri(
            builder, docname, config.migbook_report_page, fields["id"]
        ),
        "rule_href": doc_uri(
            builder,
            docname,
            config.migbook_policy_page,
            f"rule-{fields['rule']}",
        ),
    }


def visit_badge_html(self, node) -> None:
    from migbook.render import badge_html

    fields = json.loads(node["fields"])
    links = badge_links(self.builder, self.builder.current_docname, fields)
    self.body.append(
        f'<div class="{" ".join(node["classes"])}">'
        + badge_html(fields, **links)
        + "</div>"
    )
    raise nodes.SkipNode


def _visit_children(self, node) -> None:
    """Non-HTML builders: the badge as text (its child paragraph)."""


def _depart(self, node) -> None:
    pass


class DeclaredClaimsDirective(SphinxDirective):
    """``{claims-declared}``: the badges of claims the ledger declares on its own (one claim id
    a line); their records go to the collector (:func:`migbook.sphinx.collector.declare`)."""

    has_content = True

    def run(self):
        from migbook.notebook import declared
        from migbook.render import badge_fields, badge_text
        from migbook.sphinx.collector import declare

        out = []
        for line in self.content:
            cid = line.strip()
            if not cid:
                continue
            try:
                result, row = declared(cid)
            except (KeyError, ValueError) as exc:
                raise ExtensionError(
                    f"{self.env.docname}, {{claims-declared}} line {self.lineno}: {exc}"
                ) from exc
            declare(self.env, cid, json.loads(json.dumps(result.record())))
            fields = badge_fields(result, row)
            out.append(
                claim_badge(
                    "",
                    nodes.paragraph(text=badge_text(fields)),
                    fields=json.dumps(
                        fields, ensure_ascii=False, sort_keys=True
                    ),
                    classes=["output", "text_html", "claim-declared"],
                )
            )
        return out


def setup_badges(app: Sphinx) -> None:
    app.add_directive("claims-declared", DeclaredClaimsDirective)
    other = (_visit_children, _depart)
    app.add_node(
        claim_badge,
        html=(visit_badge_html, None),
        latex=other,
        text=other,
        man=other,
        texinfo=other,
    )
