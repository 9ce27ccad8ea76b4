"""Inputs: ``data/`` validated before anything is read, and one hash of everything the chapters'
code reads (``data/`` and the kernel API, the helper package's top-level modules).

- A malformed data file stops the build with a message naming the file, the line and the column;
  bytes that passed validation in an earlier build of this folder are not validated again, and
  the chapters' kernels started by :mod:`migbook.sphinx.execution` are told so
  (``MIGBOOK_VALIDATED`` in their environment, ``migbook_kernel_env``).
- When the inputs hash changed, myst-nb's execution cache is cleared (jupyter-cache keys on code
  cells only, so a changed ledger row would otherwise leave a stale status) and every page is read
  again (:func:`inputs_changed`).
"""

from __future__ import annotations

import ast
import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from migbook.data import (
    ROOT,
    VALIDATED_ENV,
    DataError,
    data_digest,
    mark_valid,
    validate_package,
)

logger = logging.getLogger(__name__)
PACKAGE = ROOT / "migbook"


IMPORT_RE = re.compile(r"^\s*(?:from|import)\s+(migbook(?:\.\w+)*)", re.M)


def _module_files(package: Path, name: str) -> list[Path]:
    """The files Python runs to import ``name`` (a module of ``package``): its own and each
    enclosing package's ``__init__.py``."""
    parts = name.split(".")
    out = []
    for i in range(1, len(parts) + 1):
        base = package.parent.joinpath(*parts[:i])
        for f in (base / "__init__.py", base.with_suffix(".py")):
            if f.is_file():
                out.append(f)
                break
    return out


def kernel_modules(package: Path, sources: list[Path]) -> list[Path]:
    """The helper package's files the chapters' kernels run: the modules their pages import,
    and the modules those import (at any depth, inside functions too). Parsing them takes a
    tenth of a second or two, so the build does not: the tests check with it that these are
    the top-level modules the build hashes (:func:`kernel_side`)."""
    names = {
        m
        for src in sources
        for m in IMPORT_RE.findall(src.read_text(encoding="utf-8"))
    }
    seen: set[Path] = set()
    todo = [f for n in names for f in _module_files(package, n)]
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                # ``from migbook import charts`` imports a module too
                found = [node.module] + [
                    f"{node.module}.{a.name}" for a in node.names
                ]
            else:
                continue
            for name in found:
                if name.split(".")[0] == package.name:
                    todo.extend(_module_files(package, name))
    return sorted(seen)


def kernel_side(package: Path) -> list[Path]:
    """The kernel API: the package's top-level modules. By the package's layout these are
    exactly the modules the chapters' kernels run (``tests/test_layout.py`` checks it against
    :func:`kernel_modules`), so the build finds them without parsing any source."""
    return sorted(package.glob("*.py"))


def inputs_hash(package: Path, data: str) -> str:
    """One SHA-256 over ``data`` (the digest of ``data/``, :func:`migbook.data.data_digest`) and
    the kernel API (:func:`kernel_side`): what a chapter's outputs can depend on besides its own
    cells. The Sphinx side, templates and tools are not in it: editing them executes nothing."""
    h = hashlib.sha256(data.encode())
    for p in kernel_side(package):
        h.update(
            p.relative_to(package).as_posix().encode()
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
    mark_valid(data_sum)  # this process need not validate it again
    # the kernels this build starts need not validate it again (migbook.sphinx.execution)
    config.migbook_kernel_env = {VALIDATED_ENV: data_sum}


@dataclass
class InputsState:
    """This build's inputs hash, and whether it differs from the last finished build's; on the
    environment as ``env.migbook_inputs``, written by this module only."""

    digest: str = ""
    changed: bool = True


def inputs_changed(env) -> bool:
    """The inputs differ from those of the last build that finished, or a build with other
    inputs has failed since (every page is read and executed again)."""
    st = getattr(env, "migbook_inputs", None)
    return st.changed if isinstance(st, InputsState) else True


def _on_builder_inited(app: Sphinx) -> None:
    digest = inputs_hash(PACKAGE, data_digest())
    stamp = _stamp(app)
    st = InputsState(
        digest, not stamp.exists() or stamp.read_text() != digest
    )
    app.env.migbook_inputs = st
    if st.changed:
        # until a build with these inputs finishes, no stamp: a build that fails after its
        # kernels ran (their outputs cached, some pages' doctrees written) must not leave the
        # last good build's stamp behind, or reverting the inputs to it would serve those
        # outputs as current
        stamp.unlink(missing_ok=True)
        cache = Path(
            app.config.nb_execution_cache_path
            or Path(app.outdir).parent / ".jupyter_cache"
        )
        if cache.exists():
            logger.info(
                "[migbook] data/ or the kernel-side modules changed: clearing the execution cache"
            )
            shutil.rmtree(cache)


def build_finished(app: Sphinx, exception) -> None:
    if exception is None:
        _stamp(app).write_text(app.env.migbook_inputs.digest)


def setup_inputs(app: Sphinx) -> None:
    app.connect("config-inited", _on_config_inited)
    app.connect("builder-inited", _on_builder_inited)
