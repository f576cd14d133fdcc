"""The entry workbook's download page, one of the round's staff pages: who may download
a unit's workbook, where the pages link it, and what a workbook that cannot be made answers."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from shinchoku.review import services
from shinchoku.review.models import Round
from shinchoku.review.workbook import writer as template
from tests.review.conftest import Cycle

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def workbook_url(round_: Round, unit_code: str) -> str:
    return reverse("staff:workbook", args=[round_.pk, unit_code])


def test_the_address_is_the_one_links_and_bookmarks_hold(cycle: Cycle) -> None:
    with translation.override("ja"):
        assert workbook_url(cycle.round, "shimin") == f"/staff/workbooks/{cycle.round.pk}/shimin.xlsx"


def test_the_todo_page_offers_the_sections_workbook(cycle: Cycle) -> None:
    page = signed_in(cycle.editor).get(reverse("staff:home")).content.decode()
    assert workbook_url(cycle.round, cycle.unit.code) in page
    assert workbook_url(cycle.round, cycle.other_unit.code) not in page


def test_the_round_dashboard_links_each_sections_workbook(cycle: Cycle) -> None:
    page = signed_in(cycle.admin).get(reverse("staff:round", args=[cycle.round.pk])).content.decode()
    for unit in (cycle.unit, cycle.other_unit):
        assert workbook_url(cycle.round, unit.code) in page


def test_the_download_is_the_units_workbook(cycle: Cycle) -> None:
    response = signed_in(cycle.editor).get(workbook_url(cycle.round, cycle.unit.code))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    sheet = load_workbook(io.BytesIO(response.content))[template.ENTRY_SHEET]
    assert [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)] == ["9-1-1"]


def test_only_the_units_editors_and_the_administrator_download_its_workbook(cycle: Cycle) -> None:
    url = workbook_url(cycle.round, cycle.unit.code)
    assert signed_in(cycle.editor).get(url).status_code == 200
    assert signed_in(cycle.bureau_editor).get(url).status_code == 200  # the bureau is above
    assert signed_in(cycle.admin).get(url).status_code == 200
    refused = signed_in(cycle.other_editor).get(url)
    assert refused.status_code == 403
    assert "This is not one of your units." in str(refused.context["exception"])
    assert signed_in(cycle.reviewer).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_an_unknown_round_or_unit_is_not_found(cycle: Cycle) -> None:
    admin = signed_in(cycle.admin)
    assert admin.get(workbook_url(cycle.round, "no-such-unit")).status_code == 404
    assert (
        admin.get(reverse("staff:workbook", args=[cycle.round.pk + 100, cycle.unit.code])).status_code == 404
    )


def test_a_round_of_target_revisions_has_no_workbook_and_says_so(cycle: Cycle) -> None:
    """The writer's refusal is answered with the status of its code (a conflict: 409),
    on a page that says why, not with a page that is not there."""
    targets = services.round_open(
        cycle.sample.plan,
        2013,
        Round.Kind.TARGETS,
        timezone.localdate() + timedelta(days=14),
        actor=cycle.admin,
    )
    response = signed_in(cycle.editor).get(workbook_url(targets, cycle.unit.code))
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert "entry workbooks are made for results rounds" in response.content.decode()
