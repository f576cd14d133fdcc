"""A sheet read with its profile, turned into the plan's content
(``shinchoku.plans.content``) that ``shinchoku.plans.writing`` compares and writes.

The profile gives the plan, its levels, scales, dimensions, markers and sections; the
sheet's tree gives the nodes, each with its markers, unit, sections, the results of the
judged year (its ratings with their reasons) and of the other years its sections name,
its indicators with their values and its costs. The content carries the plan's structure,
results, indicators and costs; the nodes' targets are left as they are. The plan's
structure and its nodes are the sheet's, whole: what it does not hold of those is removed.
Of results, indicator values and costs the sheet speaks for its own years only
(``sheet_years``): the judged year's and the sections' years' results, each year block's
costs and indicator values (targets in plan and budget blocks, actuals in actual ones), the
whole period's cost; what is stored of other years is kept, so that next year's sheet
never removes an earlier year.

Every item's ``source`` is a ``Where``: a node's row and code cell, a rating's cell, an
indicator's name cell, a cost's first cell; what the profile defines (a level, a scale)
stands at its line of the profile.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from shinchoku.interchange.preview import Where
from shinchoku.plans.content import (
    COSTS,
    FIELDS,
    INDICATORS,
    RESULTS,
    STRUCTURE,
    CostContent,
    IndicatorContent,
    IndicatorValueContent,
    NodeContent,
    PlanContent,
    PlanFields,
    RatingContent,
    StaffRateContent,
    UnitContent,
    UnitRoleContent,
    YearResultContent,
    YearScope,
)
from shinchoku.plans.formats.planfile.spec import format_path
from shinchoku.plans.formats.profile.cells import Cells
from shinchoku.plans.formats.profile.costs import CostReading
from shinchoku.plans.formats.profile.layout import NodeReading, RowData, Tree
from shinchoku.plans.formats.profile.spec import PathKey, Profile

#: What a sheet read with a profile carries of a plan.
PARTS = frozenset({STRUCTURE, RESULTS, INDICATORS, COSTS})
#: The fields of a result that a builtin section of a year is kept in.
RESULT_FIELDS = frozenset({"text", "context_change", "response", "highlight"})


def _copied(kind: str, spec: Any, **given: Any) -> Any:
    """An item of the content of ``kind`` (its fields: ``content.FIELDS``): the ``given``
    fields, and each other one as the profile's ``spec`` has it by the same name."""
    return {**{name: getattr(spec, name) for name in FIELDS[kind] - given.keys()}, **given}


class _Converter:
    def __init__(self, profile: Profile, tree: Tree, cells: Cells, fiscal_year: int) -> None:
        self.profile = profile
        self.tree = tree
        self.cells = cells
        self.fiscal_year = fiscal_year
        self.judged = fiscal_year + profile.judged_year
        self.builtins = {(section.level, section.key): section.builtin for section in profile.sections}

    def at(self, path: PathKey) -> Where:
        """Where a key of the profile stands."""
        line = self.profile.line_of(path)
        place = format_path(path)
        name = _("line %(line)s, %(path)s") % {"line": line, "path": place} if line else place
        return Where(file=self.profile.file, name=name)

    def content(self) -> PlanContent:
        profile = self.profile
        plan = PlanFields(
            code=profile.plan_code,
            title=profile.plan_title,
            period_label=profile.period_label,
            first_year=profile.first_year,
            last_year=profile.last_year,
            onwards=False,
            description=profile.plan_description,
            note="",
            amount_unit=profile.amount_unit,
            source=self.at(("plan",)),
        )
        return PlanContent(
            plan=plan,
            levels=[
                _copied("level", level, depth=depth, source=self.at(level.path))
                for depth, level in enumerate(profile.levels)
            ],
            scales=[
                _copied(
                    "scale",
                    scale,
                    levels=[
                        _copied(
                            "scale_level",
                            level,
                            position=position,
                            source=self.at((*scale.path, "levels", position)),
                        )
                        for position, level in enumerate(scale.levels)
                    ],
                    source=self.at(scale.path),
                )
                for scale in profile.scales
            ],
            dimensions=[
                _copied("dimension", dimension, position=position, source=self.at(dimension.path))
                for position, dimension in enumerate(profile.dimensions)
            ],
            markers=[
                _copied("marker", marker, note="", position=position, source=self.at(marker.path))
                for position, marker in enumerate(profile.markers)
            ],
            units=[
                UnitContent(
                    code=unit.code,
                    name=unit.name,
                    kind=profile.unit.kind if profile.unit else "section",
                    parent="",
                    source=self.cells.where(unit.row, unit.column),
                )
                for unit in self.tree.units.values()
            ],
            nodes=[
                self.node(self.tree.nodes[code], position) for position, code in enumerate(self.tree.roots)
            ],
            parts=PARTS,
            sections=[
                _copied("section", section, position=position, source=self.at(section.path))
                for position, section in enumerate(profile.sections)
            ],
            years=sheet_years(profile, self.fiscal_year),
            staff_rates=[
                StaffRateContent(
                    fiscal_year=rate.fiscal_year,
                    hourly_cost=rate.hourly_cost,
                    source=self.at(("plan", "staff_rates", index)),
                )
                for index, rate in enumerate(profile.staff_rates)
            ],
        )

    def node(self, reading: NodeReading, position: int) -> NodeContent:
        data = reading.data
        node = NodeContent(
            level=reading.level.key,
            code=reading.code,
            title=reading.title,
            position=position,
            children=[
                self.node(self.tree.nodes[code], number) for number, code in enumerate(reading.children)
            ],
            source=self.cells.where(reading.row, reading.column),
        )
        if data is not None:
            self.own_data(node, data)
        return node

    def own_data(self, node: NodeContent, data: RowData) -> None:
        profile = self.profile
        node.label = data.fields.get("label", "") or data.label
        node.summary = data.fields.get("summary", "")
        node.baseline = data.fields.get("baseline", "")
        node.note = "\n".join(part for part in (data.fields.get("note", ""), *data.kept) if part)
        node.markers = list(data.markers)
        if data.unit and profile.unit is not None:
            node.units = [UnitRoleContent(data.unit, profile.unit.role, source=node.source)]
        for key, text in data.node_sections.items():
            builtin = self.builtins.get((node.level, key), "")
            if builtin in ("summary", "baseline"):
                setattr(node, builtin, text)
            elif text:
                node.sections[key] = text
        node.results = self.results(node, data)
        node.costs = [self.cost(cost) for cost in data.costs]
        node.indicators = [
            IndicatorContent(
                name=indicator.name,
                direction=profile.direction,
                kind=indicator.kind,
                unit=indicator.unit,
                values=[
                    IndicatorValueContent(
                        fiscal_year=year,
                        target=indicator.targets.get(year),
                        actual=indicator.actuals.get(year),
                        source=self.cells.where(indicator.row, indicator.column),
                    )
                    for year in indicator.years
                ],
                position=position,
                source=self.cells.where(indicator.row, indicator.column),
            )
            for position, indicator in enumerate(data.indicators)
        ]

    def cost(self, cost: CostReading) -> CostContent:
        """A cost as the content gives it: its figures as read, without the sheet's total."""
        figures = cost.values

        def amount(name: str) -> int | None:
            value = figures.get(name)
            return None if value is None else int(value)

        def quantity(name: str) -> Decimal | None:
            value = figures.get(name)
            return None if value is None else Decimal(value)

        return CostContent(
            fiscal_year=cost.fiscal_year,
            basis=cost.basis,
            national=amount("national"),
            prefectural=amount("prefectural"),
            bonds=amount("bonds"),
            other=amount("other"),
            general=amount("general"),
            project_cost=amount("project_cost"),
            staff_count=quantity("staff_count"),
            staff_hours=quantity("staff_hours"),
            staff_cost=amount("staff_cost"),
            source=self.cells.where(cost.row, cost.column),
        )

    def results(self, node: NodeContent, data: RowData) -> list[YearResultContent]:
        years = {year for _key, year in data.year_sections}
        if data.ratings:
            years.add(self.judged)
        results = []
        for year in sorted(years):
            result = YearResultContent(fiscal_year=year, source=self.cells.where(data.row, 1))
            for (key, of_year), text in data.year_sections.items():
                builtin = self.builtins.get((node.level, key), "")
                if of_year != year:
                    continue
                if builtin in RESULT_FIELDS:
                    setattr(result, builtin, text)
                else:
                    result.sections[key] = text
            if year == self.judged:
                result.ratings = [
                    RatingContent(
                        rating.dimension,
                        rating.level,
                        reason=rating.reason,
                        source=self.cells.where(rating.row, rating.column),
                    )
                    for rating in data.ratings
                ]
            results.append(result)
        return results


def sheet_years(profile: Profile, fiscal_year: int) -> YearScope:
    """What of each fiscal year a sheet of ``fiscal_year`` speaks for (see the module docstring)."""
    results = {fiscal_year + profile.judged_year} if profile.dimensions else set()
    for section in profile.sections:
        if section.scope == "year":
            results.update(fiscal_year + (entry.year or 0) for entry in section.columns)
    costs: set[tuple[int | None, str]] = set()
    targets: set[int] = set()
    actuals: set[int] = set()
    years = profile.years
    if years is not None:
        for block in years.blocks:
            year = block.fiscal_year_of(fiscal_year)
            if years.costs:
                costs.add((year, block.basis))
            if years.indicators:
                (actuals if block.basis == "actual" else targets).add(year)
    if profile.whole_period is not None:
        costs.add((None, profile.whole_period.basis))
    return YearScope(frozenset(results), frozenset(costs), frozenset(targets), frozenset(actuals))


def plan_content(profile: Profile, tree: Tree, cells: Cells, fiscal_year: int) -> PlanContent:
    """The plan's content the sheet and its profile give (see the module docstring)."""
    return _Converter(profile, tree, cells, fiscal_year).content()
