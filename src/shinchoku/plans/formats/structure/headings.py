"""Reading a structure sheet's heading row (the fixed columns, the levels' pairs of
columns, the years) and the plan's row (its code, title and period) from a grid."""

from __future__ import annotations

from collections import defaultdict

from django.core.validators import slug_re
from django.db import models
from django.utils.translation import gettext as _

from shinchoku import fiscal
from shinchoku.interchange.preview import Problem, Where
from shinchoku.plans.formats.planfile.values import field_max_length
from shinchoku.plans.formats.structure.grid import Cell, Grid, filled
from shinchoku.plans.formats.structure.parsed import PlanRow, SheetLevel
from shinchoku.plans.formats.structure.vocabulary import (
    HEADINGS,
    MAX_LEVELS,
    NO_SCALE,
    PLAN_KINDS,
    YEAR_HIGH,
    YEAR_LOW,
    Heading,
    classify_heading,
)
from shinchoku.plans.models import Level, Plan, Scale


class HeadingParser:
    """The first part of reading a grid: the heading row and the plan's row, naming every
    problem by its cell (``parse.Parser`` reads the rows of nodes)."""

    header_row: int
    rows: list[tuple[int, list[Cell]]]
    fixed: dict[str, Heading]
    years: list[Heading]
    levels: list[SheetLevel]
    level_columns: list[tuple[Heading, Heading]]

    def __init__(self, grid: Grid, file: str) -> None:
        self.grid = grid
        self.file = file
        self.header_problems: list[Problem] = []
        self.row_problems: dict[int, list[Problem]] = defaultdict(list)
        for problem in grid.problems:
            self.row_problems[problem.where.row or 0].append(problem)

    # -- places and problems

    def where(self, row: int, heading: Heading | None = None) -> Where:
        if heading is None:
            return Where(self.file, self.grid.sheet, row)
        return Where(self.file, self.grid.sheet, row, heading.letter, heading.text)

    def fail(self, row: int, heading: Heading | None, message: str) -> None:
        problem = Problem(self.where(row, heading), message)
        if row == self.header_row:
            self.header_problems.append(problem)
        else:
            self.row_problems[row].append(problem)

    def header_fail(self, heading: Heading | None, message: str) -> None:
        self.fail(self.header_row, heading, message)

    def parse_headings(
        self, header: list[Cell]
    ) -> tuple[dict[str, Heading], list[SheetLevel], list[Heading]]:
        fixed: dict[str, Heading] = {}
        pairs: dict[int, dict[str, Heading]] = defaultdict(dict)
        years: list[Heading] = []
        self.headings: dict[int, Heading] = {}
        raw = self.grid.raw_header or []
        for index, cell in enumerate(header):
            text = cell if isinstance(cell, str) else ""
            if not text:
                continue
            written = raw[index] if index < len(raw) and raw[index] else text
            heading = classify_heading(text, index)
            if heading is not None:
                heading.text = written
            if heading is None:
                self.header_fail(
                    Heading(index, written, ""),
                    _(
                        "Unknown heading %(heading)r: see the structure layout in docs/plan-file.md for "
                        "the headings (計画コード, 階層1:プラン:コード …, 2011年度目標 …)."
                    )
                    % {"heading": text},
                )
                continue
            self.headings[index] = heading
            if heading.kind in ("level_code", "level_title"):
                if not 0 <= heading.depth < MAX_LEVELS:
                    self.header_fail(heading, _("Levels are numbered 1 to %(max)s.") % {"max": MAX_LEVELS})
                    continue
                if heading.kind in pairs[heading.depth]:
                    self.header_fail(heading, _("This level column appears twice."))
                pairs[heading.depth][heading.kind] = heading
            elif heading.kind == "year":
                if not YEAR_LOW <= heading.year <= YEAR_HIGH:
                    self.header_fail(
                        heading,
                        _("The year %(year)s is not a fiscal year from %(low)s to %(high)s.")
                        % {"year": heading.year, "low": YEAR_LOW, "high": YEAR_HIGH},
                    )
                    continue
                if any(other.year == heading.year for other in years):
                    self.header_fail(
                        heading, _("A second column for the year %(year)s.") % {"year": heading.year}
                    )
                    continue
                if years and heading.year < years[-1].year:
                    self.header_fail(heading, _("The year columns must stand in the order of the years."))
                if years and years[-1].onwards:
                    self.header_fail(heading, _("The onwards column (以降) must be the last year column."))
                years.append(heading)
            else:
                if heading.kind in fixed:
                    self.header_fail(heading, _("This column appears twice."))
                fixed[heading.kind] = heading
        # A column without a heading must be empty.
        for number, cells in self.rows_after_header(header):
            for index, cell in enumerate(cells):
                if index not in self.headings and filled(cell) and not self.known_bad(number, index):
                    heading_text = (
                        header[index] if index < len(header) and isinstance(header[index], str) else ""
                    )
                    if not heading_text:
                        self.fail(
                            number,
                            Heading(index, "", ""),
                            _("The cell holds data but its column has no heading."),
                        )
        for kind in ("plan_code", "plan_title", "first_year", "last_year"):
            if kind not in fixed:
                self.header_fail(
                    None, _("The heading row has no column %(heading)s.") % {"heading": HEADINGS[kind]}
                )
        levels = self.levels_of(pairs)
        return fixed, levels, years

    def rows_after_header(self, header: list[Cell]) -> list[tuple[int, list[Cell]]]:
        return [
            (number, cells)
            for number, cells in self.grid.rows
            if number > self.header_row and any(filled(cell) for cell in cells)
        ]

    def known_bad(self, row: int, column: int) -> bool:
        return (row, column) in self.grid.bad_cells

    def levels_of(self, pairs: dict[int, dict[str, Heading]]) -> list[SheetLevel]:
        if not pairs:
            self.header_fail(
                None,
                _("The heading row has no level columns (階層1:プラン:コード, 階層1:プラン:名称 …)."),
            )
            return []
        levels: list[SheetLevel] = []
        for depth in range(max(pairs) + 1):
            pair = pairs.get(depth, {})
            code, title = pair.get("level_code"), pair.get("level_title")
            if code is None or title is None:
                self.header_fail(
                    code or title,
                    _(
                        "Level %(number)s needs two columns, its code and its title "
                        "(階層%(number)s:…:コード and 階層%(number)s:…:名称)."
                    )
                    % {"number": depth + 1},
                )
                continue
            if code.level_name != title.level_name:
                self.header_fail(
                    title,
                    _("The level's name differs between its columns: %(a)r and %(b)r.")
                    % {"a": code.level_name, "b": title.level_name},
                )
            marks = [h for h in (code, title) if h.rated]
            if len({h.scale for h in marks}) > 1:
                self.header_fail(title, _("The two columns of the level name different scales."))
            scale = marks[0].scale if marks else None
            if (
                scale is not None
                and scale != NO_SCALE
                and (not slug_re.match(scale) or len(scale) > field_max_length(Scale, "code"))
            ):
                self.header_fail(
                    marks[0],
                    _("%(scale)r is not a scale code (ASCII letters, digits, - and _).") % {"scale": scale},
                )
            name = code.level_name
            if len(name) > field_max_length(Level, "name"):
                self.header_fail(
                    code,
                    _("The level name is longer than %(max)s characters.")
                    % {"max": field_max_length(Level, "name")},
                )
            levels.append(
                SheetLevel(depth, name, bool(marks), scale, self.where(self.header_row, code), title.text)
            )
        if levels and not any(level.rated for level in levels):
            levels[-1].rated = True  # without a mark, the deepest level is rated
        return levels

    def level_heading_pairs(self, header: list[Cell]) -> list[tuple[Heading, Heading]]:
        pairs: dict[int, dict[str, Heading]] = defaultdict(dict)
        for heading in self.headings.values():
            if heading.kind in ("level_code", "level_title"):
                pairs[heading.depth][heading.kind] = heading
        return [
            (pairs[depth]["level_code"], pairs[depth]["level_title"]) for depth in range(len(self.levels))
        ]

    # -- the plan

    def cell(self, cells: list[Cell], heading: Heading | None) -> Cell:
        if heading is None or heading.column >= len(cells):
            return ""
        return cells[heading.column]

    def text(self, cells: list[Cell], heading: Heading | None) -> str:
        value = self.cell(cells, heading)
        return value if isinstance(value, str) else ""

    def written(self, number: int, cells: list[Cell], heading: Heading | None) -> str:
        """The cell's text exactly as written, not normalised: for identities (the plan's
        and the nodes' codes, unit names and codes, marker symbols)."""
        text = self.text(cells, heading)
        if heading is None or not text:
            return text
        return self.grid.written.get((number, heading.column), text)

    def parse_plan(self) -> PlanRow | None:
        if not self.rows:
            self.header_fail(None, _("The file has a heading row but no rows of nodes."))
            return None
        number, cells = self.rows[0]
        fixed = self.fixed
        code = self.written(number, cells, fixed["plan_code"])
        title = self.text(cells, fixed["plan_title"])
        ok = True
        if not code:
            self.fail(number, fixed["plan_code"], _("The first row must give the plan's code."))
            ok = False
        elif not slug_re.match(code) or len(code) > field_max_length(Plan, "code"):
            self.fail(
                number,
                fixed["plan_code"],
                _("A plan code is at most %(max)s ASCII letters, digits, - and _.")
                % {"max": field_max_length(Plan, "code")},
            )
            ok = False
        if not title:
            self.fail(number, fixed["plan_title"], _("The first row must give the plan's title."))
        elif len(title) > field_max_length(Plan, "title"):
            self.fail(number, fixed["plan_title"], self.too_long(Plan, "title"))
        first = self.year_value(number, cells, fixed["first_year"])
        last = self.year_value(number, cells, fixed["last_year"])
        if first is not None and last is not None and last < first:
            self.fail(number, fixed["last_year"], _("The period ends before it starts."))
            last = None
        period_label = None
        if "period_label" in fixed:
            period_label = self.text(cells, fixed["period_label"])
            if len(period_label) > field_max_length(Plan, "period_label"):
                self.fail(number, fixed["period_label"], self.too_long(Plan, "period_label"))
        if not ok:
            return None
        return PlanRow(code, title, first, last, period_label, self.where(number))

    def too_long(self, model: type[models.Model], name: str) -> str:
        return _("Longer than %(max)s characters.") % {"max": field_max_length(model, name)}

    def year_value(self, number: int, cells: list[Cell], heading: Heading) -> int | None:
        value = self.text(cells, heading)
        if not value:
            self.fail(number, heading, _("The first row must give the plan's fiscal years."))
            return None
        year = fiscal.parse_year(value)
        if year is None or not YEAR_LOW <= year <= YEAR_HIGH:
            self.fail(
                number,
                heading,
                _("%(value)r is not a fiscal year (2011, 2011年度 or 平成23年度) from %(low)s to %(high)s.")
                % {"value": value, "low": YEAR_LOW, "high": YEAR_HIGH},
            )
            return None
        return year

    def check_plan_columns(self, number: int, cells: list[Cell], plan: PlanRow) -> None:
        """Later rows leave the plan's columns empty or repeat the first row's values."""
        expected: dict[str, object] = {
            "plan_code": plan.code,
            "plan_title": plan.title,
            "first_year": plan.first_year,
            "last_year": plan.last_year,
            "period_label": plan.period_label,
        }
        for kind in PLAN_KINDS:
            heading = self.fixed.get(kind)
            value = self.written(number, cells, heading) if kind == "plan_code" else self.text(cells, heading)
            if heading is None or not value:
                continue
            given: object = fiscal.parse_year(value) if kind in ("first_year", "last_year") else value
            if given != expected[kind]:
                self.fail(
                    number,
                    heading,
                    _("A file holds one plan: this differs from the first row (%(value)r).")
                    % {"value": expected[kind]},
                )
