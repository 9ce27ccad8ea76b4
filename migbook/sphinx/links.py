"""Links computed by the builder, so they hold under ``html``, ``dirhtml`` and ``singlehtml``."""

from __future__ import annotations

from urllib.parse import quote

from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util.osutil import relative_uri


def _page(builder, docname: str) -> str:
    """The document whose output file holds ``docname``'s content (singlehtml: the root page)."""
    return (
        builder.config.root_doc if builder.name == "singlehtml" else docname
    )


def doc_uri(builder, fromdoc: str, todoc: str, anchor: str = "") -> str:
    """From the page of ``fromdoc`` to ``anchor`` on ``todoc`` (``#anchor`` when both are one page)."""
    if _page(builder, fromdoc) == _page(builder, todoc) and anchor:
        return f"#{anchor}"
    uri = builder.get_relative_uri(fromdoc, todoc)
    if (
        builder.name == "singlehtml" and anchor
    ):  # '#document-x' carries no file; anchors are unique
        return f"#{anchor}"
    return f"{uri}#{anchor}" if anchor else uri


def resource_uri(builder, fromdoc: str, path: str) -> str:
    """From the page of ``fromdoc`` to a file of the output folder (``claims.csv``, ``_charts/x.png``)."""
    return relative_uri(
        builder.get_target_uri(_page(builder, fromdoc)), path
    )


def canonical_url(app, docname: str, anchor: str = "") -> str:
    """The published address of ``anchor`` on ``docname``: ``html_baseurl`` and the page's address
    in the multi-page site (also from a single-page or PDF build); relative when no base is set."""
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder):  # text, LaTeX, ...
        suffix = (
            app.config.html_link_suffix
            or app.config.html_file_suffix
            or ".html"
        )
        page = quote(docname) + suffix
    elif builder.name == "singlehtml":
        page = StandaloneHTMLBuilder.get_target_uri(builder, docname)
    else:
        page = builder.get_target_uri(docname)
    base = app.config.html_baseurl or ""
    if base and not base.endswith("/"):
        base += "/"
    return f"{base}{page}" + (f"#{anchor}" if anchor else "")
