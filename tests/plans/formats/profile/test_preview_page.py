"""The staff preview page shows a preview's warnings, grouped by kind, each with its
cell; they do not stop the import."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.accounts.models import Role
from shinchoku.interchange import uploads, views
from shinchoku.interchange.importing import import_preview
from shinchoku.interchange.preview import Preview
from shinchoku.plans.formats.profile.profile import read_profile
from tests.factories import make_staff
from tests.plans.formats.profile.workbooks import PROFILE, ofunato_workbook

pytestmark = pytest.mark.django_db


def test_the_preview_page_lists_the_warnings_by_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = read_profile(PROFILE)

    def with_profile(data: bytes, filename: str, **options: Any) -> Preview:
        return import_preview(data, filename, actor=options["actor"], profile=profile)

    monkeypatch.setattr(views, "import_preview", with_profile)
    admin = make_staff(Role.ADMINISTRATOR, username="kikaku")
    client = Client()
    client.force_login(admin)
    token = uploads.upload_keep(ofunato_workbook(), "r7.xlsx", user_id=admin.pk)
    response = client.get(reverse("interchange:import_preview", args=[token]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "warnings: what reading the file changed or left out. Warnings do not stop the import." in page
    assert "<summary>dash or 0 for empty (15)</summary>" in page
    assert (
        "r7.xlsx, sheet データ集計マクロ用シート, row 3, column T (根拠法令): &#x27;-&#x27;: read as empty."
        in page
    )
    assert 'action="' + reverse("interchange:import_apply", args=[token]) + '"' in page
