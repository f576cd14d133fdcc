"""A file name or a path segment that climbs out of its folder never reaches the file
system: an uploaded file is kept under a token the site makes (its own name is kept as a
label, without folders), a token that is not one of those is not found, and the report's
plan area only names a node (the download's name keeps only safe characters)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from shinchoku.interchange import uploads
from tests.factories import make_sample

CLIMBING = ("../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/passwd", "a/../../b")


@pytest.mark.parametrize("name", CLIMBING)
def test_an_uploaded_files_name_never_becomes_a_path(name: str, settings, tmp_path: Path) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"
    token = uploads.upload_keep(b"data", name, user_id=1)
    kept = sorted(path.name for path in (tmp_path / "imports").iterdir())
    assert kept == [f"{token}.bin", f"{token}.json"]
    upload = uploads.upload_get(token, user_id=1)
    assert upload is not None and upload.data == b"data"
    assert "/" not in upload.filename and upload.filename != ".."
    assert not (tmp_path / "etc").exists() and not (tmp_path.parent / "etc" / "passwd").exists()


@pytest.mark.parametrize("token", ["../imports/x", "..", "a" * 20 + "/../" + "b" * 20, "%2e%2e%2fsecret-key"])
def test_a_token_that_climbs_is_not_found(token: str, settings, tmp_path: Path) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.IMPORT_DIR.mkdir()
    (tmp_path / "secret-key.json").write_text('{"user": 1, "kept_at": 9e99}')
    (tmp_path / "secret-key.bin").write_bytes(b"secret")
    assert uploads.upload_get(token, user_id=1) is None
    assert uploads.upload_get("../secret-key", user_id=1) is None


@pytest.mark.django_db
@pytest.mark.parametrize("area", ["../../etc/passwd", "..%2F..%2Fetc", "9/../../x"])
def test_a_report_area_that_climbs_is_not_found(area: str) -> None:
    make_sample()
    response = Client().get("/plans/plan9/report/2012.html", {"area": area})
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_downloads_name_keeps_only_safe_characters() -> None:
    make_sample()
    response = Client().get("/plans/plan9/report/2012.html", {"area": "9"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="plan9-2012-9.html"'
