"""The interchange tests read the importers' messages in English, the language of the
code (the site's own language, Japanese, is tested where it matters: see
test_entry_workbook.py::test_problems_are_reported_in_japanese_by_default)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield
