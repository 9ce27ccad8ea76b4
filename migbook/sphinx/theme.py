"""The theme's page header: the download menu's .pdf entry is the book's PDF.

sphinx-book-theme puts a ".pdf" entry in every page's download menu that calls
``window.print()``. The book has a real PDF (``make pdf``, copied into the site as
``migbook.pdf``, :mod:`.publication`): where it exists the entry becomes a link to it; where it
does not, the entry is removed (the browser's own print command still prints a page, with the
book's print styles).

The menu is the list ``context["header_buttons"]`` that the theme builds in its own
``html-page-context`` handler (``sphinx_book_theme.header_buttons.add_header_buttons``, priority
501) and renders in ``article-header-buttons.html``; it is not a documented interface, so the
rewrite itself lives in :mod:`migbook.sphinx._compat` (``header_pdf_button``) and runs only under
the versions guarded there; under any other a build warning (an error: the book builds with
warnings as errors) says to check it again, and ``tests/test_compat.py`` fails. Upstream: https://github.com/executablebooks/sphinx-book-theme
(``src/sphinx_book_theme/header_buttons/__init__.py``).

The sidebar toggles of the same header are fixed by a documented theme option in
``_config.yml`` (``navbar_persistent: []``, pydata-sphinx-theme#2451, sphinx-book-theme#988).
"""

from __future__ import annotations

from importlib.metadata import version

from sphinx.application import Sphinx
from sphinx.util import logging

from migbook.sphinx._compat import (
    AFTER_BOOK_THEME_MENU,
    header_pdf_button,
    unguarded,
)
from migbook.sphinx.publication import PDF_NAME, pdf_source

logger = logging.getLogger(__name__)


def _on_page_context(app: Sphinx, pagename, templatename, context, doctree):
    if app.builder.name != "html" or "header_buttons" not in context:
        return
    if any(u.startswith("sphinx-book-theme ") for u in unguarded()):
        logger.warning(
            "migbook.sphinx.theme: sphinx-book-theme %s is not a version the header rewrite "
            "was checked against (migbook/sphinx/_compat.py, GUARDED): check the download "
            "menu's .pdf entry and move the range",
            version("sphinx-book-theme"),
        )
        return
    pdf = pdf_source(app)
    href = context["pathto"](PDF_NAME, 1) if pdf.exists() else None
    context["header_buttons"] = header_pdf_button(
        context["header_buttons"], href
    )


def _on_env_updated(app: Sphinx, env):
    """Every page's header changes when the PDF appears or goes: write them all again then."""
    has_pdf = pdf_source(app).exists()
    if getattr(env, "migbook_header_pdf", None) == has_pdf:
        return []
    env.migbook_header_pdf = has_pdf
    return sorted(env.found_docs)


def setup_theme(app: Sphinx) -> None:
    app.connect("env-updated", _on_env_updated)
    # after the theme's own handlers (501) have built the list
    app.connect(
        "html-page-context",
        _on_page_context,
        priority=AFTER_BOOK_THEME_MENU,
    )
