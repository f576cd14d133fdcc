"""What every test shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation
from playwright.sync_api import Browser

from tests.browser import chromium


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's default language: a request to an English page
    leaves English active in the thread that made it (the locale middleware activates it
    and nothing deactivates it), and a later test would otherwise run in English."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """Chromium for a browser test (``tests.browser.chromium``)."""
    with chromium(monkeypatch) as launched:
        yield launched
