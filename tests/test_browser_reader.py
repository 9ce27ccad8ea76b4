"""A new reader's paths in headless Chromium, at the width where each problem was found.

- the front page leads with what the checks found: on a phone (390×844) the title takes a few
  lines and the headline counts start on the first screen; its ledger and citation links resolve;
- chapter 2 leads with its findings, its badge notes are folded until asked for, and "Hide code"
  hides every code cell and every folded cell's toggle (1280×800);
- the report's text filter matches what a row shows, not the hidden citation text, and counts
  "1 claim" (1280×800);
- numbers read in a reader's order: money as US$13.8 billion, gaps between percentages in points,
  a share beside a head-count named as a share (1280×800);
- a row's citation gives the release's version and date and the original paper (1280×800).

(Served and launched as in tests/test_browser.py: fixtures in tests/conftest.py.)
"""

import re
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.build, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def open_page(browser, served_book, rel, viewport, hide_code=False):
    page = browser.new_page(viewport=viewport)
    page.goto(f"{served_book}/{rel}", wait_until="load")
    page.evaluate(
        "(on) => { try { localStorage.setItem('migbook-hide-code', on ? '1' : '0'); }"
        " catch (e) {} }",
        hide_code,
    )
    page.reload(wait_until="load")
    return page


def box(page, selector):
    return page.locator(selector).first.bounding_box()


# ---------------------------------------------------------------- the front page
def test_front_page_on_a_phone_shows_findings_first(browser, served_book):
    page = open_page(browser, served_book, "book/intro.html", PHONE)
    title = box(page, "article h1")
    assert title["y"] + title["height"] < PHONE["height"] / 3, title
    counts = box(page, ".migbook-counts .migbook-headline")
    assert counts["y"] < PHONE["height"], counts
    text = page.locator(".migbook-counts .migbook-headline").inner_text()
    assert re.match(
        r"\d+ claims, \d+ of them counted: \d+ reproduced", text
    )
    assert "By what the check rests on:" in text
    # the findings come before the account of what the book is
    order = page.evaluate(
        """() => [...document.querySelectorAll('article h2')].map(h => h.textContent)"""
    )
    assert [h.rstrip("#").strip() for h in order][:3] == [
        "What the checks found",
        "Where to start",
        "What the book is",
    ]
    # every finding's figures are glued from the chapters, and show
    pasted = page.locator(
        "article section#what-the-checks-found .pasted-text"
    )
    assert pasted.count() >= 7
    for t in pasted.all_inner_texts():
        assert re.fullmatch(r"[\d,.]+", t.strip()), t
    page.close()


def test_front_page_links_to_ledger_and_citation(browser, served_book):
    page = open_page(browser, served_book, "book/intro.html", DESKTOP)
    for name in ("claims.csv", "claims.json", "CITATION.cff"):
        link = page.locator(f'article a[href$="{name}"]').first
        href = link.evaluate("a => a.href")
        resp = page.request.get(href)
        assert resp.status == 200, (name, href)
    cff = page.request.get(f"{served_book}/CITATION.cff").text()
    assert (
        yaml.safe_load(cff)["version"]
        == yaml.safe_load(
            (ROOT / "CITATION.cff").read_text(encoding="utf-8")
        )["version"]
    )
    page.close()


# ---------------------------------------------------------------- chapter 2
def test_chapter_two_reads_findings_first_with_folded_notes(
    browser, served_book
):
    page = open_page(
        browser, served_book, "book/ch2_escalation.html", DESKTOP
    )
    findings = box(page, "section#what-the-checks-show")
    assert findings["y"] < 2 * DESKTOP["height"], findings
    # badge notes are folded under their line until the reader opens one
    details = page.locator("details.claim-details")
    assert details.count() > 20
    notes = page.locator("details.claim-details .claim-note")
    assert notes.count() and not any(
        notes.nth(i).is_visible() for i in range(min(notes.count(), 20))
    )
    first = details.first
    first.locator("summary").click()
    assert (
        first.evaluate("d => d.open")
        and first.locator(".claim-note").is_visible()
    )
    # the badge's link still leads to the report, not to the fold
    href = (
        first.locator("xpath=..")
        .locator("a.claim-badge")
        .get_attribute("href")
    )
    assert re.search(r"report\.html#[\w-]+$", href)
    page.close()


def test_hide_code_hides_everything_it_names(browser, served_book):
    page = open_page(
        browser, served_book, "book/ch2_escalation.html", DESKTOP
    )
    shown = page.evaluate("document.scrollingElement.scrollHeight")
    toggles = page.locator("details.above-input > summary")
    assert toggles.count() > 10 and toggles.first.is_visible()
    page.click("#migbook-code-toggle")
    assert (
        page.locator("#migbook-code-toggle").get_attribute("aria-pressed")
        == "true"
    )
    visible = page.evaluate(
        """() => [...document.querySelectorAll('.cell_input, details.above-input')]
                 .filter(e => e.getClientRects().length && e.getBoundingClientRect().height > 0)
                 .length"""
    )
    assert visible == 0
    # the outputs stay: badges and charts
    assert page.locator(".claim-check").first.is_visible()
    hidden = page.evaluate("document.scrollingElement.scrollHeight")
    assert hidden < 0.8 * shown, (shown, hidden)
    page.close()


def test_chapter_two_is_shorter_and_less_code(browser, served_book):
    """Chapter 2 at 1280×800: under 55 screens (60 before its bookkeeping folded), the code
    shown under a third of its height, the badges under a sixth."""
    page = open_page(
        browser, served_book, "book/ch2_escalation.html", DESKTOP
    )
    m = page.evaluate(
        """() => {
          const art = document.querySelector('article');
          const shown = e => !e.closest('details:not([open])');
          const h = sel => [...art.querySelectorAll(sel)].filter(shown)
              .reduce((s, e) => s + e.getBoundingClientRect().height, 0);
          return {page: document.scrollingElement.scrollHeight,
                  article: art.getBoundingClientRect().height,
                  code: h('.cell_input'), badges: h('.claim-check')};
        }"""
    )
    assert m["page"] / DESKTOP["height"] < 55, m
    assert m["code"] / m["article"] < 1 / 3, m
    assert m["badges"] / m["article"] < 1 / 6, m
    page.close()


# ---------------------------------------------------------------- the report
def test_report_filter_reads_what_the_row_shows(
    browser, served_book, built_claims
):
    page = open_page(browser, served_book, "book/report.html", DESKTOP)
    total = len(built_claims)
    count = page.locator(".migbook-filter-count")
    assert count.inner_text() == f"{total} claims of {total}"
    page.fill(".migbook-filter-text", "remittances")
    rows = page.locator("tbody.migbook-claim:not([hidden])")
    n = rows.count()
    assert 0 < n < total
    assert count.inner_text() == f"{n} claims of {total}"
    for i in range(n):
        shown = rows.nth(i).evaluate(
            """tb => [...tb.querySelectorAll('.migbook-claim-main, .migbook-claim-detail > td > p')]
                     .map(e => e.textContent).join(' ').toLowerCase()"""
        )
        assert "remittances" in shown
    # the book's title, in every row's hidden citation text, matches no row
    page.fill(".migbook-filter-text", "executable reproduction")
    assert count.inner_text() == f"0 claims of {total}"
    one = built_claims[0]["id"]
    page.fill(".migbook-filter-text", one)
    assert count.inner_text() == f"1 claim of {total}"
    page.close()


def test_report_citation_names_release_and_paper(
    browser, served_book, built_claims
):
    cff = yaml.safe_load(
        (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    )
    page = open_page(browser, served_book, "book/report.html", DESKTOP)
    row = built_claims[0]
    body = page.locator(f'tbody[id="{row["id"]}"]')
    body.locator("details.migbook-cite summary").click()
    text = body.locator(".migbook-cite-text").inner_text()
    assert f"version {cff['version']} of {cff['date-released']}" in text
    assert "Cite the original paper as well: Delgado" in text
    page.close()


# ---------------------------------------------------------------- numbers
def test_numbers_read_in_a_readers_order(browser, served_book):
    page = open_page(
        browser, served_book, "book/ch1_export_model.html", DESKTOP
    )
    # the papers' own words, quoted as printed (“US$ 158 billion”), are left as they are
    text = re.sub(r"“[^”]*”", "", page.locator("article").inner_text())
    assert "US$13.8 billion" in text
    assert not re.search(r"US\$ \d", text), re.search(
        r".{30}US\$ \d.{30}", text
    )[0]
    assert not re.search(r"\d US\$", text)
    page.close()
    page = open_page(
        browser, served_book, "book/ch3_dialectic.html", DESKTOP
    )
    badge = page.locator("#claim-p2001-t4-mexico-main-source")
    badge.locator("summary").click()
    note = badge.inner_text()
    assert re.search(r"lies [\d.]+ points below", note), note
    page.close()
    page = open_page(
        browser, served_book, "book/ch2_escalation.html", DESKTOP
    )
    text = page.locator("article").inner_text()
    # a share is never a bare fraction with its percentage beside it
    assert not re.search(r"\b0\.\d+ \(\d+(\.\d+)?%\)", text)
    page.close()
