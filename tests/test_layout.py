"""The package's boundary: ``migbook/`` is the kernel API (what the chapters' kernels run, and
nothing else), ``migbook/sphinx/`` the build side, ``migbook/cli/`` the command-line tools; no
module name is used on two sides."""

from __future__ import annotations

import ast
from pathlib import Path

from migbook.sphinx.inputs import kernel_modules, kernel_side

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "migbook"


def _names(folder: Path) -> set[str]:
    return {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}


def test_top_level_is_exactly_what_the_kernels_run():
    chapters = sorted((ROOT / "book").glob("*.md"))
    ran = {
        p.relative_to(PACKAGE).as_posix()
        for p in kernel_modules(PACKAGE, chapters)
    }
    top = {p.name for p in kernel_side(PACKAGE)}  # what the build hashes
    assert ran == top, (
        "migbook/ holds the kernel API only: move a module the chapters' kernels do not "
        f"run to migbook/sphinx/ or migbook/cli/ (not run: {sorted(top - ran)}; "
        f"run from elsewhere: {sorted(ran - top)})"
    )


def test_no_name_on_two_sides():
    sides = {
        "migbook": _names(PACKAGE),
        "migbook.sphinx": _names(PACKAGE / "sphinx"),
        "migbook.cli": _names(PACKAGE / "cli"),
    }
    seen: dict[str, str] = {}
    shared = []
    for side, names in sides.items():
        for name in sorted(names):
            if name in seen:
                shared.append(f"{seen[name]}.{name} and {side}.{name}")
            seen[name] = side
    assert not shared, shared


def test_kernel_api_and_tools_never_import_the_sphinx_side():
    found = []
    for p in sorted(PACKAGE.glob("*.py")) + sorted(
        (PACKAGE / "cli").glob("*.py")
    ):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            mods = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            found += [
                f"{p.relative_to(ROOT)}: {m}"
                for m in mods
                if m.startswith("migbook.sphinx")
            ]
    assert not found, found


def test_a_kernel_imports_altair_only_to_draw():
    """In a kernel, ``import migbook`` loads the chart theme (and Altair) only if the chapter
    imported Altair first or asks for ``figure``: a chapter that draws nothing does not pay
    for Altair."""
    import subprocess
    import sys

    def run(code: str) -> str:
        kernel = (
            "import sys\n"
            "from IPython.core.interactiveshell import InteractiveShell\n"
            "InteractiveShell.instance()\n"
        )
        return subprocess.run(
            [sys.executable, "-c", kernel + code],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.split()

    assert run(
        "import migbook\nprint('altair' in sys.modules, 'migbook.charts' in sys.modules)"
    ) == ["False", "False"]
    assert run(
        "import altair, migbook\nprint('migbook.charts' in sys.modules)"
    ) == ["True"]
    assert run(
        "from migbook import figure, load\n"
        "import altair as alt\n"
        "print('migbook.charts' in sys.modules, alt.theme.active)"
    ) == ["True", "migbook"]
