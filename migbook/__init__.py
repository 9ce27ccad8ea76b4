"""Helpers shared by every chapter of the book.

- :func:`load` reads a table of ``data/`` after validating the whole data package;
- :func:`check` and :func:`external` compare a recomputed figure with the cited one in the
  claims ledger (``data/claims.csv``), show a status badge and glue the result;
- :func:`figure` applies the book's chart theme, adds a source line and a text description;
- :func:`show_table` renders a printed table with its title, source and notes.
"""

import sys

from migbook.claims import (
    bounds,
    check,
    cited,
    evaluate,
    external,
    glue_cited,
    glue_value,
)
from migbook.data import (
    DataError,
    ledger,
    load,
    resource_meta,
    validate_package,
)
from migbook.tables import show_table


def __getattr__(name: str):
    # Altair is imported only where charts are made: the Sphinx process
    # that builds the book does not need it (about 0.7 s of every build)
    if name == "figure":
        from migbook.charts import figure

        return figure
    raise AttributeError(f"module 'migbook' has no attribute {name!r}")


_ipython = sys.modules.get("IPython")
if _ipython is not None and _ipython.get_ipython() is not None:
    # in a kernel (a chapter, nbval): the book's chart theme and renderer
    # are on before the first chart is shown
    import migbook.charts  # noqa: F401

__all__ = [
    "DataError",
    "load",
    "ledger",
    "resource_meta",
    "validate_package",
    "check",
    "cited",
    "external",
    "glue_cited",
    "glue_value",
    "evaluate",
    "bounds",
    "figure",
    "show_table",
]
