"""Inputs: ``data/`` validated before anything is read, and one hash of everything the chapters'
code reads (``data/`` and the helper package).

- A malformed data file stops the build with a message naming the file, the line and the column;
  bytes that passed validation in an earlier build of this folder are not validated again, and
  the chapters' kernels (started from this process) are told so (``MIGBOOK_VALIDATED``).
- When the inputs hash changed, myst-nb's execution cache is cleared (jupyter-cache keys on code
  cells only, so a changed ledger row would otherwise leave a stale status) and every page is read
  again (:func:`migbook.sphinx.collector.state` holds the flag).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from migbook.data import (
    ROOT,
    VALIDATED_ENV,
    DataError,
    data_digest,
    validate_package,
)

logger = logging.getLogger(__name__)
PACKAGE = ROOT / "migbook"


def inputs_hash() -> str:
    """One SHA-256 over ``data/`` (:func:`migbook.data.data_digest`) and the helper package's code
    and templates: what a chapter's output can depend on besides its own cells."""
    h = hashlib.sha256(data_digest().encode())
    for p in sorted(PACKAGE.rglob("*")):
        if (
            p.is_file()
            and p.suffix in (".py", ".html", ".txt")
            and "__pycache__" not in p.parts
        ):
            h.update(
                p.relative_to(PACKAGE).as_posix().encode()
                + b"\0"
                + p.read_bytes()
            )
    return h.hexdigest()


def _stamp(app) -> Path:
    return Path(app.doctreedir) / "migbook-inputs.sha256"


def _on_config_inited(app: Sphinx, config) -> None:
    """Validate ``data/`` first of all (once per version of its files), and tell the kernels
    started from here on that it is valid (:data:`migbook.data.VALIDATED_ENV`)."""
    data_sum = data_digest()
    valid = Path(app.doctreedir) / "migbook-valid-data.sha256"
    if not (valid.exists() and valid.read_text() == data_sum):
        try:
            validate_package()
        except DataError as exc:
            raise ExtensionError(
                f"data/ does not match data/datapackage.json; nothing is built.\n{exc}"
            ) from exc
        valid.parent.mkdir(parents=True, exist_ok=True)
        valid.write_text(data_sum)
    os.environ[VALIDATED_ENV] = data_sum


def _on_builder_inited(app: Sphinx) -> None:
    from migbook.sphinx.collector import state

    digest = inputs_hash()
    stamp = _stamp(app)
    st = state(app.env)
    st.inputs_hash = digest
    st.inputs_changed = not stamp.exists() or stamp.read_text() != digest
    if st.inputs_changed:
        cache = Path(
            app.config.nb_execution_cache_path
            or Path(app.outdir).parent / ".jupyter_cache"
        )
        if cache.exists():
            logger.info(
                "[migbook] data/ or migbook/ changed: clearing the execution cache"
            )
            shutil.rmtree(cache)


def _on_build_finished(app: Sphinx, exception) -> None:
    if exception is None:
        from migbook.sphinx.collector import state

        _stamp(app).write_text(state(app.env).inputs_hash)


def setup_inputs(app: Sphinx) -> None:
    # before the kernels started early (migbook.execution, priority 900)
    app.connect("config-inited", _on_config_inited, priority=100)
    app.connect("builder-inited", _on_builder_inited)
    app.connect(
        "build-finished", _on_build_finished, priority=900
    )  # after the outputs are written
