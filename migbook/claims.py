"""The checker: compare a recomputed figure with the figure the papers print.

The cited side of every claim is a row of ``data/claims.csv``. A chapter computes the figure in
visible code and calls :func:`check` (or :func:`external` when only an outside source can
decide). The status comes from the printed figure itself, not from a fixed tolerance:

* the printed digits set rounding bounds: ``5910`` -> [5909.5, 5910.5), ``48.5`` -> [48.45, 48.55);
* the qualifier widens or shifts them (table ``QUALIFIERS`` below);
* unit words scale the number (thousand, million, billion, trillion; percent vs fraction).

Statuses: ``reproduced`` (the plain reading is inside the bounds), ``qualified`` (only an
alternative reading given by the chapter is: the note says which), ``discrepant`` (no reading
is: the note says by how much), ``external`` (needs a source outside the papers).
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import asdict, dataclass, field

STATUSES = ("reproduced", "qualified", "discrepant", "external")

#: how far a qualifier widens the rounding bounds, as a fraction of the cited value
NEAR = 0.10

SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


# --------------------------------------------------------------------------- units
def parse_unit(unit: str) -> tuple[str, float]:
    """``"US$ billion"`` -> ``("US$", 1e9)``; ``"percent"`` -> ``("fraction", 0.01)``."""
    words = unit.split()
    factor = 1.0
    base = []
    for w in words:
        if w.lower() in SCALES:
            factor *= SCALES[w.lower()]
        else:
            base.append(w)
    name = " ".join(base)
    if name == "percent":
        return "fraction", factor * 0.01
    return name, factor


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert ``value`` between units with the same base (scale words and percent/fraction)."""
    b1, f1 = parse_unit(from_unit)
    b2, f2 = parse_unit(to_unit)
    if b1 != b2:
        raise ValueError(
            f"cannot convert {from_unit!r} to {to_unit!r}: different base units"
        )
    return value * f1 / f2


# --------------------------------------------------------------------------- bounds
@dataclass(frozen=True)
class Bounds:
    lo: float
    hi: float
    lo_closed: bool = True
    hi_closed: bool = False

    def __contains__(self, x: float) -> bool:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return False
        above = x >= self.lo if self.lo_closed else x > self.lo
        below = x <= self.hi if self.hi_closed else x < self.hi
        return above and below

    def distance(self, x: float) -> float:
        """How far ``x`` lies outside the bounds (0 inside)."""
        if x in self:
            return 0.0
        return self.lo - x if x <= self.lo else x - self.hi

    def __str__(self) -> str:
        def fmt(v):
            return (
                "−∞"
                if v == -math.inf
                else "∞"
                if v == math.inf
                else _fmt(v)
            )

        return (
            ("[" if self.lo_closed else "(")
            + fmt(self.lo)
            + ", "
            + fmt(self.hi)
            + ("]" if self.hi_closed else ")")
        )


def _half_step(printed: str) -> float:
    """Half a unit in the last printed digit: ``"5910"`` -> 0.5, ``"48.5"`` -> 0.05."""
    text = printed.strip().lstrip("+-")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0 ** (-decimals)


def bounds(
    qualifier: str, cited_value: str, cited_high: str = ""
) -> Bounds:
    """The interval a recomputed value must fall in for the printed figure to hold.

    ``cited_value`` and ``cited_high`` are strings with the digits as printed.
    """
    if qualifier == "blank":
        raise ValueError("a blank figure has no bounds")
    v = float(cited_value)
    h = _half_step(cited_value)
    near = max(h, NEAR * abs(v))
    rules = {
        "exact": lambda: Bounds(v - h, v + h, True, False),
        "about": lambda: Bounds(v - near, v + near, True, True),
        "almost": lambda: Bounds(v - near, v, True, True),
        "more_than": lambda: Bounds(v, math.inf, False, True),
        "slightly_more_than": lambda: Bounds(v, v + near, False, True),
        "less_than": lambda: Bounds(-math.inf, v, True, False),
        "at_least": lambda: Bounds(v, math.inf, True, True),
        "between": lambda: Bounds(
            v - h, float(cited_high) + _half_step(cited_high), True, False
        ),
    }
    if qualifier not in rules:
        raise ValueError(f"unknown qualifier {qualifier!r}")
    return rules[qualifier]()


# --------------------------------------------------------------------------- evaluation
@dataclass
class Result:
    id: str
    status: str
    computed_value: float | None
    unit: str
    bounds: str = ""
    reading: str = ""
    note: str = ""
    readings: dict = field(default_factory=dict)

    def record(self) -> dict:
        return asdict(self)


def _num(x) -> float | None:
    if x is None:
        return None
    return float(x)


def fmt_number(value) -> str:
    """A number for readers, everywhere the book prints one (badges, notes, report, back matter):
    whole numbers in full with separators (``16,823,669``); others to six significant digits and
    at least one decimal, never with an exponent (``3.9802``, ``0.457``, ``16,823,669.5``)."""
    if value == "" or value is None:
        return ""
    x = float(value)
    if x.is_integer() and abs(x) < 1e15:
        return f"{x:,.0f}"
    whole = len(str(int(abs(x)))) if abs(x) >= 1 else 0
    lead = (
        0 if abs(x) >= 1 else -int(f"{abs(x):e}".split("e")[1]) - 1
    )  # zeros after the point
    text = f"{x:,.{max(1, 6 - whole) + lead}f}"
    return text.rstrip("0").rstrip(".")


_fmt = fmt_number


def _percent(p: float) -> str:
    """A relative gap: whole percent from 1% up (``29,000%``), else two significant digits
    (``0.076%``), never with an exponent."""
    if p >= 1:
        return f"{p:,.0f}%"
    return (
        f"{p:.{max(0, 1 - math.floor(math.log10(p)))}f}%" if p > 0 else "0%"
    )


def evaluate(
    row: dict,
    value,
    *,
    unit: str | None = None,
    readings: dict | None = None,
    note: str = "",
) -> Result:
    """Status of one claim (``row`` is its ledger row) given the recomputed ``value``.

    Pure function: no display, no glue. ``value`` and ``readings`` are in ``unit`` (default:
    the ledger row's unit) and are converted to the row's unit.
    """
    cid, row_unit = row["id"], row["unit"]
    conv = (
        (lambda x: _num(x))
        if unit is None
        else (lambda x: convert(_num(x), unit, row_unit))
    )
    val = conv(value) if value is not None else None
    alts = {k: conv(v) for k, v in (readings or {}).items()}
    if row["qualifier"] == "blank":
        if not alts:
            raise ValueError(
                f"{cid}: a blank figure needs readings= (what it most plausibly was)"
            )
        first = next(iter(alts))
        return Result(
            cid,
            "qualified",
            val,
            row_unit,
            "",
            first,
            _join(
                f"left blank in print; the book adopts the reading: {first}",
                note,
            ),
            alts,
        )
    if val is None:
        raise ValueError(
            f"{cid}: check() needs a value; use external() for outside figures"
        )
    b = bounds(
        row["qualifier"], row["cited_value"], row.get("cited_high", "")
    )
    if val in b:
        return Result(
            cid, "reproduced", val, row_unit, str(b), "", note, alts
        )
    for label, alt in alts.items():
        if alt in b:
            return Result(
                cid,
                "qualified",
                val,
                row_unit,
                str(b),
                label,
                _join(
                    f"holds only on the reading: {label} (gives {_fmt(alt)}); "
                    f"the plain reading gives {_fmt(val)}",
                    note,
                ),
                alts,
            )
    gap = b.distance(val)
    ref = float(row["cited_value"])
    rel = (
        f" ({_percent(100 * gap / abs(ref))} of the cited figure)"
        if ref
        else ""
    )
    side = "below" if val < b.lo else "above"
    return Result(
        cid,
        "discrepant",
        val,
        row_unit,
        str(b),
        "",
        _join(
            f"computed {_fmt(val)} {row_unit} lies {_fmt(gap)} {side} the cited "
            f"bounds {b}{rel}",
            note,
        ),
        alts,
    )


def _join(*parts: str) -> str:
    return "; ".join(p.strip() for p in parts if p and p.strip())


# --------------------------------------------------------------------------- notebook API
_checked: set[str] = set()


def _row(claim_id: str) -> dict:
    from migbook.data import ledger

    led = ledger()
    if claim_id not in led.index:
        raise KeyError(f"claim {claim_id!r} is not in data/claims.csv")
    return {"id": claim_id, **led.loc[claim_id].to_dict()}


def _publish(result: Result, row: dict) -> None:
    """Show the badge under the cell and glue the value and the record for the report page."""
    from IPython.display import HTML, display
    from myst_nb import glue

    if result.id in _checked:
        raise RuntimeError(
            f"claim {result.id!r} is checked twice in this notebook"
        )
    _checked.add(result.id)
    if result.computed_value is not None:
        glue(result.id, float(result.computed_value), display=False)
    glue(f"rec-{result.id}", _Record(result.record()), display=False)
    display(HTML(badge_html(result, row)))


class _Record:
    """A glued claim record, as JSON text (nbformat allows only text under glue's mime prefix)."""

    def __init__(self, rec: dict):
        self.rec = rec

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/plain": json.dumps(
                self.rec, ensure_ascii=False, sort_keys=True
            )
        }


def badge_html(result: Result, row: dict) -> str:
    """The status badge shown under a check: text (not colour alone) and a link to the report."""
    esc = html.escape
    verb = "the papers imply" if result.status == "external" else "computed"
    value = (
        ""
        if result.computed_value is None
        else f" {verb} <b>{_fmt(result.computed_value)}</b> {esc(result.unit)};"
    )
    note = (
        f' <span class="claim-note">{esc(result.note)}</span>'
        if result.note
        else ""
    )
    return (
        f'<div class="claim-check" id="claim-{esc(result.id)}">'
        f'<a class="claim-badge claim-{result.status}" href="report.html#{esc(result.id)}" '
        f'title="See this claim in the reproducibility report">{result.status}</a> '
        f"<code>{esc(result.id)}</code>: cited “{esc(row['cited'])}”;{value}{note}</div>"
    )


def check(
    claim_id: str,
    value,
    *,
    unit: str | None = None,
    readings: dict | None = None,
    note: str = "",
) -> None:
    """Check a claim against the papers' own numbers; show the badge and glue the result."""
    row = _row(claim_id)
    result = evaluate(row, value, unit=unit, readings=readings, note=note)
    _publish(result, row)


def external(
    claim_id: str,
    *,
    note: str,
    implied=None,
    implied_unit: str | None = None,
) -> None:
    """Record a claim that needs a source outside the papers, with any cross-check they allow.

    ``implied`` is an optional number the papers' own figures imply (an implied denominator, an
    implied quantity), in ``implied_unit`` (default: the claim's unit); the report shows it.
    """
    row = _row(claim_id)
    if not note.strip():
        raise ValueError(
            f"{claim_id}: external() needs a note naming the source and the cross-check"
        )
    val = None if implied is None else _num(implied)
    result = Result(
        claim_id, "external", val, implied_unit or row["unit"], "", "", note
    )
    _publish(result, row)


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
    glue(name, value, display=display)
