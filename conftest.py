"""nbval over the chapters: each MyST-markdown notebook in book/ is converted with jupytext into
_build/nbval/ and run by nbval (outputs are not compared: --nbval-lax). pytest asks the conftest of
a file's own folder tree, so this hook lives at the top level, above book/."""

import os
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent


def chapter_sources() -> list[Path]:
    """The notebook pages of the book (MyST markdown with a kernelspec)."""
    return sorted(
        p
        for p in (ROOT / "book").glob("*.md")
        if "kernelspec:" in p.read_text(encoding="utf-8")[:400]
    )


def pytest_collect_file(file_path: Path, parent):
    if (
        file_path.suffix == ".md"
        and file_path.parent == ROOT / "book"
        and file_path in chapter_sources()
    ):
        from nbval.plugin import IPyNbFile

        out = ROOT / "_build" / "nbval" / (file_path.stem + ".ipynb")
        out.parent.mkdir(parents=True, exist_ok=True)
        text = jupytext.writes(jupytext.read(file_path), fmt="ipynb")
        # both xdist workers collect: write atomically, and only when the chapter changed
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            tmp = out.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, out)
        parent.config.option.nbval_lax = True
        # its cells share one kernel, in order: run with --dist loadfile (one notebook, one worker)
        return IPyNbFile.from_parent(parent, path=out)
    return None
