"""How the book shows numbers and claim badges to readers (formatting only: no I/O, no glue).

- :func:`fmt_number`: the one number format of the book (badges, notes, report, back matter);
- :func:`quantity`: a number with its unit in words (``rank 1``, ``4 items``, ``US$ 5.91 billion``);
- :func:`badge_html`: the status badge shown under a check.
"""

from __future__ import annotations

import html
import math

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
    """A number with its unit in words: ``(1, "rank")`` -> ``rank 1``; ``(4, "count")`` ->
    ``4 items``; ``(5.91, "US$ billion")`` -> ``US$ 5.91 billion``; ``(46, "percent")`` -> ``46%``."""
    num = fmt_number(value, printed)
    if not num:
        return ""
    unit = (unit or "").strip()
    words = unit.split()
    if unit == "rank":
        return f"rank {num}"
    if unit == "percent":
        return f"{num}%"
    if unit == "fraction":
        return f"{num} ({fmt_number(float(value) * 100)}%)"
    if words and words[0] == "US$":
        return " ".join(["US$", num] + words[1:])
    if unit in _UNIT_WORDS:
        one, many = _UNIT_WORDS[unit]
        return f"{num} {one if num == '1' else many}"
    return f"{num} {unit}".strip()


def badge_html(result, row: dict) -> str:
    """The status badge under a check: status as text (not colour alone), the rule that decided it,
    a link to the report. An external claim shows what the papers imply, never a computed value."""
    esc = html.escape
    printed = row.get("cited_value") or None
    plaus = getattr(result, "plausibility", "")
    if plaus:
        number = (
            result.computed_value
            if result.computed_value is not None
            else result.implied_value
        )
        shown = f"plausibility {plaus} <b>{esc(quantity(number, result.unit, printed))}</b>"
    elif result.status == "external":
        shown = (
            ""
            if result.implied_value is None
            else f"the papers imply <b>{esc(quantity(result.implied_value, result.unit, printed))}</b>"
        )
    else:
        shown = (
            ""
            if result.computed_value is None
            else f"computed <b>{esc(quantity(result.computed_value, result.unit, printed))}</b>"
        )
    parts = [f"cited “{esc(row['cited'])}”"]
    if shown:
        parts.append(shown)
    text = "; ".join(parts)
    note = result.note.strip().rstrip(";").strip()
    note = note[:1].upper() + note[1:]
    note_html = (
        f' <span class="claim-note">{esc(note)}</span>' if note else ""
    )
    rule = getattr(result, "rule", "")
    rule_html = (
        f' <a class="claim-rule" href="policy.html#rule-{esc(rule)}" '
        f'title="The rule of the judging policy that decided this status">[{esc(rule)}]</a>'
        if rule
        else ""
    )
    return (
        f'<div class="claim-check" id="claim-{esc(result.id)}">'
        f'<a class="claim-badge claim-{result.status}" href="report.html#{esc(result.id)}" '
        f'title="See this claim in the reproducibility report">{result.status}</a>{rule_html} '
        f"<code>{esc(result.id)}</code>: {text}.{note_html}</div>"
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
