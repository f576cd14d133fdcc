"""The sections of text of a plan's levels, and a node's or a result's text of one: the
one place that says which sections a level has and where each one's text is kept.

A plan defines its sections per level (``plans.models.Section``); a plan that defines
none has the builtin ones on each of its rated levels (``DEFAULT_SECTIONS``: the fields
every node and result has, with the names a 進行管理 report prints). Everything that
shows or exchanges a section's text asks ``sections_of`` for the list and
``section_text`` for the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shinchoku.plans.content import SectionContent, Source
from shinchoku.plans.models import Level, Node, Plan, Section


@dataclass(frozen=True)
class DefaultSection:
    """A builtin section as a plan without sections of its own has it."""

    builtin: str
    name: str
    name_en: str
    scope: str


#: The builtin sections, in their order: those of the node, then those of each year.
DEFAULT_SECTIONS = (
    DefaultSection(Section.Builtin.SUMMARY, "概要", "Purpose", Section.Scope.NODE),
    DefaultSection(Section.Builtin.BASELINE, "現状", "Baseline", Section.Scope.NODE),
    DefaultSection(Section.Builtin.TEXT, "実施結果", "Result", Section.Scope.YEAR),
    DefaultSection(
        Section.Builtin.CONTEXT_CHANGE, "環境等の変化・課題等", "Context change", Section.Scope.YEAR
    ),
    DefaultSection(Section.Builtin.RESPONSE, "新たな課題等への対応", "Response", Section.Scope.YEAR),
    DefaultSection(Section.Builtin.HIGHLIGHT, "主な実施結果", "Highlight", Section.Scope.YEAR),
)


def default_sections(plan: Plan, level: Level) -> list[Section]:
    """The builtin sections of a rated level (none for another), unsaved, each keyed by
    its builtin field's name."""
    if not level.rated:
        return []
    return [
        Section(
            plan=plan,
            level=level,
            key=default.builtin,
            name=default.name,
            name_en=default.name_en,
            scope=default.scope,
            builtin=default.builtin,
            position=position,
        )
        for position, default in enumerate(DEFAULT_SECTIONS)
    ]


def plan_sections(plan: Plan, levels: Iterable[Level] | None = None) -> dict[int, list[Section]]:
    """The sections of each of the plan's levels (or of ``levels`` of it, when the caller
    has them), by level id, in their order: the plan's own, or the builtin ones when it
    defines none (two queries, one when given the levels)."""
    levels = list(plan.levels.all() if levels is None else levels)
    stored = list(Section.objects.filter(plan=plan).order_by("position", "key"))
    if not stored:
        return {level.pk: default_sections(plan, level) for level in levels}
    found: dict[int, list[Section]] = {level.pk: [] for level in levels}
    for section in stored:
        found.setdefault(section.level_id, []).append(section)
    return found


def sections_of(plan: Plan, level: Level, scope: str | None = None) -> list[Section]:
    """The sections the nodes of ``level`` have, in order (only those of ``scope``, "node"
    or "year", when it is given): the plan's own, or the builtin ones when the plan
    defines none. A default section is unsaved; its ``key`` is its builtin field's name."""
    if Section.objects.filter(plan=plan).exists():
        sections = list(Section.objects.filter(plan=plan, level=level).order_by("position", "key"))
    else:
        sections = default_sections(plan, level)
    return [section for section in sections if scope is None or section.scope == scope]


def section_text(owner: Node | Any, section: Section, texts: Mapping[int, str] | None = None) -> str:
    """The text of ``section`` that ``owner`` holds: a node for a section about the node,
    a result (``progress.models.Result``) for a section of a year. A builtin section's is
    the owner's own field; another's is its section text (prefetch ``section_texts`` when
    reading many, or pass the owner's ``texts`` read already, by section id), "" when it
    has none."""
    if section.builtin:
        return str(getattr(owner, section.builtin))
    if section.pk is None or owner.pk is None:
        return ""
    if texts is not None:
        return texts.get(section.pk, "")
    return next(
        (text.text for text in owner.section_texts.all() if text.section_id == section.pk),
        "",
    )


def section_texts(
    owner: Node | Any, sections: Iterable[Section], texts: Mapping[int, str] | None = None
) -> list[tuple[Section, str]]:
    """Each of ``sections`` with the text ``owner`` holds of it (see ``section_text``)."""
    return [(section, section_text(owner, section, texts)) for section in sections]


def stored_sections(plan: Plan | None, source: Source) -> list[SectionContent]:
    """The sections ``plan`` defines, as a plan's content gives them, each standing at
    ``source``: what a format that does not carry sections keeps as stored."""
    if plan is None:
        return []
    return [
        SectionContent(
            key=section.key,
            name=section.name,
            name_en=section.name_en,
            level=section.level.key,
            scope=section.scope,
            builtin=section.builtin,
            position=section.position,
            source=source,
        )
        for section in Section.objects.filter(plan=plan).select_related("level")
    ]


def own_texts(owner: Node | Any) -> dict[str, str]:
    """The texts a node or a result holds of the sections without a field of their own,
    by the section's key (prefetch ``section_texts__section`` when reading many)."""
    return {text.section.key: text.text for text in owner.section_texts.all()}
