"""The dataset's sections of text, hourly staff costs and costs as a plan's content: what
the schema cannot say is checked (a section defined twice, a text of a section its level
does not have, a second cost of a year and basis, numbers within the models' limits),
each problem at its JSON path (``convert.Builder`` reads the rest)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from shinchoku.plans.content import COST_FIGURES, CostContent, NodeContent, SectionContent, StaffRateContent
from shinchoku.plans.formats.dataset.document import JsonPath
from shinchoku.plans.models import Section
from shinchoku.progress.models import STAFF_FIELDS, Cost, StaffRate

if TYPE_CHECKING:
    from shinchoku.plans.formats.dataset.convert import Builder, PlanPart


def plan_sections(
    builder: Builder, plan: dict[str, Any], path: JsonPath, levels: set[str]
) -> list[SectionContent]:
    """A plan's sections; absent from an older dataset: none."""
    sections: list[SectionContent] = []
    keys: dict[Any, JsonPath] = {}
    builtins: dict[Any, JsonPath] = {}
    for position, section in enumerate(plan.get("sections", [])):
        section_path: JsonPath = (*path, "sections", position)
        if section["level"] not in levels:
            builder.fail(
                (*section_path, "level"),
                _("no level %(key)r is in this plan's levels") % {"key": section["level"]},
            )
        builder.once(
            keys,
            (section["level"], section["key"]),
            (*section_path, "key"),
            _("the section appears twice for its level (also at %(other)s)"),
        )
        if section["builtin"]:
            builder.once(
                builtins,
                (section["level"], section["builtin"]),
                (*section_path, "builtin"),
                _("another section of the level is kept in this field (at %(other)s)"),
            )
        sections.append(
            {
                "key": section["key"],
                "name": section["name"],
                "name_en": section["name_en"],
                "level": section["level"],
                "scope": section["scope"],
                "builtin": section["builtin"],
                "position": position,
                "source": section_path,
            }
        )
    return sections


def staff_rates(builder: Builder, plan: dict[str, Any], path: JsonPath) -> list[StaffRateContent]:
    rates: list[StaffRateContent] = []
    years: dict[Any, JsonPath] = {}
    for index, rate in enumerate(plan.get("staff_rates", [])):
        rate_path: JsonPath = (*path, "staff_rates", index)
        year = builder.whole(rate["fiscal_year"], (*rate_path, "fiscal_year"), StaffRate, "fiscal_year", True)
        builder.once(
            years,
            year,
            (*rate_path, "fiscal_year"),
            _("a second hourly staff cost for this year (the first at %(other)s)"),
        )
        rates.append(
            {
                "fiscal_year": year,
                "hourly_cost": builder.whole(
                    rate["hourly_cost"], (*rate_path, "hourly_cost"), StaffRate, "hourly_cost"
                ),
                "source": rate_path,
            }
        )
    return rates


def section_texts(
    builder: Builder, texts: dict[str, str], path: JsonPath, part: PlanPart, level: str, scope: str
) -> dict[str, str]:
    """A node's or a result's texts, each of a section of its level of ``scope`` that has
    no field of its own."""
    sections = {section["key"]: section for section in part.content.sections if section["level"] == level}
    for key in texts:
        section = sections.get(key)
        if section is None:
            builder.fail(
                (*path, key),
                _("no section %(key)r is in the plan's sections for the level %(level)r")
                % {"key": key, "level": level},
            )
        elif section["scope"] != scope:
            builder.fail(
                (*path, key),
                _("the section %(key)r is about the node itself: its text goes with the node") % {"key": key}
                if section["scope"] == Section.Scope.NODE
                else _("the section %(key)r is about each fiscal year: its text goes with a result")
                % {"key": key},
            )
        elif section["builtin"]:
            builder.fail(
                (*path, key),
                _("the section %(key)r is kept in the field %(field)s: give its text there")
                % {"key": key, "field": section["builtin"]},
            )
    return dict(texts)


def costs(builder: Builder, data: dict[str, Any], nodes: dict[str, tuple[PlanPart, NodeContent]]) -> None:
    """Each cost on its node; the total is the dataset's own and is not read (it is
    computed when the cost is written)."""
    seen: dict[Any, JsonPath] = {}
    for index, cost in enumerate(data.get("costs", [])):
        path: JsonPath = ("costs", index)
        found = builder.node_of(nodes, cost, path)
        year = cost["fiscal_year"]
        if year is not None:
            year = builder.whole(year, (*path, "fiscal_year"), Cost, "fiscal_year", True)
        builder.once(
            seen,
            (cost["node_id"], year, cost["basis"]),
            (*path, "basis"),
            _("a second cost of the node for this year and basis (the first at %(other)s)"),
        )
        figures: dict[str, Any] = {}
        for name in COST_FIGURES:
            if name in STAFF_FIELDS:
                figures[name] = builder.decimal(cost, name, path, Cost, name)
            elif cost[name] is not None:
                figures[name] = builder.whole(cost[name], (*path, name), Cost, name)
        if found is None:
            continue
        _part, node = found
        node.costs.append(CostContent(fiscal_year=year, basis=cost["basis"], **figures, source=path))
