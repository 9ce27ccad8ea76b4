"""Shared fixtures: the book built once per session and served on 127.0.0.1.

(nbval over the chapters is collected by the top-level conftest.py.)"""

from __future__ import annotations

import csv
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


# ---------------------------------------------------------------- the built book
@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """Build the whole book once, from a clean cache, warnings as errors. Returns the HTML dir."""
    if os.environ.get(
        "MIGBOOK_BUILT_BOOK"
    ):  # reuse a build (an author's loop; never under CI)
        return Path(os.environ["MIGBOOK_BUILT_BOOK"]).resolve()
    out = tmp_path_factory.mktemp("book")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [
            str(BIN / "jupyter-book"),
            "build",
            str(ROOT),
            "--path-output",
            str(out),
            "--warningiserror",
            "--nitpick",
            "--keep-going",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        pytest.fail(
            "book build failed:\n"
            + proc.stdout[-6000:]
            + proc.stderr[-6000:],
            pytrace=False,
        )
    return out / "_build" / "html"


@pytest.fixture(scope="session")
def built_claims(built_book) -> list[dict]:
    with (built_book / "claims.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        return list(csv.DictReader(fh))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def served_book(built_book):
    """The built HTML served on 127.0.0.1 (a random free port)."""
    handler = functools.partial(_Quiet, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


# ---------------------------------------------------------------- headless Chromium
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by playwright (no browser download); under CI a missing
    browser is a failure, elsewhere the browser tests are skipped."""
    if not CHROMIUM:
        msg = (
            "NO BROWSER: Debian's chromium is not installed, so the browser tests "
            "cannot run (apt-get install chromium)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(
                msg + " -- under CI a missing browser is a failure",
                pytrace=False,
            )
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=ARGS, headless=True
        )
        yield b
        b.close()
