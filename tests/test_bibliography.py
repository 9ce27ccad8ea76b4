"""The reference list's formatted entries are remembered between builds (migbook.sphinx.bibliography)."""

import pickle
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from pybtex.database import parse_file
from pybtex.plugin import find_plugin

from migbook.sphinx import bibliography as bib

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fresh(monkeypatch):
    memo = bib.FormattedEntries()
    monkeypatch.setattr(bib, "FORMATTED", memo)
    return memo


def rendered(style, entries):
    return {
        e.key: (e.label, e.text.render_as("text"))
        for e in style.format_entries(entries)
    }


def test_entries_are_formatted_once_and_read_back_the_same(
    fresh, tmp_path, monkeypatch
):
    entries = list(
        parse_file(ROOT / "book" / "references.bib").entries.values()
    )
    calls = []
    plain = bib.PlainStyle.format_entry

    def counting(self, label, entry, bib_data=None):
        calls.append(entry.key)
        return plain(self, label, entry, bib_data=bib_data)

    monkeypatch.setattr(bib.PlainStyle, "format_entry", counting)
    first = rendered(bib.AuthorYearStyle(), entries)
    assert len(calls) == len(entries) > 50
    assert rendered(bib.AuthorYearStyle(), entries) == first
    assert len(calls) == len(entries)  # the second pass formats nothing

    fresh.save(tmp_path)
    assert (tmp_path / fresh.FILE).exists()
    later = bib.FormattedEntries()
    later.load(tmp_path)
    monkeypatch.setattr(bib, "FORMATTED", later)
    assert rendered(bib.AuthorYearStyle(), entries) == first
    assert len(calls) == len(
        entries
    )  # a later build formats nothing either

    # an edited entry is formatted again, and only it
    entries[0].fields["title"] = "Another title"
    again = rendered(bib.AuthorYearStyle(), entries)
    assert len(calls) == len(entries) + 1
    assert "Another title" in again[entries[0].key][1]
    assert "Another title" not in first[entries[0].key][1]


def test_another_version_starts_afresh(fresh, tmp_path):
    with open(tmp_path / fresh.FILE, "wb") as f:
        pickle.dump(("pybtex 0:old source", {"k": "stale"}), f)
    fresh.load(tmp_path)
    assert fresh.entries == {}
    (tmp_path / fresh.FILE).write_bytes(b"not a pickle")
    fresh.load(tmp_path)
    assert fresh.entries == {}


def test_the_backend_registered_is_the_one_its_entry_point_names():
    group, name = "pybtex.backends", "plaintext"
    (entry,) = entry_points(group=group, name=name)
    bib._register_backend(None)
    assert find_plugin(group, name) is entry.load()
