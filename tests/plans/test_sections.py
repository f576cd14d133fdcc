"""Sections of text as data: the sections a level has (the plan's own, or the builtin six
on its rated levels when it defines none), where each section's text is kept, the rules
of a section and of a text, and the services that record them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shinchoku.accounts.models import Role
from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.plans import services
from shinchoku.plans.models import NodeSectionText, Section
from shinchoku.plans.sections import DEFAULT_SECTIONS, section_text, section_texts, sections_of
from shinchoku.progress.models import ResultSectionText
from tests.factories import EveryTable, add_result, make_node, make_staff, make_world

pytestmark = pytest.mark.django_db


def test_a_plan_without_sections_has_the_builtin_six_on_its_rated_levels() -> None:
    world = make_world()
    sections = sections_of(world.plan, world.measure_level)
    assert [(s.key, s.name, s.scope, s.builtin) for s in sections] == [
        ("summary", "概要", "node", "summary"),
        ("baseline", "現状", "node", "baseline"),
        ("text", "実施結果", "year", "text"),
        ("context_change", "環境等の変化・課題等", "year", "context_change"),
        ("response", "新たな課題等への対応", "year", "response"),
        ("highlight", "主な実施結果", "year", "highlight"),
    ]
    assert len(DEFAULT_SECTIONS) == 6 and all(s.pk is None for s in sections)
    assert sections_of(world.plan, world.programme_level) == []
    assert [s.key for s in sections_of(world.plan, world.measure_level, "year")] == [
        "text",
        "context_change",
        "response",
        "highlight",
    ]


def test_a_plan_with_sections_has_its_own_only(world: EveryTable) -> None:
    assert [s.key for s in sections_of(world.plan, world.measure_level)] == [
        "purpose",
        "target-group",
        "result",
        "issues",
    ]
    assert sections_of(world.plan, world.programme_level) == []


def test_a_sections_text_is_read_where_it_is_kept(world: EveryTable) -> None:
    world.measure.summary = "協働型事業の拡充を進めます。"
    node_sections = sections_of(world.plan, world.measure_level, "node")
    assert section_texts(world.measure, node_sections) == [
        (world.sections["purpose"], "協働型事業の拡充を進めます。"),
        (world.sections["target-group"], "市民活動団体"),
    ]
    year_sections = sections_of(world.plan, world.measure_level, "year")
    assert [text for _section, text in section_texts(world.result, year_sections)] == [
        "協働型事業のルールを運用しました。",
        "周知の不足",
    ]
    other_result = add_result(world.measure, 2012, "結果")
    assert section_text(other_result, world.sections["issues"]) == ""
    defaults = sections_of(make_world().plan, world.measure_level)
    assert section_text(world.result, defaults[2]) == "協働型事業のルールを運用しました。"


def section(world: EveryTable, **fields: object) -> Section:
    values: dict[str, object] = {
        "plan": world.plan,
        "level": world.measure_level,
        "key": "extra",
        "name": "追加",
    }
    return Section(**{**values, **fields})


def refusal(row: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        row.full_clean()  # type: ignore[attr-defined]
    return refused.value.message_dict


def test_a_section_of_each_year_needs_a_rated_level(world: EveryTable) -> None:
    assert "scope" in refusal(section(world, level=world.programme_level, scope="year"))
    section(world, level=world.programme_level, scope="node").full_clean()


def test_a_builtin_section_is_about_what_its_field_is_about(world: EveryTable) -> None:
    assert "builtin" in refusal(section(world, scope="node", builtin="highlight"))
    assert "builtin" in refusal(section(world, scope="year", builtin="baseline"))
    with pytest.raises(IntegrityError), transaction.atomic():
        section(world, scope="year", builtin="baseline").save()


def test_a_level_keeps_each_field_in_one_section_and_each_key_once(world: EveryTable) -> None:
    assert refusal(section(world, builtin="summary"))  # 'purpose' is kept in summary
    assert refusal(section(world, key="issues", scope="year"))
    with pytest.raises(IntegrityError), transaction.atomic():
        section(world, builtin="summary").save()


def test_a_sections_level_belongs_to_its_plan(world: EveryTable) -> None:
    other = make_world()
    assert "level" in refusal(section(world, level=other.measure_level))


def test_a_text_is_of_a_section_of_its_own_of_the_level_and_scope(world: EveryTable) -> None:
    sections = world.sections
    measure, result = world.measure, world.result
    assert "section" in refusal(NodeSectionText(node=measure, section=sections["issues"], text="x"))
    assert "section" in refusal(NodeSectionText(node=measure, section=sections["purpose"], text="x"))
    assert "section" in refusal(ResultSectionText(result=result, section=sections["target-group"], text="x"))
    assert "section" in refusal(ResultSectionText(result=result, section=sections["result"], text="x"))
    programme_section = Section.objects.create(
        plan=world.plan, level=world.programme_level, key="scope", name="範囲"
    )
    assert "section" in refusal(NodeSectionText(node=measure, section=programme_section, text="x"))
    NodeSectionText(node=world.programme, section=programme_section, text="x").full_clean()


def test_a_text_is_never_empty(world: EveryTable) -> None:
    node = make_node(world.measure_level, world.programme, title="別の施策")
    assert "text" in refusal(NodeSectionText(node=node, section=world.sections["target-group"], text=" "))
    with pytest.raises(IntegrityError), transaction.atomic():
        NodeSectionText.objects.filter(pk=world.node_text.pk).update(text="")


def test_a_section_with_texts_is_not_deleted(world: EveryTable) -> None:
    from django.db.models import RestrictedError

    with pytest.raises(RestrictedError):
        world.sections["target-group"].delete()


@pytest.fixture
def planner() -> User:
    return make_staff(Role.ADMINISTRATOR, username="planner")


def test_the_services_record_sections_and_texts(world: EveryTable, planner: User) -> None:
    AuditEvent.objects.all().delete()
    created = services.section_create(section(world, key="means", name="手段"), actor=planner)
    [event] = AuditEvent.objects.all()
    assert (event.event_type, event.part_of, event.changes["name"]) == (
        EventType.OBJECT_CREATED,
        world.plan,
        {"before": None, "after": "手段"},
    )
    AuditEvent.objects.all().delete()
    services.node_section_text_update(world.node_text, data={"text": "町内会"}, actor=planner)
    [event] = AuditEvent.objects.all()
    assert (event.part_of, event.changes) == (
        world.measure,
        {"text": {"before": "市民活動団体", "after": "町内会"}},
    )
    AuditEvent.objects.all().delete()
    with pytest.raises(ValidationError):
        services.section_update(created, data={"scope": "year", "builtin": "summary"}, actor=planner)
    assert not AuditEvent.objects.exists()
