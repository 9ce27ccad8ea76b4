"""Notebook pages executed in parallel, each ready when Sphinx reads it.

myst-nb (``nb_execution_mode = "cache"``) executes a notebook page whose code is not in its
jupyter-cache while Sphinx reads the page, one page after another. Here, once Sphinx knows which
pages it will read (``env-before-read-docs``), those whose code is not cached start at the same
time, one thread and one kernel each (at most ``migbook_execution_workers``; by default one more
than the machine has cores, a kernel also waits), through jupyter-cache's public API as myst-nb's
own cache client does: ``single_nb_execution``, then ``cache_notebook_bundle``. The same handler
puts them last in Sphinx's list of pages to read (the event lets a handler reorder it), so Sphinx
reads the other pages while they run; when Sphinx is about to read one of them (``source-read``)
the build waits for its run, caches it, and myst-nb then finds its outputs in the cache. The
cache is written from the build's own thread, each page as soon as its run is seen to be over,
and the event ``migbook-page-executed`` is emitted for it, so that work on its outputs (drawing
its charts: :mod:`migbook.sphinx.chart_render`) fills the time the build waits for the other
pages. Where Sphinx reads in parallel (``-j``, forked processes), every run ends before the
handler returns.

A page is taken as myst-nb takes it: its reader, its kernel name after ``nb_kernel_rgx_aliases``,
its own ``mystnb`` metadata. A page whose configuration is not ``cache`` mode (``execution_mode:
off``, say), runs in a temporary folder, matches ``nb_execution_excludepatterns`` or lets its
errors pass (``execution_raise_on_error: false``, where myst-nb renders the partial outputs) is
left to myst-nb. A page that fails is a warning naming the page, with its traceback, and the build
stops (``nb_execution_raise_on_error``) before myst-nb reads it: a failing page runs once.

Kernels talk over unix sockets in a folder of their own (:func:`kernel_manager_class`): no TCP
port is chosen, so kernels started at once cannot race for one. Set ``migbook_execute_in_parallel
= False`` to leave execution to myst-nb.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import tempfile
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from migbook.sphinx._compat import reads_in_parallel

logger = logging.getLogger(__name__)

#: the event emitted, in the build's own thread, for each page executed here as soon as it is
#: cached, while the other pages may still run: ``(app, docname, notebook)`` with the outputs
PAGE_EXECUTED = "migbook-page-executed"


def kernel_manager_class(folder: str, env: dict[str, str] | None = None):
    """A kernel manager whose kernels talk over unix sockets in a folder of their own under
    ``folder`` (its traits ``transport`` and ``ip``), with ``env`` added to their environment."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

        @default("ip")
        def _default_ip(self):
            own = Path(folder) / uuid.uuid4().hex[:12]
            own.mkdir(parents=True, exist_ok=True)
            return str(own / "k")

        async def start_kernel(self, **kw):
            if env:
                kw["env"] = {**kw.get("env", os.environ), **env}
            return await super().start_kernel(**kw)

    return IPCKernelManager


@dataclass
class Page:
    """A notebook page to execute: what myst-nb would run while reading it."""

    docname: str
    path: Path
    nb: object  # nbformat.NotebookNode, read as myst-nb reads it
    timeout: int | None
    allow_errors: bool


def page_config(env, nb):
    """The page's myst-nb configuration, with its kernel alias applied to ``nb`` (as myst-nb's
    parser does before it looks the notebook up in the cache)."""
    from myst_nb.core.nb_to_tokens import nb_node_to_dict

    cfg = env.mystnb_config
    spec = nb.metadata.get("kernelspec", {})
    name = spec.get("name")
    for rgx, alias in (cfg.kernel_rgx_aliases or {}).items():
        if name is not None and re.fullmatch(rgx, name):
            spec["name"] = alias
            break
    if cfg.metadata_key in nb.metadata:
        overrides = nb_node_to_dict(nb.metadata[cfg.metadata_key])
        overrides.pop("output_folder", None)
        cfg = cfg.copy(**overrides)  # invalid metadata: myst-nb warns
    return cfg


def pages_to_run(env, docnames: list[str], cache):
    """The pages among ``docnames`` that myst-nb would execute in cache mode, one by one (each
    can start while the next is read)."""
    from myst_nb.core.read import create_nb_reader

    for doc in docnames:
        path = Path(env.doc2path(doc))
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(
            str(path), env.myst_config, env.mystnb_config, text
        )
        if reader is None:
            continue
        nb = reader.read(text)
        try:
            cfg = page_config(env, nb)
        except Exception:  # myst-nb reports the page's invalid metadata
            continue
        posix = PurePosixPath(path.as_posix())
        if (
            cfg.execution_mode != "cache"
            or cfg.execution_in_temp
            or not cfg.execution_raise_on_error
            or any(posix.match(p) for p in cfg.execution_excludepatterns)
            or not any(c.cell_type == "code" for c in nb.cells)
        ):
            continue
        with contextlib.suppress(KeyError):
            cache.match_cache_notebook(nb)
            continue  # its outputs are cached
        yield Page(
            doc, path, nb, cfg.execution_timeout, cfg.execution_allow_errors
        )


def _execute(page: Page, manager) -> object:
    """In a worker thread: run the page's notebook in place (jupyter-cache's
    ``single_nb_execution``, as myst-nb calls it); its ExecutionResult."""
    from jupyter_cache.executors.utils import single_nb_execution

    try:
        return single_nb_execution(
            page.nb,
            cwd=str(page.path.parent),
            timeout=page.timeout,
            allow_errors=page.allow_errors,
            meta_override=True,
            kernel_manager_class=manager,
        )
    finally:
        # the event loop nbclient made for this thread
        with contextlib.suppress(Exception):
            loop = asyncio.get_event_loop_policy().get_event_loop()
            if not loop.is_running():
                loop.close()
                asyncio.set_event_loop(None)


class PageRuns:
    """The notebook pages this build executes: started at ``env-before-read-docs`` (:meth:`start`),
    each waited for and cached when Sphinx is about to read it (:meth:`before_read`), all over
    by the time the environment is updated (:meth:`finish`). One per Sphinx application; it
    alone starts, caches and reports the runs."""

    def __init__(self) -> None:
        self.runs: dict[
            str, tuple[Page, object]
        ] = {}  # docname -> (page, future)
        self.failed: list[str] = []
        self.done = 0
        self.pool = self.folder = self.cache = None
        self.started = 0.0

    def start(self, app: Sphinx, env, docnames: list[str]) -> None:
        """``env-before-read-docs``: start the pages to read whose code is not cached, and put
        them last in the list Sphinx reads, in the order they started."""
        cfg = getattr(env, "mystnb_config", None)
        if cfg is None or not app.config.migbook_execute_in_parallel:
            return
        from jupyter_cache import get_cache

        self.cache = get_cache(cfg.execution_cache_path or ".jupyter_cache")
        workers = app.config.migbook_execution_workers or (
            (os.cpu_count() or 1) + 1
        )
        self.started = time.perf_counter()
        for page in pages_to_run(env, docnames, self.cache):
            if self.pool is None:
                self.folder = tempfile.TemporaryDirectory(
                    prefix="migbook-kernels-"
                )
                self.pool = ThreadPoolExecutor(workers)
                manager = kernel_manager_class(
                    self.folder.name, dict(app.config.migbook_kernel_env)
                )
            logger.info(f"{page.path}: Executing notebook (in parallel)")
            self.runs[page.docname] = (
                page,
                self.pool.submit(_execute, page, manager),
            )
        if not self.runs:
            return
        if reads_in_parallel(
            app
        ):  # Sphinx forks to read: every run ends first
            self.finish(app)
            return
        ran = list(self.runs)
        docnames[:] = [d for d in docnames if d not in self.runs] + ran

    def before_read(
        self, app: Sphinx, docname: str, source: list[str]
    ) -> None:
        """``source-read``: cache the runs that are over; for a page that is executing, wait
        for its run first. A failed run stops the build once every run is over."""
        if not self.runs:
            return
        if docname in self.runs:
            wait([self.runs[docname][1]])
        self._collect(app)
        if self.failed:
            self.finish(app)

    def _collect(self, app: Sphinx, block: bool = False) -> None:
        """Cache each run that is over and emit ``migbook-page-executed`` for it; with
        ``block``, until every run is over."""
        from jupyter_cache.base import CacheBundleIn

        while self.runs:
            if block:
                wait(
                    [f for _, f in self.runs.values()],
                    return_when=FIRST_COMPLETED,
                )
            over = [d for d, (_, f) in self.runs.items() if f.done()]
            if not over:
                return
            for doc in over:
                page, run = self.runs.pop(doc)
                try:
                    result = run.result()
                    error = result.err and (
                        f"{result.err.__class__.__name__}\n{result.exc_string}"
                    )
                except Exception as exc:  # no kernel, a kernel that died...
                    error = f"{exc.__class__.__name__}: {exc}"
                if error:
                    logger.warning(
                        f"executing the notebook failed: {error}",
                        location=page.docname,
                        type="migbook",
                        subtype="exec",
                    )
                    self.failed.append(page.docname)
                    continue
                self.cache.cache_notebook_bundle(
                    CacheBundleIn(
                        page.nb,
                        str(page.path),
                        data={"execution_seconds": result.time},
                    ),
                    check_validity=False,
                    overwrite=True,
                )
                self.done += 1
                # while the other pages still run (their charts drawn, say)
                app.emit(PAGE_EXECUTED, page.docname, page.nb)

    def finish(self, app: Sphinx, *_args) -> None:
        """Wait for every run, cache it, and close the pool and the kernels' folder; raise if
        a run failed. (Also at ``env-updated`` and ``build-finished``: nothing is left running.)"""
        if self.pool is None:
            return
        try:
            self._collect(app, block=True)
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.folder.cleanup()
            self.pool = self.folder = None
        total = self.done + len(self.failed)
        logger.info(
            f"[migbook] executed {total} notebook page(s) in parallel in "
            f"{time.perf_counter() - self.started:.1f} s"
        )
        if self.failed:
            raise ExtensionError(
                "executing these notebook pages failed (see the warnings "
                f"above): {', '.join(self.failed)}"
            )


def setup_execution(app: Sphinx) -> None:
    app.add_config_value("migbook_execute_in_parallel", True, "", bool)
    # kernels at a time; 0: one more than the machine has cores
    app.add_config_value("migbook_execution_workers", 0, "", int)
    # added to the environment of the kernels started here (set by migbook.sphinx.inputs)
    app.add_config_value("migbook_kernel_env", {}, "", dict)
    app.add_event(PAGE_EXECUTED)
    runs = PageRuns()
    app.connect("env-before-read-docs", runs.start)
    app.connect("source-read", runs.before_read)
    app.connect("env-updated", lambda app, env: runs.finish(app))
    app.connect("build-finished", lambda app, exc: runs.finish(app))


def setup(app: Sphinx) -> dict:
    """On its own (the tiny books of the tests): ``extensions = [..., "migbook.sphinx.execution"]``."""
    from migbook.sphinx._compat import own_source_suffix

    app.connect("config-inited", own_source_suffix)
    setup_execution(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
