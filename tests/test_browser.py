"""Headless Chromium over every page of the built book.

Each page must load with no console error and no failed request, request nothing outside the
local server, draw every chart (in the book's colour-blind-safe palette, with a text
description), show every glued value, link every badge to an existing row of the report, give
every table header cells, and show the theme's icons. Then: charts fall back to their static
image when JavaScript is off or Vega fails, and a printed page keeps its charts. No page is wider
than the screen, and axe-core (``axe-playwright-python``) finds no violation on any page, at 1280
and 390 px (one visit of each page at each width does all of these checks), and the theme's
"Back to top" button covers nothing on a phone. A failure names the page and the element.
"""

import contextlib
import re
from pathlib import Path

import pytest

from migbook.charts import PALETTE
from migbook.claims import STATUSES

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.build, pytest.mark.browser]


# What one page reports about itself, in one round trip.
INSPECT = r"""
(palette) => {
  const out = {charts: [], glue: [], badges: [], tables: [], icons: []};
  const label = (el) => (el.id ? '#' + el.id : '') ||
      (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  const near = (el) => (el.closest('p, li, td, div') || el).textContent.trim().replace(/\s+/g, ' ').slice(0, 80);
  const allowed = new Set(palette.map(c => c.toLowerCase()));
  const toHex = (c) => {
    const m = /^rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)$/.exec(c || '');
    if (!m) return null;
    if (m[4] !== undefined && +m[4] === 0) return null;
    return '#' + [m[1], m[2], m[3]].map(x => (+x).toString(16).padStart(2, '0')).join('');
  };
  const neutral = (h) => h.slice(1, 3) === h.slice(3, 5) && h.slice(3, 5) === h.slice(5, 7);
  document.querySelectorAll('.migbook-chart').forEach(el => {
    const view = el.querySelector('.migbook-chart-view');
    const marks = el.querySelectorAll('svg [class^="mark-"] path, svg [class^="mark-"] line, ' +
                                      'svg [class^="mark-"] rect, svg [class^="mark-"] circle');
    const colours = new Set();
    el.querySelectorAll('svg .mark-line path, svg .mark-rect path, svg .mark-symbol path, svg .mark-area path, ' +
                        'svg .mark-arc path, svg .mark-trail path, svg .mark-rule line, svg .mark-tick rect')
      .forEach(m => {
        const cs = getComputedStyle(m);
        [cs.fill, cs.stroke].forEach(c => { const h = toHex(c); if (h && !neutral(h) && !allowed.has(h)) colours.add(h); });
      });
    const desc = el.querySelector('.migbook-chart-desc p');
    out.charts.push({id: el.id, state: el.dataset.rendered || null, marks: marks.length,
                     aria: view ? (view.getAttribute('aria-label') || '').trim() : '',
                     desc: desc ? desc.textContent.trim() : '', offPalette: [...colours],
                     downloads: el.querySelectorAll('.migbook-chart-downloads a[download]').length});
  });
  document.querySelectorAll('span.pasted-text, span.pasted-inline').forEach(el => {
    const t = el.textContent.trim();
    if (!t || /^(nan|none|null|undefined|inf|-inf)$/i.test(t)) out.glue.push({text: t, near: near(el)});
  });
  document.querySelectorAll('a.claim-badge').forEach(el => {
    out.badges.push({text: el.textContent.trim(), href: el.href, id: (el.closest('[id^="claim-"]') || {}).id || ''});
  });
  document.querySelectorAll('article table').forEach((t, i) => {
    out.tables.push({label: t.id || (t.caption ? t.caption.textContent.trim().slice(0, 50) : 'table ' + (i + 1)),
                     th: t.querySelectorAll('th').length,
                     noScope: t.querySelectorAll('th:not([scope])').length});
  });
  document.querySelectorAll('i[class*="fa-"], span[class*="fa-"]').forEach(el => {
    if (!el.getClientRects().length) return;  // not shown on this layout
    const before = getComputedStyle(el, '::before');
    const svg = el.querySelector('svg') || (el.previousElementSibling && el.previousElementSibling.tagName === 'svg');
    if (!svg && (before.content === 'none' || before.content === 'normal' || !/Font Awesome/.test(before.fontFamily)))
      out.icons.push(el.className);
  });
  return out;
}
"""


def pages(built_book):
    top = sorted(
        str(p.relative_to(built_book)) for p in built_book.glob("*.html")
    )
    return top + sorted(
        str(p.relative_to(built_book))
        for p in (built_book / "book").glob("*.html")
    )


def report_rows(built_book) -> set[str]:
    text = (built_book / "book" / "report.html").read_text(encoding="utf-8")
    return set(
        re.findall(r'<tbody class="migbook-claim" id="([^"]+)"', text)
    )


def chart_pages(built_book) -> list[str]:
    return [
        rel
        for rel in pages(built_book)
        if 'class="migbook-chart"'
        in (built_book / rel).read_text(encoding="utf-8")
    ]


class Watch:
    """Console errors, failed or refused requests and off-server requests of one page."""

    def __init__(self, page, base):
        self.outside, self.errors = [], []
        page.on(
            "request",
            lambda r: (
                self.outside.append(r.url)
                if not r.url.startswith((base, "data:", "blob:"))
                else None
            ),
        )
        page.on(
            "response",
            lambda r: (
                self.errors.append(f"HTTP {r.status} for {r.url}")
                if r.status >= 400
                else None
            ),
        )
        page.on(
            "requestfailed",
            lambda r: (
                self.errors.append(f"request failed: {r.url} ({r.failure})")
                if r.url.startswith(base)
                else None
            ),
        )
        # "Failed to load resource" duplicates a response error above (or the browser's own favicon probe)
        page.on(
            "console",
            lambda m: (
                self.errors.append(
                    f"console error: {m.text} (at {m.location.get('url', '?')}"
                    f":{m.location.get('lineNumber', '?')})"
                )
                if m.type == "error"
                and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on(
            "pageerror",
            lambda e: self.errors.append(f"uncaught exception: {e}"),
        )

    def problems(self, rel):
        return [
            f"{rel}: requested {u} (outside the local server)"
            for u in self.outside
        ] + [f"{rel}: {e}" for e in self.errors]


def draw_all(page, timeout=15000):
    """Charts draw as they come near the viewport: scroll to each in turn, then wait for all."""
    page.evaluate("""async () => {
        for (const e of document.querySelectorAll('.migbook-chart')) {
            e.scrollIntoView();
            await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        }
    }""")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.migbook-chart')].every(e => e.dataset.rendered)",
        timeout=timeout,
    )


def draw_any(page) -> None:
    """Draw the page's charts, if it has any; a chart that fails is left to the caller."""
    if page.locator(".migbook-chart").count():
        with contextlib.suppress(Exception):
            draw_all(page)


def test_charts_without_javascript(browser, built_book, served_book):
    """With JavaScript off, every chart shows its static image (noscript), loaded, with alt text."""
    rels = chart_pages(built_book)
    if not rels:
        pytest.skip("no chart in the book yet")
    ctx = browser.new_context(java_script_enabled=False)
    problems = []
    for rel in rels:
        page = ctx.new_page()
        page.goto(f"{served_book}/{rel}", wait_until="load")
        for img in page.eval_on_selector_all(
            ".migbook-chart",
            "els => els.map(e => { const i = e.querySelector('img.migbook-chart-static');"
            " return {id: e.id, ok: !!i && i.complete && i.naturalWidth > 0 && i.getClientRects().length > 0,"
            " alt: i ? i.alt : ''}; })",
        ):
            if not img["ok"] or not img["alt"].strip():
                problems.append(
                    f"{rel}: chart {img['id']}: no static image shown without JavaScript (alt={img['alt']!r})"
                )
        page.close()
    ctx.close()
    assert not problems, "\n".join(problems)


def test_chart_falls_back_to_its_image_when_vega_fails(
    browser, built_book, served_book
):
    rels = chart_pages(built_book)
    if not rels:
        pytest.skip("no chart in the book yet")
    page = browser.new_page()
    page.route(
        "**/vega.min.js*",
        lambda route: route.fulfill(
            status=200,
            body="/* vega missing */",
            content_type="text/javascript",
        ),
    )
    page.on("console", lambda m: None)
    page.goto(f"{served_book}/{rels[0]}", wait_until="load")
    draw_all(page, timeout=10000)
    states = page.eval_on_selector_all(
        ".migbook-chart",
        "els => els.map(e => [e.id, e.dataset.rendered, "
        "!!e.querySelector('.migbook-chart-view img.migbook-chart-static')])",
    )
    page.close()
    assert all(s == "error" and img for _, s, img in states), (
        f"{rels[0]}: {states}"
    )


def test_printed_page_keeps_its_charts(browser, built_book, served_book):
    rels = chart_pages(built_book)
    if not rels:
        pytest.skip("no chart in the book yet")
    page = browser.new_page()
    page.goto(f"{served_book}/{rels[0]}", wait_until="load")
    draw_all(page)
    page.emulate_media(media="print")
    shown = page.eval_on_selector_all(
        ".migbook-chart",
        "els => els.map(e => [e.id, !!e.querySelector('svg') && "
        "e.querySelector('svg').getClientRects().length > 0, "
        "getComputedStyle(e.querySelector('.migbook-chart-downloads')).display])",
    )
    page.close()
    for cid, drawn, links in shown:
        assert drawn, f"{rels[0]}: chart {cid} not shown when printed"
        assert links == "none", (
            f"{rels[0]}: chart {cid}: download links printed"
        )


def test_report_filters(browser, built_book, served_book, built_claims):
    if not built_claims:
        pytest.skip("no claims yet")
    page = browser.new_page()
    page.goto(f"{served_book}/book/report.html", wait_until="load")
    rows = page.locator("table.migbook-report tbody.migbook-claim")
    assert rows.count() == len(built_claims)
    status = built_claims[0]["status"]
    page.select_option(".migbook-filter-status", status)
    visible = page.locator(
        "table.migbook-report tbody.migbook-claim:not([hidden])"
    ).count()
    assert visible == sum(r["status"] == status for r in built_claims)
    page.close()


# ---------------------------------------------------------------- both widths, search, citing
WIDE_ELEMENTS = r"""
() => {
  const W = document.documentElement.clientWidth, out = [];
  for (const e of document.querySelectorAll('article *')) {
    const r = e.getBoundingClientRect();
    if (!r.width || r.right <= W + 1) continue;
    let a = e.parentElement, clipped = false;
    while (a && a.tagName !== 'ARTICLE') {
      if (getComputedStyle(a).overflowX !== 'visible') { clipped = a.getBoundingClientRect().right <= W + 1; break; }
      a = a.parentElement;
    }
    if (!clipped) out.push(`${e.tagName.toLowerCase()}.${e.className} (right edge ${Math.round(r.right)} px)`);
  }
  return {scroll: document.scrollingElement.scrollWidth, wide: out.slice(0, 5)};
}
"""


def test_report_columns_fit_at_desktop_width(
    browser, built_book, served_book, built_claims
):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{served_book}/book/report.html", wait_until="load")
    info = page.evaluate("""() => {
        const t = document.querySelector('table.migbook-report'), box = t.parentElement.getBoundingClientRect();
        const heads = [...t.tHead.rows[0].cells].map(c => [c.textContent.trim(), c.getBoundingClientRect().right]);
        return {table: t.getBoundingClientRect().right, box: box.right, heads,
                scroll: document.scrollingElement.scrollWidth, view: document.documentElement.clientWidth};
    }""")
    names = [h for h, _ in info["heads"]]
    assert names == [
        "Claim",
        "What it measures",
        "Cited",
        "Recom\u00adputed",
        "Implied by the papers",
        "Status",
    ], names
    assert info["scroll"] <= info["view"], info
    assert info["table"] <= info["box"] + 1, (
        f"the report table ({info['table']}) overflows its column ({info['box']})"
    )
    assert all(right <= info["box"] + 1 for _, right in info["heads"]), (
        info["heads"]
    )
    # the header stays on screen while the reader scrolls through the claims
    page.evaluate(
        "document.querySelectorAll('tbody.migbook-claim')[40].scrollIntoView()"
    )
    top = page.evaluate(
        "document.querySelector('table.migbook-report thead th').getBoundingClientRect().top"
    )
    assert 0 <= top < 120, f"the report's header scrolled away (top {top})"
    # at phone width every claim is a card as wide as the screen at most
    page.set_viewport_size({"width": 390, "height": 844})
    cards = page.evaluate("""() => [...document.querySelectorAll('tbody.migbook-claim')].map(
        b => [getComputedStyle(b).display, b.getBoundingClientRect().right])""")
    assert len(cards) == len(built_claims)
    assert all(d == "block" and right <= 390 for d, right in cards), cards[
        :3
    ]
    page.close()


def test_anchor_highlights_its_claim(browser, served_book, built_claims):
    cid = built_claims[len(built_claims) // 2]["id"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{served_book}/book/report.html#{cid}", wait_until="load")
    outline = page.evaluate(
        f"getComputedStyle(document.getElementById({cid!r})).outlineStyle"
    )
    other = page.evaluate(
        "getComputedStyle(document.querySelector('tbody.migbook-claim')).outlineStyle"
    )
    assert outline == "solid" and other == "none", (outline, other)
    # in its chapter too (the badge's anchor, claim-<id>)
    row = built_claims[len(built_claims) // 2]
    page.goto(
        f"{served_book}/{row['chapter']}.html#claim-{cid}",
        wait_until="load",
    )
    outline = page.evaluate(
        f"getComputedStyle(document.getElementById('claim-{cid}')).outlineStyle"
    )
    assert outline == "solid", (
        f"{row['chapter']}: claim-{cid} not highlighted"
    )
    page.close()


def _search(browser, served_book, query):
    page = browser.new_page()
    page.goto(f"{served_book}/search.html?q={query}", wait_until="load")
    page.wait_for_selector("#search-results ul.search li a", timeout=15000)
    hrefs = page.eval_on_selector_all(
        "#search-results ul.search li a", "els => els.map(a => a.href)"
    )
    page.close()
    return hrefs


def test_search_leads_to_the_claims_row(browser, served_book, built_claims):
    """A claim id, or a printed figure with or without separators, finds the claim's row first."""
    cid = built_claims[len(built_claims) // 3]["id"]
    assert _search(browser, served_book, cid)[0].endswith(
        f"/book/report.html#{cid}"
    )
    row = next(
        r for r in built_claims if "," in r["cited"] and r["cited_value"]
    )
    figure = next(
        w
        for w in row["cited"].replace("“", " ").split()
        if "," in w and w[0].isdigit()
    ).strip(",.")
    for query in (figure, figure.replace(",", "")):
        hrefs = _search(browser, served_book, query)
        assert any(
            h.endswith(f"/book/report.html#{r['id']}")
            for h in hrefs[:3]
            for r in built_claims
            if figure in r["cited"]
        ), (query, hrefs[:3])


def test_every_report_row_offers_a_citation(
    browser, built_book, served_book, built_claims
):
    import yaml
    from bs4 import BeautifulSoup

    root = Path(__file__).resolve().parents[1]
    base = yaml.safe_load(
        (root / "_config.yml").read_text(encoding="utf-8")
    )["html"].get("baseurl")
    soup = BeautifulSoup(
        (built_book / "book" / "report.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    for r in built_claims:
        body = soup.find("tbody", id=r["id"])
        assert body is not None, r["id"]
        text = body.select_one(".migbook-cite-text").get_text()
        bib = body.select_one(".migbook-bibtex").get_text()
        assert r["url"] in text and f"url     = {{{r['url']}}}" in bib, r[
            "id"
        ]
        assert r["url"].startswith("https://") and r["url"].endswith(
            f"#{r['id']}"
        ), r["url"]
        if base:
            assert r["url"].startswith(base)
    page = browser.new_page()
    page.goto(
        f"{served_book}/book/report.html#{built_claims[0]['id']}",
        wait_until="load",
    )
    page.click(
        f"tbody[id='{built_claims[0]['id']}'] details.migbook-cite summary"
    )
    assert page.is_visible(
        f"tbody[id='{built_claims[0]['id']}'] .migbook-bibtex"
    )
    page.close()


# ---------------------------------------------------------------- accessibility (axe-core)
#: impacts that fail the test; axe's lower ones ("moderate", "minor") are reported too, and
#: none is expected either (see AXE_ALLOWED for the ones left, each with its reason)
AXE_FAILING = ("critical", "serious")
#: rules left on purpose, {rule id: reason}; empty: every rule runs and none may fire
AXE_ALLOWED: dict[str, str] = {}


#: elements sticking out of the page, and the page's own width; scroll boxes (tables, code, charts
#: in an overflow container) may be wider inside, the page may not
OVERFLOW = r"""
() => {
  const W = document.documentElement.clientWidth;
  const out = [];
  const scrolls = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
    return false; };
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (!r.width || getComputedStyle(el).visibility === 'hidden') continue;
    if ((r.right > W + 1 || r.left < -1) && !scrolls(el))
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')} ` +
               `[${Math.round(r.left)}, ${Math.round(r.right)}]`);
    if (out.length > 5) break;
  }
  return {scrollWidth: document.documentElement.scrollWidth, width: W, out};
}
"""


def inspect_problems(info: dict, rel: str, rows: set[str]) -> list[str]:
    """What :data:`INSPECT` found wrong on page ``rel``."""
    problems = []
    for c in info["charts"]:
        where = f"{rel}: chart {c['id']}"
        if c["state"] != "true" or c["marks"] == 0:
            problems.append(
                f"{where} not drawn (state={c['state']}, marks={c['marks']})"
            )
        if not c["aria"] or not c["desc"]:
            problems.append(
                f"{where} has no text description (aria-label={c['aria']!r})"
            )
        if c["offPalette"]:
            problems.append(
                f"{where} uses colours outside the Okabe-Ito palette: {', '.join(c['offPalette'])}"
            )
        if c["downloads"] != 4:
            problems.append(
                f"{where} offers {c['downloads']} downloads (PNG, SVG, CSV, Vega-Lite JSON expected)"
            )
    for g in info["glue"]:
        problems.append(
            f"{rel}: glued value shows {g['text']!r} in: {g['near']!r}"
        )
    for b in info["badges"]:
        where = f"{rel}: badge of {b['id'] or '?'}"
        if b["text"] not in STATUSES:
            problems.append(
                f"{where} reads {b['text']!r}, not a status word"
            )
        target, _, anchor = b["href"].partition("#")
        if not target.endswith("/book/report.html") or anchor not in rows:
            problems.append(
                f"{where} links to {b['href']}, not to a row of the report"
            )
        elif b["id"] and b["id"] != f"claim-{anchor}":
            problems.append(
                f"{where} links to the row of another claim ({anchor})"
            )
    for t in info["tables"]:
        if not t["th"] or t["noScope"]:
            problems.append(
                f"{rel}: table {t['label']!r} has {t['th']} header cells, {t['noScope']} without scope"
            )
    for cls in info["icons"]:
        problems.append(f"{rel}: icon {cls!r} is not drawn")
    return problems


def axe_problems(page, rel: str, width: int) -> list[str]:
    """axe-core's violations on the page as it is, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"resultTypes": ["violations"]}
    if width < 1280:
        # colours do not change with the width (the phone styles change layout only), and the
        # contrast rule is most of axe's time on a long page: it runs at 1280 px
        options["rules"] = {"color-contrast": {"enabled": False}}
    problems = []
    for v in Axe().run(page, options=options).response["violations"]:
        if v["id"] in AXE_ALLOWED:
            continue
        nodes = "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
        problems.append(
            f"{rel} at {width} px: {v['impact']} {v['id']} "
            f"({v['help']}) x{len(v['nodes'])}: {nodes}"
        )
    return problems


def toc_pages() -> list[str]:
    """The pages of the built book, known before it is built: the three Sphinx writes at the top
    and one per file of ``_toc.yml`` (``test_every_built_page_is_visited`` holds it to the
    build)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [
        c["file"] for part in toc["parts"] for c in part["chapters"]
    ]
    return ["genindex.html", "index.html", "search.html"] + sorted(
        f"{f}.html" for f in files
    )


def test_every_built_page_is_visited(built_book):
    assert toc_pages() == pages(built_book)


@pytest.mark.parametrize("rel", toc_pages())
@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_in_the_browser(
    browser, built_book, served_book, width, rel
):
    """Each built page, once at desktop and once at phone width (one test a page and width, so
    that the workers share them), charts drawn:

    - it loads with no console error and no failed request, and requests nothing outside the
      local server;
    - every chart is drawn, in the palette, with a text description and its four downloads;
      every glued value shows; every badge reads a status and links to its own row of the
      report; every table has header cells with a scope; every icon is drawn;
    - the page is no wider than the screen, and nothing in its text sticks out (scroll boxes
      may be wider inside);
    - axe-core (WCAG 2.x A and AA rules and best practices) finds no violation of any impact
      (colour contrast at desktop width only).

    The forwarding page (index.html) is checked as it is, without going on."""
    height = 900 if width >= 1280 else 844
    page = browser.new_page(viewport={"width": width, "height": height})
    watch = Watch(page, served_book)
    text = (built_book / rel).read_text(encoding="utf-8")
    forwards = 'http-equiv="Refresh"' in text[:500]
    if forwards:
        page.route(
            f"{served_book}/{rel}",
            lambda route: route.fulfill(
                status=200,
                content_type="text/html",
                body=re.sub(r'<meta http-equiv="Refresh"[^>]*>', "", text),
            ),
        )
    page.goto(f"{served_book}/{rel}", wait_until="load")
    draw_any(page)  # a chart that does not draw is reported below
    page.wait_for_load_state("networkidle")
    problems = inspect_problems(
        page.evaluate(INSPECT, PALETTE), rel, report_rows(built_book)
    )
    if not forwards:
        wide = page.evaluate(OVERFLOW)
        if wide["scrollWidth"] > wide["width"] + 1:
            problems.append(
                f"{rel} at {width} px: the page is {wide['scrollWidth']} px wide; "
                f"sticking out: {'; '.join(wide['out']) or '?'}"
            )
        text_wide = page.evaluate(WIDE_ELEMENTS)
        if text_wide["scroll"] > width or text_wide["wide"]:
            problems.append(
                f"{rel}: {text_wide['scroll']} px wide at {width} px; {text_wide['wide']}"
            )
    problems += watch.problems(rel)
    access = axe_problems(page, rel, width)
    page.close()
    failing = [
        p for p in access if p.split(": ", 1)[1].startswith(AXE_FAILING)
    ]
    assert not failing, "\n".join(failing)
    assert not problems + access, "\n".join(problems + access)


def test_axe_finds_a_violation(browser, served_book):
    """The check can fail: a page with an unlabelled image and low-contrast text."""
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()
    page.goto(f"{served_book}/book/intro.html", wait_until="load")
    page.evaluate("""() => {
        const a = document.querySelector('article');
        a.insertAdjacentHTML('afterbegin',
          '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">' +
          '<p style="color:#ccc;background:#fff">faint text</p>');
    }""")
    ids = {
        v["id"]
        for v in Axe().run(page).response["violations"]
        if v["impact"] in AXE_FAILING
    }
    page.close()
    assert {"image-alt", "color-contrast"} <= ids, ids


# ---------------------------------------------------------------- "Back to top" on a phone
BACK_TO_TOP = r"""
() => {
  const b = document.getElementById('pst-back-to-top');
  if (!b) return {exists: false};
  const r = b.getBoundingClientRect(), H = window.innerHeight;
  const shown = getComputedStyle(b).display !== 'none' && r.width > 0 && r.height > 0;
  const hits = [];
  if (shown) {
    for (const e of document.querySelectorAll(
        'article p, article li, article table, article pre, article figure, .migbook-chart')) {
      const o = e.getBoundingClientRect();
      if (!o.width || !o.height || o.bottom < 0 || o.top > H) continue;
      if (o.left < r.right && r.left < o.right && o.top < r.bottom && r.top < o.bottom)
        hits.push(`${e.tagName.toLowerCase()}.${e.className}`.slice(0, 60));
    }
  }
  return {exists: true, shown, box: [r.left, r.top, r.width, r.height], hits: hits.slice(0, 5)};
}
"""


def _back_to_top_after_scrolling(browser, served_book, rel, width):
    page = browser.new_page(viewport={"width": width, "height": 844})
    page.goto(f"{served_book}/{rel}", wait_until="load")
    # the theme shows the button while the reader scrolls back up, past the header
    for y in (2500, 2300, 2100):
        page.mouse.wheel(0, 0)
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(150)
    info = page.evaluate(BACK_TO_TOP)
    page.close()
    return info


def test_back_to_top_covers_nothing_on_a_phone(
    browser, built_book, served_book
):
    rels = chart_pages(built_book) or ["book/report.html"]
    # at a tablet's width (the theme hides the button from 1200 px, where the page's own
    # contents list is shown) the same scrolling shows it: the phone check is not vacuous
    wide = _back_to_top_after_scrolling(browser, served_book, rels[0], 1000)
    assert wide["exists"] and wide["shown"], wide
    for rel in [*rels, "book/report.html"]:
        info = _back_to_top_after_scrolling(browser, served_book, rel, 390)
        assert info["exists"], rel
        assert not info["shown"] or not info["hits"], (
            f"{rel}: at 390 px the 'Back to top' button {info['box']} covers {info['hits']}"
        )
