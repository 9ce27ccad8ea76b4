"""What pages share, gathered by one :class:`~sphinx.environment.collectors.EnvironmentCollector`.

While a page is read, the collector notes its claim records (each travels in the claim's badge
output, glued under the claim id; read with myst-nb's own glue reader) and whether it holds a placeholder filled from other
pages. After reading (``env-updated``), the records are joined with the ledger into the rows every
placeholder and export uses (:func:`rows`); a ledger row never checked, checked twice or on
another page fails the build.

Pages that show other pages' results are never read again because another page was: their
placeholders are filled when the page is written (``doctree-resolved``), so they are written
again, and only then, when the joined rows changed (the digest of the rows of the last build
that finished is kept in ``<doctrees>/migbook-rows.sha256``). A rebuild with nothing changed reads and writes nothing; an edit that leaves every claim
as it was rewrites only the edited page.

What this module gathers lives in one object on the environment, :func:`state` (``env.migbook``),
written here only; whether the inputs changed is :mod:`.inputs`'s (:func:`~.inputs.inputs_changed`).
The pages that hold the report and the policy are configuration (``migbook_report_page``,
``migbook_policy_page``).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.errors import ExtensionError
from sphinx.util import logging

from migbook.data import ledger_records, resource_meta
from migbook.render import CLAIM_MIME, json_data, value_label
from migbook.sphinx._compat import glue_outputs
from migbook.sphinx.inputs import inputs_changed

logger = logging.getLogger(__name__)


@dataclass
class BookState:
    records: dict[str, dict[str, dict]] = field(
        default_factory=dict
    )  # docname -> claim id -> record
    dynamic: set[str] = field(
        default_factory=set
    )  # pages holding a placeholder
    declared: dict[str, dict[str, dict]] = field(
        default_factory=dict
    )  # docname -> claim id -> record of a claim the ledger declares ({claims-declared})
    rows: list[dict] | None = None
    read_now: set[str] = field(
        default_factory=set
    )  # pages read in this build
    written_now: bool = False  # a page was written in this build
    # the joined rows differ from those of the last build that finished
    rows_changed: bool = True


def state(env) -> BookState:
    if not isinstance(getattr(env, "migbook", None), BookState):
        env.migbook = BookState()
    elif not hasattr(
        env.migbook, "declared"
    ):  # a pickled environment of an older build
        env.migbook.declared = {}
    return env.migbook


def mark_dynamic(env) -> None:
    """The page being read holds a placeholder filled from other pages: read it on every build."""
    state(env).dynamic.add(env.docname)


def check_page(env, option: str, what: str) -> None:
    """Warn unless the page being read is the one the configuration ``option`` names for
    ``what`` (the links to it are made from the configuration)."""
    wanted = env.config[option]
    if env.docname != wanted:
        logger.warning(
            f"{what} is on this page, but {option} is {wanted!r}: the links to it "
            f"would be broken (set {option} = {env.docname!r})",
            location=env.docname,
        )


def declare(env, cid: str, record: dict) -> None:
    """The page being read places the badge of a claim the ledger declares on its own."""
    st = state(env)
    placed = st.declared.setdefault(env.docname, {})
    if cid in placed:
        raise ExtensionError(
            f"{env.docname}: claim {cid!r} is declared twice on the page"
        )
    placed[cid] = record


def ledger_columns() -> list[str]:
    """The ledger's columns, from its schema in ``data/datapackage.json``."""
    return [f["name"] for f in resource_meta("claims")["schema"]["fields"]]


def _records(app: Sphinx, docname: str) -> dict[str, dict]:
    cfg = getattr(app.env, "mystnb_config", None)
    if cfg is None:
        return {}
    out = {}
    for output in glue_outputs(cfg.output_folder, docname).values():
        badge = output["data"].get(CLAIM_MIME)
        if badge is not None:
            rec = json_data(badge)["record"]
            out[rec["id"]] = dict(rec)
    return out


class ClaimsCollector(EnvironmentCollector):
    def clear_doc(self, app, env, docname):
        st = state(env)
        st.records.pop(docname, None)
        st.declared.pop(docname, None)
        st.dynamic.discard(docname)

    def merge_other(self, app, env, docnames, other):
        st, ot = state(env), state(other)
        for doc in docnames:
            if doc in ot.records:
                st.records[doc] = ot.records[doc]
            if doc in ot.dynamic:
                st.dynamic.add(doc)

    def process_doc(self, app, doctree: nodes.document):
        recs = _records(app, app.env.docname)
        placed = state(app.env).declared.pop(app.env.docname, {})
        twice = sorted(set(recs) & set(placed))
        if twice:
            raise ExtensionError(
                f"{app.env.docname}: {', '.join(twice)} both checked in code and "
                "declared by the ledger ({claims-declared}): keep one"
            )
        recs.update(placed)
        if recs:
            state(app.env).records[app.env.docname] = recs


def _number(value):
    """A number or None (ledger text, glued floats)."""
    if value is None or value == "":
        return None
    x = float(value)
    return None if math.isnan(x) else x


def values(rec: dict) -> tuple[float | None, float | None]:
    """(recomputed, implied by the papers) of a claim record. Until the checker records
    ``implied_value`` itself, an external row's number is what the papers imply."""
    if "implied_value" in rec:
        return _number(rec.get("computed_value")), _number(
            rec.get("implied_value")
        )
    if rec.get("status") == "external":
        return None, _number(rec.get("computed_value"))
    return _number(rec.get("computed_value")), None


def collect(app: Sphinx) -> tuple[list[dict], list[str]]:
    """Join the ledger with every page's claim records. Returns (rows, problems)."""
    env = app.env
    st = state(env)
    columns = ledger_columns()
    found: dict[str, list[tuple[str, dict]]] = {}
    for doc in sorted(st.records):
        for cid, rec in st.records[doc].items():
            found.setdefault(cid, []).append((doc, rec))
    problems, rows = [], []
    for line, row in enumerate(ledger_records(), start=2):
        cid = row["id"]
        chapter = row["chapter"]
        where = f"data/claims.csv line {line} ({cid})"
        if chapter not in env.found_docs:
            problems.append(
                f"{where}: its chapter {chapter!r} is not a page of the book"
            )
            continue
        hits = found.pop(cid, [])
        if not hits:
            problems.append(
                f"{where}: never checked; {chapter} must call check() or external() "
                "for it, or place it with {claims-declared} if the ledger alone declares it"
            )
            continue
        if len(hits) > 1:
            problems.append(
                f"{where}: checked on several pages: {', '.join(d for d, _ in hits)}"
            )
            continue
        doc, rec = hits[0]
        if doc != chapter:
            problems.append(
                f"{where}: checked on {doc} but the ledger assigns it to {chapter}"
            )
            continue
        computed, implied = values(rec)
        title = env.titles.get(chapter)
        # the record's note is already the ledger's fixed note joined with the chapter's computed
        # clause (migbook.notebook joins them once, for the badge too)
        note = str(rec.get("note", "") or "").strip()
        rows.append(
            {
                "id": cid,
                **{k: row[k] for k in columns if k != "id"},
                "computed_value": computed,
                "implied_value": implied,
                "computed_unit": rec.get("unit", ""),
                "status": rec["status"],
                "rule": rec.get("rule", ""),
                "plausibility": rec.get("plausibility", ""),
                "reading": rec.get("reading", ""),
                "bounds": rec.get("bounds", ""),
                "severity": rec.get("severity", ""),
                "counted_with": rec.get("counted_with", ""),
                "joint": list(rec.get("joint") or []),
                "measures": dict(rec.get("measures") or {}),
                "sensitivity": dict(rec.get("sensitivity") or {}),
                "value_label": value_label(
                    rec["status"],
                    rec.get("rule", ""),
                    rec.get("plausibility", ""),
                    row.get("basis", ""),
                ),
                "note": note,
                "chapter_title": title.astext()
                if title is not None
                else chapter,
                "report_doc": app.config.migbook_report_page,
            }
        )
    for cid, hits in found.items():
        problems.append(
            f"claim {cid!r} checked on {hits[0][0]} is not in data/claims.csv"
        )
    ids = {r["id"] for r in rows}
    for r in rows:
        for other in [r["counted_with"], *r["joint"]]:
            if other and other not in ids:
                problems.append(
                    f"claim {r['id']!r} is counted with {other!r}, which is not a "
                    "checked claim of the book"
                )
    return rows, problems


def counts(rows_: list[dict]) -> dict:
    """Headline counts of the joined rows by status and by basis (:func:`migbook.claims.tally`),
    for any page that shows them (the front page, the report, the errata)."""
    from migbook.claims import tally

    return tally(rows_)


def rows(app: Sphinx) -> list[dict]:
    """The joined rows (computed once per build, after every page was read)."""
    st = state(app.env)
    if st.rows is None:
        _join(app)
    return st.rows


def _join(app: Sphinx) -> None:
    found, problems = collect(app)
    if problems:
        raise ExtensionError(
            "claims ledger and chapters disagree:\n  "
            + "\n  ".join(problems)
        )
    state(app.env).rows = found


def rows_digest(found: list[dict]) -> str:
    text = json.dumps(found, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _on_before_read(app, env, docnames):
    st = state(env)
    st.read_now = set(docnames)
    st.written_now = False


def _on_page_written(app, pagename, templatename, context, doctree):
    state(app.env).written_now = True


def nothing_changed(app: Sphinx) -> bool:
    """This build read no page, wrote none, and the inputs are those of the last build: what
    the last build wrote beside the pages (exports, bundle, sitemap) is still right."""
    st = state(app.env)
    return not (st.read_now or st.written_now or inputs_changed(app.env))


def claims_unchanged(app: Sphinx) -> bool:
    """The joined rows and the inputs are those of the last build that finished: what was made
    from the claims alone (the exports) is still right, whatever page was edited."""
    st = state(app.env)
    return not (st.rows_changed or inputs_changed(app.env))


def _on_get_outdated(app, env, added, changed, removed):
    """When the inputs changed, every page is read again (and executed: see .inputs)."""
    if inputs_changed(env):
        return sorted(set(env.found_docs) - set(added) - set(changed))
    return []


def _rows_stamp(app) -> Path:
    return Path(app.doctreedir) / "migbook-rows.sha256"


def _on_env_updated(app, env):
    """Join the rows again if a page was read; when they differ from those of the last build
    that finished, return the pages that show them, to be written again."""
    st = state(env)
    if st.read_now or inputs_changed(env) or st.rows is None:
        _join(app)
    stamp = _rows_stamp(app)
    st.rows_changed = not (
        stamp.exists() and stamp.read_text() == rows_digest(st.rows)
    )
    if not st.rows_changed:
        return []
    app.emit(ROWS_CHANGED, env, st.rows)
    return sorted(st.dynamic & env.found_docs)


def build_finished(app, exception):
    st = state(app.env)
    if exception is None and st.rows is not None:
        _rows_stamp(app).write_text(rows_digest(st.rows))


#: the Sphinx event emitted with (env, rows) after reading when the joined rows changed, before
#: the environment is saved (``app.connect(ROWS_CHANGED, handler)``)
ROWS_CHANGED = "migbook-rows-changed"


def setup_collector(app: Sphinx) -> None:
    # the pages the links to a claim's row and to a rule point to (their directives check it)
    app.add_config_value("migbook_report_page", "book/report", "env", str)
    app.add_config_value("migbook_policy_page", "book/policy", "env", str)
    app.add_env_collector(ClaimsCollector)
    app.add_event(ROWS_CHANGED)
    app.connect("env-before-read-docs", _on_before_read, priority=100)
    app.connect("env-get-outdated", _on_get_outdated)
    app.connect("env-updated", _on_env_updated)
    app.connect("html-page-context", _on_page_written)
