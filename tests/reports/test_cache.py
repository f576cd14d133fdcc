"""Report downloads are rendered once per content: the same published data is served
from the cache, and anything published since is rendered afresh."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.progress.models import Result
from shinchoku.reports import render
from tests.factories import make_sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch, settings, tmp_path: Path) -> list[str]:
    """Count the renderings (the real ones still run); each test has its own cache folder."""
    settings.REPORT_CACHE_DIR = tmp_path / "cache"
    calls: list[str] = []
    real_pdf, real_html = render.render_pdf, render.render_html

    def counted_pdf(document):
        calls.append("pdf")
        return real_pdf(document)

    def counted_html(document, links=None):
        calls.append("html")
        return real_html(document, links)

    monkeypatch.setattr(render, "render_pdf", counted_pdf)
    monkeypatch.setattr(render, "render_html", counted_html)
    return calls


def download(client: Client, fmt: str = "html", year: int = 2012) -> bytes:
    response = client.get(reverse(f"portal:report_{fmt}", args=["plan9", year]))
    assert response.status_code == 200
    return response.content


def test_the_same_data_is_rendered_once(renders: list[str], client: Client) -> None:
    make_sample()
    first = download(client, "pdf")
    second = download(client, "pdf")
    assert first == second and first.startswith(b"%PDF")
    assert renders == ["pdf"]
    download(client, "html")
    download(client, "html")
    assert renders == ["pdf", "html"]


def test_a_change_to_the_data_is_rendered_afresh(renders: list[str], client: Client) -> None:
    sample = make_sample()
    assert "書き換えた実施結果" not in download(client).decode()
    Result.objects.filter(node=sample.measure, fiscal_year=2012).update(text="・書き換えた実施結果")
    assert "書き換えた実施結果" in download(client).decode()
    assert renders == ["html", "html"]


def test_the_cache_keeps_the_most_recent_files(renders: list[str], client: Client, settings) -> None:
    settings.REPORT_CACHE_FILES = 2
    make_sample()
    download(client, "html", 2011)
    download(client, "html", 2012)
    download(client, "pdf", 2012)
    assert len(list(Path(settings.REPORT_CACHE_DIR).iterdir())) == 2


def test_an_unwritable_cache_only_costs_the_saving(
    renders: list[str], client: Client, settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.REPORT_CACHE_DIR = blocker / "cache"
    make_sample()
    with caplog.at_level(logging.WARNING, logger="shinchoku.reports"):
        assert download(client) == download(client)
    assert renders == ["html", "html"]
    assert "report not cached" in caplog.text


def test_no_cache_when_turned_off(renders: list[str], client: Client, settings) -> None:
    settings.REPORT_CACHE_FILES = 0
    make_sample()
    download(client)
    download(client)
    assert renders == ["html", "html"]
    assert not Path(settings.REPORT_CACHE_DIR).exists()
