"""The checker's rules, table-driven, including cases that must fail."""

import math

import pytest

from migbook.claims import (
    RULES,
    Reading,
    bounds,
    component_rounding,
    convert,
    evaluate,
    external_result,
    is_round,
    parse_unit,
)
from migbook.render import badge_html, fmt_number, gap_quantity, quantity


def row(
    qualifier,
    value,
    unit="US$ million",
    high="",
    cid="p2001-x",
    kind="text",
):
    return {
        "id": cid,
        "qualifier": qualifier,
        "cited_value": value,
        "cited_high": high,
        "unit": unit,
        "kind": kind,
        "cited": value,
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
    assert "US$7.5 million above" in r.note and "0.076%" in r.note
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
    assert (
        r.status == "qualified"
        and r.reading == "base year 1991"
        and r.rule == "alternative-reading"
    )
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


# --------------------------------------------------------------------------- the judging policy
def test_rules_table_is_complete():
    from migbook.claims import AS_LINKED, STATUSES

    statuses = {v.status for v in RULES.values()}
    assert statuses == set(STATUSES) | {AS_LINKED}
    for rid, rule in RULES.items():
        assert (
            rule.title
            and rule.explanation.endswith(".")
            and rid == rid.lower()
        )


def test_printed_precision_rule():
    assert (
        evaluate(row("exact", "5910"), 5910.4).rule == "printed-precision"
    )
    r = evaluate(row("exact", "48.5", "percent"), 48.6)
    assert (r.status, r.rule) == ("discrepant", "no-reading")
    assert "48.6" in r.note and "[48.45, 48.55)" in r.note


# component-rounding: a total of printed rows (each rounded in print) one unit off its rows
ROWS = [
    "1200",
    "2300",
    "3400",
    "4500",
    "5600",
]  # sum 17,000; slack 5 x 0.5 = 2.5


@pytest.mark.parametrize(
    "total,status,rule",
    [
        (
            "17001",
            "reproduced",
            "component-rounding",
        ),  # one unit off: inside the slack
        (
            "17002",
            "reproduced",
            "component-rounding",
        ),  # two units: still (5 rows x 0.5 + 0.5)
        ("17000", "reproduced", "printed-precision"),
        (
            "17004",
            "discrepant",
            "no-reading",
        ),  # beyond what rounding allows
    ],
)
def test_component_rounding_sum(total, status, rule):
    r = evaluate(
        row("exact", total, "persons", kind="table-arithmetic"),
        17000,
        readings=[component_rounding(ROWS)],
    )
    assert (r.status, r.rule) == (status, rule)


def test_component_rounding_slack_comes_from_printed_digits():
    rd = component_rounding(["1.2", "3.4"])
    assert (rd.value, rd.lo, rd.hi) == pytest.approx((4.6, 4.5, 4.7))
    rd = component_rounding(["1200", "3400"], how="mean")
    assert (rd.value, rd.lo, rd.hi) == pytest.approx((2300, 2299.5, 2300.5))
    rd = component_rounding(
        ["10"], how="share", denominator=["20"], scale=100
    )
    assert rd.value == pytest.approx(50) and rd.lo == pytest.approx(
        100 * 9.5 / 20.5
    )
    # an average of rounded rows: the rows allow 2299.5-2300.5, so a printed 2301 (2300.5-2301.5)
    # touches them and holds; a printed 2302 does not
    avg = lambda printed: evaluate(  # noqa: E731
        row("exact", printed, "persons", kind="table-arithmetic"),
        2300.0,
        readings=[component_rounding(["1200", "3400"], how="mean")],
    )
    assert (avg("2301").status, avg("2301").rule) == (
        "reproduced",
        "component-rounding",
    )
    assert (avg("2302").status, avg("2302").rule) == (
        "discrepant",
        "no-reading",
    )
    assert avg("2300").rule == "printed-precision"


def test_component_rounding_qualified_when_only_another_reading_holds():
    r = evaluate(
        row("exact", "17010", "persons", kind="table-arithmetic"),
        17000,
        readings=[
            component_rounding(ROWS),
            Reading("alternative-reading", "one row read as 1210", 17010),
        ],
    )
    assert (r.status, r.rule, r.reading) == (
        "qualified",
        "alternative-reading",
        "one row read as 1210",
    )


@pytest.mark.parametrize(
    "value,status,rule",
    [
        (9, "reproduced", "printed-precision"),  # nine of nine years rose
        (
            8,
            "reproduced",
            "stated-exception",
        ),  # eight rose; the paper names the ninth
        (
            6,
            "discrepant",
            "no-reading",
        ),  # three years fell; the paper names one
    ],
)
def test_stated_exception(value, status, rule):
    readings = [
        Reading(
            "stated-exception",
            "counting 1998, the year the paper names as the exception",
            value + 1,
        )
    ]
    r = evaluate(row("exact", "9", "count"), value, readings=readings)
    assert (r.status, r.rule) == (status, rule)
    if rule == "stated-exception":
        assert "1998" in r.note


@pytest.mark.parametrize(
    "printed,expected",
    [
        ("90", True),
        ("20", True),
        ("300000", True),
        ("250", True),
        ("800", True),
        ("6", False),
        ("13110", False),
        ("48.5", False),
        ("16823670", False),
        ("2", False),
        ("0", False),
    ],
)
def test_is_round(printed, expected):
    assert is_round(printed) is expected


@pytest.mark.parametrize(
    "qualifier,printed,x,status,rule",
    [
        ("exact", "90", 90.3, "reproduced", "printed-precision"),
        (
            "exact",
            "90",
            89.4,
            "reproduced",
            "round-number",
        ),  # "90%" for 89.4%: a round figure read at its own precision
        (
            "exact",
            "90",
            84.0,
            "discrepant",
            "no-reading",
        ),  # outside 85-95 too
        (
            "exact",
            "20",
            23.9,
            "reproduced",
            "round-number",
        ),  # "twentyfold" for 23.9-fold
        ("exact", "20", 26.0, "discrepant", "no-reading"),
        (
            "exact",
            "13110",
            13112,
            "discrepant",
            "no-reading",
        ),  # not a round number
    ],
)
def test_round_number(qualifier, printed, x, status, rule):
    r = evaluate(row(qualifier, printed, "percent"), x)
    assert (r.status, r.rule) == (status, rule)
    if rule == "round-number":
        assert (
            "strictly" in r.note
            and str(bounds(qualifier, printed)) in r.note
        )


def test_round_number_not_for_table_cells_or_ranks():
    r = evaluate(
        row("exact", "3990", "US$ million", kind="table-arithmetic"), 3985
    )
    assert r.status == "discrepant"
    r = evaluate(row("exact", "10", "rank"), 11)
    assert r.status == "discrepant"
    r = evaluate(
        row("exact", "10", "count", kind="count-vs-list"), 11
    )  # "10 federations", eleven listed
    assert r.status == "discrepant"
    r = evaluate(
        row("exact", "3990", "US$ million"), 3985, round_number=True
    )
    assert (r.status, r.rule) == ("reproduced", "round-number")


@pytest.mark.parametrize(
    "rule",
    ["stated-definition", "base-year", "scale-word", "alternative-reading"],
)
def test_named_readings_give_qualified(rule):
    r = evaluate(
        row("exact", "457", "US$ trillion"),
        457e9,
        unit="US$",
        readings=[
            Reading(rule, "billón read as a thousand million", 457e12)
        ],
    )
    assert (r.status, r.rule) == ("qualified", rule)
    r = evaluate(
        row("exact", "457", "US$ trillion"),
        457e9,
        unit="US$",
        readings=[Reading(rule, "some other reading", 3e12)],
    )
    assert (r.status, r.rule) == ("discrepant", "no-reading")
    assert "some other reading" in r.note


def test_reading_must_name_a_reading_rule():
    with pytest.raises(ValueError):
        Reading("printed-precision", "x", 1.0)
    with pytest.raises(ValueError):
        Reading("made-up", "x", 1.0)


def test_inferred_value_never_reproduces_nor_discrepant():
    # a match found only through the book's inference (e.g. which denominator an average uses)
    r = evaluate(
        row("exact", "326", "US$"),
        326.2,
        inferred="the denominator the book infers",
    )
    assert (r.status, r.rule, r.inferred) == ("qualified", "inferred", True)
    assert "the denominator the book infers" in r.note
    # a gap found only through an inferred value is not a discrepancy
    r = evaluate(row("exact", "326", "US$"), 300.0, inferred=True)
    assert (r.status, r.rule) == ("qualified", "inferred")
    assert "26" in r.note
    # the same gap on a plain value is
    assert (
        evaluate(row("exact", "326", "US$"), 300.0).status == "discrepant"
    )


def test_inferred_reading_is_capped_at_qualified():
    rd = component_rounding(ROWS)
    rd = Reading(
        "component-rounding", rd.label, rd.value, True, rd.lo, rd.hi
    )
    r = evaluate(
        row("exact", "17001", "persons", kind="table-arithmetic"),
        17000,
        readings=[rd],
    )
    assert (r.status, r.rule, r.inferred) == ("qualified", "inferred", True)
    r = evaluate(
        row("exact", "8", "count"),
        7,
        readings=[
            Reading(
                "stated-definition",
                "counting as the book infers",
                8,
                inferred=True,
            )
        ],
    )
    assert (r.status, r.rule, r.inferred) == (
        "qualified",
        "stated-definition",
        True,
    )
    assert "inference" in r.note


def test_inferred_value_on_a_round_number_stays_round_number():
    r = evaluate(
        row("exact", "20", "times"),
        18.8,
        inferred="a share read as of 2003",
    )
    assert (r.status, r.rule, r.inferred) == (
        "qualified",
        "inferred",
        True,
    )
    assert "round figure" in r.note
    assert "a share read as of 2003" in r.note


@pytest.mark.parametrize(
    "printed,unit,reading,status,rule",
    [
        (
            "1.5",
            "US$ trillion",
            None,
            "external",
            "outside-source",
        ),  # passes the ceiling as printed
        (
            "457",
            "US$ trillion",
            1941.0,
            "qualified",
            "scale-word",
        ),  # passes only read in billions
        (
            "457",
            "US$ trillion",
            100.0,
            "qualified",
            "inferred",
        ),  # fails every reading: not discrepant
    ],
)
def test_plausibility_ceiling_is_not_a_bound(
    printed, unit, reading, status, rule
):
    readings = (
        []
        if reading is None
        else [
            Reading(
                "scale-word", "billón: trillion read as billion", reading
            )
        ]
    )
    r = evaluate(
        row("exact", printed, unit),
        1.941,
        readings=readings,
        plausibility="ceiling",
    )
    assert (r.status, r.rule, r.plausibility) == (status, rule, "ceiling")
    assert "plausibility check (not a bound)" in r.note
    if status == "external":
        assert (
            r.computed_value is None
            and r.implied_value == pytest.approx(1.941)
        )
    html_ = badge_html(r, row("exact", printed, unit))
    assert "plausibility ceiling" in html_ and "computed" not in html_


def test_plausibility_floor():
    r = evaluate(
        row("exact", "22", "US$ million"),
        6458,
        plausibility="floor",
        readings=[Reading("scale-word", "million read as billion", 6.458)],
    )
    assert (r.status, r.rule) == ("qualified", "scale-word")
    r = evaluate(
        row("exact", "22", "US$ billion"), 6.458, plausibility="floor"
    )
    assert (r.status, r.rule) == ("external", "outside-source")
    with pytest.raises(ValueError):
        evaluate(row("exact", "22"), 1, plausibility="bound")


@pytest.mark.parametrize("rule", ["outside-source", "coincidence"])
def test_external_rules(rule):
    r = external_result(
        row("exact", "87", "US$ billion"),
        note="credited to an outside source",
        implied=86.5,
        rule=rule,
    )
    assert (r.status, r.rule, r.computed_value, r.implied_value) == (
        "external",
        rule,
        None,
        86.5,
    )
    with pytest.raises(ValueError):
        external_result(row("exact", "87"), note="x", rule="no-reading")
    with pytest.raises(ValueError):
        external_result(row("exact", "87"), note=" ")


def test_record_carries_rule_and_implied_value():
    rec = evaluate(row("exact", "5910"), 5910).record()
    assert (
        rec["rule"] == "printed-precision" and rec["implied_value"] is None
    )
    assert set(RULES) >= {rec["rule"]}


def test_every_status_decided_by_a_rule_of_that_status():
    cases = [
        evaluate(
            row("exact", "5910"),
            x,
            readings=[component_rounding(["2955", "2955"])],
        )
        for x in (5910, 5911, 6000)
    ]
    for r in cases:
        assert RULES[r.rule].status == r.status


# --------------------------------------------------------------------------- what readers see
@pytest.mark.parametrize(
    "value,printed,text",
    [
        (5.91034, None, "5.91"),
        (0.456789, None, "0.457"),
        (16823669, None, "16,823,669"),
        (13266.4, None, "13,266"),
        (2e-05, None, "0.00002"),
        (0.1 + 0.2, None, "0.3"),
        (457e9, None, "457,000,000,000"),
        (float("nan"), None, ""),
        (None, None, ""),
        (-0.0, None, "0"),
        (48.5123, "48.5", "48.5"),
        (3.98018, "3.9802", "3.9802"),
        (1.0, None, "1"),
        (17.0, None, "17"),
        (-1067, None, "-1,067"),
        (1e-20, None, "0"),
    ],
)
def test_fmt_number(value, printed, text):
    assert fmt_number(value, printed) == text
    assert "e" not in fmt_number(
        value, printed
    ).lower() and "nan" not in fmt_number(value, printed)


@pytest.mark.parametrize(
    "value,unit,text",
    [
        (1, "rank", "rank 1"),
        (1998, "year", "year 1998"),
        (4, "count", "4 items"),
        (1, "count", "1 item"),
        (5.91, "US$ billion", "US$5.91 billion"),
        (2.5, "US$ per hour", "US$2.5 per hour"),
        (46.0, "percent", "46%"),
        (3.98, "times", "3.98 times"),
        (390000, "persons", "390,000 persons"),
        (0.417, "fraction", "41.7%"),
        (1.9, "percentage points", "1.9 points"),
        (1, "percentage points", "1 point"),
    ],
)
def test_quantity_in_words(value, unit, text):
    assert quantity(value, unit) == text


def test_gaps_between_percentages_are_points():
    """A gap between two percentages is in points, not a percentage (a reader's order)."""
    r = evaluate(row("exact", "58.3", "percent"), 56.4)
    assert r.status == "discrepant"
    assert "lies 1.85 points below" in r.note and "1.85%" not in r.note
    assert gap_quantity(3.6, "US$ billion") == "US$3.6 billion"


def test_a_share_beside_a_head_count_is_named_a_share():
    """An external claim cited as a head-count whose papers imply a share: the badge names the
    share as a share, in percent, never a bare fraction beside the head-count."""
    ext = external_result(
        row("exact", "8.2", "million persons"),
        note="see the source;",
        implied=0.373,
        implied_unit="fraction",
    )
    html_ = badge_html(ext, row("exact", "8.2", "million persons"))
    assert "the papers imply <b>a share of 37.3%</b>" in html_
    assert "0.373" not in html_


def test_badges_say_implied_for_externals_and_end_cleanly():
    ext = external_result(
        row("exact", "87", "US$ billion"),
        note="see the source;",
        implied=86.5,
    )
    html_ = badge_html(ext, row("exact", "87", "US$ billion"))
    assert (
        "the papers imply <b>US$86.5 billion</b>" in html_
        and "computed" not in html_
    )
    assert (
        ";<" not in html_ and "; <" not in html_ and ";</span>" not in html_
    )
    assert 'href="policy.html#rule-outside-source"' in html_
    rep = evaluate(row("exact", "4", "count"), 4)
    html_ = badge_html(rep, row("exact", "4", "count"))
    assert (
        "recomputed <b>4 items</b>" in html_
        and ";</div>" not in html_
        and "4 count" not in html_
    )


def test_policy_table_is_generated_from_rules():
    """The policy page's table comes from claims.RULES (so the page and the checker cannot drift),
    each rule with its anchor (badges link to it), its status and the first claim it decided."""
    from migbook.sphinx.policy import rules_html

    rows = [
        {
            "id": "p2001-x",
            "rule": "component-rounding",
            "status": "reproduced",
            "statement": "a total",
            "paper": "p2001",
            "cited": "16,823,670",
            "cited_value": "16823670",
            "computed_value": "16823669",
            "implied_value": "",
            "computed_unit": "US$",
            "note": "within the rows' rounding",
            "plausibility": "",
            "report_doc": "book/report",
        }
    ]
    out = rules_html(rows, lambda doc, anchor: f"../{doc}.html#{anchor}")
    for rid, rule in RULES.items():
        assert (
            f'id="rule-{rid}"' in out
            and rule.explanation.replace("'", "&#x27;") in out
        )
    assert out.count('class="claim-badge') == len(RULES)
    assert (
        'href="../book/report.html#p2001-x"' in out
        and "US$16,823,669" in out
    )


def test_bases_are_the_ledger_vocabulary():
    """Every basis of the ledger's schema has a reader's label, and every row has one."""
    from migbook.claims import BASES, BASIS_SHORT
    from migbook.data import ledger, resource_meta

    field = next(
        f
        for f in resource_meta("claims")["schema"]["fields"]
        if f["name"] == "basis"
    )
    assert field["constraints"]["enum"] == list(BASES)
    assert set(BASIS_SHORT) == set(BASES)
    assert set(ledger()["basis"]) <= set(BASES)


def test_badge_shows_the_basis():
    from migbook.render import badge_fields, badge_text

    plain = row("exact", "5")
    ledger_row = {**plain, "basis": "restatement"}
    r = evaluate(ledger_row, 5.0)
    html = badge_html(r, ledger_row)
    assert 'class="claim-basis claim-basis-restatement"' in html
    assert ">restatement</span>" in html
    assert "(restatement)" in badge_text(badge_fields(r, ledger_row))
    assert "claim-basis" not in badge_html(r, plain)


def test_tally_counts_by_status_and_basis():
    from migbook.claims import BASES, STATUSES, tally

    rows = [
        {"status": "reproduced", "basis": "table"},
        {"status": "reproduced", "basis": "list"},
        {"status": "external", "basis": "outside"},
    ]
    t = tally(rows)
    assert t["total"] == 3
    assert list(t["status"]) == list(STATUSES)
    assert list(t["basis"]) == list(BASES)
    assert t["status"]["reproduced"] == 2 and t["status"]["discrepant"] == 0
    assert t["basis"]["outside"] == 1 and t["basis"]["restatement"] == 0
    assert t["status_basis"]["reproduced"]["list"] == 1
    assert sum(t["status"].values()) == sum(t["basis"].values()) == 3


# --------------------------------------------------------------------------- issue 16's rules
def based(basis, qualifier="exact", value="5", unit="percent", **kw):
    """A ledger row that says what its check rests on."""
    return {**row(qualifier, value, unit, **kw), "basis": basis}


@pytest.mark.parametrize(
    "basis,x,status,rule",
    [
        ("restatement", 5.0, "consistent", "restatement"),
        ("restatement", 7.0, "discrepant", "no-reading"),
        ("internal", 5.2, "consistent", "internal-consistency"),
        ("internal", 6.0, "discrepant", "no-reading"),
        ("table", 5.0, "reproduced", "printed-precision"),
        ("list", 5.0, "reproduced", "printed-precision"),
    ],
)
def test_restatement_and_internal_consistency_are_not_reproductions(
    basis, x, status, rule
):
    r = evaluate(based(basis), x)
    assert (r.status, r.rule, r.basis) == (status, rule, basis)


@pytest.mark.parametrize(
    "cited,value,unit,x,status",
    [
        ("twenty-fivefold", "25", "times", 23.0, "reproduced"),
        ("twenty-fivefold", "25", "times", 21.0, "discrepant"),
        ("25-fold", "25", "times", 23.0, "discrepant"),  # digits: strict
        ("a third", "0.3333", "fraction", 0.31, "reproduced"),
        ("a third", "0.3333", "fraction", 0.27, "discrepant"),
        ("fivefold", "5", "times", 5.4, "reproduced"),
        ("fivefold", "5", "times", 4.0, "discrepant"),
        # words reach halfway to the next figure words name, not as far as the digits "20"
        ("twentyfold", "20", "times", 18.8, "reproduced"),
        ("twentyfold", "20", "times", 17.0, "discrepant"),
        ("twentyfold", "20", "times", 23.0, "discrepant"),
    ],
)
def test_spelled_multiples_and_fractions_are_round(
    cited, value, unit, x, status
):
    from migbook.claims import is_spelled

    r = evaluate({**row("exact", value, unit), "cited": cited}, x)
    assert r.status == status
    assert is_spelled({**row("exact", value, unit), "cited": cited}) is (
        not cited[0].isdigit()
    )
    if status == "reproduced" and not abs(x - float(value)) < 0.5:
        assert r.rule == "round-number" and "strictly" in r.note


@pytest.mark.parametrize(
    "qualifier,cited,value,x,status,rule",
    [
        (
            "more_than",
            "more than US$8 billion",
            "8",
            18.6,
            "qualified",
            "understatement",
        ),
        (
            "more_than",
            "more than US$8 billion",
            "8",
            9.5,
            "reproduced",
            "printed-precision",
        ),
        (
            "at_least",
            "at least 5 hours",
            "5",
            8.0,
            "qualified",
            "understatement",
        ),
        (
            "less_than",
            "less than 2%",
            "2",
            0.5,
            "qualified",
            "understatement",
        ),
        (
            "less_than",
            "less than 2%",
            "2",
            1.5,
            "reproduced",
            "printed-precision",
        ),
        # a comparison word with no figure is not a floor
        (
            "more_than",
            "exceeds tourism",
            "1",
            1.8,
            "reproduced",
            "printed-precision",
        ),
        (
            "more_than",
            "more than US$8 billion",
            "8",
            7.0,
            "discrepant",
            "no-reading",
        ),
    ],
)
def test_open_floor_far_below_the_value_is_an_understatement(
    qualifier, cited, value, x, status, rule
):
    r = evaluate(
        {**row(qualifier, value, "US$ billion"), "cited": cited}, x
    )
    assert (r.status, r.rule) == (status, rule)
    if rule == "understatement":
        assert "understate" in r.note


def test_a_check_that_cannot_fail_is_withdrawn_and_not_counted():
    from migbook.claims import tally, withdrawn_result

    r = withdrawn_result(
        based("list", value="5", unit="count"),
        reason="no count is printed",
    )
    assert (r.status, r.rule, r.note) == (
        "withdrawn",
        "cannot-fail",
        "no count is printed",
    )
    with pytest.raises(ValueError, match="reason"):
        withdrawn_result(based("list"), reason=" ")
    rows_ = [
        {"status": "withdrawn", "basis": "list"},
        {"status": "reproduced", "basis": "list"},
    ]
    t = tally(rows_)
    assert t["withdrawn"] == 1 and t["counted"] == 1
    assert t["basis"]["list"] == 1 and t["total"] == 2


def test_joint_inconsistency_gives_one_verdict_counted_once():
    from migbook.claims import tally

    cells = ["p2001-a", "p2001-b", "p2001-c"]
    first = evaluate(
        based("table-arithmetic", cid="p2001-a"), 9.0, joint=cells
    )
    member = evaluate(
        based("table-arithmetic", cid="p2001-c"), 5.0, joint=cells
    )
    assert (first.status, first.rule, first.counted_with) == (
        "discrepant",
        "joint-inconsistency",
        "",
    )
    # a cell that holds alone still shares the set's verdict, counted under the first
    assert (member.status, member.rule, member.counted_with) == (
        "discrepant",
        "joint-inconsistency",
        "p2001-a",
    )
    assert "cannot all be right" in member.note and "p2001-b" in member.note
    t = tally([first.record(), member.record()])
    assert t["status"]["discrepant"] == 1 and t["counted_with"] == 1
    # without a set, each cell is judged alone
    assert evaluate(
        based("table-arithmetic", cid="p2001-c"), 5.0
    ).status == ("reproduced")
    with pytest.raises(ValueError, match="joint"):
        evaluate(based("table", cid="p2001-z"), 5.0, joint=cells)


def test_one_error_counted_once():
    from migbook.claims import tally

    erratum = evaluate(based("table", cid="p2001-a"), 9.0, severity="slip")
    again = evaluate(
        based("restatement", cid="both-a"), 9.0, counted_with="p2001-a"
    )
    assert (again.status, again.rule, again.counted_with) == (
        "discrepant",
        "counted-once",
        "p2001-a",
    )
    t = tally([erratum.record(), again.record()])
    assert t["status"]["discrepant"] == 1 and t["counted_with"] == 1
    assert t["total"] == t["counted"] + t["counted_with"] + t["withdrawn"]
    # a comparison that restates no other row is counted as itself
    alone = evaluate(based("restatement", cid="both-a"), 9.0)
    assert (alone.status, alone.counted_with) == ("discrepant", "")
    with pytest.raises(ValueError, match="itself"):
        evaluate(based("table", cid="p2001-a"), 9.0, counted_with="p2001-a")


def test_coincidence_one_rule_for_an_outside_figure():
    match = evaluate(
        based("outside", value="282", unit="US$"),
        282.3,
        inferred="how the bank computed its average",
    )
    assert (match.status, match.rule) == ("external", "coincidence")
    assert match.computed_value is None and match.implied_value == 282.3
    miss = evaluate(based("outside", value="282", unit="US$"), 300.0)
    assert (miss.status, miss.rule) == ("external", "outside-source")
    # the same division by another route: external() with rule coincidence
    ext = external_result(
        based("outside", value="20937300", unit="count"),
        note="the same division",
        rule="coincidence",
    )
    assert ext.status == match.status and ext.rule == match.rule


@pytest.mark.parametrize(
    "others,status,rule",
    [
        ({}, "qualified", "chosen-measure"),
        ({"Pearson": 0.8}, "reproduced", "printed-precision"),
        ({"Pearson": -0.2}, "qualified", "chosen-measure"),
    ],
)
def test_a_measure_the_book_chose_caps_the_status(others, status, rule):
    r = evaluate(
        based("table", "more_than", "0", "correlation"),
        0.9,
        measure="rank correlation",
        measures=others,
    )
    assert (r.status, r.rule) == (status, rule)
    assert "rank correlation" in r.note or "rank correlation" in r.measures
    if others and status == "reproduced":
        assert "every measure" in r.note


def test_every_measure_failing_is_discrepant():
    r = evaluate(
        based("table", "more_than", "0", "correlation"),
        -0.5,
        measure="rank correlation",
        measures={"Pearson": -0.4},
    )
    assert (r.status, r.rule) == ("discrepant", "no-reading")
    assert "every measure the chapter tried fails" in r.note


@pytest.mark.parametrize("rule", ["misprint", "edition"])
def test_misprints_and_editions_are_named_readings(rule):
    counted = {
        **based("list", value="10", unit="count"),
        "kind": "count-vs-list",
    }
    r = evaluate(
        counted,
        11,
        readings=[Reading(rule, "the count one short of the list", 10)],
    )
    assert (r.status, r.rule) == ("qualified", rule)
    r = evaluate(
        counted,
        11,
        readings=[Reading(rule, "a reading that does not hold", 12)],
    )
    assert r.status == "discrepant"


def test_severity_only_for_discrepancies_and_required_to_publish():
    from migbook import notebook

    assert evaluate(based("table"), 9.0, severity="slip").severity == "slip"
    assert evaluate(based("table"), 5.0, severity="slip").severity == ""
    with pytest.raises(ValueError, match="severity"):
        evaluate(based("table"), 9.0, severity="grave")
    r = evaluate(based("table"), 9.0)
    with pytest.raises(ValueError, match="severity"):
        notebook._publish(r, based("table"))


def test_sensitivity_is_recorded_and_shown():
    from migbook.render import badge_fields, fragile_text

    r = evaluate(row("about", "17", "US$ million"), 15.5)
    assert r.status == "reproduced"
    assert r.sensitivity == {
        "near-5": "discrepant",
        "near-20": "reproduced",
        "no-round": "reproduced",
    }
    assert r.fragile() == {"near-5": "discrepant"}
    text = fragile_text(r.status, r.sensitivity)
    assert "discrepant with the qualifier tolerance at 5%" in text
    assert badge_fields(r, row("about", "17"))["fragile"] == text
    robust = evaluate(row("exact", "17", "US$ million"), 17.1)
    assert robust.fragile() == {} and fragile_text("reproduced", {}) == ""
    round_only = evaluate(row("exact", "90", "percent"), 88.0)
    assert round_only.sensitivity["no-round"] == "discrepant"


@pytest.mark.parametrize(
    "status,rule,plausibility,basis,label",
    [
        ("reproduced", "printed-precision", "", "table", "recomputed"),
        ("discrepant", "no-reading", "", "table-arithmetic", "recomputed"),
        (
            "consistent",
            "restatement",
            "",
            "restatement",
            "the other paper gives",
        ),
        (
            "consistent",
            "internal-consistency",
            "",
            "internal",
            "the text's own figures give",
        ),
        (
            "qualified",
            "left-blank",
            "",
            "table",
            "the book's filling of the blank",
        ),
        (
            "qualified",
            "scale-word",
            "ceiling",
            "internal",
            "plausibility ceiling",
        ),
        (
            "external",
            "outside-source",
            "floor",
            "table",
            "plausibility floor",
        ),
        ("external", "coincidence", "", "outside", "the papers imply"),
        (
            "qualified",
            "chosen-measure",
            "",
            "table",
            "the book's measure gives",
        ),
        ("withdrawn", "cannot-fail", "", "list", "not checked"),
    ],
)
def test_recomputed_only_for_what_was_recomputed(
    status, rule, plausibility, basis, label
):
    from migbook.render import value_label

    assert value_label(status, rule, plausibility, basis) == label


def test_result_is_built_by_keyword():
    from migbook.claims import Result

    with pytest.raises(TypeError):
        Result("p2001-x", "reproduced")  # type: ignore[misc]
    r = Result(id="p2001-x", status="reproduced", rule="printed-precision")
    assert r.record()["status"] == "reproduced"
    with pytest.raises(AssertionError):
        Result(id="p2001-x", status="qualified", rule="printed-precision")


def test_evaluate_reads_like_the_policy():
    """The steps of :func:`evaluate` are named functions, in the policy page's order."""
    import inspect

    from migbook import claims

    src = inspect.getsource(claims.evaluate)
    steps = [
        "_left_blank",
        "_plausibility_check",
        "_judge_the_figure",
        "_what_the_words_claim",
        "_what_the_check_rests_on",
        "_counted_once",
        "_severity",
    ]
    positions = [src.index(s + "(") for s in steps]
    assert positions == sorted(positions)
    assert len(src.splitlines()) < 120


@pytest.mark.parametrize(
    "cited,value,x,status,rule",
    [
        (
            "(1) ... (4)",
            "4",
            4.0,
            "withdrawn",
            "cannot-fail",
        ),  # numbering only
        (
            "LEH Packing, ACME Brick, and Kanex",
            "3",
            3.0,
            "withdrawn",
            "cannot-fail",
        ),
        (
            "four structural features",
            "4",
            4.0,
            "reproduced",
            "printed-precision",
        ),
        ("10 federations", "10", 11.0, "discrepant", "no-reading"),
        (
            "the first two ... the third",
            "3",
            3.0,
            "reproduced",
            "printed-precision",
        ),
    ],
)
def test_a_list_counted_against_itself_is_withdrawn(
    cited, value, x, status, rule
):
    """Rule cannot-fail, found by the checker: no count is printed beside the list."""
    r = evaluate(
        based("list", value=value, unit="count", kind="count-vs-list")
        | {"cited": cited},
        x,
    )
    assert (r.status, r.rule) == (status, rule)
