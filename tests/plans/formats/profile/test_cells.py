"""Reading the cells of a city's sheet: each kind of dirt read into a typed value with a
warning naming the cell, an exact cell read silently, and what cannot be read an error."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shinchoku import fiscal
from shinchoku.plans.formats.profile.cells import Cells, Dirt, float_decimal


def cells(value: Any) -> Cells:
    """One sheet whose cell B2 holds ``value``, under the heading 見出し."""
    return Cells("city.xlsx", "sheet", {1: [None, "見出し"], 2: [None, value]}, {2: "見出し"})


def read(method: str, value: Any, **options: Any) -> tuple[Any, list[str], list[str]]:
    sheet = cells(value)
    result = getattr(sheet, method)(2, 2, **options)
    return result, [warning.kind for warning in sheet.warnings], [problem.message for problem in sheet.errors]


@pytest.mark.parametrize("dash", ["-", "－", "―", "‐", "–", "—", "ー", " - "])
def test_every_kind_of_dash_is_empty_with_a_warning(dash: str) -> None:
    assert read("text", dash) == ("", [Dirt.dash()], [])
    assert read("number", dash) == (None, [Dirt.dash()], [])
    assert read("amount", dash, factor=1000) == (None, [Dirt.dash()], [])


def test_zero_in_a_text_cell_is_empty_with_a_warning() -> None:
    assert read("text", 0) == ("", [Dirt.dash()], [])
    assert read("text", "0") == ("", [Dirt.dash()], [])
    assert read("text", " 架空の\u3000条例 ") == ("架空の 条例", [], [])


def test_a_warning_names_the_sheet_row_column_and_heading() -> None:
    sheet = cells("-")
    sheet.text(2, 2)
    (warning,) = sheet.warnings
    assert (warning.where.file, warning.where.sheet, warning.where.row, warning.where.column) == (
        "city.xlsx",
        "sheet",
        2,
        "B",
    )
    assert warning.where.name == "見出し"
    assert warning.message == "'-': read as empty."


@pytest.mark.parametrize(
    ("written", "number", "warned"),
    [
        ("104,602\t", Decimal("104602"), True),
        ("19,624.72", Decimal("19624.72"), True),
        ("１２", Decimal("12"), True),
        ("１,２３４", Decimal("1234"), True),
        ("100.0", Decimal("100.0"), False),
        ("-5.1", Decimal("-5.1"), False),
        (42, Decimal(42), False),
        (7.25, Decimal("7.25"), False),
    ],
)
def test_numbers_written_as_text_are_read(written: Any, number: Decimal, warned: bool) -> None:
    value, kinds, errors = read("number", written)
    assert value == number
    assert kinds == ([Dirt.number_text()] if warned else [])
    assert errors == []


def test_a_value_that_is_no_number_is_given_back_as_text() -> None:
    assert read("number", "29（4）") == ("29(4)", [], [])


@pytest.mark.parametrize(
    ("written", "decimal", "artefact"),
    [
        (0.30000000000000004, Decimal("0.3"), True),
        (2799.4849999999997, Decimal("2799.485"), True),
        (17757.399999999994, Decimal("17757.4"), True),
        (85.33007334963325, Decimal("85.33007334963325"), False),
        (78.25281602002504, Decimal("78.25281602002504"), False),
        (0.5, Decimal("0.5"), False),
    ],
)
def test_floating_point_artefacts_are_told_from_true_ratios(
    written: float, decimal: Decimal, artefact: bool
) -> None:
    assert float_decimal(written) == (decimal, artefact)


def test_an_amount_in_thousands_is_read_in_whole_yen() -> None:
    assert read("amount", 1275.505, factor=1000) == (1275505, [], [])
    assert read("amount", 1355.3925, factor=1000) == (1355393, [Dirt.rounded()], [])
    assert read("amount", "3,089", factor=1000) == (3089000, [Dirt.number_text()], [])


@pytest.mark.parametrize(
    ("written", "message"),
    [(-1, "-1 is negative: a cost is never below zero."), ("未定", "'未定' is not a number.")],
)
def test_a_negative_or_unreadable_cost_is_an_error(written: Any, message: str) -> None:
    assert read("amount", written, factor=1) == (None, [], [message])


def test_a_staff_count_keeps_two_decimals() -> None:
    assert read("quantity", 1.255, places=2) == (Decimal("1.26"), [Dirt.rounded()], [])
    assert read("quantity", "0.5", places=2) == (Decimal("0.50"), [], [])


def test_a_formula_in_a_column_read_is_an_error() -> None:
    from shinchoku.interchange.sheets.xlsxfile import Formula

    value, kinds, errors = read("text", Formula("=SUM(A1:A3)"))
    assert (value, kinds) == ("", [])
    assert errors == [
        "The cell holds a formula (=SUM(A1:A3)), whose value is not read: paste its value instead."
    ]


@pytest.mark.parametrize(
    ("written", "year", "warned"),
    [
        ("昭和27", 1952, False),
        ("令和元", 2019, False),
        ("令和6年度", 2024, False),
        ("令和６", 2024, False),
        ("2015", 2015, False),
        (27, 2015, True),
        ("27", 2015, True),
        (5, 2023, True),
        (45, 1970, True),
    ],
)
def test_years_are_read_in_every_era_and_form(written: Any, year: int, warned: bool) -> None:
    assert read("year", written, latest=2025) == ((year, ""), [Dirt.year()] if warned else [], [])


def test_an_empty_year_and_a_text_that_is_no_year() -> None:
    assert read("year", "-", latest=2025) == ((None, ""), [Dirt.dash()], [])
    assert read("year", 0, latest=2025) == ((None, ""), [Dirt.dash()], [])
    assert read("year", "未定", latest=2025) == ((None, "未定"), [], [])


def test_a_bare_era_year_is_of_the_newest_era_that_fits() -> None:
    assert fiscal.bare_era_year(7, latest=2025) == 2025
    assert fiscal.bare_era_year(27, latest=2025) == 2015  # not 令和27
    assert fiscal.bare_era_year(35, latest=2025) == 1960  # 平成 ended in its 31st year
    assert fiscal.bare_era_year(9) == 2027  # no limit: this era
    assert fiscal.bare_era_year(0) is None


def test_a_code_given_as_a_number_is_padded_with_a_warning() -> None:
    assert read("identity", 86, digits=4) == ("0086", [Dirt.code_number()], [])
    assert read("identity", 0, digits=4) == ("0000", [Dirt.code_number()], [])
    assert read("identity", "0086", digits=4) == ("0086", [], [])
    assert read("identity", 6) == ("6", [], [])


def test_an_answer_keeps_a_zero_for_the_profile_to_map() -> None:
    assert read("answer", 0) == ("0", [], [])
    assert read("answer", "１\u3000現状維持") == ("1 現状維持", [], [])
