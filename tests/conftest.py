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
def once_per_run(tmp_path_factory, worker_id: str, name: str, make):
    """``make(folder)`` run once for the whole test run, its result shared by pytest-xdist's
    workers (the pattern of xdist's documentation: a file lock in the run's common temporary
    folder). ``make`` returns the path to share, or raises ``pytest.fail``'s exception; a worker
    that finds the work failed fails with the same message instead of doing it again."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    if (
        worker_id != "master"
    ):  # each worker's folder sits in the run's common one
        base = base.parent
    folder = base / name
    done, failed = base / f"{name}.done", base / f"{name}.failed"
    with FileLock(str(base / f"{name}.lock")):
        if done.exists():
            return Path(done.read_text(encoding="utf-8"))
        if failed.exists():
            pytest.fail(failed.read_text(encoding="utf-8"), pytrace=False)
        folder.mkdir(exist_ok=True)
        try:
            result = make(folder)
        except BaseException as exc:
            failed.write_text(str(exc), encoding="utf-8")
            raise
        done.write_text(str(result), encoding="utf-8")
        return result


@pytest.fixture(scope="session")
def run_once(tmp_path_factory, worker_id):
    """:func:`once_per_run` for this run: ``run_once(name, make)``."""
    return functools.partial(once_per_run, tmp_path_factory, worker_id)


@pytest.fixture(scope="session")
def built_book(run_once) -> Path:
    """Build the whole book once for the test run (whichever worker needs it first; the others
    wait and share it), from a clean cache, warnings as errors. Returns the HTML dir."""
    if os.environ.get(
        "MIGBOOK_BUILT_BOOK"
    ):  # reuse a build (an author's loop; never under CI)
        return Path(os.environ["MIGBOOK_BUILT_BOOK"]).resolve()

    def build(out: Path) -> Path:
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

    return run_once("book", build)


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


def pytest_collection_modifyitems(config, items):
    """The PDF's tests first: ``make pdf`` is the run's longest piece (minutes), so the worker
    that takes them builds the book and the PDF at the start while the other runs the rest,
    instead of the PDF starting last and the run waiting for it."""
    items.sort(key=lambda item: item.path.name != "test_pdf.py")
