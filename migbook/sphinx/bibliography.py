"""Bibliography labels in the same author–year style as the in-text citations.

``bibtex_reference_style: author_year`` makes sphinxcontrib-bibtex cite as "[Delgado-Wise, 2004]",
but the reference list keeps the default ``alpha`` labels ("[DW04]"). This registers a pybtex label
style that writes the same "Author, year" labels ("A and B" for two authors, "A et al." for more;
"a", "b" appended when two entries would share a label) and a formatting style using it, and
makes it the book's default.

Two costs of the reference list are paid once, not on every build, both through pybtex's public
plugin API (the style is this module's own class):

- sphinxcontrib-bibtex formats every entry of the bibliography at each build's ``env-updated``,
  even when nothing changed (twice with tooltips on). :class:`AuthorYearStyle` remembers each
  entry it formats, keyed on the label and the entry's type, key, fields and people, and the
  remembered entries are kept between builds in the doctree folder
  (``migbook-bibliography.pickle``, with the pybtex version and this module's source; any
  other version starts afresh). A no-change rebuild formats nothing; an edited entry is
  formatted again.
- Resolving each citation asks pybtex for its ``plaintext`` backend, and pybtex looks that up
  among the installed entry points every time (a scan of every installed distribution, about
  25 ms; 94 citations). :func:`_register_backend` registers the class that entry point names
  with ``pybtex.plugin.register_plugin``, pybtex's own way to register a plugin at run time,
  which its lookup consults first: the same class, found without the scan.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import Counter
from pathlib import Path

from pybtex.plugin import find_plugin, register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.application import Sphinx

STYLE = "migbook-author-year"


def _last(person) -> str:
    return " ".join(person.prelast_names + person.last_names)


def author_year(entry) -> str:
    people = (
        entry.persons.get("author") or entry.persons.get("editor") or []
    )
    names = [_last(p) for p in people]
    if not names:
        who = (
            entry.fields.get("organization")
            or entry.fields.get("key")
            or entry.key
        )
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    who = who.replace("{", "").replace("}", "")
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [author_year(e) for e in entries]
        count = Counter(labels)
        seen: Counter = Counter()
        for label in labels:
            if count[label] > 1:
                seen[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            else:
                yield label


class FormattedEntries:
    """The entries :class:`AuthorYearStyle` has formatted, by :func:`entry_key`; kept between
    builds in the doctree folder. Its one writer is this module."""

    FILE = "migbook-bibliography.pickle"

    def __init__(self) -> None:
        self.entries: dict[str, object] = {}
        self.changed = False

    @staticmethod
    def version() -> str:
        import pybtex

        source = Path(__file__).read_bytes()
        return f"{pybtex.__version__}:{hashlib.sha256(source).hexdigest()}"

    def load(self, folder: Path) -> None:
        self.entries, self.changed = {}, False
        try:
            with open(folder / self.FILE, "rb") as f:
                version, entries = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError):
            return  # none yet, or unreadable: format afresh
        if version == self.version():
            self.entries = entries

    def save(self, folder: Path) -> None:
        if self.changed:
            folder.mkdir(parents=True, exist_ok=True)
            with open(folder / self.FILE, "wb") as f:
                pickle.dump((self.version(), self.entries), f)
            self.changed = False


FORMATTED = FormattedEntries()


def entry_key(label: str, entry) -> str:
    """What a formatted entry depends on: its label and the entry's type, key, fields and
    people."""
    people = [
        (role, [str(p) for p in persons])
        for role, persons in entry.persons.items()
    ]
    text = repr(
        (label, entry.type, entry.key, list(entry.fields.items()), people)
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AuthorYearStyle(PlainStyle):
    default_label_style = STYLE

    def format_entry(self, label, entry, bib_data=None):
        """pybtex's formatting of the entry, remembered in :data:`FORMATTED`."""
        key = entry_key(label, entry)
        done = FORMATTED.entries.get(key)
        if done is None:
            done = super().format_entry(label, entry, bib_data=bib_data)
            FORMATTED.entries[key] = done
            FORMATTED.changed = True
        return done


register_plugin("pybtex.style.labels", STYLE, AuthorYearLabels)
register_plugin("pybtex.style.formatting", STYLE, AuthorYearStyle)


def _on_config_inited(app: Sphinx, config) -> None:
    config.bibtex_default_style = STYLE


def _register_backend(app: Sphinx) -> None:
    """Register pybtex's ``plaintext`` backend at run time (the class its entry point names)."""
    group, name = "pybtex.backends", "plaintext"
    register_plugin(group, name, find_plugin(group, name), force=True)


def _load_formatted(app: Sphinx) -> None:
    FORMATTED.load(Path(app.doctreedir))


def _save_formatted(app: Sphinx, exception) -> None:
    if exception is None:
        FORMATTED.save(Path(app.doctreedir))


def setup_bibliography(app: Sphinx) -> None:
    app.connect("config-inited", _on_config_inited)
    # when pages are about to be written, where citations are resolved: a build that writes
    # nothing does not pay for the lookup (Sphinx 7.3's ``write-started``)
    app.connect(
        "write-started", lambda app, builder: _register_backend(app)
    )
    app.connect("builder-inited", _load_formatted)
    app.connect("build-finished", _save_formatted)
