"""Build speed helpers (migbook.execution) that need no build."""

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
