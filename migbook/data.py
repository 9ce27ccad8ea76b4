"""Loading and validating ``data/`` (a Frictionless data package).

Every table is validated against ``data/datapackage.json`` before it is used; a malformed file
raises :class:`DataError` whose message names the file, the line and the column.
"""

from __future__ import annotations

import csv
import json
import os
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if (
    TYPE_CHECKING
):  # imported where used: the build's Sphinx process rarely needs it
    import pandas as pd


ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """The data folder: ``$MIGBOOK_DATA`` if set (tests use it), else ``<repo>/data``."""
    return Path(os.environ.get("MIGBOOK_DATA", ROOT / "data")).resolve()


class DataError(ValueError):
    """A data file does not match its schema. ``problems`` lists one message per error."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        head = f"{len(problems)} problem(s) in data/:\n  " + "\n  ".join(
            problems[:40]
        )
        if len(problems) > 40:
            head += f"\n  ... and {len(problems) - 40} more"
        super().__init__(head)


#: how to record the stats of data files after an intended edit
STATS_COMMAND = "make stats (python -m migbook.cli.validate --update-stats)"
#: frictionless errors that compare a file with the stats recorded for it
STATS_ERRORS = ("hash-count", "byte-count", "row-count")


def _expected_actual(note: str) -> tuple[str, str]:
    m = re.search(
        r'expected is "([^"]*)" and actual is "([^"]*)"', note or ""
    )
    return (m.group(1), m.group(2)) if m else ("?", "?")


def _describe_stats(path: str, err) -> str:
    """A file no longer matches the row count, size or hash recorded for it."""
    exp, act = _expected_actual(err.note)
    rec = "data/datapackage.json records"
    if err.type == "row-count":
        change = (
            "deleted" if act.isdigit() and int(act) < int(exp) else "added"
        )
        what = f"has {act} data rows but {rec} {exp} (a row {change}?)"
    elif err.type == "byte-count":
        what = f"is {act} bytes long but {rec} {exp}"
    else:
        what = (
            f"content differs from what {rec} (sha256 {act[:12]}…"
            f" instead of {exp[:12]}…): a cell altered, added or deleted?"
        )
    return f"{path}: {what} [{err.type}]"


def _describe(path: str, err) -> str:
    """One readable line for a frictionless error: file, line, column, what is wrong."""
    row = getattr(err, "row_number", None)
    field = getattr(err, "field_name", None) or ""
    label = getattr(err, "label", None)
    pos = getattr(err, "field_number", None)
    where = [path]
    if row:
        where.append(f"line {row}")
    elif err.type.endswith("label") or err.type in (
        "blank-header",
        "duplicate-label",
    ):
        where.append("line 1 (header)")
    if field:
        where.append(f"column '{field}'")
    elif label:
        where.append(f"column '{label}'")
    if pos and not field:
        where.append(f"column {pos}")
    cell = getattr(err, "cell", None)
    what = {
        "type-error": f"value {cell!r} is not of the column's type"
        + (
            " (thousands separators are not allowed)"
            if cell and "," in str(cell)
            else ""
        ),
        "primary-key": "duplicated or missing key",
        "extra-label": f"unexpected extra column {label!r}",
        "incorrect-label": f"column is named {label!r} but the schema expects {field!r}",
        "missing-label": f"column {field!r} is missing",
        "extra-cell": "row has more cells than the header (a thousands separator or stray comma?)",
        "missing-cell": "row has fewer cells than the header",
        "source-error": "file is empty or unreadable",
        "blank-row": "blank row",
    }.get(err.type, err.note or err.message)
    if err.type == "constraint-error":
        what = f"value {cell!r} breaks the constraint: {err.note}"
    return ", ".join(where) + f": {what} [{err.type}]"


def _descriptor(folder: Path) -> dict:
    path = folder / "datapackage.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(
            [f"data/datapackage.json: cannot be read: {exc}"]
        ) from exc


def _ledger_rules(folder: Path, desc: dict) -> list[str]:
    """Cross-column rules of the claims ledger that a table schema cannot state."""
    res = next(
        (r for r in desc["resources"] if r["name"] == "claims"), None
    )
    if res is None:
        return []
    path = folder / res["path"]
    problems = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            q, v, hi = (
                row.get("qualifier", ""),
                row.get("cited_value", ""),
                row.get("cited_high", ""),
            )
            at = f"data/{res['path']}, line {line}"
            if q == "blank" and v:
                problems.append(
                    f"{at}, column 'cited_value': must be empty for qualifier 'blank'"
                )
            if q != "blank" and not v:
                problems.append(
                    f"{at}, column 'cited_value': required unless qualifier is 'blank'"
                )
            if q == "between" and not hi:
                problems.append(
                    f"{at}, column 'cited_high': required for qualifier 'between'"
                )
            if q != "between" and hi:
                problems.append(
                    f"{at}, column 'cited_high': only allowed with qualifier 'between'"
                )
    return problems


#: the fixed words and settings of the chapters' ``check``/``external`` calls, one row per claim
#: (:func:`check_terms`), and the labels of their named readings (:func:`reading_terms`)
TERMS_RESOURCES = ("claim_checks", "claim_readings")
#: what a placeholder of the ledger's words may be called (``{name}``, ``{name:spec}``): a
#: name the chapter passes, or a glue key (hyphens allowed, as in ``{born-2001:g}``)
_PLACEHOLDER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def placeholders(template: str) -> list[str]:
    """The names of a template's ``{name}`` / ``{name:spec}`` placeholders (``{{``/``}}`` are
    literal braces); ``ValueError`` if a brace is unbalanced or a placeholder is not a plain
    name (no index, attribute or conversion)."""
    import string

    names = []
    for _, field, spec, conv in string.Formatter().parse(template):
        if field is None:
            continue
        if not _PLACEHOLDER_NAME.fullmatch(field) or conv or "{" in spec:
            raise ValueError(
                f"placeholder {{{field}{'!' + conv if conv else ''}"
                f"{':' + spec if spec else ''}}} is not {{name}} or "
                "{name:format}"
            )
        names.append(field)
    return names


def _claim_matches(claim: str, ids) -> list[str]:
    """The ledger ids a ``claim`` cell names: itself, or those its ``*`` pattern matches (a
    pattern stands for the claims of one loop in a chapter, which share their words)."""
    from fnmatch import fnmatchcase

    if "*" in claim:
        return [i for i in ids if fnmatchcase(i, claim)]
    return [claim] if claim in ids else []


def _terms_rules(folder: Path, desc: dict) -> list[str]:
    """Rules of the checks' terms (``claim_checks``, ``claim_readings``) that a table schema
    cannot state: every claim (or pattern) names rows of the ledger, no claim takes two rows
    (two rows with one key, for readings), ``counted_with`` and ``joint`` name ledger rows, and
    the words' placeholders are plain names."""
    by_name = {r["name"]: r for r in desc["resources"]}
    if "claims" not in by_name:
        return []
    with (folder / by_name["claims"]["path"]).open(
        encoding="utf-8", newline=""
    ) as fh:
        ids = [r["id"] for r in csv.DictReader(fh)]
    known = set(ids)
    problems = []
    for name in TERMS_RESOURCES:
        res = by_name.get(name)
        if res is None:
            continue
        seen: dict[tuple, int] = {}
        with (folder / res["path"]).open(
            encoding="utf-8", newline=""
        ) as fh:
            for line, row in enumerate(csv.DictReader(fh), start=2):
                at = f"data/{res['path']}, line {line}"
                claim = row.get("claim", "")
                matched = _claim_matches(claim, ids)
                if not matched:
                    problems.append(
                        f"{at}, column 'claim': {claim!r} is not a claim id of "
                        "data/claims.csv, nor a pattern (with *) matching one"
                    )
                for cid in matched:
                    key = (cid, row.get("key", ""))
                    if key in seen:
                        what = (
                            f"reading {key[1]!r} of claim {cid!r}"
                            if name == "claim_readings"
                            else f"claim {cid!r}"
                        )
                        problems.append(
                            f"{at}, column 'claim': {what} already has a row"
                            f" (line {seen[key]}); a claim takes one"
                        )
                    else:
                        seen[key] = line
                for column in ("counted_with", "joint"):
                    for other in row.get(column, "").split():
                        if other not in known:
                            problems.append(
                                f"{at}, column {column!r}: {other!r} is not a "
                                "claim id of data/claims.csv"
                            )
                for column in ("clause", "label"):
                    try:
                        placeholders(row.get(column, ""))
                    except ValueError as exc:
                        problems.append(f"{at}, column {column!r}: {exc}")
    return problems


def _toc_pages(book: Path) -> set[str] | None:
    """Docnames listed in ``_toc.yml`` (root, files), or None if the book has none."""
    import yaml

    toc = book / "_toc.yml"
    if not toc.exists():
        return None
    pages: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    pages.add(node[key].removesuffix(".md"))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(yaml.safe_load(toc.read_text(encoding="utf-8")))
    return pages


def _ledger_chapters(folder: Path, desc: dict) -> list[str]:
    """Every ledger row names a page of the table of contents as its chapter."""
    res = next(
        (r for r in desc["resources"] if r["name"] == "claims"), None
    )
    pages = _toc_pages(ROOT)
    if res is None or pages is None:
        return []
    problems = []
    with (folder / res["path"]).open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            chapter = row.get("chapter", "")
            if chapter and chapter not in pages:
                problems.append(
                    f"data/{res['path']}, line {line}, column 'chapter': "
                    f"{chapter!r} is not a page of the table of contents"
                    " (_toc.yml)"
                )
    return problems


def file_stats(folder: Path, path: str) -> dict:
    """Frictionless stats of one data file: sha256, bytes, rows."""
    from frictionless import Resource, system

    with system.use_context(trusted=True):
        res = Resource(path, basepath=str(folder))
        res.infer(stats=True)
    s = res.stats
    return {"sha256": s.sha256, "bytes": s.bytes, "rows": s.rows}


def update_stats(folder: Path | str | None = None) -> list[str]:
    """Record each resource's current stats in datapackage.json (after an
    intended edit of data/); return the names of the resources that changed."""
    folder = Path(folder) if folder else data_dir()
    desc = _descriptor(folder)
    changed = []
    for res in desc["resources"]:
        stats = file_stats(folder, res["path"])
        if res.get("stats") != stats:
            res["stats"] = stats
            changed.append(res["name"])
    if changed:
        (folder / "datapackage.json").write_text(
            json.dumps(desc, indent=2, ensure_ascii=False), encoding="utf-8"
        )
    _validated.cache_clear()
    return changed


def validate_package(folder: Path | str | None = None) -> None:
    """Validate every resource of the data package; raise :class:`DataError` on any problem."""
    from frictionless import Package, system

    folder = Path(folder) if folder else data_dir()
    desc = _descriptor(folder)
    listed = {r["path"] for r in desc["resources"]}
    problems = [
        f"data/{p.name}: not described in data/datapackage.json"
        for p in sorted(folder.glob("*.csv"))
        if p.name not in listed
    ]
    with system.use_context(trusted=True):
        report = Package(desc, basepath=str(folder)).validate()
    stats = [  # files that differ from their recorded stats, or have none
        f"data/{r['path']}: no row count and hash recorded in"
        " data/datapackage.json"
        for r in desc["resources"]
        if not r.get("stats")
    ]
    for task in report.tasks:
        path = f"data/{Path(task.place).name}"
        for e in task.errors:
            if e.type in STATS_ERRORS:
                stats.append(_describe_stats(path, e))
            else:
                problems.append(_describe(path, e))
    problems += [
        f"data/datapackage.json: {e.message}" for e in report.errors
    ]
    if not problems:
        problems += _ledger_rules(folder, desc)
        problems += _ledger_chapters(folder, desc)
        problems += _terms_rules(folder, desc)
    if stats:
        problems += stats + [
            "If the change is intended (or the file is new), record it with "
            + STATS_COMMAND
        ]
    if problems:
        raise DataError(problems)


def data_digest(folder: Path | str | None = None) -> str:
    """SHA-256 over every file of the data folder (names and bytes)."""
    import hashlib

    folder = Path(folder) if folder else data_dir()
    h = hashlib.sha256()
    for p in sorted(folder.iterdir()):
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


#: given by the book's build to the kernels it starts: the digest of the data/ it validated
VALIDATED_ENV = "MIGBOOK_VALIDATED"

#: digests (:func:`data_digest`) of data folders known valid in this process: validated here,
#: or by the build that started it (:func:`mark_valid`)
_VALID: set[str] = set()


def mark_valid(digest: str) -> None:
    """Record that a data folder with this digest passed validation (the build's own process,
    which validated it, or found it validated by an earlier build of this checkout)."""
    _VALID.add(digest)


@cache
def _validated(folder: str) -> dict:
    """Validate once per process; skipped where these exact bytes are known valid."""
    digest = data_digest(folder)
    if digest not in _VALID and os.environ.get(VALIDATED_ENV) != digest:
        validate_package(Path(folder))
        _VALID.add(digest)
    return _descriptor(Path(folder))


def resource_meta(name: str) -> dict:
    """The descriptor of one resource: title, paper, table, source, units, notes, schema."""
    desc = _validated(str(data_dir()))
    for res in desc["resources"]:
        if res["name"] == name:
            return res
    raise KeyError(f"no table {name!r} in data/datapackage.json")


_DTYPES = {
    "integer": "int64",
    "number": "float64",
    "string": "string",
    "boolean": "boolean",
}


class Descriptor(dict):
    """A table's descriptor as a loaded table carries it (``df.attrs["meta"]``), read-only.

    pandas deep-copies a frame's ``attrs`` into every frame made from it (each column picked,
    each sum, each division): with the whole descriptor there, that was a third of a chapter's
    computing time. Frames made from a loaded table share its descriptor instead."""

    def __deepcopy__(self, memo):
        return self

    def _read_only(self, *args, **kwargs):
        raise TypeError(
            "a table's descriptor is read-only here: edit data/datapackage.json"
        )

    __setitem__ = __delitem__ = update = pop = popitem = clear = (
        setdefault
    ) = _read_only


def load(name: str, *, index: bool = True) -> pd.DataFrame:
    """Read table ``name`` (e.g. ``"p2004_table1"``) as printed, validated, typed per its schema.

    The primary key becomes the index unless ``index=False``; ``df.attrs["meta"]`` is the table's
    descriptor (:class:`Descriptor`, as :func:`resource_meta` gives it).
    """
    import pandas as pd

    meta = resource_meta(name)
    fields = meta["schema"]["fields"]
    df = pd.read_csv(
        data_dir() / meta["path"], dtype=str, keep_default_na=False
    )
    for f in fields:
        kind = f.get("type", "string")
        if kind == "string":
            df[f["name"]] = df[f["name"]].astype("string")
        else:
            df[f["name"]] = pd.to_numeric(
                df[f["name"]].replace("", None)
            ).astype(
                _DTYPES.get(kind, "float64")
                if kind != "integer" or (df[f["name"]] != "").all()
                else "Int64"
            )
    key = meta["schema"].get("primaryKey")
    if index and key:
        df = df.set_index(key if len(key) > 1 else key[0])
    df.attrs["meta"] = Descriptor(meta)
    return df


def ledger() -> pd.DataFrame:
    """The claims ledger (cited side of every claim), indexed by claim id, all text as printed."""
    meta = resource_meta("claims")
    path = data_dir() / meta["path"]
    st = path.stat()
    # a chapter asks for it once per claim: read the file once per version of it
    return _read_ledger(str(path), st.st_mtime_ns, st.st_size).copy()


def ledger_records() -> list[dict[str, str]]:
    """The claims ledger as rows of text in file order (no pandas: the build's own process
    reads it this way)."""
    return [dict(r) for r in _ledger_by_id().values()]


def ledger_row(claim_id: str) -> dict[str, str]:
    """One ledger row, as text (``KeyError`` naming the claim if there is none)."""
    rows = _ledger_by_id()
    if claim_id not in rows:
        raise KeyError(f"claim {claim_id!r} is not in data/claims.csv")
    return dict(rows[claim_id])


def _ledger_by_id() -> dict[str, dict[str, str]]:
    path = data_dir() / resource_meta("claims")["path"]
    st = path.stat()
    # a chapter asks for rows once per claim: read the file once per version of it
    return _read_ledger_rows(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=4)
def _read_ledger_rows(
    path: str, mtime_ns: int, size: int
) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return {r["id"]: r for r in csv.DictReader(fh)}


@lru_cache(maxsize=4)
def _read_ledger(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return df.set_index("id")


def check_terms(claim_id: str) -> dict[str, str]:
    """The fixed settings and words of a claim's check, as text: the row of
    ``data/claim_checks.csv`` that names the claim, or whose ``*`` pattern matches it (the
    rules of :func:`_terms_rules` allow one); ``{}`` if none."""
    rows = [
        row
        for row in _terms_rows("claim_checks")
        if _claim_matches(row["claim"], [claim_id])
    ]
    return dict(rows[0]) if rows else {}


def reading_terms(claim_id: str) -> dict[str, dict[str, str]]:
    """The named readings of a claim: key -> its row of ``data/claim_readings.csv`` (rule,
    label, inferred), from the rows that name the claim or whose pattern matches it."""
    return {
        row["key"]: dict(row)
        for row in _terms_rows("claim_readings")
        if _claim_matches(row["claim"], [claim_id])
    }


def _terms_rows(name: str) -> list[dict[str, str]]:
    path = data_dir() / resource_meta(name)["path"]
    st = path.stat()
    return _read_terms_rows(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _read_terms_rows(
    path: str, mtime_ns: int, size: int
) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
