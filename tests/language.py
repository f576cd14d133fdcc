"""The language the interchange, plan-format, open-data and workbook tests read messages
in: English, the language of the code (the site's own language, Japanese, is tested where
it matters: see tests/review/workbook/test_entry_workbook.py::
test_problems_are_reported_in_japanese_by_default). A ``conftest.py`` imports
``english`` to make it apply to every test under it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield
