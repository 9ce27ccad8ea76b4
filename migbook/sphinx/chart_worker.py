"""The charts of executed pages drawn in a child process, at low priority, while the build goes on.

vl-convert holds Python's interpreter lock while it draws (about 0.1 s a chart, and most of a
second to start its JavaScript engine). Drawn in the build's own process, as soon as a page has
run, the charts stalled the threads that feed the kernels their cells: measured on a clean build,
the kernels together fell to 0.2-0.4 of a core while a page's charts were drawn, and part of the
machine sat idle. Drawn where they are written, they would add their seconds to the write phase,
which runs on one core.

So the build hands each new chart to one child process (``python -m
migbook.sphinx.chart_worker CACHE``), started when the first executed page has a chart that is not
in the cache and stopped at ``build-finished``. It draws at a lower priority (``os.nice``), so the
kernels come first and it uses the processor the build leaves idle. A chart's spec goes through a
file in the cache folder (``<chart id>.request.json``, written whole, then renamed); the child
answers one line per chart (``done <id>``, or ``fail <id>``). The files it draws are written
whole, then renamed, like every file of the cache.

Nothing depends on the child for correctness: before it reads a chart's files, the build waits for
that chart's answer, and then draws in its own process whatever is still missing (a chart the
child could not draw, or every chart if the child could not start): that drawing raises the
error that names the chart. Set ``migbook_chart_worker = False`` to draw every chart in the
build's own process.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

#: the child's niceness increment: the kernels and the build come first
NICENESS = 10
REQUEST = ".request.json"


class ChartWorker:
    """The child process that draws charts into ``cache`` (a :class:`ChartAssets` cache folder)."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self.answers: dict[str, threading.Event] = {}
        self.drawn = 0
        self.lock = threading.Lock()
        # the child imports this very package, wherever the build found it
        package_root = str(Path(__file__).resolve().parents[2])
        path = os.environ.get("PYTHONPATH")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", __name__, str(cache)],
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [package_root, path])
                ),
            },
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        self.reader = threading.Thread(
            target=self._read, name="migbook-chart-worker", daemon=True
        )
        self.reader.start()

    def submit(self, chart_id: str, spec: dict) -> None:
        """Hand the chart over (once per chart id); returns at once."""
        with self.lock:
            if chart_id in self.answers:
                return
            answered = self.answers[chart_id] = threading.Event()
        try:
            write_whole(
                self.cache / f"{chart_id}{REQUEST}",
                json.dumps(spec, ensure_ascii=False).encode(),
            )
            self.proc.stdin.write(chart_id + "\n")
            self.proc.stdin.flush()
        except (OSError, ValueError):
            answered.set()  # the child is gone: the build draws the chart itself

    def wait(self, chart_id: str) -> None:
        """Until the child has answered for ``chart_id`` (at once if it was never handed over)."""
        answered = self.answers.get(chart_id)
        if answered is not None:
            answered.wait()

    def _read(self) -> None:
        for line in self.proc.stdout:
            answer, _, chart_id = line.strip().partition(" ")
            if answer in ("done", "fail") and chart_id in self.answers:
                self.drawn += answer == "done"
                self.answers[chart_id].set()
        with self.lock:  # the child has ended: nobody waits for it any more
            for answered in self.answers.values():
                answered.set()

    def close(self) -> None:
        """Stop the child at once (the build is over: what it has not drawn, the next build
        draws; a file is written whole or not at all) and remove what it leaves behind."""
        self.proc.kill()
        self.proc.wait()
        with contextlib.suppress(OSError, ValueError):
            self.proc.stdin.close()
        self.reader.join()
        for left in [
            *self.cache.glob(f"*{REQUEST}"),
            *self.cache.glob("*.part"),
        ]:
            left.unlink(missing_ok=True)


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no reader sees part of it: a file beside it, renamed."""
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    part.write_bytes(data)
    os.replace(part, path)


def main(cache: str) -> None:
    """The child: for each chart id read from stdin, draw the chart whose spec is in its request
    file into ``cache`` and answer ``done <id>`` (``fail <id>`` if it cannot)."""
    from migbook.sphinx.chart_render import ChartAssets

    # the kernels and the build first (no os.nice on Windows)
    with contextlib.suppress(AttributeError, OSError):
        os.nice(NICENESS)
    # the answers go to the build alone: whatever else is printed (vl-convert prints a failed
    # drawing's JavaScript stack) goes where stderr goes
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    folder = Path(cache)
    assets = ChartAssets(folder, folder)  # only its cache is written here
    for line in sys.stdin:
        chart_id = line.strip()
        if not chart_id:
            continue
        request = folder / f"{chart_id}{REQUEST}"
        try:
            assets.prepare(
                chart_id, json.loads(request.read_text(encoding="utf-8"))
            )
            answer = "done"
        except Exception:  # the build draws it again and reports the error
            answer = "fail"
        request.unlink(missing_ok=True)
        print(answer, chart_id, file=answers, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
