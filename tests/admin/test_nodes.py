"""Node saves in the admin go through node_save: paths stay true."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from shinchoku.plans.models import Node
from tests.factories import EveryTable, make_node

from .formdata import new_measure_data, page_data


def test_moving_a_node_moves_its_subtree(admin_client: Client, world: EveryTable):
    other_programme = make_node(world.programme_level, world.area, title="区役所機能の拡充")
    url = reverse("admin:plans_node_change", args=[world.measure.pk])
    data = page_data(admin_client, url)
    data["parent"] = other_programme.pk

    response = admin_client.post(url, data)

    assert response.status_code == 302
    world.measure.refresh_from_db()
    world.project.refresh_from_db()
    assert world.measure.path == f"{other_programme.path}{world.measure.pk}/"
    assert world.project.path == f"{world.measure.path}{world.project.pk}/"
    assert list(Node.objects.filter(path__startswith=world.programme.path)) == [world.programme]


def test_the_path_cannot_be_posted(admin_client: Client, world: EveryTable):
    url = reverse("admin:plans_node_change", args=[world.measure.pk])
    data = page_data(admin_client, url)
    path = world.measure.path
    data.update(path="/1/", title="協働型事業の推進（改）")

    response = admin_client.post(url, data)

    assert response.status_code == 302
    world.measure.refresh_from_db()
    assert world.measure.title == "協働型事業の推進（改）"
    assert world.measure.path == path


def test_a_node_added_in_the_admin_gets_its_path(admin_client: Client, world: EveryTable):
    url = reverse("admin:plans_node_add")
    data = new_measure_data(admin_client, world, markers=[str(world.circle.pk)])

    response = admin_client.post(url, data)

    assert response.status_code == 302
    node = Node.objects.get(code="new")
    assert node.path == f"{world.programme.path}{node.pk}/"
    assert list(node.markers.all()) == [world.circle]


def test_the_plan_of_a_node_is_fixed(admin_client: Client, world: EveryTable):
    response = admin_client.get(reverse("admin:plans_node_change", args=[world.measure.pk]))
    assert response.context["adminform"].form.fields["plan"].disabled


def test_a_level_above_the_childrens_is_refused(admin_client: Client, world: EveryTable):
    url = reverse("admin:plans_node_change", args=[world.measure.pk])
    data = page_data(admin_client, url)
    data["level"] = world.project_level.pk  # the project below it has this level

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "level" in response.context["adminform"].form.errors
    world.measure.refresh_from_db()
    assert world.measure.level == world.measure_level
