"""Every place where the book's Sphinx side leans on another package's private or undocumented
behaviour, in one module, each with its upstream reference and the versions it was checked
against (:data:`GUARDED`). ``tests/test_compat.py`` fails loudly when an installed version leaves
its guarded range: re-check the entry, then move the range (and ``pyproject.toml``'s bound).

Nothing here patches another package: each entry is a function the book calls.
"""

from __future__ import annotations

from importlib.metadata import version

#: package -> (lowest, highest) version each entry below was checked against, inclusive
GUARDED: dict[str, tuple[str, str]] = {
    "sphinx": ("7.4", "7.4.7"),
    "myst-nb": ("1.4.0", "1.4.0"),
    "sphinx-book-theme": ("1.3.0", "1.3.0"),
}


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".")[:3] if p.isdigit())


def unguarded() -> list[str]:
    """The guarded packages whose installed version is outside its checked range."""
    out = []
    for name, (low, high) in GUARDED.items():
        have = _release(version(name))
        if not (_release(low) <= have <= _release(high)):
            out.append(f"{name} {version(name)} (checked: {low} to {high})")
    return out


def own_source_suffix(app, config) -> None:
    """``config-inited``, before Sphinx merges the extensions' suffixes: give this build its
    own ``source_suffix`` mapping.

    Sphinx 7.4 hands every build that does not set ``source_suffix`` the same default dict, and
    ``merge_source_suffix`` adds the extensions' suffixes into it in place: after a build with
    myst-parser (``.md`` -> ``markdown``), a later build in the same process with myst-nb (which
    registers ``.md`` -> ``myst-nb``) inherits the old mapping and stops with "Source parser for
    markdown not registered". https://github.com/sphinx-doc/sphinx/issues/11795 (Sphinx 7.4:
    ``sphinx/registry.py``, ``merge_source_suffix``)."""
    config.source_suffix = dict(config.source_suffix)


def reads_in_parallel(app) -> bool:
    """Whether this build reads its pages in forked processes (``-j N`` with N > 1).

    Sphinx documents ``Sphinx.is_parallel_allowed`` (may the extensions run in parallel) but not
    the number of processes asked for; Sphinx 7.4 keeps it in the undocumented attribute
    ``Sphinx.parallel`` and reads in parallel when it is above 1 (``Builder.read``).
    https://github.com/sphinx-doc/sphinx/blob/v7.4.7/sphinx/builders/__init__.py"""
    return app.parallel > 1


def glue_outputs(output_folder: str, docname: str) -> dict:
    """The outputs a page glued, by key: myst-nb's glue cache for the page
    (``<output_folder>/<docname>.glue.json``), read afresh.

    myst-nb 1.4 reads it with ``myst_nb.ext.glue.crossref.read_glue_cache``, which memoises its
    last three answers for the process (``functools.lru_cache``); a page read again in the same
    process (a rebuild in one test session) would get its old outputs. The function is called
    through ``__wrapped__``, the undecorated function the cache keeps.
    https://github.com/executablebooks/MyST-NB/blob/v1.4.0/myst_nb/ext/glue/crossref.py"""
    from myst_nb.ext.glue.crossref import read_glue_cache

    return read_glue_cache.__wrapped__(str(output_folder), docname)


def keep_search_entries(env, docname: str, entries: list[tuple]) -> None:
    """Set the search entries ``(term, anchor, main)`` of page ``docname`` on the environment,
    so that they are kept by a build that does not write the page.

    Sphinx 7.4 takes a page's index entries for the search index from its doctree when it writes
    the page, and keeps them in the private ``env._search_index_index_entries``
    (``sphinx/environment/__init__.py``, read by ``sphinx/search/__init__.py``,
    ``IndexBuilder.__init__``). https://github.com/sphinx-doc/sphinx/blob/v7.4.7/sphinx/search/__init__.py"""
    from sphinx.util import logging

    store = getattr(env, "_search_index_index_entries", None)
    if not isinstance(store, dict):
        logging.getLogger(__name__).warning(
            "this Sphinx keeps no search entries on the environment: the "
            "claims' search entries are lost on a rebuild (migbook/sphinx/_compat.py)"
        )
        return
    store[docname] = entries


#: ``html-page-context`` priority before sphinx-book-theme's, which builds the page's download
#: menu at 501 (``sphinx_book_theme/header_buttons/__init__.py``)
BEFORE_BOOK_THEME_MENU = 490


def offer_notebook(context: dict, rel: str) -> None:
    """Have sphinx-book-theme's download menu offer ``rel`` (under ``_sources/``) as the page's
    notebook: the theme reads the undocumented context key ``ipynb_source``, which myst-nb sets
    to the page's source. https://github.com/executablebooks/sphinx-book-theme/blob/v1.3.0/src/sphinx_book_theme/header_buttons/__init__.py
    (``add_header_buttons``), connected at priority 501."""
    context["ipynb_source"] = rel


#: ``html-page-context`` priority after sphinx-book-theme's menu (501) has been built
AFTER_BOOK_THEME_MENU = 560
#: the label sphinx-book-theme gives its print entry (``btn-download-pdf-button``)
PRINT_LABEL = "download-pdf-button"


def header_pdf_button(buttons: list, pdf_href: str | None) -> list:
    """sphinx-book-theme's header buttons (the undocumented context key ``header_buttons``, a
    list of dicts built by ``add_header_buttons`` at priority 501 and rendered by
    ``article-header-buttons.html``) with its ``window.print()`` entry replaced by a link to the
    book's PDF (``pdf_href``), or removed where there is none; other buttons as they are.
    https://github.com/executablebooks/sphinx-book-theme/blob/v1.3.0/src/sphinx_book_theme/header_buttons/__init__.py"""
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
