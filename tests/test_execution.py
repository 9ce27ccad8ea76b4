"""Build speed helpers (migbook.execution) that need no build."""

import json

import pybtex.plugin

from migbook import execution


def test_pybtex_plugin_lookup_is_memoised():
    execution.memoise_pybtex_plugins()
    find = pybtex.plugin.find_plugin
    assert getattr(find, "migbook_memoised", False)
    style = find("pybtex.style.formatting", "plain")
    assert find("pybtex.style.formatting", "plain") is style
    assert find.cache_info().hits >= 1
    # sphinxcontrib-bibtex's roles imported the function by name
    import sphinxcontrib.bibtex.roles as roles

    assert roles.find_plugin is find
    execution.memoise_pybtex_plugins()  # idempotent
    assert pybtex.plugin.find_plugin is find


def test_nothing_waits_when_nothing_runs():
    assert execution.finish_execution() == []
    execution.wait_for_execution(None, "book/ch1_export_model", [""])


def test_parallel_kernels_use_unix_sockets_not_ports(tmp_path):
    """Kernels started by the parallel execution talk over unix sockets in a folder of their
    own: no TCP port is chosen, so two kernels started at once cannot race for one."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

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
            "print(json.dumps([app.transport, app.ip]))"
        )
    ]
    managers = []
    cls = execution.kernel_manager_class(str(tmp_path))

    class Recording(cls):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            managers.append(self)

    result = single_nb_execution(
        nb,
        cwd=str(tmp_path),
        timeout=60,
        allow_errors=False,
        kernel_manager_class=Recording,
    )
    assert result.err is None
    transport, ip = json.loads(nb.cells[0].outputs[0]["text"])
    assert transport == "ipc"
    assert ip.startswith(str(tmp_path)) and managers[0].transport == "ipc"
    # two managers get two folders
    assert cls().ip != cls().ip


def test_notebook_parts_checked_fast_with_nbformats_own_errors():
    """Outputs and cells are checked by fastjsonschema against the same schema definition; an
    invalid one still raises nbformat's own error, with its message."""
    import nbformat.v4 as v4
    import nbformat.v4.nbbase as nbbase
    import pytest
    from nbformat import ValidationError

    execution.fast_part_validation()
    assert getattr(nbbase.validate, "migbook_fast", False)
    execution.fast_part_validation()  # idempotent
    out = v4.new_output("display_data", data={"text/plain": "1.5"})
    assert out["data"] == {"text/plain": "1.5"}
    v4.new_code_cell("x = 1", outputs=[out])
    with pytest.raises(ValidationError, match="is not valid under any"):
        v4.new_output("display_data", data={"text/plain": 1.5})
    with pytest.raises(ValidationError):
        v4.new_markdown_cell(source=1)


def test_charts_already_drawn_start_no_chart_process(tmp_path, monkeypatch):
    """An edit that leaves every chart as it was hands nothing to the chart process."""
    import nbformat

    from migbook.render import CHART_MIME, chart_id

    spec = {"mark": "bar", "description": "d"}
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "",
                outputs=[
                    nbformat.v4.new_output(
                        "display_data", data={CHART_MIME: spec}
                    )
                ],
            )
        ]
    )

    class Pool:
        submitted = []

        def submit(self, fn, *args):
            self.submitted.append(args)

    pool = Pool()
    monkeypatch.setattr(execution, "_CHARTS", {})
    monkeypatch.setitem(execution._RUN, "charts", pool)
    monkeypatch.setitem(execution._RUN, "chart_cache", str(tmp_path))
    (tmp_path / f"{chart_id(spec)}.png").write_bytes(b"png")
    execution._draw_charts_ahead(nb)
    assert pool.submitted == []
    (tmp_path / f"{chart_id(spec)}.png").unlink()
    execution._draw_charts_ahead(nb)
    assert [c for _, charts in pool.submitted for c, _ in charts] == [
        chart_id(spec)
    ]


def test_collector_set_aside_during_the_build_only():
    import atexit
    import gc

    execution.quiet_collector(None)
    try:
        assert gc.get_freeze_count() > 0
    finally:
        execution.collector_back(None, None)
    assert gc.get_freeze_count() == 0
    atexit.unregister(
        gc.freeze
    )  # this test session collects at exit as usual


def test_merge_executed_is_jupyter_caches_merge(tmp_path):
    """A page run in this build is merged from memory exactly as jupyter-cache merges it from
    its cache."""
    import copy

    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.executors.utils import create_cache_bundle

    src = tmp_path / "page.ipynb"
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "P"}},
        cells=[
            nbformat.v4.new_markdown_cell("# A page"),
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_markdown_cell("Between."),
            nbformat.v4.new_code_cell("x"),
        ],
    )
    nbformat.write(nb, str(src))
    cache = get_cache(str(tmp_path / "cache"))
    project = cache.get_project_notebook(
        cache.add_nb_to_project(str(src)).pk
    )
    executed = project.nb
    executed.metadata["language_info"] = {"name": "python"}
    executed.cells[3].execution_count = 2
    executed.cells[3].outputs = [
        nbformat.v4.new_output(
            "execute_result", data={"text/plain": "1"}, execution_count=2
        )
    ]
    cache.cache_notebook_bundle(
        create_cache_bundle(project, None, None, 0.1, None),
        check_validity=False,
    )
    read = nbformat.read(str(src), as_version=4)
    _pk, expected = cache.merge_match_into_notebook(copy.deepcopy(read))
    got = execution.merge_executed(
        copy.deepcopy(read), copy.deepcopy(executed)
    )
    assert nbformat.v4.writes(got) == nbformat.v4.writes(expected)
    assert got.cells[3].outputs[0]["data"]["text/plain"] == "1"


def test_a_run_never_decided_for_lets_the_process_exit(tmp_path):
    """A page's run waits for the main thread's decision; if the build fails before its builder
    is set up, none comes: the waiting thread must not keep the process from exiting."""
    import subprocess
    import sys

    code = (
        "from pathlib import Path\n"
        "from migbook import execution\n"
        "decision, done = execution._submit(Path('page.md'), None)\n"
        "assert not decision.done()\n"
        "raise SystemExit(3)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        timeout=60,
        capture_output=True,
    )
    assert proc.returncode == 3, proc.stderr.decode()
