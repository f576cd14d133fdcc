"""A content's sections, as the diff shows them: a section is matched with the stored
one by its level and key and updated in place. The texts of the sections are compared
with their node or result (``diff``), as one value each (``values.texts_of``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from shinchoku.plans.content import SectionContent
from shinchoku.plans.models import Section
from shinchoku.plans.writing.values import Fields, fields_of

#: A section's fields as the diff shows them.
SECTION_FIELDS = ("name", "name_en", "scope", "builtin", "position")


def section_fields(section: SectionContent) -> Fields:
    return fields_of(section, SECTION_FIELDS)


def stored_section_fields(section: Section) -> Fields:
    return fields_of(section, SECTION_FIELDS)


def section_key(level: str, key: str) -> tuple[Any, ...]:
    return ("section", level, key)


def section_subject(plan: str, level: str, key: str) -> str:
    return _("section %(key)s of the level %(level)s of the plan %(plan)s") % {
        "key": key,
        "level": level,
        "plan": plan,
    }
