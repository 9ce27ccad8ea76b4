"""A reader's paths on a phone (390 x 844) and a desktop (1280 x 800), in headless Chromium.

Each test works at the width where the problem showed: the sidebar and contents buttons open
their panels when tapped, and the sidebar button folds the sidebar away on a desktop; charts fit
a phone's text column (width from their box, legend below the plot, labels at their own size)
and keep their own layout on a desktop; wide tables scroll in their own box with a cue, their
caption whole and their first column in view, or become cards; no empty column is shown; the
header buttons show a focus ring for the keyboard and a badge is one Tab stop; the search box's
text clears its magnifier; no page asks for a missing favicon; the download menu's ".pdf" is
the book's PDF or nothing, never the print dialog. The book is built and served as for
``tests/test_browser.py`` (fixtures in ``tests/conftest.py``).
"""

from __future__ import annotations

import json
import urllib.request

import pytest

pytestmark = [pytest.mark.build, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
CHAPTER = "book/ch2_escalation.html"


def _page(browser, served_book, rel, viewport, touch=False):
    ctx = browser.new_context(
        viewport=viewport, has_touch=touch, is_mobile=touch
    )
    page = ctx.new_page()
    page.goto(f"{served_book}/{rel}", wait_until="load")
    return ctx, page


def _visible(page, selector):
    """The elements matching ``selector`` that take space on the screen."""
    return page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].filter(e => {
            const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
            return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden';
        }).length""",
        selector,
    )


# ---------------------------------------------------------------- the sidebar and contents buttons
def test_one_toggle_of_each_kind_per_page(built_book):
    """The theme's script binds the first ``.primary-toggle``/``.secondary-toggle`` of a page:
    there must be no hidden copy before the visible button."""
    problems = []
    for html in sorted(built_book.glob("book/*.html")):
        text = html.read_text(encoding="utf-8")
        for cls in ("primary-toggle", "secondary-toggle"):
            n = text.count(f"sidebar-toggle {cls}")
            # a page without sections (the references) has no contents button
            if n != 1 and not (n == 0 and cls == "secondary-toggle"):
                problems.append(f"{html.name}: {n} buttons of class {cls}")
    assert not problems, "\n".join(problems)


def test_phone_menu_and_contents_open_when_tapped(browser, served_book):
    ctx, page = _page(browser, served_book, CHAPTER, PHONE, touch=True)
    assert not page.evaluate(
        "document.getElementById('pst-primary-sidebar-modal').open"
    )
    menu = page.locator(".bd-header-article .primary-toggle")
    assert menu.is_visible()
    menu.tap()
    page.wait_for_function(
        "document.getElementById('pst-primary-sidebar-modal').open"
    )
    # the book's pages are listed in the panel, and can be followed
    link = page.locator(
        "#pst-primary-sidebar-modal a.reference",
        has_text="Reproducibility report",
    )
    assert link.is_visible(), "the menu opened without the book's pages"
    page.keyboard.press("Escape")
    page.wait_for_function(
        "!document.getElementById('pst-primary-sidebar-modal').open"
    )
    contents = page.locator(".bd-header-article .secondary-toggle")
    assert contents.is_visible()
    contents.tap()
    page.wait_for_function(
        "document.getElementById('pst-secondary-sidebar-modal').open"
    )
    toc = page.locator(
        "#pst-secondary-sidebar-modal nav.page-toc a:visible"
    )
    assert toc.count() > 3, (
        "the contents panel opened without this page's sections"
    )
    # a section's link takes the reader there
    target = toc.nth(2).get_attribute("href")
    toc.nth(2).tap()
    page.wait_for_timeout(300)
    assert page.url.endswith(target)
    # no button tooltip left over the header once the panel is closed
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert _visible(page, ".tooltip") == 0
    ctx.close()


def test_desktop_menu_button_folds_the_sidebar(browser, served_book):
    ctx, page = _page(browser, served_book, CHAPTER, DESKTOP)
    # no bar above the page: the header's buttons are those of the article header
    assert (
        page.evaluate(
            "document.getElementById('pst-header').getBoundingClientRect().height"
        )
        == 0
    )
    sidebar = page.locator("#pst-primary-sidebar")
    start = page.evaluate(
        "document.querySelector('article').getBoundingClientRect().left"
    )
    assert sidebar.is_visible()
    page.locator(".bd-header-article .primary-toggle").click()
    page.wait_for_timeout(600)  # the theme's transition
    assert not sidebar.is_visible(), "the sidebar did not fold away"
    moved = page.evaluate(
        "document.querySelector('article').getBoundingClientRect().left"
    )
    assert moved < start - 100, (start, moved)
    assert not page.evaluate(
        "document.getElementById('pst-primary-sidebar-modal').open"
    )
    page.locator(".bd-header-article .primary-toggle").click()
    page.wait_for_timeout(600)
    assert sidebar.is_visible(), "the sidebar did not come back"
    ctx.close()


# ---------------------------------------------------------------- charts on a phone
CHART_FIT = r"""
() => [...document.querySelectorAll('.migbook-chart')].map(el => {
  const view = el.querySelector('.migbook-chart-view'), svg = view.querySelector('svg');
  if (!svg) return {id: el.id, drawn: false};
  const box = view.getBoundingClientRect(), r = svg.getBoundingClientRect();
  const scale = r.width / (+svg.getAttribute('width') || r.width);
  const sizes = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
      .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  const inside = (e, sel) => e.closest(sel) !== null;
  const marks = [...svg.querySelectorAll('g[class*="role-mark"]')]
      .filter(g => !inside(g, '.role-legend') && !inside(g, '.role-axis') && !inside(g, '.role-title'))
      .map(g => g.getBoundingClientRect()).filter(b => b.height > 0);
  const legends = [...svg.querySelectorAll('.role-legend')].map(g => g.getBoundingClientRect())
      .filter(b => b.height > 0);
  return {id: el.id, drawn: true, variant: el.dataset.variant || '', own: +el.dataset.width,
          box: [Math.round(box.left), Math.round(box.right)], svg: [Math.round(r.left), Math.round(r.right)],
          scrolls: view.scrollWidth > view.clientWidth + 1, smallest: Math.min(...sizes),
          marksTop: Math.min(...marks.map(b => b.top)), marksBottom: Math.max(...marks.map(b => b.bottom)),
          legends: legends.map(b => [Math.round(b.left), Math.round(b.top)])};
})
"""


def _chart_pages(built_book):
    return [
        str(p.relative_to(built_book))
        for p in sorted(built_book.glob("book/*.html"))
        if 'class="migbook-chart"' in p.read_text(encoding="utf-8")
    ]


def _draw(page):
    from tests.test_browser import draw_all

    draw_all(page)


def test_charts_fit_a_phone(browser, built_book, served_book):
    rels = _chart_pages(built_book)
    assert rels, "no chart in the book"
    problems, narrow = [], 0
    for rel in rels:
        ctx, page = _page(browser, served_book, rel, PHONE)
        _draw(page)
        for c in page.evaluate(CHART_FIT):
            where = f"{rel}: chart {c['id']}"
            if not c["drawn"]:
                problems.append(f"{where} not drawn")
                continue
            narrow += c["variant"] == "narrow"
            if (
                c["own"] > c["box"][1] - c["box"][0]
                and c["variant"] != "narrow"
            ):
                problems.append(
                    f"{where}: {c['own']} px wide in a {c['box']} box, narrow spec not drawn"
                )
            if (
                c["svg"][1] > c["box"][1] + 1
                or c["svg"][0] < c["box"][0] - 1
            ):
                problems.append(
                    f"{where}: drawn at {c['svg']}, outside its box {c['box']}"
                )
            if c["scrolls"]:
                problems.append(f"{where} scrolls sideways in its box")
            # axis labels are 12 px and the source line 11 px in the chart's own size; a chart
            # drawn a few per cent smaller than its narrow spec keeps them at 10 px or more
            if c["smallest"] < 10:
                problems.append(
                    f"{where}: text drawn at {c['smallest']:.1f} px"
                )
            for left, top in c["legends"]:
                if top < c["marksBottom"] - 1:
                    problems.append(
                        f"{where}: legend at ({left}, {top}) beside the plot "
                        f"(marks end at {c['marksBottom']:.0f}), not below it"
                    )
        ctx.close()
    assert narrow, "no chart drew its narrow spec on a phone"
    assert not problems, "\n".join(problems)


def test_charts_keep_their_layout_on_a_desktop_and_follow_a_turn(
    browser, built_book, served_book
):
    rel = "book/ch2_escalation.html"
    ctx, page = _page(browser, served_book, rel, DESKTOP)
    _draw(page)
    charts = page.evaluate(CHART_FIT)
    assert charts and all(c["variant"] == "wide" for c in charts), charts
    # the designed layout: as wide as the chart's images (a legend, if any, to the right)
    for c in charts:
        shown = c["svg"][1] - c["svg"][0]
        assert abs(shown - min(c["own"], c["box"][1] - c["box"][0])) <= 2, c
    # a window made narrow draws the narrow spec, made wide again the chart's own
    page.set_viewport_size(PHONE)
    page.wait_for_function(
        "[...document.querySelectorAll('.migbook-chart')].every(e => e.dataset.variant === 'narrow' && e.dataset.rendered === 'true')",
        timeout=10000,
    )
    page.set_viewport_size(DESKTOP)
    page.wait_for_function(
        "[...document.querySelectorAll('.migbook-chart')].every(e => e.dataset.variant === 'wide' && e.dataset.rendered === 'true')",
        timeout=10000,
    )
    ctx.close()
    # the static images are made from the chart's own spec, at its own numeric width
    for spec in (built_book / "_charts").glob("*.vl.json"):
        text = spec.read_text(encoding="utf-8")
        assert '"container"' not in text, spec.name
        assert (
            (spec.with_name(spec.name.replace(".vl.json", ".png")))
            .stat()
            .st_size
        )
    assert all(
        isinstance(
            json.loads(p.read_text(encoding="utf-8")).get("width", 0),
            (int, float),
        )
        for p in (built_book / "_charts").glob("*.vl.json")
    )


# ---------------------------------------------------------------- wide tables on a phone
TABLES = r"""
() => {
  const W = document.documentElement.clientWidth, out = [];
  document.querySelectorAll('article table').forEach((t, i) => {
    if (t.closest('.migbook-report') || !t.getClientRects().length) return;
    const label = t.id || (t.caption ? t.caption.textContent.trim().slice(0, 40) : 'table ' + (i + 1));
    const r = t.getBoundingClientRect(), cap = t.caption;
    const capBox = cap ? cap.getBoundingClientRect() : null;
    const cue = t.previousElementSibling && t.previousElementSibling.classList.contains('migbook-scroll-cue')
        ? t.previousElementSibling : null;
    const cards = t.classList.contains('migbook-cards');
    // a body column with no text whose cells still take space
    const body = [...t.tBodies].flatMap(b => [...b.rows]);
    const empty = [];
    if (body.length > 1 && !t.querySelector('[colspan]:not([colspan="1"]), [rowspan]:not([rowspan="1"])')) {
      const n = body[0].cells.length;
      for (let j = 1; j < n; j++) {
        const cells = body.map(row => row.cells[j]).filter(Boolean);
        if (cells.every(c => !c.textContent.trim()) && cells.some(c => c.getClientRects().length && c.getBoundingClientRect().width > 0))
          empty.push(j);
      }
    }
    out.push({label, cards, right: Math.round(r.right), scrolls: t.scrollWidth > t.clientWidth + 1,
              overflowing: !cards && t.scrollWidth > Math.min(t.clientWidth, W) + 1,
              tabindex: t.getAttribute('tabindex'),
              cue: cue && cue.getClientRects().length ? cue.textContent : '',
              caption: capBox ? {left: Math.round(capBox.left), right: Math.round(capBox.right),
                                  cut: cap.scrollWidth > cap.clientWidth + 1} : null,
              empty});
  });
  return {W, tables: out};
}
"""

TABLE_PAGES = [
    "book/ch1_export_model.html",
    "book/ch2_escalation.html",
    "book/ch3_dialectic.html",
    "book/ch4_agenda.html",
    "book/ch5_collective.html",
    "book/errata.html",
    "book/reconciliation.html",
    "book/policy.html",
]


def test_wide_tables_on_a_phone_are_never_cut_without_a_cue(
    browser, served_book
):
    problems, scrolling, cards = [], 0, 0
    for rel in TABLE_PAGES:
        ctx, page = _page(browser, served_book, rel, PHONE)
        page.wait_for_timeout(100)
        info = page.evaluate(TABLES)
        W = info["W"]
        for t in info["tables"]:
            where = f"{rel}: table {t['label']!r}"
            cards += t["cards"]
            if t["right"] > W + 1:
                problems.append(
                    f"{where} sticks out of the screen ({t['right']} px)"
                )
            if t["overflowing"]:
                scrolling += 1
                if not t["scrolls"]:
                    problems.append(
                        f"{where} is wider than the screen and cut"
                    )
                if "sideways" not in t["cue"]:
                    problems.append(f"{where} scrolls with no visible cue")
                if t["tabindex"] != "0":
                    problems.append(
                        f"{where} scrolls but takes no keyboard focus"
                    )
            cap = t["caption"]
            if cap and (
                cap["cut"] or cap["right"] > W + 1 or cap["left"] < 0
            ):
                problems.append(f"{where}: caption cut ({cap})")
            if t["empty"]:
                problems.append(
                    f"{where}: empty columns shown: {t['empty']}"
                )
        ctx.close()
    assert scrolling and cards, (scrolling, cards)
    assert not problems, "\n".join(problems)


def test_table3_remittances_reachable_with_year_in_view(
    browser, served_book
):
    """p2001 Table 3 on a phone: scrolled to its end, the Remittances column is on the screen
    while the Year column stays; the caption reads whole at every scroll position."""
    ctx, page = _page(browser, served_book, CHAPTER, PHONE)
    table = page.locator("#table-p2001_table3")
    table.scroll_into_view_if_needed()
    cue = page.locator("#table-p2001_table3 + *, .migbook-scroll-cue").first
    assert (
        "8 columns"
        in page.evaluate(
            "document.getElementById('table-p2001_table3').previousElementSibling.textContent"
        )
        or "columns" in cue.text_content()
    )
    page.evaluate(
        "const t = document.getElementById('table-p2001_table3'); t.scrollLeft = t.scrollWidth"
    )
    page.wait_for_timeout(100)
    boxes = page.evaluate("""() => {
        const t = document.getElementById('table-p2001_table3');
        const heads = [...t.tHead.rows[0].cells];
        const find = (name) => heads.find(h => h.textContent.trim() === name).getBoundingClientRect();
        const cap = t.caption.getBoundingClientRect();
        return {remit: [find('Remittances').left, find('Remittances').right],
                year: [find('Year').left, find('Year').right],
                firstYear: t.tBodies[0].rows[0].cells[0].getBoundingClientRect().left,
                caption: [cap.left, cap.right], W: document.documentElement.clientWidth};
    }""")
    W = boxes["W"]
    assert boxes["remit"][0] >= 0 and boxes["remit"][1] <= W, boxes
    assert 0 <= boxes["year"][0] < 40 and boxes["firstYear"] >= 0, boxes
    assert boxes["caption"][0] >= 0 and boxes["caption"][1] <= W, boxes
    ctx.close()


def test_claim_lists_are_cards_on_a_phone(browser, served_book):
    ctx, page = _page(
        browser, served_book, "book/reconciliation.html", PHONE
    )
    cards = page.evaluate("""() => [...document.querySelectorAll('table.migbook-claims tbody tr')].map(r => ({
        display: getComputedStyle(r).display, right: r.getBoundingClientRect().right,
        labels: [...r.querySelectorAll('td')].filter(c => c.getClientRects().length)
                  .map(c => getComputedStyle(c, '::before').content)}))""")
    assert cards
    assert all(
        c["display"] == "block" and c["right"] <= 390 for c in cards
    ), cards[:2]
    assert all(
        c["labels"]
        and all(
            lab.startswith('"') and lab.endswith(': "')
            for lab in c["labels"]
        )
        for c in cards
    ), cards[0]
    ctx.close()


# ---------------------------------------------------------------- keyboard
def test_header_buttons_show_a_focus_ring(browser, served_book):
    ctx, page = _page(browser, served_book, CHAPTER, DESKTOP)
    wanted = {
        "menu": ".bd-header-article .primary-toggle",
        "hide code": "#migbook-code-toggle",
        "repository": ".bd-header-article .btn-source-repository-button",
        "download": ".bd-header-article .dropdown-download-buttons > button",
    }
    seen = {}
    for _ in range(60):
        page.keyboard.press("Tab")
        for name, sel in wanted.items():
            if name in seen or not page.evaluate(
                "(s) => document.activeElement === document.querySelector(s)",
                sel,
            ):
                continue
            seen[name] = page.evaluate("""() => {
                const cs = getComputedStyle(document.activeElement);
                return [cs.outlineStyle, parseFloat(cs.outlineWidth), cs.outlineColor];
            }""")
        if len(seen) == len(wanted):
            break
    assert set(seen) == set(wanted), (
        f"never reached by Tab: {set(wanted) - set(seen)}"
    )
    for name, (style, width, colour) in seen.items():
        assert style != "none" and width >= 2, (
            f"{name}: no focus ring ({style} {width} {colour})"
        )
    # a click gives no ring (focus-visible only)
    page.mouse.click(5, 400)
    page.locator("#migbook-code-toggle").click()
    assert (
        page.evaluate(
            "getComputedStyle(document.getElementById('migbook-code-toggle')).outlineStyle"
        )
        == "none"
    )
    ctx.close()


TAB_STOPS = r"""
() => {
  const focusable = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
    .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
    .filter(e => e.matches('summary') || !e.closest('details:not([open])'));  // a closed fold's content is not reached
  const inBadges = focusable.filter(e => e.closest('.claim-check'));
  return {all: focusable.length, badges: document.querySelectorAll('.claim-check a.claim-badge').length,
          badgeStops: inBadges.length, ruleStops: inBadges.filter(e => e.matches('a.claim-rule')).length,
          rules: document.querySelectorAll('.claim-check a.claim-rule').length,
          chartViews: focusable.filter(e => e.matches('.migbook-chart-view')).length};
}
"""


def test_a_badge_is_one_tab_stop(browser, served_book):
    ctx, page = _page(browser, served_book, CHAPTER, DESKTOP)
    stops = page.evaluate(TAB_STOPS)
    assert stops["rules"] > 50, (
        stops
    )  # the chapter's badges carry their rule links
    assert stops["ruleStops"] == 0, stops
    # each badge one stop: its link to the report, or the toggle of its folded note (the
    # report link and the row it is counted under are inside the fold, reached once open)
    assert stops["badgeStops"] == stops["badges"], stops
    folds = page.locator(".claim-check details.claim-details")
    assert folds.count() > 50
    first = folds.first
    first.locator("summary").click()
    report = first.locator("a.claim-report-link")
    assert report.get_attribute("href") == first.locator(
        "xpath=.."
    ).locator("a.claim-badge").get_attribute("href")
    assert page.evaluate(TAB_STOPS)["badgeStops"] > stops["badges"]
    assert stops["chartViews"] == 0, (
        stops
    )  # charts fit: nothing to scroll by keyboard
    # the rule is still a link for a pointer
    href = page.locator(".claim-check a.claim-rule").first.get_attribute(
        "href"
    )
    assert "policy.html#rule-" in href
    ctx.close()


# ---------------------------------------------------------------- smaller things
def test_search_text_clears_the_magnifier(browser, served_book):
    ctx, page = _page(browser, served_book, "book/intro.html", DESKTOP)
    page.keyboard.press("Control+k")
    page.wait_for_function(
        "document.activeElement && document.activeElement.name === 'q'"
    )
    page.keyboard.type("remittances")
    gap = page.evaluate("""() => {
        const i = document.activeElement, icon = i.closest('form').querySelector('.fa-magnifying-glass');
        const text = i.getBoundingClientRect().left + parseFloat(getComputedStyle(i).paddingLeft);
        return text - icon.getBoundingClientRect().right;
    }""")
    assert gap >= 4, (
        f"the search text starts {gap:.1f} px after the magnifier's edge"
    )
    ctx.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_no_console_error_and_a_favicon(browser, served_book, viewport):
    errors = []
    for rel in ("book/intro.html", CHAPTER, "book/report.html"):
        ctx = browser.new_context(viewport=viewport)
        page = ctx.new_page()
        page.on(
            "console",
            lambda m, rel=rel: (
                errors.append(f"{rel}: {m.text} {m.location.get('url')}")
                if m.type == "error"
                else None
            ),
        )
        page.goto(f"{served_book}/{rel}", wait_until="load")
        page.wait_for_timeout(400)
        icon = page.evaluate(
            "(document.querySelector('link[rel~=icon]') || {}).href || ''"
        )
        assert icon, f"{rel}: no favicon declared"
        with urllib.request.urlopen(icon) as resp:
            assert resp.status == 200 and resp.read(5).lstrip().startswith(
                b"<svg"
            )
        ctx.close()
    assert not errors, "\n".join(errors)


def test_download_menu_offers_no_print_dialog(browser, served_book):
    ctx, page = _page(browser, served_book, CHAPTER, DESKTOP)
    page.locator(".dropdown-download-buttons > button").click()
    items = page.evaluate("""() => [...document.querySelectorAll('.dropdown-download-buttons .dropdown-item')]
        .map(e => [e.tagName, e.getAttribute('onclick') || '', e.getAttribute('href') || '', e.textContent.trim()])""")
    ctx.close()
    assert items and not any(
        "print" in onclick for _, onclick, _, _ in items
    ), items
    assert [t for *_, t in items][:1] == [".ipynb"], items
    # without `make pdf` there is no book PDF: no .pdf entry at all
    assert all(not href.endswith(".pdf") for _, _, href, _ in items), items


def test_download_menu_links_the_book_pdf_when_it_exists():
    from migbook.sphinx._compat import PRINT_LABEL, header_pdf_button

    theme_buttons = [
        {
            "type": "group",
            "label": "download-buttons",
            "buttons": [
                {
                    "type": "link",
                    "url": "x.ipynb",
                    "label": "download-notebook-button",
                },
                {
                    "type": "javascript",
                    "javascript": "window.print()",
                    "label": PRINT_LABEL,
                },
            ],
        },
        {
            "type": "javascript",
            "javascript": "toggleFullScreen()",
            "label": "fullscreen-button",
        },
    ]
    with_pdf = header_pdf_button(theme_buttons, "../migbook.pdf")
    entries = with_pdf[0]["buttons"]
    assert (
        entries[1]["type"] == "link"
        and entries[1]["url"] == "../migbook.pdf"
    )
    assert "print" not in json.dumps(with_pdf)
    assert with_pdf[1] == theme_buttons[1]
    without = header_pdf_button(theme_buttons, None)
    assert [b["label"] for b in without[0]["buttons"]] == [
        "download-notebook-button"
    ]


def test_theme_versions_are_the_ones_the_workarounds_were_checked_against():
    """Fails when sphinx-book-theme or pydata-sphinx-theme moves: then check the header rewrite
    (migbook/sphinx/_compat.py, GUARDED) and whether the toggle fix in _config.yml
    (navbar_persistent, pydata-sphinx-theme#2451, sphinx-book-theme#988) is still needed."""
    from importlib.metadata import version

    from migbook.sphinx._compat import unguarded

    assert not [
        u for u in unguarded() if u.startswith("sphinx-book-theme ")
    ]
    assert version("pydata-sphinx-theme") == "0.17.1"
