"""Staff accounts for the sign-in tests, the demonstration data for the demo tests, and a
browser for the sign-in tests that go through the real form."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from shinchoku.accounts.models import Role
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
