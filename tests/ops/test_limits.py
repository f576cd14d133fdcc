"""What one request may hold (settings.py, "Running the site"): a body over
REQUEST_MAX_BYTES, too much form data or too many fields get a page that says so, never
a 500, and nothing is read or saved. Through gunicorn in tests/ops/test_gunicorn.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as project
from django.contrib.auth.models import User
from django.test import Client

from shinchoku.interchange.importing import MAX_FILE_BYTES

pytestmark = pytest.mark.django_db


def test_the_request_limit_leaves_room_for_the_largest_import() -> None:
    """A file just over the import's 10 MB gets the import page's own message, not 413:
    the request limit is above it, with room for the form around the file."""
    assert project.REQUEST_MAX_BYTES >= MAX_FILE_BYTES + 1024 * 1024


def test_a_body_over_the_limit_is_refused_before_it_is_read(admin_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    answer = client.post(
        "/staff/import/",
        data=b"x",
        content_type="text/csv",
        CONTENT_LENGTH=str(project.REQUEST_MAX_BYTES + 1),
    )
    assert answer.status_code == 413
    page = answer.content.decode()
    assert "<h1>送信された内容が大きすぎます</h1>" in page
    assert "12 MB" in page and "10 MB" in page
    assert "Content-Security-Policy" in answer  # the site's headers, as on every page


def test_the_page_speaks_english_on_the_english_site() -> None:
    answer = Client().post(
        "/en/staff/import/",
        data=b"x",
        content_type="text/csv",
        CONTENT_LENGTH=str(project.REQUEST_MAX_BYTES + 1),
    )
    assert answer.status_code == 413
    page = answer.content.decode()
    assert '<html lang="en">' in page and "<h1>What was sent is too large</h1>" in page


def test_too_much_form_data_gets_the_same_page(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    answer = Client().post("/staff/login/", {"username": "a", "password": "p" * 2000})
    assert answer.status_code == 413
    assert "<h1>送信された内容が大きすぎます</h1>" in answer.content.decode()


def test_too_many_fields_get_a_400_page_that_says_so(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    answer = Client().post("/staff/login/", {f"field{number}": "1" for number in range(20)})
    assert answer.status_code == 400
    assert "項目やファイルが多すぎて" in answer.content.decode()


def test_a_malformed_request_gets_the_400_page() -> None:
    answer = Client().get("/", HTTP_HOST="bad host name")
    assert answer.status_code == 400
    assert "<h1>リクエストを読み取れません</h1>" in answer.content.decode()
