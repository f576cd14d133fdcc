"""Checking what a plan data file says beyond its tree: the plan's sections of text and
the texts a node or a result holds of them, the plan's hourly staff costs, and a node's
costs (docs/plan-file.md, "Sections" and "Costs")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shinchoku.plans import models
from shinchoku.plans.content import COST_FIGURES, CostContent, LevelContent, SectionContent, StaffRateContent
from shinchoku.plans.formats.planfile.spec import Path_
from shinchoku.plans.formats.planfile.values import (
    ValueChecker,
    field_decimal_limits,
    field_int_range,
    kind_of,
)
from shinchoku.plans.period import Period
from shinchoku.progress.models import STAFF_FIELDS, Cost, StaffRate

#: The keys of a cost in the file: its year and basis, and its figures.
COST_KEYS = frozenset({"year", "basis", *COST_FIGURES})


class ExtrasChecker(ValueChecker):
    """The checks of sections, staff costs and costs, for the plan data file's checker."""

    def check_sections(self, value: Any, levels: list[LevelContent]) -> list[SectionContent]:
        sections: list[SectionContent] = []
        level_keys = {level["key"]: level for level in levels}
        scopes = [scope.value for scope in models.Section.Scope]
        builtins = [builtin.value for builtin in models.Section.Builtin if builtin.value]
        for index, item in enumerate(self.sequence(value, ("sections",))):
            path: Path_ = ("sections", index)
            data = self.mapping(
                item,
                path,
                {"key", "name", "name_en", "level", "scope", "builtin"},
                {"key", "name", "level"},
            )
            builtin = self.choice(data, "builtin", path, ["", *builtins], "") if data.get("builtin") else ""
            default_scope = (
                models.Section.Scope.NODE
                if not builtin or builtin in models.Section.NODE_BUILTINS
                else models.Section.Scope.YEAR
            )
            section: SectionContent = {
                "key": self.field_slug(models.Section, data, "key", path),
                "name": self.field_text(models.Section, data, "name", path, required=True),
                "name_en": self.field_text(models.Section, data, "name_en", path),
                "level": self.text(data, "level", path, required=True, exact=True),
                "scope": self.choice(data, "scope", path, scopes, default_scope.value),
                "builtin": builtin,
                "position": index,
                "source": path,
            }
            level = level_keys.get(section["level"])
            if section["level"] and level is None:
                self.fail((*path, "level"), f"no level {section['level']!r} is defined under levels")
            elif level is not None and section["scope"] == models.Section.Scope.YEAR and not level["rated"]:
                self.fail((*path, "scope"), f"the level {section['level']!r} is not rated: it has no years")
            if builtin and section["scope"] != default_scope:
                self.fail((*path, "builtin"), f"{builtin!r} is a field of {_about(default_scope)}")
            for other in sections:
                if other["level"] != section["level"]:
                    continue
                if other["key"] == section["key"]:
                    self.fail((*path, "key"), f"the section {section['key']!r} is defined twice")
                if builtin and other["builtin"] == builtin:
                    self.fail((*path, "builtin"), f"another section of the level is kept in {builtin!r}")
            sections.append(section)
        return sections

    def check_texts(
        self, value: Any, path: Path_, level: str, scope: str, sections: list[SectionContent]
    ) -> dict[str, str]:
        """A node's or a result's texts of its level's sections (``{key: text}``): sections
        of ``scope`` without a field of their own; an empty text is left out."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping of section key to text, found {kind_of(value)}")
            return {}
        texts: dict[str, str] = {}
        for key in value:
            section = next((s for s in sections if s["level"] == level and s["key"] == key), None)
            if section is None:
                self.fail((*path, key), f"no section {key!r} is defined for the level {level!r}")
            elif section["scope"] != scope:
                self.fail((*path, key), f"the section {key!r} is about {_about(section['scope'])}")
            elif section["builtin"]:
                self.fail(
                    (*path, key), f"the section {key!r} is kept in {section['builtin']!r}: write it there"
                )
            else:
                text = self.text(value, key, path)
                if text:
                    texts[str(key)] = text
        return texts

    def check_staff_rates(self, value: Any, period: Period | None) -> list[StaffRateContent]:
        rates: list[StaffRateContent] = []
        for index, item in enumerate(self.sequence(value, ("staff_rates",))):
            path: Path_ = ("staff_rates", index)
            data = self.mapping(item, path, {"year", "hourly_cost"}, {"year", "hourly_cost"})
            year = self.integer(data, "year", path, field_int_range(StaffRate, "fiscal_year", year=True))
            hourly = self.integer(data, "hourly_cost", path, field_int_range(StaffRate, "hourly_cost"))
            if year is not None and period is not None and year not in period.target_years:
                self.fail((*path, "year"), _outside(year, period.target_years))
                year = None
            if year is not None and any(rate["fiscal_year"] == year for rate in rates):
                self.fail((*path, "year"), f"a second hourly staff cost for {year}")
                year = None
            if year is not None and hourly is not None:
                rates.append(StaffRateContent(fiscal_year=year, hourly_cost=hourly, source=path))
        return rates

    def check_costs(self, value: Any, path: Path_, rated: bool, period: Period | None) -> list[CostContent]:
        raw = self.sequence(value, path)
        if raw and not rated:
            self.fail(path, "the node's level is not rated; costs attach to rated levels")
            return []
        costs: list[CostContent] = []
        bases = [basis.value for basis in Cost.Basis]
        for index, item in enumerate(raw):
            cost_path: Path_ = (*path, index)
            if isinstance(item, dict) and "total_cost" in item:
                self.fail((*cost_path, "total_cost"), "the total is computed (A + B): leave it out")
                item = {key: part for key, part in item.items() if key != "total_cost"}
            data = self.mapping(item, cost_path, COST_KEYS, {"basis"})
            basis = self.choice(data, "basis", cost_path, bases)
            year = self.integer(
                data, "year", cost_path, field_int_range(Cost, "fiscal_year", year=True), required=False
            )
            if year is not None and period is not None:
                years = period.cost_years(basis != Cost.Basis.ACTUAL)
                if year not in years:
                    self.fail((*cost_path, "year"), _outside(year, years))
                    continue
            figures = self.figures(data, cost_path)
            if any((other.fiscal_year, other.basis) == (year, basis) for other in costs):
                self.fail(cost_path, f"a second {basis} cost for {year or 'the whole period'}")
                continue
            costs.append(
                CostContent(
                    fiscal_year=year,
                    basis=basis,
                    **figures,
                    source=cost_path,
                )
            )
        return costs

    def figures(self, data: Mapping[str, Any], path: Path_) -> dict[str, Any]:
        """A cost's amounts (whole yen, never negative) and staff figures (two decimals)."""
        figures: dict[str, Any] = {}
        for name in COST_FIGURES:
            if name in STAFF_FIELDS:
                number = self.decimal(dict(data), name, path, field_decimal_limits(Cost, name))
                if number is not None and number < 0:
                    self.fail((*path, name), "must not be negative")
                    number = None
                figures[name] = number
                continue
            amount = data.get(name)
            if isinstance(amount, int) and not isinstance(amount, bool) and amount < 0:
                self.fail((*path, name), "an amount is never negative")
                figures[name] = None
                continue
            figures[name] = self.integer(dict(data), name, path, field_int_range(Cost, name), required=False)
        return figures


def _about(scope: str) -> str:
    return "the node itself" if scope == models.Section.Scope.NODE else "each fiscal year"


def _outside(year: int, years: range) -> str:
    return f"{year} is outside the years {years.start}–{years.stop - 1} it may name"
