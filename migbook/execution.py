"""Build speed: notebook pages execute in parallel, from the moment the build starts; pages that
show other pages' results are written again only when those results change (see
:mod:`migbook.sphinx.collector`); the bibliography is formatted only when what it depends on
changed; pybtex's plugin look-up is memoised.

**Parallel execution.** myst-nb (``execute_notebooks: cache``) executes each notebook page when
Sphinx reads it, one after another. Here, as soon as the builder is set up (``builder-inited``),
the pages Sphinx is going to read whose code is not in the jupyter-cache yet start executing,
each in a thread of its own, one more kernel at a time than the machine has cores (a kernel also
waits). A MyST page's kernel is started from its front matter even before its code is looked up
in the cache (for a page edited since the last build, before the saved environment is even
loaded: ``config-inited``), and stopped unused if the code is there (a prose edit); a kernel is
stopped at once when its page is done, every output being in. Each kernel talks to its thread
over unix sockets in a folder of its own (IPC transport): no TCP port is chosen, so two kernels
started at once cannot race for one (with TCP that hung a build once). nbformat checks each
output a kernel sends; here with fastjsonschema (:func:`fast_part_validation`). Sphinx sets up
and reads the other pages meanwhile, then each executed page, waiting for its run to end
(``source-read``): myst-nb finds its outputs in the cache, as on a rebuild. A
low-priority process draws each executed notebook's charts (vl-convert) meanwhile, into the
build's chart cache. Set ``MIGBOOK_PARALLEL_EXECUTION=0`` to leave execution to myst-nb.

Nothing else changes: the cache, its keys (the code cells) and the outputs are myst-nb's. A page
that fails here is left out of the cache, so myst-nb executes it again while reading and reports
the error itself, as it would without this module.

myst-nb 1.4 has a gap on a cache hit: the page is rendered from the cached outputs, but the
notebook it writes to its output folder (``jupyter_execute/<page>.ipynb``, which the book
publishes) is the source, with no outputs. After each notebook page is read
(``doctree-read``), a written notebook with code cells never run is replaced by the cached,
executed one.

**The bibliography.** sphinxcontrib-bibtex formats every reference after reading, on every build
(about a second here): skipped when the works cited, the bibliography directives and the bib
files are as they were (:func:`bibliography_key`). It also asks ``pybtex.plugin.find_plugin``
for the same style class a hundred times or more; each call scans every installed package's
entry points (about 30 ms here). The look-up is memoised per (group, name): plugins are classes
registered at install time, so the answer cannot change within a build.

**Garbage collection.** Python's cycle collector walks every object the build holds; with the
environment, the doctrees and the extensions loaded, each full pass takes a tenth of a second or
more, and the interpreter makes one more at exit (about a second in all here, for an edit of one
chapter). What exists when the builder is set up (modules, extensions, the saved environment) is
set aside from the collector while Sphinx reads and writes (``gc.freeze``), and handed back when
the build finishes, so a process that goes on (a test session) can collect it; at the process's
exit the collector is skipped (:func:`quiet_collector`).

Hooked from the book's extension ``setup`` with one line:
``app.setup_extension("migbook.execution")``.
"""

from __future__ import annotations

import contextlib
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


def kernel_manager_class(folder: str):
    """A kernel manager whose kernels talk over unix sockets in a folder of their own under
    ``folder``: no TCP ports, so two kernels started at once cannot race for one."""
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class _IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

        @default("ip")
        def _default_ip(self):
            own = Path(folder) / uuid.uuid4().hex[:12]
            own.mkdir(parents=True, exist_ok=True)
            return str(own / "k")

    return _IPCKernelManager


#: the run in progress: executor, futures by docname, start time, socket folder
_RUN: dict = {}


#: set to 0 to execute notebook pages one at a time, while Sphinx reads them (myst-nb's way)
PARALLEL_ENV = "MIGBOOK_PARALLEL_EXECUTION"


def _to_read(app: Sphinx, env) -> list[str]:
    """The pages Sphinx will read, as far as can be told before it looks: new pages and pages
    whose source is newer than their last reading (every page when the inputs changed)."""
    from migbook.sphinx.collector import state

    docs = app.project.discover(
        app.config.exclude_patterns, app.config.include_patterns
    )
    if state(env).inputs_changed:
        return sorted(docs)
    out = []
    for doc in sorted(docs):
        read_at = env.all_docs.get(doc)
        path = Path(env.doc2path(doc))
        if read_at is None or (
            path.is_file() and path.stat().st_mtime_ns // 1000 > read_at
        ):
            out.append(doc)
    return out


def chart_specs(nb) -> list[tuple[str, dict]]:
    """(chart id, Vega-Lite spec) of every chart a notebook's outputs hold, glued or shown."""
    import json

    from migbook.render import CHART_MIME, chart_id, json_data

    found = {}
    for cell in nb.cells:
        for out in (
            cell.get("outputs", []) if cell.cell_type == "code" else []
        ):
            for mime, value in (out.get("data") or {}).items():
                if mime == CHART_MIME or mime.endswith("/" + CHART_MIME):
                    spec = json.loads(
                        json.dumps(json_data(value))
                    )  # plain dicts
                    found[chart_id(spec)] = spec
    return sorted(found.items())


def _nice() -> None:
    """The chart process yields the processor to the kernels."""
    with contextlib.suppress(OSError):
        os.nice(10)


def _draw_charts_ahead(nb) -> None:
    """Hand the charts of a notebook just executed to the chart process: those not drawn yet
    (a chart whose spec is unchanged is in the cache already, and an edit that leaves every
    chart as it was starts no process at all)."""
    pool = _RUN.get("charts")
    if pool is None:
        return
    cache = Path(_RUN["chart_cache"])
    charts = [
        c
        for c in chart_specs(nb)
        if c[0] not in _CHARTS and not (cache / f"{c[0]}.png").exists()
    ]
    if not charts:
        return
    from migbook.sphinx.charts import draw_ahead

    future = pool.submit(draw_ahead, _RUN["chart_cache"], charts)
    for cid, _spec in charts:
        _CHARTS[cid] = future


#: chart id -> the chart process's job that draws it
_CHARTS: dict = {}


def wait_for_chart(chart_id: str) -> None:
    """Wait until the chart process has drawn ``chart_id``, if it was given it (a failure there
    is ignored: the chart is then drawn where it is needed, which reports the error)."""
    future = _CHARTS.pop(chart_id, None)
    if future is not None:
        with contextlib.suppress(Exception):
            future.result()


#: nbclient's own default for the kernels it starts: no history file
_NO_HISTORY = "--HistoryManager.hist_file=:memory:"


def _peek_kernel(path: Path) -> str | None:
    """The kernel a MyST notebook page names in its front matter (``kernelspec: name:``), read
    without parsing the page; None for any other page."""
    import yaml

    if path.suffix != ".md" or not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    end = text.find("\n---", 3)
    if not text.startswith("---") or end < 0:
        return None
    try:
        meta = yaml.safe_load(text[3:end])
    except yaml.YAMLError:
        return None
    spec = meta.get("kernelspec") if isinstance(meta, dict) else None
    name = spec.get("name") if isinstance(spec, dict) else None
    return name if isinstance(name, str) else None


def _run_page(
    path: Path, kernel: str | None, decision, done, folder: str, slots
) -> None:
    """In a thread of its own: start the page's kernel at once, while the main thread finds out
    whether the page must run (``decision``: the job, the kernel the page names and the cache's
    path, or None when its code is cached); run it if so, and report in ``done`` (see
    :func:`_execute_one`) before the kernel is stopped. ``slots`` bounds the kernels running at
    once."""
    from jupyter_core.utils import run_sync

    with slots:
        km = None
        try:
            if kernel and not (
                decision.done() and decision.result() is None
            ):
                km = kernel_manager_class(folder)(kernel_name=kernel)
                run_sync(km.start_kernel)(
                    cwd=str(path.parent), extra_arguments=[_NO_HISTORY]
                )
            decided = decision.result()
            if decided is not None:
                job, wanted, cache_path = decided
                if km is not None and wanted != kernel:
                    # the page names another kernel than its front matter seemed to
                    _stop(km)
                    km = None
                done.set_result(_execute_one(job, cache_path, folder, km))
        except Exception:  # myst-nb executes the page again and reports it
            if not done.done():
                done.set_result(2)
        finally:
            if not done.done():
                done.set_result(3)  # nothing to run
            if km is not None:
                _stop(km)
            _close_loop()


def _close_loop() -> None:
    """Close the event loop jupyter_core's ``run_sync`` made for this thread, which ends here."""
    import asyncio

    with contextlib.suppress(Exception):
        loop = asyncio.get_event_loop_policy().get_event_loop()
        if not loop.is_running():
            loop.close()


def _stop(km) -> None:
    """Stop a kernel at once (every output is in, its history is in memory)."""
    from jupyter_core.utils import run_sync

    with contextlib.suppress(Exception):
        run_sync(km.shutdown_kernel)(now=True)


def _execute_one(job: tuple, cache_path: str, folder: str, km=None) -> int:
    """Execute one cached project notebook in this thread, into the cache (as jupyter-cache's
    own workers do), in the kernel of ``km`` if given (left running) or in one of its own.
    Returns 0 (cached), 1 (a cell failed) or 2 (could not run)."""
    from jupyter_cache import get_cache
    from jupyter_cache.cache.db import NbProjectRecord
    from jupyter_cache.executors.utils import create_cache_bundle

    pk, uri, timeout, allow_errors = job
    cache = get_cache(cache_path)  # its own database connection
    try:
        project_nb = cache.get_project_notebook(pk)
        seconds, error = _run(
            project_nb.nb,
            str(Path(uri).parent),
            timeout,
            allow_errors,
            km,
            folder,
        )
        if error:
            NbProjectRecord.set_traceback(uri, error, cache.db)
            return 1
        cache.cache_notebook_bundle(
            create_cache_bundle(project_nb, None, None, seconds, None),
            check_validity=False,
            overwrite=True,
        )
        _draw_charts_ahead(project_nb.nb)
        _EXECUTED[str(Path(uri).absolute())] = project_nb.nb
        return 0
    except Exception:  # myst-nb executes the page again and reports it
        return 2


def _run(nb, cwd: str, timeout, allow_errors, km, folder: str):
    """Run ``nb`` in place with nbclient, as jupyter-cache's ``single_nb_execution`` does (the
    notebook's ``execution`` metadata may set the timeout and allow_errors). Returns (seconds,
    the traceback of a failed cell or None)."""
    import traceback

    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    meta = nb.metadata.get("execution", {})
    client = NotebookClient(
        nb,
        resources={"metadata": {"path": cwd}},
        km=km,
        kernel_manager_class=kernel_manager_class(folder),
        timeout=meta.get("timeout", timeout),
        allow_errors=meta.get("allow_errors", allow_errors),
        record_timing=False,  # cell metadata is part of the cache's key
        # every output is in once the last cell has run: a kernel started here is stopped at
        # once rather than asked to shut down (half a second), its history being in memory
        shutdown_kernel="immediate",
    )
    start = time.perf_counter()
    try:
        client.execute()
        error = None
    except (CellExecutionError, CellTimeoutError):
        error = traceback.format_exc()
    finally:
        if km is not None and client.kc is not None:
            client.kc.stop_channels()  # the kernel is the caller's to stop
    return time.perf_counter() - start, error


def _wanted(config) -> bool:
    """Parallel execution applies: myst-nb's cache mode, in the source folder, not turned off."""
    return (
        getattr(config, "nb_execution_mode", None) == "cache"
        and not getattr(config, "nb_execution_in_temp", False)
        and os.environ.get(PARALLEL_ENV, "1") != "0"
    )


def _folder() -> str:
    """The run's folder for its kernels' sockets, made on first use, with the run's slots: one
    more kernel at a time than the machine has cores (a kernel also waits: start-up, imports,
    messages)."""
    if "folder" not in _RUN:
        import tempfile
        import threading

        _RUN["folder"] = tempfile.mkdtemp(prefix="migbook-kernels-")
        _RUN["slots"] = threading.BoundedSemaphore(
            (os.cpu_count() or 1) + 1
        )
        _RUN["threads"] = []
    return _RUN["folder"]


def _submit(path: Path, kernel: str | None) -> tuple:
    """A page's run, in a thread of its own: its (decision, done) futures (see
    :func:`_run_page`). The thread is a daemon: one still waiting for its decision when the build
    fails before its builder is set up must not keep the process from exiting (its kernel stops
    when it sees its parent gone)."""
    import threading
    from concurrent.futures import Future

    folder = _folder()
    decision, done = Future(), Future()
    thread = threading.Thread(
        target=_run_page,
        args=(path, kernel, decision, done, folder, _RUN["slots"]),
        name=f"migbook-execute-{path.stem}",
        daemon=True,
    )
    thread.start()
    _RUN["threads"].append(thread)
    _RUN.setdefault("decisions", []).append(decision)
    return decision, done


#: source path -> (decision, done) of a page whose kernel started at config-inited
_EARLY: dict = {}


def start_kernels_early(app: Sphinx, config) -> None:
    """``config-inited``: before the saved environment is loaded, start the kernels of the MyST
    notebook pages edited since the last build (newer than the saved environment), one more than
    the machine has cores: the pages an author just changed. :func:`start_execution` hands each
    its run, or has it stopped unused. ``data/`` is validated before
    (:mod:`migbook.sphinx.inputs`): the kernels are told it is."""
    saved = Path(app.doctreedir) / "environment.pickle"
    if not _wanted(config) or not saved.is_file():
        return  # a first build: the kernels start once the builder is set up
    from sphinx.project import Project

    since = saved.stat().st_mtime_ns
    project = Project(app.srcdir, config.source_suffix)
    for doc in sorted(
        project.discover(config.exclude_patterns, config.include_patterns)
    ):
        if len(_EARLY) > (os.cpu_count() or 1):
            break
        path = Path(project.doc2path(doc, absolute=True))
        if path.stat().st_mtime_ns > since and (
            kernel := _peek_kernel(path)
        ):
            _EARLY[str(path.absolute())] = _submit(path, kernel)


def start_execution(app: Sphinx) -> None:
    """``builder-inited``: start executing, in background threads (one more than the machine
    has cores), the notebook pages Sphinx will read whose code is not in myst-nb's cache, so the
    kernels start while Sphinx is still setting up and reading the other pages. A MyST page's
    kernel is started from its front matter before its code is looked up in the cache (at
    ``config-inited`` for a page edited since the last build, see :func:`start_kernels_early`),
    and stopped unused if the code is there."""
    try:
        _start_execution(app)
    finally:
        # a page not to run after all (its code is cached, or this failed): its kernel is stopped
        for decision in _RUN.get("decisions", []):
            if not decision.done():
                decision.set_result(None)
        _EARLY.clear()


def _start_execution(app: Sphinx) -> None:
    env = app.env
    cfg = getattr(env, "mystnb_config", None)
    if cfg is None or not _wanted(app.config):
        return
    docs = _to_read(app, env)
    early = {
        doc: kernel
        for doc in docs
        if (kernel := _peek_kernel(Path(env.doc2path(doc))))
    }
    # _pending reads and hashes each page: when MyST pages may run, their kernels start first
    pending = None if early else _pending(app, env, docs)
    if not early and not pending:
        return
    from jupyter_cache.cache.db import NbProjectRecord

    cache = _cache(env)
    cache_path = str(cache.path)
    if app.builder.format == "html":
        # one more process draws the charts of each notebook as soon as it has run (vl-convert
        # holds the interpreter's lock: a thread would stall the build), at low priority; made
        # before any run is handed out, so that none finishes without it
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _RUN["chart_cache"] = str(Path(app.doctreedir) / "migbook-charts")
        _RUN["charts"] = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_nice,
        )
    runs = {}
    for doc, kernel in early.items():
        path = Path(env.doc2path(doc))
        runs[doc] = _EARLY.pop(str(path.absolute()), None) or _submit(
            path, kernel
        )
    futures = {}
    if pending is None:
        pending = _pending(app, env, docs)
    for doc, path, nb, read_fmt in pending:
        record = (
            cache.add_nb_to_project(str(path), read_data=read_fmt)
            if read_fmt is not None
            else cache.add_nb_to_project(str(path))  # as myst-nb does
        )
        NbProjectRecord.remove_tracebacks([record.pk], cache.db)
        if doc not in runs:
            runs[doc] = _submit(Path(path), None)
        job = (
            record.pk,
            record.uri,
            cfg.execution_timeout,
            cfg.execution_allow_errors,
        )
        runs[doc][0].set_result(
            (job, nb.metadata.get("kernelspec", {}).get("name"), cache_path)
        )
        futures[doc] = runs[doc][1]
        logger.info(f"{path}: Executing notebook (in parallel) [migbook]")
    _RUN.update(futures=futures, start=time.perf_counter())


def read_executed_last(app: Sphinx, env, docnames: list[str]) -> None:
    """``env-before-read-docs``: Sphinx reads the pages being executed last."""
    running = _RUN.get("futures", {})
    if running:
        docnames[:] = [d for d in docnames if d not in running] + [
            d for d in docnames if d in running
        ]


def wait_for_execution(app: Sphinx, docname: str, source: list) -> None:
    """``source-read``: a page being executed is read once its run is done."""
    future = _RUN.get("futures", {}).get(docname)
    if future is not None:
        future.result()


def finish_execution(*_args) -> list:
    """Wait for the run in progress, if any, and log what it did."""
    if "folder" not in _RUN:
        return []
    import shutil

    run = dict(_RUN)
    codes = {doc: f.result() for doc, f in run.get("futures", {}).items()}
    _EXECUTED.clear()  # every page is read by now
    for thread in run["threads"]:  # a kernel left unused is being stopped
        thread.join()
    _RUN.clear()
    if "charts" in run:
        # its jobs finish; the pages wait for theirs
        run["charts"].shutdown(wait=False)
    shutil.rmtree(run["folder"], ignore_errors=True)
    left = [doc for doc, code in codes.items() if code != 0]
    if not codes:
        return []
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

    # not validated here (nbformat.reads and writes would, twice): the page's published
    # notebook is validated when it is written (migbook.sphinx.notebooks)
    nb = nbformat.v4.reads(out.read_text(encoding="utf-8"))
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code or any(c.get("execution_count") for c in code):
        return  # executed in this process: already complete
    executed = _EXECUTED.pop(
        str(Path(env.doc2path(env.docname)).absolute()), None
    )
    if (
        executed is not None
    ):  # run in this build: no need to read it back from the cache
        merged = merge_executed(nb, executed)
    else:
        try:
            _pk, merged = _cache(env).merge_match_into_notebook(nb)
        except KeyError:
            return
    out.write_text(nbformat.v4.writes(merged), encoding="utf-8")


#: the notebooks executed in this build, by source path (kept until the page is read)
_EXECUTED: dict = {}


def merge_executed(nb, executed):
    """What jupyter-cache's ``merge_match_into_notebook`` makes of ``nb`` (the page's notebook as
    myst-nb read it), with the notebook executed in this build in place of the copy it cached:
    its code cells, keeping the ids of ``nb``'s, and the kernel's metadata."""
    for key in ("kernelspec", "language_info", "widgets"):
        if key in executed.metadata:
            nb.metadata[key] = executed.metadata[key]
    ran = iter([c for c in executed.cells if c.cell_type == "code"])
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            new = next(ran)
            if nb.nbformat_minor >= 5:
                new["id"] = cell.get("id")
            else:
                new.pop("id", None)
            nb.cells[i] = new
    return nb


def fast_part_validation() -> None:
    """Check notebook parts with fastjsonschema, as nbformat already checks whole notebooks.

    nbformat validates every output nbclient receives from a kernel, and every cell a reader
    makes, against one definition of its schema (``nbformat.v4.nbbase.validate(node, ref)``).
    For a part it uses jsonschema, at about a millisecond each: half a second of a chapter's
    run for its 500 outputs, in the build's own process. Here a part is checked by
    fastjsonschema against the same definition (compiled once per definition); one that fails is
    checked again by nbformat's own function, so the error raised is nbformat's usual one."""
    import json

    import nbformat.v4
    import nbformat.v4.nbbase as nbbase

    original = nbbase.validate
    if getattr(original, "migbook_fast", False):
        return
    try:
        import fastjsonschema
    except ImportError:  # nbformat falls back to jsonschema too
        return
    folder = Path(nbformat.v4.__file__).parent
    schema = json.loads(
        (folder / nbformat.v4.nbformat_schema[(None, None)]).read_text(
            encoding="utf-8"
        )
    )

    @functools.cache
    def compiled(ref: str):
        return fastjsonschema.compile(
            {
                "$schema": schema["$schema"],
                "definitions": schema["definitions"],
                "$ref": f"#/definitions/{ref}",
            }
        )

    def validate(node, ref=None):
        if ref is not None and ref in schema["definitions"]:
            try:
                compiled(ref)(node)
                return None
            except fastjsonschema.JsonSchemaException:
                pass
        return original(node, ref=ref)

    validate.migbook_fast = True
    nbbase.validate = validate


def quiet_collector(app: Sphinx) -> None:
    """``builder-inited``: set aside from the cycle collector what the build holds by now; at
    the process's exit, skip the collector's last pass (the objects are dropped anyway)."""
    import atexit
    import gc

    gc.freeze()
    atexit.unregister(gc.freeze)  # once per process
    atexit.register(gc.freeze)


def collector_back(app: Sphinx, exception) -> None:
    """``build-finished``: hand what was set aside back to the collector."""
    import gc

    gc.unfreeze()


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


def bibliography_key(env) -> str:
    """What sphinxcontrib-bibtex's formatting after reading depends on: each bibliography
    directive (files, style, filter, prefixes, listed keys, citation node ids), which keys each
    page cites, the bib files' versions, and the tooltip settings."""
    import ast
    import hashlib

    domain = env.get_domain("cite")
    parts = [
        repr(
            (
                env.config.bibtex_tooltips,
                env.config.bibtex_tooltips_style,
                sorted(
                    (str(k), v.mtime)
                    for k, v in domain.bibdata.bibfiles.items()
                ),
            )
        )
    ]
    for key, bib in sorted(domain.bibliographies.items()):
        parts.append(
            repr(
                (
                    tuple(key),
                    [str(p) for p in bib.bibfiles],
                    bib.style,
                    bib.list_,
                    bib.enumtype,
                    bib.start,
                    bib.labelprefix,
                    bib.keyprefix,
                    ast.dump(bib.filter_),
                    bib.keys,
                    sorted(
                        (k, tuple(n["ids"]))
                        for k, n in bib.citation_nodes.items()
                    ),
                )
            )
        )
    parts.append(
        repr(
            sorted(
                {
                    (ref.docname, target.key)
                    for ref in domain.citation_refs
                    for target in ref.targets
                }
            )
        )
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def skip_unchanged_bibliography(app: Sphinx) -> None:
    """``builder-inited``: sphinxcontrib-bibtex formats every reference after reading, on every
    build (about a second here). Its citations are kept in the saved environment; when nothing
    they depend on changed (:func:`bibliography_key`: an edit that cites the same works), they
    are still right and the formatting is skipped."""
    listeners = app.events.listeners.get("env-updated", [])
    for i, listener in enumerate(listeners):
        handler = listener.handler
        if getattr(handler, "__module__", "") != "sphinxcontrib.bibtex":
            continue

        def unless_unchanged(app, env, _handler=handler):
            domain = env.get_domain("cite")
            key = bibliography_key(env)
            if domain.citations and domain.data.get("migbook-key") == key:
                return []
            domain.data["migbook-key"] = ""
            result = _handler(app, env)
            domain.data["migbook-key"] = key
            return result

        listeners[i] = listener._replace(handler=unless_unchanged)


def setup(app: Sphinx) -> dict:
    # after myst-nb's configuration and the inputs check (which may clear the cache)
    # after the data is validated and the table of contents read (sphinx-external-toc)
    app.connect("config-inited", start_kernels_early, priority=900)
    app.connect("builder-inited", start_execution, priority=950)
    app.connect("env-before-read-docs", read_executed_last)
    app.connect("source-read", wait_for_execution)
    app.connect("doctree-read", publish_cached_outputs)
    app.connect("env-updated", finish_execution)  # in case none was read
    app.connect("builder-inited", skip_unchanged_bibliography)
    app.connect("builder-inited", quiet_collector, priority=999)
    app.connect("build-finished", collector_back, priority=999)
    memoise_pybtex_plugins()
    fast_part_validation()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
