"""Plan data files (format ``shinchoku-plan/1``): read, check, load.

A plan data file is YAML (or JSON, which YAML reads too) holding one plan: its
period, levels, scales, evaluation dimensions, markers, organisation units and
the tree of nodes with targets, results, ratings and indicators. The format is
documented in docs/plan-file.md.

Loading is all or nothing: the whole file is checked first, every problem is
reported with the file, line and path inside it, and only a clean file is
written, in one transaction. Loading the same file twice leaves the same state:
rows are matched by their natural keys (plan code, node code, year …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError

from shinchoku.interchange.yamlsource import Located, SourceError, read_located
from shinchoku.plans.models import Dimension, Level, Marker, Node, NodeUnit, OrgUnit, Plan, Scale, ScaleLevel
from shinchoku.plans.services import node_save
from shinchoku.progress.models import Indicator, IndicatorValue, Rating, Result, Target
from shinchoku.text import normalize

FORMAT = "shinchoku-plan/1"
Path_ = tuple[str | int, ...]


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


@dataclass
class Problem:
    path: Path_
    message: str
    line: int | None = None

    def render(self, file: str) -> str:
        where = f"{file}, line {self.line}" if self.line else file
        return f"{where}, {format_path(self.path)}: {self.message}"


class PlanFileError(Exception):
    """A plan data file that cannot be loaded; ``problems`` says where and why."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__("\n".join(problem.render(file) for problem in problems))


# ---------------------------------------------------------------- the checked spec


@dataclass
class TargetSpec:
    row: int
    start_year: int
    end_year: int
    open_end: bool
    text: str
    revised_text: str
    revision_reason: str
    note: str


@dataclass
class ResultSpec:
    fiscal_year: int
    text: str
    ratings: dict[str, str]
    context_change: str
    response: str
    highlight: str
    note: str


@dataclass
class IndicatorSpec:
    name: str
    kind: str
    unit: str
    direction: str
    baseline_value: Decimal | None
    baseline_year: int | None
    values: list[tuple[int, Decimal | None, Decimal | None]]


@dataclass
class NodeSpec:
    level: str
    code: str
    title: str
    label: str
    summary: str
    baseline: str
    note: str
    markers: list[str]
    units: list[tuple[str, str]]
    targets: list[TargetSpec]
    results: list[ResultSpec]
    indicators: list[IndicatorSpec]
    children: list[NodeSpec] = field(default_factory=list)


@dataclass
class PlanSpec:
    plan: dict[str, Any]
    levels: list[dict[str, Any]]
    scales: list[dict[str, Any]]
    dimensions: list[dict[str, Any]]
    markers: list[dict[str, Any]]
    units: list[dict[str, Any]]
    nodes: list[NodeSpec]


# ---------------------------------------------------------------- checking

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_YEARS = re.compile(r"^\s*(\d{4})\s*(?:(-)\s*(\d{4})?)?\s*$")


class Checker:
    """Walks the parsed document, collecting problems instead of stopping at the first."""

    def __init__(self, located: Located) -> None:
        self.located = located
        self.problems: list[Problem] = []

    def fail(self, path: Path_, message: str) -> None:
        self.problems.append(Problem(path, message, self.located.line_of(path)))

    # -- primitives

    def mapping(self, value: Any, path: Path_, allowed: set[str], required: set[str] = frozenset()) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping (key: value), found {_kind(value)}")
            return {}
        for key in value:
            if key not in allowed:
                self.fail((*path, key), f"unknown key; allowed keys are {', '.join(sorted(allowed))}")
        for key in sorted(required - value.keys()):
            self.fail(path, f"the key {key!r} is missing")
        return value

    def sequence(self, value: Any, path: Path_, required: bool = False) -> list:
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.fail(path, f"expected a list, found {_kind(value)}")
            return []
        if required and not value:
            self.fail(path, "the list must not be empty")
        return value

    def text(self, data: dict, key: str, path: Path_, required: bool = False, max_length: int = 0) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.fail((*path, key), "must not be empty")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail((*path, key), f"expected text, found {_kind(value)}")
            return ""
        result = normalize(str(value))
        if required and not result:
            self.fail((*path, key), "must not be empty")
        if max_length and len(result) > max_length:
            self.fail((*path, key), f"is {len(result)} characters long; at most {max_length} are allowed")
        return result

    def slug(self, data: dict, key: str, path: Path_, max_length: int = 64) -> str:
        value = self.text(data, key, path, required=True, max_length=max_length)
        if value and not _SLUG.match(value):
            self.fail((*path, key), "may contain only ASCII letters, digits, - and _")
        return value

    def integer(self, data: dict, key: str, path: Path_, required: bool = True) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail((*path, key), "is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail((*path, key), f"expected a whole number, found {_kind(value)}")
            return None
        return value

    def boolean(self, data: dict, key: str, path: Path_, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail((*path, key), f"expected true or false, found {_kind(value)}")
            return default
        return value

    def choice(
        self, data: dict, key: str, path: Path_, choices: list[str], default: str | None = None
    ) -> str:
        value = data.get(key, default)
        if value not in choices:
            self.fail((*path, key), f"must be one of {', '.join(choices)}; found {value!r}")
            return choices[0]
        return str(value)

    def decimal(self, data: dict, key: str, path: Path_) -> Decimal | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            self.fail((*path, key), "expected a number, found true/false")
            return None
        try:
            number = Decimal(normalize(str(value)).replace(",", ""))
        except InvalidOperation:
            self.fail((*path, key), f"expected a number, found {value!r}")
            return None
        if not number.is_finite():
            self.fail((*path, key), "expected a finite number")
            return None
        return number

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
        return PlanSpec(plan, levels, scales, dimensions, markers, units, [n for n in nodes if n])

    def check_plan(self, value: Any) -> dict[str, Any]:
        path: Path_ = ("plan",)
        data = self.mapping(
            value,
            path,
            {"code", "title", "period_label", "first_year", "last_year", "onwards", "description", "note"},
            {"code", "title", "first_year", "last_year"},
        )
        plan = {
            "code": self.slug(data, "code", path),
            "title": self.text(data, "title", path, required=True, max_length=200),
            "period_label": self.text(data, "period_label", path, max_length=100),
            "first_year": self.integer(data, "first_year", path),
            "last_year": self.integer(data, "last_year", path),
            "onwards": self.boolean(data, "onwards", path, True),
            "description": self.text(data, "description", path),
            "note": self.text(data, "note", path),
        }
        for key in ("first_year", "last_year"):
            year = plan[key]
            if year is not None and not 1900 <= year <= 2200:
                self.fail((*path, key), f"{year} is not a plausible fiscal year")
                plan[key] = None
        if plan["first_year"] and plan["last_year"] and plan["last_year"] < plan["first_year"]:
            self.fail((*path, "last_year"), "the period ends before it starts")
        return plan

    def check_levels(self, value: Any) -> list[dict[str, Any]]:
        levels = []
        kinds = [kind.value for kind in Level.Kind]
        for index, item in enumerate(self.sequence(value, ("levels",), required=True)):
            path: Path_ = ("levels", index)
            data = self.mapping(item, path, {"key", "kind", "name", "rated"}, {"key", "name"})
            key = self.slug(data, "key", path, max_length=30)
            level = {
                "depth": index,
                "key": key,
                # A key that names a kind (plan, programme, measure, project) is that kind.
                "kind": self.choice(
                    data, "kind", path, kinds, key if key in kinds else Level.Kind.OTHER.value
                ),
                "name": self.text(data, "name", path, required=True, max_length=50),
                "rated": self.boolean(data, "rated", path, False),
            }
            if any(other["key"] == level["key"] for other in levels):
                self.fail((*path, "key"), f"the level {level['key']!r} is defined twice")
            levels.append(level)
        return levels

    def check_scales(self, value: Any) -> list[dict[str, Any]]:
        scales: list[dict[str, Any]] = []
        for index, item in enumerate(self.sequence(value, ("scales",))):
            path: Path_ = ("scales", index)
            data = self.mapping(
                item, path, {"code", "name", "good_end", "description", "levels"}, {"code", "name"}
            )
            scale = {
                "code": self.slug(data, "code", path),
                "name": self.text(data, "name", path, required=True, max_length=100),
                "good_end": self.choice(data, "good_end", path, ["first", "last"], "first"),
                "description": self.text(data, "description", path),
                "levels": [],
            }
            if any(other["code"] == scale["code"] for other in scales):
                self.fail((*path, "code"), f"the scale {scale['code']!r} is defined twice")
            for level_index, level_item in enumerate(
                self.sequence(data.get("levels"), (*path, "levels"), True)
            ):
                level_path: Path_ = (*path, "levels", level_index)
                level_data = self.mapping(
                    level_item, level_path, {"code", "label", "adverse"}, {"code", "label"}
                )
                level = {
                    "code": self.text(level_data, "code", level_path, required=True, max_length=20),
                    "label": self.text(level_data, "label", level_path, required=True, max_length=200),
                    "adverse": self.boolean(level_data, "adverse", level_path, False),
                    "position": level_index,
                }
                if any(other["code"] == level["code"] for other in scale["levels"]):
                    self.fail(
                        (*level_path, "code"), f"the code {level['code']!r} appears twice on this scale"
                    )
                scale["levels"].append(level)
            scales.append(scale)
        return scales

    def check_dimensions(self, value: Any, levels: list[dict], scales: list[dict]) -> list[dict[str, Any]]:
        dimensions: list[dict[str, Any]] = []
        level_keys = {level["key"]: level for level in levels}
        scale_codes = {scale["code"] for scale in scales}
        for index, item in enumerate(self.sequence(value, ("dimensions",))):
            path: Path_ = ("dimensions", index)
            data = self.mapping(
                item, path, {"key", "name", "level", "scale", "primary"}, {"key", "name", "level", "scale"}
            )
            dimension = {
                "key": self.slug(data, "key", path),
                "name": self.text(data, "name", path, required=True, max_length=100),
                "level": self.text(data, "level", path, required=True),
                "scale": self.text(data, "scale", path, required=True),
                "primary": self.boolean(data, "primary", path, False),
                "position": index,
            }
            level = level_keys.get(dimension["level"])
            if dimension["level"] and level is None:
                self.fail((*path, "level"), f"no level {dimension['level']!r} is defined under levels")
            elif level is not None and not level["rated"]:
                self.fail((*path, "level"), f"the level {dimension['level']!r} is not rated")
            if dimension["scale"] and dimension["scale"] not in scale_codes:
                self.fail((*path, "scale"), f"no scale {dimension['scale']!r} is defined under scales")
            for other in dimensions:
                if other["level"] == dimension["level"] and other["key"] == dimension["key"]:
                    self.fail((*path, "key"), f"the dimension {dimension['key']!r} is defined twice")
                if other["level"] == dimension["level"] and other["primary"] and dimension["primary"]:
                    self.fail((*path, "primary"), "a level has at most one primary dimension")
            dimensions.append(dimension)
        return dimensions

    def check_markers(self, value: Any) -> list[dict[str, Any]]:
        markers: list[dict[str, Any]] = []
        for index, item in enumerate(self.sequence(value, ("markers",))):
            path: Path_ = ("markers", index)
            data = self.mapping(item, path, {"symbol", "name", "meaning", "note"}, {"symbol"})
            marker = {
                "symbol": self.text(data, "symbol", path, required=True, max_length=20),
                "name": self.text(data, "name", path, max_length=50),
                "meaning": self.text(data, "meaning", path),
                "note": self.text(data, "note", path),
                "position": index,
            }
            marker["name"] = marker["name"] or marker["symbol"]
            if any(other["symbol"] == marker["symbol"] for other in markers):
                self.fail((*path, "symbol"), f"the marker {marker['symbol']!r} is defined twice")
            markers.append(marker)
        return markers

    def check_units(self, value: Any) -> list[dict[str, Any]]:
        units: list[dict[str, Any]] = []
        kinds = [kind.value for kind in OrgUnit.Kind]
        for index, item in enumerate(self.sequence(value, ("units",))):
            path: Path_ = ("units", index)
            data = self.mapping(item, path, {"code", "name", "kind", "parent", "note"}, {"code", "name"})
            unit = {
                "code": self.slug(data, "code", path),
                "name": self.text(data, "name", path, required=True, max_length=100),
                "kind": self.choice(data, "kind", path, kinds, OrgUnit.Kind.SECTION.value),
                "parent": self.text(data, "parent", path),
            }
            if unit["parent"] and not any(other["code"] == unit["parent"] for other in units):
                self.fail((*path, "parent"), f"no unit {unit['parent']!r} is defined above this one")
            if any(other["code"] == unit["code"] for other in units):
                self.fail((*path, "code"), f"the unit {unit['code']!r} is defined twice")
            units.append(unit)
        return units

    def check_node(
        self, value: Any, path: Path_, parent_level: dict | None, ctx: _NodeContext
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
        level_key = self.text(data, "level", path, required=True)
        level = ctx.levels.get(level_key)
        if level_key and level is None:
            self.fail((*path, "level"), f"no level {level_key!r} is defined under levels")
        elif level is not None:
            if parent_level is None and level["depth"] != 0:
                self.fail((*path, "level"), f"a top node must be of the top level {_top(ctx)!r}")
            if parent_level is not None and level["depth"] <= parent_level["depth"]:
                self.fail((*path, "level"), f"must be a level below {parent_level['key']!r}")
        code = self.text(data, "code", path, required=True, max_length=64)
        if code in ctx.codes:
            self.fail(
                (*path, "code"), f"the code {code!r} is used by another node ({format_path(ctx.codes[code])})"
            )
        ctx.codes.setdefault(code, path)

        markers = []
        for index, symbol in enumerate(self.sequence(data.get("markers"), (*path, "markers"))):
            symbol = normalize(str(symbol)) if isinstance(symbol, str | int) else ""
            if symbol not in ctx.markers:
                self.fail((*path, "markers", index), f"no marker {symbol!r} is defined under markers")
            markers.append(symbol)
        units = []
        roles = [role.value for role in NodeUnit.Role]
        for index, item in enumerate(self.sequence(data.get("units"), (*path, "units"))):
            unit_path: Path_ = (*path, "units", index)
            unit_data = self.mapping(item, unit_path, {"unit", "role"}, {"unit"})
            unit_code = self.text(unit_data, "unit", unit_path, required=True)
            if unit_code and unit_code not in ctx.units:
                self.fail((*unit_path, "unit"), f"no unit {unit_code!r} is defined under units")
            units.append((unit_code, self.choice(unit_data, "role", unit_path, roles, "responsible")))

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
            title=self.text(data, "title", path, required=True, max_length=300),
            label=self.text(data, "label", path, max_length=100),
            summary=self.text(data, "summary", path),
            baseline=self.text(data, "baseline", path),
            note=self.text(data, "note", path),
            markers=markers,
            units=units,
            targets=[t for t in targets if t],
            results=results,
            indicators=[i for i in indicators if i],
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
        row = self.integer(data, "row", path, required=False) or 1
        if row < 1:
            self.fail((*path, "row"), "rows are numbered from 1")
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
            row, start, end, open_end, text, revised_text, revision_reason, self.text(data, "note", path)
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
        year = self.integer(data, "year", path)
        plan = ctx.plan
        first, last = plan["first_year"], plan["last_year"]
        if year is not None and first and last and not first <= year <= last:
            self.fail((*path, "year"), f"{year} is outside the plan period {first}–{last}")
            year = None
        ratings: dict[str, str] = {}
        raw = data.get("ratings") or {}
        if not isinstance(raw, dict):
            self.fail((*path, "ratings"), f"expected a mapping of dimension to code, found {_kind(raw)}")
            raw = {}
        for key, code in raw.items():
            rating_path: Path_ = (*path, "ratings", key)
            dimension = next((d for d in ctx.dimensions if d["key"] == key and d["level"] == level_key), None)
            if dimension is None:
                self.fail(rating_path, f"no dimension {key!r} is defined for the level {level_key!r}")
                continue
            if code is None:
                continue
            code_text = (
                normalize(str(code)) if isinstance(code, str | int) and not isinstance(code, bool) else None
            )
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
        )

    def check_indicator(self, value: Any, path: Path_, ctx: _NodeContext) -> IndicatorSpec | None:
        data = self.mapping(
            value, path, {"name", "kind", "unit", "direction", "baseline", "values"}, {"name", "direction"}
        )
        if not data:
            return None
        baseline_value = baseline_year = None
        if data.get("baseline") is not None:
            baseline = self.mapping(data["baseline"], (*path, "baseline"), {"value", "year"}, {"value"})
            baseline_value = self.decimal(baseline, "value", (*path, "baseline"))
            baseline_year = self.integer(baseline, "year", (*path, "baseline"), required=False)
        values: list[tuple[int, Decimal | None, Decimal | None]] = []
        for index, item in enumerate(self.sequence(data.get("values"), (*path, "values"))):
            value_path: Path_ = (*path, "values", index)
            value_data = self.mapping(item, value_path, {"year", "target", "actual"}, {"year"})
            years = (
                self.check_years(value_data.get("year"), (*value_path, "year"), ctx) if value_data else None
            )
            if years is None:
                continue
            if years[0] != years[1] or any(existing[0] == years[0] for existing in values):
                self.fail((*value_path, "year"), "one value row per single fiscal year")
                continue
            values.append(
                (
                    years[0],
                    self.decimal(value_data, "target", value_path),
                    self.decimal(value_data, "actual", value_path),
                )
            )
        return IndicatorSpec(
            name=self.text(data, "name", path, required=True, max_length=200),
            kind=self.choice(
                data, "kind", path, [k.value for k in Indicator.Kind], Indicator.Kind.OUTCOME.value
            ),
            unit=self.text(data, "unit", path, max_length=30),
            direction=self.choice(data, "direction", path, [d.value for d in Indicator.Direction]),
            baseline_value=baseline_value,
            baseline_year=baseline_year,
            values=values,
        )


@dataclass
class _NodeContext:
    plan: dict[str, Any]
    levels: dict[str, dict[str, Any]]
    dimensions: list[dict[str, Any]]
    scales: dict[str, dict[str, Any]]
    markers: set[str]
    units: set[str]
    codes: dict[str, Path_] = field(default_factory=dict)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _top(ctx: _NodeContext) -> str:
    return next((key for key, level in ctx.levels.items() if level["depth"] == 0), "")


# ---------------------------------------------------------------- reading


def read_plan_file(path: Path) -> PlanSpec:
    """Read and check a plan data file. Raises PlanFileError listing every problem."""
    try:
        located = read_located(path)
    except SourceError as error:
        raise PlanFileError(str(path), [Problem((), error.message, error.line)]) from error
    checker = Checker(located)
    spec = checker.check()
    if checker.problems:
        raise PlanFileError(str(path), checker.problems)
    return spec


# ---------------------------------------------------------------- writing


@dataclass
class LoadSummary:
    plan: Plan
    nodes: int = 0
    targets: int = 0
    results: int = 0
    ratings: int = 0
    indicators: int = 0


def load_plan_file(path: Path) -> LoadSummary:
    """Check then load a plan data file in one transaction; see the module docstring."""
    spec = read_plan_file(path)
    try:
        return _write(spec)
    except ValidationError as error:
        raise PlanFileError(str(path), [Problem((), "; ".join(error.messages))]) from error
    except ProtectedError as error:
        raise PlanFileError(
            str(path), [Problem((), f"the file drops rows that other data still uses: {error.args[0]}")]
        ) from error
    except IntegrityError as error:
        raise PlanFileError(str(path), [Problem((), f"the database refused the data: {error}")]) from error


@transaction.atomic
def _write(spec: PlanSpec) -> LoadSummary:
    plan_data = spec.plan
    plan, _created = Plan.objects.update_or_create(
        code=plan_data["code"], defaults={k: v for k, v in plan_data.items() if k != "code"}
    )
    plan.full_clean()

    # Nodes first hold on to levels and dimensions; drop what the file no longer has last.
    levels = {}
    plan.levels.update(depth=F("depth") + 2000)  # renumbered below; depths are unique per plan
    for level in spec.levels:
        levels[level["key"]], _ = Level.objects.update_or_create(
            plan=plan,
            key=level["key"],
            defaults={
                "depth": level["depth"],
                "kind": level["kind"],
                "name": level["name"],
                "rated": level["rated"],
            },
        )

    scales = {}
    for scale_data in spec.scales:
        scale, _ = Scale.objects.update_or_create(
            code=scale_data["code"],
            defaults={
                "name": scale_data["name"],
                "good_end": scale_data["good_end"],
                "description": scale_data["description"],
            },
        )
        scale.levels.exclude(code__in=[level["code"] for level in scale_data["levels"]]).delete()
        scale.levels.update(position=F("position") + 1000)  # renumbered below; positions are unique
        scale_levels = {}
        for level in scale_data["levels"]:
            scale_levels[level["code"]], _ = ScaleLevel.objects.update_or_create(
                scale=scale,
                code=level["code"],
                defaults={
                    "label": level["label"],
                    "adverse": level["adverse"],
                    "position": level["position"],
                },
            )
        scales[scale.code] = (scale, scale_levels)

    plan.dimensions.filter(primary=True).update(primary=False)
    dimensions = {}
    for dimension in spec.dimensions:
        dimensions[(dimension["level"], dimension["key"])], _ = Dimension.objects.update_or_create(
            plan=plan,
            level=levels[dimension["level"]],
            key=dimension["key"],
            defaults={
                "name": dimension["name"],
                "scale": scales[dimension["scale"]][0],
                "primary": dimension["primary"],
                "position": dimension["position"],
            },
        )

    markers = {}
    for marker in spec.markers:
        markers[marker["symbol"]], _ = Marker.objects.update_or_create(
            plan=plan,
            symbol=marker["symbol"],
            defaults={
                "name": marker["name"],
                "meaning": marker["meaning"],
                "note": marker["note"],
                "position": marker["position"],
            },
        )

    units = {}
    for unit in spec.units:
        units[unit["code"]], _ = OrgUnit.objects.update_or_create(
            code=unit["code"],
            defaults={"name": unit["name"], "kind": unit["kind"], "parent": units.get(unit["parent"])},
        )

    summary = LoadSummary(plan)
    kept: list[int] = []
    existing = {node.code: node for node in Node.objects.filter(plan=plan)}

    def write_node(node_spec: NodeSpec, parent: Node | None, position: int) -> None:
        node = existing.get(node_spec.code) or Node(plan=plan, code=node_spec.code)
        node.parent = parent
        node.level = levels[node_spec.level]
        node.position = position
        node.title = node_spec.title
        node.label = node_spec.label
        node.summary = node_spec.summary
        node.baseline = node_spec.baseline
        node.note = node_spec.note
        node_save(node)
        kept.append(node.pk)
        summary.nodes += 1
        node.markers.set([markers[symbol] for symbol in node_spec.markers])
        node.unit_roles.all().delete()
        NodeUnit.objects.bulk_create(
            NodeUnit(node=node, unit=units[code], role=role) for code, role in dict.fromkeys(node_spec.units)
        )
        node.targets.all().delete()
        targets = []
        for index, target_spec in enumerate(node_spec.targets):
            target = Target(node=node, position=index, **target_spec.__dict__)
            target.full_clean(exclude=["node"])
            targets.append(target)
        Target.objects.bulk_create(targets)
        summary.targets += len(targets)

        node.results.exclude(fiscal_year__in=[r.fiscal_year for r in node_spec.results]).delete()
        for result_spec in node_spec.results:
            result, _ = Result.objects.update_or_create(
                node=node,
                fiscal_year=result_spec.fiscal_year,
                defaults={
                    "text": result_spec.text,
                    "context_change": result_spec.context_change,
                    "response": result_spec.response,
                    "highlight": result_spec.highlight,
                    "note": result_spec.note,
                },
            )
            result.ratings.all().delete()
            ratings = []
            for key, code in result_spec.ratings.items():
                dimension = dimensions[(node_spec.level, key)]
                ratings.append(
                    Rating(result=result, dimension=dimension, level=scales[dimension.scale.code][1][code])
                )
            Rating.objects.bulk_create(ratings)
            summary.results += 1
            summary.ratings += len(ratings)

        node.indicators.all().delete()
        for index, indicator_spec in enumerate(node_spec.indicators):
            indicator = Indicator.objects.create(
                node=node,
                position=index,
                name=indicator_spec.name,
                kind=indicator_spec.kind,
                unit=indicator_spec.unit,
                direction=indicator_spec.direction,
                baseline_value=indicator_spec.baseline_value,
                baseline_year=indicator_spec.baseline_year,
            )
            IndicatorValue.objects.bulk_create(
                IndicatorValue(indicator=indicator, fiscal_year=year, target=target, actual=actual)
                for year, target, actual in indicator_spec.values
            )
            summary.indicators += 1

        for index, child in enumerate(node_spec.children):
            write_node(child, node, index)

    for index, node_spec in enumerate(spec.nodes):
        write_node(node_spec, None, index)

    # What the file no longer holds goes, deepest first (children cascade).
    Node.objects.filter(plan=plan).exclude(pk__in=kept).delete()
    plan.dimensions.exclude(pk__in=[d.pk for d in dimensions.values()]).delete()
    plan.markers.exclude(pk__in=[m.pk for m in markers.values()]).delete()
    plan.levels.exclude(pk__in=[level.pk for level in levels.values()]).delete()
    return summary
