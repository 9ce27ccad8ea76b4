"""The parallel executor (migbook.sphinx.execution) on a tiny book of its own, the inputs hash
(what decides re-execution) and the compatibility module's guard."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CONF = """
extensions = ["myst_nb", "migbook.sphinx.execution"]
root_doc = "index"
exclude_patterns = ["_build"]
nb_execution_mode = "cache"
nb_execution_raise_on_error = True
nb_kernel_rgx_aliases = {"py-.*": "python3"}
"""


def page(name: str, code: str, kernel="python3", front: str = "") -> str:
    """A MyST notebook page whose code cell appends a line to ``runs-<name>.txt`` (one line a
    run), then runs ``code``."""
    return (
        "---\njupytext:\n  text_representation:\n    format_name: myst\n"
        f"kernelspec:\n  name: {kernel}\n  display_name: Python 3\n{front}---\n"
        f"# Page {name}\n\n```{{code-cell}} python3\n"
        f"with open('runs-{name}.txt', 'a') as f:\n    f.write('run\\n')\n"
        f"{code}\n```\n"
    )


def tiny_book(src: Path, pages: dict[str, str]) -> Path:
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    toc = "\n".join(pages)
    (src / "index.md").write_text(
        f"# Tiny\n\n```{{toctree}}\n{toc}\n```\n", encoding="utf-8"
    )
    for name, text in pages.items():
        (src / f"{name}.md").write_text(text, encoding="utf-8")
    return src


def build(src: Path) -> tuple[str, str]:
    """Build ``src`` (incrementally); its status log and warnings."""
    from sphinx.testing.util import SphinxTestApp

    app = SphinxTestApp("html", srcdir=src, builddir=src / "_build")
    try:
        app.build()
        return app._status.getvalue(), app._warning.getvalue()
    finally:
        app.cleanup()


def runs(src: Path, name: str) -> int:
    path = src / f"runs-{name}.txt"
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_pages_run_in_parallel_as_myst_nb_would_run_them(tmp_path):
    """Pages to execute run before Sphinx reads them, each once; a page with ``mystnb``
    metadata ``execution_mode: off`` never runs; a kernel alias is applied; myst-nb finds every
    output in the cache and runs nothing itself; a rebuild runs nothing."""
    src = tiny_book(
        tmp_path / "book",
        {
            "plain": page("plain", "print(6 * 7)"),
            "off": page(
                "off",
                "raise ValueError('a page not to execute ran')",
                front="language_info:\n  name: python\n"
                "mystnb:\n  execution_mode: 'off'\n",
            ),
            "aliased": page("aliased", "print('alias')", kernel="py-any"),
        },
    )
    status, warnings = build(src)
    assert not warnings.strip(), warnings
    assert "Executing notebook (in parallel)" in status
    assert "executed 2 notebook page(s) in parallel" in status
    assert "Executing notebook using" not in status  # myst-nb ran nothing
    assert (runs(src, "plain"), runs(src, "aliased"), runs(src, "off")) == (
        1,
        1,
        0,
    )
    html = (src / "_build" / "html" / "plain.html").read_text(
        encoding="utf-8"
    )
    assert "42" in html
    published = json.loads(
        (src / "_build" / "jupyter_execute" / "plain.ipynb").read_text(
            encoding="utf-8"
        )
    )
    assert published["metadata"]["kernelspec"]["name"] == "python3"

    # a prose edit: the page is read again, its code is cached
    text = (src / "plain.md").read_text(encoding="utf-8")
    (src / "plain.md").write_text(
        text + "\nMore prose.\n", encoding="utf-8"
    )
    status, warnings = build(src)
    assert not warnings.strip(), warnings
    assert "Executing notebook" not in status
    assert (runs(src, "plain"), runs(src, "aliased"), runs(src, "off")) == (
        1,
        1,
        0,
    )


def test_other_pages_are_read_while_a_page_executes(tmp_path):
    """The pages to execute go last in Sphinx's reading order: the prose pages are read while
    the kernels run, and a page executing is read once its run is over (and cached)."""
    import time

    from sphinx.testing.util import SphinxTestApp

    src = tiny_book(
        tmp_path / "book",
        {
            "a_slow": page(
                "a_slow",
                "import time\ntime.sleep(3)\n"
                "open('slow-ended.txt', 'w').write(repr(time.time()))",
            ),
            "z_prose": "# Prose\n\nNo code here.\n",
        },
    )
    read = {}
    app = SphinxTestApp("html", srcdir=src, builddir=src / "_build")
    app.connect(
        "source-read",
        lambda app, doc, source: read.setdefault(doc, time.time()),
    )
    try:
        app.build()
        warnings = app._warning.getvalue()
    finally:
        app.cleanup()
    assert not warnings.strip(), warnings
    ended = float((src / "slow-ended.txt").read_text())
    # (alphabetically the executed page comes first)
    assert list(read) == ["index", "z_prose", "a_slow"], read
    assert read["z_prose"] < ended <= read["a_slow"], (read, ended)
    assert runs(src, "a_slow") == 1  # myst-nb found it cached


def test_a_failing_page_runs_once_and_is_named(tmp_path):
    from sphinx.errors import ExtensionError

    src = tiny_book(
        tmp_path / "book",
        {
            "good": page("good", "x = 1"),
            "broken": page("broken", "raise ValueError('boom in a cell')"),
            "nokernel": page("nokernel", "x = 1", kernel="no-such-kernel"),
        },
    )
    with pytest.raises(ExtensionError, match="broken") as exc:
        build(src)
    assert "nokernel" in str(exc.value)  # a kernel that cannot start
    assert "good" not in str(exc.value)
    assert runs(src, "broken") == 1  # not run again by myst-nb
    assert runs(src, "good") == 1


def test_parallel_kernels_use_unix_sockets_not_ports(tmp_path):
    """Kernels started by the executor talk over unix sockets in a folder of their own (no TCP
    port is chosen, so two kernels started at once cannot race for one), with the environment
    the build gives them."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    from migbook.sphinx.execution import kernel_manager_class

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import json, os\n"
            "from ipykernel.kernelapp import IPKernelApp\n"
            "app = IPKernelApp.instance()\n"
            "print(json.dumps([app.transport, app.ip, "
            "os.environ.get('MIGBOOK_TEST_ENV')]))"
        )
    ]
    cls = kernel_manager_class(str(tmp_path), {"MIGBOOK_TEST_ENV": "given"})
    result = single_nb_execution(
        nb,
        cwd=str(tmp_path),
        timeout=60,
        allow_errors=False,
        kernel_manager_class=cls,
    )
    assert result.err is None
    transport, ip, env = json.loads(nb.cells[0].outputs[0]["text"])
    assert (transport, env) == ("ipc", "given")
    assert ip.startswith(str(tmp_path))
    assert cls().ip != cls().ip  # two managers, two folders


# ------------------------------------------------------------------ what decides re-execution
def test_only_what_kernels_import_decides_re_execution(tmp_path):
    """The inputs hash covers ``data/`` and the modules the chapters' kernels run (the kernel
    API the build hashes is exactly those); an edit to the Sphinx side (a comment in
    migbook/sphinx/report.py) or to a command-line tool changes nothing, an edit to a
    kernel-side module changes it."""
    from migbook.sphinx.inputs import (
        inputs_hash,
        kernel_modules,
        kernel_side,
    )

    chapters = sorted((ROOT / "book").glob("ch*.md"))
    assert chapters
    names = {
        p.relative_to(ROOT).as_posix()
        for p in kernel_modules(ROOT / "migbook", chapters)
    }
    assert {
        "migbook/__init__.py",
        "migbook/claims.py",
        "migbook/data.py",
        "migbook/render.py",
        "migbook/charts.py",
    } <= names
    assert not any("/sphinx/" in n for n in names)
    assert names == {
        p.relative_to(ROOT).as_posix()
        for p in kernel_side(ROOT / "migbook")
    }

    package = tmp_path / "migbook"
    shutil.copytree(
        ROOT / "migbook",
        package,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    before = inputs_hash(package, "data")
    report = package / "sphinx" / "report.py"
    report.write_text(report.read_text() + "# a comment\n")
    assert inputs_hash(package, "data") == before
    assert inputs_hash(package, "other data") != before
    claims = package / "claims.py"
    claims.write_text(claims.read_text() + "# a comment\n")
    assert inputs_hash(package, "data") != before


def test_a_failed_build_leaves_the_inputs_changed(tmp_path, monkeypatch):
    """Inputs A build; inputs B fail (after their kernels ran and were cached); back to A: the
    cache and the pages are made again, not served from the failed build."""
    from types import SimpleNamespace

    from migbook.sphinx import inputs

    cache = tmp_path / "cache"
    app = SimpleNamespace(
        doctreedir=str(tmp_path),
        outdir=str(tmp_path / "html"),
        env=SimpleNamespace(),
        config=SimpleNamespace(nb_execution_cache_path=str(cache)),
    )

    def build(data: str, exception=None) -> bool:
        monkeypatch.setattr(inputs, "data_digest", lambda: data)
        inputs._on_builder_inited(app)
        cache.mkdir(exist_ok=True)  # the kernels' outputs, cached
        inputs.build_finished(app, exception)
        return inputs.inputs_changed(app.env)

    assert build("A")  # first build: nothing recorded
    assert not build("A")  # nothing changed
    assert build("B", RuntimeError("a chapter failed"))
    assert build("A")  # back to A: changed, so the cache is cleared again
    assert not cache.exists() or not any(cache.iterdir())
    assert not build("A")
