"""Lint or format the code cells of the chapters (``book/*.md`` notebooks) with ruff.

``python tools/chapter_code.py check [FILES]``: ruff's lint rules (those of ``pyproject.toml``
plus E501, since these lines are what the book's code column shows) and ruff's formatter in
check mode, reported against the chapter's own line numbers. Exit 1 if any line fails.

``python tools/chapter_code.py format [FILES]``: format the code cells in place.

jupytext reads each chapter into a notebook that ruff lints and formats cell by cell (ruff
understands notebooks). Formatted cells are written back into the Markdown source cell body by
cell body, so the front matter, the prose and the cell options stay byte for byte as they were
(a jupytext round trip would rewrite the front matter).
"""

from __future__ import annotations

import difflib
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[1]
RUFF = str(Path(sys.executable).parent / "ruff")
FENCE = re.compile(r"^(`{3,})\{code-cell\}")


def chapters() -> list[Path]:
    """The notebook pages of the book (MyST Markdown with a kernelspec)."""
    return sorted(
        p
        for p in (ROOT / "book").glob("*.md")
        if "kernelspec:" in p.read_text(encoding="utf-8")[:400]
    )


def code_cells(lines: list[str]) -> list[tuple[int, int]]:
    """(first, end) line indexes (0-based, end exclusive) of each code cell's body."""
    cells, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        close, i = m.group(1), i + 1
        if (
            i < len(lines) and lines[i].strip() == "---"
        ):  # YAML options block
            i += 1
            while i < len(lines) and lines[i].strip() != "---":
                i += 1
            i += 1
        while i < len(lines) and lines[i].startswith(":"):  # :key: value
            i += 1
        start = i
        while i < len(lines) and lines[i].rstrip() != close:
            i += 1
        cells.append((start, i))
        i += 1
    return cells


def to_notebook(path: Path, folder: Path) -> tuple[Path, list, list]:
    """The chapter as an .ipynb ruff can read; its code cells' notebook indexes."""
    nb = jupytext.read(path)
    nb.metadata["language_info"] = {"name": "python"}
    out = folder / (path.stem + ".ipynb")
    jupytext.write(nb, out, fmt="ipynb")
    index = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    return out, nb.cells, index


def body_offsets(path: Path, cells: list, index: list) -> dict[int, int]:
    """Notebook cell number (1-based, as ruff counts) -> 0-based Markdown line of its source."""
    lines = path.read_text(encoding="utf-8").split("\n")
    spans = code_cells(lines)
    if len(spans) != len(index):
        raise SystemExit(
            f"{path}: found {len(spans)} code cells, jupytext {len(index)}"
        )
    out = {}
    for (start, end), i in zip(spans, index, strict=True):
        first = cells[i].source.split("\n")[0]
        shift = next(
            (k for k in range(start, end) if lines[k] == first), start
        )
        out[i + 1] = shift
    return out


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def check(paths: list[Path]) -> int:
    bad_lines, reports = 0, []
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            rel = _rel(path)
            nb, cells, index = to_notebook(path, Path(tmp))
            offsets = body_offsets(path, cells, index)
            proc = subprocess.run(
                [RUFF, "check", "--quiet", "--extend-select", "E501"]
                + ["--output-format", "json", str(nb)],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            failing = set()
            for d in json.loads(proc.stdout or "[]"):
                line = offsets[d["cell"]] + d["location"]["row"]
                failing.add(line)
                reports.append(
                    f"{rel}:{line}:{d['location']['column']}: "
                    f"{d['code']} {d['message']}"
                )
            formatted = format_cells(nb)
            for i, new in formatted.items():
                old = cells[i].source.split("\n")
                start = offsets[i + 1] + 1
                sm = difflib.SequenceMatcher(None, old, new.split("\n"))
                changed = [
                    start + k
                    for tag, a, b, _, _ in sm.get_opcodes()
                    if tag != "equal"
                    for k in range(a, b)
                ]
                if changed:
                    reports.append(
                        f"{rel}:{start}: {len(changed)} line(s) of this cell"
                        " change under `make format-chapters`"
                    )
                    failing.update(changed)
            bad_lines += len(failing)
            n = sum(len(cells[i].source.split("\n")) for i in index)
            print(f"{rel}: {len(failing)} of {n} code lines fail")
    print("\n".join(reports))
    print(f"chapters: {bad_lines} code line(s) fail ruff (lint or format)")
    return 1 if bad_lines else 0


def format_cells(nb: Path, fix: bool = False) -> dict[int, str]:
    """Format a notebook copy with ruff (after its safe fixes, such as sorted
    imports, if ``fix``); its code cells' new sources by cell index."""
    copy = nb.with_name(nb.stem + ".fmt.ipynb")
    copy.write_bytes(nb.read_bytes())
    if fix:
        subprocess.run(
            [RUFF, "check", "--quiet", "--fix-only", str(copy)],
            check=False,
            cwd=ROOT,
        )
    subprocess.run(
        [RUFF, "format", "--quiet", str(copy)], check=False, cwd=ROOT
    )
    cells = json.loads(copy.read_text(encoding="utf-8"))["cells"]
    return {
        i: "".join(c["source"]).rstrip("\n")
        for i, c in enumerate(cells)
        if c["cell_type"] == "code"
    }


def format_chapters(paths: list[Path]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            nb, cells, index = to_notebook(path, Path(tmp))
            new = format_cells(nb, fix=True)
            lines = path.read_text(encoding="utf-8").split("\n")
            spans = code_cells(lines)
            changed = 0
            # replace from the last cell up, so earlier line numbers hold
            for (start, end), i in reversed(
                list(zip(spans, index, strict=True))
            ):
                body = "\n".join(lines[start:end]).strip("\n")
                if body != cells[i].source.strip("\n"):
                    print(f"{path}: cell at line {start + 1} left as is")
                    continue
                if new[i] != cells[i].source.rstrip("\n"):
                    lines[start:end] = new[i].split("\n")
                    changed += 1
            path.write_text("\n".join(lines), encoding="utf-8")
            print(f"{_rel(path)}: {changed} cell(s) reformatted")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] not in ("check", "format"):
        print(__doc__)
        return 2
    paths = [Path(a).resolve() for a in argv[2:]] or chapters()
    return check(paths) if argv[1] == "check" else format_chapters(paths)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
