"""Every admin list and form renders with data, and the big lists and forms stay
cheap: no select of all nodes, and a node list's queries do not grow with its rows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EveryTable, make_node

PAGES = [
    ("plans", "plan", "plan", "title"),
    ("plans", "scale", "scale", "name"),
    ("plans", "orgunit", "unit", "name"),
    ("plans", "node", "measure", "title"),
    ("progress", "result", "result", "text"),
    ("progress", "indicator", "indicator", "name"),
]


@pytest.mark.parametrize(("app", "model", "attr", "text_field"), PAGES)
def test_changelist_lists_the_rows(admin_client: Client, world: EveryTable, app, model, attr, text_field):
    obj = getattr(world, attr)
    response = admin_client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200
    assert reverse(f"admin:{app}_{model}_change", args=[obj.pk]) in response.content.decode()


@pytest.mark.parametrize(("app", "model", "attr", "text_field"), PAGES)
def test_change_form_shows_the_object(admin_client: Client, world: EveryTable, app, model, attr, text_field):
    obj = getattr(world, attr)
    response = admin_client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk]))
    assert response.status_code == 200
    assert getattr(obj, text_field) in response.content.decode()


@pytest.mark.parametrize(("app", "model", "attr", "text_field"), PAGES)
def test_add_form_renders(admin_client: Client, world: EveryTable, app, model, attr, text_field):
    response = admin_client.get(reverse(f"admin:{app}_{model}_add"))
    assert response.status_code == 200


def test_plan_form_shows_its_levels_markers_and_dimensions(admin_client: Client, world: EveryTable):
    page = admin_client.get(reverse("admin:plans_plan_change", args=[world.plan.pk])).content.decode()
    assert "アクションプログラム" in page
    assert "○" in page
    assert 'name="dimensions-0-key"' in page


def test_node_form_shows_roles_targets_and_results(admin_client: Client, world: EveryTable):
    page = admin_client.get(reverse("admin:plans_node_change", args=[world.measure.pk])).content.decode()
    assert 'name="unit_roles-0-unit"' in page
    assert "ルールの運用" in page
    assert reverse("admin:progress_result_change", args=[world.result.pk]) in page
    assert world.measure.path in page
    assert 'name="path"' not in page


def test_result_form_shows_its_rating(admin_client: Client, world: EveryTable):
    page = admin_client.get(reverse("admin:progress_result_change", args=[world.result.pk])).content.decode()
    assert "達成状況区分: 3 目標をほぼ達成" in page


def test_indicator_form_shows_the_achievement_rate(admin_client: Client, world: EveryTable):
    response = admin_client.get(reverse("admin:progress_indicator_change", args=[world.indicator.pk]))
    assert response.context["inline_admin_formsets"][0].formset.forms[0].instance.achievement_rate == 80
    assert "80.0" in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "attr"),
    [
        ("admin:plans_node_change", "measure"),
        ("admin:plans_node_add", None),
        ("admin:progress_result_change", "result"),
        ("admin:progress_result_add", None),
        ("admin:progress_indicator_change", "indicator"),
        ("admin:progress_indicator_add", None),
    ],
)
def test_forms_pick_nodes_by_autocomplete(admin_client: Client, world: EveryTable, url_name, attr):
    stranger = make_node(world.programme_level, world.area, title="無関係の施策")
    args = [getattr(world, attr).pk] if attr else []
    page = admin_client.get(reverse(url_name, args=args)).content.decode()
    assert "admin-autocomplete" in page
    assert stranger.title not in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("q=協働型事業の推進", "measure", "area"),
        ("level__id__exact={level}", "measure", "programme"),
        ("plan__id__exact={plan}", "measure", None),
        ("markers__id__exact={marker}", "measure", "programme"),
        ("units__id__exact={unit}", "measure", "programme"),
    ],
)
def test_node_list_searches_and_filters(admin_client: Client, world: EveryTable, query, shown, hidden):
    query = query.format(
        level=world.measure_level.pk, plan=world.plan.pk, marker=world.circle.pk, unit=world.unit.pk
    )
    response = admin_client.get(reverse("admin:plans_node_changelist") + "?" + query)
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("admin:plans_node_change", args=[getattr(world, shown).pk]) in page
    if hidden:
        assert reverse("admin:plans_node_change", args=[getattr(world, hidden).pk]) not in page


@pytest.mark.parametrize(
    "query",
    [
        "q=ルールを運用",
        "fiscal_year=2011",
        "node__plan__id__exact={plan}",
        "ratings__level__id__exact={level}",
    ],
)
def test_result_list_searches_and_filters(admin_client: Client, world: EveryTable, query):
    query = query.format(plan=world.plan.pk, level=world.rating.level_id)
    response = admin_client.get(reverse("admin:progress_result_changelist") + "?" + query)
    assert response.status_code == 200
    assert reverse("admin:progress_result_change", args=[world.result.pk]) in response.content.decode()


def test_result_list_filter_by_another_rating_level_hides_the_result(admin_client: Client, world: EveryTable):
    other = world.scale.levels.get(code="1")
    url = reverse("admin:progress_result_changelist") + f"?ratings__level__id__exact={other.pk}"
    page = admin_client.get(url).content.decode()
    assert reverse("admin:progress_result_change", args=[world.result.pk]) not in page


def count_node_list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:plans_node_changelist"))
    assert response.status_code == 200
    return len(queries)


def test_node_list_queries_do_not_grow_with_the_nodes(admin_client: Client, world: EveryTable):
    def add_measures(count: int) -> None:
        for _ in range(count):
            make_node(world.measure_level, world.programme)

    add_measures(1)  # 5 nodes
    count_node_list_queries(admin_client)  # warm the caches (content types, session)
    five = count_node_list_queries(admin_client)
    add_measures(45)  # 50 nodes
    fifty = count_node_list_queries(admin_client)
    assert five == fifty


@pytest.mark.parametrize(
    ("url_name", "attr"),
    [
        ("admin:plans_node_change", "measure"),
        ("admin:progress_result_change", "result"),
        ("admin:progress_indicator_change", "indicator"),
    ],
)
def test_a_staff_member_who_may_only_view_sees_the_forms(client: Client, world: EveryTable, url_name, attr):
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(viewer)
    response = client.get(reverse(url_name, args=[getattr(world, attr).pk]))
    assert response.status_code == 200
    assert str(getattr(world, attr)) in response.content.decode()
