"""The checker's rules, table-driven, including cases that must fail."""

import math

import pytest

from migbook.claims import bounds, convert, evaluate, parse_unit


def row(qualifier, value, unit="US$ million", high="", cid="p2001-x"):
    return {
        "id": cid,
        "qualifier": qualifier,
        "cited_value": value,
        "cited_high": high,
        "unit": unit,
    }


# (qualifier, printed value, high, x, expected inside?)
BOUND_CASES = [
    ("exact", "5910", "", 5910.0, True),
    ("exact", "5910", "", 5910.49, True),
    ("exact", "5910", "", 5910.5, False),  # upper bound is open
    ("exact", "5910", "", 5909.5, True),
    ("exact", "5910", "", 5909.4, False),
    ("exact", "46", "", 45.5, True),
    ("exact", "46", "", 46.6, False),
    ("exact", "48.5", "", 48.54, True),
    ("exact", "48.5", "", 48.56, False),
    ("exact", "38", "", 38.46, True),  # 1 - 7.20/11.70 in percent
    ("almost", "6", "", 5.91, True),
    ("almost", "6", "", 6.2, False),  # "almost" never exceeds the figure
    ("almost", "6", "", 5.3, False),  # nor falls far below it
    ("about", "17", "", 16.82, True),
    ("about", "17", "", 15.0, False),
    ("more_than", "500", "", 500.0, False),
    ("more_than", "500", "", 501, True),
    ("slightly_more_than", "2", "", 2.1, True),
    ("slightly_more_than", "2", "", 6.0, False),
    ("less_than", "2", "", 1.9, True),
    ("less_than", "2", "", 2.0, False),
    ("at_least", "2", "", 2.0, True),
    ("between", "85", "90", 85.0, True),
    ("between", "85", "90", 90.4, True),
    ("between", "85", "90", 91.0, False),
    ("between", "85", "90", 84.0, False),
]


@pytest.mark.parametrize("qualifier,printed,high,x,inside", BOUND_CASES)
def test_bounds(qualifier, printed, high, x, inside):
    assert (x in bounds(qualifier, printed, high)) is inside


def test_printed_digits_set_precision():
    b = bounds("exact", "5910")
    assert (b.lo, b.hi) == (5909.5, 5910.5)
    b = bounds("exact", "48.5")
    assert math.isclose(b.lo, 48.45) and math.isclose(b.hi, 48.55)


@pytest.mark.parametrize(
    "unit,base,factor",
    [
        ("US$ billion", "US$", 1e9),
        ("US$ million", "US$", 1e6),
        ("US$ trillion", "US$", 1e12),
        ("percent", "fraction", 0.01),
        ("million persons", "persons", 1e6),
        ("times", "times", 1.0),
    ],
)
def test_parse_unit(unit, base, factor):
    assert parse_unit(unit) == (base, factor)


def test_convert_scale_words_and_percent():
    assert convert(5910, "US$ million", "US$ billion") == pytest.approx(
        5.91
    )
    assert convert(0.46, "fraction", "percent") == pytest.approx(46)
    with pytest.raises(ValueError):
        convert(1, "US$ million", "persons")


def test_reproduced():
    r = evaluate(
        row("almost", "6", "US$ billion"), 5910, unit="US$ million"
    )
    assert r.status == "reproduced" and r.computed_value == pytest.approx(
        5.91
    )


def test_discrepant_says_by_how_much():
    r = evaluate(row("exact", "9920"), 9928)
    assert r.status == "discrepant"
    assert "7.5 above" in r.note and "0.076%" in r.note
    assert "[9,919.5, 9,920.5)" in r.note


def test_unit_word_discrepancy():
    # "US$ 457 trillion" cannot be right when the same economy's GDP is known in billions
    r = evaluate(row("exact", "457", "US$ trillion"), 457e9, unit="US$")
    assert r.status == "discrepant"


def test_qualified_names_the_reading():
    r = evaluate(
        row("about", "5", "times"),
        13266 / 3333,
        readings={"base year 1991": 13266 / 2660},
    )
    assert r.status == "qualified" and r.reading == "base year 1991"
    assert "base year 1991" in r.note


def test_discrepant_when_no_reading_holds():
    r = evaluate(row("about", "5", "times"), 2.0, readings={"other": 3.0})
    assert r.status == "discrepant"


def test_blank_needs_a_reading():
    blank = {
        "id": "p2001-iv-blank",
        "qualifier": "blank",
        "cited_value": "",
        "cited_high": "",
        "unit": "percent",
    }
    with pytest.raises(ValueError):
        evaluate(blank, 100.0)
    r = evaluate(blank, 192.5, readings={"2000 over 1998": 192.5})
    assert r.status == "qualified" and "2000 over 1998" in r.note


def test_unknown_qualifier_fails():
    with pytest.raises(ValueError):
        bounds("roughly", "5")
