"""Performance budget of the book (``make bench``). Writes ``_build/bench.json`` and ``_build/bench.md``.

Every build runs in a temporary copy of the book (your checkout and its ``_build`` are left alone),
and each is compared with the same step on a bare Jupyter Book made here, in the same run, with as
many notebook pages (each imports pandas and Altair and draws one chart; the bare book executes
them one after another, as Jupyter Book does by default):

a. clean build (execution included); goal: at most 1.3 times the bare book's;
b. a rebuild with nothing changed; goal: at most 1.5 times the bare book's; which pages were
   re-read, re-executed, written;
c. a rebuild after one chapter's code changes (a code cell added at its end; the bare book's
   page of the same rank gets the same edit); goal: at most 1.5 times the bare book's; which pages
   were re-read, re-executed, written (that chapter and the pages that show its results);
d. the bytes each page transfers on first load (HTML, CSS, JS, fonts, images), measured in headless
   Chromium against a local server; goal for a chapter page: under 1.5 MB. The bare book's page
   gives the default theme's figure for comparison.

With --repeat N each of a, b, c is run N times (fresh copies, book and bare book interleaved) and
the best time of each is kept (each pass's ratio is listed too: the spread between passes). Budgets
are reported, not enforced.
Usage: python tools/bench.py [--book DIR] [--out DIR] [--repeat N] [--no-weight] [--keep]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
GOALS = {
    "clean_ratio": 1.3,
    "noop_ratio": 1.5,
    "edit_ratio": 1.5,
    "chapter_bytes": 1_500_000,
}
SKIP = {
    "_build",
    ".venv",
    ".venv-lab",
    ".git",
    ".pytest_cache",
    "__pycache__",
    ".ipynb_checkpoints",
    ".jupyter_cache",
}

# Runs jupyter-book in-process and notes when each phase starts (seconds since the process began).
DRIVER = r"""
import json, sys, time
T0 = time.perf_counter()
marks = {}
import sphinx.application as sa
_init, _build = sa.Sphinx.__init__, sa.Sphinx.build
def init(self, *a, **k):
    marks.setdefault("sphinx_init", time.perf_counter() - T0)
    _init(self, *a, **k)
    def mark(name):
        def handler(*args):
            marks.setdefault(name, time.perf_counter() - T0)
            return ()  # env-updated and html-collect-pages read what handlers return
        return handler
    self.connect("env-before-read-docs", mark("read"), priority=0)
    self.connect("env-updated", mark("resolve"), priority=0)
    self.connect("html-collect-pages", mark("write_done"), priority=0)
    self.connect("build-finished", mark("finish"), priority=0)
def build(self, *a, **k):
    marks.setdefault("build", time.perf_counter() - T0)
    try:
        return _build(self, *a, **k)
    finally:
        marks["end"] = time.perf_counter() - T0
        print("BENCH-MARKS " + json.dumps(marks), flush=True)
sa.Sphinx.__init__, sa.Sphinx.build = init, build
from jupyter_book.cli.main import main
sys.argv = ["jupyter-book"] + sys.argv[1:]
main()
"""

BARE_CONFIG = """title: bare
author: bench
execute:
  execute_notebooks: cache
  timeout: 300
only_build_toc_files: true
"""
BARE_PAGE = """---
jupytext:
  text_representation: {{extension: .md, format_name: myst}}
kernelspec: {{name: python3, display_name: Python 3}}
---
# Page {i}

```{{code-cell}} ipython3
import pandas as pd
import altair as alt

df = pd.DataFrame({{"year": list(range(1991, 2004)), "value": [x * {i} + 1.0 for x in range(13)]}})
alt.Chart(df).mark_line().encode(x="year:O", y="value:Q")
```
"""


# --------------------------------------------------------------------------- building
def copy_book(src: Path, dest: Path) -> Path:
    shutil.copytree(
        src, dest, ignore=lambda d, names: [n for n in names if n in SKIP]
    )
    return dest


def notebook_pages(book: Path) -> list[str]:
    """Docnames of the notebook pages listed in the table of contents, in order."""
    toc = (book / "_toc.yml").read_text(encoding="utf-8")
    docs = re.findall(r"^\s*(?:-\s*)?(?:file|root):\s*(\S+)", toc, re.M)
    out = []
    for d in docs:
        p = book / (d if d.endswith(".md") else d + ".md")
        if (
            p.exists()
            and "kernelspec:" in p.read_text(encoding="utf-8")[:400]
        ):
            out.append(d.removesuffix(".md"))
    return out


def build(book: Path, strict: bool = True) -> dict:
    """One ``jupyter-book build`` in a fresh process; wall time, phases and what it did."""
    args = [str(book), "--keep-going"] + (
        ["--warningiserror", "--nitpick"] if strict else []
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(book),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    # as `make book` runs it: Python caches compiled modules (the Makefile unexports this)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    t, ru = (
        time.perf_counter(),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, "build", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=book,
    )
    wall = time.perf_counter() - t
    ru2 = resource.getrusage(
        resource.RUSAGE_CHILDREN
    )  # the build and the kernels it started
    cpu = (ru2.ru_utime - ru.ru_utime) + (ru2.ru_stime - ru.ru_stime)
    log = ANSI.sub("", proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise SystemExit(f"build of {book} failed:\n{log[-4000:]}")
    marks = {}
    for line in log.splitlines():
        if line.startswith("BENCH-MARKS "):
            marks = json.loads(line[len("BENCH-MARKS ") :])
    phases = {}
    order = [
        "sphinx_init",
        "build",
        "read",
        "resolve",
        "write_done",
        "finish",
        "end",
    ]
    names = {
        "sphinx_init": "python start-up and imports",
        "build": "Sphinx set-up (extensions, config, builder)",
        "read": "finding changed pages",
        "resolve": "reading (and executing) pages",
        "write_done": "env-updated handlers (bibliography), resolving and writing pages",
        "finish": "extra pages, assets, search index",
        "end": "build-finished handlers",
    }
    prev = 0.0
    for key in order:
        if key in marks:
            phases[names[key]] = round(marks[key] - prev, 3)
            prev = marks[key]
    phases["process exit"] = round(wall - prev, 3)
    return {
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "load_before": round(os.getloadavg()[0], 2),
        "phases": phases,
        "read": re.findall(
            r"^reading sources\.\.\. \[\s*\d+%\] (\S+)", log, re.M
        ),
        "executed": sorted(
            {
                Path(p).with_suffix("").relative_to(book).as_posix()
                for p in re.findall(
                    r"^(\S+?): Executing notebook", log, re.M
                )
            }
        ),
        "written": re.findall(
            r"^writing output\.\.\. \[\s*\d+%\] (\S+)", log, re.M
        ),
    }


def make_bare(dest: Path, n: int) -> Path:
    dest.mkdir(parents=True)
    (dest / "_config.yml").write_text(BARE_CONFIG, encoding="utf-8")
    chapters = "".join(f"  - file: page{i}\n" for i in range(1, n + 1))
    (dest / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\n"
        + (f"chapters:\n{chapters}" if n else ""),
        encoding="utf-8",
    )
    (dest / "intro.md").write_text(
        "# Bare book\n\nA default Jupyter Book for the benchmark.\n",
        encoding="utf-8",
    )
    for i in range(1, n + 1):
        (dest / f"page{i}.md").write_text(
            BARE_PAGE.format(i=i), encoding="utf-8"
        )
    return dest


def touch_chapter(book: Path, doc: str) -> None:
    """Change one chapter's code: add a code cell at its end."""
    path = book / f"{doc}.md"
    path.write_text(
        path.read_text(encoding="utf-8").rstrip("\n")
        + "\n\n```{code-cell} ipython3\n_bench_changed = True\n```\n",
        encoding="utf-8",
    )


# --------------------------------------------------------------------------- page weight
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _gate(base: str, blocked: list):
    """A route handler: requests to the local server pass, others are
    noted in ``blocked`` and aborted."""

    def gate(route):
        url = route.request.url
        if url.startswith(base) or url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    return gate


def page_weights(html_dir: Path, pages: list[str]) -> dict:
    """Bytes each page transfers on first load (empty cache), by kind; off-server requests blocked."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        return {"error": "chromium is not installed"}
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html_dir))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    out = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
            for rel in pages:
                ctx = browser.new_context()
                page = ctx.new_page()
                blocked, got = [], []

                page.route("**/*", _gate(base, blocked))

                def done(req, got=got):
                    resp = req.response()
                    if resp is None or not req.url.startswith(base):
                        return
                    try:
                        body = resp.body()
                    except Exception:
                        return
                    got.append(
                        (req.resource_type, req.url[len(base) :], body)
                    )

                page.on("requestfinished", done)
                page.goto(f"{base}/{rel}", wait_until="networkidle")
                page.wait_for_timeout(300)
                by_kind: dict[str, int] = {}
                for kind, _, body in got:
                    by_kind[kind] = by_kind.get(kind, 0) + len(body)
                biggest = sorted(
                    ((len(b), u.split("?")[0]) for _, u, b in got),
                    reverse=True,
                )[:8]
                out[rel] = {
                    "bytes": sum(by_kind.values()),
                    "bytes_gzip": sum(
                        len(gzip.compress(b, 6, mtime=0)) for _, _, b in got
                    ),
                    "by_kind": dict(sorted(by_kind.items())),
                    "requests": len(got),
                    "largest": [{"bytes": n, "url": u} for n, u in biggest],
                    "blocked_off_server": blocked,
                }
                ctx.close()
            browser.close()
    finally:
        server.shutdown()
    return out


# --------------------------------------------------------------------------- report
def summary(res: dict) -> str:
    lines = [
        "# Performance budget",
        "",
        f"Book: {res['book']} ({res['notebook_pages']} notebook pages); "
        f"Python {res['python']}; {res['cores']} cores; load average "
        f"{res['load']} when it started; best of {res['repeat']}. Each step is "
        "compared with the same step on a bare Jupyter Book with as many "
        "notebook pages, built in the same run. Wall times vary with whatever "
        "else runs on the machine; CPU times (the build and its kernels) much "
        "less. Budgets are reported, not enforced.",
        "",
        "| step | book | bare book | ratio | goal |",
        "| --- | --- | --- | --- | --- |",
    ]
    steps = [
        ("clean", "(a) clean build", "clean_ratio"),
        ("noop", "(b) rebuild, nothing changed", "noop_ratio"),
        (
            "edit",
            f"(c) rebuild after {res['chapter']}'s code changed",
            "edit_ratio",
        ),
    ]
    for key, label, goal in steps:
        b = res[key]["book"]
        bare = res[key].get("bare")
        ratio = res[key].get("ratio")
        mark = (
            ""
            if ratio is None
            else (" ✓" if ratio <= GOALS[goal] else " ✗")
        )
        lines.append(
            f"| {label} | {b['seconds']} s ({b['cpu_seconds']} s CPU) | "
            + (
                f"{bare['seconds']} s ({bare['cpu_seconds']} s CPU)"
                if bare
                else "skipped"
            )
            + f" | {ratio if ratio is not None else ''}{mark} | ≤ {GOALS[goal]}× |"
        )
    lines.append("")
    for key, label, _ in steps:
        b = res[key]["book"]
        lines.append(
            f"- {label}: re-read {', '.join(b['read']) or 'none'}; executed "
            f"{', '.join(b['executed']) or 'none'}; written "
            f"{len(b['written'])} page(s)."
        )
        lines.append(
            "  Phases (s): "
            + "; ".join(f"{k} {v}" for k, v in b["phases"].items())
        )
        passes = res[key].get("passes") or []
        if len(passes) > 1:
            lines.append(
                "  Each pass (book / bare book = ratio): "
                + "; ".join(
                    f"{x['book']} / {x['bare']} s = {x['ratio']}"
                    for x in passes
                )
            )
    d = res.get("weight") or {}
    if d:
        lines.append("")
        lines.append("| page | first load | goal |")
        lines.append("| --- | --- | --- |")
    for rel, w in d.items():
        if isinstance(w, dict) and "bytes" in w:
            kinds = ", ".join(
                f"{k} {v / 1e3:.0f} kB" for k, v in w["by_kind"].items()
            )
            goal = (
                f"< {GOALS['chapter_bytes'] / 1e6:.1f} MB"
                if rel in res["chapter_pages_measured"]
                else ""
            )
            lines.append(
                f"| (d) {rel} | {w['bytes'] / 1e6:.2f} MB ({kinds}); "
                f"{w['bytes_gzip'] / 1e6:.2f} MB if served gzipped | {goal} |"
            )
    if "error" in d:
        lines.append(f"| (d) page weight | not measured: {d['error']} | |")
    return "\n".join(lines) + "\n"


def best(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["seconds"])


def three_steps(src: Path, dest: Path, doc: str, strict: bool) -> dict:
    """Clean build, no-change rebuild, rebuild after ``doc``'s code changed."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    out = {"clean": build(dest, strict)}
    out["noop"] = build(dest, strict)
    touch_chapter(dest, doc)
    out["edit"] = build(dest, strict)
    out["html"] = dest / "_build" / "html"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--book",
        type=Path,
        default=ROOT,
        help="the book to measure (default: this checkout)",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write bench.json/bench.md (default: BOOK/_build)",
    )
    ap.add_argument(
        "--skip-bare",
        action="store_true",
        help="do not build the bare comparison book",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each step; the best is kept",
    )
    ap.add_argument(
        "--chapter",
        default=None,
        help="the notebook page whose code is edited in (c) (default: the second)",
    )
    ap.add_argument(
        "--no-weight",
        action="store_true",
        help="skip (d), the page weights",
    )
    ap.add_argument(
        "--keep", action="store_true", help="keep the temporary copies"
    )
    opts = ap.parse_args()
    book_src = opts.book.resolve()
    out_dir = (opts.out or book_src / "_build").resolve()
    tmp = Path(tempfile.mkdtemp(prefix="migbook-bench-"))
    res: dict = {
        "book": str(book_src),
        "python": sys.version.split()[0],
        "cores": os.cpu_count(),
        "load": round(os.getloadavg()[0], 2),
        "goals": GOALS,
        "repeat": opts.repeat,
    }
    try:
        src = copy_book(book_src, tmp / "src")
        docs = notebook_pages(src)
        if not docs:
            raise SystemExit("the book has no notebook page")
        doc = opts.chapter or docs[min(1, len(docs) - 1)]
        rank = docs.index(doc) + 1
        res.update(notebook_pages=len(docs), chapter=doc)
        bare_src = make_bare(tmp / "bare-src", len(docs))
        runs: dict = {"book": [], "bare": []}
        for i in range(opts.repeat):
            print(
                f"[bench] run {i + 1}/{opts.repeat}: the book ({len(docs)} notebook pages)...",
                flush=True,
            )
            runs["book"].append(three_steps(src, tmp / "book", doc, True))
            if not opts.skip_bare:
                print(
                    f"[bench] run {i + 1}/{opts.repeat}: the bare book...",
                    flush=True,
                )
                runs["bare"].append(
                    three_steps(
                        bare_src, tmp / "bare", f"page{rank}", False
                    )
                )
        for key in ("clean", "noop", "edit"):
            res[key] = {"book": best([r[key] for r in runs["book"]])}
            if runs["bare"]:
                bare = best([r[key] for r in runs["bare"]])
                b = res[key]["book"]
                res[key].update(
                    bare=bare,
                    ratio=round(b["seconds"] / bare["seconds"], 2),
                    ratio_cpu=round(
                        b["cpu_seconds"] / bare["cpu_seconds"], 2
                    ),
                    # each pass (the book, then the bare book, one after the other): the
                    # spread that the best-of figures hide
                    passes=[
                        {
                            "book": x[key]["seconds"],
                            "bare": y[key]["seconds"],
                            "ratio": round(
                                x[key]["seconds"] / y[key]["seconds"], 2
                            ),
                        }
                        for x, y in zip(
                            runs["book"], runs["bare"], strict=True
                        )
                    ],
                )
        if not opts.no_weight:
            print("[bench] (d) bytes per page on first load...", flush=True)
            html = tmp / "book" / "_build" / "html"
            html_pages = sorted(
                str(p.relative_to(html))
                for p in html.rglob("*.html")
                if "_static" not in p.parts
            )
            res["chapter_pages_measured"] = [f"{d}.html" for d in docs]
            res["weight"] = page_weights(html, html_pages)
            if runs["bare"]:
                res["weight_default_theme"] = page_weights(
                    tmp / "bare" / "_build" / "html", ["page1.html"]
                )
    finally:
        if not opts.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"[bench] kept {tmp}")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(
        json.dumps(res, indent=1, default=str) + "\n", encoding="utf-8"
    )
    text = summary(res)
    w = res.get("weight_default_theme", {}).get("page1.html", {})
    if "bytes" in w:
        text += (
            "\nDefault theme, for comparison (a page of the bare book, its CDN scripts blocked): "
            f"{w['bytes'] / 1e6:.2f} MB; largest: "
            + ", ".join(
                f"{x['url']} {x['bytes'] / 1e6:.2f} MB"
                for x in w["largest"][:3]
            )
            + ".\n"
        )
    (out_dir / "bench.md").write_text(text, encoding="utf-8")
    print(text)
    print(
        f"[bench] figures in {out_dir / 'bench.json'} and {out_dir / 'bench.md'}"
    )


if __name__ == "__main__":
    main()
