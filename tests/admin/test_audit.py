"""Every save in the admin is recorded as the person who made it, each changed field
before → after, and the object's history page shows it (in Japanese and in English).

Each admin path has a test here: the page's own save (add and change), an inline row
added, changed and deleted, the many-to-many markers, the delete page and the bulk
"delete selected" action; a path that skipped its service would record nothing.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.forms.models import BaseModelForm
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from shinchoku.audit.audited_admin import AuditedInline, AuditedInlineFormSet, AuditedModelAdmin
from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.audit.selectors import audit_history
from shinchoku.plans.models import Node, NodeUnit
from shinchoku.progress.admin import TargetInline
from shinchoku.progress.models import Rating, Result, Target
from tests.factories import EveryTable, add_result, make_node

from .formdata import add_row, new_measure_data, page_data

CREATED, CHANGED, DELETED = EventType.OBJECT_CREATED, EventType.OBJECT_CHANGED, EventType.OBJECT_DELETED


def events() -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("id"))


def history_page(client: Client, url_name: str, obj: Model, language: str = "ja") -> str:
    """The admin's history page of ``obj`` in ``language``."""
    with translation.override(language):
        url = reverse(url_name, args=[obj.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# A node's own fields ------------------------------------------------------------


def test_a_node_changed_in_the_admin_is_recorded_and_shown_in_its_history(
    admin_client: Client, admin_user: User, world: EveryTable
):
    url = reverse("admin:plans_node_change", args=[world.measure.pk])
    data = page_data(admin_client, url)
    data["title"] = "協働型事業の推進（改）"

    assert admin_client.post(url, data).status_code == 302

    [event] = events()
    assert event.event_type == CHANGED
    assert (event.subject, event.actor, event.actor_name) == (world.measure, admin_user, "admin")
    assert event.changes == {"title": {"before": "協働型事業の推進", "after": "協働型事業の推進（改）"}}
    page = history_page(admin_client, "admin:plans_node_history", world.measure)
    assert f"変更: 計画項目 {world.measure.code} 協働型事業の推進（改）" in page
    assert "名称: 協働型事業の推進 → 協働型事業の推進（改）" in page
    assert "<td>admin</td>" in page
    english = history_page(admin_client, "admin:plans_node_history", world.measure, "en")
    assert f"changed: Node {world.measure.code} 協働型事業の推進（改）" in english
    assert "Title: 協働型事業の推進 → 協働型事業の推進（改）" in english


def test_a_node_saved_unchanged_records_nothing(admin_client: Client, world: EveryTable):
    url = reverse("admin:plans_node_change", args=[world.measure.pk])
    assert admin_client.post(url, page_data(admin_client, url)).status_code == 302
    assert events() == []
    page = history_page(admin_client, "admin:plans_node_history", world.measure)
    with translation.override("ja"):
        assert translation.gettext("No change to this object has been recorded.") in page


def test_a_node_moved_in_the_admin_records_its_parent_by_name(admin_client: Client, world: EveryTable):
    url = reverse("admin:plans_node_change", args=[world.project.pk])
    data = page_data(admin_client, url)
    other = make_node(world.measure_level, world.programme, title="別の施策")
    data["parent"] = other.pk

    assert admin_client.post(url, data).status_code == 302

    [event] = events()
    assert event.changes == {"parent": {"before": world.measure.pk, "after": other.pk}}
    page = history_page(admin_client, "admin:plans_node_history", world.project, "en")
    assert f"Parent: {world.measure} → {other}" in page


def test_a_node_added_in_the_admin_is_recorded_with_its_markers(
    admin_client: Client, admin_user: User, world: EveryTable
):
    data = new_measure_data(admin_client, world, markers=[str(world.circle.pk)])

    assert admin_client.post(reverse("admin:plans_node_add"), data).status_code == 302

    node = Node.objects.get(code="new")
    [event] = events()
    assert (event.event_type, event.subject, event.actor) == (CREATED, node, admin_user)
    assert event.changes["title"] == {"before": None, "after": "新しい施策"}
    assert event.changes["parent"] == {"before": None, "after": world.programme.pk}
    assert event.changes["markers"] == {"before": None, "after": [world.circle.pk]}
    page = history_page(admin_client, "admin:plans_node_history", node)
    assert f"記号: — → {world.circle}" in page


def test_a_nodes_markers_changed_in_the_admin_are_recorded(admin_client: Client, world: EveryTable):
    url = reverse("admin:plans_node_change", args=[world.measure.pk])
    data = page_data(admin_client, url)
    data["markers"] = [str(world.priority.pk)]

    assert admin_client.post(url, data).status_code == 302

    assert list(world.measure.markers.all()) == [world.priority]
    [event] = events()
    assert event.changes == {"markers": {"before": [world.circle.pk], "after": [world.priority.pk]}}


def test_the_admin_never_saves_many_to_many_fields_by_the_form(
    admin_client: Client, world: EveryTable, monkeypatch: pytest.MonkeyPatch
):
    """The markers go through node_update, not through the form's own save."""

    def refuse(form: object) -> None:
        raise AssertionError("the form saved a many-to-many field itself")

    monkeypatch.setattr(BaseModelForm, "_save_m2m", refuse)
    url = reverse("admin:plans_node_change", args=[world.measure.pk])
    data = page_data(admin_client, url)
    data["markers"] = [str(world.priority.pk)]

    assert admin_client.post(url, data).status_code == 302
    assert list(world.measure.markers.all()) == [world.priority]


# Inline rows --------------------------------------------------------------------


def test_inline_rows_are_recorded_one_row_each_as_part_of_the_node(
    admin_client: Client, admin_user: User, world: EveryTable
):
    url = reverse("admin:plans_node_change", args=[world.measure.pk])
    data = page_data(admin_client, url)
    data["targets-0-revised_text"] = "ルールの見直し"
    data["targets-0-revision_reason"] = "制度を改めたため"
    add_row(data, "targets", row=2, start_year=2012, end_year=2012, text="説明会の開催")
    data["unit_roles-0-DELETE"] = "on"
    role = world.measure.unit_roles.get()

    assert admin_client.post(url, data).status_code == 302

    new_target = Target.objects.get(text="説明会の開催")
    by_subject = {(event.subject_type.model, event.subject_id): event for event in events()}
    assert set(by_subject) == {("target", world.target.pk), ("target", new_target.pk), ("nodeunit", role.pk)}
    for event in by_subject.values():
        assert (event.actor, event.part_of) == (admin_user, world.measure)
    changed = by_subject["target", world.target.pk]
    assert changed.event_type == CHANGED
    assert changed.changes == {
        "revised_text": {"before": "", "after": "ルールの見直し"},
        "revision_reason": {"before": "", "after": "制度を改めたため"},
    }
    added = by_subject["target", new_target.pk]
    assert added.event_type == CREATED
    assert added.changes["text"] == {"before": None, "after": "説明会の開催"}
    deleted = by_subject["nodeunit", role.pk]
    assert deleted.event_type == DELETED
    assert deleted.changes["unit"] == {"before": world.unit.pk, "after": None}
    assert not NodeUnit.objects.filter(pk=role.pk).exists()

    page = history_page(admin_client, "admin:plans_node_history", world.measure)
    assert "変更後の目標: — → ルールの見直し" in page
    assert "計画時の目標: — → 説明会の開催" in page
    assert f"組織: {world.unit} → —" in page


def test_a_new_node_with_a_target_records_both(admin_client: Client, world: EveryTable):
    data = new_measure_data(admin_client, world)
    add_row(data, "targets", row=1, start_year=2011, end_year=2011, text="検討")

    assert admin_client.post(reverse("admin:plans_node_add"), data).status_code == 302

    node = Node.objects.get(code="new")
    target = node.targets.get()
    assert [(e.event_type, e.subject, e.part_of) for e in events()] == [
        (CREATED, node, None),
        (CREATED, target, node),
    ]


def test_a_rating_changed_on_the_result_page_shows_in_the_result_and_node_histories(
    admin_client: Client, admin_user: User, world: EveryTable
):
    url = reverse("admin:progress_result_change", args=[world.result.pk])
    data = page_data(admin_client, url)
    two = world.scale.levels.get(code="2")
    data["ratings-0-level"] = two.pk
    data["text"] = "ルールを運用し、見直しました。"

    assert admin_client.post(url, data).status_code == 302

    result_event, rating_event = events()
    assert (result_event.subject, result_event.part_of) == (world.result, world.measure)
    assert result_event.changes["text"]["after"] == "ルールを運用し、見直しました。"
    assert (rating_event.subject, rating_event.part_of, rating_event.actor) == (
        world.rating,
        world.result,
        admin_user,
    )
    assert rating_event.changes == {"level": {"before": world.rating.level_id, "after": two.pk}}
    for url_name, obj in [
        ("admin:progress_result_history", world.result),
        ("admin:plans_node_history", world.measure),
    ]:
        page = history_page(admin_client, url_name, obj)
        assert f"評価: {world.rating.level} → {two}" in page


def test_plan_scale_unit_and_indicator_pages_record_their_rows(admin_client: Client, world: EveryTable):
    cases = [
        ("admin:plans_plan", world.plan, {"levels-0-name_en": "Plan area", "title": "新しい実行計画"}),
        ("admin:plans_scale", world.scale, {"levels-0-label_en": "Well above", "name": "達成度"}),
        ("admin:plans_orgunit", world.unit, {"name": "総務課"}),
        ("admin:progress_indicator", world.indicator, {"values-0-actual": "90", "name": "件数"}),
    ]
    for url_name, obj, changes in cases:
        url = reverse(f"{url_name}_change", args=[obj.pk])
        data = page_data(admin_client, url)
        data.update(changes)
        assert admin_client.post(url, data).status_code == 302, url_name
    recorded = {(e.subject_type.model, e.part_of_type.model if e.part_of_type else None) for e in events()}
    assert recorded == {
        ("plan", None),
        ("level", "plan"),
        ("scale", None),
        ("scalelevel", "scale"),
        ("orgunit", None),
        ("indicator", "node"),
        ("indicatorvalue", "indicator"),
    }
    assert len(events()) == len(recorded)
    value_event = AuditEvent.objects.get(subject_type__model="indicatorvalue")
    assert value_event.changes == {"actual": {"before": "80", "after": "90"}}
    page = history_page(admin_client, "admin:progress_indicator_history", world.indicator, "en")
    assert "Actual value: 80 → 90" in page


# Deletions ------------------------------------------------------------------------


def test_a_node_deleted_in_the_admin_is_recorded_with_what_went_with_it(
    admin_client: Client, admin_user: User, world: EveryTable
):
    pk = world.measure.pk
    response = admin_client.post(reverse("admin:plans_node_delete", args=[pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Node.objects.filter(pk=pk).exists()
    [event] = events()
    assert (event.event_type, event.subject_id, event.actor) == (DELETED, pk, admin_user)
    assert event.changes["title"] == {"before": "協働型事業の推進", "after": None}
    assert event.details["deleted_with"] == {
        "plans.Node": 1,
        "plans.NodeUnit": 1,
        "plans.NodeSectionText": 1,
        "progress.Target": 1,
        "progress.Result": 1,
        "progress.Rating": 1,
        "progress.ResultSectionText": 1,
        "progress.Indicator": 1,
        "progress.IndicatorValue": 1,
        "progress.Cost": 1,
    }
    # The node's page is gone with it; the audit log keeps the row.
    assert admin_client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code == 200


def test_results_deleted_by_the_bulk_action_are_recorded_one_each(
    admin_client: Client, admin_user: User, world: EveryTable
):
    second = add_result(world.measure, 2012, "二年目")
    response = admin_client.post(
        reverse("admin:progress_result_changelist"),
        {"action": "delete_selected", "_selected_action": [world.result.pk, second.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Result.objects.exists()
    assert not Rating.objects.exists()
    recorded = {(e.event_type, e.subject_id, e.actor, e.part_of) for e in events()}
    assert recorded == {
        (DELETED, world.result.pk, admin_user, world.measure),
        (DELETED, second.pk, admin_user, world.measure),
    }
    page = history_page(admin_client, "admin:plans_node_history", world.measure)
    assert "二年目 → —" in page


def test_nodes_deleted_by_the_bulk_action_with_one_under_another(admin_client: Client, world: EveryTable):
    response = admin_client.post(
        reverse("admin:plans_node_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [world.measure.pk, world.project.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert not Node.objects.filter(pk__in=[world.measure.pk, world.project.pk]).exists()
    assert [(e.event_type, e.subject_id) for e in events()] in (
        [(DELETED, world.measure.pk)],
        [(DELETED, world.project.pk), (DELETED, world.measure.pk)],
    )


def test_an_inline_row_deleted_on_the_plan_page_shows_in_the_plan_history(
    admin_client: Client, world: EveryTable
):
    url = reverse("admin:plans_plan_change", args=[world.plan.pk])
    data = page_data(admin_client, url)
    index = next(i for i in range(5) if data.get(f"markers-{i}-id") == world.priority.pk)
    data[f"markers-{index}-DELETE"] = "on"

    assert admin_client.post(url, data).status_code == 302

    [event] = events()
    assert (event.event_type, event.subject_id, event.part_of) == (DELETED, world.priority.pk, world.plan)
    page = history_page(admin_client, "admin:plans_plan_history", world.plan, "en")
    assert f"deleted: Marker {world.priority}" in page


# Every admin of the plan and its progress writes through its services --------------------------


def test_every_admin_of_plan_and_progress_data_writes_through_services():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {"plans", "progress"}:
            continue
        assert isinstance(model_admin, AuditedModelAdmin), model
        for inline in model_admin.inlines:
            assert issubclass(inline, AuditedInline), inline
            assert issubclass(inline.formset, AuditedInlineFormSet), inline


def test_every_other_admin_of_the_projects_data_is_audited_or_read_only(rf: RequestFactory, admin_user: User):
    """Staff roles are written through their services; rounds, entries and the audit log
    only change through the round's services, so their pages only show them."""
    request = rf.get("/")
    request.user = admin_user
    audited, read_only = set(), set()
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("shinchoku."):
            continue
        if isinstance(model_admin, AuditedModelAdmin):
            audited.add(model._meta.label)
            continue
        writes = (
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
        )
        assert writes == (False, False, False), f"{model._meta.label} is written past the audit log"
        read_only.add(model._meta.label)
    assert "accounts.StaffRole" in audited
    assert read_only == {"review.Round", "review.Entry", "audit.AuditEvent"}


@pytest.mark.parametrize("commit", [True, False])
def test_an_inline_formset_without_a_person_refuses_to_save(
    rf: RequestFactory, admin_user: User, world: EveryTable, commit: bool
):
    """Only the admin's save_formset, which names the person, makes an inline save."""
    request = rf.get("/")
    request.user = admin_user
    formset_class = TargetInline(Node, admin.site).get_formset(request, world.measure)
    formset = formset_class(instance=world.measure)
    with pytest.raises(ImproperlyConfigured):
        formset.delete_existing(world.target, commit=commit)
    assert audit_history(world.target).count() == 0
    assert Target.objects.filter(pk=world.target.pk).exists()
