"""The theme's page header: the one place the book relies on sphinx-book-theme's internals.

sphinx-book-theme puts a ".pdf" entry in every page's download menu that calls
``window.print()``. The book has a real PDF (``make pdf``, copied into the site as
``migbook.pdf``, :mod:`.publication`): where it exists the entry becomes a link to it; where it
does not, the entry is removed (the browser's own print command still prints a page, with the
book's print styles).

The menu is the list ``context["header_buttons"]`` that the theme builds in its own
``html-page-context`` handler (``sphinx_book_theme.header_buttons.add_header_buttons``, priority
501) and renders in ``article-header-buttons.html``; it is not a documented interface, so the
rewrite runs only under the versions it was written against (:data:`TESTED`); under any other a
build warning (an error: the book builds with warnings as errors) says to check it again.
``tests/test_browser_phone.py`` checks the menu in the built book and fails when the installed
version is not in :data:`TESTED`. Upstream: https://github.com/executablebooks/sphinx-book-theme
(``src/sphinx_book_theme/header_buttons/__init__.py``).

The sidebar toggles of the same header are fixed by a documented theme option in
``_config.yml`` (``navbar_persistent: []``, pydata-sphinx-theme#2451, sphinx-book-theme#988).
"""

from __future__ import annotations

from importlib.metadata import version

from sphinx.application import Sphinx
from sphinx.util import logging

from migbook.sphinx.publication import PDF_NAME, pdf_source

logger = logging.getLogger(__name__)

#: the sphinx-book-theme versions whose header-button list this module was checked against
TESTED = ("1.3.0",)
#: the label the theme gives its print entry (``btn-download-pdf-button``)
PRINT_LABEL = "download-pdf-button"


def theme_version() -> str:
    return version("sphinx-book-theme")


def header_pdf_button(buttons: list, pdf_href: str | None) -> list:
    """The theme's header buttons with its print entry replaced by a link to the book's PDF
    (``pdf_href``), or removed where there is none. Other buttons are returned as they are."""
    out = []
    for b in buttons:
        if isinstance(b, dict) and b.get("type") == "group":
            b = {
                **b,
                "buttons": header_pdf_button(
                    b.get("buttons", []), pdf_href
                ),
            }
        elif isinstance(b, dict) and b.get("label") == PRINT_LABEL:
            if not pdf_href:
                continue
            b = {
                "type": "link",
                "url": pdf_href,
                "text": ".pdf",
                "tooltip": "Download the whole book as one PDF",
                "icon": "fas fa-file-pdf",
                "label": "download-book-pdf-button",
            }
        out.append(b)
    return out


def _on_page_context(app: Sphinx, pagename, templatename, context, doctree):
    if app.builder.name != "html" or "header_buttons" not in context:
        return
    if theme_version() not in TESTED:
        logger.warning(
            "migbook.sphinx.theme: sphinx-book-theme %s is not one of the versions its "
            "header rewrite was checked against (%s): check the download menu's .pdf entry and "
            "update TESTED",
            theme_version(),
            ", ".join(TESTED),
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
    app.connect("html-page-context", _on_page_context, priority=560)
