"""Staff accounts for the sign-in tests, the demonstration data for the demo tests, and a
browser for the sign-in tests that go through the real form."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import Browser, sync_playwright

from shinchoku.accounts.models import Role
from tests.browser import ARTIFACTS, CHROMIUM, LAUNCH_ARGS
from tests.factories import make_staff

PASSWORD = "kakunin-2013-Sakura"


@pytest.fixture
def staff(db: None) -> User:
    """A section-less reviewer who signs in with ``PASSWORD``."""
    user = make_staff(Role.REVIEWER, username="shinsa")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def demo_loaded(db: None, settings, tmp_path: Path) -> Path:
    """The demonstration plan loaded (as ``bin/serve`` does), with var/ in ``tmp_path``."""
    settings.VAR_DIR = tmp_path
    call_command("loaddemo", stdout=StringIO())
    return tmp_path


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """Debian's Chromium through Playwright (tests/browser.py)."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here
    # while it runs are not async code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # The ORM calls made while the event loop ran used connections of their own;
            # close them, or PostgreSQL refuses to drop the test database.
            connections.close_all()
