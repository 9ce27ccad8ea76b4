"""The book's Sphinx extension (listed in ``_config.yml`` as ``migbook.sphinx``).

One module per feature, each with its ``setup_<feature>(app)``:

- :mod:`.inputs`: ``data/`` validated first; one hash of the inputs (``data/`` and the modules the
  kernels import); the execution cache cleared when it changes;
- :mod:`.execution`: the notebook pages to run started in parallel and read last (the other pages
  are read while they run), each ready when Sphinx reads it;
- :mod:`.collector`: what pages share (claim records, pages filled from other pages), joined with
  the ledger into the rows the placeholders and exports use;
- :mod:`.report`: the ``{claims-report}`` page, its search entries, ``claims.csv``/``claims.json``;
- :mod:`.claim_lists`: ``{claims-list}`` (errata, reconciliation) and ``{claims-cite-example}``;
- :mod:`.policy`: ``{claims-rules}``, the judging policy's rules table (from ``claims.RULES``);
- :mod:`.chart_render`: charts drawn from their Vega-Lite spec (a myst-nb mime renderer), each chart's
  static files (named after the figure), downloads, no-script image and citation; the charts of
  executed pages drawn ahead by a child process (:mod:`.chart_worker`);
- :mod:`.badges`: the claim badges under the checks (a myst-nb mime renderer), linked by the builder;
- :mod:`.table_links`: printed tables' download links and citations;
- :mod:`.published_notebooks`: the executed notebooks published beside their pages, written out
  for plain Jupyter by :mod:`.plain_notebook`;
- :mod:`.attributions`: ``{said}``, the papers' own words behind a sentence about their argument (a
  footnote with the passage, from ``data/attributions.csv``, read by :mod:`.attribution_rows`);
- :mod:`.assets`: CSS and scripts where pages need them, lighter pages, table header scopes;
- :mod:`.bibliography`: reference-list labels in the in-text citations' author–year style;
- :mod:`.publication`: Open Graph address, sitemap, hide-code switch, the PDF and bundle downloads,
  the single-page build the PDF is printed from;
- :mod:`.theme`: the page header's ".pdf" entry offers the book's PDF (the theme's internals, in
  one place, with a version guard).

Helpers: :mod:`._compat` (the one place that leans on other packages' private behaviour, each
entry with its upstream link and guarded versions), :mod:`.links` (links from the builder), :mod:`.citing` (citation text and BibTeX),
:mod:`.templating` (the Jinja2 templates in ``templates/``).
"""

from __future__ import annotations

from sphinx.application import Sphinx

from migbook.sphinx import (
    assets,
    collector,
    inputs,
    publication,
    published_notebooks,
    report,
    table_links,
)
from migbook.sphinx._compat import BEFORE_BOOK_THEME_MENU, own_source_suffix
from migbook.sphinx.assets import setup_assets
from migbook.sphinx.attributions import setup_attributions
from migbook.sphinx.badges import setup_badges
from migbook.sphinx.bibliography import setup_bibliography
from migbook.sphinx.chart_render import setup_charts
from migbook.sphinx.claim_lists import setup_claim_lists
from migbook.sphinx.collector import setup_collector
from migbook.sphinx.execution import setup_execution
from migbook.sphinx.inputs import setup_inputs
from migbook.sphinx.policy import setup_policy
from migbook.sphinx.publication import setup_publication
from migbook.sphinx.published_notebooks import setup_notebooks
from migbook.sphinx.report import setup_report
from migbook.sphinx.table_links import setup_tables
from migbook.sphinx.theme import setup_theme


def page_context(app: Sphinx, pagename, templatename, context, doctree):
    """``html-page-context``: the page's HTML made by each feature in turn, before
    sphinx-book-theme builds its download menu: the printed tables' citations and links, the
    published notebook (which the menu offers), the scripts and lighter markup, the front page's
    downloads and the single page's title, contents and links."""
    for step in (
        table_links.page_context,
        published_notebooks.page_context,
        assets.page_context,
        publication.page_context,
    ):
        step(app, pagename, templatename, context, doctree)


def build_finished(app: Sphinx, exception) -> None:
    """``build-finished``: the files beside the pages, in turn: the exports of the report and the
    tables' reader copies, then the sitemap and the bundle (which hold them); last, the stamps
    that tell the next build what this one was made from (only once everything is written)."""
    for step in (
        report.build_finished,
        table_links.build_finished,
        publication.build_finished,
        collector.build_finished,
        inputs.build_finished,
    ):
        step(app, exception)


def setup(app: Sphinx):
    app.connect("config-inited", own_source_suffix)
    setup_inputs(app)
    setup_execution(app)
    setup_collector(app)
    setup_report(app)
    setup_claim_lists(app)
    setup_policy(app)
    setup_charts(app)
    setup_badges(app)
    setup_tables(app)
    setup_notebooks(app)
    setup_assets(app)
    setup_attributions(app)
    setup_bibliography(app)
    setup_publication(app)
    app.connect(
        "html-page-context", page_context, priority=BEFORE_BOOK_THEME_MENU
    )
    app.connect("build-finished", build_finished)
    setup_theme(app)
    return {
        "version": "0.2",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": 4,
    }
