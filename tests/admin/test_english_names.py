"""The English names of a plan's vocabulary are edited where the plan's own names are: on
the plan's page (its levels, markers and dimensions) and on the scale's (its levels)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from shinchoku.plans.models import Dimension, Level, Marker, Scale, ScaleLevel
from tests.admin.formdata import page_data
from tests.factories import EveryTable


def test_the_plan_page_edits_the_english_names_of_its_levels_markers_and_dimensions(
    admin_client: Client, world: EveryTable
) -> None:
    url = reverse("admin:plans_plan_change", args=[world.plan.pk])
    data = page_data(admin_client, url)
    # The names the plan gives in English are in the form; the others are blank.
    assert [data.get(f"levels-{i}-name_en", "") for i in range(4)] == ["", "", "Measure", ""]
    assert data["dimensions-0-name_en"] == "Achievement status"
    assert data.get("markers-0-name_en", "") == "" and data["markers-1-name_en"] == "Priority measure"

    data["levels-0-name_en"] = "Plan area"
    data["markers-0-name_en"] = "Circle"
    data["dimensions-0-name_en"] = "Status"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Level.objects.get(pk=world.area_level.pk).name_en == "Plan area"
    assert Marker.objects.get(pk=world.circle.pk).name_en == "Circle"
    assert Dimension.objects.get(pk=world.dimension.pk).name_en == "Status"


def test_the_scale_page_edits_the_english_names_of_the_scale_and_its_levels(
    admin_client: Client, world: EveryTable
) -> None:
    url = reverse("admin:plans_scale_change", args=[world.scale.pk])
    data = page_data(admin_client, url)
    assert data["name_en"] == "Achievement status"
    assert data["levels-2-label_en"] == "Mostly achieved the target"
    data["name_en"] = "Achievement"
    data["levels-0-label_en"] = "Well above the target"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Scale.objects.get(pk=world.scale.pk).name_en == "Achievement"
    assert ScaleLevel.objects.get(scale=world.scale, position=0).label_en == "Well above the target"
