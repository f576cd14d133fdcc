"""The entry workbook carries the reasons, the plan's own sections and the year's cost:
downloaded and uploaded unchanged it changes nothing; figures are read as the entry form
reads them; a bad figure is refused with its sheet, row and column, and nothing is
written."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import load_workbook

from shinchoku.interchange.importing import import_apply
from shinchoku.interchange.preview import RowStatus
from shinchoku.review.models import EntryCost
from shinchoku.review.workbook import writer as template
from tests.review.test_entry_costs import make_costed_cycle, save, snapshot
from tests.review.workbook.test_entry_workbook import column_of, edit, make, preview_of, state

pytestmark = pytest.mark.django_db

COST = "事業費（A）（千円）"
HOURS = "延べ業務時間（時間）"
REASON = "達成状況区分の理由"
ISSUES = "課題"


def written_cycle():  # type: ignore[no-untyped-def]
    cycle = make_costed_cycle()
    save(
        cycle,
        {
            "text": "・実施しました。",
            "ratings": cycle.rating("3"),
            "rating_reasons": {cycle.sample.dimension.pk: "計画どおり"},
            "sections": {"issues": "・担い手"},
            "costs": {"project_cost": "1,234.5", "staff_count": "1.5"},
        },
    )
    return cycle


def test_the_workbook_has_the_columns_and_a_round_trip_changes_nothing(tmp_path: Path) -> None:
    cycle = written_cycle()
    path = make(cycle, tmp_path)
    sheet = load_workbook(path)[template.ENTRY_SHEET]
    row = 2
    assert sheet.cell(row, column_of(sheet, COST)).value == pytest.approx(1234.5)
    assert sheet.cell(row, column_of(sheet, REASON)).value == "計画どおり"
    assert sheet.cell(row, column_of(sheet, ISSUES)).value == "・担い手"
    # Excel checks the figures itself: a number, never below zero.
    cell = sheet.cell(row, column_of(sheet, COST)).coordinate
    (check,) = [v for v in sheet.data_validations.dataValidation if cell in v.sqref]
    assert (check.type, check.operator, check.formula1) == ("decimal", "greaterThanOrEqual", "0")
    before = state(cycle)
    preview = preview_of(path, cycle.editor)
    assert not preview.all_problems
    assert {row.status for row in preview.rows} == {RowStatus.UNCHANGED}
    assert state(cycle) == before


def test_figures_reasons_and_sections_are_imported(tmp_path: Path) -> None:
    cycle = written_cycle()
    path = edit(
        make(cycle, tmp_path),
        {(2, COST): "２，０００", (2, HOURS): 12.25, (2, REASON): "見直した", (2, ISSUES): "・人手不足"},
    )
    preview = preview_of(path, cycle.editor)
    assert not preview.all_problems, [str(p) for p in preview.all_problems]
    import_apply(path.read_bytes(), path.name, actor=cycle.editor)
    kept = snapshot(cycle.fresh())
    assert kept["costs.project_cost"] == "2000000"
    assert kept["costs.staff_hours"] == "12.25"
    assert kept["costs.staff_count"] == "1.5"
    assert kept["ratings.achievement.reason"] == "見直した"
    assert kept["sections.issues"] == "・人手不足"


@pytest.mark.parametrize(
    ("heading", "value", "says"),
    [
        (COST, -5, "は負の数です"),
        (COST, "たくさん", "は数値ではありません"),
        (HOURS, "1.234", "小数第3位以下"),
        ("正規職員従事人数（人）", 0.125, "小数第3位以下"),
    ],
)
def test_a_bad_figure_is_refused_with_where_it_is(
    tmp_path: Path, heading: str, value: object, says: str
) -> None:
    cycle = written_cycle()
    path = edit(make(cycle, tmp_path), {(2, heading): value, (2, REASON): "変えた"})
    before = state(cycle), list(EntryCost.objects.values_list("project_cost", "staff_hours"))
    with translation.override("ja"):
        problems = preview_of(path, cycle.editor).all_problems
    (problem,) = problems
    sheet = load_workbook(path)[template.ENTRY_SHEET]
    letter = sheet.cell(2, column_of(sheet, heading)).column_letter
    assert (problem.where.sheet, problem.where.row, problem.where.column) == (template.ENTRY_SHEET, 2, letter)
    assert says in problem.message
    assert (state(cycle), list(EntryCost.objects.values_list("project_cost", "staff_hours"))) == before
