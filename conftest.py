"""nbval over the chapters, in strict mode: re-executing a chapter must reproduce its published
outputs, cell by cell.

The reference is the notebook the book's build executed (myst-nb writes it to
``_build/jupyter_execute/<page>.ipynb``, or the folder ``MIGBOOK_EXECUTED`` names: ``make test``
points it at the build its own tests made), so nbval compares
what a reader sees with what a fresh kernel computes now. Volatile parts (memory addresses, timings)
are sanitised by ``tests/nbval_sanitize.cfg``; images are not compared (nbval's default). A chapter
whose source changed after the build fails with a message saying to rebuild. pytest asks the
conftest of a file's own folder tree, so this hook lives at the top level, above ``book/``."""

import functools
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
EXECUTED = Path(
    os.environ.get("MIGBOOK_EXECUTED", ROOT / "_build" / "jupyter_execute")
)
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


def _ends_with_semicolon(source: str) -> bool:
    """IPython's rule: a cell whose last line ends with ';' shows no result."""
    lines = [
        ln.split("#", 1)[0].rstrip() for ln in source.rstrip().splitlines()
    ]
    return bool(lines) and lines[-1].endswith(";")


def _kept(outputs, quiet: bool):
    """The outputs compared: without hidden glued outputs (``glue(..., display=False)``: metadata
    ``scrapbook`` with a mime prefix), which myst-nb moves out of the notebook it stores (into
    <page>.glue.json), so they may have no reference (what they carry shows in the text and
    badges, which are compared; a claim's badge is glued too, but shown: it stays); and, for a
    cell ending with ';', without its result: nbval runs cells without storing them in the
    kernel's history, so IPython's ';' (no result shown) looks at the wrong line and shows it
    anyway."""
    return [
        o
        for o in outputs
        if not ((o.get("metadata") or {}).get("scrapbook") or {}).get(
            "mime_prefix"
        )
        and not (quiet and o.get("output_type") == "execute_result")
    ]


@functools.cache
def _chapter_items():
    """nbval's file and cell items, subclassed (nbval's own classes are left as they are): a
    chapter's cells compare the outputs :func:`_kept` keeps, on both sides (the reference may
    hold the glued outputs too: a notebook written back from the execution cache keeps them)."""
    from nbval.plugin import IPyNbCell, IPyNbFile

    class ChapterCell(IPyNbCell):
        def compare_outputs(self, test, ref, skip_compare=None):
            quiet = _ends_with_semicolon(self.cell.source)
            return super().compare_outputs(
                _kept(test, quiet), _kept(ref, quiet), skip_compare
            )

    class ChapterNotebook(IPyNbFile):
        def collect(self):
            for item in super().collect():
                yield ChapterCell.from_parent(
                    self,
                    name=item.name,
                    cell_num=item.cell_num,
                    cell=item.cell,
                    options=item.options,
                )

    return ChapterNotebook


def chapter_sources() -> list[Path]:
    """The notebook pages of the book (MyST markdown with a kernelspec)."""
    return sorted(
        p
        for p in (ROOT / "book").glob("*.md")
        if "kernelspec:" in p.read_text(encoding="utf-8")[:400]
    )


def executed_notebook(source: Path) -> Path:
    """The build's executed notebook of a chapter source."""
    return (
        EXECUTED
        / source.parent.relative_to(ROOT)
        / (source.stem + ".ipynb")
    )


class StaleNotebook(pytest.Item):
    """Stands in for a chapter whose executed notebook is missing or older than its source."""

    def __init__(self, *, reason: str, **kwargs):
        super().__init__(**kwargs)
        self.reason = reason

    def runtest(self):
        pytest.fail(self.reason, pytrace=False)

    def reportinfo(self):
        return self.path, 0, f"{self.name}: executed notebook"


def pytest_collect_file(file_path: Path, parent):
    if (
        file_path.suffix == ".md"
        and file_path.parent == ROOT / "book"
        and file_path in chapter_sources()
    ):
        ref = executed_notebook(file_path)
        if (
            not ref.exists()
            or ref.stat().st_mtime < file_path.stat().st_mtime
        ):
            why = (
                "missing" if not ref.exists() else "older than the chapter"
            )
            return _StaleFile.from_parent(
                parent,
                path=file_path,
                reason=(
                    f"{ref} is {why}: build the book first (make book), then re-run nbval"
                ),
            )
        parent.config.option.nbval_lax = False
        parent.config.option.nbval_sanitize_with = str(SANITIZE)
        # two workers on a loaded machine: a kernel may take more than nbval's default minute to start
        parent.config.option.nbval_kernel_startup_timeout = max(
            getattr(
                parent.config.option, "nbval_kernel_startup_timeout", 60
            )
            or 60,
            180,
        )
        # its cells share one kernel, in order: run with --dist loadfile (one notebook, one worker)
        return _chapter_items().from_parent(parent, path=ref)
    return None


class _StaleFile(pytest.File):
    def __init__(self, *, reason: str, **kwargs):
        super().__init__(**kwargs)
        self.reason = reason

    def collect(self):
        yield StaleNotebook.from_parent(
            self, name=self.path.stem, reason=self.reason
        )
