"""The checker: the book's judging policy as code (pure: no I/O, no HTML, no notebook).

The cited side of every claim is a row of ``data/claims.csv``. A chapter computes the figure in
visible code and calls :func:`migbook.notebook.check` (or :func:`migbook.notebook.external`), which
calls :func:`evaluate` here. The status follows from named rules (:data:`RULES`), never from a
chapter's own tolerance:

* the printed digits set rounding bounds: ``5910`` -> [5909.5, 5910.5), ``48.5`` -> [48.45, 48.55);
* the qualifier widens or shifts them (``about``, ``almost``, ``more_than`` ...);
* unit words scale the number (thousand, million, billion, trillion; percent vs fraction);
* a round number (at most two significant digits, then zeros: "90%", "twentyfold") is also read at
  the precision of its last non-zero digit (rule ``round-number``);
* alternative readings are passed as :class:`Reading` objects, each naming the rule that allows it;
* rule 6 (inference): a reading or a computed value that rests on the book's own inference
  (``inferred=True``) can neither reproduce a claim nor make it discrepant. An inferred value
  inside the bounds gives at most ``qualified``; a gap found only through an inferred value gives
  ``qualified`` under rule ``inferred``, with the gap in the note.

Statuses: ``reproduced``, ``qualified``, ``discrepant``, ``external``. Every :class:`Result`
carries the id of the rule that decided it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from migbook.render import fmt_number, quantity

STATUSES = ("reproduced", "qualified", "discrepant", "external")

#: what a check rests on (ledger column ``basis``) -> its label for readers (badge, report,
#: errata, front page). The ids are stable: they are published in ``claims.csv``/``claims.json``.
BASES: dict[str, str] = {
    "table": "the papers' own tables",
    "table-arithmetic": "the tables' own arithmetic",
    "internal": "the text's own arithmetic (internal consistency)",
    "list": "a printed list against its count",
    "restatement": "one paper restating the other",
    "outside": "an outside source (not checkable from the papers)",
}

#: the short form of each basis a badge shows beside the status
BASIS_SHORT: dict[str, str] = {
    "table": "vs tables",
    "table-arithmetic": "table arithmetic",
    "internal": "internal",
    "list": "vs list",
    "restatement": "restatement",
    "outside": "outside source",
}


def tally(rows: Iterable[dict]) -> dict[str, dict]:
    """Headline counts of joined claim rows (each with ``status`` and ``basis``): by status
    (in :data:`STATUSES` order), by basis (in :data:`BASES` order) and by basis within each
    status. Every status and basis appears, with 0 when no row has it. The front page, the
    report and the errata all count with this one function."""
    rows = list(rows)
    by_status = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
    by_basis = {b: sum(r.get("basis") == b for r in rows) for b in BASES}
    cross = {
        s: {
            b: sum(r["status"] == s and r.get("basis") == b for r in rows)
            for b in BASES
        }
        for s in STATUSES
    }
    return {
        "total": len(rows),
        "status": by_status,
        "basis": by_basis,
        "status_basis": cross,
    }


class Rule(NamedTuple):
    title: str
    status: str
    explanation: str


#: the judging policy: rule id -> (short title, the status it yields, one-line explanation).
#: The policy page of the book (``book/policy.md``) is generated from this table.
RULES: dict[str, Rule] = {
    "printed-precision": Rule(
        "Inside the printed precision",
        "reproduced",
        "The recomputed figure falls inside the rounding bounds of the printed digits, widened or "
        "shifted by the qualifier the paper uses (about, almost, more than ...).",
    ),
    "component-rounding": Rule(
        "Rows rounded before summing",
        "reproduced",
        "A total, average or share of printed rows that were already rounded holds if any values "
        "the printed rows could stand for give it: the slack comes from the printed digits of the "
        "rows themselves (statcheck's standard), not from a chosen tolerance.",
    ),
    "stated-exception": Rule(
        "The paper's own exceptions",
        "reproduced",
        "The statement holds once the exceptions the paper itself states for it (a footnote, a "
        "named year) are counted; the note names them.",
    ),
    "round-number": Rule(
        "Round number",
        "qualified",
        "A round figure (at most two significant digits followed by zeros, such as 90%, "
        "twentyfold, 300,000) is also read at the precision of its last non-zero digit; a figure "
        "that holds only on that lenient reading is qualified, and the note gives the strict reading.",
    ),
    "stated-definition": Rule(
        "A definition the papers state",
        "qualified",
        "The figure holds under a definition, coverage or series the papers themselves state, "
        "though not on the plain reading; the note names it.",
    ),
    "base-year": Rule(
        "Another base or end year",
        "qualified",
        "The figure holds when measured from or to another year than the plain reading "
        "(a neighbouring year, the first year of a table); the note names it.",
    ),
    "scale-word": Rule(
        "Scale word",
        "qualified",
        "The figure holds with another scale word, such as the Spanish billón (a million "
        "million), which an English text can render as 'trillion'.",
    ),
    "alternative-reading": Rule(
        "Another reasonable reading",
        "qualified",
        "The figure holds on another reading the chapter names (a different count, the edge of "
        "another printed figure's rounding); the note names it.",
    ),
    "left-blank": Rule(
        "Left blank in print",
        "qualified",
        "The paper prints no figure where one is expected; the book adopts the most plausible "
        "reading and says which.",
    ),
    "inferred": Rule(
        "Rests on an inference or a plausibility check",
        "qualified",
        "The check needs an inference of the book (how a source computed a figure, what a word "
        "meant) or a plausibility check (a ceiling or floor from general reasoning, not a bound "
        "the papers print); no status rests on these alone, so neither a match nor a gap found "
        "only through one is final.",
    ),
    "outside-source": Rule(
        "Needs an outside source",
        "external",
        "The figure can only be checked against a source outside the two papers; the papers' own "
        "numbers give a cross-check or a plausibility check where they can.",
    ),
    "coincidence": Rule(
        "A match of the book's choosing",
        "external",
        "The figure matches something in the papers only because the book chose what to count "
        "(the paper names nothing, or credits an outside source); the match is a cross-check, not "
        "a reproduction.",
    ),
    "no-reading": Rule(
        "No reasonable reading holds",
        "discrepant",
        "Every reasonable reading fails: printed precision, a round-number reading, the qualifier "
        "words, the papers' own definitions, exceptions and sources; the note gives the gap.",
    ),
}

#: rules a :class:`Reading` may name (the others are decided by the checker itself)
READING_RULES = (
    "component-rounding",
    "stated-exception",
    "round-number",
    "stated-definition",
    "base-year",
    "scale-word",
    "alternative-reading",
    "left-blank",
)
EXTERNAL_RULES = tuple(
    r for r, v in RULES.items() if v.status == "external"
)

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
        fmt = lambda v: (  # noqa: E731
            "−∞" if v == -math.inf else "∞" if v == math.inf else _plain(v)
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


def is_round(printed: str) -> bool:
    """A round number: a whole number with at most two significant digits followed by zeros
    (``"90"``, ``"20"``, ``"300000"``, ``"250"``), not ``"13110"``, ``"6"`` or ``"48.5"``."""
    text = str(printed).strip().lstrip("+-")
    if not text or "." in text or not text.isdigit():
        return False
    core = text.lstrip("0")
    return core.endswith("0") and len(core.rstrip("0")) <= 2


def _round_half_step(printed: str) -> float:
    """Half a unit in the last non-zero digit of a whole number: ``"90"`` -> 5, ``"300000"`` ->
    50,000, ``"3990"`` -> 5 (whether the reading applies at all is :func:`is_round`'s call)."""
    text = printed.strip().lstrip("+-")
    if "." in text or not text.isdigit() or not text.strip("0"):
        return _half_step(text)
    return 0.5 * 10.0 ** (len(text) - len(text.rstrip("0")))


def bounds(
    qualifier: str,
    cited_value: str,
    cited_high: str = "",
    *,
    round_number: bool = False,
) -> Bounds:
    """The interval a recomputed value must fall in for the printed figure to hold.

    ``cited_value`` and ``cited_high`` are strings with the digits as printed. ``round_number=True``
    gives the lenient reading of rule ``round-number`` (the last non-zero digit sets the precision).
    """
    if qualifier == "blank":
        raise ValueError("a blank figure has no bounds")
    step = _round_half_step if round_number else _half_step
    v = float(cited_value)
    h = step(cited_value)
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
            v - h, float(cited_high) + step(cited_high), True, False
        ),
    }
    if qualifier not in rules:
        raise ValueError(f"unknown qualifier {qualifier!r}")
    return rules[qualifier]()


def _plain(v: float) -> str:
    """A bound or gap shown exactly (up to 12 significant digits), with separators, no exponent."""
    if v == 0:
        return "0"
    d = max(0, 11 - math.floor(math.log10(abs(v))))
    text = f"{v:,.{min(d, 15)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --------------------------------------------------------------------------- readings
@dataclass(frozen=True)
class Reading:
    """An alternative reading of a claim, naming the rule of :data:`RULES` that allows it.

    ``value`` is what the reading gives; ``lo``/``hi`` (optional) the range it allows (a total of
    rounded rows can be anything in a range); ``inferred=True`` when the reading rests on the
    book's own inference (rule 6: it can then give at most ``qualified``).
    """

    rule: str
    label: str
    value: float
    inferred: bool = False
    lo: float | None = None
    hi: float | None = None

    def __post_init__(self):
        if self.rule not in READING_RULES:
            raise ValueError(
                f"reading {self.label!r}: rule {self.rule!r} is not a reading rule "
                f"(one of {', '.join(READING_RULES)})"
            )

    def holds(self, b: Bounds) -> bool:
        if self.lo is None or self.hi is None:
            return self.value in b
        return (
            self.hi >= b.lo
            and self.lo <= b.hi
            and not (self.hi == b.lo and not b.lo_closed)
            and not (self.lo == b.hi and not b.hi_closed)
        )

    def scaled(self, conv) -> Reading:
        return Reading(
            self.rule,
            self.label,
            conv(self.value),
            self.inferred,
            None if self.lo is None else conv(self.lo),
            None if self.hi is None else conv(self.hi),
        )

    def record(self) -> dict:
        return {
            "rule": self.rule,
            "label": self.label,
            "value": self.value,
            "inferred": self.inferred,
            "lo": self.lo,
            "hi": self.hi,
        }


def interval(printed: str) -> tuple[float, float]:
    """The values a printed figure can stand for: ``"5910"`` -> (5909.5, 5910.5)."""
    v, h = (
        float(str(printed).replace(",", "")),
        _half_step(str(printed).replace(",", "")),
    )
    return v - h, v + h


def component_rounding(
    parts: Iterable[str],
    how: str = "sum",
    *,
    label: str = "",
    denominator: Iterable[str] | None = None,
    scale: float = 1.0,
    count: int | None = None,
) -> Reading:
    """Rule ``component-rounding``: what a total (``how="sum"``), an average (``"mean"``, over
    ``count`` or the number of parts) or a share (``"share"``: sum of ``parts`` over sum of
    ``denominator``, times ``scale``) of printed, already-rounded rows can be.

    ``parts`` are the rows as printed (strings): their digits set the slack, so no chapter picks a
    tolerance. ``"5,910"``-style separators are allowed.
    """
    parts = [str(p) for p in parts]
    if not parts:
        raise ValueError("component_rounding needs the printed rows")
    ivs = [interval(p) for p in parts]
    value = sum(float(p.replace(",", "")) for p in parts)
    lo, hi = sum(a for a, _ in ivs), sum(b for _, b in ivs)
    n = len(parts) if count is None else count
    if how == "sum":
        what = f"the sum of {n} printed rows"
    elif how == "mean":
        value, lo, hi = value / n, lo / n, hi / n
        what = f"the average of {n} printed rows"
    elif how == "share":
        den = [str(p) for p in (denominator or [])]
        if not den:
            raise ValueError(
                "a share needs the printed rows of its denominator"
            )
        divs = [interval(p) for p in den]
        dv = sum(float(p.replace(",", "")) for p in den)
        dlo, dhi = sum(a for a, _ in divs), sum(b for _, b in divs)
        if dlo <= 0 or lo < 0:
            raise ValueError("a share needs positive rows")
        value, lo, hi = (
            scale * value / dv,
            scale * lo / dhi,
            scale * hi / dlo,
        )
        what = "the share computed from printed rows"
    else:
        raise ValueError(f"unknown how={how!r} (sum, mean, share)")
    text = (
        label
        or f"{what}, each rounded in print (any values they round from: {_plain(lo)} to {_plain(hi)})"
    )
    return Reading("component-rounding", text, value, False, lo, hi)


def _as_readings(readings) -> list[Reading]:
    """Readings as :class:`Reading` objects; an old-style ``{label: value}`` dict becomes
    ``alternative-reading`` readings."""
    if not readings:
        return []
    if isinstance(readings, dict):
        return [
            Reading("alternative-reading", k, float(v))
            for k, v in readings.items()
        ]
    out = []
    for r in readings:
        if not isinstance(r, Reading):
            raise TypeError(f"readings must be Reading objects, got {r!r}")
        out.append(r)
    return out


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
    readings: list = field(default_factory=list)
    rule: str = ""
    implied_value: float | None = None
    inferred: bool = False
    plausibility: str = ""

    def __post_init__(self):
        if (
            self.rule
            and RULES[self.rule].status != self.status
            and self.rule != "inferred"
        ):
            raise AssertionError(
                f"{self.id}: rule {self.rule} gives {RULES[self.rule].status}, not {self.status}"
            )

    def record(self) -> dict:
        return asdict(self)


def _num(x) -> float | None:
    if x is None:
        return None
    return float(x)


def _percent(p: float) -> str:
    """A relative gap: whole percent from 1% up (``29,000%``), else two significant digits
    (``0.076%``), never with an exponent."""
    if p >= 1:
        return f"{p:,.0f}%"
    return (
        f"{p:.{max(0, 1 - math.floor(math.log10(p)))}f}%" if p > 0 else "0%"
    )


def _round_applies(row: dict) -> bool:
    """Rule ``round-number`` applies to round figures in prose, not to table cells, ranks, years or
    a count the paper itself spells out item by item (``count-vs-list``)."""
    if row.get("kind") in ("table-arithmetic", "count-vs-list") or row.get(
        "unit"
    ) in ("rank", "year", "years"):
        return False
    vals = [row["cited_value"]] + (
        [row["cited_high"]] if row.get("cited_high") else []
    )
    return any(is_round(v) for v in vals)


def evaluate(
    row: dict,
    value,
    *,
    unit: str | None = None,
    readings=None,
    note: str = "",
    inferred: bool | str = False,
    round_number: bool | None = None,
    plausibility: str = "",
) -> Result:
    """Status of one claim (``row`` is its ledger row) given the recomputed ``value``.

    Pure function. ``value`` and the readings are in ``unit`` (default: the row's unit) and are
    converted to the row's unit. ``readings`` is a list of :class:`Reading` (an old ``{label:
    value}`` dict is read as ``alternative-reading``). ``inferred`` (True or a phrase saying what
    is inferred) marks the plain value as resting on the book's inference. ``round_number``
    overrides the automatic round-number test (:func:`is_round`).

    ``plausibility="ceiling"`` (or ``"floor"``) says that ``value`` is not a recomputation but a
    plausibility check: the most (the least) the figure can be by the book's reasoning. The figure
    then passes if some value it can stand for lies below the ceiling (above the floor), and a pass
    never reproduces it: on the plain reading it stays ``external`` (with the check as
    cross-check), on a named reading (a scale word, say) it is ``qualified``, and a figure that
    fails every reading is ``qualified`` under rule ``inferred``, not ``discrepant``.

    Order: the plain value inside the printed bounds (``printed-precision``); readings whose rule
    gives ``reproduced`` (``component-rounding``, ``stated-exception``); the round-number reading of
    the plain value; readings whose rule gives ``qualified``; the round-number reading of the
    readings; else ``discrepant`` (``no-reading``). Anything inferred is capped at ``qualified``
    and a gap found only through an inferred value is ``qualified`` (rule ``inferred``).
    """
    cid, row_unit = row["id"], row["unit"]
    conv = (
        (lambda x: _num(x))
        if unit is None
        else (lambda x: convert(_num(x), unit, row_unit))
    )
    val = conv(value) if value is not None else None
    alts = [r.scaled(conv) for r in _as_readings(readings)]
    recs = [r.record() for r in alts]
    printed = row.get("cited_value") or None
    f = lambda x: fmt_number(x, printed)  # noqa: E731
    why = inferred if isinstance(inferred, str) else "the book's inference"
    if row["qualifier"] == "blank":
        if not alts:
            raise ValueError(
                f"{cid}: a blank figure needs readings= (what it most plausibly was)"
            )
        first = alts[0]
        return Result(
            cid,
            "qualified",
            val,
            row_unit,
            "",
            first.label,
            _join(
                f"left blank in print; the book adopts the reading: {first.label}",
                note,
            ),
            recs,
            "left-blank",
            None,
            bool(inferred) or first.inferred,
        )
    if val is None:
        raise ValueError(
            f"{cid}: check() needs a value; use external() for outside figures"
        )
    b = bounds(
        row["qualifier"], row["cited_value"], row.get("cited_high", "")
    )
    rnd = _round_applies(row) if round_number is None else round_number
    rb = (
        bounds(
            row["qualifier"],
            row["cited_value"],
            row.get("cited_high", ""),
            round_number=True,
        )
        if rnd
        else None
    )
    if rb is not None and (rb.lo, rb.hi) == (b.lo, b.hi):
        rb = None
    if plausibility:
        return _plausible(
            row, val, b, rb, alts, recs, note, plausibility, f
        )

    def result(status, rule, reading="", text="", bnds=b, inf=False):
        return Result(
            cid,
            status,
            val,
            row_unit,
            str(bnds),
            reading,
            _join(text, note),
            recs,
            rule,
            None,
            inf,
        )

    # 1. the plain reading at the printed precision
    if val in b:
        if inferred:
            return result(
                "qualified",
                "inferred",
                "",
                f"holds on {why}, which the papers do not state",
                inf=True,
            )
        return result("reproduced", "printed-precision")
    # 2. readings that reproduce (rows rounded before summing; the paper's own exceptions)
    for r in alts:
        if (
            RULES[r.rule].status == "reproduced"
            and not r.inferred
            and not inferred
            and r.holds(b)
        ):
            return result(
                "reproduced",
                r.rule,
                r.label,
                f"holds on {r.label}"
                + ("" if r.lo is not None else f" (gives {f(r.value)})")
                + f"; the plain figure {f(val)} lies outside {b}",
            )
    # 3. the round-number reading of the plain value
    if rb is not None and val in rb:
        infer = f"; it also rests on {why}" if inferred else ""
        return result(
            "qualified",
            "round-number",
            "round number",
            f"holds when the round figure is read to its last non-zero digit {rb}; "
            f"strictly {b}, which {f(val)} misses{infer}",
            rb,
            bool(inferred),
        )
    # 4. qualified readings (and reproducing readings that rest on an inference, capped)
    for r in alts:
        if r.holds(b):
            capped = RULES[r.rule].status != "qualified"
            inf = r.inferred or bool(inferred)
            if capped and not inf:
                continue
            gives = "" if r.lo is not None else f" (gives {f(r.value)})"
            infer = (
                f"; the reading rests on {why if inferred else 'the book' + chr(39) + 's inference'}"
                if inf
                else ""
            )
            return result(
                "qualified",
                "inferred" if capped else r.rule,
                r.label,
                f"holds only on the reading: {r.label}{gives}; the plain reading gives {f(val)}{infer}",
                inf=inf,
            )
    # 5. readings at a round number's precision
    if rb is not None:
        for r in alts:
            if r.holds(rb):
                return result(
                    "qualified",
                    "round-number",
                    r.label,
                    f"holds only as a round number {rb} and on the reading: {r.label} "
                    f"(gives {f(r.value)}); the plain reading gives {f(val)}",
                    rb,
                    r.inferred or bool(inferred),
                )
    gap = b.distance(val)
    ref = float(row["cited_value"])
    rel = (
        f" ({_percent(100 * gap / abs(ref))} of the cited figure)"
        if ref
        else ""
    )
    side = "below" if val < b.lo else "above"
    gap_text = (
        f"computed {quantity(val, row_unit, printed)} lies {quantity(gap, row_unit, printed)} {side} "
        f"the cited bounds {b}{rel}"
    )
    if rb is not None:
        gap_text += f", and outside {rb} even read as a round number"
    if alts:
        gap_text += "; no reading holds: " + ", ".join(
            f"{r.label} ({f(r.value)})" if r.lo is None else r.label
            for r in alts
        )
    if inferred:
        return result(
            "qualified",
            "inferred",
            "",
            f"{gap_text}; the gap rests on {why}, so the book does not call it a discrepancy",
            inf=True,
        )
    return result("discrepant", "no-reading", "", gap_text)


def _plausible(row, val, b, rb, alts, recs, note, kind, f) -> Result:
    """Rule 6 for plausibility checks: a ceiling or floor is not a bound (see :func:`evaluate`)."""
    if kind not in ("ceiling", "floor"):
        raise ValueError(
            f"{row['id']}: plausibility must be 'ceiling' or 'floor', not {kind!r}"
        )
    cid, unit = row["id"], row["unit"]
    word = "at most" if kind == "ceiling" else "at least"
    ok = (
        (lambda x, bb: bb.lo <= x)
        if kind == "ceiling"
        else (lambda x, bb: bb.hi >= x)
    )
    check_text = f"plausibility check (not a bound): by the book's reasoning the figure is {word} {quantity(val, unit, row.get('cited_value') or None)}"
    if ok(val, b):
        return Result(
            cid,
            "external",
            None,
            unit,
            str(b),
            "",
            _join(
                f"{check_text}, and the printed figure passes it; only an outside source can reproduce it",
                note,
            ),
            recs,
            "outside-source",
            val,
            False,
            kind,
        )
    for r in alts:
        if RULES[r.rule].status == "qualified" and ok(r.value, b):
            return Result(
                cid,
                "qualified",
                val,
                unit,
                str(b),
                r.label,
                _join(
                    f"{check_text}; the printed figure fails it as printed but passes on the reading: "
                    f"{r.label}",
                    note,
                ),
                recs,
                r.rule,
                None,
                r.inferred,
                kind,
            )
    return Result(
        cid,
        "qualified",
        val,
        unit,
        str(b),
        "",
        _join(
            f"{check_text}; the printed figure fails it on every reading, but a plausibility check "
            f"cannot make a figure discrepant",
            note,
        ),
        recs,
        "inferred",
        None,
        True,
        kind,
    )


def external_result(
    row: dict,
    *,
    note: str,
    implied=None,
    implied_unit: str | None = None,
    rule: str = "outside-source",
) -> Result:
    """The record of a claim only an outside source can decide (rule ``outside-source``) or that
    matches the papers only through the book's own choice of what to count (``coincidence``).
    ``implied`` is the number the papers imply, if any (in ``implied_unit``, default the row's)."""
    if rule not in EXTERNAL_RULES:
        raise ValueError(
            f"{row['id']}: external rule must be one of {EXTERNAL_RULES}, not {rule!r}"
        )
    if not note.strip():
        raise ValueError(
            f"{row['id']}: external() needs a note naming the source and the cross-check"
        )
    return Result(
        row["id"],
        "external",
        None,
        implied_unit or row["unit"],
        "",
        "",
        note.strip(),
        [],
        rule,
        None if implied is None else _num(implied),
    )


def _join(*parts: str) -> str:
    return "; ".join(
        p.strip().rstrip(";").strip() for p in parts if p and p.strip()
    )
