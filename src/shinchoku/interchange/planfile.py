"""Plan data files (format ``shinchoku-plan/1``): read, check, load.

A plan data file is YAML (or JSON, which YAML reads too) holding one plan: its
period, levels, scales, evaluation dimensions, markers, organisation units and
the tree of nodes with targets, results, ratings and indicators. The format is
documented in docs/plan-file.md.

Loading is all or nothing: the whole file is checked first, every problem is
reported with the file, line and path inside it, and only a clean file is
written, in one transaction. Loading the same file twice leaves the same state:
rows are matched by their natural keys (plan code, node code, year …).

The checker reads the document and applies the rules that need no database,
with the models' own limits (field lengths, number ranges, the node code
validator), so that a problem is named with its line. The writer then validates
every object it writes with the model's ``full_clean()``: a rule of a model holds
for files too, reported with the path of the object in the file. What only the
database can refuse (a constraint, a row of another plan still in use) is
reported readably too, and everything is rolled back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DataError, IntegrityError, connection, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import F, ProtectedError, RestrictedError
from django.utils import translation

from shinchoku.interchange.yamlsource import Located, SourceError, read_located
from shinchoku.plans.models import (
    YEAR_VALIDATORS,
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


# ---------------------------------------------------------------- the models' limits


def _max_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


@cache
def _int_range(model: type[models.Model], name: str, year: bool = False) -> tuple[int, int]:
    """The bounds an integer field accepts on every database: the range of its
    column type (a PositiveSmallIntegerField holds 0..32767 on PostgreSQL, although
    SQLite would hold more), its own validators and, for a year, YEAR_VALIDATORS."""
    field_ = model._meta.get_field(name)
    low, high = BaseDatabaseOperations.integer_field_ranges[field_.get_internal_type()]
    for validator in [*field_.default_validators, *field_._validators, *(YEAR_VALIDATORS if year else [])]:
        if isinstance(validator, MinValueValidator):
            low = max(low, validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            high = min(high, validator.limit_value)
    return low, high


def _decimal_limits(model: type[models.Model], name: str) -> tuple[int, int]:
    """(digits before the decimal point, digits after) of a DecimalField."""
    field_ = model._meta.get_field(name)
    return field_.max_digits - field_.decimal_places, field_.decimal_places


def _sqlite_reads_back(number: Decimal, max_digits: int, places: int) -> bool:
    """SQLite keeps a decimal as a float, read back with 15 significant digits and
    quantized to the field: a value that rounds up to one digit more cannot be read."""
    try:
        Context(prec=15).create_decimal_from_float(float(number)).quantize(
            Decimal(1).scaleb(-places), context=Context(prec=max_digits)
        )
    except InvalidOperation:
        return False
    return True


# ---------------------------------------------------------------- the checked spec
# Each object carries its path inside the file, so that what the models or the
# database refuse while writing is reported where it stands.


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
    path: Path_ = ()


@dataclass
class ResultSpec:
    fiscal_year: int
    text: str
    ratings: dict[str, str]
    context_change: str
    response: str
    highlight: str
    note: str
    path: Path_ = ()


@dataclass
class ValueSpec:
    fiscal_year: int
    target: Decimal | None
    actual: Decimal | None
    path: Path_ = ()


@dataclass
class IndicatorSpec:
    name: str
    kind: str
    unit: str
    direction: str
    baseline_value: Decimal | None
    baseline_year: int | None
    values: list[ValueSpec]
    path: Path_ = ()


@dataclass
class UnitRoleSpec:
    unit: str
    role: str
    path: Path_ = ()


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
    units: list[UnitRoleSpec]
    targets: list[TargetSpec]
    results: list[ResultSpec]
    indicators: list[IndicatorSpec]
    children: list[NodeSpec] = field(default_factory=list)
    path: Path_ = ()


@dataclass
class PlanSpec:
    """The checked file. The plan, levels, scales (and their levels), dimensions,
    markers and units are dicts of the stored fields plus ``path``."""

    plan: dict[str, Any]
    levels: list[dict[str, Any]]
    scales: list[dict[str, Any]]
    dimensions: list[dict[str, Any]]
    markers: list[dict[str, Any]]
    units: list[dict[str, Any]]
    nodes: list[NodeSpec]
    located: Located | None = None


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

    def slug(self, data: dict, key: str, path: Path_, max_length: int) -> str:
        value = self.text(data, key, path, required=True, max_length=max_length)
        if value and not _SLUG.match(value):
            self.fail((*path, key), "may contain only ASCII letters, digits, - and _")
        return value

    def integer(
        self, data: dict, key: str, path: Path_, bounds: tuple[int, int], required: bool = True
    ) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail((*path, key), "is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail((*path, key), f"expected a whole number, found {_kind(value)}")
            return None
        low, high = bounds
        if not low <= value <= high:
            self.fail((*path, key), f"{value} is out of range: must be from {low} to {high}")
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

    def decimal(self, data: dict, key: str, path: Path_, limits: tuple[int, int]) -> Decimal | None:
        """A number that the DecimalField with ``limits`` (digits before and after the
        decimal point) holds; finer decimals are refused unless they are zeros."""
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            self.fail((*path, key), "expected a number, found true/false")
            return None
        if not isinstance(value, str | int | float):
            self.fail((*path, key), f"expected a number, found {_kind(value)}")
            return None
        try:
            number = Decimal(normalize(str(value)).replace(",", ""))
        except InvalidOperation:
            self.fail((*path, key), f"expected a number, found {value!r}")
            return None
        if not number.is_finite():
            self.fail((*path, key), "expected a finite number")
            return None
        whole, places = limits
        largest = f"{'9' * whole}.{'9' * places}"
        if number and number.adjusted() >= whole:
            self.fail(
                (*path, key),
                f"{value} is out of range: at most {whole} digits before the decimal point "
                f"and {places} after (from -{largest} to {largest})",
            )
            return None
        if number.as_tuple().exponent < -places:
            rounded = number.quantize(Decimal(1).scaleb(-places))
            if rounded != number:
                self.fail(
                    (*path, key), f"{value} is too precise: at most {places} digits after the decimal point"
                )
                return None
            number = rounded
        if connection.vendor == "sqlite" and not _sqlite_reads_back(number, whole + places, places):
            self.fail(
                (*path, key),
                f"{value} is out of range: this database (SQLite) keeps 15 significant digits, "
                f"so a value must stay below {10**whole - 5} in size",
            )
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
        return PlanSpec(
            plan, levels, scales, dimensions, markers, units, [n for n in nodes if n], self.located
        )

    def check_plan(self, value: Any) -> dict[str, Any]:
        path: Path_ = ("plan",)
        data = self.mapping(
            value,
            path,
            {"code", "title", "period_label", "first_year", "last_year", "onwards", "description", "note"},
            {"code", "title", "first_year", "last_year"},
        )
        plan = {
            "code": self.slug(data, "code", path, _max_length(Plan, "code")),
            "title": self.text(data, "title", path, required=True, max_length=_max_length(Plan, "title")),
            "period_label": self.text(
                data, "period_label", path, max_length=_max_length(Plan, "period_label")
            ),
            "first_year": self.integer(data, "first_year", path, _int_range(Plan, "first_year", year=True)),
            "last_year": self.integer(data, "last_year", path, _int_range(Plan, "last_year", year=True)),
            "onwards": self.boolean(data, "onwards", path, True),
            "description": self.text(data, "description", path),
            "note": self.text(data, "note", path),
            "path": path,
        }
        if plan["first_year"] and plan["last_year"] and plan["last_year"] < plan["first_year"]:
            self.fail((*path, "last_year"), "the period ends before it starts")
        return plan

    def check_levels(self, value: Any) -> list[dict[str, Any]]:
        levels = []
        kinds = [kind.value for kind in Level.Kind]
        for index, item in enumerate(self.sequence(value, ("levels",), required=True)):
            path: Path_ = ("levels", index)
            data = self.mapping(item, path, {"key", "kind", "name", "rated"}, {"key", "name"})
            key = self.slug(data, "key", path, _max_length(Level, "key"))
            level = {
                "depth": index,
                "key": key,
                # A key that names a kind (plan, programme, measure, project) is that kind.
                "kind": self.choice(
                    data, "kind", path, kinds, key if key in kinds else Level.Kind.OTHER.value
                ),
                "name": self.text(data, "name", path, required=True, max_length=_max_length(Level, "name")),
                "rated": self.boolean(data, "rated", path, False),
                "path": path,
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
                "code": self.slug(data, "code", path, _max_length(Scale, "code")),
                "name": self.text(data, "name", path, required=True, max_length=_max_length(Scale, "name")),
                "good_end": self.choice(data, "good_end", path, [g.value for g in Scale.GoodEnd], "first"),
                "description": self.text(data, "description", path),
                "levels": [],
                "path": path,
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
                    "code": self.text(
                        level_data,
                        "code",
                        level_path,
                        required=True,
                        max_length=_max_length(ScaleLevel, "code"),
                    ),
                    "label": self.text(
                        level_data,
                        "label",
                        level_path,
                        required=True,
                        max_length=_max_length(ScaleLevel, "label"),
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
                "key": self.slug(data, "key", path, _max_length(Dimension, "key")),
                "name": self.text(
                    data, "name", path, required=True, max_length=_max_length(Dimension, "name")
                ),
                "level": self.text(data, "level", path, required=True),
                "scale": self.text(data, "scale", path, required=True),
                "primary": self.boolean(data, "primary", path, False),
                "position": index,
                "path": path,
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
                "symbol": self.text(
                    data, "symbol", path, required=True, max_length=_max_length(Marker, "symbol")
                ),
                "name": self.text(data, "name", path, max_length=_max_length(Marker, "name")),
                "meaning": self.text(data, "meaning", path),
                "note": self.text(data, "note", path),
                "position": index,
                "path": path,
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
            # Every key is stored: a unit has no note (a note would be silently lost).
            data = self.mapping(item, path, {"code", "name", "kind", "parent"}, {"code", "name"})
            unit = {
                "code": self.slug(data, "code", path, _max_length(OrgUnit, "code")),
                "name": self.text(data, "name", path, required=True, max_length=_max_length(OrgUnit, "name")),
                "kind": self.choice(data, "kind", path, kinds, OrgUnit.Kind.SECTION.value),
                "parent": self.text(data, "parent", path),
                "path": path,
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
        code = self.text(data, "code", path, required=True, max_length=_max_length(Node, "code"))
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
            title=self.text(data, "title", path, required=True, max_length=_max_length(Node, "title")),
            label=self.text(data, "label", path, max_length=_max_length(Node, "label")),
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
        low, high = _int_range(Target, "row")
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
        year = self.integer(data, "year", path, _int_range(Result, "fiscal_year", year=True))
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
                baseline, "value", baseline_path, _decimal_limits(Indicator, "baseline_value")
            )
            baseline_year = self.integer(
                baseline,
                "year",
                baseline_path,
                _int_range(Indicator, "baseline_year", year=True),
                required=False,
            )
        values: list[ValueSpec] = []
        for index, item in enumerate(self.sequence(data.get("values"), (*path, "values"))):
            value_path: Path_ = (*path, "values", index)
            value_data = self.mapping(item, value_path, {"year", "target", "actual"}, {"year"})
            years = (
                self.check_years(value_data.get("year"), (*value_path, "year"), ctx) if value_data else None
            )
            target = self.decimal(value_data, "target", value_path, _decimal_limits(IndicatorValue, "target"))
            actual = self.decimal(value_data, "actual", value_path, _decimal_limits(IndicatorValue, "actual"))
            if years is None:
                continue
            if years[0] != years[1] or any(existing.fiscal_year == years[0] for existing in values):
                self.fail((*value_path, "year"), "one value row per single fiscal year")
                continue
            values.append(ValueSpec(years[0], target, actual, value_path))
        return IndicatorSpec(
            name=self.text(data, "name", path, required=True, max_length=_max_length(Indicator, "name")),
            kind=self.choice(
                data, "kind", path, [k.value for k in Indicator.Kind], Indicator.Kind.OUTCOME.value
            ),
            unit=self.text(data, "unit", path, max_length=_max_length(Indicator, "unit")),
            direction=self.choice(data, "direction", path, [d.value for d in Indicator.Direction]),
            baseline_value=baseline_value,
            baseline_year=baseline_year,
            values=values,
            path=path,
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
        raise PlanFileError(
            str(path), [Problem(problem.path, problem.message, problem.line) for problem in error.problems]
        ) from error
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
    writer = _Writer(spec)
    try:
        return writer.write()
    except _Refused as refusal:
        raise PlanFileError(str(path), refusal.problems) from refusal
    except (DataError, IntegrityError) as error:
        raise PlanFileError(str(path), [writer.database_problem(error)]) from error


def _same(*names: str) -> dict[str, str]:
    return {name: name for name in names}


#: Where a model's field stands in the file, relative to the object's path: a key,
#: a path of keys, or () for the object itself. A field not listed is reported on
#: the object with the field's name.
_FILE_KEYS: dict[type[models.Model], dict[str, str | tuple[str, ...]]] = {
    Plan: _same("code", "title", "period_label", "first_year", "last_year", "onwards", "description", "note"),
    Level: _same("key", "kind", "name", "rated"),
    Scale: _same("code", "name", "good_end", "description"),
    ScaleLevel: _same("code", "label", "adverse"),
    Dimension: _same("key", "name", "level", "scale", "primary"),
    Marker: _same("symbol", "name", "meaning", "note"),
    OrgUnit: _same("code", "name", "kind", "parent"),
    Node: _same("level", "code", "label", "title", "summary", "baseline", "note"),
    NodeUnit: _same("unit", "role"),
    Target: {
        **_same("row", "text", "note"),
        "start_year": "years",
        "end_year": "years",
        "open_end": "years",
        "revised_text": ("revised", "text"),
        "revision_reason": ("revised", "reason"),
    },
    Result: {**_same("text", "context_change", "response", "highlight", "note"), "fiscal_year": "year"},
    Rating: {"level": (), "dimension": ()},
    Indicator: {
        **_same("name", "kind", "unit", "direction"),
        "baseline_value": ("baseline", "value"),
        "baseline_year": ("baseline", "year"),
    },
    IndicatorValue: {**_same("target", "actual"), "fiscal_year": "year"},
}


class _Refused(Exception):
    """Rolls the write back; carries the problems found while writing."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


class _Writer:
    """Writes a checked spec, validating every object with its model's rules.

    A problem is collected with the path of the object in the file and the writing
    goes on where it can (a node that fails is written without its subtree), so
    that one load names as many problems as it can; any problem rolls all back."""

    def __init__(self, spec: PlanSpec) -> None:
        self.spec = spec
        self.problems: list[Problem] = []
        self.at: Path_ = ()  # the path of the object being written, for the database's refusals
        self.drops: list[tuple[models.QuerySet, Path_, str]] = []

    # -- problems

    def problem(self, path: Path_, message: str) -> None:
        line = self.spec.located.line_of(path) if self.spec.located else None
        self.problems.append(Problem(path, message, line))

    def refuse_if_any(self) -> None:
        if self.problems:
            raise _Refused(self.problems)

    def validated(
        self, obj: models.Model, path: Path_, *, fields: bool = True, clean: bool = True, unique: bool = True
    ) -> bool:
        """Run the model's validation as ``full_clean`` does (its fields, its own rules
        in ``clean``, its unique and other constraints), or some of its steps when the
        order of writing needs them apart; report what it refuses; True if clean.

        A foreign key set to a row read or written in this transaction is not looked
        up again (that costs a query per key and cannot fail)."""
        self.at = path
        errors: dict[str, list] = {}
        if fields:
            known = [
                field_.name
                for field_ in obj._meta.concrete_fields
                if field_.is_relation
                and field_.is_cached(obj)
                and getattr(obj, field_.name) is not None
                and getattr(obj, field_.name).pk is not None
            ]
            try:
                obj.clean_fields(exclude=known)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if clean:
            try:
                obj.clean()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if unique:
            exclude = set(errors)  # as full_clean does: a field already refused is not looked up
            for step in (obj.validate_unique, obj.validate_constraints):
                try:
                    step(exclude=exclude)
                except ValidationError as error:
                    errors = error.update_error_dict(errors)
        if errors:
            self.report(ValidationError(errors), obj, path)
            return False
        return True

    def report(self, error: ValidationError, obj: models.Model, path: Path_) -> None:
        keys = _FILE_KEYS.get(type(obj), {})
        errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for name, messages in errors.items():
            where, prefix = path, ""
            if name in keys:
                key = keys[name]
                where = (*path, *((key,) if isinstance(key, str) else key))
            elif name != NON_FIELD_ERRORS:
                try:
                    prefix = f"{obj._meta.get_field(name).verbose_name}: "
                except FieldDoesNotExist:  # a rule may name anything
                    prefix = f"{name}: "
            for message in messages:
                self.problem(where, prefix + message)

    def database_problem(self, error: DataError | IntegrityError) -> Problem:
        line = self.spec.located.line_of(self.at) if self.spec.located else None
        if isinstance(error, ProtectedError | RestrictedError):
            users, _count = _count_users(error)
            return Problem(self.at, f"the file drops rows that other rows still use ({users})", line)
        return Problem(self.at, f"the database refused the data: {_database_message(error)}", line)

    # -- the plan

    def write(self) -> LoadSummary:
        with transaction.atomic():
            return self._write()

    def _write(self) -> LoadSummary:
        spec = self.spec
        self.check_shared_scales()
        self.refuse_if_any()

        plan_data = spec.plan
        plan = Plan.objects.filter(code=plan_data["code"]).first() or Plan(code=plan_data["code"])
        for name in ("title", "period_label", "first_year", "last_year", "onwards", "description", "note"):
            setattr(plan, name, plan_data[name])
        # Plan.clean compares the period with the data already stored: run at the end, on the new data.
        if not self.validated(plan, plan_data["path"], clean=False):
            self.refuse_if_any()
        plan.save()
        summary = LoadSummary(plan)

        levels = self.write_levels(plan)
        scales = self.write_scales()
        self.refuse_if_any()
        dimensions = self.write_dimensions(plan, levels, scales)
        markers = self.write_markers(plan)
        units = self.write_units()
        self.refuse_if_any()

        writing = _Nodes(self, plan, levels, scales, dimensions, markers, units, summary)
        for index, node_spec in enumerate(spec.nodes):
            writing.write(node_spec, None, index)
        self.refuse_if_any()

        # What the file no longer holds goes, nodes first (their rows cascade), then
        # what the nodes stood on.
        self.drop(Node.objects.filter(plan=plan).exclude(pk__in=writing.kept), ("nodes",), "node", "code")
        self.drop(
            plan.dimensions.exclude(pk__in=[d.pk for d in dimensions.values()]),
            ("dimensions",),
            "dimension",
            "key",
        )
        self.drop(
            plan.markers.exclude(pk__in=[m.pk for m in markers.values()]), ("markers",), "marker", "symbol"
        )
        self.drop(plan.levels.exclude(pk__in=[lv.pk for lv in levels.values()]), ("levels",), "level", "key")
        for queryset, path, what in self.drops:
            self.drop(queryset, path, "level", "code", what)
        self.refuse_if_any()
        self.validated(plan, plan_data["path"])  # the period against the data now stored
        self.refuse_if_any()
        return summary

    def check_shared_scales(self) -> None:
        """Scales are shared by code: a file may not change one that other plans use."""
        plan_code = self.spec.plan["code"]
        for scale_data in self.spec.scales:
            scale = Scale.objects.filter(code=scale_data["code"]).first()
            if scale is None:
                continue
            others = sorted(
                set(
                    Dimension.objects.filter(scale=scale)
                    .exclude(plan__code=plan_code)
                    .values_list("plan__code", flat=True)
                )
            )
            changes = _scale_changes(scale, scale_data) if others else []
            if changes:
                plans = ", ".join(repr(code) for code in others)
                self.problem(
                    scale_data["path"],
                    f"the scale {scale.code!r} is also used by the plan{'s' if len(others) > 1 else ''} "
                    f"{plans}; this file would change it for them too ({'; '.join(changes)}). "
                    "Give it the same definition, or give this plan's scale a code of its own",
                )

    def write_levels(self, plan: Plan) -> dict[str, Level]:
        existing = {level.key: level for level in plan.levels.all()}
        stored = [(level.pk, level.key, level.depth) for level in existing.values()]
        written: list[tuple[Level, Path_]] = []
        for data in self.spec.levels:
            level = existing.get(data["key"]) or Level(plan=plan, key=data["key"])
            for name in ("depth", "kind", "name", "rated"):
                setattr(level, name, data[name])
            # Level.clean compares with the stored depth: validated before the renumbering.
            if self.validated(level, data["path"], unique=False):
                written.append((level, data["path"]))
        self.refuse_if_any()
        _make_room(Level, stored, "depth", {level.key: level.depth for level, _ in written})
        for level, path in written:
            if self.validated(level, path, fields=False, clean=False):
                level.save()
        return {level.key: level for level, _ in written}

    def write_scales(self) -> dict[str, tuple[Scale, dict[str, ScaleLevel]]]:
        scales = {}
        for data in self.spec.scales:
            scale = Scale.objects.filter(code=data["code"]).first() or Scale(code=data["code"])
            for name in ("name", "good_end", "description"):
                setattr(scale, name, data[name])
            if not self.validated(scale, data["path"]):
                continue
            scale.save()
            existing = {level.code: level for level in scale.levels.all()}
            wanted = {level["code"]: level["position"] for level in data["levels"]}
            stored = [(level.pk, level.code, level.position) for level in existing.values()]
            _make_room(ScaleLevel, stored, "position", wanted)
            scale_levels = {}
            for level_data in data["levels"]:
                level = existing.get(level_data["code"]) or ScaleLevel(scale=scale, code=level_data["code"])
                for name in ("label", "adverse", "position"):
                    setattr(level, name, level_data[name])
                if self.validated(level, level_data["path"]):
                    level.save()
                    scale_levels[level.code] = level
            dropped = scale.levels.exclude(code__in=list(wanted))
            self.drops.append((dropped, (*data["path"], "levels"), f" of the scale {scale.code!r}"))
            scales[scale.code] = (scale, scale_levels)
        return scales

    def write_dimensions(
        self, plan: Plan, levels: dict[str, Level], scales: dict[str, tuple[Scale, dict]]
    ) -> dict[tuple[str, str], Dimension]:
        existing = {(d.level_id, d.key): d for d in plan.dimensions.all()}
        plan.dimensions.filter(primary=True).update(primary=False)
        dimensions = {}
        for data in self.spec.dimensions:
            level = levels[data["level"]]
            dimension = existing.get((level.pk, data["key"])) or Dimension(
                plan=plan, level=level, key=data["key"]
            )
            dimension.name = data["name"]
            dimension.scale = scales[data["scale"]][0]
            dimension.primary = data["primary"]
            dimension.position = data["position"]
            if self.validated(dimension, data["path"]):
                dimension.save()
                dimensions[(data["level"], data["key"])] = dimension
        return dimensions

    def write_markers(self, plan: Plan) -> dict[str, Marker]:
        existing = {marker.symbol: marker for marker in plan.markers.all()}
        markers = {}
        for data in self.spec.markers:
            marker = existing.get(data["symbol"]) or Marker(plan=plan, symbol=data["symbol"])
            for name in ("name", "meaning", "note", "position"):
                setattr(marker, name, data[name])
            if self.validated(marker, data["path"]):
                marker.save()
                markers[marker.symbol] = marker
        return markers

    def write_units(self) -> dict[str, OrgUnit]:
        units: dict[str, OrgUnit] = {}
        for data in self.spec.units:
            unit = OrgUnit.objects.filter(code=data["code"]).first() or OrgUnit(code=data["code"])
            unit.name = data["name"]
            unit.kind = data["kind"]
            unit.parent = units.get(data["parent"])
            if self.validated(unit, data["path"]):
                unit.save()
                units[unit.code] = unit
        return units

    def drop(self, queryset: models.QuerySet, path: Path_, noun: str, name: str, suffix: str = "") -> None:
        """Delete what the file no longer holds, or say which rows still use it."""
        self.at = path
        names = list(queryset.values_list(name, flat=True))
        if not names:
            return
        try:
            with transaction.atomic():
                queryset.delete()
        except (ProtectedError, RestrictedError) as error:
            shown = ", ".join(repr(str(n)) for n in names[:10]) + (", …" if len(names) > 10 else "")
            what = f"the {noun}{'s' if len(names) > 1 else ''} {shown}{suffix}"
            users, count = _count_users(error)
            verb = "uses" if count == 1 else "use"
            self.problem(
                path, f"the file drops {what}, but {users} still {verb} {'it' if len(names) == 1 else 'them'}"
            )


class _Nodes:
    """Writes the tree of nodes with their targets, results, ratings and indicators."""

    def __init__(
        self,
        writer: _Writer,
        plan: Plan,
        levels: dict[str, Level],
        scales: dict[str, tuple[Scale, dict[str, ScaleLevel]]],
        dimensions: dict[tuple[str, str], Dimension],
        markers: dict[str, Marker],
        units: dict[str, OrgUnit],
        summary: LoadSummary,
    ) -> None:
        self.writer = writer
        self.plan = plan
        self.levels = levels
        self.scales = scales
        self.dimensions = dimensions
        self.markers = markers
        self.units = units
        self.summary = summary
        self.kept: list[int] = []
        self.existing = {node.code: node for node in Node.objects.filter(plan=plan)}

    def write(self, spec: NodeSpec, parent: Node | None, position: int) -> None:
        writer = self.writer
        node = self.existing.get(spec.code) or Node(plan=self.plan, code=spec.code)
        node.parent = parent
        node.level = self.levels[spec.level]
        node.position = position
        node.title = spec.title
        node.label = spec.label
        node.summary = spec.summary
        node.baseline = spec.baseline
        node.note = spec.note
        writer.at = spec.path
        try:
            node_save(node)  # full_clean, then save, keeping the paths of the tree true
        except ValidationError as error:
            writer.report(error, node, spec.path)
            return  # its subtree cannot be written without it
        self.kept.append(node.pk)
        self.summary.nodes += 1
        node.markers.set([self.markers[symbol] for symbol in spec.markers])

        node.unit_roles.all().delete()
        seen = set()
        for role_spec in spec.units:
            if (role_spec.unit, role_spec.role) in seen:
                continue
            seen.add((role_spec.unit, role_spec.role))
            role = NodeUnit(node=node, unit=self.units[role_spec.unit], role=role_spec.role)
            if writer.validated(role, role_spec.path):
                role.save()

        node.targets.all().delete()
        for index, target_spec in enumerate(spec.targets):
            target = Target(
                node=node,
                position=index,
                row=target_spec.row,
                start_year=target_spec.start_year,
                end_year=target_spec.end_year,
                open_end=target_spec.open_end,
                text=target_spec.text,
                revised_text=target_spec.revised_text,
                revision_reason=target_spec.revision_reason,
                note=target_spec.note,
            )
            if writer.validated(target, target_spec.path):
                target.save()
                self.summary.targets += 1

        node.results.exclude(fiscal_year__in=[r.fiscal_year for r in spec.results]).delete()
        results = {result.fiscal_year: result for result in node.results.all()}
        for result_spec in spec.results:
            self.write_result(node, spec, result_spec, results.get(result_spec.fiscal_year))

        node.indicators.all().delete()
        for index, indicator_spec in enumerate(spec.indicators):
            self.write_indicator(node, index, indicator_spec)

        for index, child in enumerate(spec.children):
            self.write(child, node, index)

    def write_result(
        self, node: Node, spec: NodeSpec, result_spec: ResultSpec, result: Result | None
    ) -> None:
        writer = self.writer
        result = result or Result(node=node, fiscal_year=result_spec.fiscal_year)
        for name in ("text", "context_change", "response", "highlight", "note"):
            setattr(result, name, getattr(result_spec, name))
        if not writer.validated(result, result_spec.path):
            return
        result.save()
        self.summary.results += 1
        result.ratings.all().delete()
        for key, code in result_spec.ratings.items():
            dimension = self.dimensions[(spec.level, key)]
            rating = Rating(
                result=result, dimension=dimension, level=self.scales[dimension.scale.code][1][code]
            )
            if writer.validated(rating, (*result_spec.path, "ratings", key)):
                rating.save()
                self.summary.ratings += 1

    def write_indicator(self, node: Node, index: int, spec: IndicatorSpec) -> None:
        writer = self.writer
        indicator = Indicator(
            node=node,
            position=index,
            name=spec.name,
            kind=spec.kind,
            unit=spec.unit,
            direction=spec.direction,
            baseline_value=spec.baseline_value,
            baseline_year=spec.baseline_year,
        )
        if not writer.validated(indicator, spec.path):
            return
        indicator.save()
        self.summary.indicators += 1
        for value_spec in spec.values:
            value = IndicatorValue(
                indicator=indicator,
                fiscal_year=value_spec.fiscal_year,
                target=value_spec.target,
                actual=value_spec.actual,
            )
            if writer.validated(value, value_spec.path):
                value.save()


def _make_room(
    model: type[models.Model], stored: list[tuple[int, str, int]], name: str, wanted: dict[str, int]
) -> None:
    """Move stored rows (pk, natural key, number) out of the way when their order
    (``depth`` or ``position``, unique in their plan or scale) is about to change:
    above every stored and every wanted number, in one statement that never
    clashes midway, so that the rows can then take their new numbers one by one."""
    if all(wanted.get(key) == number for _pk, key, number in stored):
        return
    shift = max(max(number for _pk, _key, number in stored) + 1, len(wanted))
    model.objects.filter(pk__in=[pk for pk, _key, _number in stored]).update(**{name: F(name) + shift})


def _scale_changes(scale: Scale, data: dict[str, Any]) -> list[str]:
    """How the file's definition of a stored scale differs from it, in words."""
    changes = [
        f"changes its {name.replace('_', ' ')}"
        for name in ("name", "good_end", "description")
        if getattr(scale, name) != data[name]
    ]
    saved = list(scale.levels.order_by("position"))
    saved_codes = [level.code for level in saved]
    wanted_codes = [level["code"] for level in data["levels"]]
    dropped = [code for code in saved_codes if code not in wanted_codes]
    added = [code for code in wanted_codes if code not in saved_codes]
    for verb, codes in (("drops", dropped), ("adds", added)):
        if codes:
            shown = ", ".join(repr(code) for code in codes)
            changes.append(f"{verb} the level{'s' if len(codes) > 1 else ''} {shown}")
    if [c for c in saved_codes if c in wanted_codes] != [c for c in wanted_codes if c in saved_codes]:
        changes.append("reorders the levels")
    by_code = {level.code: level for level in saved}
    for level in data["levels"]:
        old = by_code.get(level["code"])
        if old is None:
            continue
        if old.label != level["label"]:
            changes.append(f"relabels {old.code!r} ({old.label!r} → {level['label']!r})")
        if old.adverse != level["adverse"]:
            changes.append(f"makes {old.code!r} {'adverse' if level['adverse'] else 'not adverse'}")
    return changes


def _count_users(error: ProtectedError | RestrictedError) -> tuple[str, int]:
    """The rows that block a deletion, counted by kind: ("3 ratings, 1 node", 4)."""
    rows = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    counts: dict[type[models.Model], int] = {}
    for row in rows:
        counts[type(row)] = counts.get(type(row), 0) + 1
    with translation.override(None):  # the sentence around is English
        parts = [
            f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
            for model, count in sorted(counts.items(), key=lambda item: item[0]._meta.label)
        ]
    return ", ".join(parts), sum(counts.values())


def _database_message(error: Exception) -> str:
    """The database's own words: its first line and its DETAIL, never object reprs."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    kept = lines[:1] + [line for line in lines[1:] if line.startswith("DETAIL:")]
    message = " ".join(kept) or type(error).__name__
    return message if len(message) <= 500 else message[:500] + "…"
