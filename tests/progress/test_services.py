"""The progress services: targets, results, ratings and indicator values are validated
by their models' rules and recorded as part of their node, result or indicator."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.progress import services
from shinchoku.progress.models import Rating, Result, Target
from tests.factories import EveryTable, make_scale

pytestmark = pytest.mark.django_db


def only_event() -> AuditEvent:
    [event] = AuditEvent.objects.all()
    return event


def test_a_target_revision_is_recorded_as_part_of_its_node(world: EveryTable, planner: User):
    services.target_update(
        world.target,
        data={"revised_text": "ルールの見直し", "revision_reason": "制度改正のため"},
        actor=planner,
    )

    event = only_event()
    assert (event.event_type, event.subject, event.part_of, event.actor) == (
        EventType.OBJECT_CHANGED,
        world.target,
        world.measure,
        planner,
    )
    assert event.changes == {
        "revised_text": {"before": "", "after": "ルールの見直し"},
        "revision_reason": {"before": "", "after": "制度改正のため"},
    }


def test_a_revision_without_its_reason_is_refused(world: EveryTable, planner: User):
    with pytest.raises(ValidationError) as refused:
        services.target_update(world.target, data={"revised_text": "ルールの見直し"}, actor=planner)

    assert "revision_reason" in refused.value.message_dict
    assert not AuditEvent.objects.exists()
    assert Target.objects.get(pk=world.target.pk).revised_text == ""


def test_a_target_outside_the_plan_period_is_refused(world: EveryTable, planner: User):
    target = Target(node=world.measure, start_year=2015, end_year=2015, text="事業推進")

    with pytest.raises(ValidationError) as refused:
        services.target_create(target, actor=planner)

    assert "start_year" in refused.value.message_dict
    assert world.measure.targets.count() == 1
    assert not AuditEvent.objects.exists()


def test_a_result_outside_the_plan_period_is_refused(world: EveryTable, planner: User):
    with pytest.raises(ValidationError):
        services.result_create(Result(node=world.measure, fiscal_year=2014, text="実施"), actor=planner)
    assert not AuditEvent.objects.exists()


def test_a_rating_is_recorded_as_part_of_its_result(world: EveryTable, planner: User):
    two = world.scale.levels.get(code="2")
    three = world.rating.level_id

    services.rating_update(world.rating, data={"level": two}, actor=planner)

    event = only_event()
    assert (event.subject, event.part_of) == (world.rating, world.result)
    assert event.changes == {"level": {"before": three, "after": two.pk}}


def test_a_rating_off_its_dimensions_scale_is_refused(world: EveryTable, planner: User):
    other = make_scale([("A", "拡充", False)], name="今後の方向性").levels.get()
    with pytest.raises(ValidationError):
        services.rating_update(world.rating, data={"level": other}, actor=planner)
    assert Rating.objects.get(pk=world.rating.pk).level.code == "3"
    assert not AuditEvent.objects.exists()


def test_a_value_written_otherwise_but_equal_is_no_change(world: EveryTable, planner: User):
    services.indicator_value_update(world.value, data={"actual": Decimal("80.00")}, actor=planner)
    assert not AuditEvent.objects.exists()

    services.indicator_value_update(world.value, data={"actual": Decimal("90.5")}, actor=planner)

    event = only_event()
    assert (event.subject, event.part_of) == (world.value, world.indicator)
    assert event.changes == {"actual": {"before": "80", "after": "90.5"}}


def test_a_result_deleted_goes_with_its_ratings_and_section_texts(world: EveryTable, planner: User):
    pk = world.result.pk

    services.result_delete(world.result, actor=planner)

    event = only_event()
    assert (event.event_type, event.subject_id, event.part_of) == (
        EventType.OBJECT_DELETED,
        pk,
        world.measure,
    )
    assert event.details["deleted_with"] == {"progress.Rating": 1, "progress.ResultSectionText": 1}
    assert event.changes["text"] == {"before": "協働型事業のルールを運用しました。", "after": None}
    assert not Rating.objects.filter(pk=world.rating.pk).exists()
