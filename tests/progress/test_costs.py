"""What a project cost: the rules of a cost (amounts never negative, staff to two
decimals, on rated nodes only, in the plan's years, one per year and basis), B priced from
the hours at the plan's hourly staff cost, the total always A + B and never typed; the
services record each write; the selectors' totals are the sums of their parts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from shinchoku.accounts.models import Role
from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.plans.models import Node
from shinchoku.progress import services
from shinchoku.progress.models import Cost, StaffRate, staff_cost_of, total_cost_of
from shinchoku.progress.selectors import (
    change_rate,
    cost_per_unit,
    cost_totals,
    cost_totals_by_node,
    node_costs,
    unit_costs,
)
from tests.factories import EveryTable, add_cost, add_indicator, make_every_table, make_node, make_staff

pytestmark = pytest.mark.django_db

AMOUNTS = ("national", "prefectural", "bonds", "other", "general", "project_cost", "staff_cost")


@pytest.fixture
def world() -> EveryTable:
    return make_every_table()


@pytest.fixture
def planner() -> User:
    return make_staff(Role.ADMINISTRATOR, username="planner")


def refusal(cost: Cost) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        cost.full_clean()
    return refused.value.message_dict


# ------------------------------------------------------------------ the rules


@pytest.mark.parametrize("name", [*AMOUNTS, "staff_count", "staff_hours"])
def test_a_negative_figure_is_refused_by_the_model_and_the_database(world: EveryTable, name: str) -> None:
    cost = Cost(node=world.measure, fiscal_year=2012, basis=Cost.Basis.ACTUAL, **{name: -1})
    assert name in refusal(cost)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cost.objects.filter(pk=world.cost.pk).update(**{name: -1})


def test_staff_figures_take_two_decimals(world: EveryTable) -> None:
    cost = Cost(node=world.measure, fiscal_year=2012, staff_count=Decimal("1.255"))
    assert "staff_count" in refusal(cost)
    cost.staff_count = Decimal("1.25")
    cost.full_clean()


def test_the_total_is_a_plus_b_and_never_typed(world: EveryTable) -> None:
    cost = Cost(node=world.measure, fiscal_year=2012, project_cost=1000, staff_cost=200)
    cost.total_cost = 5  # typed: overwritten
    cost.save()
    assert Cost.objects.get(pk=cost.pk).total_cost == 1200
    # An update that names some fields saves the total with them.
    cost.project_cost = 3000
    cost.save(update_fields=["project_cost"])
    assert Cost.objects.get(pk=cost.pk).total_cost == 3200
    # The database refuses a total that is not A + B, whatever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Cost.objects.filter(pk=cost.pk).update(total_cost=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cost.objects.filter(pk=cost.pk).update(project_cost=None, staff_cost=None)
    assert "total_cost" not in {
        field.name for field in Cost._meta.get_fields() if getattr(field, "editable", False)
    }


@pytest.mark.parametrize(
    ("project", "staff", "total"), [(None, None, None), (1000, None, 1000), (None, 200, 200), (0, 0, 0)]
)
def test_a_missing_part_counts_as_nothing_and_none_given_is_no_total(
    project: int | None, staff: int | None, total: int | None
) -> None:
    assert total_cost_of(project, staff) == total


def test_b_is_priced_from_the_hours_at_the_years_rate_when_not_given(world: EveryTable) -> None:
    # make_every_table: 120.5 hours at 4,000 yen in 2011.
    assert (world.cost.staff_cost, world.cost.total_cost) == (482000, 3_500_000 + 482000)
    StaffRate.objects.create(plan=world.plan, fiscal_year=2012, hourly_cost=4001)
    priced = add_cost(world.measure, 2012, project_cost=100, staff_hours=Decimal("0.5"))
    assert priced.staff_cost == 2001  # 2000.5, rounded half up
    given = add_cost(world.measure, 2012, Cost.Basis.BUDGET, staff_hours=Decimal("10"), staff_cost=7)
    assert given.staff_cost == 7
    unpriced = add_cost(world.measure, 2013, project_cost=100, staff_hours=Decimal("10"))
    assert (unpriced.staff_cost, unpriced.total_cost) == (None, 100)  # no rate for 2013
    whole = add_cost(world.measure, None, Cost.Basis.PLAN, staff_hours=Decimal("10"))
    assert whole.staff_cost is None  # the whole period has no year, so no rate
    assert staff_cost_of(Decimal("0.25"), 2) == 1 and staff_cost_of(None, 4000) is None


def test_a_cost_attaches_to_a_rated_node_only(world: EveryTable) -> None:
    cost = Cost(node=world.programme, fiscal_year=2012, project_cost=1)
    with translation.override("en"):
        assert refusal(cost) == {
            "node": [f"Costs attach to rated levels only; {world.programme_level.name} is not rated."]
        }


def test_an_actual_names_a_year_of_the_period_a_budget_also_the_onwards_year(world: EveryTable) -> None:
    assert "fiscal_year" in refusal(Cost(node=world.measure, fiscal_year=2014, basis=Cost.Basis.ACTUAL))
    assert "fiscal_year" in refusal(Cost(node=world.measure, fiscal_year=2010, basis=Cost.Basis.PLAN))
    Cost(node=world.measure, fiscal_year=2014, basis=Cost.Basis.BUDGET).full_clean()
    Cost(node=world.measure, fiscal_year=None, basis=Cost.Basis.ACTUAL).full_clean()


def test_one_cost_per_year_and_basis_and_one_per_basis_for_the_whole_period(world: EveryTable) -> None:
    assert refusal(Cost(node=world.measure, fiscal_year=2011, basis=Cost.Basis.ACTUAL))
    add_cost(world.measure, None, Cost.Basis.PLAN)
    assert refusal(Cost(node=world.measure, fiscal_year=None, basis=Cost.Basis.PLAN))
    add_cost(world.measure, None, Cost.Basis.ACTUAL)  # another basis


def test_a_new_period_may_not_leave_a_cost_or_an_hourly_cost_outside(world: EveryTable) -> None:
    plan = world.plan
    late = add_cost(world.measure, 2013, project_cost=1)
    plan.last_year = 2012
    with pytest.raises(ValidationError, match="2013"):
        plan.full_clean()
    late.delete()
    plan.full_clean()  # a budget or an hourly cost may name 2013, the onwards year now
    rate = StaffRate.objects.create(plan=plan, fiscal_year=2014, hourly_cost=1)
    with pytest.raises(ValidationError, match="2014"):
        plan.full_clean()
    rate.delete()
    plan.last_year = 2013
    add_cost(world.measure, 2014, Cost.Basis.BUDGET)
    plan.full_clean()
    plan.onwards = False
    with pytest.raises(ValidationError, match="2014"):
        plan.full_clean()


def test_an_hourly_cost_names_a_year_a_target_may_name(world: EveryTable) -> None:
    with pytest.raises(ValidationError) as refused:
        StaffRate(plan=world.plan, fiscal_year=2015, hourly_cost=1).full_clean()
    assert "fiscal_year" in refused.value.message_dict


# ------------------------------------------------------------------ the services


def only_event() -> AuditEvent:
    [event] = AuditEvent.objects.all()
    return event


def test_the_services_record_each_cost_as_part_of_its_node(world: EveryTable, planner: User) -> None:
    AuditEvent.objects.all().delete()
    cost = services.cost_create(
        Cost(node=world.measure, fiscal_year=2012, basis=Cost.Basis.ACTUAL, general=1000, project_cost=1000),
        actor=planner,
    )
    event = only_event()
    assert (event.event_type, event.subject, event.part_of, event.actor) == (
        EventType.OBJECT_CREATED,
        cost,
        world.measure,
        planner,
    )
    assert event.changes["general"] == {"before": None, "after": 1000}
    assert cost.total_cost == 1000

    AuditEvent.objects.all().delete()
    services.cost_update(cost, data={"staff_cost": 300}, actor=planner)
    assert only_event().changes == {"staff_cost": {"before": None, "after": 300}}
    assert Cost.objects.get(pk=cost.pk).total_cost == 1300

    AuditEvent.objects.all().delete()
    with pytest.raises(ValidationError):
        services.cost_update(cost, data={"general": -5}, actor=planner)
    assert not AuditEvent.objects.exists() and Cost.objects.get(pk=cost.pk).general == 1000

    services.cost_delete(cost, actor=planner)
    assert (
        only_event().event_type == EventType.OBJECT_DELETED and not Cost.objects.filter(pk=cost.pk).exists()
    )


def test_an_update_without_b_prices_the_hours(world: EveryTable, planner: User) -> None:
    cost = services.cost_create(
        Cost(node=world.measure, fiscal_year=2011, basis=Cost.Basis.BUDGET, staff_hours=Decimal("10")),
        actor=planner,
    )
    assert Cost.objects.get(pk=cost.pk).staff_cost == 40000
    services.cost_update(cost, data={"staff_hours": Decimal("20"), "staff_cost": None}, actor=planner)
    stored = Cost.objects.get(pk=cost.pk)
    assert (stored.staff_cost, stored.total_cost) == (80000, 80000)


def test_an_hourly_cost_is_recorded_as_part_of_its_plan(world: EveryTable, planner: User) -> None:
    AuditEvent.objects.all().delete()
    rate = services.staff_rate_create(
        StaffRate(plan=world.plan, fiscal_year=2012, hourly_cost=4100), actor=planner
    )
    event = only_event()
    assert (event.subject, event.part_of, event.changes["hourly_cost"]) == (
        rate,
        world.plan,
        {"before": None, "after": 4100},
    )


# ------------------------------------------------------------------ the selectors


def test_a_nodes_costs_with_the_change_from_the_year_before(world: EveryTable) -> None:
    add_cost(world.measure, 2012, project_cost=4_000_000)
    add_cost(world.measure, None, Cost.Basis.PLAN, project_cost=9_000_000)
    add_cost(world.measure, 2013, Cost.Basis.BUDGET, project_cost=100)
    rows = node_costs(Node.objects.get(pk=world.measure.pk))
    assert [(row.cost.fiscal_year, row.cost.basis, row.change, row.change_rate) for row in rows] == [
        (None, "plan", None, None),
        (2011, "actual", None, None),
        (2012, "actual", 4_000_000 - 3_982_000, Decimal("0.5")),
        (2013, "budget", None, None),  # no budget the year before
    ]
    assert change_rate(0, 5) is None and change_rate(200, 150) == Decimal("-25.0")


def test_the_totals_are_the_sums_of_their_parts(world: EveryTable) -> None:
    second = make_node(world.measure_level, world.programme, title="第二の施策")
    other_area = make_node(world.area_level, title="別の分野")
    elsewhere = make_node(world.measure_level, make_node(world.programme_level, other_area), title="別の施策")
    add_cost(second, 2011, national=10, general=5, project_cost=15, staff_count=Decimal("0.25"))
    add_cost(second, 2012, general=7, project_cost=7)
    add_cost(elsewhere, 2011, project_cost=1_000_000_000)
    own = world.cost

    totals = {(total.fiscal_year, total.basis): total for total in cost_totals(world.programme)}
    assert set(totals) == {(2011, "actual"), (2012, "actual")}
    first = totals[(2011, "actual")]
    assert first.projects == 2
    assert first["national"] == own.national + 10
    assert first["general"] == own.general + 5
    assert first["prefectural"] is None  # none given: not 0
    assert first["staff_count"] == own.staff_count + Decimal("0.25")
    assert first["staff_cost"] == own.staff_cost
    assert first["total_cost"] == own.total_cost + 15 == first["project_cost"] + first["staff_cost"]
    assert totals[(2012, "actual")]["total_cost"] == 7
    # The plan area holds the programme's; the other area only its own.
    assert [(t.fiscal_year, t["total_cost"]) for t in cost_totals(world.area)] == [
        (2011, own.total_cost + 15),
        (2012, 7),
    ]
    by_node = cost_totals_by_node(world.plan, world.area_level)
    assert {node: [(t.fiscal_year, t["total_cost"]) for t in rows] for node, rows in by_node.items()} == {
        world.area.pk: [(2011, own.total_cost + 15), (2012, 7)],
        other_area.pk: [(2011, 1_000_000_000)],
    }


def test_the_cost_of_a_unit_of_an_indicator(world: EveryTable) -> None:
    # make_every_table: 80 done in 2011, at a total of 3,982,000 yen.
    assert unit_costs(world.indicator) == {2011: Decimal(49775)}
    add_cost(world.measure, 2012, project_cost=10)
    indicator = add_indicator(world.measure, "参加者数", "人", {2011: ("10", "0"), 2012: ("10", "3")})
    assert unit_costs(indicator) == {2011: None, 2012: Decimal(3)}
    assert cost_per_unit(None, Decimal(2)) is None and cost_per_unit(5, None) is None
