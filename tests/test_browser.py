"""Headless Chromium: every chart is drawn, no console error, nothing requested off the local server."""
import os
import shutil

import pytest

pytestmark = [pytest.mark.xdist_group("build"), pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        msg = "NO BROWSER: Debian's chromium is not installed, so the browser tests cannot run (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg + " -- under CI a missing browser is a failure", pytrace=False)
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def pages(built_book):
    return ["index.html"] + sorted(str(p.relative_to(built_book)) for p in (built_book / "book").glob("*.html"))


def test_every_page_in_the_browser(browser, built_book, served_book):
    problems = []
    for rel in pages(built_book):
        page = browser.new_page()
        outside, errors = [], []
        page.on("request", lambda r: outside.append(r.url)
                if not (r.url.startswith(served_book) or r.url.startswith("data:") or r.url.startswith("blob:")) else None)
        page.on("response", lambda r: errors.append(f"HTTP {r.status} for {r.url}") if r.status >= 400 else None)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error"
                and not m.text.startswith("Failed to load resource") else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{served_book}/{rel}", wait_until="load")
        charts = page.locator(".migbook-chart")
        n = charts.count()
        if n:
            try:
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.migbook-chart')].every(e => e.dataset.rendered)",
                    timeout=15000)
            except Exception:
                pass
            for i in range(n):
                el = charts.nth(i)
                cid = el.get_attribute("id")
                state = el.get_attribute("data-rendered")
                marks = el.locator("svg .mark-group, svg path, svg line, svg rect").count()
                if state != "true" or marks == 0:
                    problems.append(f"{rel}: chart {cid} not drawn (state={state}, marks={marks})")
        empty = page.locator("span.pasted-text:empty, span.pasted-inline:empty").count()
        if empty:
            problems.append(f"{rel}: {empty} empty glued value(s)")
        for url in outside:
            problems.append(f"{rel}: requested {url} (outside the local server)")
        for e in errors:
            problems.append(f"{rel}: console error: {e}")
        page.close()
    assert not problems, "\n".join(problems)


def test_report_filters(browser, built_book, served_book, built_claims):
    if not built_claims:
        pytest.skip("no claims yet")
    page = browser.new_page()
    page.goto(f"{served_book}/book/report.html", wait_until="load")
    rows = page.locator("table.migbook-report tbody tr")
    assert rows.count() == len(built_claims)
    status = built_claims[0]["status"]
    page.select_option(".migbook-filter-status", status)
    visible = page.locator("table.migbook-report tbody tr:not([hidden])").count()
    assert visible == sum(r["status"] == status for r in built_claims)
    page.close()
