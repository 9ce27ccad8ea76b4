"""Printed tables (shown by :func:`migbook.show_table`): the download links from the builder (the
reader's copy with units, ``_tables/<file>``, written here at the end of the build; the exact
transcription in ``data/``; the descriptor), and a "cite this table" box with the table's stable
address (``#table-<name>``)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from sphinx.application import Sphinx

from migbook.data import resource_meta
from migbook.sphinx.citing import citation_meta, item_citation
from migbook.sphinx.links import canonical_url, resource_uri
from migbook.tables import write_reader_copies

FILE_LINK = re.compile(r'href="[^"]*" data-migbook-file="([^"]+)"')
SOURCE_P = re.compile(
    r'(<p class="migbook-source" data-migbook-table="([^"]+)">.*?</p>)',
    re.S,
)


def page_context(app: Sphinx, pagename, templatename, context, doctree):
    body = context.get("body", "")
    if app.builder.format != "html" or "data-migbook-table=" not in body:
        return
    cff = citation_meta()

    def cite(m: re.Match) -> str:
        name = m[2]
        meta = resource_meta(name)
        what = f"{meta['paper']} {meta['table']} as transcribed ({meta['title']})"
        text = item_citation(
            cff, what, canonical_url(app, pagename, f"table-{name}")
        )
        return (
            m[1]
            + '<details class="migbook-cite"><summary>Cite this table</summary>'
            f'<p class="migbook-cite-text">{html.escape(text)}</p></details>'
        )

    body = SOURCE_P.sub(cite, body)
    body = FILE_LINK.sub(
        lambda m: (
            f'href="{html.escape(resource_uri(app.builder, pagename, m[1]))}" '
            f'data-migbook-file="{m[1]}"'
        ),
        body,
    )
    context["body"] = body


def build_finished(app: Sphinx, exception) -> None:
    """Write the reader's copies of the printed tables (``_tables/<file>``: the data file's rows
    under a header with each column's unit) that the tables' download links point at."""
    if exception is not None or app.builder.format != "html":
        return
    write_reader_copies(Path(app.outdir))


def setup_tables(app: Sphinx) -> None:
    """Its steps run from :mod:`migbook.sphinx` (``page_context``, ``build_finished``)."""
