"""Next year's workbook on top of this year's: a 令和8年度 sheet in Ōfunato's layout,
imported after the 令和7年度 one, speaks for its own years only. The earlier years it no
longer holds (FY2020's costs and indicator values, FY2024's evaluation, FY2025's plan
figures) are kept; the years both sheets hold are the later sheet's; the nodes are the
sheet's, whole; the same file again changes nothing."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
import yaml
from openpyxl.utils import column_index_from_string, get_column_letter

from shinchoku.interchange.importing import import_apply, import_preview
from shinchoku.interchange.preview import RowStatus
from shinchoku.plans.formats.profile.profile import load_profile, read_profile
from shinchoku.plans.formats.profile.spec import Profile
from shinchoku.plans.models import Node, Plan
from shinchoku.progress.models import Cost, IndicatorValue, Rating, Result, ResultSectionText, StaffRate
from tests.plans.formats.profile.workbooks import PROFILE, Project, _costs, ofunato_workbook, projects

pytestmark = pytest.mark.django_db


def next_year_profile() -> Profile:
    """The shipped profile for a 令和8年度 sheet: the period runs to 2026, and its hourly
    staff costs are given from 2021 (2020's is stored already)."""
    data = yaml.safe_load(PROFILE.read_text("utf-8"))
    data["plan"]["last_year"] = 2026
    data["plan"]["staff_rates"] = [{"fiscal_year": year, "hourly_cost": 4000} for year in range(2021, 2027)]
    return load_profile(yaml.safe_dump(data, allow_unicode=True).encode(), "ofunato-r8.yaml")


def next_year_rows() -> list[Project]:
    """The 令和8年度 sheet: its blocks are FY2021–FY2025 (actuals) and FY2026 (the plan);
    one project ended (0104 is gone); 0101's FY2022 actual was corrected, its FY2025 has
    an actual beside the plan the earlier sheet gave, and its evaluation (of FY2025) differs;
    0102's whole-period plan (全体計画) is no more."""
    rows = {project.id: project for project in projects()}
    del rows["0104"]
    rows["0101"] = replace(
        rows["0101"],
        costs=[_costs(1010), _costs(9999), _costs(1030), _costs(1040), _costs(1055), _costs(1060)],
        values=[{"ア": value, "カ": 100, "サ": 50} for value in (4, 1, 5, 6, 7, 8)],
        answers=("見直し余地がある", *rows["0101"].answers[1:]),
    )
    rows["0102"] = replace(rows["0102"], whole=["", "", "", "", "", 0, "", "", 0, 0])
    return list(rows.values())


def next_year_workbook() -> bytes:
    """The sheet of ``next_year_rows``, 0201's evaluation and texts of the year left empty (row 6)."""
    empty = [
        get_column_letter(column)
        for column in range(column_index_from_string("GD"), column_index_from_string("HB") + 1)
    ]
    cells = {f"{letter}6": "" for letter in ["AW", "AX", *empty]}
    return ofunato_workbook(next_year_rows(), sheet_year=8, cells=cells)


def imported_both() -> Plan:
    import_apply(ofunato_workbook(), "r7.xlsx", actor=None, profile=read_profile(PROFILE))
    import_apply(next_year_workbook(), "r8.xlsx", actor=None, profile=next_year_profile())
    return Plan.objects.get(code="ofunato")


def costs_of(code: str) -> dict[tuple[int | None, str], int]:
    return {
        (cost.fiscal_year, cost.basis): cost.general
        for cost in Cost.objects.filter(node__plan__code="ofunato", node__code=code)
    }


def test_the_earlier_years_are_kept_and_the_years_both_sheets_hold_updated() -> None:
    plan = imported_both()
    assert plan.last_year == 2026
    costs = costs_of("0101")
    assert costs[(2020, "actual")] == 1_000_000  # only the earlier sheet holds FY2020
    assert costs[(2021, "actual")] == 1_010_000
    assert costs[(2022, "actual")] == 9_999_000  # corrected by the later sheet
    assert costs[(2025, "plan")] == 1_050_000  # the earlier sheet's plan of FY2025 …
    assert costs[(2025, "actual")] == 1_055_000  # … beside the later sheet's actual
    assert costs[(2026, "plan")] == 1_060_000
    assert (None, "plan") not in costs  # both sheets give the whole period as zeros: none
    assert (None, "plan") not in costs_of("0102")  # the later sheet speaks for the whole period
    assert (2020, "actual") in costs_of("0102")
    values = {
        value.fiscal_year: (value.target, value.actual)
        for value in IndicatorValue.objects.filter(
            indicator__node__code="0101", indicator__name="講座の開催回数"
        )
    }
    assert values[2020] == (None, Decimal("3"))
    assert values[2022] == (None, Decimal("1"))
    assert values[2025] == (Decimal("6"), Decimal("7"))  # the earlier target kept, the actual added
    assert values[2026] == (Decimal("8"), None)
    ratings = {
        (rating.result.fiscal_year, rating.dimension.key): (rating.level.code, rating.reason)
        for rating in Rating.objects.filter(result__node__code="0101").select_related(
            "result", "dimension", "level"
        )
    }
    assert ratings[(2024, "seigousei")] == ("1", "架空の理由1")  # FY2024's evaluation kept
    assert ratings[(2025, "seigousei")] == ("2", "架空の理由1")  # FY2025's from the later sheet
    means = {
        text.result.fiscal_year: text.text
        for text in ResultSectionText.objects.filter(result__node__code="0101", section__key="means")
    }
    # 2025 was the plan's text (今年度計画); the later sheet gives its actual (前年度実績).
    assert means == {
        2024: "前年度に行った架空の活動。",
        2025: "前年度に行った架空の活動。",
        2026: "今年度に計画する架空の活動。",
    }
    assert Result.objects.get(node__code="0101", fiscal_year=2024).context_change == "架空の状況の変化"
    assert sorted(StaffRate.objects.filter(plan=plan).values_list("fiscal_year", flat=True)) == list(
        range(2020, 2027)
    )


def test_a_result_of_the_later_sheets_years_that_it_leaves_empty_is_removed() -> None:
    imported_both()
    years = sorted(Result.objects.filter(node__code="0201").values_list("fiscal_year", flat=True))
    assert years == [2024]  # FY2025's plan text of the earlier sheet went; FY2024 is kept


def test_the_nodes_are_the_later_sheets() -> None:
    imported_both()
    assert not Node.objects.filter(plan__code="ofunato", code="0104").exists()
    assert not Cost.objects.filter(node__code="0104").exists()


def test_the_preview_shows_the_earlier_years_unchanged_and_lists_only_what_goes() -> None:
    import_apply(ofunato_workbook(), "r7.xlsx", actor=None, profile=read_profile(PROFILE))
    preview = import_preview(next_year_workbook(), "r8.xlsx", actor=None, profile=next_year_profile())
    assert preview.ok, preview.problems
    removed = [row.subject for row in preview.rows if row.status == RowStatus.REMOVED]
    assert any("ofunato:0104" in subject for subject in removed)
    assert not any("ofunato:0101" in subject for subject in removed)
    kept = {row.subject: row.status for row in preview.rows}
    assert kept["cost of ofunato:0101 for 2020 (actual)"] == RowStatus.UNCHANGED
    assert kept["result of ofunato:0101 for 2024"] == RowStatus.UNCHANGED
    assert kept["cost of ofunato:0101 for 2022 (actual)"] == RowStatus.CHANGED


def test_the_later_sheet_again_changes_nothing() -> None:
    imported_both()
    again = import_preview(next_year_workbook(), "r8.xlsx", actor=None, profile=next_year_profile())
    assert again.ok and not again.changed, [
        row.subject for row in again.rows if row.status != RowStatus.UNCHANGED
    ]


def test_the_same_years_sheet_still_replaces_what_it_no_longer_holds() -> None:
    """A sheet of the same year is the truth of its years: a cost it no longer gives goes."""
    import_apply(ofunato_workbook(), "r7.xlsx", actor=None, profile=read_profile(PROFILE))
    rows = projects()
    rows[0] = replace(rows[0], costs=[*rows[0].costs[:-1], [""] * 10])  # no FY2025 plan any more
    import_apply(ofunato_workbook(rows), "r7.xlsx", actor=None, profile=read_profile(PROFILE))
    assert (2025, "plan") not in costs_of("0101")
    assert (2024, "actual") in costs_of("0101")
