"""Helpers shared by every chapter of the book.

- :func:`load` reads a table of ``data/`` after validating the whole data package;
- :func:`check` and :func:`external` compare a recomputed figure with the cited one in the
  claims ledger (``data/claims.csv``), show a status badge and glue the result;
- :func:`figure` applies the book's chart theme, adds a source line and a text description;
- :func:`show_table` renders a printed table with its title, source and notes.
"""

from migbook.charts import figure
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
