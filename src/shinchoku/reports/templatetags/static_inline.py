"""Inline a static stylesheet: the HTML report is one self-contained file, and it shares
the measure sheet's styles with the public pages instead of keeping a copy."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django import template
from django.contrib.staticfiles import finders
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@cache
def _read(path: str) -> str:
    found = finders.find(path)
    if not isinstance(found, str):
        raise template.TemplateSyntaxError(f"no static file {path!r}")
    return Path(found).read_text(encoding="utf-8")


@register.simple_tag
def inline_static(path: str) -> SafeString:
    """The text of one of the project's own static files (never data), to put in a <style>."""
    return mark_safe(_read(path))  # noqa: S308 - the project's own stylesheet
