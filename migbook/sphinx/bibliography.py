"""Bibliography labels in the same author–year style as the in-text citations.

``bibtex_reference_style: author_year`` makes sphinxcontrib-bibtex cite as "[Delgado-Wise, 2004]",
but the reference list keeps the default ``alpha`` labels ("[DW04]"). This registers a pybtex label
style that writes the same "Author, year" labels ("A and B" for two authors, "A et al." for more;
"a", "b" appended when two entries would share a label) and a formatting style using it, and
makes it the book's default.
"""

from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
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


class AuthorYearStyle(PlainStyle):
    default_label_style = STYLE


register_plugin("pybtex.style.labels", STYLE, AuthorYearLabels)
register_plugin("pybtex.style.formatting", STYLE, AuthorYearStyle)


def _on_config_inited(app: Sphinx, config) -> None:
    config.bibtex_default_style = STYLE


def setup_bibliography(app: Sphinx) -> None:
    app.connect("config-inited", _on_config_inited)
