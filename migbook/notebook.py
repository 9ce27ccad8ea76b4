"""The notebook API of the chapters: check a claim, show its badge (which carries the value and the record).

This is the only module of the checker that displays or glues anything; the judging itself is
:func:`migbook.claims.evaluate` (pure) and the badge :func:`migbook.render.badge_fields` (shown in
the book by :mod:`migbook.sphinx.badges`, in plain Jupyter by :func:`migbook.render.badge_html`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from migbook.claims import (
    Reading,
    Result,
    component_rounding,
    evaluate,
    external_result,
    withdrawn_result,
)
from migbook.render import (
    CLAIM_MIME,
    badge_fields,
    badge_html,
    badge_text,
)

_checked: set[str] = set()
#: what this notebook has glued so far (name -> value, as glued for the prose): the ledger's words
#: quote these figures as the prose does (``{born-2001:g}`` as ``{glue:text}`born-2001:g```)
_glued: dict[str, object] = {}


def _row(claim_id: str) -> dict:
    from migbook.data import ledger_row

    return ledger_row(claim_id)


def _publish(result: Result, row: dict) -> None:
    """Show the claim's badge under the cell, as one output that is also glued.

    The output carries the badge's fields and the claim's whole record under
    :data:`migbook.render.CLAIM_MIME` (the book draws the badge; the report reads the record),
    the badge as ``text/html`` for plain Jupyter, and as ``text/plain`` the number the claim
    found (the computed value, or for an external claim the value the papers imply), or the
    badge as text when it has none. The output is glued under the claim id in myst-nb's shown
    form (``glue(..., display=True)``), so prose reads the number with ``{glue:text}``. One
    output per claim, not three: each output costs the kernel and the build a message."""
    from IPython.display import display

    if (
        result.status == "discrepant"
        and not result.severity
        and not result.counted_with
    ):
        raise ValueError(
            f"{result.id}: every discrepancy carries a severity: pass "
            "severity='slip' or 'load-bearing' to check()"
        )
    if result.id in _checked:
        raise RuntimeError(
            f"claim {result.id!r} is checked twice in this notebook"
        )
    _checked.add(result.id)
    number = (
        result.computed_value
        if result.computed_value is not None
        else result.implied_value
    )
    if (
        number is not None
    ):  # glued under the claim id, as the prose reads it
        _glued[result.id] = float(number)
    fields = badge_fields(result, row)
    record = json.loads(json.dumps(result.record(), allow_nan=False))
    display(
        {
            CLAIM_MIME: {**fields, "record": record},
            "text/html": badge_html(fields),  # plain Jupyter
            # as myst-nb's glue writes a float: what {glue:text} formats
            "text/plain": badge_text(fields)
            if number is None
            else repr(float(number)),
        },
        raw=True,
        metadata={"scrapbook": {"name": result.id, "mime_prefix": ""}},
    )


#: the settings of ``check``/``external`` that a claim's row of ``data/claim_checks.csv`` may hold
#: instead of the code (the column of each; ``external``'s ``implied_unit`` is column ``unit``)
SETTINGS = (
    "unit",
    "inferred",
    "plausibility",
    "measure",
    "severity",
    "counted_with",
    "joint",
    "rule",
)


def _terms(claim_id: str, given: dict) -> tuple[dict, str]:
    """The call's settings completed from the claim's row of ``data/claim_checks.csv``, and
    that row's ``clause``. A setting lives in one place: given in the code and in the row, it
    is an error."""
    from migbook.data import check_terms

    row = check_terms(claim_id)
    out = dict(given)
    for name in given:
        text = row.get(name, "")
        if not text:
            continue
        if given[name] not in (None, False, "", ()):
            raise ValueError(
                f"{claim_id}: {name!r} is given in the code and in "
                f"data/claim_checks.csv (column {name!r}); keep it in one place"
            )
        out[name] = tuple(text.split()) if name == "joint" else text
    return out, row.get("clause", "")


def _cited(row: dict) -> dict:
    """``{cited}`` for the ledger's words: the claim's printed figure, as :func:`cited` gives
    it (none for a blank)."""
    return (
        {"cited": float(row["cited_value"])} if row["cited_value"] else {}
    )


def _fill(claim_id: str, where: str, template: str, values: Mapping) -> str:
    """A template of the ledger's words with its ``{name}`` placeholders filled from the
    values the chapter computed: those the call gives, else those the notebook glued before
    it (a missing name is an error naming it)."""
    try:
        return template.format_map({**_glued, **values})
    except KeyError as exc:
        name = exc.args[0]
        raise ValueError(
            f"{claim_id}: {where} has the placeholder {{{name}}}, which the "
            f"chapter neither passes (note={{{name!r}: ...}}) nor glued before "
            "the check"
        ) from None


def _clause(
    claim_id: str, note, template: str, values: dict, labels=()
) -> str:
    """What the chapter adds to the note: ``note`` itself (a computed string), or the
    ledger's ``clause`` filled with the values ``note`` maps (and ``value``/``implied``).
    Every value ``note`` maps must be named by the clause or by one of ``labels`` (the
    templates of the claim's readings and measures)."""
    from migbook.data import placeholders

    where = "data/claim_checks.csv, column 'clause',"
    if isinstance(note, Mapping):
        used = {n for t in (template, *labels) for n in placeholders(t)}
        unused = [name for name in note if name not in used]
        if unused:
            raise ValueError(
                f"{claim_id}: note= gives {', '.join(unused)}, which no words of "
                "the claim name (its clause in data/claim_checks.csv, its labels "
                "in data/claim_readings.csv)"
            )
        return _fill(claim_id, where, template, {**values, **note})
    if template:
        if note:
            raise ValueError(
                f"{claim_id}: a note is given in the code and a clause in "
                "data/claim_checks.csv; keep it in one place"
            )
        return _fill(claim_id, where, template, values)
    return note


def _named_readings(claim_id: str, readings, values: dict):
    """Readings given as ``{key: value}``: each key names a row of ``data/claim_readings.csv``
    (its rule, label and whether it rests on the book's inference); the value is a number, or
    ``(value, lo, hi)`` for a reading that allows a range. The label's placeholders are filled
    with ``value``, ``lo``, ``hi`` and the values ``note`` maps. A list of
    :class:`~migbook.claims.Reading` passes through, and so does a mapping for a claim with no
    reading rows: its keys are labels the chapter computes (rule ``alternative-reading``)."""
    if not isinstance(readings, Mapping):
        return readings
    from migbook.data import reading_terms

    terms = {
        k: r
        for k, r in reading_terms(claim_id).items()
        if r["rule"] != "measure"
    }
    if not terms:
        return readings
    out = []
    for key, given in readings.items():
        if key not in terms:
            raise KeyError(
                f"{claim_id}: no reading {key!r} in data/claim_readings.csv"
                f" (its readings there: {', '.join(terms) or 'none'})"
            )
        value, lo, hi = (
            given if isinstance(given, tuple) else (given, None, None)
        )
        row = terms[key]
        label = _fill(
            claim_id,
            f"data/claim_readings.csv, reading {key!r}, column 'label',",
            row["label"],
            {**values, "value": value, "lo": lo, "hi": hi},
        )
        out.append(
            Reading(
                row["rule"],
                label,
                value,
                row.get("inferred", "") == "true",
                lo,
                hi,
            )
        )
    return out


def _named_measures(claim_id: str, measures, values: dict):
    """The other measures of a vague word, label -> value. When the claim has rows of rule
    ``measure`` in ``data/claim_readings.csv``, ``measures`` maps their keys to the values (the
    label is the row's); otherwise its keys are the labels (computed by the chapter)."""
    from migbook.data import reading_terms

    terms = {
        k: r
        for k, r in reading_terms(claim_id).items()
        if r["rule"] == "measure"
    }
    if not measures or not terms:
        return measures
    where = "data/claim_readings.csv, measure {!r}, column 'label',"
    out = {}
    for key, value in measures.items():
        if key not in terms:
            raise KeyError(
                f"{claim_id}: no measure {key!r} in data/claim_readings.csv"
                f" (its measures there: {', '.join(terms)})"
            )
        label = _fill(
            claim_id,
            where.format(key),
            terms[key]["label"],
            {**values, "value": value},
        )
        out[label] = value
    return out


def _note(row: dict, clause: str, *, source: bool = False) -> str:
    """A claim's note: the ledger's fixed words (column ``note``) joined with what the chapter
    computed (``clause``); for an external claim, led by the source the paper credits (column
    ``source``), so the badge names it without the chapter retyping it."""
    credit = ""
    if source:
        src = row.get("source", "").strip()
        credit = (
            "no source credited"
            if src == "none credited"
            else f"credited to {src}"
        )
    text = ""
    for part in (credit, row.get("note", ""), clause):
        part = part.strip().rstrip(";.").strip()
        if part:  # a part that starts a sentence follows a full stop
            text += (". " if part[0].isupper() else "; ") * bool(
                text
            ) + part
    return text


def check(
    claim_id: str,
    value,
    *,
    unit: str | None = None,
    readings=None,
    note: str | Mapping = "",
    inferred: bool | str = False,
    round_number: bool | None = None,
    plausibility: str = "",
    measure: str = "",
    measures: dict | None = None,
    counted_with: str = "",
    joint=(),
    severity: str = "",
) -> None:
    """Check a claim against the papers' own numbers; show the badge and glue the result.

    The chapter gives what it computes: ``value``, the readings' values and the values of the
    note. The fixed words and settings of the check are data: the claim's row of
    ``data/claim_checks.csv`` (columns ``unit``, ``inferred``, ``plausibility``, ``measure``,
    ``severity``, ``counted_with``, ``joint``, ``clause``) and its readings in
    ``data/claim_readings.csv``. A setting may instead be passed here, never in both places.

    ``readings``: ``{key: value}``, each key a reading of the claim in
    ``data/claim_readings.csv`` (value a number, or ``(value, lo, hi)``), or a list of
    :class:`migbook.claims.Reading` (a label the code computes, as
    :func:`~migbook.claims.component_rounding` does; for a claim with no reading rows, a
    ``{label: value}`` mapping too); ``note``: a clause the chapter computes,
    or ``{name: value}`` filling the placeholders of the row's ``clause`` and of the readings'
    labels (``{value}`` is ``value``, ``{cited}`` the claim's printed figure; a name the call
    does not give is a figure the notebook glued before it, as the prose quotes it); the fixed
    words of the note are the ledger's ``note``.
    ``unit``: the unit of ``value`` if not the claim's; ``inferred``: the plain value rests on
    the book's inference (True, or a phrase saying what is inferred);
    ``plausibility="ceiling"``/``"floor"``: ``value`` is a plausibility check, not a
    recomputation; ``measure``/``measures``: ``value`` measures a vague word by the book's
    choice (its label), and the other measures tried (label -> value, or key -> value for the
    claim's rows of rule ``measure`` in ``data/claim_readings.csv``); ``counted_with``: the
    claim whose verdict this one restates (counted there); ``joint``: the claims of a set of
    cells that cannot all be right; ``severity``: ``"slip"`` or ``"load-bearing"``, required
    when the claim is discrepant. See :func:`migbook.claims.evaluate`."""
    from migbook.data import reading_terms

    row = _row(claim_id)
    given, template = _terms(
        claim_id,
        {
            "unit": unit,
            "inferred": inferred,
            "plausibility": plausibility,
            "measure": measure,
            "severity": severity,
            "counted_with": counted_with,
            "joint": joint,
        },
    )
    values = {"value": value, **_cited(row)}
    labels = [r["label"] for r in reading_terms(claim_id).values()]
    clause = _clause(claim_id, note, template, values, labels)
    if isinstance(note, Mapping):
        values.update(note)
    result = evaluate(
        row,
        value,
        readings=_named_readings(claim_id, readings, values),
        note=_note(row, clause),
        round_number=round_number,
        measures=_named_measures(claim_id, measures, values),
        **given,
    )
    _publish(result, row)


def withdraw(claim_id: str, *, reason: str) -> None:
    """Withdraw a claim whose check cannot fail (rule ``cannot-fail``): its computed side would
    be built from its cited side. The badge shows ``withdrawn`` and ``reason``; the row keeps
    its anchor, is listed in the report and left out of the counts."""
    row = _row(claim_id)
    _publish(withdrawn_result(row, reason=_note(row, reason)), row)


def external(
    claim_id: str,
    *,
    note: str | Mapping = "",
    implied=None,
    implied_unit: str | None = None,
    rule: str = "",
) -> None:
    """Record a claim that needs a source outside the papers (rule ``outside-source``, the
    default) or that matches them only because the book chose what to count
    (``coincidence``).

    ``implied`` is an optional number the papers' own figures imply, in ``implied_unit`` (default:
    the claim's unit); the record holds it as ``implied_value`` (``computed_value`` stays null).
    ``note`` adds what the chapter computes to the ledger's ``note`` and credited ``source``: a
    computed clause, or ``{name: value}`` filling the claim's ``clause`` (``{implied}`` is
    ``implied``, ``{cited}`` the claim's printed figure, other names figures glued before the
    call). The unit (column ``unit``), the rule and the clause may be the claim's row of
    ``data/claim_checks.csv`` instead, never both."""
    row = _row(claim_id)
    given, template = _terms(claim_id, {"unit": implied_unit, "rule": rule})
    clause = _clause(
        claim_id, note, template, {"implied": implied, **_cited(row)}
    )
    _publish(
        external_result(
            row,
            note=_note(row, clause, source=True),
            implied=implied,
            implied_unit=given["unit"],
            rule=given["rule"] or "outside-source",
        ),
        row,
    )


def declared(claim_id: str) -> tuple[Result, dict]:
    """The result of a claim the ledger declares on its own: a row whose check rests on an
    outside source (``basis`` ``outside``) and that the chapter has nothing to compute for. It is
    what ``external(claim_id)`` records (status external, rule ``outside-source``, the note made
    of the ledger's credited ``source`` and ``note``), without a code cell: a chapter places its
    badge with the ``{claims-declared}`` directive (:mod:`migbook.sphinx.badges`), and the
    reproduction bundle adds it to the re-executed results. Returns (result, ledger row)."""
    row = _row(claim_id)
    if row.get("basis") != "outside":
        raise ValueError(
            f"data/claims.csv, row {claim_id}, column basis: {row.get('basis')!r}; "
            "only a row resting on an outside source is declared by the ledger "
            "alone (check it in the chapter's code)"
        )
    return (
        external_result(row, note=_note(row, "", source=True)),
        row,
    )


def cited(claim_id: str, high: bool = False) -> float:
    """The figure a claim prints, as a number in the claim's unit (from ``data/claims.csv``);
    ``high=True`` gives the upper end of a range ("between 800,000 and 1 million")."""
    row = _row(claim_id)
    column = "cited_high" if high else "cited_value"
    if not row[column]:
        raise ValueError(
            f"{claim_id}: no {column} (left blank in print, or not a range)"
        )
    return float(row[column])


def cited_text(claim_id: str, high: bool = False) -> str:
    """The figure a claim prints, as the printed digits (for :func:`migbook.claims.component_rounding`)."""
    row = _row(claim_id)
    return row["cited_high" if high else "cited_value"]


def glue_cited(chapter: str) -> None:
    """Glue ``cited-<claim id>`` (the printed figure) for every claim of ``chapter`` that has one,
    so prose can quote the papers' figures without typing them."""
    from migbook.data import ledger

    led = ledger()
    for cid, row in led[
        (led["chapter"] == chapter) & (led["cited_value"] != "")
    ].iterrows():
        glue_value(f"cited-{cid}", float(row["cited_value"]))


def glue_value(name: str, value, display: bool = False) -> None:
    """Glue a number for the prose (numpy scalars become plain floats); returns nothing."""
    from myst_nb import glue

    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = float(value)
    _glued[name] = value
    glue(name, value, display=display)


def glue_values(values=None, /, **named) -> None:
    """Glue several numbers for the prose at once: a mapping of glue keys to values (keys may hold
    hyphens), keyword arguments, or both; each goes through :func:`glue_value`."""
    for name, value in {**(values or {}), **named}.items():
        glue_value(name, value)


__all__ = [
    "check",
    "external",
    "declared",
    "withdraw",
    "cited",
    "cited_text",
    "glue_cited",
    "glue_value",
    "glue_values",
    "Reading",
    "component_rounding",
]
