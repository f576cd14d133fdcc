"""Which name of a plan's vocabulary a page shows.

A plan names its levels (プラン, 施策計画 …), scales and their levels (3 目標をほぼ達成),
evaluation dimensions (達成状況区分) and markers in its own language, Japanese, and may
give each an English name as well (``name_en``, ``label_en``; blank by default). The
English pages show the English name where there is one and the plan's own name where
there is none; the Japanese pages always show the plan's own. This module is the one
place that chooses: the selectors build their view-models with it, and the templates
mark whatever text they get with its language (``portal.templatetags.texts``).

The printed report is the city's own document: it is built within ``own_names`` and
keeps the plan's names whatever the language of its fixed wording. The open data
carries both fields and chooses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.utils.translation import get_language

if TYPE_CHECKING:
    from shinchoku.plans.models import Dimension, Level, Marker, Scale, ScaleLevel, Section

#: The language whose names ``localized`` gives; it follows the interface's unless
#: ``own_names`` holds it to the plan's own.
_ENGLISH = "en"
_own_names: ContextVar[bool] = ContextVar("own_names", default=False)


def localized(name: str, name_en: str) -> str:
    """``name_en`` on an English page when it is given, else ``name`` (the plan's own)."""
    if name_en and not _own_names.get() and (get_language() or "").split("-")[0] == _ENGLISH:
        return name_en
    return name


def shown_name(item: Level | Scale | Dimension | Marker | Section) -> str:
    """The name of a level, scale, dimension, marker or section of text as the page's
    language shows it."""
    return localized(item.name, item.name_en)


def shown_label(level: ScaleLevel) -> str:
    """The label of a scale's level (目標をほぼ達成) as the page's language shows it."""
    return localized(level.label, level.label_en)


@contextmanager
def own_names() -> Iterator[None]:
    """Within it, every name is the plan's own, in whatever language the interface is."""
    token = _own_names.set(True)
    try:
        yield
    finally:
        _own_names.reset(token)
