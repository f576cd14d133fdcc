"""The sums of costs and the counts of ratings over a plan area or programme: made in the
database, equal to the sum of their parts, honest about figures some projects do not
give, and at a fixed number of queries however many measures stand under the node."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from shinchoku.plans.models import AmountUnit, Node
from shinchoku.plans.selectors import (
    Scope,
    cost_summaries,
    cost_summaries_each,
    format_amount,
    rating_summaries,
    rating_summaries_each,
)
from shinchoku.plans.selectors.aggregates import SUMMED_FIELDS
from shinchoku.progress.models import Rating
from tests.factories import make_sample
from tests.plans.costed import YEARS, Costed, add_measures, hand_sums, make_costed

pytestmark = pytest.mark.django_db


@pytest.fixture
def costed() -> Costed:
    return make_costed()


def test_each_sum_equals_the_costs_added_up_by_hand(costed: Costed) -> None:
    (table,) = cost_summaries(costed.plan, under=costed.area)
    keys = [(row.fiscal_year, row.basis) for row in table.rows]
    # The whole period's plan first, then by year and basis.
    assert keys == [(None, "plan"), (2021, "actual"), (2022, "actual"), (2023, "budget")]
    for row in table.rows:
        expected = hand_sums(costed.area, row.fiscal_year, row.basis)
        assert row.projects == expected["projects"]
        for field in SUMMED_FIELDS:
            found = row.sum_of(field)
            assert found.value == expected[field], (row.heading, field)
            assert found.given == expected[f"given_{field}"], (row.heading, field)
            assert found.of == row.projects
    # 11 measures with costs, and one without: counted among the area's 12.
    assert table.rows[1].projects == 11 and table.project_count == 12


def test_the_total_is_a_plus_b_and_b_is_priced_from_the_hours(costed: Costed) -> None:
    (table,) = cost_summaries(costed.plan, under=costed.area)
    for row in table.rows:
        a, b = row.sum_of("project_cost").value, row.sum_of("staff_cost").value
        assert row.sum_of("total_cost").value == (a or 0) + (b or 0)
    actual_2021 = table.rows[1]
    hours = sum(Decimal("100.5") + n for n in range(1, 12))
    assert actual_2021.sum_of("staff_hours").value == hours
    assert actual_2021.sum_of("staff_cost").value == sum(
        int((Decimal("100.5") + n) * 4000) for n in range(1, 12)
    )


def test_a_sum_some_projects_do_not_give_says_so_and_none_given_is_not_zero(costed: Costed) -> None:
    (table,) = cost_summaries(costed.plan, under=costed.area)
    row = table.rows[1]
    national = row.sum_of("national")
    assert (national.given, national.of, national.partial) == (6, 11, True)
    assert national.value == sum(1_000_500 * n for n in range(1, 12, 2))
    bonds = row.sum_of("bonds")
    assert (bonds.value, bonds.shown, bonds.given, bonds.partial) == (None, "", 0, False)
    assert not row.sum_of("general").partial
    with translation.override("en"):
        (english,) = cost_summaries(costed.plan, under=costed.area)
    assert "12 projects" in english.partial_note


def test_amounts_are_shown_in_the_plans_unit_rounded_after_summing(costed: Costed) -> None:
    (table,) = cost_summaries(costed.plan, under=costed.area)
    general = table.rows[1].sum_of("general")
    assert general.value == sum(2_345_499 + 1_001 * n for n in range(1, 12))  # 25,866,555 yen
    assert general.shown == "25,867"  # 千円, half up, after summing (the parts would give 25,862)
    assert format_amount(1_500, AmountUnit.THOUSAND) == "2"
    assert format_amount(1_499, AmountUnit.THOUSAND) == "1"
    assert format_amount(1_234_567, AmountUnit.YEN) == "1,234,567"
    costed.plan.amount_unit = AmountUnit.YEN
    costed.plan.save(update_fields=["amount_unit"])
    (in_yen,) = cost_summaries(costed.plan, under=costed.area)
    assert in_yen.rows[1].sum_of("general").shown == "25,866,555"
    with translation.override("ja"):
        assert "（単位：円）" in cost_summaries(costed.plan, under=costed.area)[0].caption
        costed.plan.amount_unit = AmountUnit.THOUSAND
        assert "（単位：千円）" in cost_summaries(costed.plan, under=costed.area)[0].caption


def test_a_programme_sums_its_own_measures_and_the_plan_all(costed: Costed) -> None:
    programme = costed.programmes[0]
    (table,) = cost_summaries(costed.plan, under=programme)
    assert table.rows[1].projects == 5 and table.project_count == 5
    assert table.rows[1].sum_of("total_cost").value == hand_sums(programme, 2021, "actual")["total_cost"]
    (whole,) = cost_summaries(costed.plan)
    assert whole.rows[1].projects == 13
    other = Node.objects.get(code="2")
    assert whole.rows[1].sum_of("total_cost").value == (
        hand_sums(costed.area, 2021, "actual")["total_cost"] + hand_sums(other, 2021, "actual")["total_cost"]
    )


def test_several_areas_at_once_give_what_each_gives_alone(costed: Costed) -> None:
    areas = [costed.area, costed.other_area]
    together = cost_summaries_each(costed.plan, Scope.of(each=areas))
    ratings = rating_summaries_each(costed.plan, Scope.of(each=areas), matrix_year=2022)
    for area in areas:
        assert together[area.pk] == cost_summaries(costed.plan, under=area)
        assert ratings[area.pk] == rating_summaries(costed.plan, under=area, matrix_year=2022)


def test_a_plan_without_costs_has_no_cost_table() -> None:
    sample = make_sample()
    assert cost_summaries(sample.plan, under=sample.area) == ()


def test_every_dimension_is_counted_per_level_and_year(costed: Costed) -> None:
    tables = rating_summaries(costed.plan, under=costed.area)
    assert [t.dimension_name for t in tables] == ["達成状況区分", "方向性", "点検結果"]
    # Marker columns on the primary dimension only.
    assert len(tables[0].sub_headings) == 3 and len(tables[1].sub_headings) == 1
    for table in tables:
        for index, column in enumerate(table.years):
            for row in table.rows:
                stored = Rating.objects.filter(
                    result__node__path__startswith=costed.area.path,
                    result__fiscal_year=column.year,
                    dimension__name=table.dimension_name,
                    level__code=row.code,
                ).count()
                assert row.cells[index].count == stored, (table.dimension_name, column.year, row.code)
            if column.year in YEARS:
                assert table.total.cells[index].count == 11
            else:
                assert not table.total.cells[index].published


def test_a_matrix_scale_is_laid_out_as_its_matrix_with_totals(costed: Costed) -> None:
    tables = rating_summaries(costed.plan, under=costed.area)
    assert [t.matrix is not None for t in tables] == [False, False, True]
    matrix = tables[2].matrix
    assert matrix is not None
    assert matrix.fiscal_year == 2022  # the latest year with results, by default
    assert matrix.columns == ("拡大", "縮減", "現状維持", "終了")
    assert [row.heading for row in matrix.rows] == ["目標どおり", "変更"]
    assert [[cell.codes for cell in row.cells if cell] for row in matrix.rows] == [
        ["A", "B", "C", "D"],
        ["E", "F", "G", "H"],
    ]
    by_code = {
        code: Rating.objects.filter(
            dimension=costed.verdict,
            result__fiscal_year=2022,
            result__node__path__startswith=costed.area.path,
            level__code=code,
        ).count()
        for code in "ABCDEFGH"
    }
    assert [[cell.count for cell in row.cells if cell] for row in matrix.rows] == [
        [by_code[c] for c in "ABCD"],
        [by_code[c] for c in "EFGH"],
    ]
    assert by_code["F"] == 0 and sum(by_code.values()) == 11
    assert [row.total for row in matrix.rows] == [
        sum(by_code[c] for c in "ABCD"),
        sum(by_code[c] for c in "EFGH"),
    ]
    assert matrix.column_totals == tuple(by_code[a] + by_code[b] for a, b in ("AE", "BF", "CG", "DH"))
    assert matrix.total == 11
    earlier = rating_summaries(costed.plan, under=costed.area, matrix_year=2021)[2].matrix
    assert earlier is not None and earlier.fiscal_year == 2021
    # A year without published results has no matrix.
    assert rating_summaries(costed.plan, under=costed.area, matrix_year=2023)[2].matrix is None


def test_a_scale_with_a_level_outside_the_matrix_is_not_one(costed: Costed) -> None:
    costed.verdict_scale.levels.filter(code="H").update(column_label="")
    assert rating_summaries(costed.plan, under=costed.area)[2].matrix is None


def _queries(costed: Costed) -> int:
    with CaptureQueriesContext(connection) as context:
        cost_summaries(costed.plan, under=costed.area)
        rating_summaries(costed.plan, under=costed.area)
        cost_summaries_each(costed.plan, Scope.of(each=[costed.area, costed.other_area]))
        rating_summaries_each(costed.plan, Scope.of(each=[costed.area, costed.other_area]))
    return len(context.captured_queries)


def test_the_queries_are_as_many_for_10_as_for_60_measures(django_assert_num_queries) -> None:
    few = make_costed(measures=5)  # 11 measures under area 1
    many = make_costed(measures=5)
    add_measures(many, many.programmes[0], 49, start=300)  # 60 under area 1
    assert Node.objects.filter(path__startswith=many.area.path, level=many.measure_level).count() == 61
    counted = _queries(few)
    assert counted == _queries(many)
    with django_assert_num_queries(3 + 6 + 3 + 6):
        _queries(many)
    (table,) = cost_summaries(many.plan, under=many.area)
    assert table.rows[1].projects == 60
