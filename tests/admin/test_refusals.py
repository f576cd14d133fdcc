"""What the admin refuses: each refusal shows its error on the page and writes nothing."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from shinchoku.plans.models import Node
from shinchoku.progress.models import Rating, Result, Target
from tests.factories import EveryTable, make_dimension, make_plan, make_scale

from .formdata import add_row, assert_refused, message, new_measure_data, page_data

NOT_ON_SCALE = "%(level)s is not on the scale %(scale)s of %(dimension)s."
OUTSIDE_PERIOD = "Fiscal year %(year)s is outside the plan period %(first)s–%(last)s."
UNDER_ITSELF = "A node cannot be placed under itself or one of its descendants."
REQUIRED = "This field is required."


@pytest.fixture
def direction(world: EveryTable):
    """A second judgement on measures, on its own scale (今後の方向性)."""
    scale = make_scale(
        [("A", "拡充強化", False), ("B", "今のまま継続", False), ("C", "縮小", False)], name="今後の方向性"
    )
    return make_dimension(world.plan, world.measure_level, scale, primary=False)


def not_on_scale(level, dimension) -> str:
    return message(NOT_ON_SCALE, level=level, scale=dimension.scale, dimension=dimension)


# Ratings ----------------------------------------------------------------------


def test_result_change_refuses_a_rating_off_its_dimensions_scale(
    admin_client: Client, world: EveryTable, direction
):
    url = reverse("admin:progress_result_change", args=[world.result.pk])
    data = page_data(admin_client, url)
    wrong = direction.scale.levels.get(code="A")
    data["ratings-0-level"] = wrong.pk

    response = admin_client.post(url, data)

    assert_refused(response, not_on_scale(wrong, world.dimension))
    world.rating.refresh_from_db()
    assert world.rating.level.code == "3"


def test_result_change_refuses_a_new_rating_off_its_dimensions_scale(
    admin_client: Client, world: EveryTable, direction
):
    url = reverse("admin:progress_result_change", args=[world.result.pk])
    data = page_data(admin_client, url)
    wrong = world.scale.levels.get(code="2")
    add_row(data, "ratings", dimension=direction.pk, level=wrong.pk)

    response = admin_client.post(url, data)

    assert_refused(response, not_on_scale(wrong, direction))
    assert not Rating.objects.filter(dimension=direction).exists()


def test_result_add_refuses_a_rating_off_its_dimensions_scale(
    admin_client: Client, world: EveryTable, direction
):
    url = reverse("admin:progress_result_add")
    data = page_data(admin_client, url)
    data.update(node=world.measure.pk, fiscal_year=2012, text="実施しました。")
    wrong = direction.scale.levels.get(code="B")
    add_row(data, "ratings", dimension=world.dimension.pk, level=wrong.pk)

    response = admin_client.post(url, data)

    assert_refused(response, not_on_scale(wrong, world.dimension))
    assert not Result.objects.filter(fiscal_year=2012).exists()


def test_result_add_with_a_rating_on_the_scale_is_saved(admin_client: Client, world: EveryTable):
    url = reverse("admin:progress_result_add")
    data = page_data(admin_client, url)
    data.update(node=world.measure.pk, fiscal_year=2012, text="実施しました。")
    add_row(data, "ratings", dimension=world.dimension.pk, level=world.scale.levels.get(code="2").pk)

    response = admin_client.post(url, data)

    assert response.status_code == 302
    result = Result.objects.get(node=world.measure, fiscal_year=2012)
    assert result.ratings.get().level.code == "2"


# Fiscal years -----------------------------------------------------------------


@pytest.mark.parametrize("year", [2010, 2014])
def test_result_change_refuses_a_year_outside_the_period(admin_client: Client, world: EveryTable, year):
    url = reverse("admin:progress_result_change", args=[world.result.pk])
    data = page_data(admin_client, url)
    data["fiscal_year"] = year

    response = admin_client.post(url, data)

    assert_refused(response, message(OUTSIDE_PERIOD, year=year, first=2011, last=2013))
    world.result.refresh_from_db()
    assert world.result.fiscal_year == 2011


def test_result_add_refuses_a_year_outside_the_period(admin_client: Client, world: EveryTable):
    url = reverse("admin:progress_result_add")
    data = page_data(admin_client, url)
    data.update(node=world.measure.pk, fiscal_year=2014, text="実施しました。")

    response = admin_client.post(url, data)

    assert_refused(response, message(OUTSIDE_PERIOD, year=2014, first=2011, last=2013))
    assert Result.objects.count() == 1


def post_a_new_target(client: Client, world: EveryTable, **years: object) -> HttpResponse:
    """The measure's change page posted with one more target, 事業推進, in row 1."""
    url = reverse("admin:plans_node_change", args=[world.measure.pk])
    data = page_data(client, url)
    add_row(data, "targets", row=1, text="事業推進", **years)
    return client.post(url, data)


def test_node_change_refuses_a_target_outside_the_period(admin_client: Client, world: EveryTable):
    response = post_a_new_target(admin_client, world, start_year=2015, end_year=2015)

    # The onwards column (2014) is the last year a target may name.
    assert_refused(response, message(OUTSIDE_PERIOD, year=2015, first=2011, last=2014))
    assert list(world.measure.targets.all()) == [world.target]


def test_node_change_accepts_a_target_in_the_onwards_column(admin_client: Client, world: EveryTable):
    response = post_a_new_target(admin_client, world, start_year=2012, end_year=2014, open_end="on")

    assert response.status_code == 302
    assert world.measure.targets.filter(start_year=2012, end_year=2014, open_end=True).exists()


def test_node_change_refuses_the_onwards_year_when_the_plan_has_no_onwards_column(
    admin_client: Client, world: EveryTable
):
    world.plan.onwards = False
    world.plan.save()

    response = post_a_new_target(admin_client, world, start_year=2014, end_year=2014)

    assert_refused(response, message(OUTSIDE_PERIOD, year=2014, first=2011, last=2013))
    assert world.measure.targets.count() == 1


def test_node_add_refuses_a_target_outside_the_period(admin_client: Client, world: EveryTable):
    url = reverse("admin:plans_node_add")
    data = new_measure_data(admin_client, world)
    add_row(data, "targets", row=1, start_year=2010, end_year=2011, text="検討")

    response = admin_client.post(url, data)

    assert_refused(response, message(OUTSIDE_PERIOD, year=2010, first=2011, last=2014))
    assert not Node.objects.filter(code="new").exists()
    assert Target.objects.count() == 1


# The tree ---------------------------------------------------------------------


@pytest.mark.parametrize("new_parent", ["programme", "measure", "project"])
def test_node_change_refuses_a_place_under_itself_or_a_descendant(
    admin_client: Client, world: EveryTable, new_parent
):
    paths_before = dict(Node.objects.values_list("pk", "path"))
    url = reverse("admin:plans_node_change", args=[world.programme.pk])
    data = page_data(admin_client, url)
    data["parent"] = getattr(world, new_parent).pk

    response = admin_client.post(url, data)

    assert_refused(response, message(UNDER_ITSELF))
    assert dict(Node.objects.values_list("pk", "path")) == paths_before
    world.programme.refresh_from_db()
    assert world.programme.parent_id == world.area.pk


@pytest.mark.parametrize("title", ["", "   ", "\u3000"])
def test_node_change_refuses_an_empty_title(admin_client: Client, world: EveryTable, title):
    url = reverse("admin:plans_node_change", args=[world.measure.pk])
    data = page_data(admin_client, url)
    data["title"] = title

    response = admin_client.post(url, data)

    assert_refused(response, message(REQUIRED))
    assert "title" in response.context["adminform"].form.errors
    world.measure.refresh_from_db()
    assert world.measure.title == "協働型事業の推進"


def test_node_add_refuses_a_blank_title(admin_client: Client, world: EveryTable):
    url = reverse("admin:plans_node_add")
    data = new_measure_data(admin_client, world, title=" ")

    response = admin_client.post(url, data)

    assert_refused(response, message(REQUIRED))
    assert not Node.objects.filter(code="new").exists()


# Other refusals ---------------------------------------------------------------


def test_node_change_refuses_a_marker_of_another_plan(admin_client: Client, world: EveryTable):
    other_plan = make_plan()
    stranger = other_plan.markers.create(symbol="◎", name="重点")
    url = reverse("admin:plans_node_change", args=[world.measure.pk])
    data = page_data(admin_client, url)
    data["markers"] = [str(stranger.pk)]

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "markers" in response.context["adminform"].form.errors
    assert list(world.measure.markers.all()) == [world.circle]


def test_plan_change_refuses_two_primary_dimensions_on_one_level(admin_client: Client, world: EveryTable):
    url = reverse("admin:plans_plan_change", args=[world.plan.pk])
    data = page_data(admin_client, url)
    add_row(
        data,
        "dimensions",
        key="direction",
        name="今後の方向性",
        level=world.measure_level.pk,
        scale=make_scale().pk,
        primary="on",
        position=1,
    )

    response = admin_client.post(url, data)

    assert_refused(response, message("Only one dimension per level can be primary."))
    assert world.plan.dimensions.count() == 1
