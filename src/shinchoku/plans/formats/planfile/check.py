"""Checking a plan data file: the parsed document in, a PlanContent or every problem out.

The checker reads the document and applies the rules that need no database: the
keys each mapping allows and requires, the references between the sections (a
node's level, markers and units, a dimension's scale, a rating's code), the
plan's years, with the models' own limits (field lengths, number ranges, the
node code validator), so that a problem is named with its line. It collects
every problem instead of stopping at the first; ``read_plan_file`` raises them
all in one PlanFileError. What the models and the database decide is left to
the writer (``shinchoku.plans.writing``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from shinchoku.plans import models
from shinchoku.plans.content import (
    DimensionContent,
    IndicatorContent,
    IndicatorValueContent,
    LevelContent,
    MarkerContent,
    NodeContent,
    PlanContent,
    PlanFields,
    RatingContent,
    ScaleContent,
    ScaleLevelContent,
    SectionContent,
    TargetContent,
    UnitContent,
    UnitRoleContent,
    YearResultContent,
)
from shinchoku.plans.formats.matching import identity
from shinchoku.plans.formats.planfile.extras import ExtrasChecker
from shinchoku.plans.formats.planfile.spec import (
    FORMAT,
    Path_,
    PlanFile,
    PlanFileError,
    Problem,
    format_path,
)
from shinchoku.plans.formats.planfile.values import (
    field_decimal_limits,
    field_int_range,
    kind_of,
)
from shinchoku.plans.formats.planfile.yamlsource import SourceError, read_located
from shinchoku.plans.period import Period
from shinchoku.progress.models import Indicator, IndicatorValue, Result, Target
from shinchoku.text import normalize

_YEARS = re.compile(r"^\s*(\d{4})\s*(?:(-)\s*(\d{4})?)?\s*$")


class Checker(ExtrasChecker):
    """Walks the parsed document, collecting problems instead of stopping at the first."""

    def once(
        self,
        items: Sequence[Mapping[str, object]],
        item: Mapping[str, object],
        key: str,
        path: Path_,
        noun: str,
    ) -> None:
        """Refuse a second definition of the same ``key`` within a section."""
        if any(other[key] == item[key] for other in items):
            self.fail((*path, key), f"the {noun} {item[key]!r} is defined twice")

    # -- the document

    def check(self) -> PlanContent:
        root = self.mapping(
            self.located.data,
            (),
            {
                "format",
                "source",
                "plan",
                "levels",
                "scales",
                "dimensions",
                "markers",
                "sections",
                "units",
                "staff_rates",
                "nodes",
            },
            {"format", "plan", "levels", "nodes"},
        )
        if root and root.get("format") != FORMAT:
            self.fail(("format",), f"must be {FORMAT!r}; found {root.get('format')!r}")
        plan = self.check_plan(root.get("plan"))
        levels = self.check_levels(root.get("levels"))
        scales = self.check_scales(root.get("scales"))
        dimensions = self.check_dimensions(root.get("dimensions"), levels, scales)
        markers = self.check_markers(root.get("markers"))
        sections = self.check_sections(root.get("sections"), levels)
        units = self.check_units(root.get("units"))
        period = (
            Period(plan["first_year"], plan["last_year"], plan["onwards"])
            if plan["first_year"] and plan["last_year"]
            else None
        )
        staff_rates = self.check_staff_rates(root.get("staff_rates"), period)
        context = _NodeContext(
            plan=plan,
            levels={level["key"]: level for level in levels},
            dimensions=dimensions,
            scales={scale["code"]: scale for scale in scales},
            markers={marker["symbol"] for marker in markers},
            units={unit["code"] for unit in units},
            sections=sections,
            period=period,
        )
        nodes = [
            self.check_node(item, ("nodes", index), None, context)
            for index, item in enumerate(self.sequence(root.get("nodes"), ("nodes",), required=True))
        ]
        return PlanContent(
            plan,
            levels,
            scales,
            dimensions,
            markers,
            units,
            [n for n in nodes if n],
            sections=sections,
            staff_rates=staff_rates,
            places={
                name: (name,)
                for name in ("levels", "dimensions", "markers", "sections", "staff_rates", "nodes")
            },
        )

    def check_plan(self, value: Any) -> PlanFields:
        path: Path_ = ("plan",)
        data = self.mapping(
            value,
            path,
            {
                "code",
                "title",
                "period_label",
                "first_year",
                "last_year",
                "onwards",
                "description",
                "note",
                "amount_unit",
            },
            {"code", "title", "first_year", "last_year"},
        )
        plan: PlanFields = {
            "code": self.field_slug(models.Plan, data, "code", path),
            "title": self.field_text(models.Plan, data, "title", path, required=True),
            "period_label": self.field_text(models.Plan, data, "period_label", path),
            # 0 for a year that is missing or refused (a problem is then reported).
            "first_year": self.integer(
                data, "first_year", path, field_int_range(models.Plan, "first_year", year=True)
            )
            or 0,
            "last_year": self.integer(
                data, "last_year", path, field_int_range(models.Plan, "last_year", year=True)
            )
            or 0,
            "onwards": self.boolean(data, "onwards", path, True),
            "description": self.text(data, "description", path),
            "note": self.text(data, "note", path),
            "amount_unit": self.choice(
                data, "amount_unit", path, [unit.value for unit in models.AmountUnit], models.AmountUnit.YEN
            ),
            "source": path,
        }
        if plan["first_year"] and plan["last_year"] and plan["last_year"] < plan["first_year"]:
            self.fail((*path, "last_year"), "the period ends before it starts")
        return plan

    def check_levels(self, value: Any) -> list[LevelContent]:
        levels: list[LevelContent] = []
        kinds = [kind.value for kind in models.Level.Kind]
        for index, item in enumerate(self.sequence(value, ("levels",), required=True)):
            path: Path_ = ("levels", index)
            data = self.mapping(item, path, {"key", "kind", "name", "name_en", "rated"}, {"key", "name"})
            key = self.field_slug(models.Level, data, "key", path)
            level: LevelContent = {
                "depth": index,
                "key": key,
                # A key that names a kind (plan, programme, measure, project) is that kind.
                "kind": self.choice(
                    data, "kind", path, kinds, key if key in kinds else models.Level.Kind.OTHER.value
                ),
                "name": self.field_text(models.Level, data, "name", path, required=True),
                "name_en": self.field_text(models.Level, data, "name_en", path),
                "rated": self.boolean(data, "rated", path, False),
                "source": path,
            }
            self.once(levels, level, "key", path, "level")
            levels.append(level)
        return levels

    def check_scales(self, value: Any) -> list[ScaleContent]:
        scales: list[ScaleContent] = []
        for index, item in enumerate(self.sequence(value, ("scales",))):
            path: Path_ = ("scales", index)
            data = self.mapping(
                item, path, {"code", "name", "name_en", "good_end", "description", "levels"}, {"code", "name"}
            )
            scale: ScaleContent = {
                "code": self.field_slug(models.Scale, data, "code", path),
                "name": self.field_text(models.Scale, data, "name", path, required=True),
                "name_en": self.field_text(models.Scale, data, "name_en", path),
                "good_end": self.choice(
                    data, "good_end", path, [g.value for g in models.Scale.GoodEnd], "first"
                ),
                "description": self.text(data, "description", path),
                "levels": [],
                "source": path,
            }
            self.once(scales, scale, "code", path, "scale")
            for level_index, level_item in enumerate(
                self.sequence(data.get("levels"), (*path, "levels"), True)
            ):
                level_path: Path_ = (*path, "levels", level_index)
                level_data = self.mapping(
                    level_item,
                    level_path,
                    {"code", "label", "label_en", "adverse", "row_label", "column_label"},
                    {"code", "label"},
                )
                level: ScaleLevelContent = {
                    "code": self.field_text(
                        models.ScaleLevel, level_data, "code", level_path, required=True, exact=True
                    ),
                    "label": self.field_text(
                        models.ScaleLevel, level_data, "label", level_path, required=True
                    ),
                    "label_en": self.field_text(models.ScaleLevel, level_data, "label_en", level_path),
                    "adverse": self.boolean(level_data, "adverse", level_path, False),
                    "position": level_index,
                    "row_label": self.field_text(models.ScaleLevel, level_data, "row_label", level_path),
                    "column_label": self.field_text(
                        models.ScaleLevel, level_data, "column_label", level_path
                    ),
                    "source": level_path,
                }
                if any(other["code"] == level["code"] for other in scale["levels"]):
                    self.fail(
                        (*level_path, "code"), f"the code {level['code']!r} appears twice on this scale"
                    )
                scale["levels"].append(level)
            scales.append(scale)
        return scales

    def check_dimensions(
        self, value: Any, levels: list[LevelContent], scales: list[ScaleContent]
    ) -> list[DimensionContent]:
        dimensions: list[DimensionContent] = []
        level_keys = {level["key"]: level for level in levels}
        scale_codes = {scale["code"] for scale in scales}
        for index, item in enumerate(self.sequence(value, ("dimensions",))):
            path: Path_ = ("dimensions", index)
            data = self.mapping(
                item,
                path,
                {"key", "name", "name_en", "level", "scale", "primary"},
                {"key", "name", "level", "scale"},
            )
            dimension: DimensionContent = {
                "key": self.field_slug(models.Dimension, data, "key", path),
                "name": self.field_text(models.Dimension, data, "name", path, required=True),
                "name_en": self.field_text(models.Dimension, data, "name_en", path),
                "level": self.text(data, "level", path, required=True, exact=True),
                "scale": self.text(data, "scale", path, required=True, exact=True),
                "primary": self.boolean(data, "primary", path, False),
                "position": index,
                "source": path,
            }
            level = level_keys.get(dimension["level"])
            if dimension["level"] and level is None:
                self.fail((*path, "level"), _undefined("level", dimension["level"]))
            elif level is not None and not level["rated"]:
                self.fail((*path, "level"), f"the level {dimension['level']!r} is not rated")
            if dimension["scale"] and dimension["scale"] not in scale_codes:
                self.fail((*path, "scale"), _undefined("scale", dimension["scale"]))
            for other in dimensions:
                if other["level"] == dimension["level"] and other["key"] == dimension["key"]:
                    self.fail((*path, "key"), f"the dimension {dimension['key']!r} is defined twice")
            dimensions.append(dimension)
        for index in models.primary_clashes((d["level"], d["primary"]) for d in dimensions):
            self.fail((*dimensions[index]["source"], "primary"), "a level has at most one primary dimension")
        return dimensions

    def check_markers(self, value: Any) -> list[MarkerContent]:
        markers: list[MarkerContent] = []
        for index, item in enumerate(self.sequence(value, ("markers",))):
            path: Path_ = ("markers", index)
            data = self.mapping(item, path, {"symbol", "name", "name_en", "meaning", "note"}, {"symbol"})
            marker: MarkerContent = {
                "symbol": self.field_text(models.Marker, data, "symbol", path, required=True, exact=True),
                "name": self.field_text(models.Marker, data, "name", path),
                "name_en": self.field_text(models.Marker, data, "name_en", path),
                "meaning": self.text(data, "meaning", path),
                "note": self.text(data, "note", path),
                "position": index,
                "source": path,
            }
            marker["name"] = marker["name"] or marker["symbol"]
            self.once(markers, marker, "symbol", path, "marker")
            markers.append(marker)
        return markers

    def check_units(self, value: Any) -> list[UnitContent]:
        units: list[UnitContent] = []
        kinds = [kind.value for kind in models.OrgUnit.Kind]
        for index, item in enumerate(self.sequence(value, ("units",))):
            path: Path_ = ("units", index)
            # Every key is stored: a unit has no note (a note would be silently lost).
            data = self.mapping(item, path, {"code", "name", "kind", "parent"}, {"code", "name"})
            unit: UnitContent = {
                "code": self.field_slug(models.OrgUnit, data, "code", path),
                # A unit's name is how a structure sheet names it: kept exactly as written.
                "name": self.field_text(models.OrgUnit, data, "name", path, required=True, exact=True),
                "kind": self.choice(data, "kind", path, kinds, models.OrgUnit.Kind.SECTION.value),
                "parent": self.text(data, "parent", path, exact=True),
                "source": path,
            }
            if unit["parent"] and not any(other["code"] == unit["parent"] for other in units):
                self.fail((*path, "parent"), f"no unit {unit['parent']!r} is defined above this one")
            self.once(units, unit, "code", path, "unit")
            units.append(unit)
        return units

    def check_node(
        self, value: Any, path: Path_, parent_level: LevelContent | None, ctx: _NodeContext
    ) -> NodeContent | None:
        data = self.mapping(
            value,
            path,
            {
                "level",
                "code",
                "label",
                "title",
                "summary",
                "baseline",
                "note",
                "markers",
                "units",
                "targets",
                "results",
                "indicators",
                "costs",
                "sections",
                "children",
            },
            {"level", "code", "title"},
        )
        if not data:
            return None
        level_key = self.text(data, "level", path, required=True, exact=True)
        level = ctx.levels.get(level_key)
        if level_key and level is None:
            self.fail((*path, "level"), _undefined("level", level_key))
        elif level is not None:
            if parent_level is None and level["depth"] != 0:
                self.fail((*path, "level"), f"a top node must be of the top level {_top(ctx)!r}")
            if parent_level is not None and level["depth"] <= parent_level["depth"]:
                self.fail((*path, "level"), f"must be a level below {parent_level['key']!r}")
        code = self.field_text(models.Node, data, "code", path, required=True, exact=True)
        if code:
            try:
                models.node_code_validator(code)
            except ValidationError as error:
                self.fail((*path, "code"), " ".join(error.messages))
        if code in ctx.codes:
            self.fail(
                (*path, "code"), f"the code {code!r} is used by another node ({format_path(ctx.codes[code])})"
            )
        ctx.codes.setdefault(code, path)

        markers = []
        for index, symbol in enumerate(self.sequence(data.get("markers"), (*path, "markers"))):
            symbol = identity(symbol) if isinstance(symbol, str | int) else ""
            if symbol not in ctx.markers:
                self.fail((*path, "markers", index), _undefined("marker", symbol))
            markers.append(symbol)
        units = []
        roles = [role.value for role in models.NodeUnit.Role]
        for index, item in enumerate(self.sequence(data.get("units"), (*path, "units"))):
            unit_path: Path_ = (*path, "units", index)
            unit_data = self.mapping(item, unit_path, {"unit", "role"}, {"unit"})
            unit_code = self.text(unit_data, "unit", unit_path, required=True, exact=True)
            if unit_code and unit_code not in ctx.units:
                self.fail((*unit_path, "unit"), _undefined("unit", unit_code))
            role = self.choice(unit_data, "role", unit_path, roles, models.NodeUnit.Role.RESPONSIBLE.value)
            units.append(UnitRoleContent(unit_code, role, source=unit_path))

        rated = bool(level and level["rated"])
        targets = [
            self.check_target(item, (*path, "targets", index), ctx)
            for index, item in enumerate(self.sequence(data.get("targets"), (*path, "targets")))
        ]
        results_raw = self.sequence(data.get("results"), (*path, "results"))
        if results_raw and level is not None and not rated:
            self.fail(
                (*path, "results"), f"the level {level_key!r} is not rated; results attach to rated levels"
            )
        results: list[YearResultContent] = []
        for index, item in enumerate(results_raw):
            result = self.check_result(item, (*path, "results", index), level_key, ctx)
            if result and any(other.fiscal_year == result.fiscal_year for other in results):
                self.fail((*path, "results", index, "year"), f"a second result for {result.fiscal_year}")
            if result:
                results.append(result)
        indicators = [
            self.check_indicator(item, (*path, "indicators", index), ctx)
            for index, item in enumerate(self.sequence(data.get("indicators"), (*path, "indicators")))
        ]
        spec = NodeContent(
            level=level_key,
            code=code,
            title=self.field_text(models.Node, data, "title", path, required=True),
            label=self.field_text(models.Node, data, "label", path),
            summary=self.text(data, "summary", path),
            baseline=self.text(data, "baseline", path),
            note=self.text(data, "note", path),
            markers=markers,
            units=units,
            targets=[t for t in targets if t],
            results=results,
            indicators=[i for i in indicators if i],
            costs=self.check_costs(data.get("costs"), (*path, "costs"), rated, ctx.period),
            sections=self.check_texts(
                data.get("sections"), (*path, "sections"), level_key, models.Section.Scope.NODE, ctx.sections
            ),
            position=_index(path),
            source=path,
        )
        for index, item in enumerate(self.sequence(data.get("children"), (*path, "children"))):
            child = self.check_node(item, (*path, "children", index), level, ctx)
            if child:
                spec.children.append(child)
        return spec

    def check_years(self, value: Any, path: Path_, ctx: _NodeContext) -> tuple[int, int, bool] | None:
        plan = ctx.plan
        if not plan["first_year"] or not plan["last_year"]:
            return None
        match = _YEARS.match(normalize(str(value))) if isinstance(value, str | int) else None
        if not match:
            self.fail(
                path, f'expected a year ("2012"), a span ("2012-2013") or onwards ("2014-"); found {value!r}'
            )
            return None
        start = int(match.group(1))
        period = Period(plan["first_year"], plan["last_year"], plan["onwards"])
        onwards_year = period.onwards_year
        if match.group(2):
            if match.group(3):
                end, open_end = int(match.group(3)), False
            elif onwards_year is None:
                self.fail(path, "the plan has no onwards column (plan.onwards is false)")
                return None
            else:
                end, open_end = onwards_year, True
        else:
            end, open_end = start, start == onwards_year
        for year in (start, end):
            if year not in period.target_years:
                self.fail(
                    path, f"{year} is outside the plan's years {period.first}–{period.target_years[-1]}"
                )
                return None
        if end < start:
            self.fail(path, f"the span ends ({end}) before it starts ({start})")
            return None
        return start, end, open_end

    def check_target(self, value: Any, path: Path_, ctx: _NodeContext) -> TargetContent | None:
        data = self.mapping(value, path, {"row", "years", "text", "revised", "note"}, {"years", "text"})
        if not data:
            return None
        low, high = field_int_range(Target, "row")
        row = self.integer(data, "row", path, (max(low, 1), high), required=False)
        years = self.check_years(data.get("years"), (*path, "years"), ctx)
        text = self.text(data, "text", path, required=True)
        revised_text = revision_reason = ""
        if data.get("revised") is not None:
            revised = self.mapping(
                data["revised"], (*path, "revised"), {"text", "reason"}, {"text", "reason"}
            )
            revised_text = self.text(revised, "text", (*path, "revised"), required=True)
            revision_reason = self.text(revised, "reason", (*path, "revised"), required=True)
        if years is None:
            return None
        start, end, open_end = years
        return TargetContent(
            row=row if row is not None else 1,
            start_year=start,
            end_year=end,
            open_end=open_end,
            text=text,
            revised_text=revised_text,
            revision_reason=revision_reason,
            note=self.text(data, "note", path),
            position=_index(path),
            source=path,
        )

    def check_result(
        self, value: Any, path: Path_, level_key: str, ctx: _NodeContext
    ) -> YearResultContent | None:
        data = self.mapping(
            value,
            path,
            {"year", "text", "ratings", "context_change", "response", "highlight", "note", "sections"},
            {"year"},
        )
        if not data:
            return None
        year = self.integer(data, "year", path, field_int_range(Result, "fiscal_year", year=True))
        plan = ctx.plan
        first, last = plan["first_year"], plan["last_year"]
        if year is not None and first and last and year not in Period(first, last).result_years:
            self.fail((*path, "year"), f"{year} is outside the plan period {first}–{last}")
            year = None
        ratings: list[RatingContent] = []
        raw = data.get("ratings") or {}
        if not isinstance(raw, dict):
            self.fail((*path, "ratings"), f"expected a mapping of dimension to code, found {kind_of(raw)}")
            raw = {}
        for key, code in raw.items():
            rating_path: Path_ = (*path, "ratings", key)
            dimension = next((d for d in ctx.dimensions if d["key"] == key and d["level"] == level_key), None)
            if dimension is None:
                self.fail(rating_path, f"no dimension {key!r} is defined for the level {level_key!r}")
                continue
            reason = ""
            if isinstance(code, dict):
                rating = self.mapping(code, rating_path, {"code", "reason"}, {"code"})
                code, reason = rating.get("code"), self.text(rating, "reason", rating_path)
            if code is None:
                continue
            code_text = identity(code) if isinstance(code, str | int) and not isinstance(code, bool) else None
            scale = ctx.scales.get(dimension["scale"])
            codes = [level["code"] for level in scale["levels"]] if scale else []
            if code_text not in codes:
                self.fail(
                    rating_path, f"{code!r} is not on the scale {dimension['scale']!r} ({', '.join(codes)})"
                )
                continue
            ratings.append(RatingContent(key, code_text, rating_path, reason=reason))
        if year is None:
            return None
        return YearResultContent(
            fiscal_year=year,
            text=self.text(data, "text", path),
            ratings=ratings,
            context_change=self.text(data, "context_change", path),
            response=self.text(data, "response", path),
            highlight=self.text(data, "highlight", path),
            note=self.text(data, "note", path),
            sections=self.check_texts(
                data.get("sections"), (*path, "sections"), level_key, models.Section.Scope.YEAR, ctx.sections
            ),
            source=path,
        )

    def check_indicator(self, value: Any, path: Path_, ctx: _NodeContext) -> IndicatorContent | None:
        data = self.mapping(
            value, path, {"name", "kind", "unit", "direction", "baseline", "values"}, {"name", "direction"}
        )
        if not data:
            return None
        baseline_value = baseline_year = None
        if data.get("baseline") is not None:
            baseline_path: Path_ = (*path, "baseline")
            baseline = self.mapping(data["baseline"], baseline_path, {"value", "year"}, {"value"})
            baseline_value = self.decimal(
                baseline, "value", baseline_path, field_decimal_limits(Indicator, "baseline_value")
            )
            baseline_year = self.integer(
                baseline,
                "year",
                baseline_path,
                field_int_range(Indicator, "baseline_year", year=True),
                required=False,
            )
        values: list[IndicatorValueContent] = []
        for index, item in enumerate(self.sequence(data.get("values"), (*path, "values"))):
            value_path: Path_ = (*path, "values", index)
            value_data = self.mapping(item, value_path, {"year", "target", "actual"}, {"year"})
            years = (
                self.check_years(value_data.get("year"), (*value_path, "year"), ctx) if value_data else None
            )
            target = self.decimal(
                value_data, "target", value_path, field_decimal_limits(IndicatorValue, "target")
            )
            actual = self.decimal(
                value_data, "actual", value_path, field_decimal_limits(IndicatorValue, "actual")
            )
            if years is None:
                continue
            if years[0] != years[1] or any(existing.fiscal_year == years[0] for existing in values):
                self.fail((*value_path, "year"), "one value row per single fiscal year")
                continue
            values.append(IndicatorValueContent(years[0], target, actual, source=value_path))
        return IndicatorContent(
            name=self.field_text(Indicator, data, "name", path, required=True),
            kind=self.choice(
                data, "kind", path, [k.value for k in Indicator.Kind], Indicator.Kind.OUTCOME.value
            ),
            unit=self.field_text(Indicator, data, "unit", path),
            direction=self.choice(data, "direction", path, [d.value for d in Indicator.Direction]),
            baseline_value=baseline_value,
            baseline_year=baseline_year,
            values=values,
            position=_index(path),
            source=path,
        )


@dataclass
class _NodeContext:
    plan: PlanFields
    levels: dict[str, LevelContent]
    dimensions: list[DimensionContent]
    scales: dict[str, ScaleContent]
    markers: set[str]
    units: set[str]
    sections: list[SectionContent]
    period: Period | None
    codes: dict[str, Path_] = field(default_factory=dict)


def _index(path: Path_) -> int:
    """An item's place in its list: the last part of its path."""
    last = path[-1] if path else 0
    return last if isinstance(last, int) else 0


def _undefined(noun: str, name: str) -> str:
    """A reference to what its section (levels, scales, markers, units) does not define."""
    return f"no {noun} {name!r} is defined under {noun}s"


def _top(ctx: _NodeContext) -> str:
    return next((key for key, level in ctx.levels.items() if level["depth"] == 0), "")


# ---------------------------------------------------------------- reading


def read_plan_file(path: Path) -> PlanFile:
    """Read and check a plan data file into a plan's content. Raises PlanFileError
    listing every problem."""
    try:
        located = read_located(path)
    except SourceError as error:
        raise PlanFileError(
            str(path), [Problem(problem.path, problem.message, problem.line) for problem in error.problems]
        ) from error
    checker = Checker(located)
    content = checker.check()
    if checker.problems:
        raise PlanFileError(str(path), checker.problems)
    return PlanFile(path, content, located)
