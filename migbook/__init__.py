"""Helpers shared by every chapter of the book.

- :func:`load` reads a table of ``data/`` after validating the whole data package;
- :func:`check` and :func:`external` (:mod:`migbook.notebook`) compare a recomputed figure with the
  cited one in the claims ledger (``data/claims.csv``) under the judging policy of
  :mod:`migbook.claims` (``RULES``), show a status badge and glue the result;
- :class:`Reading` and :func:`component_rounding` name the alternative readings a check allows;
- :func:`figure` applies the book's chart theme, adds a source line and a text description;
- :func:`show_table` renders a printed table with its title, source and notes.
"""
from migbook.data import DataError, load, ledger, resource_meta, validate_package
from migbook.claims import RULES, Reading, bounds, component_rounding, evaluate
from migbook.notebook import (check, cited, cited_text, external, glue_cited, glue_value,
                              glue_values)
from migbook.render import fmt_number
from migbook.charts import figure
from migbook.tables import show_table

__all__ = ["DataError", "load", "ledger", "resource_meta", "validate_package", "check", "cited",
           "cited_text", "external", "glue_cited", "glue_value", "glue_values", "evaluate", "bounds", "RULES", "Reading",
           "component_rounding", "fmt_number", "figure", "show_table"]
