"""Shared fixtures: the book built once per session, and nbval over the chapters via jupytext."""
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


def chapter_sources() -> list[Path]:
    """The notebook pages of the book (MyST markdown with a kernelspec)."""
    return sorted(p for p in (ROOT / "book").glob("*.md") if "kernelspec:" in p.read_text(encoding="utf-8")[:400])


# ---------------------------------------------------------------- nbval through jupytext
def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix == ".md" and file_path.parent == ROOT / "book" and file_path in chapter_sources():
        from nbval.plugin import IPyNbFile

        out = ROOT / "_build" / "nbval" / (file_path.stem + ".ipynb")
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(BIN / "jupytext"), "--quiet", "--to", "ipynb", "--output", str(out), str(file_path)],
                       check=True)
        parent.config.option.nbval_lax = True
        return IPyNbFile.from_parent(parent, path=out)
    return None


# ---------------------------------------------------------------- the built book
@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """Build the whole book once, from a clean cache, warnings as errors. Returns the HTML dir."""
    out = tmp_path_factory.mktemp("book")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [str(BIN / "jupyter-book"), "build", str(ROOT), "--path-output", str(out),
         "--warningiserror", "--nitpick", "--keep-going"],
        capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        pytest.fail("book build failed:\n" + proc.stdout[-6000:] + proc.stderr[-6000:], pytrace=False)
    return out / "_build" / "html"


@pytest.fixture(scope="session")
def built_claims(built_book) -> list[dict]:
    with (built_book / "claims.csv").open(encoding="utf-8", newline="") as fh:
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
