"""How the book shows numbers and claim badges to readers (formatting only: no I/O, no glue).

- :func:`fmt_number`: the one number format of the book (badges, notes, report, back matter);
- :func:`quantity`: a number with its unit in words (``rank 1``, ``4 items``, ``US$ 5.91 billion``);
- :func:`badge_fields`, :func:`badge_html`: the status badge shown under a check.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

#: significant digits shown when the printed figure does not ask for more
SIG_DIGITS = 3


def sig_digits(printed: str) -> int:
    """Significant digits of a printed figure: ``"5910"`` -> 3, ``"48.5"`` -> 3, ``"0.046"`` -> 2,
    ``"16823670"`` -> 7 (trailing zeros of a whole number are not counted)."""
    text = str(printed).strip().lstrip("+-").replace(",", "")
    if not text:
        return 0
    if "." in text:
        digits = text.replace(".", "").lstrip("0")
        return len(digits)
    return len(text.lstrip("0").rstrip("0"))


def fmt_number(value, printed: str | None = None) -> str:
    """A number for readers, everywhere the book prints one.

    About three significant digits (more when ``printed``, the figure as the paper prints it, has
    more), never rounding away a digit before the decimal point; thousands separators; no exponent;
    no float noise (``0.1 + 0.2`` -> ``0.3``); an empty string for a missing value (never ``nan``).
    ``5.91034`` -> ``5.91``; ``0.456789`` -> ``0.457``; ``16823669`` -> ``16,823,669``;
    ``13266.4`` -> ``13,266``; ``2e-05`` -> ``0.00002``.
    """
    if value is None or value == "":
        return ""
    x = float(value)
    if math.isnan(x):
        return ""
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    sig = max(SIG_DIGITS, sig_digits(printed) if printed else 0)
    ax = abs(x)
    if ax == 0:
        return "0"
    if ax >= 1:
        decimals = max(0, sig - len(str(int(ax))))
    else:
        decimals = (
            sig - 1 - math.floor(math.log10(ax))
        )  # leading zeros after the point, then sig
    decimals = min(decimals, 12)
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


#: unit words as readers say them: (singular, plural); a unit not listed is shown as written
_UNIT_WORDS = {
    "count": ("item", "items"),
    "persons": ("person", "persons"),
    "deaths": ("death", "deaths"),
    "years": ("year", "years"),
    "times": ("times", "times"),
    "jobs": ("job", "jobs"),
}


def quantity(value, unit: str, printed: str | None = None) -> str:
    """A number with its unit in words, in a reader's order: ``(1, "rank")`` -> ``rank 1``;
    ``(1998, "year")`` -> ``year 1998``; ``(4, "count")`` -> ``4 items``; ``(5.91, "US$
    billion")`` -> ``US$5.91 billion``; ``(46, "percent")`` -> ``46%``; a share, ``(0.417,
    "fraction")`` -> ``41.7%``; ``(1.9, "percentage points")`` -> ``1.9 points``."""
    num = fmt_number(value, printed)
    if not num:
        return ""
    unit = (unit or "").strip()
    words = unit.split()
    if unit == "rank":
        return f"rank {num}"
    if unit == "year" and float(value).is_integer():  # a date: no separator
        return f"year {int(float(value))}"
    if unit == "percent":
        return f"{num}%"
    if unit == "fraction":
        return f"{fmt_number(float(value) * 100)}%"
    if unit == "percentage points":
        return f"{num} point" + ("" if num == "1" else "s")
    if words and words[0] == "US$":
        return " ".join([f"US${num}"] + words[1:])
    if unit in _UNIT_WORDS:
        one, many = _UNIT_WORDS[unit]
        return f"{num} {one if num == '1' else many}"
    return f"{num} {unit}".strip()


def gap_quantity(value, unit: str, printed: str | None = None) -> str:
    """A difference between two figures in ``unit``: a gap between two percentages is in
    percentage points (``(1.9, "percent")`` -> ``1.9 points``), any other as :func:`quantity`."""
    if (unit or "").strip() == "percent":
        return quantity(value, "percentage points", printed)
    return quantity(value, unit, printed)


#: units that are shares: a shown value in one of them beside a cited figure in another unit
#: (a head-count, a sum of money) is named as a share
SHARE_UNITS = ("fraction", "percent")


#: the mime type of a claim's badge in a notebook: :func:`badge_fields` and, under ``record``,
#: the claim's whole record (:meth:`migbook.claims.Result.record`); the badge is drawn in the book
#: by :mod:`migbook.sphinx.badges` (a myst-nb mime renderer) with links from the builder, the
#: record read by :mod:`migbook.sphinx.collector` and :func:`migbook.cli.bundle.claim_records`
CLAIM_MIME = "application/vnd.migbook.claim+json"

#: the mime type of a chart in a notebook: its Vega-Lite spec, drawn in the book by
#: :mod:`migbook.sphinx.chart_render` (a myst-nb mime renderer, see ``pyproject.toml``); here, not
#: in :mod:`migbook.charts`, so that the build's own process need not import Altair
CHART_MIME = "application/vnd.migbook.chart+json"


def json_data(value) -> dict:
    """A notebook output's JSON data (a chart's spec, a claim's badge) as a dict: nbformat keeps
    it as an object, a kernel message or an older notebook may hold its text."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def chart_id(spec: dict) -> str:
    """A chart's id in the page: ``chart-`` and a hash of its spec."""
    import hashlib

    text = json.dumps(
        spec, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return "chart-" + hashlib.sha1(text.encode()).hexdigest()[:12]


#: the badge's Jinja2 template (its note, the row it is counted with and its fragility fold into
#: a ``<details>`` at the end of the badge's line, opened by its summary "note"; no link sits in
#: the summary, which is a control of its own), shared by the notebook's
#: ``text/html`` (links relative to the chapter) and the book (links from the builder). Here, not in ``migbook/sphinx/templates/``: the
#: reproduction bundle carries the package's Python files only. One line: the markup is inline.
BADGE_TEMPLATE = (
    '<div class="claim-check" id="claim-{{ id }}"><a class="claim-badge claim-{{ status }}" href="{{ report_href }}" title="See this claim in the reproducibility report">{{ status }}</a>\n'
    '{%- if rule %} <a class="claim-rule" href="{{ rule_href }}" title="The rule of the judging policy that decided this status">[{{ rule }}]</a>{% endif %}\n'
    '{%- if basis %} <span class="claim-basis claim-basis-{{ basis }}" title="What the check rests on: {{ basis_title }}">{{ basis_label }}</span>{% endif %}\n'
    '{%- if severity %} <span class="claim-severity claim-severity-{{ severity }}" title="How much the discrepancy matters to the argument">{{ severity }}</span>{% endif %}\n'
    "{#- #} <code>{{ id }}</code>: cited “{{ cited }}”{% if value %}; {{ label }} <b>{{ value }}</b>{% endif %}.\n"
    '{%- if counted_with or note or fragile %} <details class="claim-details"><summary>note</summary>{% endif %}\n'
    '{%- if counted_with %} <span class="claim-counted">Counted once, under <a href="{{ counted_href }}">{{ counted_with }}</a>.</span>{% endif %}\n'
    '{%- if note %} <span class="claim-note">{{ note }}</span>{% endif %}\n'
    '{%- if fragile %} <span class="claim-fragile">{{ fragile }}</span>{% endif %}\n'
    "{%- if counted_with or note or fragile %}</details>{% endif %}</div>\n"
)


def value_label(
    status: str, rule: str = "", plausibility: str = "", basis: str = ""
) -> str:
    """What the number the book shows for a claim is. The one wording of the badge, the report,
    the citation text and BibTeX note, the errata and ``claims.csv`` (column ``value_label``):
    "recomputed" only for a figure the book recomputed from the papers' numbers."""
    if plausibility:
        return f"plausibility {plausibility}"
    if status == "withdrawn":
        return "not checked"
    if status == "external":
        return "the papers imply"
    if rule == "left-blank":
        return "the book's filling of the blank"
    if basis == "restatement":
        return "the other paper gives"
    if basis == "internal":
        return "the text's own figures give"
    if rule == "chosen-measure":
        return "the book's measure gives"
    return "recomputed"


def shown_number(status: str, computed, implied, plausibility: str = ""):
    """The number shown beside :func:`value_label`: the papers' implied value for an external
    claim, the ceiling or floor of a plausibility check, else the computed value."""
    if plausibility:
        return computed if computed is not None else implied
    if status == "external":
        return implied
    if status == "withdrawn":
        return None
    return computed


#: how the badge names each alternative setting of the policy (:data:`migbook.claims.ALTERNATIVES`)
ALTERNATIVE_WORDS = {
    "near-5": "with the qualifier tolerance at 5%",
    "near-20": "with the qualifier tolerance at 20%",
    "no-round": "with round-number readings off",
}


def fragile_text(status: str, sensitivity: dict) -> str:
    """A badge's robustness line: the settings under which its status would change."""
    moved = [
        f"{s} {ALTERNATIVE_WORDS.get(k, k)}"
        for k, s in (sensitivity or {}).items()
        if s != status
    ]
    return (
        ("Fragile: it would be " + "; ".join(moved) + ".") if moved else ""
    )


def badge_fields(result, row: dict) -> dict:
    """What the status badge under a check shows: the status as text (not colour alone), the rule
    that decided it, what the check rests on, a discrepancy's severity, the cited figure, the
    number the book found under its :func:`value_label`, the note, the row it is counted with and
    how fragile the status is. An external claim shows what the papers imply, never a computed
    value."""
    printed = row.get("cited_value") or None
    plaus = getattr(result, "plausibility", "")
    number = shown_number(
        result.status, result.computed_value, result.implied_value, plaus
    )
    label = value_label(
        result.status,
        getattr(result, "rule", "") or "",
        plaus,
        row.get("basis", "") or "",
    )
    value = "" if number is None else quantity(number, result.unit, printed)
    row_unit = (row.get("unit") or "").strip()
    if value and result.unit in SHARE_UNITS and row_unit not in SHARE_UNITS:
        value = (
            f"a share of {value}"  # beside a head-count or a sum of money
        )
    note = result.note.strip().rstrip(";").strip()
    basis = row.get("basis", "") or ""
    return {
        "id": result.id,
        "status": result.status,
        "rule": getattr(result, "rule", "") or "",
        **basis_fields(basis),
        **{
            k: v
            for k, v in {
                "severity": getattr(result, "severity", ""),
                "counted_with": getattr(result, "counted_with", ""),
                "fragile": fragile_text(
                    result.status, getattr(result, "sensitivity", {})
                ),
            }.items()
            if v
        },
        "cited": row["cited"],
        "label": label if value else "",
        "value": value,
        "note": note[:1].upper() + note[1:],
    }


def basis_fields(basis: str) -> dict:
    """What a badge shows of a claim's basis (ledger column ``basis``): its id, its short label
    and its full label (:data:`migbook.claims.BASES`); nothing for a row without one."""
    if not basis:
        return {}
    from migbook.claims import BASES, BASIS_SHORT

    return {
        "basis": basis,
        "basis_label": BASIS_SHORT[basis],
        "basis_title": BASES[basis],
    }


def badge_text(fields: dict) -> str:
    """The badge as plain text (the notebook's ``text/plain``, builders other than HTML)."""
    rule = f" [{fields['rule']}]" if fields["rule"] else ""
    if fields.get("basis"):
        rule += f" ({fields['basis_label']})"
    if fields.get("severity"):
        rule += f" {fields['severity']}"
    shown = (
        f"; {fields['label']} {fields['value']}" if fields["value"] else ""
    )
    note = f" {fields['note']}" if fields["note"] else ""
    if fields.get("counted_with"):
        note = f" Counted once, under {fields['counted_with']}." + note
    if fields.get("fragile"):
        note += f" {fields['fragile']}"
    return (
        f"{fields['status']}{rule} {fields['id']}: "
        f"cited “{fields['cited']}”{shown}.{note}"
    )


@lru_cache(maxsize=1)
def _badge_template():
    import jinja2

    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined
    )
    return env.from_string(BADGE_TEMPLATE)


def badge_html(
    fields,
    row: dict | None = None,
    *,
    report_href: str | None = None,
    rule_href: str | None = None,
) -> str:
    """The badge's HTML (:data:`BADGE_TEMPLATE`), from :func:`badge_fields` or from
    ``(result, row)``. Links default to the report and policy pages beside the chapter
    (plain Jupyter, the published notebook); the book passes the builder's."""
    if row is not None:
        fields = badge_fields(fields, row)
    report_href = (
        report_href
        if report_href is not None
        else f"report.html#{fields['id']}"
    )
    return _badge_template().render(
        **{
            "basis": "",
            "severity": "",
            "counted_with": "",
            "fragile": "",
            **fields,
        },
        report_href=report_href,
        counted_href=report_href.rsplit("#", 1)[0]
        + "#"
        + fields.get("counted_with", ""),
        rule_href=rule_href
        if rule_href is not None
        else f"policy.html#rule-{fields['rule']}",
    )


#: significant digits of the numbers the book exports (claims.csv, claims.json, the bundle's results)
SIGNIFICANT = 6


def plain(value) -> float | int | None:
    """A number rounded to :data:`SIGNIFICANT` significant digits (no float noise), or None."""
    if value is None or value == "":
        return None
    x = float(value)
    if math.isnan(x) or math.isinf(x):
        return None
    if x.is_integer():
        return int(x)
    digits = SIGNIFICANT - 1 - math.floor(math.log10(abs(x)))
    y = round(x, max(digits, 0))
    return int(y) if float(y).is_integer() else y
