"""p2001 Table 6, exactly: the chapter's findings must move if any printed cell moves.

The book-wide expectations compare computed values at six significant digits, which cannot see a
one-dollar change in a total of about US$17 million. These checks pin the arithmetic of
book/ch5_collective to the dollar.
"""

import pytest

from migbook import load


@pytest.fixture(scope="module")
def t6():
    return load("p2001_table6")


def test_total_row_against_year_rows(t6):
    years = t6.drop(index="Total")
    assert years["projects"].sum() == 429 == t6.loc["Total", "projects"]
    assert years["investment_usd"].sum() == 16_823_669
    assert (
        t6.loc["Total", "investment_usd"] - years["investment_usd"].sum()
        == 1
    )


def test_year_on_year_falls(t6):
    years = t6.drop(index="Total")
    falls = years.diff() < 0
    assert list(falls.index[falls["projects"]]) == ["1998"]
    assert list(falls.index[falls["investment_usd"]]) == ["1995", "1998"]


def test_every_cell_enters_a_finding(t6):
    years = t6.drop(index="Total")
    assert years.to_dict("list") == {
        "projects": [7, 30, 34, 63, 77, 8, 93, 117],
        "investment_usd": [
            603675,
            1118453,
            615016,
            932241,
            2127174,
            32983,
            5044921,
            6349206,
        ],
    }
    assert list(years.index) == [str(y) for y in range(1993, 2001)]
