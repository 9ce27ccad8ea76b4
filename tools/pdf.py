"""``make pdf``: the book as one PDF, printed by headless Chromium from a single-page build.

1. ``jupyter-book build . --builder singlehtml`` (same execution cache as ``make book``) writes the
   whole book as one page, with a title page and a contents list (:mod:`migbook.sphinx.publication`) and print
   rules (``migbook/static/migbook-pdf.css``: a page break before each chapter, no navigation).
2. The page is served on 127.0.0.1 and opened in the system Chromium through playwright; every
   chart is drawn by Vega as SVG (so it prints as vector graphics), then Chromium prints it with
   page numbers in the footer. A first print finds the page each chapter starts on (the PDF's
   named destinations: Chromium makes one of each element id); the contents list gets those
   numbers and the page is printed again. Before each print the charts are settled (drawn, no
   redraw pending), so the same book gives the same PDF.
3. pypdf sets fixed metadata (title, author, no dates) and a file id derived from the content, so
   the same book gives the same bytes. Written to ``_build/pdf/migbook.pdf``.

Usage: ``python tools/pdf.py [--skip-build] [--out PATH]``. Needs no network.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.server
import io
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--font-render-hinting=none",
]
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#444;font-family:sans-serif">'
    '<span class="pageNumber"></span></div>'
)


def build_singlehtml(
    root: Path = ROOT, path_output: Path | None = None
) -> Path:
    """Build the single page (into ``<path_output or root>/_build/singlehtml``), sharing the
    execution cache of the HTML build in the same output folder."""
    cmd = [
        str(BIN / "jupyter-book"),
        "build",
        str(root),
        "--builder",
        "singlehtml",
        "--warningiserror",
        "--nitpick",
        "--keep-going",
    ]
    if path_output is not None:
        cmd += ["--path-output", str(path_output)]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-5000:] + proc.stderr[-5000:])
        raise SystemExit("the single-page build failed; no PDF written")
    return (path_output or root) / "_build" / "singlehtml"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves the single page. Sphinx's singlehtml writes the root page into its folder
    (``book/intro.html``) but links its assets as if it were at the top (``_static/...``): a
    missing ``book/<path>`` is served from ``<path>``."""

    def translate_path(self, path):
        local = super().translate_path(path)
        if not Path(local).exists():
            parts = path.split("?", 1)[0].lstrip("/").split("/")
            if len(parts) > 1:
                alt = super().translate_path("/" + "/".join(parts[1:]))
                if Path(alt).exists():
                    return alt
        return local

    def log_message(self, *args):
        pass


def _serve(folder: Path):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


DRAW_ALL = """async () => {
  for (const e of document.querySelectorAll('.migbook-chart')) {
    e.scrollIntoView();
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  }
  window.scrollTo(0, 0);
}"""

#: every chart drawn and none being drawn again (a print lays the page out at the paper's width,
#: and the charts' resize handler redraws, 200 ms later, those whose other spec fits better)
SETTLED = """() => [...document.querySelectorAll('.migbook-chart')]
  .every(e => e.dataset.rendered && !e.dataset.drawing)"""


def settle(page) -> None:
    """Wait until the charts are drawn and no redraw is pending: each print then takes the same
    page, whatever the machine's speed (the same book gives the same PDF)."""
    page.wait_for_timeout(400)
    page.wait_for_function(SETTLED, timeout=60000)


def chapter_pages(
    pdf_bytes: bytes, starts: dict[str, str]
) -> dict[str, int]:
    """The 1-based page each chapter starts on, read from the PDF's named destinations (Chromium
    makes one of each element id of the printed page). ``starts`` maps a chapter's docname to the
    id of the section that opens it, the element the print rules start a page with (the anchor
    ``document-<docname>`` just before it may end the previous page). A chapter without it
    stops the PDF. (The tests check the printed numbers against the pages' text.)"""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_bytes))
    dests = reader.named_destinations
    found = {}
    for doc, anchor in starts.items():
        # a name of the /Dests dictionary (Chromium's) or a string of the /Names tree
        dest = (
            (dests.get(f"/{anchor}") or dests.get(anchor))
            if anchor
            else None
        )
        if dest is None:
            raise SystemExit(
                f"make pdf: no section opens {doc} on the printed page (anchor "
                f"{anchor!r}), so the contents cannot give its page; no PDF written"
            )
        found[doc] = reader.get_destination_page_number(dest) + 1
    return found


#: for each entry of the printed contents: its docname and the id of the section that opens it
#: (after the anchor ``document-<docname>``, or first in the element after it)
CHAPTER_STARTS = """els => Object.fromEntries(els.map(e => {
  const a = document.getElementById('document-' + e.dataset.doc);
  let s = a && a.nextElementSibling;
  if (s && s.tagName !== 'SECTION') s = s.querySelector(':scope > section:first-child');
  return [e.dataset.doc, s ? s.id : ''];
}))"""


def site_links(
    writer, local_base: str, site_url: str, html_dir: Path
) -> int:
    """Links printed from the local server (``http://127.0.0.1:<port>/...``) point to the same page
    on the site instead: no random port in the file, and the links work for a reader."""
    from pypdf.generic import NameObject, TextStringObject

    site_dir = (
        html_dir.parent / "html"
        if (html_dir.parent / "html").is_dir()
        else html_dir
    )
    changed = 0
    for page in writer.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            uri = (
                action.get_object().get("/URI")
                if action is not None
                else None
            )
            if not uri or not str(uri).startswith(local_base):
                continue
            path = str(uri)[len(local_base) :].lstrip("/")
            target = path.split("#", 1)[0].split("?", 1)[0]
            # the single page sits in book/ but some of its links resolve one book/ too deep
            if target and not (site_dir / target).exists() and "/" in path:
                path = path.split("/", 1)[1]
            action.get_object()[NameObject("/URI")] = TextStringObject(
                site_url.rstrip("/") + "/" + path
            )
            changed += 1
    return changed


def fixed_metadata(
    pdf_bytes: bytes, title: str, author: str, fix=None
) -> bytes:
    """The PDF with fixed metadata (no dates) and a file id from its content: same book, same bytes.
    ``fix(writer)`` may change it first (see :func:`site_links`)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes)))
    if fix is not None:
        fix(writer)
    writer._info = (
        None  # drop Chromium's info dictionary (it holds the print time)
    )
    writer.add_metadata(
        {
            "/Title": title,
            "/Author": author,
            "/Creator": "migbook (make pdf)",
            "/Producer": "Chromium, pypdf",
        }
    )
    writer._ID = ArrayObject(
        [ByteStringObject(b"\0" * 16), ByteStringObject(b"\0" * 16)]
    )
    buf = io.BytesIO()
    writer.write(buf)
    digest = hashlib.md5(
        buf.getvalue()
    ).digest()  # the id: a digest of the content itself
    writer._ID = ArrayObject(
        [ByteStringObject(digest), ByteStringObject(digest)]
    )
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def root_page(html_dir: Path) -> str:
    """The page that holds the whole book (index.html redirects to it)."""
    m = re.search(
        r'url=([^"]+)"',
        (html_dir / "index.html").read_text(encoding="utf-8"),
    )
    return m[1] if m else "index.html"


def print_pdf(
    html_dir: Path, out: Path, title: str, author: str, site_url: str = ""
) -> int:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit(
            "make pdf needs Debian's chromium (apt-get install chromium)"
        )
    server, base = _serve(html_dir)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium, args=ARGS, headless=True
            )
            page = browser.new_page(
                viewport={"width": 1000, "height": 1400}
            )
            page.goto(f"{base}/{root_page(html_dir)}", wait_until="load")
            page.evaluate(
                "() => { try { localStorage.removeItem('migbook-hide-code'); } catch (e) {} }"
            )
            # on paper a badge's note is printed under its line, not folded
            page.evaluate(
                "() => document.querySelectorAll('details.claim-details')"
                ".forEach(d => { d.open = true; })"
            )
            if page.locator(".migbook-chart").count():
                page.evaluate(DRAW_ALL)
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.migbook-chart')].every(e => e.dataset.rendered)",
                    timeout=60000,
                )
            page.emulate_media(media="print")
            opts = {
                "format": "A4",
                "print_background": True,
                "display_header_footer": True,
                "header_template": "<span></span>",
                "footer_template": FOOTER,
                "margin": {
                    "top": "18mm",
                    "bottom": "18mm",
                    "left": "16mm",
                    "right": "16mm",
                },
            }
            settle(page)
            first = page.pdf(**opts)
            starts = page.eval_on_selector_all(
                ".migbook-print-toc .migbook-toc-page", CHAPTER_STARTS
            )
            numbers = chapter_pages(first, starts)
            page.evaluate(
                "(nums) => { for (const [doc, n] of Object.entries(nums)) {"
                ' const s = document.querySelector(`.migbook-toc-page[data-doc="${doc}"]`);'
                " if (s) s.textContent = String(n); } }",
                numbers,
            )
            settle(page)
            pdf = page.pdf(**opts)
            browser.close()
    finally:
        server.shutdown()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".chromium.pdf").write_bytes(
        pdf
    )  # as printed, before the fixed metadata
    data = fixed_metadata(
        pdf,
        title,
        author,
        fix=lambda w: site_links(w, base, site_url, html_dir),
    )
    out.write_bytes(data)
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def main(argv=None) -> int:
    import yaml

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--skip-build",
        action="store_true",
        help="print the existing _build/singlehtml",
    )
    ap.add_argument(
        "--path-output",
        type=Path,
        default=None,
        help="the folder holding _build/ (as jupyter-book build --path-output); default: the checkout",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="default: <path-output>/_build/pdf/migbook.pdf",
    )
    args = ap.parse_args(argv)
    base = args.path_output or ROOT
    args.out = args.out or base / "_build" / "pdf" / "migbook.pdf"
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    start = time.monotonic()
    html_dir = (
        base / "_build" / "singlehtml"
        if args.skip_build
        else build_singlehtml(ROOT, args.path_output)
    )
    built = time.monotonic()
    pages = print_pdf(
        html_dir,
        args.out,
        cfg.get("title", ""),
        cfg.get("author", ""),
        (cfg.get("html") or {}).get("baseurl", ""),
    )
    end = time.monotonic()
    print(
        f"PDF: {args.out} ({pages} pages, {args.out.stat().st_size / 1e6:.1f} MB); "
        f"single-page build {built - start:.0f} s, printing {end - built:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
