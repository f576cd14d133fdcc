"""Template filters of the charts (``shinchoku.portal.charts``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template

from shinchoku.portal.charts.palette import Fill

register = template.Library()


@register.filter
def paint(fill: Fill, prefix: str) -> str:
    """The value of a ``fill`` attribute for ``fill`` in the chart whose key is ``prefix``."""
    return fill.paint(prefix)


@register.simple_tag
def chart_at(grid: Sequence[Sequence[Any]], row: int, column: int) -> Any:
    """The chart at the 1-based ``row`` and ``column`` of ``grid`` (the charts of a page's
    indicators, a tuple per group), or None."""
    try:
        return grid[row - 1][column - 1]
    except (IndexError, TypeError):
        return None
