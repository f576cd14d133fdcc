"""The plan services: each write validates, saves what changed, and records one audit
row as the person who made it, before → after; a refused write records nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import RestrictedError
from django.test.utils import CaptureQueriesContext

from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.plans import services
from shinchoku.plans.models import Level, Node, NodeUnit
from tests.factories import EveryTable, make_node, make_plan, make_unit

pytestmark = pytest.mark.django_db


def only_event() -> AuditEvent:
    [event] = AuditEvent.objects.all()
    return event


def updates(queries: CaptureQueriesContext) -> list[str]:
    """The updates of the plan's own rows (not of what is derived from them, such as the
    data version)."""
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("UPDATE")
        and not query["sql"].startswith(('UPDATE "published_', 'UPDATE "search_'))
    ]


def test_a_node_update_records_what_changed_as_the_person(world: EveryTable, planner: User):
    with CaptureQueriesContext(connection) as queries:
        services.node_update(world.measure, data={"title": "協働型事業の拡充", "position": 3}, actor=planner)

    event = only_event()
    assert (event.event_type, event.subject, event.actor, event.actor_name) == (
        EventType.OBJECT_CHANGED,
        world.measure,
        planner,
        "planner",
    )
    assert event.changes == {
        "position": {"before": 0, "after": 3},
        "title": {"before": "協働型事業の推進", "after": "協働型事業の拡充"},
    }
    assert event.part_of is None
    assert event.details == {"object": f"{world.measure.code} 協働型事業の拡充"}
    # Only the changed columns are written.
    [update] = updates(queries)
    assert '"title"' in update and '"position"' in update
    assert '"summary"' not in update and '"path"' not in update
    world.measure.refresh_from_db()
    assert (world.measure.title, world.measure.position) == ("協働型事業の拡充", 3)


def test_a_node_update_that_changes_nothing_writes_nothing(world: EveryTable, planner: User):
    with CaptureQueriesContext(connection) as queries:
        services.node_update(world.measure, data={"title": "協働型事業の推進"}, actor=planner)

    assert updates(queries) == []
    assert not AuditEvent.objects.exists()


def test_a_node_moved_by_update_moves_its_subtree(world: EveryTable, planner: User):
    other = make_node(world.programme_level, world.area, title="区役所機能の拡充")

    services.node_update(world.measure, data={"parent": other}, actor=planner)

    world.project.refresh_from_db()
    assert world.project.path == f"{other.path}{world.measure.pk}/{world.project.pk}/"
    assert only_event().changes == {"parent": {"before": world.programme.pk, "after": other.pk}}


def test_a_refused_node_update_changes_and_records_nothing(world: EveryTable, planner: User):
    with pytest.raises(ValidationError) as refused:
        services.node_update(world.measure, data={"parent": world.project}, actor=planner)

    assert "parent" in refused.value.message_dict
    assert not AuditEvent.objects.exists()
    world.measure.refresh_from_db()
    assert world.measure.parent == world.programme


def test_a_node_update_changes_its_markers(world: EveryTable, planner: User):
    services.node_update(world.measure, data={"markers": [world.priority, world.circle]}, actor=planner)

    assert set(world.measure.markers.all()) == {world.circle, world.priority}
    assert only_event().changes == {
        "markers": {"before": [world.circle.pk], "after": sorted([world.circle.pk, world.priority.pk])}
    }


def test_a_node_bears_only_its_own_plans_markers(world: EveryTable, planner: User):
    stranger = make_plan().markers.create(symbol="◎", name="重点")
    node = Node(plan=world.plan, level=world.measure_level, parent=world.programme, code="new", title="新規")

    with pytest.raises(ValidationError) as refused:
        services.node_create(node, actor=planner, markers=[stranger])
    assert "markers" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.node_update(world.measure, data={"markers": [stranger]}, actor=planner)

    assert not Node.objects.filter(code="new").exists()
    assert list(world.measure.markers.all()) == [world.circle]
    assert not AuditEvent.objects.exists()


def test_a_node_create_records_its_values_and_gets_its_path(world: EveryTable, planner: User):
    node = Node(plan=world.plan, level=world.measure_level, parent=world.programme, code="new", title="新規")

    services.node_create(node, actor=planner, markers=[world.circle])

    assert node.path == f"{world.programme.path}{node.pk}/"
    event = only_event()
    assert (event.event_type, event.subject) == (EventType.OBJECT_CREATED, node)
    assert event.changes["code"] == {"before": None, "after": "new"}
    assert event.changes["markers"] == {"before": None, "after": [world.circle.pk]}
    assert "summary" not in event.changes  # empty values are not listed
    assert "path" not in event.changes  # kept by node_save, not edited


def test_a_node_delete_records_its_values_and_what_went_with_it(world: EveryTable, planner: User):
    pk = world.programme.pk

    services.node_delete(world.programme, actor=planner)

    event = only_event()
    assert (event.event_type, event.subject_id, event.actor) == (EventType.OBJECT_DELETED, pk, planner)
    assert event.changes["title"] == {"before": "協働のまちづくりの推進", "after": None}
    assert event.details["deleted_with"]["plans.Node"] == 2  # the measure and its project
    assert event.details["deleted_with"]["progress.Target"] == 1
    assert "plans.Node_markers" not in event.details["deleted_with"]


def test_a_unit_role_is_recorded_as_part_of_its_node(world: EveryTable, planner: User):
    role = services.node_unit_create(
        NodeUnit(node=world.area, unit=make_unit(name="総務課"), role=NodeUnit.Role.RELATED), actor=planner
    )

    event = only_event()
    assert (event.subject, event.part_of) == (role, world.area)
    assert event.changes["role"] == {"before": None, "after": "related"}


def test_a_level_that_nodes_stand_on_cannot_be_deleted(world: EveryTable, planner: User):
    with pytest.raises(RestrictedError):
        services.level_delete(world.project_level, actor=planner)

    assert Level.objects.filter(pk=world.project_level.pk).exists()
    assert not AuditEvent.objects.exists()


def test_a_plan_period_that_would_leave_results_outside_is_refused(world: EveryTable, planner: User):
    with pytest.raises(ValidationError, match="2011"):
        services.plan_update(world.plan, data={"first_year": 2012}, actor=planner)

    assert not AuditEvent.objects.exists()


def test_a_level_change_is_recorded_as_part_of_its_plan(world: EveryTable, planner: User):
    services.level_update(world.area_level, data={"name_en": "Plan area"}, actor=planner)

    event = only_event()
    assert (event.subject, event.part_of) == (world.area_level, world.plan)
    assert event.changes == {"name_en": {"before": "", "after": "Plan area"}}


def test_a_field_that_cannot_be_edited_is_a_programming_error(world: EveryTable, planner: User):
    with pytest.raises(ValueError, match="path"):
        services.node_update(world.measure, data={"path": "/1/"}, actor=planner)
    assert not AuditEvent.objects.exists()


def test_node_save_keeps_its_call_shape_for_the_plan_writers(world: EveryTable):
    world.measure.title = "協働型事業の拡充"
    services.node_save(world.measure)  # the writers record their import as a whole

    world.measure.refresh_from_db()
    assert world.measure.title == "協働型事業の拡充"
    assert not AuditEvent.objects.exists()
