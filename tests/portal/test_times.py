"""Times in machine-readable attributes (``<time datetime>``): one filter writes them, to
the second, with the offset of the site's time zone, as the HTML standard accepts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from django.template import Context, Template

import shinchoku

TEMPLATES = Path(shinchoku.__file__).parent


def render(value: object) -> str:
    return Template("{% load times %}{{ value|iso_datetime }}").render(Context({"value": value}))


def test_a_time_is_written_to_the_second_in_local_time_with_its_offset(settings) -> None:
    settings.TIME_ZONE = "Asia/Tokyo"
    assert render(datetime(2013, 5, 1, 1, 2, 3, 456789, tzinfo=UTC)) == "2013-05-01T10:02:03+09:00"
    assert render(date(2013, 5, 1)) == "2013-05-01"
    assert render(None) == ""


def test_every_datetime_attribute_is_written_by_the_filter() -> None:
    """A ``datetime`` attribute made with Django's ``date:'c'`` carries microseconds, which
    the HTML standard does not allow."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"""date:\s*["']c["']""", text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(TEMPLATES)}:{line}")
    assert found == []
