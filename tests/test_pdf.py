"""``make pdf``: the book as one PDF (tools/pdf.py), printed once from the test build's own
single-page build (it shares the test build's execution cache, so nothing is executed again)."""

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.build,
    pytest.mark.browser,
]

ROOT = Path(__file__).resolve().parents[1]
#: reader-facing junk (exponents are left out: the PDF prints the code cells, where 1e6 is code)
JUNK = {
    "nan/inf": re.compile(r"(?<![\w-])(?:nan|NaN|-?inf|Infinity)(?![\w-])"),
    "float noise": re.compile(r"\d+\.\d*(?:0000000\d|9999999\d)"),
    "raw MyST role": re.compile(
        r"\{(?:glue:text|glue:figure|glue|cite|numref|doc)\}`"
    ),
    "placeholder": re.compile(r"<(?:address|url|link|site)[^<>]{0,30}>"),
}


@pytest.fixture(scope="session")
def pdf(built_book, run_once):
    """``make pdf`` of the test build, once for the test run (shared by the workers)."""
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("NO BROWSER: make pdf needs Debian's chromium")
    out = built_book.parents[1]  # the --path-output of the test build

    def make(_folder):
        proc = subprocess.run(
            [
                sys.executable,
                str(ROOT / "tools" / "pdf.py"),
                "--path-output",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=1200,
        )
        if proc.returncode != 0:
            pytest.fail(
                "make pdf failed:\n"
                + proc.stdout[-3000:]
                + proc.stderr[-3000:],
                pytrace=False,
            )
        return out / "_build" / "pdf" / "migbook.pdf"

    path = run_once("pdf", make)
    data = path.read_bytes()
    return {"path": path, "bytes": data, "pages": pdf_texts(path)}


def pdf_texts(path: Path) -> list[str]:
    """Each page's text, in reading order (pdfium's text layer, the engine Chromium itself uses
    to read PDFs)."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()


def chapter_titles() -> list[str]:
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    titles = []
    for f in files:
        m = re.search(
            r"^# (.+)$",
            (ROOT / f"{f}.md").read_text(encoding="utf-8"),
            re.M,
        )
        titles.append(m[1].strip())
    return titles


def flat(text: str) -> str:
    """Whitespace collapsed, ligatures (ﬁ) undone."""
    import unicodedata

    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def test_pdf_pages_titles_contents_and_numbers(pdf):
    pages = pdf["pages"]
    assert 100 <= len(pages) <= 400, f"{len(pages)} pages"
    assert "executable reproduction" in flat(
        pages[0]
    ) and "https://migbook.github.io/migbook/" in flat(pages[0])
    contents = flat(pages[1])
    assert contents.startswith("Contents")
    for title in chapter_titles():
        # listed in the contents with the page the chapter starts on, and that page starts with it
        m = re.search(re.escape(title) + r" (\d+)", contents)
        assert m, f"{title!r} not in the contents with a page number"
        start = flat(pages[int(m[1]) - 1]).strip()
        # (the text follows the content's order: on the references' first page the labels'
        # column comes before the title)
        assert title[:30] in start[:400], (
            f"page {m[1]} does not start {title!r}: {start[:80]!r}"
        )
    # page numbers in the footer
    assert re.search(r"\b10\b", pages[9])


def test_pdf_has_every_chart_as_vector_graphics(pdf, built_book):
    from pypdf import PdfReader

    captions = []
    for page in sorted((built_book / "book").glob("*.html")):
        captions += re.findall(
            r'<span class="caption-number">(Fig\. \d+) </span>',
            page.read_text(encoding="utf-8"),
        )
    assert captions
    text = flat(" ".join(pdf["pages"]))
    missing = [c for c in captions if c + " " not in text]
    assert not missing, f"figures missing from the PDF: {missing}"
    # vega draws the charts as SVG, which Chromium prints as vector paths: no raster image at all
    assert raster_images(PdfReader(io.BytesIO(pdf["bytes"]))) == 0


def raster_images(reader) -> int:
    """The image XObjects the pages use, directly or through form XObjects (read from the
    pages' resources: pypdf's ``page.images`` decodes every content stream, a minute here)."""
    seen = set()

    def walk(resources) -> int:
        xobjects = (resources or {}).get("/XObject")
        count = 0
        for ref in xobjects.get_object().values() if xobjects else ():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                count += 1
            elif obj.get("/Subtype") == "/Form" and id(obj) not in seen:
                seen.add(id(obj))
                count += walk(obj.get("/Resources"))
        return count

    return sum(walk(page.get("/Resources")) for page in reader.pages)


def test_raster_images_finds_an_image():
    """The check above can fail: two pages, one using an image XObject, one using it through a
    form XObject (a PDF written by hand)."""
    from pypdf import PdfReader

    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R 4 0 R]/Count 2>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]"
        b"/Resources<</XObject<</X0 5 0 R>>>>>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]"
        b"/Resources<</XObject<</X0 6 0 R>>>>>>",
        b"<</Type/XObject/Subtype/Image/Width 1/Height 1/ColorSpace/DeviceRGB"
        b"/BitsPerComponent 8/Length 3>>stream\n\x00\x00\x00\nendstream",
        b"<</Type/XObject/Subtype/Form/BBox[0 0 1 1]"
        b"/Resources<</XObject<</Im0 5 0 R>>>>/Length 0>>stream\n\nendstream",
    ]
    data, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(data))
        data += b"%d 0 obj %s endobj\n" % (i, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    data += b"trailer <</Root 1 0 R/Size %d>>\n" % (len(objects) + 1)
    data += b"startxref\n%d\n%%%%EOF\n" % xref
    reader = PdfReader(io.BytesIO(data))
    assert raster_images(reader) == 2
    assert (
        sum(len(p.images) for p in reader.pages) == 2
    )  # as pypdf counts them


def test_pdf_has_badges_numbers_claims_and_references(pdf, built_claims):
    text = flat(" ".join(pdf["pages"]))
    for status in ("reproduced", "qualified", "discrepant", "external"):
        assert text.count(status) > 3, status
    assert "Reproducibility report" in text and "References" in text
    assert "Delgado-Wise" in text
    # the claims table: every claim's paper and place, row by row (ids wrap inside their column)
    assert text.count("p2004") > len(built_claims) // 2


def test_pdf_has_no_junk_and_no_clock(pdf):
    problems = []
    for i, page in enumerate(pdf["pages"], start=1):
        for kind, rx in JUNK.items():
            for m in rx.finditer(page):
                problems.append(
                    f"page {i}: {kind} {m[0]!r} in …{flat(page[max(0, m.start() - 60) : m.end() + 30])}…"
                )
    assert not problems, "\n".join(problems[:40])
    assert (
        b"/CreationDate" not in pdf["bytes"]
        and b"/ModDate" not in pdf["bytes"]
    )
    # links point to the site, not to the local server the page was printed from
    assert (
        b"127.0.0.1" not in pdf["bytes"]
        and b"127\\0560\\0560\\0561" not in pdf["bytes"]
    )


def test_single_page_links_within_the_book_become_fragments():
    from migbook.sphinx.publication import internal_links

    docs = {"book/intro", "book/report", "book/references"}
    body = (
        '<a class="claim-badge" href="report.html#p2004-x">external</a>'
        '<a class="reference internal" href="book/intro.html#id2" title="A">[A, 2001]</a>'
        '<a class="reference internal" href="#id3">[B]</a>'
        '<a href="references.html">References</a>'
        '<a href="../_charts/fig.png" download>PNG</a>'
        '<a href="../genindex.html">Index</a>'
        '<a class="reference external" href="https://doi.org/10.1/x">doi</a>'
        '<div class="citation" id="id2" role="listitem"></div>'
        '<div class="citation" id="id3" role="listitem"></div>'
    )
    # (singlehtml's address of its root page carries the page's mark)
    out = internal_links(body, "book/intro.html#document-book/intro", docs)
    assert re.findall(r'href="([^"]*)"', out) == [
        "#p2004-x",
        "#citation-id2",
        "#citation-id3",
        "#document-book/references",
        "../_charts/fig.png",
        "../genindex.html",
        "https://doi.org/10.1/x",
    ]
    assert 'id="citation-id2"' in out and 'id="id2"' not in out


def pdf_links(data: bytes) -> tuple[list[str], list[str]]:
    """The PDF's link annotations: (internal ones as their destination, URIs)."""
    from pypdf import PdfReader

    internal, uris = [], []
    for page in PdfReader(io.BytesIO(data)).pages:
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            if a.get("/Subtype") != "/Link":
                continue
            action = a.get("/A")
            action = action.get_object() if action is not None else {}
            if "/Dest" in a or action.get("/S") == "/GoTo":
                internal.append(str(a.get("/Dest") or action.get("/D")))
            elif "/URI" in action:
                uris.append(str(action["/URI"]))
    return internal, uris


def test_pdf_links_within_the_book_stay_in_the_pdf(
    pdf, built_book, built_claims
):
    """Badges, citations, cross-references and the contents are links within the PDF; only
    files (charts, data), other sites and an address printed as itself (the worked citation
    example shows a claim's published address) are addresses."""
    import yaml

    site = yaml.safe_load(
        (ROOT / "_config.yml").read_text(encoding="utf-8")
    )["html"]["baseurl"]
    single = (
        built_book.parent / "singlehtml" / "book" / "intro.html"
    ).read_text(encoding="utf-8")
    shown = set(
        re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(?:<code>)?\1<', single)
    )
    internal, uris = pdf_links(pdf["bytes"])
    pages_of_the_book = [
        u
        for u in uris
        if u.startswith(site)
        and u not in shown
        and re.search(r"\.html(#|$)", u)
        and not re.search(r"/(search|genindex)\.html", u)
    ]
    assert not pages_of_the_book, (
        f"{len(pages_of_the_book)} links to the site's pages: {pages_of_the_book[:5]}"
    )
    # every claim's badge leads to its row of the report, within the PDF
    ids = {r["id"] for r in built_claims}
    to_rows = [d for d in internal if d.lstrip("/") in ids]
    assert len(to_rows) >= len(built_claims), len(to_rows)
    assert {d.lstrip("/") for d in to_rows} == ids
    # the contents list and the citations too
    assert sum(d.startswith("/document-") for d in internal) >= 5
    assert sum(d.startswith("/citation-") for d in internal) >= 10
    # addresses outside the book stay addresses (the references' sources)
    assert any(
        u.startswith("http") and not u.startswith(site) for u in uris
    ), uris[:5]


def _pdf_tool():
    """tools/pdf.py as a module (the tools are scripts, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "migbook_pdf_tool", ROOT / "tools" / "pdf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_chapter_pages_come_from_named_destinations():
    """The contents' page numbers are read from the PDF's named destinations (one per element
    id); a chapter whose opening section has none stops the PDF, naming it."""
    from pypdf import PdfWriter

    tool = _pdf_tool()
    writer = PdfWriter()
    for _ in range(4):
        writer.add_blank_page(width=595, height=842)
    writer.add_named_destination("opening-of-b", 2)
    buf = io.BytesIO()
    writer.write(buf)
    assert tool.chapter_pages(
        buf.getvalue(), {"book/b": "opening-of-b"}
    ) == {"book/b": 3}
    with pytest.raises(SystemExit, match="book/c"):
        tool.chapter_pages(buf.getvalue(), {"book/c": "no-such-section"})
