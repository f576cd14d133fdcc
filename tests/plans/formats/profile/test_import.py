"""Importing a city's workbook with its profile, end to end: a made-up workbook in
Ōfunato's layout (every kind of dirt) builds the whole plan in an empty instance with the
shipped profile, through the one writer, audited; the preview tells the warnings; the
same file again changes nothing; bad input writes nothing and names the cell; a second
layout (Kawasaki's columns) with a profile written here proves the format general."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shinchoku.audit.selectors import audit_history
from shinchoku.interchange.importing import import_apply, import_preview
from shinchoku.interchange.preview import ImportRefused, RowStatus
from shinchoku.plans.formats.dataset.export import export_dataset
from shinchoku.plans.formats.profile.profile import load_profile, read_profile
from shinchoku.plans.models import Dimension, Node, NodeSectionText, OrgUnit, Plan, ScaleLevel, Section
from shinchoku.progress.models import Cost, Indicator, IndicatorValue, Rating, Result, ResultSectionText
from tests.plans.formats.profile.workbooks import DIRTY, PERSONAL, PROFILE, SHEET, ofunato_workbook

pytestmark = pytest.mark.django_db


def imported(data: bytes | None = None) -> Plan:
    import_apply(data or ofunato_workbook(), "city.xlsx", actor=None, profile=read_profile(PROFILE))
    return Plan.objects.get(code="ofunato")


def test_the_workbook_and_its_profile_build_the_whole_plan() -> None:
    plan = imported()
    assert (plan.title, plan.first_year, plan.last_year) == ("大船渡市総合計画 事務事業評価", 2020, 2025)
    assert [(level.key, level.kind, level.rated) for level in plan.levels.order_by("depth")] == [
        ("seisaku", "plan", False),
        ("shisaku", "programme", False),
        ("kihon-jigyo", "measure", False),
        ("jimu-jigyo", "project", True),
    ]
    codes = {node.code: node for node in Node.objects.filter(plan=plan).select_related("parent", "level")}
    upper = ["01", "01-01", "01-01-01", "01-01-02", "01-02", "01-02-01", "02", "02-03", "02-03-01"]
    assert sorted(codes) == sorted([*upper, "0101", "0102", "0086", "0104", "0201", "0000"])
    assert codes["0086"].parent is not None and codes["0086"].parent.code == "01-01-02"
    assert codes["01"].title == "暮らしを支えるまちづくり"
    assert Dimension.objects.filter(plan=plan).count() == 12
    project = codes["0102"]
    assert sorted(marker.symbol for marker in project.markers.all()) == ["A", "総合戦略"]
    assert project.summary == "架空の事業の概要。"
    (unit,) = project.units.all()
    assert unit.name == "市民部架空課" and unit.code.startswith("ofunato-")
    judged = Result.objects.get(node=project, fiscal_year=2024)
    assert judged.context_change == "架空の状況の変化"
    ratings = {rating.dimension.key: rating.level.code for rating in Rating.objects.filter(result=judged)}
    assert ratings["seigousei"] == "1" and ratings["kongo-hoko"] == "2" and "kaikaku-hoko" not in ratings
    assert Result.objects.filter(node=project, fiscal_year=2025).exists()  # 今年度計画
    amount = Indicator.objects.get(node=project, unit="千円")
    assert amount.kind == "outcome"
    assert [(value.fiscal_year, value.target, value.actual) for value in amount.values.all()][-2:] == [
        (2024, None, Decimal("1600")),
        (2025, Decimal("1700"), None),
    ]
    assert codes["0086"].note == "満足度 2023年度: 29(4)"
    (event,) = audit_history(plan)
    assert event.event_type == "plan.imported" and event.details["file"] == "city.xlsx"


def test_sections_reasons_costs_and_staff_rates_are_imported() -> None:
    plan = imported()
    assert plan.amount_unit == "thousand"
    assert sorted(plan.staff_rates.values_list("fiscal_year", "hourly_cost")) == [
        (year, 4000) for year in range(2020, 2026)
    ]
    assert [section.key for section in Section.objects.filter(plan=plan).order_by("position")][:4] == [
        "summary",
        "legal-basis",
        "period",
        "budget-items",
    ]
    project = Node.objects.get(plan=plan, code="0102")
    texts = {text.section.key: text.text for text in NodeSectionText.objects.filter(node=project)}
    assert texts["period"] == "期間限定複数年度 2019(令和元)年度〜2024(令和6)年度"
    assert texts["target"] == "架空の市民" and texts["budget-items"] == "01-02-01-01-0100"
    assert "legal-basis" not in texts  # a dash: empty
    means = {
        text.result.fiscal_year: text.text
        for text in ResultSectionText.objects.filter(result__node=project, section__key="means")
    }
    assert means == {2024: "前年度に行った架空の活動。", 2025: "今年度に計画する架空の活動。"}
    rating = Rating.objects.get(result__node=project, dimension__key="seigousei")
    assert (rating.result.fiscal_year, rating.reason) == (2024, "架空の理由1")
    costs = {(cost.fiscal_year, cost.basis): cost for cost in Cost.objects.filter(node=project)}
    assert sorted(costs, key=lambda key: (key[0] or 0, key[1])) == [
        (None, "plan"),
        (2020, "actual"),
        (2021, "actual"),
        (2022, "actual"),
        (2023, "actual"),
        (2024, "actual"),
        (2025, "plan"),
    ]
    whole = costs[(None, "plan")]
    assert (whole.national, whole.general, whole.project_cost) == (1_000_000, 2_000_000, 3_000_000)
    assert (whole.staff_count, whole.staff_hours, whole.staff_cost) == (2, 300, 1_200_000)
    assert whole.total_cost == 4_200_000
    dirty = costs[(2023, "actual")]  # written with floating-point artefacts in 千円
    assert (dirty.general, dirty.project_cost, dirty.staff_cost) == (2_799_485, 2_799_485, 200_000)
    assert dirty.total_cost == 2_999_485
    late = Node.objects.get(plan=plan, code="0086")
    assert sorted(Cost.objects.filter(node=late).values_list("fiscal_year", flat=True)) == [
        2022,
        2023,
        2024,
        2025,
    ]
    total = sum(Cost.objects.filter(node__plan=plan, fiscal_year=2024).values_list("total_cost", flat=True))
    assert total == sum(
        cost.project_cost + cost.staff_cost for cost in Cost.objects.filter(node__plan=plan, fiscal_year=2024)
    )
    dash = Cost.objects.get(node__code="0104", fiscal_year=2020)  # funding sources written as dashes
    assert (dash.national, dash.general, dash.project_cost) == (None, None, 0)


def test_audit_row_of_the_import() -> None:
    plan = imported()
    (event,) = audit_history(plan)
    assert event.event_type == "plan.imported" and event.details["file"] == "city.xlsx"


def test_the_preview_tells_every_kind_of_dirt_and_writes_nothing() -> None:
    preview = import_preview(ofunato_workbook(), "city.xlsx", actor=None, profile=read_profile(PROFILE))
    assert preview.ok, [str(problem) for problem in preview.all_problems]
    assert preview.importer == "profile"
    found = {(warning.kind, f"{warning.where.column}{warning.where.row}") for warning in preview.warnings}
    for kind, cell in DIRTY.items():
        if cell:
            assert (kind, cell) in found
    assert all(warning.where.sheet == SHEET for warning in preview.warnings)
    assert preview.count(RowStatus.NEW) > 0
    assert not Plan.objects.exists()


def test_the_same_file_twice_changes_nothing() -> None:
    data = ofunato_workbook()
    plan = imported(data)
    counts = (Node.objects.count(), IndicatorValue.objects.count(), Rating.objects.count())
    again = import_preview(data, "city.xlsx", actor=None, profile=read_profile(PROFILE))
    assert again.ok and not again.changed
    assert {row.status for row in again.rows} == {RowStatus.UNCHANGED}
    result = import_apply(data, "city.xlsx", actor=None, profile=read_profile(PROFILE))
    assert result.summary == "city.xlsx: nothing to change."
    assert (Node.objects.count(), IndicatorValue.objects.count(), Rating.objects.count()) == counts
    assert len(audit_history(plan)) == 1


def test_a_changed_answer_is_written_in_place() -> None:
    imported()
    rating = Rating.objects.get(
        result__node__code="0101", result__fiscal_year=2024, dimension__key="seigousei"
    )
    imported(ofunato_workbook(cells={"GG3": "見直し余地がある"}))
    rating.refresh_from_db()
    assert rating.level.code == "2"


def test_personal_data_is_never_imported() -> None:
    imported()
    exported = json.dumps(export_dataset(), ensure_ascii=False)
    for text in PERSONAL.values():
        assert str(text) not in exported
    assert "架空係" not in exported  # an ignored column


@pytest.mark.parametrize(
    ("workbook", "where", "message"),
    [
        ({"drop_column": "T"}, (2, "T"), "The profile expects the heading '根拠法令' here"),
        ({"cells": {"CA4": -1}}, (4, "CA"), "-1 is negative: a cost is never below zero."),
        ({"cells": {"CB4": "不明"}}, (4, "CB"), "'不明' is not a number."),
        ({"cells": {"GI5": "わからない"}}, (5, "GI"), "'わからない' is not on the scale ofunato-datousei"),
        ({"cells": {"K7": "", "L7": ""}}, (7, "K"), "its parent is missing."),
    ],
)
def test_bad_input_names_the_cell_and_writes_nothing(
    workbook: dict[str, object], where: tuple[int, str], message: str
) -> None:
    with pytest.raises(ImportRefused) as refused:
        imported(ofunato_workbook(**workbook))  # type: ignore[arg-type]
    problems = refused.value.preview.all_problems
    assert any(
        (problem.where.sheet, problem.where.row, problem.where.column) == (SHEET, *where)
        and message in problem.message
        for problem in problems
    ), [str(problem) for problem in problems]
    assert not Plan.objects.exists() and not OrgUnit.objects.exists()


def test_only_the_planning_administrator_imports_with_a_profile() -> None:
    from shinchoku.accounts.models import Role
    from tests.factories import make_staff

    unit = OrgUnit.objects.create(code="kakuu", name="架空課")
    editor = make_staff(Role.EDITOR, unit=unit, username="tanto")
    preview = import_preview(ofunato_workbook(), "city.xlsx", actor=editor, profile=read_profile(PROFILE))
    assert [problem.message for problem in preview.problems] == [
        "Only the planning administrator may import a workbook with a profile."
    ]


# ------------------------------------------------------------------ the console


def test_the_console_previews_with_the_warnings_and_applies(tmp_path: Path) -> None:
    book = tmp_path / "r7.xlsx"
    book.write_bytes(ofunato_workbook())
    out = StringIO()
    call_command("import", str(book), "--profile", str(PROFILE), "--language", "en", stdout=out)
    text = out.getvalue()
    assert "warnings " in text and "dash or 0 for empty" in text
    assert (
        "WARNING r7.xlsx, sheet データ集計マクロ用シート, row 3, column T (根拠法令): '-': read as empty."
        in text
    )
    assert "The file can be imported" in text
    call_command(
        "import", str(book), "--profile", str(PROFILE), "--apply", "--language", "en", stdout=StringIO()
    )
    assert Plan.objects.filter(code="ofunato").exists()


def test_the_console_refuses_a_bad_profile_naming_its_line(tmp_path: Path) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text(
        PROFILE.read_text("utf-8").replace("scale: ofunato-seigousei,", "scale: nowhere,"), "utf-8"
    )
    book = tmp_path / "r7.xlsx"
    book.write_bytes(ofunato_workbook())
    out = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import", str(book), "--profile", str(profile), "--language", "en", stdout=out)
    assert "plan.dimensions[0].scale: The profile defines no scale nowhere." in out.getvalue()


# ------------------------------------------------------------------ a second layout

KAWASAKI = """\
format: shinchoku-import-profile/1
name: 事務事業評価シート（川崎市の列）
heading_row: 1
first_row: 2
fiscal_year: 2025
judged_year: -1
amounts: thousand
headings: {A: 施策コード, B: 施策名, C: 事務事業コード, D: 事務事業名, E: 所管課, F: 達成度, G: 方向性区分, H: 検証結果}
plan:
  code: kawasaki-jigyo
  title: 事務事業評価
  first_year: 2022
  last_year: 2025
  levels:
    - {key: shisaku, name: 施策, kind: measure, code: [A], title: B}
    - {key: jigyo, name: 事務事業, kind: project, rated: true, code: [C], title: D}
  scales:
    - code: achievement-5
      name: 達成度
      levels:
        - {code: "1", label: 目標を大きく上回って達成}
        - {code: "2", label: 目標を上回って達成}
        - {code: "3", label: 目標をほぼ達成}
        - {code: "4", label: 目標を下回った}
        - {code: "5", label: 目標を大きく下回った, adverse: true}
    - code: direction-5
      name: 方向性区分
      levels:
        - {code: I, label: 現状のまま継続}
        - {code: II, label: 改善しながら継続}
        - {code: III, label: 事業内容を一部見直し}
        - {code: IV, label: 事業規模を縮小}
        - {code: V, label: 廃止, adverse: true}
    - code: verdict-8
      name: 検証結果
      levels:
        - {code: A, label: 目標どおり・拡大, row_label: 目標どおり, column_label: 拡大}
        - {code: B, label: 目標どおり・縮減, row_label: 目標どおり, column_label: 縮減}
        - {code: C, label: 目標どおり・現状維持, row_label: 目標どおり, column_label: 現状維持}
        - {code: D, label: 目標どおり・終了, row_label: 目標どおり, column_label: 終了}
        - {code: E, label: 変更・拡大, row_label: 変更, column_label: 拡大}
        - {code: F, label: 変更・縮減, row_label: 変更, column_label: 縮減}
        - {code: G, label: 変更・現状維持, row_label: 変更, column_label: 現状維持}
        - {code: H, label: 変更・終了, row_label: 変更, column_label: 終了}
  dimensions:
    - {key: achievement, name: 達成度, scale: achievement-5, column: F}
    - {key: direction, name: 方向性区分, scale: direction-5, column: G, primary: true}
    - {key: verdict, name: 検証結果, scale: verdict-8, column: H}
node:
  unit: {column: E, prefix: kawasaki-}
years:
  first_column: I
  width: 3
  headings: [一般財源, 事業費, 人件費]
  blocks:
    - {year: -1, basis: actual}
    - {year: 0, basis: budget}
  costs: {general: 0, project_cost: 1, staff_cost: 2}
"""

KAWASAKI_ROWS = [
    "施策コード,施策名,事務事業コード,事務事業名,所管課,達成度,方向性区分,検証結果,"
    "一般財源,事業費,人件費,一般財源,事業費,人件費",
    '2-1-3,架空の施策,10101,架空の事業,架空局架空課,３,Ⅲ,G,"1,200",1200,300,1300,1300,310',
    "2-1-3,架空の施策,10102,別の架空事業,架空局架空課,5,Ⅴ,変更・終了,0,0,0,500,500,40",
]


def test_a_second_layout_with_its_own_profile() -> None:
    profile = load_profile(KAWASAKI.encode(), "kawasaki.yaml")
    data = ("\n".join(KAWASAKI_ROWS) + "\n").encode()
    preview = import_preview(data, "kawasaki.csv", actor=None, profile=profile)
    assert preview.ok, [str(problem) for problem in preview.all_problems]
    assert {warning.kind for warning in preview.warnings} >= {
        "number with separators, blanks or full-width digits",
        "zeros before the first year",
    }
    import_apply(data, "kawasaki.csv", actor=None, profile=profile)
    plan = Plan.objects.get(code="kawasaki-jigyo")
    assert [node.code for node in Node.objects.filter(plan=plan).order_by("path")] == [
        "2-1-3",
        "10101",
        "10102",
    ]
    ratings = {
        (rating.result.node.code, rating.dimension.key): rating.level.code
        for rating in Rating.objects.filter(result__node__plan=plan, result__fiscal_year=2024)
    }
    assert ratings == {
        ("10101", "achievement"): "3",
        ("10101", "direction"): "III",
        ("10101", "verdict"): "G",
        ("10102", "achievement"): "5",
        ("10102", "direction"): "V",
        ("10102", "verdict"): "H",
    }
    matrix = ScaleLevel.objects.filter(scale__code="verdict-8").order_by("position")
    assert [(level.code, level.row_label, level.column_label) for level in matrix][:2] == [
        ("A", "目標どおり", "拡大"),
        ("B", "目標どおり", "縮減"),
    ]
    costs = {
        (cost.node.code, cost.fiscal_year, cost.basis): (cost.general, cost.project_cost, cost.total_cost)
        for cost in Cost.objects.filter(node__plan=plan).select_related("node")
    }
    assert costs == {
        ("10101", 2024, "actual"): (1_200_000, 1_200_000, 1_500_000),
        ("10101", 2025, "budget"): (1_300_000, 1_300_000, 1_610_000),
        ("10102", 2025, "budget"): (500_000, 500_000, 540_000),  # 2024's zeros: before it began
    }
