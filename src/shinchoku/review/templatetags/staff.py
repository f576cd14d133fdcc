"""Tags of the staff pages."""

from __future__ import annotations

from typing import Any

from django import template

from shinchoku import fiscal
from shinchoku.accounts.permissions import is_administrator, is_reviewer
from shinchoku.plans.selectors.common import Text, text_lines
from shinchoku.review.models import Entry, progress_label

register = template.Library()


@register.inclusion_tag("staff/_nav.html", takes_context=True)
def staff_nav(context: dict[str, Any]) -> dict[str, Any]:
    """The staff bar: the pages this person's roles open, and signing out."""
    request = context["request"]
    user = request.user
    return {
        "request": request,
        "user": user,
        "administrator": is_administrator(user),
        "reviewer": is_reviewer(user),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def entry_state(entry: Entry) -> str:
    """The state as the dashboard counts it: a draft never changed is "not started"."""
    return entry.progress


@register.filter
def entry_state_label(entry: Entry) -> str:
    return progress_label(entry.progress)


@register.filter
def fy(year: int) -> str:
    """2013 → 2013年度 (the western label the city's documents use)."""
    return fiscal.western_label(year)


@register.filter
def lines(text: str) -> Text:
    """Stored text as the lines ``portal/_text.html`` draws."""
    return text_lines(text or "")
