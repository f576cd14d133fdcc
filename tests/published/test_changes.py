"""Every write of published data raises the data version of its plan and of the site, in
the transaction that writes it, and only of what it wrote (``shinchoku.published.changes``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinchoku.accounts.models import Role
from shinchoku.plans import services as plan_services
from shinchoku.plans.models import Plan, ScaleLevel
from shinchoku.published import changes
from shinchoku.published.models import DataVersion
from tests.factories import add_result, add_target, make_node, make_staff, make_world

pytestmark = pytest.mark.django_db


def version(plan: Plan | None) -> int | None:
    row = DataVersion.objects.filter(plan=plan).first()
    return row.version if row else None


@pytest.fixture
def two_plans() -> tuple[Any, Any]:
    return make_world(code="plan-a"), make_world(code="plan-b")


def test_a_saved_row_raises_its_plan_and_the_site_not_another_plan(two_plans: tuple[Any, Any]) -> None:
    one, other = two_plans
    area = make_node(one.area_level)
    before = (version(one.plan), version(other.plan), version(None))
    assert None not in before

    add_target(area, 2011, 2013, "目標")

    assert version(one.plan) > before[0]
    assert version(other.plan) == before[1]
    assert version(None) > before[2]


def test_each_kind_of_row_finds_its_plan(two_plans: tuple[Any, Any]) -> None:
    one, other = two_plans
    measure = make_node(one.measure_level, make_node(one.programme_level, make_node(one.area_level)))
    result = add_result(measure, 2012, "実施した。", rating=None)
    before_other = version(other.plan)
    for write in (
        lambda: add_result(measure, 2013, "実施した。"),  # a result and its rating
        lambda: result.save(),
        lambda: measure.markers.add(one.circle),
    ):
        before = version(one.plan)
        write()
        assert version(one.plan) > before
    assert version(other.plan) == before_other


def test_a_batch_answers_once_at_its_end(two_plans: tuple[Any, Any]) -> None:
    one, _ = two_plans
    measure = make_node(one.measure_level, make_node(one.programme_level, make_node(one.area_level)))
    with CaptureQueriesContext(connection) as queries, changes.batch():
        for year in (2011, 2012, 2013):
            add_result(measure, year, "実施した。")
        raised_inside = [q for q in queries.captured_queries if 'UPDATE "published_dataversion"' in q["sql"]]
    raised = [q for q in queries.captured_queries if 'UPDATE "published_dataversion"' in q["sql"]]
    assert raised_inside == []
    assert len(raised) == 2  # the plan's and the site's


def test_a_batch_left_by_an_error_answers_nothing(two_plans: tuple[Any, Any]) -> None:
    one, _ = two_plans
    area = make_node(one.area_level)
    before = version(one.plan)
    with CaptureQueriesContext(connection) as queries, pytest.raises(RuntimeError), changes.batch():
        area.title = "変えた"
        area.save()
        raise RuntimeError("stop")
    assert not [q for q in queries.captured_queries if "published_dataversion" in q["sql"]]
    assert version(one.plan) == before


def test_a_version_is_never_lowered(two_plans: tuple[Any, Any]) -> None:
    """A database restored with versions from the future (a clock set back) still goes up."""
    one, _ = two_plans
    far = 10**17
    DataVersion.objects.filter(plan=one.plan).update(version=far)
    make_node(one.area_level)
    assert version(one.plan) > far


def test_a_deleted_node_raises_its_plan_through_the_service(two_plans: tuple[Any, Any]) -> None:
    one, _ = two_plans
    area = make_node(one.area_level)
    planner = make_staff(Role.ADMINISTRATOR)
    before = version(one.plan)
    plan_services.node_delete(area, actor=planner)
    assert version(one.plan) > before


def test_a_deleted_plan_leaves_no_version_and_raises_the_site(two_plans: tuple[Any, Any]) -> None:
    one, other = two_plans
    planner = make_staff(Role.ADMINISTRATOR)
    site, kept, plan_id = version(None), version(other.plan), one.plan.pk
    plan_services.plan_delete(one.plan, actor=planner)
    assert not DataVersion.objects.filter(plan_id=plan_id).exists()
    assert version(None) > site
    assert version(other.plan) == kept


def test_the_shared_vocabulary_raises_every_plan(two_plans: tuple[Any, Any]) -> None:
    one, other = two_plans
    before = (version(one.plan), version(other.plan))
    level = ScaleLevel.objects.filter(scale=one.scale).first()
    assert level is not None
    level.label = "目標をほぼ達成した"
    level.save()
    assert version(one.plan) > before[0]
    assert version(other.plan) > before[1]


def test_rebuild_and_migrate_derive_the_plans(two_plans: tuple[Any, Any]) -> None:
    one, other = two_plans
    before = version(other.plan)
    assert changes.rebuild() == 2
    assert version(other.plan) > before
    DataVersion.objects.filter(plan=one.plan).delete()
    changes.derive_missing()
    assert version(one.plan) is not None
