"""Every kind of row the admin writes — the plan and its levels, markers, dimensions,
sections and hourly staff costs, scales and their levels, organisation units, nodes and
their unit roles, section texts and costs, targets, results and their ratings and
section texts, indicators and their values, staff roles — is changed and
deleted here through the admin pages as a person would, and each write leaves one audit
row as that person with the field before → after, shown on the history page that lists
it (the node's for a node's parts). A page or inline that wrote past its service would
record nothing and fail here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shinchoku.accounts.models import Role, StaffRole
from shinchoku.audit.audited_admin import AuditedModelAdmin
from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.plans.models import (
    Dimension,
    Level,
    Marker,
    Node,
    NodeSectionText,
    NodeUnit,
    OrgUnit,
    Plan,
    Scale,
    ScaleLevel,
    Section,
)
from shinchoku.progress.models import (
    Cost,
    Indicator,
    IndicatorValue,
    Rating,
    Result,
    ResultSectionText,
    StaffRate,
    Target,
)
from tests.factories import EveryTable, make_dimension, make_plan, make_scale, make_staff, make_unit

from .formdata import PageData, page_data

Pick = Callable[[EveryTable], Model]


def admin_url(obj: Model, view: str) -> str:
    with translation.override("en"):
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


def history(client: Client, obj: Model) -> str:
    response = client.get(admin_url(obj, "history"))
    assert response.status_code == 200
    return response.content.decode()


def inline_index(data: PageData, prefix: str, row: Model) -> int:
    """The index of ``row`` among the inline rows ``prefix`` of a page's data."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    found = [i for i in range(total) if str(data.get(f"{prefix}-{i}-id")) == str(row.pk)]
    assert len(found) == 1, f"{row} is not a row of the inline {prefix}"
    return found[0]


def recorded(subject: Model, event_type: EventType) -> AuditEvent:
    """The one audit row there is, checked to be ``event_type`` of ``subject``."""
    [event] = AuditEvent.objects.all()
    assert (event.event_type, event.subject_type.model_class(), event.subject_id) == (
        event_type,
        type(subject),
        subject.pk,
    )
    return event


# Changes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A field changed on the page of ``page`` (an inline row's field when ``inline``
    names the inline), and the history page of ``shown_on`` that lists the change."""

    subject: Pick
    page: Pick
    field: str
    after: Any
    before: Callable[[EveryTable], Any]
    shown_on: Pick
    #: The field's name on the history page, in English, which lists "<label>: <before> → <after>".
    label: str = ""
    #: The line of the history page, when it names the values otherwise (a related row by its name).
    line: Callable[[EveryTable], str] | None = None
    inline: str = ""
    #: What the form posts for ``after`` (a row's id for a related row), if not ``after``.
    posted: Callable[[EveryTable], Any] | None = None

    def history_line(self, world: EveryTable) -> str:
        if self.line is not None:
            return self.line(world)
        return f"{self.label}: {shown(self.before(world))} → {shown(self.after)}"


def shown(value: Any) -> str:
    """A value as the history page writes it."""
    return "—" if value in ("", None) else str(value)


def other_level(world: EveryTable) -> ScaleLevel:
    return world.scale.levels.get(code="2")


CHANGES: dict[type[Model], Change] = {
    Plan: Change(
        subject=lambda w: w.plan,
        page=lambda w: w.plan,
        field="title",
        after="新しい実行計画",
        before=lambda w: w.plan.title,
        label="Title",
        shown_on=lambda w: w.plan,
    ),
    Level: Change(
        subject=lambda w: w.programme_level,
        page=lambda w: w.plan,
        inline="levels",
        field="name",
        after="政策",
        before=lambda w: "アクションプログラム",
        label="Name",
        shown_on=lambda w: w.plan,
    ),
    Marker: Change(
        subject=lambda w: w.priority,
        page=lambda w: w.plan,
        inline="markers",
        field="meaning",
        after="特に力を入れる施策",
        before=lambda w: "重点的に取り組む施策",
        label="Meaning",
        shown_on=lambda w: w.plan,
    ),
    Dimension: Change(
        subject=lambda w: w.dimension,
        page=lambda w: w.plan,
        inline="dimensions",
        field="name",
        after="達成度",
        before=lambda w: "達成状況区分",
        label="Name",
        shown_on=lambda w: w.plan,
    ),
    Scale: Change(
        subject=lambda w: w.scale,
        page=lambda w: w.scale,
        field="name",
        after="達成度",
        before=lambda w: "達成状況区分",
        label="Name",
        shown_on=lambda w: w.scale,
    ),
    ScaleLevel: Change(
        subject=lambda w: w.ratings["1"],
        page=lambda w: w.scale,
        inline="levels",
        field="label",
        after="目標を大幅に上回った",
        before=lambda w: "目標を大きく上回って達成",
        label="Label",
        shown_on=lambda w: w.scale,
    ),
    OrgUnit: Change(
        subject=lambda w: w.unit,
        page=lambda w: w.unit,
        field="name",
        after="総務課",
        before=lambda w: w.unit.name,
        label="Name",
        shown_on=lambda w: w.unit,
    ),
    Node: Change(
        subject=lambda w: w.measure,
        page=lambda w: w.measure,
        field="baseline",
        after="説明会を年2回開催",
        before=lambda w: "",
        label="Baseline (現状)",
        shown_on=lambda w: w.measure,
    ),
    NodeUnit: Change(
        subject=lambda w: w.measure.unit_roles.get(),
        page=lambda w: w.measure,
        inline="unit_roles",
        field="role",
        after="related",
        before=lambda w: "responsible",
        line=lambda w: "Role: responsible (所管) → related (関係)",
        shown_on=lambda w: w.measure,
    ),
    Target: Change(
        subject=lambda w: w.target,
        page=lambda w: w.measure,
        inline="targets",
        field="text",
        after="ルールの運用と見直し",
        before=lambda w: "ルールの運用",
        label="Target as planned",
        shown_on=lambda w: w.measure,
    ),
    Result: Change(
        subject=lambda w: w.result,
        page=lambda w: w.result,
        field="highlight",
        after="ルールを運用",
        before=lambda w: "",
        label="Highlight (主な実施結果)",
        shown_on=lambda w: w.measure,
    ),
    Rating: Change(
        subject=lambda w: w.rating,
        page=lambda w: w.result,
        inline="ratings",
        field="level",
        after=None,  # the other level's id, set by ``posted``
        posted=lambda w: other_level(w).pk,
        before=lambda w: w.rating.level_id,
        line=lambda w: f"Rating: {w.rating.level} → {other_level(w)}",
        shown_on=lambda w: w.measure,
    ),
    Indicator: Change(
        subject=lambda w: w.indicator,
        page=lambda w: w.indicator,
        field="name",
        after="協働型事業の数",
        before=lambda w: "協働型事業の件数",
        label="Name",
        shown_on=lambda w: w.measure,
    ),
    IndicatorValue: Change(
        subject=lambda w: w.value,
        page=lambda w: w.indicator,
        inline="values",
        field="target",
        after="120",
        before=lambda w: "100",
        label="Target value",
        shown_on=lambda w: w.measure,
    ),
    Section: Change(
        subject=lambda w: w.sections["issues"],
        page=lambda w: w.plan,
        inline="sections",
        field="name",
        after="今後の課題",
        before=lambda w: "課題",
        label="Name",
        shown_on=lambda w: w.plan,
    ),
    StaffRate: Change(
        subject=lambda w: w.staff_rate,
        page=lambda w: w.plan,
        inline="staff_rates",
        field="hourly_cost",
        after=4100,
        before=lambda w: 4000,
        label="Hourly staff cost (yen)",
        shown_on=lambda w: w.plan,
    ),
    NodeSectionText: Change(
        subject=lambda w: w.node_text,
        page=lambda w: w.measure,
        inline="section_texts",
        field="text",
        after="市民活動団体と町内会",
        before=lambda w: "市民活動団体",
        label="Text",
        shown_on=lambda w: w.measure,
    ),
    Cost: Change(
        subject=lambda w: w.cost,
        page=lambda w: w.measure,
        inline="costs",
        field="general",
        after=3_000_000,
        before=lambda w: 2_500_000,
        label="General funds (一般財源)",
        shown_on=lambda w: w.measure,
    ),
    ResultSectionText: Change(
        subject=lambda w: w.result_text,
        page=lambda w: w.result,
        inline="section_texts",
        field="text",
        after="周知の不足と担い手の不足",
        before=lambda w: "周知の不足",
        label="Text",
        shown_on=lambda w: w.measure,
    ),
}


@pytest.mark.parametrize(
    ("model", "case"), CHANGES.items(), ids=[model._meta.model_name for model in CHANGES]
)
def test_a_change_in_the_admin_is_recorded_before_and_after(
    admin_client: Client, admin_user: User, world: EveryTable, model: type[Model], case: Change
) -> None:
    subject, page = case.subject(world), case.page(world)
    assert type(subject) is model
    before = case.before(world)
    line = case.history_line(world)
    url = admin_url(page, "change")
    data = page_data(admin_client, url)
    name = (
        f"{case.inline}-{inline_index(data, case.inline, subject)}-{case.field}"
        if case.inline
        else case.field
    )
    posted = case.posted(world) if case.posted else case.after
    data[name] = posted

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    event = recorded(subject, EventType.OBJECT_CHANGED)
    assert (event.actor, event.actor_name) == (admin_user, admin_user.username)
    assert event.changes == {case.field: {"before": before, "after": posted}}
    page_text = history(admin_client, case.shown_on(world))
    assert line in page_text
    assert f"changed: {type(subject)._meta.verbose_name.capitalize()}" in page_text


# Deletions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Deletion:
    """A row deleted on its own delete page, or, when ``inline`` names the inline, ticked
    for deletion on the page of ``page``; ``field`` is one of its fields, recorded as it
    was. ``shown_on``: the history page that lists the deletion (none when that object
    went with it)."""

    subject: Pick
    field: str
    before: Callable[[Model], Any]
    #: The field's name on the history page, in English, which lists "<label>: <before> → —".
    label: str = ""
    #: The line of the history page, when it names the value otherwise (a related row by its name).
    line: Callable[[Model], str] | None = None
    shown_on: Pick | None = None
    page: Pick | None = None
    inline: str = ""

    def history_line(self, row: Model) -> str:
        if self.line is not None:
            return self.line(row)
        return f"{self.label}: {shown(self.before(row))} → —"


def spare_level(world: EveryTable) -> Level:
    return Level.objects.create(plan=world.plan, depth=9, key="extra", name="補助階層")


def spare_section(world: EveryTable) -> Section:
    return Section.objects.create(
        plan=world.plan, level=world.measure_level, key="spare", name="予備", position=9
    )


def spare_dimension(world: EveryTable) -> Dimension:
    return make_dimension(world.plan, world.programme_level, world.scale, name="進捗", primary=False)


DELETIONS: dict[type[Model], Deletion] = {
    Plan: Deletion(
        subject=lambda w: make_plan(),
        field="title",
        before=lambda row: row.title,
    ),
    Level: Deletion(
        subject=spare_level,
        page=lambda w: w.plan,
        inline="levels",
        field="name",
        before=lambda row: "補助階層",
        label="Name",
        shown_on=lambda w: w.plan,
    ),
    Marker: Deletion(
        subject=lambda w: w.priority,
        page=lambda w: w.plan,
        inline="markers",
        field="symbol",
        before=lambda row: "重点",
        label="Symbol",
        shown_on=lambda w: w.plan,
    ),
    Dimension: Deletion(
        subject=spare_dimension,
        page=lambda w: w.plan,
        inline="dimensions",
        field="name",
        before=lambda row: "進捗",
        label="Name",
        shown_on=lambda w: w.plan,
    ),
    Scale: Deletion(
        subject=lambda w: make_scale(name="満足度"),
        field="name",
        before=lambda row: "満足度",
    ),
    ScaleLevel: Deletion(
        subject=lambda w: w.ratings["5"],
        page=lambda w: w.scale,
        inline="levels",
        field="label",
        before=lambda row: "目標を大きく下回った",
        label="Label",
        shown_on=lambda w: w.scale,
    ),
    OrgUnit: Deletion(
        subject=lambda w: make_unit(name="廃止された課"),
        field="name",
        before=lambda row: "廃止された課",
    ),
    Node: Deletion(
        subject=lambda w: w.project,
        field="title",
        before=lambda row: "協働型事業のルールの運用",
    ),
    NodeUnit: Deletion(
        subject=lambda w: w.measure.unit_roles.get(),
        page=lambda w: w.measure,
        inline="unit_roles",
        field="unit",
        before=lambda row: row.unit_id,
        line=lambda row: f"Unit: {row.unit} → —",
        shown_on=lambda w: w.measure,
    ),
    Target: Deletion(
        subject=lambda w: w.target,
        page=lambda w: w.measure,
        inline="targets",
        field="text",
        before=lambda row: "ルールの運用",
        label="Target as planned",
        shown_on=lambda w: w.measure,
    ),
    Result: Deletion(
        subject=lambda w: w.result,
        field="text",
        before=lambda row: "協働型事業のルールを運用しました。",
        label="Result (実施結果)",
        shown_on=lambda w: w.measure,
    ),
    Rating: Deletion(
        subject=lambda w: w.rating,
        page=lambda w: w.result,
        inline="ratings",
        field="level",
        before=lambda row: row.level_id,
        line=lambda row: f"Rating: {row.level} → —",
        shown_on=lambda w: w.measure,
    ),
    Indicator: Deletion(
        subject=lambda w: w.indicator,
        field="name",
        before=lambda row: "協働型事業の件数",
        label="Name",
        shown_on=lambda w: w.measure,
    ),
    IndicatorValue: Deletion(
        subject=lambda w: w.value,
        page=lambda w: w.indicator,
        inline="values",
        field="actual",
        before=lambda row: "80",
        label="Actual value",
        shown_on=lambda w: w.measure,
    ),
    Section: Deletion(
        subject=spare_section,
        page=lambda w: w.plan,
        inline="sections",
        field="name",
        before=lambda row: "予備",
        label="Name",
        shown_on=lambda w: w.plan,
    ),
    StaffRate: Deletion(
        subject=lambda w: w.staff_rate,
        page=lambda w: w.plan,
        inline="staff_rates",
        field="hourly_cost",
        before=lambda row: 4000,
        label="Hourly staff cost (yen)",
        shown_on=lambda w: w.plan,
    ),
    NodeSectionText: Deletion(
        subject=lambda w: w.node_text,
        page=lambda w: w.measure,
        inline="section_texts",
        field="text",
        before=lambda row: "市民活動団体",
        label="Text",
        shown_on=lambda w: w.measure,
    ),
    Cost: Deletion(
        subject=lambda w: w.cost,
        page=lambda w: w.measure,
        inline="costs",
        field="general",
        before=lambda row: 2_500_000,
        label="General funds (一般財源)",
        shown_on=lambda w: w.measure,
    ),
    ResultSectionText: Deletion(
        subject=lambda w: w.result_text,
        page=lambda w: w.result,
        inline="section_texts",
        field="text",
        before=lambda row: "周知の不足",
        label="Text",
        shown_on=lambda w: w.measure,
    ),
}


@pytest.mark.parametrize(
    ("model", "case"), DELETIONS.items(), ids=[model._meta.model_name for model in DELETIONS]
)
def test_a_deletion_in_the_admin_is_recorded_with_what_was_deleted(
    admin_client: Client, admin_user: User, world: EveryTable, model: type[Model], case: Deletion
) -> None:
    subject = case.subject(world)
    assert type(subject) is model
    line = case.history_line(subject)
    if case.inline:
        assert case.page is not None
        url = admin_url(case.page(world), "change")
        data = page_data(admin_client, url)
        data[f"{case.inline}-{inline_index(data, case.inline, subject)}-DELETE"] = "on"
        response = admin_client.post(url, data)
    else:
        response = admin_client.post(admin_url(subject, "delete"), {"post": "yes"})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not model._default_manager.filter(pk=subject.pk).exists()
    event = AuditEvent.objects.get(subject_type__model=model._meta.model_name, subject_id=subject.pk)
    assert (event.event_type, event.actor) == (EventType.OBJECT_DELETED, admin_user)
    assert event.changes[case.field] == {"before": case.before(subject), "after": None}
    # Only the deleted row is recorded: what went with it is counted in its row.
    assert AuditEvent.objects.count() == 1
    if case.shown_on is not None:
        page_text = history(admin_client, case.shown_on(world))
        assert f"deleted: {model._meta.verbose_name.capitalize()}" in page_text
        assert line in page_text


def test_every_model_the_admin_writes_is_changed_and_deleted_here() -> None:
    """The tables above (and the staff roles' test below) leave out no model that an
    admin page or inline writes: a new one must be added to them."""
    written: set[type[Model]] = set()
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, AuditedModelAdmin):
            written.add(model)
            written.update(inline.model for inline in model_admin.inlines)
    assert set(CHANGES) == set(DELETIONS) == written - {StaffRole}
    assert StaffRole in written


# Staff roles -------------------------------------------------------------------------


def test_a_staff_role_given_changed_and_taken_in_the_admin_is_recorded(
    admin_client: Client, admin_user: User, world: EveryTable
) -> None:
    person = make_staff(Role.REVIEWER, username="tanaka")
    AuditEvent.objects.all().delete()
    other_unit = make_unit(name="市民活動推進課")

    given = admin_client.post(
        reverse("admin:accounts_staffrole_add"),
        {"user": person.pk, "role": Role.EDITOR, "unit": world.unit.pk},
    )
    assert given.status_code == 302
    role = StaffRole.objects.get(user=person, role=Role.EDITOR)
    created = recorded(role, EventType.OBJECT_CREATED)
    assert created.actor == admin_user
    assert created.changes == {
        "user": {"before": None, "after": person.pk},
        "role": {"before": None, "after": "editor"},
        "unit": {"before": None, "after": world.unit.pk},
    }

    url = admin_url(role, "change")
    data = page_data(admin_client, url)
    data["unit"] = other_unit.pk
    assert admin_client.post(url, data).status_code == 302
    changed = AuditEvent.objects.filter(event_type=EventType.OBJECT_CHANGED).get()
    assert changed.changes == {"unit": {"before": world.unit.pk, "after": other_unit.pk}}
    page_text = history(admin_client, role)
    assert f"Unit: {world.unit} → {other_unit}" in page_text
    assert "Role: — → section editor" in page_text

    assert admin_client.post(admin_url(role, "delete"), {"post": "yes"}).status_code == 302
    assert not StaffRole.objects.filter(pk=role.pk).exists()
    taken = AuditEvent.objects.filter(event_type=EventType.OBJECT_DELETED).get()
    assert (taken.subject_id, taken.actor) == (role.pk, admin_user)
    assert taken.changes["role"] == {"before": "editor", "after": None}
    assert [e.event_type for e in AuditEvent.objects.order_by("id")] == [
        EventType.OBJECT_CREATED,
        EventType.OBJECT_CHANGED,
        EventType.OBJECT_DELETED,
    ]


def test_a_role_the_rules_refuse_is_not_given_and_not_recorded(
    admin_client: Client, world: EveryTable
) -> None:
    person = make_staff(Role.REVIEWER, username="suzuki")
    AuditEvent.objects.all().delete()
    response = admin_client.post(
        reverse("admin:accounts_staffrole_add"), {"user": person.pk, "role": Role.REVIEWER, "unit": ""}
    )
    assert response.status_code == 200  # the page again, with the error
    assert StaffRole.objects.filter(user=person).count() == 1
    assert not AuditEvent.objects.exists()
