"""Tags of the staff pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template

from shinchoku import fiscal
from shinchoku.plans.selectors.common import Text, text_lines
from shinchoku.review.models import Entry
from shinchoku.review.permissions import staff_abilities
from shinchoku.review.workflow import state_label

register = template.Library()


@register.inclusion_tag("staff/_nav.html", takes_context=True)
def staff_nav(context: dict[str, Any]) -> dict[str, Any]:
    """The staff bar: the pages this person may use (``permissions.staff_abilities``),
    and signing out."""
    request = context["request"]
    user = request.user
    return {
        "request": request,
        "user": user,
        "may": staff_abilities(user),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def entry_state(entry: Entry) -> str:
    """The state as the dashboard counts it: a draft never changed is "not started"."""
    return entry.progress


@register.filter
def entry_state_label(entry: Entry) -> str:
    return state_label(entry.state, entry.version)


@register.filter
def fy(year: int) -> str:
    """2013 → 2013年度（平成25年度）, FY2013 in English."""
    return fiscal.year_label(year)


@register.filter
def day(value: date | None) -> str:
    """A date as the site writes it: 2026年12月20日（令和8年）, 20 December 2026."""
    return fiscal.date_label(value) if value is not None else ""


@register.filter
def moment(value: datetime | None) -> str:
    """A time as the site writes it: 2026年12月20日（令和8年）14:05, 20 December 2026, 14:05."""
    return fiscal.datetime_label(value) if value is not None else ""


@register.filter
def lines(text: str) -> Text:
    """Stored text as the lines ``portal/_text.html`` draws."""
    return text_lines(text or "")
