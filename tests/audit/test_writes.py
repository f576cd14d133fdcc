"""The services that ``row_services`` makes for the plan, progress and staff-role rows:
each change recorded as a part of the object the model's services name (so that its
history lists it), each write undone when its audit row cannot be written."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from shinchoku.accounts import services as account_services
from shinchoku.accounts.models import Role, StaffRole
from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.audit.writes import row_services
from shinchoku.plans import services as plan_services
from shinchoku.plans.models import Level
from shinchoku.progress import services as progress_services
from tests.factories import EveryTable

pytestmark = pytest.mark.django_db

World = Callable[[EveryTable], Any]

#: Per model: its update service, a row of the world, a change to it, and the object the
#: change is recorded as a part of (None: the row stands on its own).
PARTS: list[tuple[str, Callable[..., models.Model], World, dict[str, Any], World]] = [
    ("plan", plan_services.plan_update, lambda w: w.plan, {"note": "注記"}, lambda w: None),
    ("level", plan_services.level_update, lambda w: w.area_level, {"name_en": "Area"}, lambda w: w.plan),
    ("marker", plan_services.marker_update, lambda w: w.priority, {"note": "注記"}, lambda w: w.plan),
    ("dimension", plan_services.dimension_update, lambda w: w.dimension, {"name_en": "D"}, lambda w: w.plan),
    ("scale", plan_services.scale_update, lambda w: w.scale, {"description": "説明"}, lambda w: None),
    (
        "scale level",
        plan_services.scale_level_update,
        lambda w: w.scale.levels.get(code="1"),
        {"label_en": "Achieved"},
        lambda w: w.scale,
    ),
    ("unit", plan_services.org_unit_update, lambda w: w.unit, {"name": "総務課"}, lambda w: None),
    (
        "unit role",
        plan_services.node_unit_update,
        lambda w: w.measure.unit_roles.get(),
        {"role": "related"},
        lambda w: w.measure,
    ),
    ("target", progress_services.target_update, lambda w: w.target, {"note": "注記"}, lambda w: w.measure),
    ("result", progress_services.result_update, lambda w: w.result, {"note": "注記"}, lambda w: w.measure),
    (
        "rating",
        progress_services.rating_update,
        lambda w: w.rating,
        {"level": None},  # set in the test: another level of the scale
        lambda w: w.result,
    ),
    (
        "indicator",
        progress_services.indicator_update,
        lambda w: w.indicator,
        {"name": "参加者数の推移"},
        lambda w: w.measure,
    ),
    (
        "indicator value",
        progress_services.indicator_value_update,
        lambda w: w.value,
        {"actual": Decimal("12")},
        lambda w: w.indicator,
    ),
]


def change_for(world: EveryTable, row: models.Model, data: dict[str, Any]) -> dict[str, Any]:
    if "level" in data:  # a rating moves to another level of its scale
        return {"level": world.scale.levels.exclude(pk=row.level_id).first()}  # type: ignore[attr-defined]
    return data


@pytest.mark.parametrize(
    ("update", "row_of", "data", "whole_of"), [part[1:] for part in PARTS], ids=[p[0] for p in PARTS]
)
def test_each_change_is_recorded_as_part_of_its_whole(
    world: EveryTable,
    planner: User,
    update: Callable[..., models.Model],
    row_of: World,
    data: dict[str, Any],
    whole_of: World,
):
    row = row_of(world)

    update(row, data=change_for(world, row, data), actor=planner)

    [event] = AuditEvent.objects.all()
    assert (event.event_type, event.subject, event.part_of, event.actor) == (
        EventType.OBJECT_CHANGED,
        row,
        whole_of(world),
        planner,
    )


@pytest.mark.parametrize(
    ("update", "row_of", "data"), [part[1:4] for part in PARTS], ids=[p[0] for p in PARTS]
)
def test_a_change_whose_audit_row_fails_is_not_kept(
    world: EveryTable, planner: User, update: Callable[..., models.Model], row_of: World, data: dict[str, Any]
):
    row = row_of(world)
    stored = type(row)._default_manager.get(pk=row.pk)
    change = change_for(world, row, data)

    failing = mock.patch("shinchoku.audit.writes.audit_record", side_effect=RuntimeError("no audit"))
    with failing, pytest.raises(RuntimeError):
        update(row, data=change, actor=planner)

    again = type(row)._default_manager.get(pk=row.pk)
    assert [getattr(again, name) for name in change] == [getattr(stored, name) for name in change]


def test_a_staff_role_is_granted_changed_and_revoked_on_the_record(world: EveryTable, planner: User):
    person = User.objects.create_user("editor")

    role = account_services.staff_role_grant(
        StaffRole(user=person, role=Role.EDITOR, unit=world.unit), actor=planner
    )
    account_services.staff_role_update(role, data={"role": Role.REVIEWER, "unit": None}, actor=planner)
    role_id = role.pk
    account_services.staff_role_revoke(role, actor=planner)

    events = AuditEvent.objects.order_by("id")
    assert [(event.event_type, event.subject_id, event.part_of) for event in events] == [
        (EventType.OBJECT_CREATED, role_id, None),
        (EventType.OBJECT_CHANGED, role_id, None),
        (EventType.OBJECT_DELETED, role_id, None),
    ]
    assert events[1].changes["role"] == {"before": "editor", "after": "reviewer"}
    assert not StaffRole.objects.exists()


def test_the_whole_must_be_a_field_of_the_model():
    with pytest.raises(FieldDoesNotExist):
        row_services(Level, part_of="plan_area")
