"""A workbook in Ōfunato's layout, made up with every kind of dirt the real one holds,
read with the shipped profile: the tree of nodes, what each row gives its project, a
warning at every dirty cell, and an error, naming the sheet, row and column, for what
cannot be read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shinchoku.interchange.sheets.xlsxfile import Value
from shinchoku.plans.formats.profile.cells import Cells
from shinchoku.plans.formats.profile.layout import Tree, read_tree
from shinchoku.plans.formats.profile.profile import read_profile
from shinchoku.plans.formats.profile.sheet import SheetRefused, open_sheet
from tests.plans.formats.profile.workbooks import DIRTY, PROFILE, SHEET, many_projects, ofunato_workbook

CLASSIFIED = '"A 政策事業": A'


def line(text: str) -> int:
    """The line of the shipped profile holding ``text``."""
    return next(
        number for number, found in enumerate(PROFILE.read_text("utf-8").splitlines(), 1) if text in found
    )


def read(data: bytes) -> tuple[Tree, Cells]:
    profile = read_profile(PROFILE)
    sheet = open_sheet(profile, data, "city.xlsx")
    return read_tree(profile, sheet.cells, sheet.fiscal_year, sheet.data_rows), sheet.cells


def errors(data: bytes) -> list[str]:
    try:
        _tree, cells = read(data)
    except SheetRefused as refused:
        return [str(problem) for problem in refused.problems]
    return [str(problem) for problem in cells.errors]


def test_the_tree_composes_codes_over_the_levels_and_keeps_leading_zeros() -> None:
    tree, cells = read(ofunato_workbook())
    assert cells.errors == []
    assert tree.roots == ["01", "02"]
    assert tree.nodes["01"].children == ["01-01", "01-02"]
    assert tree.nodes["01-01"].children == ["01-01-01", "01-01-02"]
    assert tree.nodes["01-01-01"].children == ["0101", "0102"]
    assert tree.nodes["01-01-02"].children == ["0086"]
    assert tree.nodes["02-03-01"].children == ["0201", "0000"]
    assert [tree.nodes[code].level.key for code in ("02", "02-03", "02-03-01", "0000")] == [
        "seisaku",
        "shisaku",
        "kihon-jigyo",
        "jimu-jigyo",
    ]


def test_one_code_with_several_names_takes_the_commonest() -> None:
    tree, cells = read(ofunato_workbook())
    assert tree.nodes["01"].title == "暮らしを支えるまちづくり"
    (variant,) = [warning for warning in cells.warnings if warning.where.column == "M"]
    assert variant.message == (
        "The 政策 01 is named '暮らしを支える まちづくりの推進' on 1 row(s) (3) and "
        "'暮らしを支えるまちづくり' on 3: '暮らしを支えるまちづくり' is kept."
    )


@pytest.mark.parametrize(("kind", "cell"), [(kind, cell) for kind, cell in DIRTY.items() if cell])
def test_every_kind_of_dirt_is_warned_at_its_cell(kind: str, cell: str) -> None:
    _tree, cells = read(ofunato_workbook())
    assert f"{kind} at {cell}" in {
        f"{warning.kind} at {warning.where.column}{warning.where.row}" for warning in cells.warnings
    }
    warning = next(w for w in cells.warnings if w.kind == kind)
    assert (warning.where.file, warning.where.sheet) == ("city.xlsx", SHEET)


def test_a_project_row_gives_its_sections_ratings_costs_and_indicators() -> None:
    tree, _cells = read(ofunato_workbook())
    data = tree.nodes["0102"].data
    assert data is not None
    assert data.markers == ["総合戦略", "A"]
    assert data.node_sections["period"] == "期間限定複数年度 2019(令和元)年度〜2024(令和6)年度"
    assert data.year_sections[("means", 2024)] == "前年度に行った架空の活動。"
    assert data.year_sections[("means", 2025)] == "今年度に計画する架空の活動。"
    ratings = {rating.dimension: (rating.level, rating.reason) for rating in data.ratings}
    assert ratings["seigousei"] == ("1", "架空の理由1")
    assert "kaikaku-hoko" not in ratings  # 0: no answer, as the profile maps it
    assert ratings["kongo-hoko"] == ("2", "")
    whole = next(cost for cost in data.costs if cost.fiscal_year is None)
    assert whole.values["project_cost"] == 3_000_000 and whole.basis == "plan"
    r5 = next(cost for cost in data.costs if cost.fiscal_year == 2023)
    assert (r5.basis, r5.values["project_cost"], r5.values["staff_hours"]) == (
        "actual",
        2_799_485,
        Decimal("50.00"),
    )
    plan = next(cost for cost in data.costs if cost.fiscal_year == 2025)
    assert plan.basis == "plan"
    amount = next(indicator for indicator in data.indicators if indicator.unit == "千円")
    assert amount.actuals[2020] == Decimal(1200)  # an indicator in 千円 is never scaled
    assert amount.targets == {2025: Decimal(1700)}
    area = next(indicator for indicator in data.indicators if indicator.key == "キ")
    assert (area.unit, area.actuals[2023]) == ("ha", Decimal("0.3"))


def test_values_are_cleaned_as_warned() -> None:
    tree, _cells = read(ofunato_workbook())
    first = tree.nodes["0101"].data
    assert first is not None
    share = next(indicator for indicator in first.indicators if indicator.key == "サ")
    assert (share.unit, share.actuals[2020], share.targets[2025]) == ("%", Decimal("25.00"), Decimal("90.0"))
    people = next(indicator for indicator in first.indicators if indicator.key == "カ")
    assert [people.actuals[year] for year in (2020, 2021, 2022)] == [
        Decimal(104602),
        Decimal("19624.72"),
        Decimal("100.0"),
    ]
    assert first.node_sections["budget-items"] == "01-07-01-02-0100\n01-07-02-01-0200\n01-07-03-01-0200"
    late = tree.nodes["0086"].data
    assert late is not None
    assert sorted(cost.fiscal_year for cost in late.costs if cost.fiscal_year) == [2022, 2023, 2024, 2025]
    assert late.kept == ["満足度 2023年度: 29(4)"]
    ratio = next(indicator for indicator in late.indicators if indicator.key == "サ")
    assert ratio.actuals[2022] == Decimal("85.3301") and 2023 not in ratio.actuals
    assert late.node_sections["budget-items"] == ""
    assert late.node_sections["period"] == "単年度繰返 1952(昭和27)年度〜"


def test_personal_data_and_ignored_columns_are_never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: set[int] = set()
    raw = Cells.raw

    def spy(self: Cells, row: int, column: int) -> Value | None:
        if row >= 3:
            seen.add(column)
        return raw(self, row, column)

    monkeypatch.setattr(Cells, "raw", spy)
    read(ofunato_workbook())
    from openpyxl.utils import column_index_from_string

    assert seen.isdisjoint(
        {column_index_from_string(letter) for letter in ("B", "V", "W", "X", "Y", "Z", "J")}
    )


@pytest.mark.parametrize(
    ("workbook", "expected"),
    [
        (
            {"drop_column": "HB"},
            f"city.xlsx, sheet {SHEET}, column HB: The profile reads column HB "
            f"(line {line('column: HB')}, plan.sections[12].column), but the sheet ends at column HA.",
        ),
        (
            {"drop_column": "AL"},
            "city.xlsx, sheet データ集計マクロ用シート, row 2, column AL (全体計画（国庫支出金）): The profile "
            "expects the heading '事務事業の概要…' here, and the sheet has '全体計画（国庫支出金）': has a "
            "column been added, removed or moved?",
        ),
        (
            {"cells": {"BX3": -5}},
            "city.xlsx, sheet データ集計マクロ用シート, row 3, column BX (一般財源): -5 is negative: a cost is never below zero.",
        ),
        (
            {"cells": {"BY4": "未定"}},
            "city.xlsx, sheet データ集計マクロ用シート, row 4, column BY (事業費計（A）): '未定' is not a number.",
        ),
        (
            {"cells": {"GG5": "たぶん"}},
            "city.xlsx, sheet データ集計マクロ用シート, row 5, column GG (① 政策体系との整合性): 'たぶん' is not on "
            f"the scale ofunato-seigousei, and the profile does not map it (line {line('key: seigousei')}).",
        ),
        (
            {"cells": {"Q6": "", "R6": ""}},
            "city.xlsx, sheet データ集計マクロ用シート, row 6, column Q (基本事業番号 十の位): The 基本事業's code is "
            "empty, but the row names a 事務事業 in column H: its parent is missing.",
        ),
        (
            {"cells": {"AK7": "Ｚ\u3000その他"}},
            "city.xlsx, sheet データ集計マクロ用シート, row 7, column AK (事務事業区分): 'Z その他' is a "
            f"classification the profile does not map to a marker (line {line(CLASSIFIED)}).",
        ),
        (
            {"cells": {"H8": "0101"}},
            "city.xlsx, sheet データ集計マクロ用シート, row 8, column H (事務事業ID): The code 0101 stands under "
            "02-03-01 here and under 01-01-01 on row 3.",
        ),
        (
            {"cells": {"G5": 6}},
            "city.xlsx, sheet データ集計マクロ用シート, row 5, column G (年度): The sheet holds several fiscal years "
            "(2024, 2025): a sheet is read for one.",
        ),
    ],
)
def test_what_cannot_be_read_is_an_error_naming_the_cell(workbook: dict[str, Any], expected: str) -> None:
    assert expected in errors(ofunato_workbook(**workbook))


def test_the_look_alike_of_the_real_sheet_has_its_sizes() -> None:
    """The benchmark's made-up workbook (bench/import_profile.py without the real one): 407
    projects under 8 政策, 25 施策 and 68 基本事業, as the real sheet."""
    rows = many_projects(407)
    assert len({row.id for row in rows}) == 407
    assert len({row.policy[:2] for row in rows}) == 8
    assert len({(row.policy[:2], row.measure[:2]) for row in rows}) == 25
    assert len({(row.policy[:2], row.measure[:2], row.basic[:2]) for row in rows}) == 68
