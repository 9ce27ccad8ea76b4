"""The command-line tools: ``python -m migbook.cli.validate`` (``make validate``, ``make stats``) and
``python -m migbook.cli.bundle run`` (re-executes the chapters of the reproduction bundle). They
import the kernel API (:mod:`migbook`), never the Sphinx side."""
