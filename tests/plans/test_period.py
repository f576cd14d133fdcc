"""Data stays inside the plan period: one rule (``shinchoku.plans.period.Period``) asked by
``Plan.clean`` when a period is edited and by the structure sheet when a file changes it;
the plan file and the JSON dataset check the years they carry against it."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError

from shinchoku.interchange.importing import import_preview
from shinchoku.plans.formats.structure.export import plan_rows, to_csv
from shinchoku.plans.models import Node, Plan
from shinchoku.plans.period import Period
from shinchoku.progress.models import Target
from tests.factories import World, add_indicator, add_result, add_target, make_node, make_world
from tests.language import english  # noqa: F401  (the messages are read in English)

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------- the years


def test_a_period_names_the_years_of_results_and_of_targets() -> None:
    with_onwards, without = Period(2011, 2013), Period(2011, 2013, onwards=False)
    assert list(with_onwards.result_years) == list(without.result_years) == [2011, 2012, 2013]
    assert list(with_onwards.target_years) == [2011, 2012, 2013, 2014]
    assert list(without.target_years) == [2011, 2012, 2013]
    assert (with_onwards.onwards_year, without.onwards_year) == (2014, None)
    assert with_onwards.holds_target(2014, 2014, True) and with_onwards.holds_target(2011, 2014, False)
    assert not without.holds_target(2013, 2013, True)  # open-ended, but there is no onwards column
    assert not with_onwards.holds_target(2010, 2011, False)
    assert not with_onwards.holds_target(2013, 2015, True)


def test_a_plan_gives_its_period() -> None:
    plan = Plan(code="p", title="計画", first_year=2011, last_year=2013, onwards=False)
    assert plan.period == Period(2011, 2013, onwards=False)
    assert (plan.fiscal_years, plan.target_years, plan.onwards_year) == (
        range(2011, 2014),
        range(2011, 2014),
        None,
    )


def measure_of(world: World) -> Node:
    area = make_node(world.area_level, code="1", title="分野")
    return make_node(world.measure_level, make_node(world.programme_level, area, code="1-1"), code="1-1-1")


def test_the_stored_targets_found_outside_are_those_the_period_does_not_hold() -> None:
    node = measure_of(make_world(first_year=2010, last_year=2016))
    spans = [
        (start, end, open_end)
        for start, end in itertools.combinations_with_replacement(range(2010, 2017), 2)
        for open_end in (False, True)
    ]
    for first, last, onwards in itertools.product((2011, 2012), (2013, 2014), (False, True)):
        period = Period(first, last, onwards)
        Target.objects.filter(node=node).delete()
        held = [span for span in spans if period.holds_target(*span)]
        Target.objects.bulk_create(
            Target(node=node, start_year=start, end_year=end, open_end=open_end, text="held")
            for start, end, open_end in held
        )
        assert period.recorded_outside([node.pk]) is None, period
        for start, end, open_end in set(spans) - set(held):
            # Written as the targets above, in bulk: only what is stored matters here.
            (outside,) = Target.objects.bulk_create(
                [Target(node=node, start_year=start, end_year=end, open_end=open_end, text="outside")]
            )
            assert period.recorded_outside([node.pk]) == start, (period, start, end, open_end)
            assert period.recorded_outside([node.pk], targets_of=[]) is None
            Target.objects.filter(pk=outside.pk).delete()


# ------------------------------------------------------------------ Plan.clean


@pytest.mark.parametrize(
    ("record", "first", "last", "onwards", "year"),
    [
        (lambda node: add_result(node, 2011, "・実施", rating=None), 2012, 2013, True, 2011),
        (lambda node: add_result(node, 2013, "・実施", rating=None), 2011, 2012, True, 2013),
        (lambda node: add_target(node, 2011, 2011, "●a"), 2012, 2013, True, 2011),
        (lambda node: add_target(node, 2014, 2014, "事業推進", open_end=True), 2011, 2013, False, 2014),
        (lambda node: add_target(node, 2013, 2014, "●b", open_end=True), 2011, 2014, False, 2013),
        (lambda node: add_indicator(node, "件数", "件", {2014: ("1", "1")}), 2011, 2013, False, 2014),
    ],
    ids=[
        "a result before",
        "a result after",
        "a target before",
        "an onwards target without the column",
        "an open-ended target without the column",
        "a value of the onwards year without the column",
    ],
)
def test_a_period_that_would_leave_data_outside_is_refused(record, first, last, onwards, year) -> None:
    world = make_world(first_year=2011, last_year=2013)
    record(measure_of(world))
    plan = world.plan
    plan.first_year, plan.last_year, plan.onwards = first, last, onwards
    with pytest.raises(ValidationError) as refused:
        plan.full_clean()
    assert refused.value.messages == [f"Data recorded for fiscal year {year} would fall outside the period."]


# --------------------------------------------------------- the structure sheet


def sheet_without_year_columns(plan: Plan, first_year: int) -> bytes:
    """The plan's structure sheet giving ``first_year`` and no year columns: the stored
    targets stay as they are, and everything stored must fit the new period."""
    rows = plan_rows(plan)
    keep = [i for i, heading in enumerate(rows[0]) if not heading.endswith(("年度目標", "年度以降"))]
    rows = [[row[i] for i in keep] for row in rows]
    rows[1][rows[0].index("開始年度")] = str(first_year)
    return to_csv(rows)


@pytest.mark.parametrize(
    "record",
    [
        lambda node: add_result(node, 2011, "・実施", rating=None),
        lambda node: add_target(node, 2011, 2012, "●a"),
        lambda node: add_indicator(node, "件数", "件", {2011: ("1", "1")}),
    ],
    ids=["a result", "a target", "an indicator value"],
)
def test_a_structure_sheet_that_leaves_data_outside_its_period_is_refused(record) -> None:
    world = make_world(code="p", first_year=2011, last_year=2013)
    record(measure_of(world))
    data = sheet_without_year_columns(world.plan, 2012)
    preview = import_preview(data, "plan.csv", actor=None)
    assert [(problem.where.row, problem.message) for problem in preview.all_problems] == [
        (2, "Year outside the period: data recorded for fiscal year 2011 would fall outside 2012–2013.")
    ]
    assert import_preview(sheet_without_year_columns(world.plan, 2011), "plan.csv", actor=None).ok
