"""What every test shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's default language: a request to an English page
    leaves English active in the thread that made it (the locale middleware activates it
    and nothing deactivates it), and a later test would otherwise run in English."""
    translation.deactivate()
    yield
    translation.deactivate()
