"""Build speed: the notebook pages a build must execute can run in parallel (opt-in, set
MIGBOOK_PARALLEL_EXECUTION=1: see PARALLEL_ENV); pybtex's plugin look-up is memoised.

myst-nb (``execute_notebooks: cache``) executes each notebook page when Sphinx reads it, one after
another. Before reading starts (``env-before-read-docs``), this module finds the pages that will
be read and whose code is not in the jupyter-cache yet, and starts executing them all at once
with the workers of jupyter-cache's own parallel executor (``local-parallel``: a process pool
as wide as the machine). Sphinx reads the other pages meanwhile (the event may reorder the
pages to read), then each executed page, waiting for its run to end (``source-read``):
myst-nb finds its outputs in the cache, as on a rebuild.

Nothing else changes: the cache, its keys (the code cells) and the outputs are myst-nb's. A page
that fails here is left out of the cache, so myst-nb executes it again while reading and reports
the error itself, as it would without this module.

myst-nb 1.4 has a gap on a cache hit: the page is rendered from the cached outputs, but the
notebook it writes to its output folder (``jupyter_execute/<page>.ipynb``, which the book
publishes) is the source, with no outputs. After each notebook page is read
(``doctree-read``), a written notebook with code cells never run is replaced by the cached,
executed one.

Every build (a rebuild with nothing changed too) formats the bibliography, and resolves each
citation, through sphinxcontrib-bibtex, which asks ``pybtex.plugin.find_plugin`` for the same
style class a hundred times or more; each call scans every installed package's entry points
(about 30 ms here, so seconds a build). The look-up is memoised per (group, name): plugins are
classes registered at install time, so the answer cannot change within a build.

Hooked from the book's extension ``setup`` with one line:
``app.setup_extension("migbook.execution")``.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from pathlib import Path, PurePosixPath

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _pending(app: Sphinx, env, docnames: list[str]) -> list[tuple]:
    """(docname, path, notebook, read format) of each page to read whose
    outputs are not cached."""
    from myst_nb.core.read import create_nb_reader

    cfg = env.mystnb_config
    cache = _cache(env)
    out = []
    for doc in docnames:
        path = Path(env.doc2path(doc))
        if not path.is_file():
            continue
        posix = PurePosixPath(path.as_posix())
        if any(posix.match(p) for p in cfg.execution_excludepatterns):
            continue
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), env.myst_config, cfg, text)
        if reader is None:
            continue
        nb = reader.read(text)
        if not any(c.cell_type == "code" for c in nb.cells):
            continue
        try:
            cache.match_cache_notebook(nb)
        except KeyError:
            out.append((doc, path, nb, reader.read_fmt))
    return out


def _cache(env):
    from jupyter_cache import get_cache

    return get_cache(
        env.mystnb_config.execution_cache_path or ".jupyter_cache"
    )


#: the run in progress: pool, pending result, its docnames, start time
_RUN: dict = {}


#: set to 1 to execute the pending notebook pages in parallel (make bench does)
PARALLEL_ENV = "MIGBOOK_PARALLEL_EXECUTION"


def execute_pending(app: Sphinx, env, docnames: list[str]) -> None:
    """``env-before-read-docs``: start executing the uncached notebook pages,
    in parallel, into myst-nb's cache; read the other pages meanwhile."""
    cfg = getattr(env, "mystnb_config", None)
    if (
        cfg is None
        or cfg.execution_mode != "cache"
        or cfg.execution_in_temp
    ):
        return
    # opt-in: on a loaded 2-core machine two kernels started at once by forked workers
    # can race for a port (ipykernel's heartbeat then fails to bind) and the build hangs;
    # the book's own `make book` and `make test` therefore execute one page at a time
    if os.environ.get(PARALLEL_ENV) != "1":
        return
    pending = _pending(app, env, docnames)
    if not pending or (os.cpu_count() or 1) < 2:
        return
    import multiprocessing

    from jupyter_cache.cache.db import NbProjectRecord
    from jupyter_cache.executors.basic import (
        ExecutionWorkerLocalMProc,
        ProcessData,
    )

    cache = _cache(env)
    jobs = []
    for _doc, path, _nb, read_fmt in pending:
        record = cache.add_nb_to_project(str(path), read_data=read_fmt)
        NbProjectRecord.remove_tracebacks([record.pk], cache.db)
        jobs.append(
            ProcessData(
                record.pk,
                record.uri,
                cache,
                cfg.execution_timeout,
                cfg.execution_allow_errors,
            )
        )
        logger.info(f"{path}: Executing notebook (in parallel) [migbook]")
    # jupyter-cache's ``local-parallel`` executor, run asynchronously: the
    # pool is made (forked) here, in the main thread, before reading starts
    pool = multiprocessing.get_context("fork").Pool(
        min(len(jobs), os.cpu_count() or 1)
    )
    result = pool.map_async(ExecutionWorkerLocalMProc(), jobs, chunksize=1)
    pool.close()
    docs = [d for d, *_ in pending]
    _RUN.update(
        pool=pool, result=result, docs=set(docs), start=time.perf_counter()
    )
    # Sphinx reads the pages that need no execution first (this event may
    # reorder the list), then waits for the rest as it reaches them
    docnames[:] = [d for d in docnames if d not in _RUN["docs"]] + docs


def wait_for_execution(app: Sphinx, docname: str, source: list) -> None:
    """``source-read``: a page being executed is read once its run is done."""
    if docname in _RUN.get("docs", ()):
        finish_execution()


def finish_execution(*_args) -> list:
    """Wait for the run in progress, if any, and log what it did."""
    if "result" not in _RUN:
        return []
    run = dict(_RUN)
    _RUN.clear()
    codes = run["result"].get()  # (0 ok | 1 excepted | 2 errored, uri)
    run["pool"].join()
    left = [uri for code, uri in codes if code != 0]
    logger.info(
        f"[migbook] executed {len(codes) - len(left)} of {len(codes)} "
        f"notebook page(s) in parallel in "
        f"{time.perf_counter() - run['start']:.1f} s"
        + (f"; left to myst-nb: {', '.join(left)}" if left else "")
    )
    return []


def publish_cached_outputs(app: Sphinx, doctree) -> None:
    """``doctree-read``: the notebook myst-nb wrote for this page carries the
    cached outputs (not only the source) when myst-nb took them from the cache."""
    env = app.env
    cfg = getattr(env, "mystnb_config", None)
    if cfg is None or cfg.execution_mode != "cache":
        return
    out = Path(cfg.output_folder) / f"{env.docname}.ipynb"
    if not out.is_file():
        return
    import nbformat

    nb = nbformat.reads(out.read_text(encoding="utf-8"), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code or any(c.get("execution_count") for c in code):
        return  # executed in this process: already complete
    try:
        _pk, merged = _cache(env).merge_match_into_notebook(nb)
    except KeyError:
        return
    out.write_text(nbformat.writes(merged), encoding="utf-8")


def memoise_pybtex_plugins() -> None:
    """Make ``pybtex.plugin.find_plugin`` look each (group, name) up once."""
    try:
        import pybtex.plugin as plugins
    except ImportError:  # no bibliography support installed
        return
    original = plugins.find_plugin
    if getattr(original, "migbook_memoised", False):
        return
    find = functools.lru_cache(maxsize=None)(original)
    find.migbook_memoised = True
    plugins.find_plugin = find
    # modules that imported the function by name (sphinxcontrib-bibtex's roles)
    for name, module in list(sys.modules.items()):
        if name.startswith(("pybtex", "sphinxcontrib.bibtex")) and (
            getattr(module, "find_plugin", None) is original
        ):
            module.find_plugin = find


def setup(app: Sphinx) -> dict:
    # before myst-nb reads (and would execute) the first page
    app.connect("env-before-read-docs", execute_pending)
    app.connect("source-read", wait_for_execution)
    app.connect("doctree-read", publish_cached_outputs)
    app.connect("env-updated", finish_execution)  # in case none was read
    memoise_pybtex_plugins()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
