"""Loading an import profile: its YAML read with the line of every value, checked against
``profile-1.schema.json``, then for what a schema cannot say (a key defined twice, a
reference to a level, scale or section the profile does not define, a column read for two
things, a block running into the next), into a ``Profile`` (``spec.py``).

Every problem names the profile's line and the path of the key inside it; a profile with
any problem is refused whole (``ProfileRefused``) and nothing of a sheet is read with it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
from django.utils.translation import gettext as _
from openpyxl.utils import column_index_from_string

from shinchoku.interchange.preview import Problem, Where
from shinchoku.plans.formats.planfile.spec import format_path
from shinchoku.plans.formats.planfile.yamlsource import MAX_BYTES, Located, SourceError, load_yaml
from shinchoku.plans.formats.profile.cells import DEFAULT_MARKS, compact, heading_key
from shinchoku.plans.formats.profile.spec import (
    FORMAT,
    BlockSpec,
    BudgetSpec,
    ClassificationSpec,
    Column,
    DimensionSpec,
    IndicatorSpec,
    LevelSpec,
    MarkerSpec,
    PathKey,
    PeriodSpec,
    Profile,
    ScaleLevelSpec,
    ScaleSpec,
    SectionColumn,
    SectionSpec,
    StaffRateSpec,
    UnitSpec,
    WholePeriodSpec,
    YearsSpec,
)

SCHEMA = Path(__file__).with_name("profile-1.schema.json")
#: The builtin sections of each scope (their text is kept in the node's or the result's own field).
BUILTINS = {"node": {"summary", "baseline"}, "year": {"text", "context_change", "response", "highlight"}}


class ProfileRefused(Exception):
    """A profile that cannot be used; ``problems`` names each line and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@cache
def _validator() -> Any:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text("utf-8")))


def read_profile(path: Path) -> Profile:
    """The profile in the file at ``path``, checked; ProfileRefused with every problem."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ProfileRefused(
            [Problem(Where(file=name), _("The profile cannot be read: %(why)s") % {"why": error.strerror})]
        ) from error
    return load_profile(raw, name)


def load_profile(raw: bytes, name: str) -> Profile:
    """The profile in ``raw`` (the bytes of a file called ``name``), checked."""
    if len(raw) > MAX_BYTES:
        raise ProfileRefused([Problem(Where(file=name), _("The profile is too large to be one."))])
    try:
        located = load_yaml(raw.decode("utf-8-sig"), name)
    except UnicodeDecodeError as error:
        raise ProfileRefused(
            [
                Problem(
                    Where(file=name), _("The profile is not UTF-8 text (byte %(at)s).") % {"at": error.start}
                )
            ]
        ) from error
    except SourceError as error:
        raise ProfileRefused(
            [Problem(_where(name, problem.line, problem.path), problem.message) for problem in error.problems]
        ) from error
    return _Checker(name, located).check()


def _where(file: str, line: int | None, path: PathKey) -> Where:
    """Where a key stands in a profile: its line and its path, as far as they are known."""
    place = format_path(path) if path else ""
    if line and place:
        return Where(file=file, name=_("line %(line)s, %(path)s") % {"line": line, "path": place})
    return Where(file=file, name=_("line %(line)s") % {"line": line} if line else place)


def _expected_heading(text: str) -> tuple[str, str]:
    """A heading as the profile expects it: compact, and as written."""
    return heading_key(text), text


class _Checker:
    """Builds a ``Profile`` from the parsed YAML, collecting every problem."""

    def __init__(self, file: str, located: Located) -> None:
        self.file = file
        self.located = located
        self.problems: list[Problem] = []
        #: Each column the profile reads, with the path of the first key that reads it.
        self.read: dict[int, PathKey] = {}

    def fail(self, path: PathKey, message: str) -> None:
        self.problems.append(Problem(_where(self.file, self.located.line_of(path), path), message))

    def check(self) -> Profile:
        data = self.located.data
        if not isinstance(data, dict):
            self.fail((), _("A profile is a mapping of keys (format, heading_row, plan …)."))
            raise ProfileRefused(self.problems)
        if data.get("format") != FORMAT:
            self.fail(
                ("format",),
                _("This is not an import profile: format: %(format)s is expected.") % {"format": FORMAT},
            )
            raise ProfileRefused(self.problems)
        for error in sorted(
            _validator().iter_errors(data), key=lambda error: list(map(str, error.absolute_path))
        ):
            violation = error
            if error.validator in {"oneOf", "anyOf"} and error.context:
                # The alternative of the value's own type says what is wrong with it.
                fitting = [item for item in error.context if item.validator != "type"] or error.context
                violation = jsonschema.exceptions.best_match(fitting)
            self.fail(tuple(violation.absolute_path), str(violation.message)[:300])
        if self.problems:
            raise ProfileRefused(self.problems)
        profile = self.build(data)
        if self.problems:
            raise ProfileRefused(self.problems)
        return profile

    # -- columns

    def column(self, letter: str, path: PathKey, *, reads: bool = True) -> Column:
        column = Column(column_index_from_string(letter), path)
        if reads:
            if column.index in self.read:
                self.fail(
                    path,
                    _("Column %(column)s is read already, at %(other)s: a column is read for one thing only.")
                    % {"column": letter, "other": format_path(self.read[column.index])},
                )
            else:
                self.read[column.index] = path
        return column

    def optional_column(self, item: dict[str, Any], key: str, path: PathKey) -> Column | None:
        return self.column(item[key], (*path, key)) if key in item else None

    # -- the whole

    def build(self, data: dict[str, Any]) -> Profile:
        plan = data["plan"]
        heading_row, first_row = data["heading_row"], data["first_row"]
        if first_row <= heading_row:
            self.fail(("first_row",), _("The data starts below the heading row."))
        last_row = data.get("last_row")
        if last_row is not None and last_row < first_row:
            self.fail(("last_row",), _("The last row is above the first."))
        if plan["first_year"] > plan["last_year"]:
            self.fail(("plan", "last_year"), _("The plan's last year is before its first."))
        year = data["fiscal_year"]
        year_column = (
            self.column(year["column"], ("fiscal_year", "column")) if isinstance(year, dict) else None
        )
        levels = self.levels(plan["levels"])
        scales = self.scales(plan.get("scales", []))
        markers = self.markers(plan.get("markers", []))
        level_keys = [level.key for level in levels]
        profile = Profile(
            file=self.file,
            name=data.get("name", ""),
            sheet=data.get("sheet", ""),
            heading_row=heading_row,
            first_row=first_row,
            last_row=last_row,
            fiscal_year=None if isinstance(year, dict) else year,
            fiscal_year_column=year_column,
            judged_year=data.get("judged_year", 0),
            amounts=data.get("amounts", "yen"),
            ignored=(),
            personal=(),
            headings={
                column_index_from_string(letter): _expected_heading(text)
                for letter, text in data.get("headings", {}).items()
            },
            plan_code=plan["code"],
            plan_title=plan["title"],
            plan_description=plan.get("description", ""),
            period_label=plan.get("period_label", ""),
            first_year=plan["first_year"],
            last_year=plan["last_year"],
            amount_unit=plan.get("amount_unit", "yen"),
            staff_rates=self.staff_rates(plan),
            levels=levels,
            scales=scales,
            dimensions=(),
            markers=markers,
            sections=(),
            marks=frozenset(compact(mark) for mark in data.get("marks", DEFAULT_MARKS)),
            lines=self.located.lines,
        )
        profile.dimensions = self.dimensions(plan.get("dimensions", []), level_keys, scales)
        profile.sections = self.sections(plan.get("sections", []), level_keys, profile.judged_year)
        self.node(data.get("node", {}), profile)
        self.indicators(data.get("indicators"), profile)
        self.years(data.get("years"), profile)
        self.whole_period(data.get("whole_period"), profile)
        self.rated_data(data, profile)
        profile.personal = tuple(
            self.column(letter, ("personal", index)) for index, letter in enumerate(data.get("personal", []))
        )
        profile.ignored = tuple(
            self.column(letter, ("ignore", index)) for index, letter in enumerate(data.get("ignore", []))
        )
        return profile

    def staff_rates(self, plan: dict[str, Any]) -> tuple[StaffRateSpec, ...]:
        rates = []
        seen: set[int] = set()
        for index, item in enumerate(plan.get("staff_rates", [])):
            path = ("plan", "staff_rates", index, "fiscal_year")
            year = item["fiscal_year"]
            if year in seen:
                self.fail(path, _("The staff rate of %(year)s is given twice.") % {"year": year})
            elif not plan["first_year"] <= year <= plan["last_year"]:
                self.fail(path, _("%(year)s is outside the plan's period.") % {"year": year})
            seen.add(year)
            rates.append(StaffRateSpec(year, item["hourly_cost"]))
        return tuple(rates)

    def levels(self, items: list[dict[str, Any]]) -> tuple[LevelSpec, ...]:
        levels = []
        for index, item in enumerate(items):
            path = ("plan", "levels", index)
            if index == 0 and item.get("prefix"):
                self.fail((*path, "prefix"), _("The top level has no parent whose code could come first."))
            levels.append(
                LevelSpec(
                    key=item["key"],
                    name=item["name"],
                    name_en=item.get("name_en", ""),
                    kind=item.get("kind", "other"),
                    rated=item.get("rated", False),
                    code=tuple(
                        self.column(letter, (*path, "code", n)) for n, letter in enumerate(item["code"])
                    ),
                    prefix=item.get("prefix", False),
                    digits=item.get("digits", 0),
                    title=self.column(item["title"], (*path, "title")),
                    path=path,
                )
            )
        self.unique([level.key for level in levels], ("plan", "levels"), "key", _("level"))
        return tuple(levels)

    def unique(self, keys: list[str], path: PathKey, name: str, what: str) -> None:
        for index, key in enumerate(keys):
            if key in keys[:index]:
                self.fail(
                    (*path, index, name),
                    _("The %(what)s %(key)s is defined twice.") % {"what": what, "key": key},
                )

    def scales(self, items: list[dict[str, Any]]) -> tuple[ScaleSpec, ...]:
        scales = []
        for index, item in enumerate(items):
            path = ("plan", "scales", index)
            levels = tuple(
                ScaleLevelSpec(
                    code=level["code"],
                    label=level["label"],
                    label_en=level.get("label_en", ""),
                    adverse=level.get("adverse", False),
                    row_label=level.get("row_label", ""),
                    column_label=level.get("column_label", ""),
                )
                for level in item["levels"]
            )
            self.unique([level.code for level in levels], (*path, "levels"), "code", _("scale level"))
            scales.append(
                ScaleSpec(
                    code=item["code"],
                    name=item["name"],
                    name_en=item.get("name_en", ""),
                    good_end=item.get("good_end", "first"),
                    description=item.get("description", ""),
                    levels=levels,
                    path=path,
                )
            )
        self.unique([scale.code for scale in scales], ("plan", "scales"), "code", _("scale"))
        return tuple(scales)

    def level_key(self, item: dict[str, Any], path: PathKey, level_keys: list[str]) -> str:
        key = item.get("level", level_keys[-1])
        if key not in level_keys:
            self.fail((*path, "level"), _("The plan has no level %(key)s.") % {"key": key})
        return str(key)

    def dimensions(
        self, items: list[dict[str, Any]], level_keys: list[str], scales: tuple[ScaleSpec, ...]
    ) -> tuple[DimensionSpec, ...]:
        dimensions = []
        by_code = {scale.code: scale for scale in scales}
        for index, item in enumerate(items):
            path = ("plan", "dimensions", index)
            scale = by_code.get(item["scale"])
            if scale is None:
                self.fail(
                    (*path, "scale"), _("The profile defines no scale %(code)s.") % {"code": item["scale"]}
                )
            codes = {level.code for level in scale.levels} if scale else set()
            values: dict[str, str | None] = {}
            for written, code in item.get("values", {}).items():
                if code is not None and code not in codes:
                    self.fail(
                        (*path, "values", written),
                        _("The scale %(scale)s has no level %(code)s.")
                        % {"scale": item["scale"], "code": code},
                    )
                values[compact(written)] = code
            dimensions.append(
                DimensionSpec(
                    key=item["key"],
                    name=item["name"],
                    name_en=item.get("name_en", ""),
                    level=self.level_key(item, path, level_keys),
                    scale=item["scale"],
                    primary=item.get("primary", False),
                    column=self.column(item["column"], (*path, "column")),
                    reason=self.optional_column(item, "reason", path),
                    values=values,
                    path=path,
                )
            )
        for level in level_keys:
            keys = [dimension.key for dimension in dimensions if dimension.level == level]
            for key, count in Counter(keys).items():
                if count > 1:
                    self.fail(
                        ("plan", "dimensions"), _("The dimension %(key)s is defined twice.") % {"key": key}
                    )
            primaries = [
                dimension for dimension in dimensions if dimension.level == level and dimension.primary
            ]
            for extra in primaries[1:]:
                self.fail((*extra.path, "primary"), _("A level has one primary dimension at most."))
        return tuple(dimensions)

    def markers(self, items: list[dict[str, Any]]) -> tuple[MarkerSpec, ...]:
        markers = tuple(
            MarkerSpec(
                symbol=item["symbol"],
                name=item["name"],
                name_en=item.get("name_en", ""),
                meaning=item.get("meaning", ""),
                column=self.optional_column(item, "column", ("plan", "markers", index)),
                path=("plan", "markers", index),
            )
            for index, item in enumerate(items)
        )
        self.unique([marker.symbol for marker in markers], ("plan", "markers"), "symbol", _("marker"))
        return markers

    def sections(
        self, items: list[dict[str, Any]], level_keys: list[str], judged: int
    ) -> tuple[SectionSpec, ...]:
        sections = []
        for index, item in enumerate(items):
            path = ("plan", "sections", index)
            scope, builtin = item["scope"], item.get("builtin", "")
            if builtin and builtin not in BUILTINS[scope]:
                self.fail(
                    (*path, "builtin"),
                    _("%(builtin)s is not a section of the %(scope)s scope.")
                    % {"builtin": builtin, "scope": scope},
                )
            columns: list[SectionColumn] = []
            if "column" in item:
                year = judged if scope == "year" else None
                columns.append(SectionColumn(self.column(item["column"], (*path, "column")), year))
            for number, entry in enumerate(item.get("columns", [])):
                entry_path = (*path, "columns", number)
                if scope == "node":
                    self.fail(
                        (*entry_path, "year"), _("A section of the node has no year: give it one column.")
                    )
                year = {"judged": judged, "sheet": 0}.get(entry["year"], entry["year"])
                columns.append(SectionColumn(self.column(entry["column"], (*entry_path, "column")), year))
            sections.append(
                SectionSpec(
                    key=item["key"],
                    name=item["name"],
                    name_en=item.get("name_en", ""),
                    level=self.level_key(item, path, level_keys),
                    scope=scope,
                    builtin=builtin,
                    columns=tuple(columns),
                    path=path,
                )
            )
        for level in level_keys:
            of_level = [section for section in sections if section.level == level]
            for what, keys in (
                ("key", [s.key for s in of_level]),
                ("builtin", [s.builtin for s in of_level if s.builtin]),
            ):
                for key, count in Counter(keys).items():
                    if count > 1:
                        self.fail(
                            ("plan", "sections"),
                            _("Two sections of the level %(level)s have the %(what)s %(key)s.")
                            % {"level": level, "what": what, "key": key},
                        )
        return tuple(sections)

    def node_section(self, key: str, path: PathKey, profile: Profile) -> str:
        """A section of the deepest level that holds text of the node, by its key."""
        found = next(
            (
                section
                for section in profile.sections
                if section.key == key and section.level == profile.deepest.key
            ),
            None,
        )
        if found is None or found.scope != "node":
            self.fail(
                path, _("The plan defines no section %(key)s of the node on its last level.") % {"key": key}
            )
        return key

    def node(self, data: dict[str, Any], profile: Profile) -> None:
        builtins = {section.builtin for section in profile.sections if section.level == profile.deepest.key}
        path: PathKey
        for name, letter in data.get("fields", {}).items():
            path = ("node", "fields", name)
            if name in builtins:
                self.fail(
                    path, _("The section with builtin %(name)s gives this field already.") % {"name": name}
                )
            profile.fields[name] = self.column(letter, path)
        if "classification" in data:
            item, path = data["classification"], ("node", "classification")
            into_label = item.get("into", "markers") == "label"
            symbols = {marker.symbol for marker in profile.markers}
            for written, symbol in item.get("values", {}).items():
                if not into_label and symbol not in symbols:
                    self.fail(
                        (*path, "values", written),
                        _("The plan defines no marker %(symbol)s.") % {"symbol": symbol},
                    )
            if not into_label and not item.get("values"):
                self.fail((*path, "values"), _("Say which marker each value of the column sets."))
            profile.classification = ClassificationSpec(
                column=self.column(item["column"], (*path, "column")),
                values={compact(written): symbol for written, symbol in item.get("values", {}).items()},
                into_label=into_label,
                path=path,
            )
        if "period" in data:
            item, path = data["period"], ("node", "period")
            profile.period = PeriodSpec(
                kind=self.optional_column(item, "kind", path),
                start=self.optional_column(item, "start", path),
                end=self.optional_column(item, "end", path),
                section=self.node_section(item["section"], (*path, "section"), profile),
                path=path,
            )
        if "budget_items" in data:
            item, path = data["budget_items"], ("node", "budget_items")
            profile.budget = BudgetSpec(
                columns=tuple(
                    self.column(letter, (*path, "columns", n)) for n, letter in enumerate(item["columns"])
                ),
                joiner=item.get("join", "-"),
                section=self.node_section(item["section"], (*path, "section"), profile),
                path=path,
            )
        if "unit" in data:
            item, path = data["unit"], ("node", "unit")
            profile.unit = UnitSpec(
                column=self.column(item["column"], (*path, "column")),
                role=item.get("role", "responsible"),
                kind=item.get("kind", "section"),
                prefix=item.get("prefix", ""),
                codes={compact(name): code for name, code in item.get("codes", {}).items()},
                path=path,
            )

    def indicators(self, data: dict[str, Any] | None, profile: Profile) -> None:
        if data is None:
            return
        profile.direction = data.get("direction", "higher")
        profile.percent_units = frozenset(compact(unit) for unit in data.get("percent_units", ["%"]))
        profile.unit_names = {compact(written): unit for written, unit in data.get("units", {}).items()}
        items = []
        for index, item in enumerate(data["items"]):
            path = ("indicators", "items", index)
            items.append(
                IndicatorSpec(
                    key=item["key"],
                    kind=item["kind"],
                    name=self.column(item["name"], (*path, "name")),
                    unit=self.column(item["unit"], (*path, "unit")) if "unit" in item else Column(0, path),
                    path=path,
                )
            )
        self.unique([item.key for item in items], ("indicators", "items"), "key", _("indicator"))
        profile.indicators = tuple(items)

    def years(self, data: dict[str, Any] | None, profile: Profile) -> None:
        if data is None:
            return
        width, first = data["width"], column_index_from_string(data["first_column"])
        keys = {item.key for item in profile.indicators}
        for group in ("costs", "indicators"):
            for name, offset in data.get(group, {}).items():
                if offset >= width:
                    self.fail(
                        ("years", group, name),
                        _("The place %(offset)s is outside a block of %(width)s columns.")
                        % {"offset": offset, "width": width},
                    )
                if group == "indicators" and name not in keys:
                    self.fail(
                        ("years", group, name), _("The profile defines no indicator %(key)s.") % {"key": name}
                    )
            for name, count in Counter(data.get(group, {}).values()).items():
                if count > 1:
                    self.fail(("years", group), _("The place %(offset)s is given twice.") % {"offset": name})
        if len(data.get("headings", [])) > width:
            self.fail(("years", "headings"), _("More headings than a block has columns."))
        blocks = []
        for index, item in enumerate(data["blocks"]):
            path = ("years", "blocks", index)
            start = first + index * width
            for offset in range(width):
                self.column_of_block(start + offset, path)
            year = item.get("fiscal_year")
            if year is not None and not profile.first_year <= year <= profile.last_year:
                self.fail(
                    (*path, "fiscal_year"), _("%(year)s is outside the plan's period.") % {"year": year}
                )
            blocks.append(BlockSpec(start, item.get("year"), year, item["basis"], path))
        profile.years = YearsSpec(
            width=width,
            blocks=tuple(blocks),
            costs=dict(data.get("costs", {})),
            indicators=dict(data.get("indicators", {})),
            headings=tuple(heading_key(text) if text else "" for text in data.get("headings", [])),
            path=("years",),
        )

    def column_of_block(self, index: int, path: PathKey) -> None:
        if index in self.read:
            self.fail(
                path,
                _("This block runs into a column read already, at %(other)s.")
                % {"other": format_path(self.read[index])},
            )
        else:
            self.read[index] = path

    def whole_period(self, data: dict[str, Any] | None, profile: Profile) -> None:
        if data is None:
            return
        path = ("whole_period",)
        profile.whole_period = WholePeriodSpec(
            basis=data.get("basis", "plan"),
            costs={
                name: self.column(letter, (*path, "costs", name)) for name, letter in data["costs"].items()
            },
            path=path,
        )

    def rated_data(self, data: dict[str, Any], profile: Profile) -> None:
        """Costs, ratings and results are kept on rated nodes only."""
        rated = {level.key for level in profile.levels if level.rated}
        for key in ("years", "whole_period"):
            if key in data and profile.deepest.key not in rated:
                self.fail((key,), _("Costs are kept on rated nodes: make the last level rated."))
        for dimension in profile.dimensions:
            if dimension.level not in rated:
                self.fail((*dimension.path, "level"), _("Ratings are kept on a rated level."))
        for section in profile.sections:
            if section.scope == "year" and section.level not in rated:
                self.fail((*section.path, "scope"), _("A section of a fiscal year is kept on a rated level."))


def profile_columns(profile: Profile) -> Iterator[Column]:
    """Every column the profile reads (not those it ignores), in no particular order."""
    if profile.fiscal_year_column is not None:
        yield profile.fiscal_year_column
    for level in profile.levels:
        yield from level.code
        yield level.title
    for dimension in profile.dimensions:
        yield dimension.column
        if dimension.reason is not None:
            yield dimension.reason
    for marker in profile.markers:
        if marker.column is not None:
            yield marker.column
    for section in profile.sections:
        yield from (entry.column for entry in section.columns)
    yield from profile.fields.values()
    if profile.classification is not None:
        yield profile.classification.column
    if profile.period is not None:
        yield from (
            column for column in (profile.period.kind, profile.period.start, profile.period.end) if column
        )
    if profile.budget is not None:
        yield from profile.budget.columns
    if profile.unit is not None:
        yield profile.unit.column
    for indicator in profile.indicators:
        yield indicator.name
        if indicator.unit.index:
            yield indicator.unit
    if profile.whole_period is not None:
        yield from profile.whole_period.costs.values()
