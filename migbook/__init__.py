"""Helpers shared by every chapter of the book.

- :func:`load` reads a table of ``data/`` after validating the whole data package;
- :func:`check` and :func:`external` (:mod:`migbook.notebook`) compare a recomputed figure with the
  cited one in the claims ledger (``data/claims.csv``) under the judging policy of
  :mod:`migbook.claims` (``RULES``), show a status badge and glue the result;
- :class:`Reading` and :func:`component_rounding` name the alternative readings a check allows;
- :func:`figure` applies the book's chart theme, adds a source line and a text description;
- :func:`show_table` renders a printed table with its title, source and notes.
"""

import sys

from migbook.claims import (
    RULES,
    Reading,
    bounds,
    component_rounding,
    evaluate,
)
from migbook.data import (
    DataError,
    ledger,
    load,
    resource_meta,
    validate_package,
)
from migbook.notebook import (
    check,
    cited,
    cited_text,
    external,
    glue_cited,
    glue_value,
    glue_values,
    withdraw,
)
from migbook.render import fmt_number
from migbook.tables import show_table

__all__ = [
    "DataError",
    "load",
    "ledger",
    "resource_meta",
    "validate_package",
    "check",
    "cited",
    "cited_text",
    "external",
    "glue_cited",
    "glue_value",
    "glue_values",
    "withdraw",
    "evaluate",
    "bounds",
    "RULES",
    "Reading",
    "component_rounding",
    "fmt_number",
    "figure",
    "show_table",
]


def __getattr__(name: str):
    # Altair is imported only where charts are made: the Sphinx process that builds the book
    # does not need it (about 0.7 s of every build)
    if name == "figure":
        from migbook.charts import figure

        return figure
    raise AttributeError(f"module 'migbook' has no attribute {name!r}")


_ipython = sys.modules.get("IPython")
if (
    _ipython is not None
    and _ipython.get_ipython() is not None
    and "altair" in sys.modules
):
    # in a kernel (a chapter, nbval) that has imported Altair: the book's chart theme and
    # renderer are on before the first chart is shown. A chapter that draws imports Altair
    # first, or ``figure`` (which loads them); one that draws nothing does not import Altair
    # at all (about 0.4 s of CPU a kernel). A chart shown through Altair's own renderer would
    # load its scripts from a CDN, which tests/test_book.py refuses.
    import migbook.charts  # noqa: F401
