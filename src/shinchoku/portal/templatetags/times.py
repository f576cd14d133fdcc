"""Template filters for times in markup."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def iso_datetime(value: date | datetime | None) -> str:
    """The value of a ``<time datetime>`` attribute: a date as 2013-05-01; a time to the
    second in the site's time zone with its offset, 2013-05-01T10:02:03+09:00 (the HTML
    standard allows at most three digits of a second's fraction, so none are written)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()
