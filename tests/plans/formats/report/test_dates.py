"""Dates in a report's text and the fiscal years they fall in (a 年度 runs April to March)."""

import pytest

from shinchoku.plans.formats.report.dates import dates_in, fiscal_year_of_month


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("平成23年4月に実施", 2011),
        ("平成24年1月に集約", 2011),  # still FY2011: January to March close the year before
        ("平成２４年３月に廃止", 2011),  # full-width digits
        ("平成２４年４月に開始", 2012),
        ("2012年9月に完了", 2012),
        ("２０１３年２月", 2012),
        ("令和元年5月", 2019),
        ("平成31年4月", 2019),
    ],
)
def test_a_month_falls_in_its_fiscal_year(text: str, year: int) -> None:
    (found,) = dates_in(text)
    assert (found.kind, found.fiscal_year) == ("month", year)


def test_fiscal_years_named_are_read_with_their_onwards() -> None:
    found = dates_in("平成２４年度募集において、また2013年度以降、広報紙等で")
    assert [(d.kind, d.fiscal_year, d.onwards) for d in found] == [
        ("fiscal", 2012, False),
        ("fiscal", 2013, True),
    ]


def test_numbers_that_are_not_dates_are_not_read() -> None:
    assert dates_in("6講座を実施し、10年間の施策を検証、8月、11月、2月に開催") == []
    assert dates_in("平成300年4月") == []


def test_the_fiscal_year_turns_in_april() -> None:
    assert [fiscal_year_of_month(2012, month) for month in (3, 4)] == [2011, 2012]
