"""Checking a plan data file: the parsed document in, a PlanSpec or every problem out.

The checker reads the document and applies the rules that need no database: the
keys each mapping allows and requires, the references between the sections (a
node's level, markers and units, a dimension's scale, a rating's code), the
plan's years, with the models' own limits (field lengths, number ranges, the
node code validator), so that a problem is named with its line. It collects
every problem instead of stopping at the first; ``read_plan_file`` raises them
all in one PlanFileError. What the models and the database decide is left to
the writer (write.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from shinchoku.plans.formats.matching import identity
from shinchoku.plans.formats.planfile.spec import (
    FORMAT,
    DimensionData,
    IndicatorSpec,
    LevelData,
    MarkerData,
    NodeSpec,
    Path_,
    PlanData,
    PlanFileError,
    PlanSpec,
    Problem,
    ResultSpec,
    ScaleData,
    ScaleLevelData,
    TargetSpec,
    UnitData,
    UnitRoleSpec,
    ValueSpec,
    format_path,
)
from shinchoku.plans.formats.planfile.values import (
    ValueChecker,
    field_decimal_limits,
    field_int_range,
    field_max_length,
    kind_of,
)
from shinchoku.plans.formats.planfile.yamlsource import SourceError, read_located
from shinchoku.plans.models import (
    Dimension,
    Level,
    Marker,
    Node,
    NodeUnit,
    OrgUnit,
    Plan,
    Scale,
    ScaleLevel,
    node_code_validator,
)
from shinchoku.progress.models import Indicator, IndicatorValue, Result, Target
from shinchoku.text import normalize

_YEARS = re.compile(r"^\s*(\d{4})\s*(?:(-)\s*(\d{4})?)?\s*$")


class Checker(ValueChecker):
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

    def check(self) -> PlanSpec:
        root = self.mapping(
            self.located.data,
            (),
            {"format", "source", "plan", "levels", "scales", "dimensions", "markers", "units", "nodes"},
            {"format", "plan", "levels", "nodes"},
        )
        if root and root.get("format") != FORMAT:
            self.fail(("format",), f"must be {FORMAT!r}; found {root.get('format')!r}")
        plan = self.check_plan(root.get("plan"))
        levels = self.check_levels(root.get("levels"))
        scales = self.check_scales(root.get("scales"))
        dimensions = self.check_dimensions(root.get("dimensions"), levels, scales)
        markers = self.check_markers(root.get("markers"))
        units = self.check_units(root.get("units"))
        context = _NodeContext(
            plan=plan,
            levels={level["key"]: level for level in levels},
            dimensions=dimensions,
            scales={scale["code"]: scale for scale in scales},
            markers={marker["symbol"] for marker in markers},
            units={unit["code"] for unit in units},
        )
        nodes = [
            self.check_node(item, ("nodes", index), None, context)
            for index, item in enumerate(self.sequence(root.get("nodes"), ("nodes",), required=True))
        ]
        return PlanSpec(
            plan, levels, scales, dimensions, markers, units, [n for n in nodes if n], self.located
        )

    def check_plan(self, value: Any) -> PlanData:
        path: Path_ = ("plan",)
        data = self.mapping(
            value,
            path,
            {"code", "title", "period_label", "first_year", "last_year", "onwards", "description", "note"},
            {"code", "title", "first_year", "last_year"},
        )
        plan: PlanData = {
            "code": self.slug(data, "code", path, field_max_length(Plan, "code")),
            "title": self.text(
                data, "title", path, required=True, max_length=field_max_length(Plan, "title")
            ),
            "period_label": self.text(
                data, "period_label", path, max_length=field_max_length(Plan, "period_label")
            ),
            "first_year": self.integer(
                data, "first_year", path, field_int_range(Plan, "first_year", year=True)
            ),
            "last_year": self.integer(data, "last_year", path, field_int_range(Plan, "last_year", year=True)),
            "onwards": self.boolean(data, "onwards", path, True),
            "description": self.text(data, "description", path),
            "note": self.text(data, "note", path),
            "path": path,
        }
        if plan["first_year"] and plan["last_year"] and plan["last_year"] < plan["first_year"]:
            self.fail((*path, "last_year"), "the period ends before it starts")
        return plan

    def check_levels(self, value: Any) -> list[LevelData]:
        levels: list[LevelData] = []
        kinds = [kind.value for kind in Level.Kind]
        for index, item in enumerate(self.sequence(value, ("levels",), required=True)):
            path: Path_ = ("levels", index)
            data = self.mapping(item, path, {"key", "kind", "name", "name_en", "rated"}, {"key", "name"})
            key = self.slug(data, "key", path, field_max_length(Level, "key"))
            level: LevelData = {
                "depth": index,
                "key": key,
                # A key that names a kind (plan, programme, measure, project) is that kind.
                "kind": self.choice(
                    data, "kind", path, kinds, key if key in kinds else Level.Kind.OTHER.value
                ),
                "name": self.text(
                    data, "name", path, required=True, max_length=field_max_length(Level, "name")
                ),
                "name_en": self.text(data, "name_en", path, max_length=field_max_length(Level, "name_en")),
                "rated": self.boolean(data, "rated", path, False),
                "path": path,
            }
            self.once(levels, level, "key", path, "level")
            levels.append(level)
        return levels

    def check_scales(self, value: Any) -> list[ScaleData]:
        scales: list[ScaleData] = []
        for index, item in enumerate(self.sequence(value, ("scales",))):
            path: Path_ = ("scales", index)
            data = self.mapping(
                item, path, {"code", "name", "name_en", "good_end", "description", "levels"}, {"code", "name"}
            )
            scale: ScaleData = {
                "code": self.slug(data, "code", path, field_max_length(Scale, "code")),
                "name": self.text(
                    data, "name", path, required=True, max_length=field_max_length(Scale, "name")
                ),
                "name_en": self.text(data, "name_en", path, max_length=field_max_length(Scale, "name_en")),
                "good_end": self.choice(data, "good_end", path, [g.value for g in Scale.GoodEnd], "first"),
                "description": self.text(data, "description", path),
                "levels": [],
                "path": path,
            }
            self.once(scales, scale, "code", path, "scale")
            for level_index, level_item in enumerate(
                self.sequence(data.get("levels"), (*path, "levels"), True)
            ):
                level_path: Path_ = (*path, "levels", level_index)
                level_data = self.mapping(
                    level_item, level_path, {"code", "label", "label_en", "adverse"}, {"code", "label"}
                )
                level: ScaleLevelData = {
                    "code": self.text(
                        level_data,
                        "code",
                        level_path,
                        required=True,
                        max_length=field_max_length(ScaleLevel, "code"),
                        exact=True,
                    ),
                    "label": self.text(
                        level_data,
                        "label",
                        level_path,
                        required=True,
                        max_length=field_max_length(ScaleLevel, "label"),
                    ),
                    "label_en": self.text(
                        level_data,
                        "label_en",
                        level_path,
                        max_length=field_max_length(ScaleLevel, "label_en"),
                    ),
                    "adverse": self.boolean(level_data, "adverse", level_path, False),
                    "position": level_index,
                    "path": level_path,
                }
                if any(other["code"] == level["code"] for other in scale["levels"]):
                    self.fail(
                        (*level_path, "code"), f"the code {level['code']!r} appears twice on this scale"
                    )
                scale["levels"].append(level)
            scales.append(scale)
        return scales

    def check_dimensions(
        self, value: Any, levels: list[LevelData], scales: list[ScaleData]
    ) -> list[DimensionData]:
        dimensions: list[DimensionData] = []
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
            dimension: DimensionData = {
                "key": self.slug(data, "key", path, field_max_length(Dimension, "key")),
                "name": self.text(
                    data, "name", path, required=True, max_length=field_max_length(Dimension, "name")
                ),
                "name_en": self.text(
                    data, "name_en", path, max_length=field_max_length(Dimension, "name_en")
                ),
                "level": self.text(data, "level", path, required=True, exact=True),
                "scale": self.text(data, "scale", path, required=True, exact=True),
                "primary": self.boolean(data, "primary", path, False),
                "position": index,
                "path": path,
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
                if other["level"] == dimension["level"] and other["primary"] and dimension["primary"]:
                    self.fail((*path, "primary"), "a level has at most one primary dimension")
            dimensions.append(dimension)
        return dimensions

    def check_markers(self, value: Any) -> list[MarkerData]:
        markers: list[MarkerData] = []
        for index, item in enumerate(self.sequence(value, ("markers",))):
            path: Path_ = ("markers", index)
            data = self.mapping(item, path, {"symbol", "name", "name_en", "meaning", "note"}, {"symbol"})
            marker: MarkerData = {
                "symbol": self.text(
                    data,
                    "symbol",
                    path,
                    required=True,
                    max_length=field_max_length(Marker, "symbol"),
                    exact=True,
                ),
                "name": self.text(data, "name", path, max_length=field_max_length(Marker, "name")),
                "name_en": self.text(data, "name_en", path, max_length=field_max_length(Marker, "name_en")),
                "meaning": self.text(data, "meaning", path),
                "note": self.text(data, "note", path),
                "position": index,
                "path": path,
            }
            marker["name"] = marker["name"] or marker["symbol"]
            self.once(markers, marker, "symbol", path, "marker")
            markers.append(marker)
        return markers

    def check_units(self, value: Any) -> list[UnitData]:
        units: list[UnitData] = []
        kinds = [kind.value for kind in OrgUnit.Kind]
        for index, item in enumerate(self.sequence(value, ("units",))):
            path: Path_ = ("units", index)
            # Every key is stored: a unit has no note (a note would be silently lost).
            data = self.mapping(item, path, {"code", "name", "kind", "parent"}, {"code", "name"})
            unit: UnitData = {
                "code": self.slug(data, "code", path, field_max_length(OrgUnit, "code")),
                # A unit's name is how a structure sheet names it: kept exactly as written.
                "name": self.text(
                    data,
                    "name",
                    path,
                    required=True,
                    max_length=field_max_length(OrgUnit, "name"),
                    exact=True,
                ),
                "kind": self.choice(data, "kind", path, kinds, OrgUnit.Kind.SECTION.value),
                "parent": self.text(data, "parent", path, exact=True),
                "path": path,
            }
            if unit["parent"] and not any(other["code"] == unit["parent"] for other in units):
                self.fail((*path, "parent"), f"no unit {unit['parent']!r} is defined above this one")
            self.once(units, unit, "code", path, "unit")
            units.append(unit)
        return units

    def check_node(
        self, value: Any, path: Path_, parent_level: LevelData | None, ctx: _NodeContext
    ) -> NodeSpec | None:
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
        code = self.text(
            data, "code", path, required=True, max_length=field_max_length(Node, "code"), exact=True
        )
        if code:
            try:
                node_code_validator(code)
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
        roles = [role.value for role in NodeUnit.Role]
        for index, item in enumerate(self.sequence(data.get("units"), (*path, "units"))):
            unit_path: Path_ = (*path, "units", index)
            unit_data = self.mapping(item, unit_path, {"unit", "role"}, {"unit"})
            unit_code = self.text(unit_data, "unit", unit_path, required=True, exact=True)
            if unit_code and unit_code not in ctx.units:
                self.fail((*unit_path, "unit"), _undefined("unit", unit_code))
            role = self.choice(unit_data, "role", unit_path, roles, NodeUnit.Role.RESPONSIBLE.value)
            units.append(UnitRoleSpec(unit_code, role, unit_path))

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
        results: list[ResultSpec] = []
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
        spec = NodeSpec(
            level=level_key,
            code=code,
            title=self.text(data, "title", path, required=True, max_length=field_max_length(Node, "title")),
            label=self.text(data, "label", path, max_length=field_max_length(Node, "label")),
            summary=self.text(data, "summary", path),
            baseline=self.text(data, "baseline", path),
            note=self.text(data, "note", path),
            markers=markers,
            units=units,
            targets=[t for t in targets if t],
            results=results,
            indicators=[i for i in indicators if i],
            path=path,
        )
        for index, item in enumerate(self.sequence(data.get("children"), (*path, "children"))):
            child = self.check_node(item, (*path, "children", index), level, ctx)
            if child:
                spec.children.append(child)
        return spec

    def check_years(self, value: Any, path: Path_, ctx: _NodeContext) -> tuple[int, int, bool] | None:
        plan = ctx.plan
        if plan["first_year"] is None or plan["last_year"] is None:
            return None
        match = _YEARS.match(normalize(str(value))) if isinstance(value, str | int) else None
        if not match:
            self.fail(
                path, f'expected a year ("2012"), a span ("2012-2013") or onwards ("2014-"); found {value!r}'
            )
            return None
        start = int(match.group(1))
        onwards_year = plan["last_year"] + 1 if plan["onwards"] else None
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
        last_allowed = onwards_year or plan["last_year"]
        for year in (start, end):
            if not plan["first_year"] <= year <= last_allowed:
                self.fail(path, f"{year} is outside the plan's years {plan['first_year']}–{last_allowed}")
                return None
        if end < start:
            self.fail(path, f"the span ends ({end}) before it starts ({start})")
            return None
        return start, end, open_end

    def check_target(self, value: Any, path: Path_, ctx: _NodeContext) -> TargetSpec | None:
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
        return TargetSpec(
            row if row is not None else 1,
            start,
            end,
            open_end,
            text,
            revised_text,
            revision_reason,
            self.text(data, "note", path),
            path,
        )

    def check_result(self, value: Any, path: Path_, level_key: str, ctx: _NodeContext) -> ResultSpec | None:
        data = self.mapping(
            value,
            path,
            {"year", "text", "ratings", "context_change", "response", "highlight", "note"},
            {"year"},
        )
        if not data:
            return None
        year = self.integer(data, "year", path, field_int_range(Result, "fiscal_year", year=True))
        plan = ctx.plan
        first, last = plan["first_year"], plan["last_year"]
        if year is not None and first and last and not first <= year <= last:
            self.fail((*path, "year"), f"{year} is outside the plan period {first}–{last}")
            year = None
        ratings: dict[str, str] = {}
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
            ratings[key] = code_text
        if year is None:
            return None
        return ResultSpec(
            fiscal_year=year,
            text=self.text(data, "text", path),
            ratings=ratings,
            context_change=self.text(data, "context_change", path),
            response=self.text(data, "response", path),
            highlight=self.text(data, "highlight", path),
            note=self.text(data, "note", path),
            path=path,
        )

    def check_indicator(self, value: Any, path: Path_, ctx: _NodeContext) -> IndicatorSpec | None:
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
        values: list[ValueSpec] = []
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
            values.append(ValueSpec(years[0], target, actual, value_path))
        return IndicatorSpec(
            name=self.text(data, "name", path, required=True, max_length=field_max_length(Indicator, "name")),
            kind=self.choice(
                data, "kind", path, [k.value for k in Indicator.Kind], Indicator.Kind.OUTCOME.value
            ),
            unit=self.text(data, "unit", path, max_length=field_max_length(Indicator, "unit")),
            direction=self.choice(data, "direction", path, [d.value for d in Indicator.Direction]),
            baseline_value=baseline_value,
            baseline_year=baseline_year,
            values=values,
            path=path,
        )


@dataclass
class _NodeContext:
    plan: PlanData
    levels: dict[str, LevelData]
    dimensions: list[DimensionData]
    scales: dict[str, ScaleData]
    markers: set[str]
    units: set[str]
    codes: dict[str, Path_] = field(default_factory=dict)


def _undefined(noun: str, name: str) -> str:
    """A reference to what its section (levels, scales, markers, units) does not define."""
    return f"no {noun} {name!r} is defined under {noun}s"


def _top(ctx: _NodeContext) -> str:
    return next((key for key, level in ctx.levels.items() if level["depth"] == 0), "")


# ---------------------------------------------------------------- reading


def read_plan_file(path: Path) -> PlanSpec:
    """Read and check a plan data file. Raises PlanFileError listing every problem."""
    try:
        located = read_located(path)
    except SourceError as error:
        raise PlanFileError(
            str(path), [Problem(problem.path, problem.message, problem.line) for problem in error.problems]
        ) from error
    checker = Checker(located)
    spec = checker.check()
    if checker.problems:
        raise PlanFileError(str(path), checker.problems)
    return spec
