"""The history of an object as the admin shows it: its audit rows and its parts', and
each change as a person reads it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from shinchoku.audit.models import AuditEvent
from shinchoku.audit.selectors import audit_history_with_parts, history_rows
from shinchoku.audit.writes import json_value
from shinchoku.plans import services as plan_services
from shinchoku.progress import services as progress_services
from tests.factories import EveryTable

pytestmark = pytest.mark.django_db


def test_a_nodes_history_holds_its_parts_and_their_parts_deleted_ones_included(
    world: EveryTable, planner: User
):
    plan_services.node_update(world.measure, data={"summary": "概要"}, actor=planner)
    progress_services.target_update(world.target, data={"note": "注記"}, actor=planner)
    progress_services.rating_update(
        world.rating, data={"level": world.scale.levels.get(code="2")}, actor=planner
    )
    progress_services.result_delete(world.result, actor=planner)
    plan_services.node_update(world.programme, data={"summary": "別の概要"}, actor=planner)
    plan_services.level_update(world.measure_level, data={"name_en": "Measure area"}, actor=planner)

    found = [
        (event.subject_type.model, str(event.event_type)) for event in audit_history_with_parts(world.measure)
    ]

    assert found == [
        ("node", "object.changed"),
        ("target", "object.changed"),
        ("rating", "object.changed"),  # part of a result, itself part of the node
        ("result", "object.deleted"),
    ]
    assert [e.subject_type.model for e in audit_history_with_parts(world.plan)] == ["level"]


def test_history_rows_read_as_a_person_reads_them(world: EveryTable, planner: User):
    plan_services.node_unit_update(world.measure.unit_roles.get(), data={"role": "related"}, actor=planner)
    plan_services.level_update(world.area_level, data={"rated": True}, actor=planner)
    plan_services.node_update(world.project, data={"title": "事業", "parent": world.programme}, actor=planner)
    AuditEvent.objects.filter(subject_id=world.project.pk).update(actor=None, actor_name="")

    with translation.override("en"):
        role, level, node = history_rows(AuditEvent.objects.order_by("id"))

    assert [(c.label, c.before, c.after) for c in role.changes] == [
        ("Role", "responsible (所管)", "related (関係)")  # a choice by its label
    ]
    assert role.actor == "planner" and role.action == "changed"
    assert role.subject.startswith("Unit role ")
    assert [(c.label, c.before, c.after) for c in level.changes] == [("Rated", "No", "Yes")]
    # In the order of the form, a related row by its name; a change by no one is by the system.
    assert [(c.label, c.before, c.after) for c in node.changes] == [
        ("Parent", str(world.measure), str(world.programme)),
        ("Title", "協働型事業のルールの運用", "事業"),
    ]
    assert node.actor == "the system"


def test_a_row_gone_since_is_named_by_its_id(world: EveryTable, planner: User):
    unit, unit_pk = world.unit, world.unit.pk
    plan_services.node_unit_delete(world.measure.unit_roles.get(), actor=planner)
    plan_services.org_unit_delete(unit, actor=planner)

    role_row, unit_row = history_rows(AuditEvent.objects.order_by("id"))

    assert [(c.before, c.after) for c in role_row.changes if c.label in {"Unit", "組織"}] == [
        (f"#{unit_pk}", "")
    ]
    assert unit_row.changes[0].after == ""


@pytest.mark.parametrize(
    ("value", "kept"),
    [(Decimal("80.0000"), "80"), (Decimal("80.50"), "80.5"), (Decimal("1E+3"), "1000"), (3, 3), ("文", "文")],
)
def test_values_are_kept_in_one_form(value: object, kept: object):
    assert json_value(value) == kept
