"""The compatibility module (migbook/sphinx/_compat.py): the only place that leans on other
packages' private behaviour. Each entry was checked against the versions in ``GUARDED``; when an
installed version leaves its range, this test fails: read the entry's upstream link, check the
behaviour again, then move the range and pyproject.toml's bound."""

from __future__ import annotations

import json

from migbook.sphinx import _compat


def test_installed_versions_are_the_guarded_ones():
    assert _compat.unguarded() == [], (
        "a package the compatibility module leans on changed version: re-check "
        "migbook/sphinx/_compat.py against it, then update GUARDED"
    )


def test_glue_outputs_are_read_afresh(tmp_path):
    """myst-nb's memoised reader keeps a page's old outputs; glue_outputs reads the file."""
    from myst_nb.ext.glue.crossref import read_glue_cache

    path = tmp_path / "page.glue.json"
    path.write_text(json.dumps({"k": {"data": {"text/plain": "1"}}}))
    assert read_glue_cache(str(tmp_path), "page")["k"]["data"] == {
        "text/plain": "1"
    }
    path.write_text(json.dumps({"k": {"data": {"text/plain": "2"}}}))
    assert _compat.glue_outputs(str(tmp_path), "page")["k"]["data"] == {
        "text/plain": "2"
    }


def test_a_build_owns_its_source_suffix():
    """Two builds in one process, the first with myst-parser and the second with myst-nb: each
    gets the parser its own extensions register (Sphinx 7.4 shares the default mapping)."""
    from types import SimpleNamespace

    shared = {".rst": "restructuredtext"}
    config = SimpleNamespace(source_suffix=shared)
    _compat.own_source_suffix(None, config)
    config.source_suffix[".md"] = "markdown"
    assert shared == {".rst": "restructuredtext"}


def test_reads_in_parallel_follows_the_processes_asked_for(tmp_path):
    """The executor waits for every run before Sphinx forks to read (``-j 2``), and reads the
    other pages while kernels run otherwise: the guarded attribute says which."""
    from sphinx.testing.util import SphinxTestApp

    (tmp_path / "conf.py").write_text("", encoding="utf-8")
    (tmp_path / "index.rst").write_text("Tiny\n====\n", encoding="utf-8")
    seen = {}
    for jobs in (1, 2):
        app = SphinxTestApp("html", srcdir=tmp_path, parallel=jobs)
        try:
            seen[jobs] = _compat.reads_in_parallel(app)
        finally:
            app.cleanup()
    assert seen == {1: False, 2: True}
