"""A plan's structure from a spreadsheet (CSV or xlsx): importer ``plan-structure``.

The layout is documented in docs/plan-file.md, "Plan structure from a spreadsheet". In
short: a heading row (Japanese or English headings), then one row per node of the tree
in printed order, with one pair of columns (code, title) per level, the node's purpose,
baseline, responsible units and markers, and one column per fiscal year holding that
year's targets. A row whose level columns are empty holds a further row of targets of
the node above (目標の2行目 …); ``同左`` (or ``←``, or a merged cell in xlsx) in a year
column continues the cell on its left, so that a target spans those years.

Reading happens in three steps, all without writing: the file is read into a grid of
texts (``_read_csv`` / ``_read_xlsx``: encodings, formulas, dates, merged cells; text
normalised, with identities kept as written: see ``interchange.matching``), the grid
is read into the plan's structure (``_Parser``: headings, the tree, targets, with the
models' limits), and that structure is compared with the database (``_Comparer``: new,
changed with each field before and after, unchanged, removed; what the database would
refuse). ``apply`` then writes a clean preview with ``node_save`` and the models'
validation (``_Writer``), touching only what changed, so that results, ratings,
indicators, notes and target revisions stay as they are.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, models
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from shinchoku import fiscal
from shinchoku.accounts.permissions import is_administrator
from shinchoku.interchange import csvfile
from shinchoku.interchange.importing import (
    ApplyResult,
    FieldChange,
    ImportRefused,
    Preview,
    Problem,
    RowPreview,
    RowStatus,
    Where,
    register,
)
from shinchoku.interchange.matching import UnitMatch, UnitRef, identity, match_units, same_text
from shinchoku.interchange.planfile.spec import Path_
from shinchoku.interchange.planfile.validate import Reporter, _Refused
from shinchoku.interchange.planfile.values import _max_length
from shinchoku.interchange.spreadsheet_text import csv_unescape
from shinchoku.interchange.workbook import MARKER_SHEET as ENTRY_WORKBOOK_SHEET
from shinchoku.interchange.xlsxfile import (
    MAX_COLUMNS,
    MAX_ROWS,
    ZIP_MAGIC,
    XlsxRefused,
    formula_of,
    has_sheet,
    looks_like_xlsx,
    open_xlsx,
    peek_part,
)
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
from shinchoku.progress.models import IndicatorValue, Result, Target
from shinchoku.text import normalize

NAME = "plan-structure"

#: A sheet of one of these names is read; otherwise the first sheet.
SHEET_NAMES = ("構造", "structure")
#: A year cell holding one of these continues the cell on its left (a span of years).
SPAN_MARKS = frozenset({"同左", "←"})
#: The scale a rated level is given when its heading names none.
DEFAULT_SCALE_CODE = "achievement-5"
DEFAULT_SCALE_NAME = "達成状況区分"
DEFAULT_SCALE_NAME_EN = "Achievement status"
#: Code, label, English label, adverse.
DEFAULT_SCALE_LEVELS = (
    ("1", "目標を大きく上回って達成", "Far exceeded the target", False),
    ("2", "目標を上回って達成", "Exceeded the target", False),
    ("3", "目標をほぼ達成", "Mostly achieved the target", False),
    ("4", "目標を下回った", "Fell short of the target", True),
    ("5", "目標を大きく下回った", "Fell far short of the target", True),
)
#: ``（評価:-）``: the level is rated but gets no evaluation dimension.
NO_SCALE = "-"
MAX_LEVELS = 20
#: Item separator inside a year cell: each line starting with ● begins a new target.
BULLET = "●"

_YEAR_LOW = min(v.limit_value for v in YEAR_VALIDATORS if hasattr(v, "limit_value"))
_YEAR_HIGH = max(v.limit_value for v in YEAR_VALIDATORS if hasattr(v, "limit_value"))
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_ERAS = "明治|大正|昭和|平成|令和"
_LEVEL_HEADING = re.compile(
    r"^(?:階層|level)\s*(\d{1,3})\s*:\s*(.+?)\s*:\s*(コード|code|名称|名前|名|タイトル|title|name)$", re.I
)
_RATED_MARK = re.compile(r"^(.*?)\s*\(\s*(?:評価|rated)\s*(?::\s*([^()]*?)\s*)?\)$", re.I)
_YEAR_JA = re.compile(rf"^(\d{{4}})(?:\((?:{_ERAS})(?:\d+|元)\))?年度(以降)?(?:の)?(?:目標)?$")
_YEAR_WAREKI = re.compile(rf"^({_ERAS})(\d+|元)年度(以降)?(?:の)?(?:目標)?$")
_YEAR_EN = re.compile(r"^(?:fy)?(\d{4})(onwards|-)?(?:targets?)?$")
_YEAR_VALUE = re.compile(rf"^(?:(\d{{4}})|({_ERAS})(\d+|元))(?:年度|年)?$")
#: Separators of the units and markers cells, read as written: the full-width and
#: half-width forms of the comma and semicolon both separate.
LIST_SPLIT = re.compile(r"[\n、､,，;；]+")
_MARKER_SPLIT = re.compile(r"[\s、､,，;；]+")


class _Span:
    """A year cell that continues the cell on its left (``同左`` or a merged cell)."""

    def __repr__(self) -> str:
        return "SPAN"


SPAN = _Span()
Cell = str | _Span

# ---------------------------------------------------------------- headings

#: Fixed headings, compared without spaces, in lower case, after NFKC.
_FIXED: dict[str, str] = {
    "計画コード": "plan_code",
    "plancode": "plan_code",
    "計画名": "plan_title",
    "計画名称": "plan_title",
    "plantitle": "plan_title",
    "planname": "plan_title",
    "期間名": "period_label",
    "periodlabel": "period_label",
    "開始年度": "first_year",
    "期間開始年度": "first_year",
    "firstyear": "first_year",
    "firstfiscalyear": "first_year",
    "終了年度": "last_year",
    "期間終了年度": "last_year",
    "lastyear": "last_year",
    "lastfiscalyear": "last_year",
    "表示ラベル": "label",
    "ラベル": "label",
    "label": "label",
    "概要": "summary",
    "summary": "summary",
    "purpose": "summary",
    "現状": "baseline",
    "baseline": "baseline",
    "所管課": "units",
    "所管": "units",
    "units": "units",
    "responsibleunits": "units",
    "responsibleunit": "units",
    "マーカー": "markers",
    "markers": "markers",
}
_PLAN_KINDS = ("plan_code", "plan_title", "period_label", "first_year", "last_year")
_NODE_KINDS = ("label", "summary", "baseline", "units", "markers")

#: Level names whose kind in the open data's vocabulary is known.
_LEVEL_KINDS: dict[str, str] = {
    "プラン": Level.Kind.PLAN,
    "政策分野": Level.Kind.PLAN,
    "基本目標": Level.Kind.PLAN,
    "基本政策": Level.Kind.PLAN,
    "分野": Level.Kind.PLAN,
    "planarea": Level.Kind.PLAN,
    "plan": Level.Kind.PLAN,
    "アクションプログラム": Level.Kind.PROGRAMME,
    "プログラム": Level.Kind.PROGRAMME,
    "政策": Level.Kind.PROGRAMME,
    "基本施策": Level.Kind.PROGRAMME,
    "programme": Level.Kind.PROGRAMME,
    "program": Level.Kind.PROGRAMME,
    "施策計画": Level.Kind.MEASURE,
    "施策": Level.Kind.MEASURE,
    "measure": Level.Kind.MEASURE,
    "事務事業": Level.Kind.PROJECT,
    "事業": Level.Kind.PROJECT,
    "project": Level.Kind.PROJECT,
}


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", normalize(text)).lower()


@dataclass
class Heading:
    column: int  # 0-based
    text: str  # as written
    kind: str  # a value of _FIXED, "level_code", "level_title" or "year"
    depth: int = 0
    level_name: str = ""
    rated: bool = False
    scale: str | None = None  # the scale named in the rated mark; None: none named
    year: int = 0
    onwards: bool = False

    @property
    def letter(self) -> str:
        return get_column_letter(self.column + 1)


def classify_heading(text: str, column: int) -> Heading | None:
    """The heading ``text`` (of the 0-based ``column``) as a column of the layout, or None."""
    compact = _compact(text)
    if compact in _FIXED:
        return Heading(column, text, _FIXED[compact])
    plain = normalize(text)
    match = _LEVEL_HEADING.match(plain)
    if match:
        number, name, part = int(match.group(1)), match.group(2), match.group(3).lower()
        rated_match = _RATED_MARK.match(name)
        rated, scale = False, None
        if rated_match:
            name, rated = rated_match.group(1).strip(), True
            scale = (rated_match.group(2) or "").strip() or None
        kind = "level_code" if part in ("コード", "code") else "level_title"
        return Heading(column, text, kind, depth=number - 1, level_name=name, rated=rated, scale=scale)
    for pattern in (_YEAR_JA, _YEAR_EN):
        match = pattern.match(compact)
        if match:
            return Heading(column, text, "year", year=int(match.group(1)), onwards=bool(match.group(2)))
    match = _YEAR_WAREKI.match(compact)
    if match:
        era_year = 1 if match.group(2) == "元" else int(match.group(2))
        year = fiscal.era_year_to_western(match.group(1), era_year)
        return Heading(column, text, "year", year=year, onwards=bool(match.group(3)))
    return None


def looks_like_structure_header(cells: Iterable[str]) -> bool:
    """Whether a heading row is a plan structure's: a plan code and a level column."""
    kinds = {heading.kind for index, text in enumerate(cells) if (heading := classify_heading(text, index))}
    return "plan_code" in kinds and bool(kinds & {"level_code", "level_title"})


# ---------------------------------------------------------------- reading the file


@dataclass
class _Grid:
    """The file as rows of cells (texts, normalised; SPAN; "" for empty)."""

    sheet: str
    rows: list[tuple[int, list[Cell]]]  # (row number as the spreadsheet shows it, cells)
    problems: list[Problem] = field(default_factory=list)
    #: Cells that held something that is not a value (a formula, a date): (row, column).
    bad_cells: set[tuple[int, int]] = field(default_factory=set)
    #: The first row with anything in it (the heading row) as written, for the messages.
    raw_header: list[str] | None = None
    #: The text of each cell whose normalised form differs, exactly as written: (row,
    #: column) → text. Identities (codes, unit names, marker symbols) are read from it.
    written: dict[tuple[int, int], str] = field(default_factory=dict)

    def add(self, number: int, cells: list[Cell], raw: list[str]) -> None:
        self.rows.append((number, cells))
        if self.raw_header is None and any(_filled(cell) for cell in cells):
            self.raw_header = [text.strip() for text in raw]


class _Unreadable(Exception):
    def __init__(self, message: str, where: Where | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


def _text_cell(value: str, where: Where, grid: _Grid, key: tuple[int, int]) -> Cell:
    if "\x00" in value:
        grid.problems.append(Problem(where, _("The cell contains a NUL character.")))
        grid.bad_cells.add(key)
        return ""
    text = normalize(value)
    if text in SPAN_MARKS:
        return SPAN
    as_written = identity(value)
    if as_written != text:
        grid.written[key] = as_written
    return text


def _read_csv(data: bytes, filename: str) -> _Grid:
    """The CSV file, decoded and split as ``csvfile`` decides (UTF-8, UTF-16 or Shift_JIS;
    commas or tabs)."""
    try:
        text = csvfile.decode(data)
    except csvfile.CsvRefused as refusal:
        raise _Unreadable(refusal.message) from refusal
    grid = _Grid(sheet="", rows=[])
    reader = text.reader()
    number = 0
    try:
        for record in reader:
            number += 1
            if number > MAX_ROWS + 1:
                raise _Unreadable(_("The file has more than %(rows)s rows.") % {"rows": MAX_ROWS})
            if len(record) > MAX_COLUMNS:
                raise _Unreadable(
                    _("Row %(row)s has more than %(columns)s columns.")
                    % {"row": number, "columns": MAX_COLUMNS}
                )
            cells = [
                _text_cell(
                    csv_unescape(value),  # a text escaped as spreadsheets need (spreadsheet_text)
                    Where(filename, "", number, get_column_letter(index + 1)),
                    grid,
                    (number, index),
                )
                for index, value in enumerate(record)
            ]
            grid.add(number, cells, record)
    except csv.Error as error:
        raise _Unreadable(
            _("Line %(line)s cannot be read as CSV: %(error)s") % {"line": reader.line_num, "error": error}
        ) from error
    return grid


def _read_xlsx(data: bytes, filename: str) -> _Grid:
    """The structure sheet, read by the bounded reader (``xlsxfile``: its limits refuse a
    file too large to read, naming the sheet, row and column)."""
    try:
        workbook = open_xlsx(data)
        titles = workbook.worksheets
        if not titles:
            raise _Unreadable(_("The workbook has no sheet."))
        sheet = workbook.sheet(next((title for title in titles if _compact(title) in SHEET_NAMES), titles[0]))
    except XlsxRefused as refusal:
        where = Where(filename, refusal.sheet, refusal.row, refusal.column)
        raise _Unreadable(refusal.message, where) from refusal
    grid = _Grid(sheet=sheet.title, rows=[])
    width = sheet.max_column
    # A cell merged into the cell on its left, in the same row, continues that cell.
    continued = {
        (min_row, column)
        for min_row, min_column, _max_row, max_column in sheet.merged
        for column in range(min_column + 1, min(max_column, width) + 1)
    }
    for number in range(1, sheet.max_row + 1):
        values = sheet.row(number)
        cells: list[Cell] = []
        raw: list[str] = []
        for column in range(1, width + 1):
            value = values[column - 1] if column <= len(values) else None
            raw.append(value if isinstance(value, str) else "")
            if (number, column) in continued:
                cells.append(SPAN)
            elif value is None:
                cells.append("")
            else:
                where = Where(filename, sheet.title, number, get_column_letter(column))
                cells.append(_xlsx_value(value, where, grid, (number, column - 1)))
        grid.add(number, cells, raw)
    return grid


def _xlsx_value(value: Any, where: Where, grid: _Grid, key: tuple[int, int]) -> Cell:
    if value is None:
        return ""
    formula = formula_of(value)
    if formula is not None:
        grid.problems.append(
            Problem(
                where,
                _("The cell holds a formula (%(formula)s): paste its value instead (Paste Special, Values).")
                % {"formula": formula[:60]},
            )
        )
        grid.bad_cells.add(key)
        return ""
    if isinstance(value, datetime | date | time | timedelta):
        grid.problems.append(
            Problem(
                where,
                _(
                    "The cell holds a date or time (%(value)s) where text is expected: a code such as 9-1 "
                    "may have been turned into a date; format the column as text and type it again."
                )
                % {"value": value},
            )
        )
        grid.bad_cells.add(key)
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return _text_cell(str(value), where, grid, key)


# ---------------------------------------------------------------- the sheet's structure


@dataclass
class _PlanRow:
    code: str
    title: str
    first_year: int | None
    last_year: int | None
    period_label: str | None  # None: no such column
    where: Where


@dataclass
class _Level:
    depth: int
    name: str
    rated: bool
    scale: str | None  # a scale code, NO_SCALE, or None: the default
    where: Where  # the code column's heading
    title_heading: str = ""


@dataclass
class _Target:
    row: int
    start: int
    end: int
    open_end: bool
    text: str
    where: Where

    @property
    def key(self) -> tuple[int, int, int, bool, str]:
        return (self.row, self.start, self.end, self.open_end, self.text)


@dataclass
class _UnitRef:
    code: str  # an existing unit's code, or the code a new unit gets
    name: str  # exactly as stored, or as the sheet writes a new unit's
    new: bool
    where: Where
    #: A new unit's: the (name, code) of the stored units whose names differ from its
    #: name only in the width of their characters.
    similar: tuple[tuple[str, str], ...] = ()


@dataclass
class _Node:
    code: str
    title: str
    depth: int
    parent: str | None
    row: int
    where: Where  # the row
    places: dict[str, Where]  # field name → the cell it comes from
    implied: bool = False  # described only by the level columns of a row below
    label: str | None = None  # None: the column is absent (the stored value stays)
    summary: str | None = None
    baseline: str | None = None
    units: list[_UnitRef] | None = None
    markers: list[str] | None = None
    targets: list[_Target] | None = None
    target_rows: int = 0
    position: int = 0
    rows: list[int] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return f"{self.code} {self.title}"


@dataclass
class Structure:
    """A structure sheet as read: the plan, its levels and its nodes in order."""

    file: str
    sheet: str
    header_row: int
    plan: _PlanRow | None
    levels: list[_Level]
    nodes: list[_Node]
    headings: dict[str, Heading]  # fixed kinds → heading
    year_headings: list[Heading]
    header_problems: list[Problem]
    row_problems: dict[int, list[Problem]]
    #: The onwards column decides Plan.onwards when the sheet has year columns.
    onwards: bool | None = None


class _Parser:
    """Reads a grid into a Structure, naming every problem by its cell."""

    def __init__(self, grid: _Grid, file: str) -> None:
        self.grid = grid
        self.file = file
        self.header_problems: list[Problem] = []
        self.row_problems: dict[int, list[Problem]] = defaultdict(list)
        for problem in grid.problems:
            self.row_problems[problem.where.row or 0].append(problem)
        self.units: dict[str, _UnitRef] = {}  # by the name or code written
        self.unit_matches: dict[str, UnitMatch] = {}  # by the name or code written

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

    # -- the heading row

    def parse(self) -> Structure:
        rows = [(number, cells) for number, cells in self.grid.rows if any(_filled(cell) for cell in cells)]
        if not rows:
            self.header_row = 1
            self.header_fail(None, _("The file is empty: a heading row and a row per node are expected."))
            return self.structure(None, [], [], {}, [])
        self.header_row, header = rows[0]
        self.rows = rows[1:]
        fixed, levels, years = self.parse_headings(header)
        self.fixed, self.years = fixed, years
        if self.header_problems or not levels:
            return self.structure(None, levels, [], fixed, years)
        self.levels = levels
        self.level_columns = self.level_heading_pairs(header)
        plan = self.parse_plan()
        nodes = self.parse_rows(plan) if plan is not None else []
        return self.structure(plan, levels, nodes, fixed, years)

    def structure(
        self,
        plan: _PlanRow | None,
        levels: list[_Level],
        nodes: list[_Node],
        fixed: dict[str, Heading],
        years: list[Heading],
    ) -> Structure:
        return Structure(
            file=self.file,
            sheet=self.grid.sheet,
            header_row=self.header_row,
            plan=plan,
            levels=levels,
            nodes=nodes,
            headings=fixed,
            year_headings=years,
            header_problems=self.header_problems,
            row_problems=dict(self.row_problems),
            onwards=any(h.onwards for h in years) if years else None,
        )

    def parse_headings(self, header: list[Cell]) -> tuple[dict[str, Heading], list[_Level], list[Heading]]:
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
                if not _YEAR_LOW <= heading.year <= _YEAR_HIGH:
                    self.header_fail(
                        heading,
                        _("The year %(year)s is not a fiscal year from %(low)s to %(high)s.")
                        % {"year": heading.year, "low": _YEAR_LOW, "high": _YEAR_HIGH},
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
                if index not in self.headings and _filled(cell) and not self.known_bad(number, index):
                    heading_text = (
                        header[index] if index < len(header) and isinstance(header[index], str) else ""
                    )
                    if not heading_text:
                        self.fail(
                            number,
                            Heading(index, "", ""),
                            _("The cell holds data but its column has no heading."),
                        )
        for kind, name in (
            ("plan_code", "計画コード"),
            ("plan_title", "計画名"),
            ("first_year", "開始年度"),
            ("last_year", "終了年度"),
        ):
            if kind not in fixed:
                self.header_fail(None, _("The heading row has no column %(heading)s.") % {"heading": name})
        levels = self.levels_of(pairs)
        return fixed, levels, years

    def rows_after_header(self, header: list[Cell]) -> list[tuple[int, list[Cell]]]:
        return [
            (number, cells)
            for number, cells in self.grid.rows
            if number > self.header_row and any(_filled(cell) for cell in cells)
        ]

    def known_bad(self, row: int, column: int) -> bool:
        return (row, column) in self.grid.bad_cells

    def levels_of(self, pairs: dict[int, dict[str, Heading]]) -> list[_Level]:
        if not pairs:
            self.header_fail(
                None,
                _("The heading row has no level columns (階層1:プラン:コード, 階層1:プラン:名称 …)."),
            )
            return []
        levels: list[_Level] = []
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
                and (not _SLUG.match(scale) or len(scale) > _max_length(Scale, "code"))
            ):
                self.header_fail(
                    marks[0],
                    _("%(scale)r is not a scale code (ASCII letters, digits, - and _).") % {"scale": scale},
                )
            name = code.level_name
            if len(name) > _max_length(Level, "name"):
                self.header_fail(
                    code,
                    _("The level name is longer than %(max)s characters.")
                    % {"max": _max_length(Level, "name")},
                )
            levels.append(
                _Level(depth, name, bool(marks), scale, self.where(self.header_row, code), title.text)
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

    def parse_plan(self) -> _PlanRow | None:
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
        elif not _SLUG.match(code) or len(code) > _max_length(Plan, "code"):
            self.fail(
                number,
                fixed["plan_code"],
                _("A plan code is at most %(max)s ASCII letters, digits, - and _.")
                % {"max": _max_length(Plan, "code")},
            )
            ok = False
        if not title:
            self.fail(number, fixed["plan_title"], _("The first row must give the plan's title."))
        elif len(title) > _max_length(Plan, "title"):
            self.fail(number, fixed["plan_title"], self.too_long(Plan, "title"))
        first = self.year_value(number, cells, fixed["first_year"])
        last = self.year_value(number, cells, fixed["last_year"])
        if first is not None and last is not None and last < first:
            self.fail(number, fixed["last_year"], _("The period ends before it starts."))
            last = None
        period_label = None
        if "period_label" in fixed:
            period_label = self.text(cells, fixed["period_label"])
            if len(period_label) > _max_length(Plan, "period_label"):
                self.fail(number, fixed["period_label"], self.too_long(Plan, "period_label"))
        if not ok:
            return None
        return _PlanRow(code, title, first, last, period_label, self.where(number))

    def too_long(self, model: type[models.Model], name: str) -> str:
        return _("Longer than %(max)s characters.") % {"max": _max_length(model, name)}

    def year_value(self, number: int, cells: list[Cell], heading: Heading) -> int | None:
        value = self.text(cells, heading)
        if not value:
            self.fail(number, heading, _("The first row must give the plan's fiscal years."))
            return None
        year = _parse_year(value)
        if year is None or not _YEAR_LOW <= year <= _YEAR_HIGH:
            self.fail(
                number,
                heading,
                _("%(value)r is not a fiscal year (2011, 2011年度 or 平成23年度) from %(low)s to %(high)s.")
                % {"value": value, "low": _YEAR_LOW, "high": _YEAR_HIGH},
            )
            return None
        return year

    def check_plan_columns(self, number: int, cells: list[Cell], plan: _PlanRow) -> None:
        """Later rows leave the plan's columns empty or repeat the first row's values."""
        expected: dict[str, object] = {
            "plan_code": plan.code,
            "plan_title": plan.title,
            "first_year": plan.first_year,
            "last_year": plan.last_year,
            "period_label": plan.period_label,
        }
        for kind in _PLAN_KINDS:
            heading = self.fixed.get(kind)
            value = self.written(number, cells, heading) if kind == "plan_code" else self.text(cells, heading)
            if heading is None or not value:
                continue
            given: object = _parse_year(value) if kind in ("first_year", "last_year") else value
            if given != expected[kind]:
                self.fail(
                    number,
                    heading,
                    _("A file holds one plan: this differs from the first row (%(value)r).")
                    % {"value": expected[kind]},
                )

    # -- the rows of nodes

    def parse_rows(self, plan: _PlanRow) -> list[_Node]:
        self.plan = plan
        self.match_unit_tokens()
        own_rows: dict[str, int] = {}
        for number, cells in self.rows:
            depth = self.row_depth(cells)
            if depth is not None:
                code = self.written(number, cells, self.level_columns[depth][0])
                if code:
                    own_rows.setdefault(code, number)
        nodes: dict[str, _Node] = {}
        order: list[_Node] = []
        chain: list[str | None] = []
        current: _Node | None = None
        for number, cells in self.rows:
            self.check_plan_columns(number, cells, plan)
            depth = self.row_depth(cells)
            if depth is None:
                if current is None:
                    if self.has_targets(cells) or self.has_node_data(cells):
                        self.fail(
                            number,
                            None,
                            _(
                                "This row names no node (its level columns are empty) and no node "
                                "stands above it."
                            ),
                        )
                    continue
                self.continuation(number, cells, current)
                continue
            node = self.node_row(number, cells, depth, nodes, order, own_rows, chain)
            if node is None:
                # The rows of targets below a node that cannot be read are still checked.
                current = _Node("", "", depth, None, number, self.where(number), {}, targets=[])
                continue
            chain[:] = [*self.ancestors_of(node, nodes), node.code]
            current = node
        positions: dict[str | None, int] = defaultdict(int)
        for node in order:
            node.position = positions[node.parent]
            positions[node.parent] += 1
        return order

    def row_depth(self, cells: list[Cell]) -> int | None:
        filled = [
            depth
            for depth, (code, title) in enumerate(self.level_columns)
            if self.text(cells, code) or self.text(cells, title)
        ]
        return max(filled) if filled else None

    def has_targets(self, cells: list[Cell]) -> bool:
        return any(_filled(self.cell(cells, heading)) for heading in self.years)

    def has_node_data(self, cells: list[Cell]) -> bool:
        return any(self.text(cells, self.fixed.get(kind)) for kind in _NODE_KINDS)

    def ancestors_of(self, node: _Node, nodes: dict[str, _Node]) -> list[str | None]:
        out: list[str | None] = []
        parent = node.parent
        while parent is not None and parent in nodes and len(out) < MAX_LEVELS:
            out.insert(0, parent)
            parent = nodes[parent].parent
        return out

    def code_ok(self, number: int, heading: Heading, code: str) -> bool:
        if len(code) > _max_length(Node, "code"):
            self.fail(number, heading, self.too_long(Node, "code"))
            return False
        try:
            node_code_validator(code)
        except ValidationError as error:
            self.fail(number, heading, " ".join(str(m) for m in error.messages))
            return False
        return True

    def title_ok(self, number: int, heading: Heading, title: str) -> bool:
        if not title:
            self.fail(number, heading, _("The node's title is missing."))
            return False
        if len(title) > _max_length(Node, "title"):
            self.fail(number, heading, self.too_long(Node, "title"))
            return False
        return True

    def node_row(
        self,
        number: int,
        cells: list[Cell],
        depth: int,
        nodes: dict[str, _Node],
        order: list[_Node],
        own_rows: dict[str, int],
        chain: list[str | None],
    ) -> _Node | None:
        code_heading, title_heading = self.level_columns[depth]
        code, title = self.written(number, cells, code_heading), self.text(cells, title_heading)
        problems_before = len(self.row_problems[number])
        if not code:
            self.fail(number, code_heading, _("The node's code is missing."))
        elif not self.code_ok(number, code_heading, code):
            code = ""
        self.title_ok(number, title_heading, title)

        # The ancestors: given in the level columns to the left, or those of the row above.
        ancestors: list[str | None] = []
        given = [bool(self.text(cells, self.level_columns[d][0])) for d in range(depth)]
        first_given = given.index(True) if True in given else depth
        for ancestor_depth in range(depth):
            a_code_heading, a_title_heading = self.level_columns[ancestor_depth]
            a_code = self.written(number, cells, a_code_heading)
            a_title = self.text(cells, a_title_heading)
            if a_code:
                ancestors.append(
                    self.ancestor(number, ancestor_depth, a_code, a_title, ancestors, nodes, order, own_rows)
                )
                continue
            if a_title:
                self.fail(number, a_code_heading, _("A title is given without its code."))
                ancestors.append(None)
            elif ancestor_depth < first_given:
                inherited = chain[ancestor_depth] if ancestor_depth < len(chain) else None
                if inherited is None:
                    self.fail(
                        number,
                        a_code_heading,
                        _("Parent missing: no %(level)s stands above this row; give its code.")
                        % {"level": self.levels[ancestor_depth].name},
                    )
                ancestors.append(inherited)
            else:
                self.fail(
                    number,
                    a_code_heading,
                    _("Inconsistent level columns: a level between the given ones is left empty."),
                )
                ancestors.append(None)
        # Each ancestor stands under the one to its left.
        for ancestor_depth in range(1, depth):
            child, parent = ancestors[ancestor_depth], ancestors[ancestor_depth - 1]
            if child is not None and parent is not None and child in nodes and nodes[child].parent != parent:
                self.fail(
                    number,
                    self.level_columns[ancestor_depth][0],
                    _("Inconsistent level columns: %(child)s stands under %(actual)s, not under %(given)s.")
                    % {"child": child, "actual": nodes[child].parent or "—", "given": parent},
                )
        parent = ancestors[-1] if ancestors else None
        if code and code in nodes:  # checked after the ancestors, which may use it too
            self.fail(
                number,
                code_heading,
                _("The code %(code)s is also used in row %(row)s: codes are unique in a plan.")
                % {"code": code, "row": nodes[code].row},
            )
            code = ""
        if len(self.row_problems[number]) > problems_before or not code:
            return None
        node = _Node(
            code=code,
            title=title,
            depth=depth,
            parent=parent,
            row=number,
            where=self.where(number),
            places={
                "code": self.where(number, code_heading),
                "title": self.where(number, title_heading),
                "level": self.where(number, code_heading),
                "parent": self.where(number, code_heading),
            },
            rows=[number],
        )
        self.node_columns(number, cells, node)
        node.targets = [] if self.years else None
        self.parse_targets(number, cells, node)
        nodes[code] = node
        order.append(node)
        return node

    def ancestor(
        self,
        number: int,
        depth: int,
        code: str,
        title: str,
        ancestors: list[str | None],
        nodes: dict[str, _Node],
        order: list[_Node],
        own_rows: dict[str, int],
    ) -> str | None:
        """The ancestor of ``code`` at ``depth`` named in a row's level columns."""
        code_heading, title_heading = self.level_columns[depth]
        if not self.code_ok(number, code_heading, code):
            return None
        if code in nodes:
            node = nodes[code]
            if node.depth != depth:
                self.fail(
                    number,
                    code_heading,
                    _("Inconsistent level columns: %(code)s is a node of the level %(level)s.")
                    % {"code": code, "level": self.levels[node.depth].name},
                )
                return None
            if title and title != node.title:
                self.fail(
                    number,
                    title_heading,
                    _("Inconsistent level columns: the title differs from row %(row)s (%(title)r).")
                    % {"row": node.row, "title": node.title},
                )
            return code
        later = own_rows.get(code)
        if later is not None and later > number:
            self.fail(
                number,
                code_heading,
                _(
                    "Child before parent: %(code)s is described in row %(row)s, below this row; move "
                    "its row up."
                )
                % {"code": code, "row": later},
            )
            return None
        if not title:
            self.fail(
                number,
                code_heading,
                _("Parent missing: no row describes %(code)s; give it a row above, or its title here.")
                % {"code": code},
            )
            return None
        if not self.title_ok(number, title_heading, title):
            return None
        parent = ancestors[depth - 1] if depth else None
        if depth and parent is None:
            return None
        node = _Node(
            code=code,
            title=title,
            depth=depth,
            parent=parent,
            row=number,
            where=self.where(number, code_heading),
            places={
                "code": self.where(number, code_heading),
                "title": self.where(number, title_heading),
                "level": self.where(number, code_heading),
                "parent": self.where(number, code_heading),
            },
            implied=True,
            rows=[number],
        )
        nodes[code] = node
        order.append(node)
        return code

    def node_columns(self, number: int, cells: list[Cell], node: _Node) -> None:
        fixed = self.fixed
        if "label" in fixed:
            node.label = self.text(cells, fixed["label"])
            node.places["label"] = self.where(number, fixed["label"])
            if len(node.label) > _max_length(Node, "label"):
                self.fail(number, fixed["label"], self.too_long(Node, "label"))
        for kind in ("summary", "baseline"):
            if kind in fixed:
                setattr(node, kind, self.text(cells, fixed[kind]))
                node.places[kind] = self.where(number, fixed[kind])
        if "units" in fixed:
            node.places["units"] = self.where(number, fixed["units"])
            node.units = self.parse_units(number, fixed["units"], self.written(number, cells, fixed["units"]))
        if "markers" in fixed:
            node.places["markers"] = self.where(number, fixed["markers"])
            symbols: list[str] = []
            for symbol in _MARKER_SPLIT.split(self.written(number, cells, fixed["markers"])):
                if not symbol or symbol in symbols:
                    continue
                if len(symbol) > _max_length(Marker, "symbol"):
                    self.fail(
                        number,
                        fixed["markers"],
                        _("The marker %(symbol)r is longer than %(max)s characters.")
                        % {"symbol": symbol[:40], "max": _max_length(Marker, "symbol")},
                    )
                    continue
                symbols.append(symbol)
            node.markers = symbols

    def unit_tokens(self, text: str) -> list[str]:
        return [token for token in (part.strip() for part in LIST_SPLIT.split(text)) if token]

    def match_unit_tokens(self) -> None:
        """Every unit the sheet names, matched with the stored units at once (``match_units``):
        a token of ASCII letters, digits, - and _ is a code, anything else a name."""
        heading = self.fixed.get("units")
        if heading is None:
            return
        tokens = sorted(
            {
                token
                for number, cells in self.rows
                for token in self.unit_tokens(self.written(number, cells, heading))
            }
        )
        refs = [_unit_ref(token) for token in tokens]
        self.unit_matches = {token: match for token, match in zip(tokens, match_units(refs), strict=True)}

    def parse_units(self, number: int, heading: Heading, text: str) -> list[_UnitRef]:
        """Units by code (an existing unit's) or by name (an existing unit's, or a new one)."""
        refs: list[_UnitRef] = []
        for token in self.unit_tokens(text):
            ref = self.unit(number, heading, token)
            if ref is not None and all(other.code != ref.code for other in refs):
                refs.append(ref)
        return refs

    def unit(self, number: int, heading: Heading, token: str) -> _UnitRef | None:
        where = self.where(number, heading)
        if token in self.units:
            known = self.units[token]
            return _UnitRef(known.code, known.name, known.new, where, known.similar)
        match = self.unit_matches.get(token) or match_units([_unit_ref(token)])[0]
        if match.unit is not None:
            ref = _UnitRef(match.unit.code, match.unit.name, False, where)
        elif match.ref.code:
            self.fail(
                number,
                heading,
                _(
                    "Bad unit: no unit has the code %(code)s (a new unit is written by its name, "
                    "e.g. 企画調整課)."
                )
                % {"code": token},
            )
            return None
        elif match.ambiguous:
            self.fail(
                number,
                heading,
                _("Bad unit: several units are named %(name)s; write the code of the one meant.")
                % {"name": token},
            )
            return None
        else:
            if len(token) > _max_length(OrgUnit, "name"):
                self.fail(
                    number,
                    heading,
                    _("Bad unit: a unit name is at most %(max)s characters.")
                    % {"max": _max_length(OrgUnit, "name")},
                )
                return None
            code, number_ = new_unit_code(token), 2
            taken = {other.code for other in self.units.values()}
            while code in taken or OrgUnit.objects.filter(code=code).exists():
                code, number_ = f"{new_unit_code(token)}-{number_}", number_ + 1
            similar = tuple((unit.name, unit.code) for unit in match.similar)
            ref = _UnitRef(code, token, True, where, similar)
        self.units[token] = ref
        return ref

    # -- targets

    def continuation(self, number: int, cells: list[Cell], node: _Node) -> None:
        """A row of further targets of ``node`` (its level columns are empty)."""
        for kind in _NODE_KINDS:
            heading = self.fixed.get(kind)
            if heading is not None and self.text(cells, heading):
                self.fail(
                    number,
                    heading,
                    _(
                        "A row without a node's code holds only further targets of the node above; "
                        "this cell belongs in the node's row."
                    ),
                )
        node.rows.append(number)
        self.parse_targets(number, cells, node)

    def parse_targets(self, number: int, cells: list[Cell], node: _Node) -> None:
        if not self.years or not self.has_targets(cells) or node.targets is None:
            return
        node.target_rows += 1
        target_row = node.target_rows
        if target_row > 32767:
            self.fail(number, None, _("Too many rows of targets for one node."))
            return
        plan = self.plan
        open_cell: list[_Target] = []
        last_column: Heading | None = None
        for heading in self.years:
            value = self.cell(cells, heading)
            if isinstance(value, _Span):
                if not open_cell or last_column is None:
                    self.fail(
                        number,
                        heading,
                        _("同左 continues the cell on its left, but that cell is empty."),
                    )
                    last_column = None
                    continue
                for target in open_cell:
                    target.end = heading.year
                    target.open_end = heading.onwards
                if not self.year_ok(number, heading, plan):
                    open_cell = []
                last_column = heading
                continue
            open_cell, last_column = [], None
            if not value:
                continue
            if not self.year_ok(number, heading, plan):
                continue
            last_column = heading
            for text in split_items(value):
                target = _Target(
                    target_row, heading.year, heading.year, heading.onwards, text, self.where(number, heading)
                )
                open_cell.append(target)
                node.targets.append(target)
        if len(node.targets) > 32767:
            self.fail(number, None, _("Too many targets for one node."))

    def year_ok(self, number: int, heading: Heading, plan: _PlanRow) -> bool:
        first, last = plan.first_year, plan.last_year
        if first is None or last is None:
            return False
        if heading.onwards:
            if heading.year != last + 1:
                self.fail(
                    number,
                    heading,
                    _(
                        "Year outside the period: the onwards column of a plan ending in %(last)s is "
                        "%(year)s年度以降."
                    )
                    % {"last": last, "year": last + 1},
                )
                return False
            return True
        if not first <= heading.year <= last:
            self.fail(
                number,
                heading,
                _("Year outside the period: %(year)s is not within the plan's years %(first)s–%(last)s.")
                % {"year": heading.year, "first": first, "last": last},
            )
            return False
        return True


def _unit_ref(token: str) -> UnitRef:
    """A token of the units column: a code when it has the form of one, else a name."""
    return UnitRef(code=token) if _SLUG.match(token) else UnitRef(name=token)


def split_items(text: str) -> list[str]:
    """A year cell's targets: each line that starts with ● begins a new one."""
    items: list[list[str]] = []
    for line in text.split("\n"):
        if not items or line.startswith(BULLET):
            items.append([line])
        else:
            items[-1].append(line)
    out = [normalize("\n".join(lines)) for lines in items]
    return [item for item in out if item]


def new_unit_code(name: str) -> str:
    """The code a new unit gets from its name: stable, so that importing again finds it."""
    return "u-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


def _unit_kind(name: str) -> str:
    for suffix, kind in (
        ("局", OrgUnit.Kind.BUREAU),
        ("区", OrgUnit.Kind.WARD),
        ("部", OrgUnit.Kind.DEPARTMENT),
    ):
        if name.endswith(suffix):
            return kind
    return OrgUnit.Kind.SECTION


def _parse_year(value: str) -> int | None:
    match = _YEAR_VALUE.match(_compact(value))
    if not match:
        return None
    if match.group(1):
        return int(match.group(1))
    era_year = 1 if match.group(3) == "元" else int(match.group(3))
    if era_year > 200:
        return None
    return fiscal.era_year_to_western(match.group(2), era_year)


def _filled(cell: Cell) -> bool:
    return isinstance(cell, _Span) or bool(cell)


# ---------------------------------------------------------------- comparing with the database


def _join(values: Iterable[str]) -> str:
    return "、".join(values)


def _targets_text(targets: Sequence[tuple[int, int, int, bool, str]]) -> str:
    lines = []
    for row, start, end, open_end, text in targets:
        period = fiscal.western_label(start)
        if open_end:
            period = f"{period}以降" if start == end else f"{period}〜{fiscal.western_label(end)}以降"
        elif end != start:
            period = f"{period}〜{fiscal.western_label(end)}"
        lines.append(f"[{row}] {period}: {text}")
    return "\n".join(lines)


@dataclass
class _LevelPlan:
    """What to do to a level: ``level`` is the stored one (None: new)."""

    spec: _Level
    level: Level | None
    key: str
    kind: str
    #: The scale of a primary dimension to create: (code, exists); None: no dimension to make.
    new_dimension: tuple[str, bool] | None = None


@dataclass
class _Plan:
    """The preview's reading of the file, and what apply writes."""

    structure: Structure
    plan: Plan | None
    levels: list[_LevelPlan]
    removed_levels: list[Level]
    stored_nodes: dict[str, Node]
    removed_nodes: list[Node]
    new_units: dict[str, _UnitRef]
    new_markers: list[str]
    onwards: bool | None


class _Comparer:
    """Compares a Structure with the database: row previews, and the problems only the
    stored data can show (a node to remove that has results, a level that must stay rated …)."""

    def __init__(self, structure: Structure) -> None:
        self.s = structure
        self.rows: list[RowPreview] = []

    def heading(self, kind: str, default: str) -> str:
        heading = self.s.headings.get(kind)
        return heading.text if heading is not None else default

    def compare(self) -> tuple[list[RowPreview], _Plan | None]:
        s = self.s
        header_where = Where(s.file, s.sheet, s.header_row)
        if s.plan is None:
            self.rows.extend(self.problem_rows(set()))
            if s.header_problems:
                self.rows.insert(
                    0,
                    RowPreview(
                        header_where, _("headings"), RowStatus.ERROR, problems=tuple(s.header_problems)
                    ),
                )
            return self.rows, None
        spec = s.plan
        plan = Plan.objects.filter(code=spec.code).first()
        stored_nodes: dict[str, Node] = {}
        if plan is not None:
            stored_nodes = {
                node.code: node
                for node in Node.objects.filter(plan=plan)
                .select_related("level", "parent")
                .prefetch_related("markers", "unit_roles__unit", "targets")
            }
        header_problems = list(s.header_problems)
        header_changes: list[FieldChange] = []
        onwards = s.onwards if s.onwards is not None else (plan.onwards if plan is not None else True)
        self.plan_changes(plan, spec, onwards, header_changes)
        levels, removed_levels = self.compare_levels(plan, stored_nodes, header_changes, header_problems)
        self.check_period(plan, spec, onwards, stored_nodes, header_problems)

        new_units: dict[str, _UnitRef] = {}
        new_markers: list[str] = []
        stored_markers = set(plan.markers.values_list("symbol", flat=True)) if plan is not None else set()
        node_rows: list[RowPreview] = []
        for node in s.nodes:
            stored = stored_nodes.get(node.code)
            if stored is not None:
                _adopt_stored_text(node, stored)
            changes = self.node_changes(node, stored, levels)
            for ref in node.units or []:
                if ref.new and ref.code not in new_units:
                    new_units[ref.code] = ref
            for symbol in node.markers or []:
                if symbol not in stored_markers and symbol not in new_markers:
                    new_markers.append(symbol)
            problems = tuple(problem for row in node.rows for problem in s.row_problems.get(row, []))
            if node.implied:
                problems = ()
            status = (
                RowStatus.NEW if stored is None else (RowStatus.CHANGED if changes else RowStatus.UNCHANGED)
            )
            node_rows.append(
                RowPreview(
                    node.where,
                    node.subject,
                    RowStatus.ERROR if problems else status,
                    tuple(changes),
                    problems,
                )
            )
        self.order_changes(s.nodes, stored_nodes, node_rows)
        covered = {row for node in s.nodes if not node.implied for row in node.rows}
        kept = {node.code for node in s.nodes}
        removed = [node for code, node in stored_nodes.items() if code not in kept]
        removed_rows = self.removed(removed)

        status = (
            RowStatus.NEW if plan is None else (RowStatus.CHANGED if header_changes else RowStatus.UNCHANGED)
        )
        self.rows.append(
            RowPreview(
                header_where,
                f"{spec.code} {spec.title}",
                RowStatus.ERROR if header_problems else status,
                tuple(header_changes),
                tuple(header_problems),
            )
        )
        for ref in new_units.values():
            self.rows.append(RowPreview(ref.where, _new_unit_subject(ref), RowStatus.NEW))
        self.rows.extend(node_rows)
        self.rows.extend(self.problem_rows(covered))
        self.rows.extend(removed_rows)
        payload = _Plan(
            structure=s,
            plan=plan,
            levels=levels,
            removed_levels=removed_levels,
            stored_nodes=stored_nodes,
            removed_nodes=removed,
            new_units=new_units,
            new_markers=new_markers,
            onwards=onwards,
        )
        return self.rows, payload

    def problem_rows(self, covered: set[int]) -> list[RowPreview]:
        """Rows with problems that belong to no node (a node that could not be read)."""
        out = []
        for row, problems in sorted(self.s.row_problems.items()):
            if row in covered or not problems:
                continue
            out.append(
                RowPreview(
                    Where(self.s.file, self.s.sheet, row or None),
                    _("row %(row)s") % {"row": row},
                    RowStatus.ERROR,
                    problems=tuple(problems),
                )
            )
        return out

    def plan_changes(
        self, plan: Plan | None, spec: _PlanRow, onwards: bool, changes: list[FieldChange]
    ) -> None:
        if plan is not None:
            # Text stored as typed elsewhere, which the sheet repeats normalised, stays.
            if same_text(plan.title, spec.title):
                spec.title = plan.title
            if spec.period_label is not None and same_text(plan.period_label, spec.period_label):
                spec.period_label = plan.period_label
        pairs: list[tuple[str, str, object, object]] = [
            ("title", self.heading("plan_title", "計画名"), plan.title if plan else None, spec.title),
            (
                "first_year",
                self.heading("first_year", "開始年度"),
                plan.first_year if plan else None,
                spec.first_year,
            ),
            (
                "last_year",
                self.heading("last_year", "終了年度"),
                plan.last_year if plan else None,
                spec.last_year,
            ),
            ("onwards", _("onwards column"), plan.onwards if plan else None, onwards),
        ]
        if spec.period_label is not None:
            pairs.append(
                (
                    "period_label",
                    self.heading("period_label", "期間名"),
                    plan.period_label if plan else None,
                    spec.period_label,
                )
            )
        for name, label, before, after in pairs:
            if plan is None or before != after:
                changes.append(FieldChange(name, label, _shown(before), _shown(after)))

    def compare_levels(
        self,
        plan: Plan | None,
        stored_nodes: dict[str, Node],
        changes: list[FieldChange],
        problems: list[Problem],
    ) -> tuple[list[_LevelPlan], list[Level]]:
        stored = {level.depth: level for level in plan.levels.all()} if plan is not None else {}
        dimensions: dict[int, list[Dimension]] = defaultdict(list)
        if plan is not None:
            for dimension in plan.dimensions.select_related("scale"):
                dimensions[dimension.level_id].append(dimension)
        rated_with_results = (
            set(Result.objects.filter(node__plan=plan).values_list("node__level_id", flat=True).distinct())
            if plan is not None
            else set()
        )
        used_keys = {level.key for level in stored.values()}
        out: list[_LevelPlan] = []
        for spec in self.s.levels:
            level = stored.get(spec.depth)
            label = _("level %(number)s") % {"number": spec.depth + 1}
            if level is None:
                kind = _LEVEL_KINDS.get(_compact(spec.name), Level.Kind.OTHER)
                key = kind if kind != Level.Kind.OTHER and kind not in used_keys else f"level{spec.depth + 1}"
                suffix = 2
                while key in used_keys:
                    key, suffix = f"level{spec.depth + 1}-{suffix}", suffix + 1
                used_keys.add(key)
                changes.append(
                    FieldChange(f"level{spec.depth + 1}", label, "", _level_shown(spec.name, spec.rated))
                )
                plan_ = _LevelPlan(spec, None, key, kind)
            else:
                plan_ = _LevelPlan(spec, level, level.key, level.kind)
                if same_text(level.name, spec.name):
                    spec.name = level.name
                if level.name != spec.name or level.rated != spec.rated:
                    changes.append(
                        FieldChange(
                            f"level{spec.depth + 1}",
                            label,
                            _level_shown(level.name, level.rated),
                            _level_shown(spec.name, spec.rated),
                        )
                    )
                if (
                    level.rated
                    and not spec.rated
                    and (dimensions.get(level.pk) or level.pk in rated_with_results)
                ):
                    problems.append(
                        Problem(
                            spec.where,
                            _(
                                "The level %(level)s has results or evaluation dimensions: it must "
                                "stay rated; mark its heading （評価）."
                            )
                            % {"level": level.name},
                        )
                    )
            level_dimensions = dimensions.get(level.pk, []) if level is not None else []
            primary = next((d for d in level_dimensions if d.primary), None)
            if (
                spec.rated
                and primary is not None
                and spec.scale not in (None, NO_SCALE)
                and primary.scale.code != spec.scale
            ):
                problems.append(
                    Problem(
                        spec.where,
                        _("The level %(level)s is rated on the scale %(scale)s; its heading names %(named)s.")
                        % {"level": spec.name, "scale": primary.scale.code, "named": spec.scale},
                    )
                )
            if spec.rated and not level_dimensions and spec.scale != NO_SCALE:
                code = spec.scale or DEFAULT_SCALE_CODE
                exists = Scale.objects.filter(code=code).exists()
                plan_.new_dimension = (code, exists)
                changes.append(
                    FieldChange(
                        f"level{spec.depth + 1}-scale",
                        _("rating scale of %(level)s") % {"level": spec.name},
                        "",
                        code if exists else _("%(code)s (new: 達成状況区分 1–5)") % {"code": code},
                    )
                )
            out.append(plan_)
        removed_levels = [level for depth, level in sorted(stored.items()) if depth >= len(self.s.levels)]
        for level in removed_levels:
            changes.append(
                FieldChange(
                    f"level{level.depth + 1}",
                    _("level %(number)s") % {"number": level.depth + 1},
                    level.name,
                    "",
                )
            )
        return out, removed_levels

    def check_period(
        self,
        plan: Plan | None,
        spec: _PlanRow,
        onwards: bool,
        stored_nodes: dict[str, Node],
        problems: list[Problem],
    ) -> None:
        """Stored results, indicator values and (kept) targets must stay within the period."""
        if plan is None or spec.first_year is None or spec.last_year is None:
            return
        first, last = spec.first_year, spec.last_year
        last_target = last + (1 if onwards else 0)
        where = Where(self.s.file, self.s.sheet, spec.where.row)
        sheet_codes = {node.code for node in self.s.nodes}
        kept_ids = [node.pk for code, node in stored_nodes.items() if code in sheet_codes]
        outside: list[int] = [
            *Result.objects.filter(node_id__in=kept_ids)
            .exclude(fiscal_year__range=(first, last))
            .values_list("fiscal_year", flat=True)[:1],
            *IndicatorValue.objects.filter(indicator__node_id__in=kept_ids)
            .exclude(fiscal_year__range=(first, last_target))
            .values_list("fiscal_year", flat=True)[:1],
        ]
        # Targets the sheet does not replace: implied nodes', or all when it has no year columns.
        keeps_targets = [
            stored_nodes[node.code].pk
            for node in self.s.nodes
            if node.code in stored_nodes and node.targets is None
        ]
        outside += list(
            Target.objects.filter(node_id__in=keeps_targets)
            .exclude(start_year__gte=first, end_year__lte=last_target)
            .values_list("start_year", flat=True)[:1]
        )
        if not onwards:
            outside += list(
                Target.objects.filter(node_id__in=keeps_targets, open_end=True).values_list(
                    "start_year", flat=True
                )[:1]
            )
        if outside:
            problems.append(
                Problem(
                    where,
                    _(
                        "Year outside the period: data recorded for fiscal year %(year)s would fall "
                        "outside %(first)s–%(last)s."
                    )
                    % {"year": outside[0], "first": first, "last": last},
                )
            )

    def node_changes(self, node: _Node, stored: Node | None, levels: list[_LevelPlan]) -> list[FieldChange]:
        s = self.s
        spec_level = s.levels[node.depth]
        before = stored is not None
        pairs: list[tuple[str, str, str, str]] = []
        if stored is None or stored.level.depth != node.depth:
            pairs.append(("level", _("level"), stored.level.name if stored else "", spec_level.name))
        parent_before = stored.parent.code if stored is not None and stored.parent is not None else ""
        pairs.append(("parent", _("parent"), parent_before, node.parent or ""))
        pairs.append(
            ("title", spec_level.title_heading or _("title"), stored.title if stored else "", node.title)
        )
        if node.label is not None:
            pairs.append(
                ("label", self.heading("label", "表示ラベル"), stored.label if stored else "", node.label)
            )
        if node.summary is not None:
            pairs.append(
                ("summary", self.heading("summary", "概要"), stored.summary if stored else "", node.summary)
            )
        if node.baseline is not None:
            pairs.append(
                (
                    "baseline",
                    self.heading("baseline", "現状"),
                    stored.baseline if stored else "",
                    node.baseline,
                )
            )
        if node.units is not None:
            # Units are compared by code (two units may share a name) and shown by name.
            held = sorted(
                (role.unit.name, role.unit.code)
                for role in (stored.unit_roles.all() if stored else [])
                if role.role == NodeUnit.Role.RESPONSIBLE
            )
            wanted = sorted((ref.name, ref.code) for ref in node.units)
            if {code for _name, code in held} != {code for _name, code in wanted}:
                with_codes = [name for name, _code in held] == [name for name, _code in wanted]
                pairs.append(
                    (
                        "units",
                        self.heading("units", "所管課"),
                        _units_shown(held, with_codes),
                        _units_shown(wanted, with_codes),
                    )
                )
        if node.markers is not None:
            now = sorted(marker.symbol for marker in stored.markers.all()) if stored else []
            pairs.append(
                ("markers", self.heading("markers", "マーカー"), _join(now), _join(sorted(node.markers)))
            )
        if node.targets is not None:
            pairs.append(
                (
                    "targets",
                    _("targets"),
                    _targets_text(_stored_targets(stored)) if stored else "",
                    _targets_text([target.key for target in node.targets]),
                )
            )
        return [
            FieldChange(name, label, old, new)
            for name, label, old, new in pairs
            if old != new and (before or new)
        ]

    def order_changes(
        self, nodes: list[_Node], stored_nodes: dict[str, Node], rows: list[RowPreview]
    ) -> None:
        """A node whose place among its siblings changed (not only its number)."""
        stored_children: dict[str | None, list[Node]] = defaultdict(list)
        for stored_node in stored_nodes.values():
            parent_code = stored_node.parent.code if stored_node.parent else None
            stored_children[parent_code].append(stored_node)
        new_children: dict[str | None, list[str]] = defaultdict(list)
        for spec in nodes:
            new_children[spec.parent].append(spec.code)
        for index, node in enumerate(nodes):
            stored = stored_nodes.get(node.code)
            if stored is None or (stored.parent.code if stored.parent else None) != node.parent:
                continue
            siblings = new_children[node.parent]
            before = [n.code for n in sorted(stored_children[node.parent], key=lambda n: (n.position, n.pk))]
            old_seq = [code for code in before if code in siblings]
            new_seq = [code for code in siblings if code in before]
            if old_seq.index(node.code) != new_seq.index(node.code):
                row = rows[index]
                if row.status == RowStatus.UNCHANGED:
                    row = RowPreview(row.where, row.subject, RowStatus.CHANGED, row.changes, row.problems)
                rows[index] = RowPreview(
                    row.where,
                    row.subject,
                    row.status,
                    (
                        *row.changes,
                        FieldChange(
                            "order",
                            _("order"),
                            str(old_seq.index(node.code) + 1),
                            str(new_seq.index(node.code) + 1),
                        ),
                    ),
                    row.problems,
                )

    def removed(self, removed: list[Node]) -> list[RowPreview]:
        if not removed:
            return []
        ids = [node.pk for node in removed]
        with_results = set(Result.objects.filter(node_id__in=ids).values_list("node_id", flat=True))
        with_entries = set(
            Node.objects.filter(pk__in=ids, entries__isnull=False).values_list("pk", flat=True)
        )
        with_indicators = set(
            Node.objects.filter(pk__in=ids, indicators__isnull=False).values_list("pk", flat=True)
        )
        rows = []
        where = Where(self.s.file, self.s.sheet)
        for node in sorted(removed, key=lambda n: n.path):
            reasons = []
            if node.pk in with_results:
                reasons.append(_("results"))
            if node.pk in with_entries:
                reasons.append(_("entries of an evaluation round"))
            if node.pk in with_indicators:
                reasons.append(_("indicators"))
            problems: tuple[Problem, ...] = ()
            if reasons:
                problems = (
                    Problem(
                        where,
                        _(
                            "%(code)s %(title)s is not in the file, but it has %(what)s: a structure "
                            "import does "
                            "not remove it. Put its row back (or remove it in the administration pages)."
                        )
                        % {"code": node.code, "title": node.title, "what": _join(reasons)},
                    ),
                )
            rows.append(
                RowPreview(
                    where,
                    f"{node.code} {node.title}",
                    RowStatus.ERROR if problems else RowStatus.REMOVED,
                    problems=problems,
                )
            )
        return rows


def _units_shown(units: Sequence[tuple[str, str]], with_codes: bool) -> str:
    return _join(f"{name} ({code})" if with_codes else name for name, code in units)


def _new_unit_subject(ref: _UnitRef) -> str:
    if not ref.similar:
        return _("unit %(name)s") % {"name": ref.name}
    return _(
        "unit %(name)s (new: its name differs from the existing unit %(existing)s, code %(code)s, only in "
        "the width of its characters; write that unit's code to mean it)"
    ) % {
        "name": ref.name,
        "existing": _join(name for name, _code in ref.similar),
        "code": _join(code for _name, code in ref.similar),
    }


def _adopt_stored_text(node: _Node, stored: Node) -> None:
    """The sheet's free text is read normalised; where the stored text is that text as
    typed elsewhere (full-width brackets or digits), the node keeps the stored form, so
    that repeating it is no change (and its targets keep their notes and revisions)."""
    if same_text(stored.title, node.title):
        node.title = stored.title
    for name in ("label", "summary", "baseline"):
        value = getattr(node, name)
        if value is not None and same_text(getattr(stored, name), value):
            setattr(node, name, getattr(stored, name))
    if not node.targets:
        return
    left = sorted(stored.targets.all(), key=lambda t: (t.row, t.start_year, t.position, t.pk))
    paired: set[int] = set()
    for exact in (True, False):  # equal texts pair first
        for number, target in enumerate(node.targets):
            if number in paired:
                continue
            for index, kept in enumerate(left):
                if (kept.row, kept.start_year, kept.end_year, kept.open_end) == (
                    target.row,
                    target.start,
                    target.end,
                    target.open_end,
                ) and (kept.text == target.text if exact else same_text(kept.text, target.text)):
                    target.text = kept.text
                    del left[index]
                    paired.add(number)
                    break


def _stored_targets(node: Node) -> list[tuple[int, int, int, bool, str]]:
    targets = sorted(node.targets.all(), key=lambda t: (t.row, t.start_year, t.position, t.pk))
    return [(t.row, t.start_year, t.end_year, t.open_end, t.text) for t in targets]


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _level_shown(name: str, rated: bool) -> str:
    return f"{name}（評価）" if rated else name


# ---------------------------------------------------------------- writing


class _Writer(Reporter):
    """Writes a clean preview's plan: only what changed, each object validated with its
    model's rules; any refusal rolls everything back (the caller's transaction)."""

    def __init__(self, payload: _Plan) -> None:
        super().__init__(None)
        self.p = payload
        self.places: list[tuple[Where, dict[str, Where]]] = []

    def place(self, where: Where, fields: dict[str, Where] | None = None) -> Path_:
        self.places.append((where, fields or {}))
        return (len(self.places) - 1,)

    def located_problems(self) -> list[Problem]:
        out = []
        for problem in self.problems:
            index = problem.path[0] if problem.path else None
            where = Where(self.p.structure.file, self.p.structure.sheet)
            if isinstance(index, int) and index < len(self.places):
                base, fields = self.places[index]
                where = fields.get(str(problem.path[1]), base) if len(problem.path) > 1 else base
            out.append(Problem(where, problem.message))
        return out

    def write(self) -> None:
        p = self.p
        s = p.structure
        assert s.plan is not None
        spec = s.plan
        units = self.write_units()
        plan = p.plan or Plan(code=spec.code)
        plan.title = spec.title
        plan.first_year = spec.first_year or 0
        plan.last_year = spec.last_year or 0
        if spec.period_label is not None:
            plan.period_label = spec.period_label
        if p.onwards is not None:
            plan.onwards = p.onwards
        plan_path = self.place(
            spec.where, {name: spec.where for name in ("code", "title", "first_year", "last_year")}
        )
        if not self.validated(plan, plan_path, clean=False):
            self.refuse_if_any()
        plan.save()
        levels = self.write_levels(plan)
        self.refuse_if_any()
        markers = self.write_markers(plan)
        self.refuse_if_any()
        self.write_nodes(plan, levels, markers, units)
        self.refuse_if_any()
        for level in p.removed_levels:
            level.dimensions.all().delete()
            level.delete()
        self.validated(plan, plan_path)  # the period against the data now stored
        self.refuse_if_any()

    def write_units(self) -> dict[str, OrgUnit]:
        units: dict[str, OrgUnit] = {}
        for ref in self.p.new_units.values():
            unit = OrgUnit(code=ref.code, name=ref.name, kind=_unit_kind(ref.name))
            if self.validated(unit, self.place(ref.where)):
                unit.save()
                units[unit.code] = unit
        self.refuse_if_any()
        codes = {ref.code for node in self.p.structure.nodes for ref in node.units or []}
        units.update({unit.code: unit for unit in OrgUnit.objects.filter(code__in=codes - set(units))})
        return units

    def write_levels(self, plan: Plan) -> dict[int, Level]:
        levels: dict[int, Level] = {}
        for item in self.p.levels:
            level = item.level or Level(plan=plan, depth=item.spec.depth, key=item.key, kind=item.kind)
            changed = item.level is None or level.name != item.spec.name or level.rated != item.spec.rated
            level.name = item.spec.name
            level.rated = item.spec.rated
            if changed and self.validated(
                level, self.place(item.spec.where, {"name": item.spec.where, "rated": item.spec.where})
            ):
                level.save()
            levels[item.spec.depth] = level
            if item.new_dimension is not None:
                self.write_dimension(plan, level, item)
        return levels

    def write_dimension(self, plan: Plan, level: Level, item: _LevelPlan) -> None:
        assert item.new_dimension is not None
        code, _exists = item.new_dimension
        where = item.spec.where
        scale = Scale.objects.filter(code=code).first()
        if scale is None:
            scale = Scale(
                code=code,
                name=DEFAULT_SCALE_NAME,
                name_en=DEFAULT_SCALE_NAME_EN,
                good_end=Scale.GoodEnd.FIRST,
            )
            if not self.validated(scale, self.place(where)):
                return
            scale.save()
            for position, (level_code, label, label_en, adverse) in enumerate(DEFAULT_SCALE_LEVELS):
                ScaleLevel.objects.create(
                    scale=scale,
                    code=level_code,
                    label=label,
                    label_en=label_en,
                    position=position,
                    adverse=adverse,
                )
        taken = set(Dimension.objects.filter(plan=plan, level=level).values_list("key", flat=True))
        key, suffix = "achievement", 2
        while key in taken:
            key, suffix = f"achievement-{suffix}", suffix + 1
        dimension = Dimension(
            plan=plan,
            level=level,
            key=key,
            name=scale.name[:100],
            name_en=scale.name_en[:100],
            scale=scale,
            primary=True,
        )
        if self.validated(dimension, self.place(where)):
            dimension.save()

    def write_markers(self, plan: Plan) -> dict[str, Marker]:
        markers = {marker.symbol: marker for marker in plan.markers.all()}
        position = max((marker.position for marker in markers.values()), default=0)
        for symbol in self.p.new_markers:
            position += 1
            marker = Marker(plan=plan, symbol=symbol, name=symbol, position=position)
            where = next(
                (node.places["markers"] for node in self.p.structure.nodes if symbol in (node.markers or [])),
                Where(self.p.structure.file),
            )
            if self.validated(marker, self.place(where)):
                marker.save()
                markers[symbol] = marker
        return markers

    def write_nodes(
        self, plan: Plan, levels: dict[int, Level], markers: dict[str, Marker], units: dict[str, OrgUnit]
    ) -> None:
        p = self.p
        instances: dict[str, Node] = {}
        pending: list[tuple[_Node, Node, Path_]] = []
        for spec in p.structure.nodes:
            stored = p.stored_nodes.get(spec.code)
            node = stored or Node(plan=plan, code=spec.code)
            instances[spec.code] = node
            wanted: dict[str, Any] = {
                "level": levels[spec.depth],
                "position": spec.position,
                "title": spec.title,
            }
            for name in ("label", "summary", "baseline"):
                value = getattr(spec, name)
                if value is not None:
                    wanted[name] = value
            parent = instances.get(spec.parent) if spec.parent else None
            dirty = stored is None or (node.parent_id if stored else None) != (parent.pk if parent else None)
            for name, value in wanted.items():
                current = getattr(node, name) if name != "level" else (node.level if node.level_id else None)
                if current != value:
                    dirty = True
                setattr(node, name, value)
            node.parent = parent
            if dirty:
                pending.append((spec, node, self.place(spec.where, spec.places)))
        # Removed nodes with none of the kept nodes below them go first (a node moving to a
        # deeper level is not held back by children that are about to go).
        kept_ids = {node.pk for node in instances.values() if node.pk}
        removed = {node.pk: node for node in p.removed_nodes}
        early = [
            pk
            for pk, node in removed.items()
            if not Node.objects.filter(path__startswith=node.path, pk__in=kept_ids).exists()
        ]
        Node.objects.filter(pk__in=early).delete()
        pending, errors = self.save_in_order(pending)
        # The other removed nodes go once the kept nodes below them have moved away.
        Node.objects.filter(pk__in=[pk for pk in removed if pk not in early]).delete()
        pending, errors = self.save_in_order(pending, errors)
        for spec, node, path in pending:
            self.report(
                errors.get(spec.code) or ValidationError(_("Its parent could not be written.")), node, path
            )
        if self.problems:
            return
        for spec in p.structure.nodes:
            node = instances[spec.code]
            if spec.implied:
                continue
            if spec.markers is not None:
                wanted_markers = {markers[symbol].pk for symbol in spec.markers if symbol in markers}
                if set(node.markers.values_list("pk", flat=True)) != wanted_markers:
                    node.markers.set(list(wanted_markers))
            if spec.units is not None:
                self.write_units_of(node, spec, units)
            if spec.targets is not None:
                self.write_targets(node, spec)

    def save_in_order(
        self, pending: list[tuple[_Node, Node, Path_]], errors: dict[str, ValidationError] | None = None
    ) -> tuple[list[tuple[_Node, Node, Path_]], dict[str, ValidationError]]:
        """node_save each node, parents first; a node refused for the tree as it stands
        midway (a child still on its old level) is tried again after the others. Returns
        the nodes that could not be saved, with why."""
        errors = errors if errors is not None else {}
        while pending:
            waiting: list[tuple[_Node, Node, Path_]] = []
            for spec, node, path in pending:
                parent = node.parent
                if parent is not None and parent.pk is None:
                    waiting.append((spec, node, path))
                    continue
                if parent is not None:
                    # Its path may have moved with an ancestor since it was read.
                    parent.path = Node.objects.filter(pk=parent.pk).values_list("path", flat=True).get()
                node.parent = parent  # sets parent_id, now that the parent is saved
                self.at = path
                try:
                    node_save(node)
                except ValidationError as error:
                    errors[spec.code] = error
                    waiting.append((spec, node, path))
                    continue
                errors.pop(spec.code, None)
            if len(waiting) == len(pending):
                return waiting, errors
            pending = waiting
        return [], errors

    def write_units_of(self, node: Node, spec: _Node, units: dict[str, OrgUnit]) -> None:
        assert spec.units is not None
        wanted = {ref.code for ref in spec.units}
        roles = list(node.unit_roles.filter(role=NodeUnit.Role.RESPONSIBLE).select_related("unit"))
        for role in roles:
            if role.unit.code not in wanted:
                role.delete()
        have = {role.unit.code for role in roles}
        for ref in spec.units:
            if ref.code in have or ref.code not in units:
                continue
            role = NodeUnit(node=node, unit=units[ref.code], role=NodeUnit.Role.RESPONSIBLE)
            if self.validated(role, self.place(ref.where)):
                role.save()

    def write_targets(self, node: Node, spec: _Node) -> None:
        """Keep the stored targets the sheet still holds (with their notes, revisions and
        proposed revisions), remove the others, add the new ones."""
        assert spec.targets is not None
        stored: dict[tuple[int, int, int, bool, str], list[Target]] = defaultdict(list)
        for target in sorted(node.targets.all(), key=lambda t: (t.row, t.start_year, t.position, t.pk)):
            stored[(target.row, target.start_year, target.end_year, target.open_end, target.text)].append(
                target
            )
        keep: list[tuple[Target, int]] = []
        new: list[tuple[_Target, int]] = []
        for position, target_spec in enumerate(spec.targets):
            matches = stored.get(target_spec.key)
            if matches:
                keep.append((matches.pop(0), position))
            else:
                new.append((target_spec, position))
        Target.objects.filter(pk__in=[t.pk for left in stored.values() for t in left]).delete()
        for target, position in keep:
            if target.position != position:
                target.position = position
                target.save(update_fields=["position"])
        for target_spec, position in new:
            target = Target(
                node=node,
                row=target_spec.row,
                position=position,
                start_year=target_spec.start,
                end_year=target_spec.end,
                open_end=target_spec.open_end,
                text=target_spec.text,
            )
            if self.validated(target, self.place(target_spec.where, {"text": target_spec.where})):
                target.save()


# ---------------------------------------------------------------- the importer


def _read(data: bytes, filename: str) -> _Grid:
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data, filename)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise _Unreadable(
            _(
                "The file is named %(name)s but is not an Excel workbook (xlsx): it holds text. Save it as "
                "an Excel workbook, or name it .csv."
            )
            % {"name": filename}
        )
    return _read_csv(data, filename)


def read_structure(data: bytes, filename: str) -> Structure | Problem:
    """The file's structure as read (nothing compared, nothing written), or the problem
    that stopped its reading."""
    try:
        grid = _read(data, filename)
    except _Unreadable as refusal:
        return Problem(refusal.where or Where(filename), refusal.message)
    return _Parser(grid, filename).parse()


def _sniff_xlsx(data: bytes) -> bool:
    if not looks_like_xlsx(data):
        return False
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        # The very hidden sheet that marks Shinchoku's entry workbooks (not structures).
        if has_sheet(peek_part(archive, "xl/workbook.xml"), ENTRY_WORKBOOK_SHEET):
            return False
        text = b"".join(
            peek_part(archive, name)
            for name in ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml")
            if name in names
        ).decode("utf-8", "replace")
    # Rich text splits a cell's text into runs: read the text without the markup.
    text = normalize(re.sub(r"<[^>]*>", "", text)).lower()
    return ("計画コード" in text or "plan code" in text) and bool(
        re.search(r"(?:階層|level)\s*\d+\s*:", text)
    )


def _sniff_csv(data: bytes) -> bool:
    for text in csvfile.head_texts(data):
        if text.lstrip()[:1] in ("{", "[", "<"):
            return False
        if looks_like_structure_header(csvfile.first_record(text)):
            return True
    return False


class PlanStructureImporter:
    """See the module docstring."""

    name = NAME

    def sniff(self, data: bytes, filename: str) -> bool:
        try:
            if data.startswith(ZIP_MAGIC):
                return _sniff_xlsx(data)
            return _sniff_csv(data)
        except Exception:  # sniffing never fails: the file is then not ours
            return False

    def preview(self, data: bytes, filename: str, *, actor: Any) -> Preview:
        preview = Preview(importer=NAME, title=_("plan structure"), file=filename)
        if actor is not None and not is_administrator(actor):
            preview.problems.append(
                Problem(Where(filename), _("Only a planning administrator may import a plan's structure."))
            )
            return preview
        structure = read_structure(data, filename)
        if isinstance(structure, Problem):
            preview.problems.append(structure)
            return preview
        rows, payload = _Comparer(structure).compare()
        preview.rows = rows
        if structure.plan is not None:
            preview.title = _("plan structure %(code)s %(title)s") % {
                "code": structure.plan.code,
                "title": structure.plan.title,
            }
        preview.payload = payload
        return preview

    def apply(self, preview: Preview, *, actor: Any) -> ApplyResult:
        if actor is not None and not is_administrator(actor):
            refused = Preview(importer=NAME, title=preview.title, file=preview.file)
            refused.problems.append(
                Problem(
                    Where(preview.file), _("Only a planning administrator may import a plan's structure.")
                )
            )
            raise ImportRefused(refused)
        payload = preview.payload
        if not isinstance(payload, _Plan) or not preview.ok:
            raise ImportRefused(preview)
        counts = {status.value: preview.count(status) for status in RowStatus if preview.count(status)}
        if not preview.changed:
            return ApplyResult(_("%(file)s: nothing to change.") % {"file": preview.file}, counts)
        writer = _Writer(payload)
        try:
            writer.write()
        except _Refused:
            pass  # the problems are the writer's
        except (DataError, IntegrityError) as error:  # ProtectedError and RestrictedError too
            writer.problems.append(writer.database_problem(error))
        if writer.problems:
            refused = Preview(importer=NAME, title=preview.title, file=preview.file, rows=preview.rows)
            refused.problems.extend(writer.located_problems())
            raise ImportRefused(refused)
        assert payload.structure.plan is not None
        summary = _(
            "%(file)s: plan %(code)s imported: %(new)s new, %(changed)s changed, %(removed)s removed, "
            "%(unchanged)s unchanged."
        ) % {
            "file": preview.file,
            "code": payload.structure.plan.code,
            "new": preview.count(RowStatus.NEW),
            "changed": preview.count(RowStatus.CHANGED),
            "removed": preview.count(RowStatus.REMOVED),
            "unchanged": preview.count(RowStatus.UNCHANGED),
        }
        return ApplyResult(summary, counts, plans=(payload.structure.plan.code,))


register(PlanStructureImporter())
