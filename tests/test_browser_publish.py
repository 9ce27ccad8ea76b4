"""Headless Chromium: the "hide code" switch works and is remembered from page to page, printed
code wraps, chart labels stay readable on a phone. (No page is wider than the screen at either
width: ``test_browser.py::test_every_page_in_the_browser``.)"""

import pytest

pytestmark = [pytest.mark.build, pytest.mark.browser]

#: the first code cell a reader sees (setup cells are collapsed by default: tag hide-input)
CODE = ".cell:not(.tag_hide-input):not(.tag_hide-cell) .cell_input"


def test_hide_code_switch_works_and_is_remembered(
    browser, built_book, served_book
):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(
        f"{served_book}/book/ch1_export_model.html", wait_until="load"
    )
    button = page.locator("#migbook-code-toggle")
    assert button.count() == 1 and button.is_visible()
    code = page.locator(CODE).first
    output = page.locator(".cell .cell_output").first
    assert (
        code.is_visible()
        and button.get_attribute("aria-pressed") == "false"
    )
    button.click()
    assert not code.is_visible() and output.is_visible()
    assert (
        button.get_attribute("aria-pressed") == "true"
        and button.inner_text() == "Show code"
    )
    # remembered: another chapter opens with its code hidden, and the switch brings it back
    page.goto(f"{served_book}/book/ch2_escalation.html", wait_until="load")
    assert not page.locator(CODE).first.is_visible()
    page.locator("#migbook-code-toggle").click()
    assert page.locator(CODE).first.is_visible()
    page.goto(
        f"{served_book}/book/ch1_export_model.html", wait_until="load"
    )
    assert page.locator(CODE).first.is_visible()
    # a page without code has no switch
    page.goto(f"{served_book}/book/references.html", wait_until="load")
    assert page.locator("#migbook-code-toggle").count() == 0
    ctx.close()


def test_printed_code_wraps(browser, built_book, served_book):
    """Printing a page: a long code line wraps inside its box, which is as tall as its text."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(
        f"{served_book}/book/ch1_export_model.html", wait_until="load"
    )
    page.emulate_media(media="print")
    clipped = page.eval_on_selector_all(
        ".cell_input pre",
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1 || "
        "e.scrollHeight > e.clientHeight + 1).length",
    )
    page.close()
    assert clipped == 0


def test_chart_labels_stay_readable_on_a_phone(
    browser, built_book, served_book
):
    """At 390 px a drawn chart is not scaled down below a readable label size (it scrolls in its
    own box instead), and the page stays as wide as the screen."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{served_book}/book/ch2_escalation.html", wait_until="load")
    charts = page.locator(".migbook-chart")
    assert charts.count() > 0
    charts.first.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => document.querySelector('.migbook-chart .migbook-chart-view svg text')",
        timeout=60000,
    )
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.migbook-chart-view svg')].map(svg => {
            const t = svg.querySelector('text');
            const w = parseFloat(svg.getAttribute('width'));
            if (!t || !w) return null;
            const shown = svg.getBoundingClientRect().width;
            return parseFloat(getComputedStyle(t).fontSize) * shown / w;
        }).filter(x => x !== null)"""
    )
    assert sizes and min(sizes) >= 9, sizes
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 391, width
    page.close()
