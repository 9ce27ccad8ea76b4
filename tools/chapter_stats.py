#!/usr/bin/env python3
"""Measure how much of each chapter's code is claim bookkeeping.

For every ``book/ch*.md``: code lines (non-blank, in code cells), lines inside ``check(...)`` /
``external(...)`` calls, and lines holding the English of a ``note=`` argument.
Usage: python tools/chapter_stats.py [BOOK_DIR]
"""

import ast
import re
import sys
from pathlib import Path

CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def cells(text):
    for m in CELL.finditer(text):
        body = m.group(1)
        lines = [
            ln for ln in body.splitlines() if not re.match(r"^:\w+:", ln)
        ]
        yield "\n".join(lines)


def stats(path):
    code = bookkeeping = notes = 0
    for src in cells(path.read_text(encoding="utf-8")):
        lines = src.splitlines()
        code += sum(1 for ln in lines if ln.strip())
        tree = ast.parse(src)
        calls, note_lines = set(), set()
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("check", "external")
            ):
                calls.update(range(node.lineno, node.end_lineno + 1))
                for kw in node.keywords:
                    if kw.arg == "note":
                        note_lines.update(
                            range(kw.value.lineno, kw.value.end_lineno + 1)
                        )
        bookkeeping += sum(1 for i in calls if lines[i - 1].strip())
        notes += len(note_lines)
    return code, bookkeeping, notes


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "book")
    print(
        f"{'chapter':24} {'code':>5} {'check/ext':>9} {'%':>4} {'note':>5} {'%':>4}"
    )
    for path in sorted(root.glob("ch*.md")):
        c, b, n = stats(path)
        print(
            f"{path.stem:24} {c:5} {b:9} {100 * b / c:4.0f} {n:5} {100 * n / c:4.0f}"
        )


if __name__ == "__main__":
    main()
