"""The authors' own words: ``{said}`attribution-id``` after a sentence that says what a paper
argues, offers as evidence or concedes.

The id is a row of ``data/attributions.csv`` (the ledger of attributions: paper, section, the
passage verbatim and a short note; ``tests/test_attributions.py`` finds every passage in the papers'
text). The role renders as an ordinary auto-numbered footnote whose text is the passage, so every
builder shows it with its own machinery and no script is needed: in HTML a numbered link (keyboard
and touch reach it like any link; a pointer also shows the passage as the marker's tooltip) to the
footnote list at the end of the page, whose entries link back; in LaTeX a footnote on the same page;
in the text builder a numbered note at the end.

How: the role leaves a :class:`said` node holding the id (MyST's own footnote handling would
otherwise report a footnote with no definition). :class:`SaidFootnotes`, a transform that runs
before docutils numbers footnotes, turns each into a footnote reference and adds one footnote per
attribution used on the page, under a rubric, at the end of the page. An unknown id is a warning at
its line (the book builds with warnings as errors).
"""

from __future__ import annotations

from docutils import nodes
from docutils.transforms import Transform
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from migbook.sphinx.attribution_rows import FILE, footnote_text, rows

logger = logging.getLogger(__name__)

RUBRIC = "The papers' own words"


class said(nodes.Inline, nodes.TextElement):
    """An attribution marker: ``said['attribution']`` is the id; after :class:`SaidFootnotes` it
    holds the footnote reference (HTML adds the passage as a tooltip)."""


class SaidRole(SphinxRole):
    def run(self):
        aid = self.text.strip()
        try:
            known = rows()
        except OSError as exc:
            known = {}
            logger.warning(
                "data/%s cannot be read: %s",
                FILE,
                exc,
                location=self.get_location(),
            )
        if aid not in known:
            msg = self.inliner.reporter.warning(
                f"{{said}}: no attribution {aid!r} in data/{FILE}",
                line=self.lineno,
            )
            prb = self.inliner.problematic(self.rawtext, self.rawtext, msg)
            return [prb], [msg]
        node = said(self.rawtext, attribution=aid)
        self.set_source_info(node)
        return [node], []


class SaidFootnotes(Transform):
    """Each :class:`said` node becomes a numbered footnote reference; one footnote per attribution
    used on the page, with the passage, is added at the end of the page."""

    default_priority = (
        610  # before docutils' Footnotes transform (620) numbers them
    )

    def apply(self, **kwargs):
        document = self.document
        markers = list(document.findall(said))
        if not markers:
            return
        known = rows()
        notes: dict[str, nodes.footnote] = {}
        for marker in markers:
            aid = marker["attribution"]
            name = f"said-{aid}"
            if aid not in notes:
                fn = nodes.footnote(auto=1, classes=["migbook-said"])
                fn["names"].append(name)
                fn += nodes.paragraph("", footnote_text(known[aid]))
                fn.source, fn.line = marker.source, marker.line
                document.note_autofootnote(fn)
                document.note_explicit_target(fn, fn)
                notes[aid] = fn
            ref = nodes.footnote_reference(
                "", auto=1, refname=name, classes=["migbook-said-ref"]
            )
            document.set_id(ref)
            document.note_autofootnote_ref(ref)
            document.note_footnote_ref(ref)
            marker.children = []
            marker += ref
            marker["passage"] = footnote_text(known[aid])
        host = document.next_node(nodes.section) or document
        host += nodes.rubric("", RUBRIC, classes=["migbook-said-rubric"])
        for fn in notes.values():
            host += fn


def visit_said_html(self, node: said) -> None:
    self.body.append(
        self.starttag(
            node, "span", "", CLASS="migbook-said", title=node["passage"]
        )
    )


def depart_said_html(self, node: said) -> None:
    self.body.append("</span>")


def _through(self, node) -> None:
    """Other builders: the footnote reference inside is all there is."""


def setup_attributions(app: Sphinx) -> None:
    app.add_node(
        said,
        html=(visit_said_html, depart_said_html),
        latex=(_through, _through),
        text=(_through, _through),
        man=(_through, _through),
        texinfo=(_through, _through),
    )
    app.add_role("said", SaidRole())
    app.add_transform(SaidFootnotes)


def setup(app: Sphinx):
    """On its own (the tiny books of the tests): ``extensions = [..., "migbook.sphinx.attributions"]``."""
    from migbook.sphinx._compat import own_source_suffix

    app.connect("config-inited", own_source_suffix)
    setup_attributions(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
