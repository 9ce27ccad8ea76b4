"""The checker: the book's judging policy as code (pure: no I/O, no HTML, no notebook).

The cited side of every claim is a row of ``data/claims.csv``. A chapter computes the figure in
visible code and calls :func:`migbook.notebook.check` (or :func:`migbook.notebook.external`, or
:func:`migbook.notebook.withdraw`), which calls :func:`evaluate` here. The status follows from
named rules (:data:`RULES`), never from a chapter's own tolerance, and :func:`evaluate` applies
them in the order the policy page states them:

1. *the figure as printed*: a blank is filled by a named reading (``left-blank``); a plausibility
   ceiling or floor is never a bound (``inferred``/``outside-source``);
2. *its precision*: the printed digits set rounding bounds (``5910`` -> [5909.5, 5910.5)), the
   qualifier widens or shifts them (``about``, ``almost``, ``more than`` ...), unit words scale
   the number; a round figure ("90%", "twentyfold", "a third") is read at its own precision
   (``round-number``);
3. *the readings*: rows rounded before summing and the paper's own exceptions reproduce;
   other named readings (a definition, a base year, a scale word, a misprint, an edition) qualify;
4. *what the check rests on* (the ledger's ``basis``): a restatement of one paper by the other
   or the text's arithmetic on figures it prints is ``consistent``, not ``reproduced``; a figure
   from an outside source that matches the papers only through the book's inference is a
   ``coincidence`` (``external``);
5. *what the words claim*: an open floor far below the value is an ``understatement``; a measure
   the book chose for a vague word caps the status at ``qualified`` (``chosen-measure``) unless
   every measure the chapter tried agrees; anything resting on the book's inference is capped at
   ``qualified`` and a gap found only through one is not a discrepancy (``inferred``);
6. *counted once*: a row that restates another row's verdict, or a cell of a set of cells that
   cannot all be right, links to the row that carries the verdict (``counted-once``,
   ``joint-inconsistency``); every discrepancy carries a severity (:data:`SEVERITIES`).

A check whose computed side is built from its cited side cannot fail: it is ``withdrawn``
(``cannot-fail``), listed with its reason and left out of the counts. Every :class:`Result`
carries the id of the rule that decided it and, in ``sensitivity``, the status it would get with
the qualifier tolerance at 5% and 20% and with round-number readings off (:data:`ALTERNATIVES`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from migbook.render import fmt_number, gap_quantity, quantity

STATUSES = (
    "reproduced",
    "consistent",
    "qualified",
    "discrepant",
    "external",
    "withdrawn",
)
#: statuses the headline counts count: a withdrawn row is listed with its reason, not counted
COUNTED = tuple(s for s in STATUSES if s != "withdrawn")

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

#: how much a discrepancy matters to the argument (every discrepant row names one)
SEVERITIES: dict[str, str] = {
    "slip": "a slip: the argument does not lean on the figure, and it stands with the papers' "
    "own number",
    "load-bearing": "load-bearing: the argument leans on the figure, and the papers' own number "
    "weakens it",
}


def tally(rows: Iterable[dict]) -> dict[str, dict]:
    """Headline counts of joined claim rows (each with ``status``, ``basis`` and, when it shares
    another row's verdict, ``counted_with``): by status (in :data:`STATUSES` order), by basis (in
    :data:`BASES` order) and by basis within each status. A row counted with another row and a
    withdrawn row are left out of the status and basis counts and counted apart
    (``counted_with``, ``withdrawn``), so that one error is counted once and
    ``total == sum(status) + counted_with + withdrawn``. Every status and basis appears, with 0
    when no row has it. The front page, the report and the errata all count with this function."""
    rows = list(rows)
    linked = [r for r in rows if r.get("counted_with")]
    counted = [
        r
        for r in rows
        if not r.get("counted_with") and r["status"] in COUNTED
    ]
    by_status = {
        s: sum(r["status"] == s for r in counted) for s in STATUSES
    }
    by_basis = {b: sum(r.get("basis") == b for r in counted) for b in BASES}
    cross = {
        s: {
            b: sum(
                r["status"] == s and r.get("basis") == b for r in counted
            )
            for b in BASES
        }
        for s in STATUSES
    }
    return {
        "total": len(rows),
        "counted": len(counted),
        "counted_with": len(linked),
        "withdrawn": sum(
            r["status"] == "withdrawn" and not r.get("counted_with")
            for r in rows
        ),
        "status": by_status,
        "basis": by_basis,
        "status_basis": cross,
    }


class Rule(NamedTuple):
    title: str
    status: str
    explanation: str


#: a rule whose status is that of the row it links to (``counted-once``)
AS_LINKED = "as linked"

#: the judging policy: rule id -> (short title, the status it yields, one-line explanation), in
#: the order :func:`evaluate` applies them. The policy page of the book (``book/policy.md``) is
#: generated from this table.
RULES: dict[str, Rule] = {
    "printed-precision": Rule(
        "Inside the printed precision",
        "reproduced",
        "The recomputed figure falls inside the rounding bounds of the printed digits, widened or "
        "shifted by the qualifier the paper uses (about, almost, more than ...).",
    ),
    "round-number": Rule(
        "Round number",
        "reproduced",
        "A round figure is read at its own precision: digits with at most two significant figures "
        "followed by zeros (90%, 300,000) at their last non-zero digit; a multiple or fraction "
        "spelled out in words (fivefold, twenty-fivefold, a third, one-quarter) to half the gap "
        "to the next figure words would name. A round prose figure that holds on that reading, "
        "in every year the paper speaks of, is reproduced and not marked down; the note gives "
        "the strict reading. Table cells, ranks, years and counts of listed items are not read "
        "this way.",
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
    "restatement": Rule(
        "One paper restating the other",
        "consistent",
        "One paper repeats a figure or a table of the other, and the two agree; agreement shows "
        "that the papers are consistent, not that their data give the figure, so it is not a "
        "reproduction, whatever the single-paper rows say.",
    ),
    "internal-consistency": Rule(
        "The text's arithmetic on its own figures",
        "consistent",
        "The text's arithmetic on figures it prints itself (a ratio, a comparison, a change) is "
        "right, but those figures come from elsewhere; where the papers' tables speak to the "
        "same point, the note says what they show too.",
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
    "misprint": Rule(
        "An evident misprint",
        "qualified",
        "The figure holds once an evident misprint is read as meant (million for billion, a "
        "count printed before a list that has one more item); the note names the misprint and "
        "the figure as printed stays in the ledger.",
    ),
    "edition": Rule(
        "Another edition of the same source",
        "qualified",
        "The two papers print the same source's figure differently, as two editions of a "
        "statistical series do when it is revised; each holds for its own edition, and the note "
        "gives both.",
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
        "reading and says which. The adopted figure is the book's filling, not a recomputation.",
    ),
    "understatement": Rule(
        "An open floor far below the value",
        "qualified",
        "A figure printed as a floor or a ceiling (more than X, at least X, less than X) is true "
        "as stated, but when the papers' own value lies beyond it by more than half of X (below "
        "half of X for a ceiling) the words understate it: flagged, not reproduced, and the note "
        "gives the value.",
    ),
    "chosen-measure": Rule(
        "A measure the book chose for a vague word",
        "qualified",
        "Words such as 'most consistently' or 'a clear upward trend' name no measure; the one the "
        "book computes is an inference, so the status is at most qualified unless the chapter "
        "shows that every reasonable measure agrees, and the note says which measures it tried.",
    ),
    "inferred": Rule(
        "Rests on an inference or a plausibility check",
        "qualified",
        "The check needs an inference of the book (how a figure was computed, what a word "
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
        "A match of the book's choosing or inference",
        "external",
        "The figure comes from an outside source, or the claim names a quantity the papers do "
        "not print (a stand-in is tested instead), and it matches something in the papers only "
        "through the book's choice of what to count or its inference about how the source "
        "computed it; the match is a cross-check, not a reproduction, and every row that rests "
        "on the same computation gets this one status.",
    ),
    "no-reading": Rule(
        "No reasonable reading holds",
        "discrepant",
        "Every reasonable reading fails: printed precision, a round-number reading, the qualifier "
        "words, the papers' own definitions, exceptions and sources; the note gives the gap and "
        "the discrepancy's severity (a slip, or load-bearing).",
    ),
    "joint-inconsistency": Rule(
        "Cells that cannot all be right",
        "discrepant",
        "Several printed cells cannot all hold together, and the papers do not say which is "
        "wrong: one verdict attaches to the set, carried by one row and counted once; no single "
        "cell is blamed, and every member's badge names the set.",
    ),
    "counted-once": Rule(
        "One error, counted once",
        AS_LINKED,
        "A row that restates the verdict of another row (a comparison of the papers that repeats "
        "an erratum) shows that row's status and links to it, but the error is counted once, "
        "under the row that carries it.",
    ),
    "cannot-fail": Rule(
        "A check that cannot fail",
        "withdrawn",
        "A row whose computed side is built from its cited side tests nothing: a list counted "
        "against its own names or its own numbering when no count is printed beside it (the "
        "checker finds these itself), or a figure computed from the words it is tested against. "
        "It is withdrawn with its reason, keeps its anchor, is listed, and is left out of the "
        "counts.",
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
    "misprint",
    "edition",
    "alternative-reading",
    "left-blank",
)
EXTERNAL_RULES = tuple(
    r for r, v in RULES.items() if v.status == "external"
)

#: how far a qualifier widens the rounding bounds, as a fraction of the cited value
NEAR = 0.10

#: an open floor is an understatement when the value lies beyond it by more than this fraction of
#: the floor (a ceiling: below this fraction of it)
FAR = 0.5


@dataclass(frozen=True)
class Settings:
    """The policy's free parameters: the qualifier tolerance and the round-number reading."""

    near: float = NEAR
    round_numbers: bool = True


#: the settings under which every check is evaluated again, to show how fragile its badge is
ALTERNATIVES: dict[str, Settings] = {
    "near-5": Settings(near=NEAR / 2),  # the tolerance halved
    "near-20": Settings(near=NEAR * 2),  # and doubled
    "no-round": Settings(round_numbers=False),
}
#: how the policy page and the badges name each alternative
ALTERNATIVE_LABELS: dict[str, str] = {
    "near-5": f"qualifier tolerance {NEAR / 2:.0%}",
    "near-20": f"qualifier tolerance {NEAR * 2:.0%}",
    "no-round": "round-number readings off",
}

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


#: simple fractions that words name (a half, a third, three-quarters, one fifth ...)
_SIMPLE_FRACTIONS = sorted(
    {0.0, 1.0} | {n / d for d in range(2, 6) for n in range(1, d)}
)


def _spelled_half_step(value: float) -> float:
    """Half the gap to the next figure words would name: a fraction to its nearest simple
    fraction (``1/3`` -> 1/30), a multiple up to ten to the next whole number (0.5), a larger one
    to the next multiple of five (2.5: twenty-fivefold)."""
    v = abs(value)
    if v < 1:
        gaps = [abs(v - f) for f in _SIMPLE_FRACTIONS if abs(v - f) > 1e-3]
        return min(gaps) / 2
    return 0.5 if v <= 10 else 2.5


def bounds(
    qualifier: str,
    cited_value: str,
    cited_high: str = "",
    *,
    round_number: bool = False,
    spelled: bool = False,
    near: float | None = None,
) -> Bounds:
    """The interval a recomputed value must fall in for the printed figure to hold.

    ``cited_value`` and ``cited_high`` are strings with the digits as printed. ``round_number=True``
    gives the lenient reading of rule ``round-number``: the last non-zero digit sets the precision,
    or, with ``spelled=True`` (a multiple or fraction spelled out in words), half the gap to the
    next figure words would name. ``near`` is the qualifier tolerance (default :data:`NEAR`).
    """
    if qualifier == "blank":
        raise ValueError("a blank figure has no bounds")
    tolerance = NEAR if near is None else near

    def step(printed: str) -> float:
        if not round_number:
            return _half_step(printed)
        if (
            spelled
        ):  # words, not digits: the digits' own precision does not apply
            return _spelled_half_step(float(printed))
        return _round_half_step(printed)

    v = float(cited_value)
    h = step(cited_value)
    near_by = max(h, tolerance * abs(v))
    rules = {
        "exact": lambda: Bounds(v - h, v + h, True, False),
        "about": lambda: Bounds(v - near_by, v + near_by, True, True),
        "almost": lambda: Bounds(v - near_by, v, True, True),
        "more_than": lambda: Bounds(v, math.inf, False, True),
        "slightly_more_than": lambda: Bounds(v, v + near_by, False, True),
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
@dataclass(kw_only=True)
class Result:
    """A claim's verdict and everything the book shows or exports of it (built by keyword)."""

    id: str
    status: str
    computed_value: float | None = None
    unit: str = ""
    bounds: str = ""
    reading: str = ""
    note: str = ""
    readings: list = field(default_factory=list)
    rule: str = ""
    implied_value: float | None = None
    inferred: bool = False
    plausibility: str = ""
    #: what the check rests on (the ledger's ``basis``)
    basis: str = ""
    #: a discrepancy's weight in the argument (:data:`SEVERITIES`)
    severity: str = ""
    #: the row whose verdict this row shares, counted there (``counted-once``, ``joint-inconsistency``)
    counted_with: str = ""
    #: the rows of a joint verdict (``joint-inconsistency``)
    joint: list = field(default_factory=list)
    #: the measures tried for a vague word: label -> value
    measures: dict = field(default_factory=dict)
    #: the status under each of :data:`ALTERNATIVES`
    sensitivity: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"{self.id}: unknown status {self.status!r}")
        if not self.rule:
            return
        gives = RULES[self.rule].status
        if (
            gives not in (self.status, AS_LINKED)
            and self.rule != "inferred"
        ):
            raise AssertionError(
                f"{self.id}: rule {self.rule} gives {gives}, not {self.status}"
            )
        if self.severity and self.severity not in SEVERITIES:
            raise ValueError(
                f"{self.id}: severity must be one of {', '.join(SEVERITIES)}"
            )

    def record(self) -> dict:
        return asdict(self)

    def fragile(self) -> dict[str, str]:
        """The alternative settings under which the status would change: id -> that status."""
        return {
            k: s for k, s in self.sensitivity.items() if s != self.status
        }


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
    return is_spelled(row) or any(is_round(v) for v in vals)


def is_spelled(row: dict) -> bool:
    """A multiple or fraction spelled out in words (``"fivefold"``, ``"a third"``,
    ``"one-quarter"``): no digit in the printed words, a unit of times or fraction."""
    return (
        row.get("unit") in ("times", "fraction")
        and not re.search(r"\d", str(row.get("cited", "")))
        and bool(str(row.get("cited_value", "")).strip())
        and float(row["cited_value"]) != 0
    )


def _is_open_figure(row: dict) -> bool:
    """A printed floor or ceiling on a quantity ("more than US$8 billion", "at least five hours"),
    not a comparison word ("exceeds", "the majority", "primarily") nor a count of a list."""
    return (
        row["qualifier"] in ("more_than", "at_least", "less_than")
        and row.get("kind") != "count-vs-list"
        and bool(row.get("cited_value"))
        and float(row["cited_value"]) != 0
        and bool(re.search(r"\d", str(row.get("cited", ""))))
    )


@dataclass
class _Check:
    """One claim being judged: the ledger row, the value and readings in the row's unit, and the
    bounds under the settings."""

    row: dict
    value: float | None
    readings: list[Reading]
    note: str
    inferred: bool
    why: str
    settings: Settings
    round_number: bool | None
    bounds: Bounds | None = None
    round_bounds: Bounds | None = None

    @property
    def id(self) -> str:
        return self.row["id"]

    @property
    def unit(self) -> str:
        return self.row["unit"]

    def fmt(self, x) -> str:
        return fmt_number(x, self.row.get("cited_value") or None)

    def result(
        self, status, rule, reading="", text="", bnds=None, inf=False, **kw
    ) -> Result:
        return Result(
            id=self.id,
            status=status,
            computed_value=self.value,
            unit=self.unit,
            bounds=str(bnds or self.bounds or ""),
            reading=reading,
            note=_join(text, self.note),
            readings=[r.record() for r in self.readings],
            rule=rule,
            inferred=inf,
            basis=self.row.get("basis", "") or "",
            **kw,
        )


def _prepare(
    row, value, unit, readings, note, inferred, round_number, settings
):
    conv = (
        (lambda x: _num(x))
        if unit is None
        else (lambda x: convert(_num(x), unit, row["unit"]))
    )
    c = _Check(
        row=row,
        value=conv(value) if value is not None else None,
        readings=[r.scaled(conv) for r in _as_readings(readings)],
        note=note,
        inferred=bool(inferred),
        why=inferred
        if isinstance(inferred, str)
        else "the book's inference",
        settings=settings,
        round_number=round_number,
    )
    if row["qualifier"] == "blank":
        return c
    args = (row["qualifier"], row["cited_value"], row.get("cited_high", ""))
    c.bounds = bounds(*args, near=settings.near)
    rnd = _round_applies(row) if round_number is None else round_number
    if rnd and settings.round_numbers:
        rb = bounds(
            *args,
            round_number=True,
            spelled=is_spelled(row),
            near=settings.near,
        )
        if (rb.lo, rb.hi) != (c.bounds.lo, c.bounds.hi):
            c.round_bounds = rb
    return c


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
    measure: str = "",
    measures: dict | None = None,
    counted_with: str = "",
    joint: Iterable[str] = (),
    severity: str = "",
    settings: Settings | None = None,
) -> Result:
    """Status of one claim (``row`` is its ledger row) given the recomputed ``value``.

    Pure function. ``value`` and the readings are in ``unit`` (default: the row's unit) and are
    converted to the row's unit. ``readings`` is a list of :class:`Reading` (an old ``{label:
    value}`` dict is read as ``alternative-reading``). ``inferred`` (True or a phrase saying what
    is inferred) marks the plain value as resting on the book's inference. ``round_number``
    overrides the automatic round-number test (:func:`is_round`, :func:`is_spelled`).

    ``plausibility="ceiling"`` (or ``"floor"``): ``value`` is not a recomputation but the most
    (the least) the figure can be by the book's reasoning; a pass never reproduces it.
    ``measure``: ``value`` is a measure the book chose for a vague word (its label);
    ``measures``: the other reasonable measures the chapter tried (label -> value).
    ``counted_with``: the id of the row that carries this row's verdict (one error counted once);
    ``joint``: the ids of a set of cells that cannot all be right (the first carries the verdict).
    ``severity``: for a discrepancy, ``slip`` or ``load-bearing``. ``settings``: the policy's free
    parameters (default: the book's); with the default, the record also holds the status under
    each of :data:`ALTERNATIVES`.

    The steps, in the order the policy page states them: :func:`_left_blank`,
    :func:`_plausibility_check`, :func:`_judge_the_figure` (printed precision, readings that
    reproduce, the round-number reading, qualifying readings, no reading),
    :func:`_what_the_words_claim` (understatement, chosen measure),
    :func:`_what_the_check_rests_on` (basis), :func:`_counted_once`, :func:`_severity`.
    """
    settings = settings or Settings()
    c = _prepare(
        row, value, unit, readings, note, inferred, round_number, settings
    )
    other = {
        k: (
            float(v)
            if unit is None
            else convert(float(v), unit, row["unit"])
        )
        for k, v in (measures or {}).items()
    }
    withdrawn = _cannot_fail(row, note)
    if withdrawn is not None:
        return withdrawn
    result = (
        _left_blank(c)
        or _plausibility_check(c, plausibility)
        or _judge_the_figure(c)
    )
    result = _what_the_words_claim(c, result, measure, other)
    result = _what_the_check_rests_on(c, result)
    result = _counted_once(result, counted_with, list(joint))
    result = _severity(result, severity)
    if settings == Settings() and result.status not in (
        "external",
        "withdrawn",
    ):
        result.sensitivity = {
            name: evaluate(
                row,
                value,
                unit=unit,
                readings=readings,
                note=note,
                inferred=inferred,
                round_number=round_number,
                plausibility=plausibility,
                measure=measure,
                measures=measures,
                counted_with=counted_with,
                joint=joint,
                settings=alt,
            ).status
            for name, alt in ALTERNATIVES.items()
        }
    return result


# --- step 0: can the check fail at all?
#: a list's own numbering ("(1) ... (4)") and ellipses are not a printed count
_NUMBERING = re.compile(r"\(\s*\d+\s*\)|\.\.\.|…")
_COUNT_WORDS = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"first|second|third|fourth|fifth|both|dozens?|several|a few)\b",
    re.IGNORECASE,
)


def states_a_count(cited: str) -> bool:
    """Whether the printed words state a count (a number or a count word) beside a list, once
    the list's own numbering is set aside: ``"four structural features"`` does,
    ``"(1) ... (4)"`` and a list of names do not."""
    return bool(_COUNT_WORDS.search(_NUMBERING.sub(" ", cited)))


def _cannot_fail(row: dict, note: str) -> Result | None:
    """Rule ``cannot-fail``: a list counted against itself (no count is printed beside it, only
    the names or the list's own numbering) tests nothing and is withdrawn."""
    if row.get("basis") != "list" or states_a_count(row["cited"]):
        return None
    return withdrawn_result(
        row,
        reason=_join(
            "no count is printed beside the list, only "
            + (
                "its own numbering"
                if _NUMBERING.search(row["cited"])
                else "the names"
            )
            + ", so counting the items could not disagree with the print",
            note,
        ),
    )


# --- step 1: the figure as printed
def _left_blank(c: _Check) -> Result | None:
    """Rule ``left-blank``: the paper prints nothing; the book's filling is a named reading."""
    if c.row["qualifier"] != "blank":
        return None
    if not c.readings:
        raise ValueError(
            f"{c.id}: a blank figure needs readings= (what it most plausibly was)"
        )
    first = c.readings[0]
    return c.result(
        "qualified",
        "left-blank",
        first.label,
        f"left blank in print; the book adopts the reading: {first.label}",
        inf=c.inferred or first.inferred,
    )


def _plausibility_check(c: _Check, kind: str) -> Result | None:
    """Rule ``inferred`` for plausibility checks: a ceiling or floor is not a bound."""
    if not kind:
        return None
    if c.value is None:
        raise ValueError(f"{c.id}: check() needs a value")
    if kind not in ("ceiling", "floor"):
        raise ValueError(
            f"{c.id}: plausibility must be 'ceiling' or 'floor', not {kind!r}"
        )
    b, val = c.bounds, c.value
    word = "at most" if kind == "ceiling" else "at least"
    ok = (
        (lambda x: b.lo <= x)
        if kind == "ceiling"
        else (lambda x: b.hi >= x)
    )
    check_text = (
        f"plausibility check (not a bound): by the book's reasoning the figure is {word} "
        f"{quantity(val, c.unit, c.row.get('cited_value') or None)}"
    )
    if ok(val):
        r = c.result(
            "external",
            "outside-source",
            text=f"{check_text}, and the printed figure passes it; only an outside source "
            "can reproduce it",
            plausibility=kind,
        )
        r.computed_value, r.implied_value = None, val
        return r
    for alt in c.readings:
        if RULES[alt.rule].status == "qualified" and ok(alt.value):
            return c.result(
                "qualified",
                alt.rule,
                alt.label,
                f"{check_text}; the printed figure fails it as printed but passes on the "
                f"reading: {alt.label}",
                inf=alt.inferred,
                plausibility=kind,
            )
    return c.result(
        "qualified",
        "inferred",
        text=f"{check_text}; the printed figure fails it on every reading, but a plausibility "
        "check cannot make a figure discrepant",
        inf=True,
        plausibility=kind,
    )


# --- steps 2 and 3: its precision and the readings
def _judge_the_figure(c: _Check) -> Result:
    if c.value is None:
        raise ValueError(
            f"{c.id}: check() needs a value; use external() for outside figures"
        )
    return (
        _within_printed_precision(c)
        or _readings_that_reproduce(c)
        or _round_number_reading(c)
        or _qualifying_readings(c)
        or _round_number_with_a_reading(c)
        or _no_reading(c)
    )


def _within_printed_precision(c: _Check) -> Result | None:
    """Rule ``printed-precision`` (capped at ``inferred`` when the value rests on an inference)."""
    if c.value not in c.bounds:
        return None
    if c.inferred:
        return c.result(
            "qualified",
            "inferred",
            text=f"holds on {c.why}, which the papers do not state",
            inf=True,
        )
    return c.result("reproduced", "printed-precision")


def _readings_that_reproduce(c: _Check) -> Result | None:
    """Rules ``component-rounding`` and ``stated-exception``: rows rounded before summing, the
    paper's own exceptions (never through an inference)."""
    if c.inferred:
        return None
    for r in c.readings:
        if (
            RULES[r.rule].status == "reproduced"
            and not r.inferred
            and r.holds(c.bounds)
        ):
            gives = "" if r.lo is not None else f" (gives {c.fmt(r.value)})"
            return c.result(
                "reproduced",
                r.rule,
                r.label,
                f"holds on {r.label}{gives}; the plain figure {c.fmt(c.value)} lies outside "
                f"{c.bounds}",
            )
    return None


def _round_number_reading(c: _Check) -> Result | None:
    """Rule ``round-number``: the plain value at the round figure's own precision."""
    rb = c.round_bounds
    if rb is None or c.value not in rb:
        return None
    strict = f"strictly {c.bounds}, which {c.fmt(c.value)} misses"
    if c.inferred:
        return c.result(
            "qualified",
            "inferred",
            "round number",
            f"holds when the round figure is read at its own precision {rb}; {strict}; "
            f"it also rests on {c.why}",
            rb,
            True,
        )
    return c.result(
        "reproduced",
        "round-number",
        "round number",
        f"holds when the round figure is read at its own precision {rb}; {strict}",
        rb,
    )


def _qualifying_readings(c: _Check) -> Result | None:
    """Named readings that qualify (a definition, a base year, a scale word, a misprint, an
    edition ...), and readings that would reproduce but rest on an inference (capped)."""
    for r in c.readings:
        if not r.holds(c.bounds):
            continue
        capped = RULES[r.rule].status != "qualified"
        inf = r.inferred or c.inferred
        if capped and not inf:
            continue
        gives = "" if r.lo is not None else f" (gives {c.fmt(r.value)})"
        infer = (
            f"; the reading rests on {c.why if c.inferred else chr(39).join(['the book', 's inference'])}"
            if inf
            else ""
        )
        return c.result(
            "qualified",
            "inferred" if capped else r.rule,
            r.label,
            f"holds only on the reading: {r.label}{gives}; the plain reading gives "
            f"{c.fmt(c.value)}{infer}",
            inf=inf,
        )
    return None


def _round_number_with_a_reading(c: _Check) -> Result | None:
    """A named reading that holds at the round figure's precision: the reading decides (a
    reading that reproduces keeps ``round-number``; an inference caps it)."""
    rb = c.round_bounds
    if rb is None:
        return None
    for r in c.readings:
        if not r.holds(rb):
            continue
        inf = r.inferred or c.inferred
        reproduces = RULES[r.rule].status == "reproduced" and not inf
        rule = (
            "round-number"
            if reproduces
            else (
                "inferred"
                if RULES[r.rule].status != "qualified"
                else r.rule
            )
        )
        return c.result(
            "reproduced" if reproduces else "qualified",
            rule,
            r.label,
            f"holds only as a round number {rb} and on the reading: {r.label} "
            f"(gives {c.fmt(r.value)}); the plain reading gives {c.fmt(c.value)}",
            rb,
            inf,
        )
    return None


def _gap_text(c: _Check) -> str:
    b, val = c.bounds, c.value
    printed = c.row.get("cited_value") or None
    gap = b.distance(val)
    ref = float(c.row["cited_value"])
    rel = (
        f" ({_percent(100 * gap / abs(ref))} of the cited figure)"
        if ref
        else ""
    )
    side = "below" if val < b.lo else "above"
    text = (
        f"computed {quantity(val, c.unit, printed)} lies {gap_quantity(gap, c.unit, printed)} "
        f"{side} the cited bounds {b}{rel}"
    )
    if c.round_bounds is not None:
        text += (
            f", and outside {c.round_bounds} even read as a round number"
        )
    if c.readings:
        text += "; no reading holds: " + ", ".join(
            f"{r.label} ({c.fmt(r.value)})" if r.lo is None else r.label
            for r in c.readings
        )
    return text


def _no_reading(c: _Check) -> Result:
    """Rule ``no-reading`` (or ``inferred`` when the gap is found only through an inference)."""
    text = _gap_text(c)
    if c.inferred:
        return c.result(
            "qualified",
            "inferred",
            text=f"{text}; the gap rests on {c.why}, so the book does not call it a "
            "discrepancy",
            inf=True,
        )
    return c.result("discrepant", "no-reading", text=text)


# --- step 4: what the words claim
def _what_the_words_claim(
    c: _Check, result: Result, measure: str, others: dict[str, float]
) -> Result:
    if result.plausibility or c.row["qualifier"] == "blank":
        return result
    result = _understatement(c, result)
    if measure:
        result = _chosen_measure(c, result, measure, others)
    return result


def _understatement(c: _Check, result: Result) -> Result:
    """Rule ``understatement``: an open floor (ceiling) far below (above) the value."""
    if result.status != "reproduced" or not _is_open_figure(c.row):
        return result
    v, x = c.value, float(c.row["cited_value"])
    floor = c.row["qualifier"] != "less_than"
    far = v > x * (1 + FAR) if floor else v < x * (1 - FAR)
    if not far:
        return result
    word = "floor" if floor else "ceiling"
    beyond = abs(v - x) / abs(x) * 100
    return c.result(
        "qualified",
        "understatement",
        result.reading,
        f"true as a {word}, but the papers give {quantity(v, c.unit, c.row['cited_value'])}, "
        f"{_percent(beyond)} {'above' if floor else 'below'} the printed figure: the words "
        "understate it",
        inf=result.inferred,
    )


def _chosen_measure(
    c: _Check, result: Result, measure: str, others: dict[str, float]
) -> Result:
    """Rule ``chosen-measure``: a vague word measured by the book is at most qualified, unless
    every measure the chapter tried agrees."""

    def passes(x: float) -> bool:
        return x in c.bounds or (
            c.round_bounds is not None and x in c.round_bounds
        )

    tried = {measure: c.value, **others}
    agree = [k for k, x in tried.items() if passes(x)]
    listed = "; ".join(f"{k}: {c.fmt(x)}" for k, x in tried.items())
    result.measures = dict(tried)
    if (
        result.status == "reproduced"
        and len(agree) == len(tried)
        and others
    ):
        result.note = _join(
            f"every measure the chapter tried agrees ({listed})",
            result.note,
        )
        return result
    if result.status == "discrepant" and others and not agree:
        result.note = _join(
            f"every measure the chapter tried fails ({listed})", result.note
        )
        return result
    if result.status not in ("reproduced", "discrepant"):
        return result
    failing = [k for k in tried if k not in agree]
    text = (
        f"the words name no measure; the book measured them by {measure}"
        + (
            f", and not every measure agrees (fails: {', '.join(failing)})"
            if failing and agree
            else ", the only measure the chapter tried"
            if not others
            else ""
        )
        + f" ({listed})"
    )
    r = c.result(
        "qualified", "chosen-measure", result.reading, text, inf=True
    )
    r.note = _join(text, result.note)
    r.measures = dict(tried)
    return r


# --- step 5: what the check rests on
def _what_the_check_rests_on(c: _Check, result: Result) -> Result:
    """A restatement or the text's own arithmetic is ``consistent``, not ``reproduced``; a figure
    from an outside source that matches only through the book's computation is a
    ``coincidence``."""
    basis = c.row.get("basis", "")
    if result.status == "reproduced" and basis in (
        "restatement",
        "internal",
    ):
        rule = (
            "restatement"
            if basis == "restatement"
            else "internal-consistency"
        )
        result.status, result.rule = "consistent", rule
        return result
    if basis == "outside" and result.status in (
        "reproduced",
        "qualified",
        "discrepant",
    ):
        matched = result.status != "discrepant"
        text = (
            "what the claim names is not in the papers (an outside source, or a quantity they "
            "do not print); the book's computation from the papers "
            + (
                "matches it, a cross-check and not a reproduction"
                if matched
                else "does not match it, which only the source can settle"
            )
        )
        r = Result(
            id=c.id,
            status="external",
            unit=c.unit,
            bounds=result.bounds,
            reading=result.reading,
            note=_join(text, result.note),
            readings=result.readings,
            rule="coincidence" if matched else "outside-source",
            implied_value=c.value,
            inferred=result.inferred,
            basis=basis,
        )
        return r
    return result


# --- step 6: counted once
def _counted_once(
    result: Result, counted_with: str, joint: list[str]
) -> Result:
    if joint:
        if result.id not in joint:
            raise ValueError(
                f"{result.id}: joint= must list the row itself"
            )
        result.joint = list(joint)
        carrier = joint[0]
        others = ", ".join(j for j in joint if j != result.id)
        result.status, result.rule = "discrepant", "joint-inconsistency"
        result.note = _join(
            f"the cells {', '.join(joint)} cannot all be right and the papers do not say "
            f"which is wrong: one verdict for the set (with {others})"
            + (
                "" if carrier == result.id else f", counted under {carrier}"
            ),
            result.note,
        )
        if carrier != result.id:
            result.counted_with = carrier
        return result
    if counted_with:
        if counted_with == result.id:
            raise ValueError(
                f"{result.id}: counted_with names the row itself"
            )
        result.counted_with = counted_with
        result.rule = (
            "counted-once"  # the badge names the row it is counted under
        )
    return result


def _severity(result: Result, severity: str) -> Result:
    """Every discrepancy carries a severity (checked when it is published)."""
    if severity and severity not in SEVERITIES:
        raise ValueError(
            f"{result.id}: severity must be one of {', '.join(SEVERITIES)}, not {severity!r}"
        )
    if result.status == "discrepant":
        result.severity = severity
    return result


def external_result(
    row: dict,
    *,
    note: str,
    implied=None,
    implied_unit: str | None = None,
    rule: str = "outside-source",
) -> Result:
    """The record of a claim only an outside source can decide (rule ``outside-source``) or that
    matches the papers only through the book's own choice or inference (``coincidence``).
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
        id=row["id"],
        status="external",
        unit=implied_unit or row["unit"],
        note=note.strip(),
        rule=rule,
        implied_value=None if implied is None else _num(implied),
        basis=row.get("basis", "") or "",
    )


def withdrawn_result(row: dict, *, reason: str) -> Result:
    """Rule ``cannot-fail``: the record of a row withdrawn because its check could not fail
    (its anchor stays; it is listed with ``reason`` and left out of the counts)."""
    if not reason.strip():
        raise ValueError(f"{row['id']}: a withdrawn row needs its reason")
    return Result(
        id=row["id"],
        status="withdrawn",
        unit=row["unit"],
        note=reason.strip(),
        rule="cannot-fail",
        basis=row.get("basis", "") or "",
    )


def _join(*parts: str) -> str:
    return "; ".join(
        p.strip().rstrip(";").strip() for p in parts if p and p.strip()
    )
