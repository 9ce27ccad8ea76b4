"""The book as a publication (set up by :mod:`migbook.sphinx`).

- **Site address**: ``ogp_site_url`` (Open Graph, sphinxext-opengraph) defaults to
  ``html_baseurl``, which ``_config.yml`` sets once; ``sitemap.xml`` lists every page of the book
  under it, sorted (written here: sphinx-sitemap lists only the pages an incremental build
  rewrote, in the order they were written).
- **Code or no code**: a "hide code" switch on every page that shows code, remembered in the
  browser (``static/migbook-codeswitch.js``), and print rules that wrap long code lines rather
  than clip them (``static/migbook-codeswitch.css``).
- **Downloads**: the front page links the PDF edition (``make pdf``; copied into the HTML output
  when it exists) and the reproduction bundle (:mod:`migbook.cli.bundle`, written into the HTML
  output at the end of every HTML build).
- **The single-page build** (``--builder singlehtml``, the source of the PDF): a title page and a
  contents list with the chapters, and a class on the page for the print rules. Every link to a
  page or an anchor of the book becomes a same-document fragment (``#id``), so Chromium prints it
  as a link within the PDF (:func:`internal_links`); links to files and other sites stay.

No network and no clock: everything written is a function of the sources.
"""

from __future__ import annotations

import html
import posixpath
import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx

from migbook.data import ROOT

STATIC = Path(__file__).parents[1] / "static"
PDF_NAME = "migbook.pdf"
BUNDLE_NAME = "migbook-reproduction.zip"


def pdf_source(app: Sphinx) -> Path:
    """Where ``make pdf`` writes the PDF: ``_build/pdf/migbook.pdf`` beside the HTML output."""
    return Path(app.outdir).parent / "pdf" / PDF_NAME


def _on_config_inited(app: Sphinx, config) -> None:
    if (
        getattr(config, "ogp_site_url", None) in (None, "")
        and config.html_baseurl
    ):
        config.ogp_site_url = config.html_baseurl
    if str(STATIC) not in [str(p) for p in config.html_static_path]:
        config.html_static_path = list(config.html_static_path) + [
            str(STATIC)
        ]
    app.add_css_file("migbook-codeswitch.css")
    app.add_js_file("migbook-codeswitch.js")


def _downloads_stamp(app: Sphinx) -> str:
    pdf = pdf_source(app)
    if not pdf.exists():
        return ""
    st = pdf.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def _on_env_updated(app, env):
    """The front page lists the downloads that exist (the PDF once ``make pdf`` made it): write
    it again when that changes."""
    stamp = _downloads_stamp(app)
    root = app.config.root_doc
    # what the front page's download line was last written with (this module's, kept with the
    # environment)
    if (
        stamp == getattr(env, "migbook_downloads", "")
        or root not in env.found_docs
    ):
        return []
    env.migbook_downloads = stamp
    return [root]


def _downloads_html(app: Sphinx, pathto) -> str:
    links = []
    if pdf_source(app).exists():
        links.append(
            f'<a href="{html.escape(pathto(PDF_NAME, 1))}" download>the book as one PDF</a>'
        )
    links.append(
        f'<a href="{html.escape(pathto(BUNDLE_NAME, 1))}" download>the reproduction bundle</a> '
        "(data, helper package, pinned requirements and chapter notebooks: unzip, then follow its "
        "README.md to re-execute every chapter)"
    )
    return (
        '<p class="migbook-book-downloads">Download '
        + " · ".join(links)
        + ".</p>"
    )


def _title_page(app: Sphinx) -> str:
    cfg = app.config
    repo = (cfg.html_theme_options or {}).get("repository_url", "")
    esc = html.escape
    title = cfg.html_title or cfg.project
    version = cfg.release or cfg.version
    return (
        '<section class="migbook-titlepage">'
        f'<p class="migbook-title">{esc(title)}</p>'
        f'<p class="migbook-author">{esc(cfg.author)}</p>'
        + (
            f'<p class="migbook-version">Version {esc(version)}</p>'
            if version
            else ""
        )
        + f'<p class="migbook-address">Read online: {esc(cfg.html_baseurl)}<br>Code and data: {esc(repo)}<br>'
        "Code: MIT licence. Text and data work: CC BY 4.0.</p>"
        "</section>"
    )


def _contents(app: Sphinx) -> str:
    env = app.env
    order = list(
        env.toctree_includes.get(app.config.root_doc, [])
    ) or sorted(env.found_docs)
    items = "".join(
        f'<li><a href="#document-{html.escape(d)}">{html.escape(env.titles[d].astext())}</a>'
        f'<span class="migbook-toc-page" data-doc="{html.escape(d)}"></span></li>'
        for d in order
        if d in env.titles
    )
    return f'<nav class="migbook-print-toc"><p class="migbook-toc-title">Contents</p><ol>{items}</ol></nav>'


#: a link: its opening up to the address, the page (relative, ``.html``), the anchor, the quote
LINK = re.compile(r'(<a\b[^>]*?\bhref=")([^"#?:]*\.html)?(#[^"]*)?(")')
#: an entry of the bibliography (sphinxcontrib-bibtex): its id (``id2``) is also used, on other
#: pages, by the citations that point to it, which a single page would make ambiguous
CITATION_ENTRY = re.compile(r'(<div class="citation" id=")([^"]+)"')


def internal_links(body: str, page_uri: str, docs: set[str]) -> str:
    """The single page's links to the book's own pages and anchors as same-document fragments:
    ``report.html#<id>`` (a badge, written by the kernel) and ``book/intro.html#id2`` (Sphinx's
    singlehtml address of an anchor on another page) become ``#<id>`` and ``#id2``; a bare page
    becomes ``#document-<docname>`` (the single page's mark of each page). Bibliography entries
    get their own ids (``citation-<id>``: docutils numbers ``id1``, ``id2`` ... per page, so a
    single page repeats them) and the citations point to those. Links to files (``_charts/``,
    ``data/``), the search and index pages and other sites are left as they are."""
    base = posixpath.dirname(page_uri.split("#", 1)[0])
    entries = {m[2] for m in CITATION_ENTRY.finditer(body)}
    body = CITATION_ENTRY.sub(r'\1citation-\2"', body)

    def link(m: re.Match) -> str:
        path, anchor = m[2] or "", (m[3] or "")[1:]
        doc = None
        if path:
            for cand in (
                posixpath.normpath(posixpath.join(base, path)),
                path,
            ):
                if cand[:-5] in docs:
                    doc = cand[:-5]
                    break
            if doc is None:
                return m[0]
        elif not anchor:
            return m[0]
        if anchor in entries and 'class="reference internal"' in m[1]:
            anchor = f"citation-{anchor}"
        return f"{m[1]}#{anchor or f'document-{doc}'}{m[4]}"

    return LINK.sub(link, body)


#: a link a page writes to a file the build puts at the top of the site (``claims.csv``,
#: ``CITATION.cff``): ``<a href="site:claims.csv">``, made relative to the page here
SITE_FILE = re.compile(r'href="site:([\w./-]+)"')
#: files of the repository published at the top of the site as they are
SITE_FILES = ("CITATION.cff",)


def site_file_links(body: str, pathto) -> str:
    """``href="site:<file>"`` -> the file's address relative to the page."""
    return SITE_FILE.sub(
        lambda m: f'href="{html.escape(pathto(m[1], 1))}"', body
    )


def page_context(app: Sphinx, pagename, templatename, context, doctree):
    if app.builder.format != "html" or "body" not in context:
        return
    if "site:" in context["body"]:
        context["body"] = site_file_links(
            context["body"], context["pathto"]
        )
    if app.builder.name == "singlehtml":
        app.add_css_file("migbook-pdf.css", priority=900)
        if pagename == app.config.root_doc:
            context["body"] = internal_links(
                _title_page(app) + _contents(app) + context["body"],
                # the file the page is written to (its address, "#document-...", has no path)
                pagename + app.builder.out_suffix,
                set(app.env.found_docs),
            )
        return
    if pagename == app.config.root_doc:
        context["body"] += _downloads_html(app, context["pathto"])


def sitemap_xml(base: str, uris: list[str]) -> str:
    """A sitemap (sitemaps.org 0.9) of the pages ``uris`` under the site address ``base``."""
    base = base.rstrip("/") + "/"
    locs = "".join(
        f"<url><loc>{html.escape(base + u)}</loc></url>\n"
        for u in sorted(set(uris))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{locs}</urlset>\n'
    )


def redirect_page(app: Sphinx) -> str:
    """``index.html``: forwards to the front page at once, as the one sphinx-external-toc writes
    (a bare ``<meta>`` line), but as a whole document (language, title, a main landmark, a
    heading and a link) so it is also a page that a reader or a screen reader can use."""
    target = app.builder.get_target_uri(app.config.root_doc)
    title = html.escape(app.config.html_title or app.config.project)
    url = html.escape(target)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Refresh" content="0; url={url}" />\n'
        f'<title>{title}</title>\n<link rel="canonical" href="{url}">\n</head>\n'
        f'<body>\n<main>\n<h1>{title}</h1>\n<p><a href="{url}">Open the book</a></p>\n'
        "</main>\n</body>\n</html>\n"
    )


def build_finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.name != "html":
        return
    from migbook.cli import bundle

    out = Path(app.outdir)
    if app.config.root_doc != "index":
        (out / "index.html").write_text(
            redirect_page(app), encoding="utf-8"
        )
    for name in SITE_FILES:
        shutil.copyfile(ROOT / name, out / name)
    from migbook.sphinx.collector import nothing_changed

    requirements = ROOT / "requirements.txt"
    if (
        nothing_changed(app)
        and (out / BUNDLE_NAME).exists()
        and (out / BUNDLE_NAME).stat().st_mtime
        > requirements.stat().st_mtime
    ):
        return  # the sitemap and the bundle are those of the last build
    if app.config.html_baseurl:
        uris = [app.builder.get_target_uri(d) for d in app.env.found_docs]
        (out / "sitemap.xml").write_text(
            sitemap_xml(app.config.html_baseurl, uris), encoding="utf-8"
        )
    bundle.write_bundle(
        out / BUNDLE_NAME,
        notebooks_dir=out / "_sources",
        site_url=app.config.html_baseurl,
        repository_url=(app.config.html_theme_options or {}).get(
            "repository_url", ""
        ),
        title=bundle.book_title(),
    )
    pdf = pdf_source(app)
    if pdf.exists():
        shutil.copyfile(pdf, out / PDF_NAME)


def setup_publication(app: Sphinx) -> None:
    app.connect("config-inited", _on_config_inited)
    app.connect("env-updated", _on_env_updated)
