"""Reading a structure sheet into a grid of texts: CSV (decoded as ``csvfile`` decides) or
xlsx (by the bounded reader, ``xlsxfile``); formulas and dates refused, text normalised
with identities kept as written (``shinchoku.plans.formats.matching``), a merged cell or
``同左`` read as a span of years."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from shinchoku.interchange.preview import Problem, Where
from shinchoku.interchange.sheets import csvfile
from shinchoku.interchange.sheets.spreadsheet_text import csv_unescape
from shinchoku.interchange.sheets.xlsxfile import (
    MAX_COLUMNS,
    MAX_ROWS,
    ZIP_MAGIC,
    XlsxRefused,
    formula_of,
    open_xlsx,
)
from shinchoku.plans.formats.matching import identity
from shinchoku.plans.formats.structure.vocabulary import SHEET_NAMES, SPAN_MARKS, compacted
from shinchoku.text import normalize


class Span:
    """A year cell that continues the cell on its left (``同左`` or a merged cell)."""

    def __repr__(self) -> str:
        return "SPAN"


SPAN = Span()
Cell = str | Span


@dataclass
class Grid:
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
        if self.raw_header is None and any(filled(cell) for cell in cells):
            self.raw_header = [text.strip() for text in raw]


class Unreadable(Exception):
    def __init__(self, message: str, where: Where | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


def text_cell(value: str, where: Where, grid: Grid, key: tuple[int, int]) -> Cell:
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


def read_csv(data: bytes, filename: str) -> Grid:
    """The CSV file, decoded and split as ``csvfile`` decides (UTF-8, UTF-16 or Shift_JIS;
    commas or tabs)."""
    try:
        text = csvfile.decode(data)
    except csvfile.CsvRefused as refusal:
        raise Unreadable(refusal.message) from refusal
    grid = Grid(sheet="", rows=[])
    reader = text.reader()
    number = 0
    try:
        for record in reader:
            number += 1
            if number > MAX_ROWS + 1:
                raise Unreadable(_("The file has more than %(rows)s rows.") % {"rows": MAX_ROWS})
            if len(record) > MAX_COLUMNS:
                raise Unreadable(
                    _("Row %(row)s has more than %(columns)s columns.")
                    % {"row": number, "columns": MAX_COLUMNS}
                )
            cells = [
                text_cell(
                    csv_unescape(value),  # a text escaped as spreadsheets need (spreadsheet_text)
                    Where(filename, "", number, get_column_letter(index + 1)),
                    grid,
                    (number, index),
                )
                for index, value in enumerate(record)
            ]
            grid.add(number, cells, record)
    except csv.Error as error:
        raise Unreadable(
            _("Line %(line)s cannot be read as CSV: %(error)s") % {"line": reader.line_num, "error": error}
        ) from error
    return grid


def read_xlsx(data: bytes, filename: str) -> Grid:
    """The structure sheet, read by the bounded reader (``xlsxfile``: its limits refuse a
    file too large to read, naming the sheet, row and column)."""
    try:
        workbook = open_xlsx(data)
        titles = workbook.worksheets
        if not titles:
            raise Unreadable(_("The workbook has no sheet."))
        sheet = workbook.sheet(
            next((title for title in titles if compacted(title) in SHEET_NAMES), titles[0])
        )
    except XlsxRefused as refusal:
        where = Where(filename, refusal.sheet, refusal.row, refusal.column)
        raise Unreadable(refusal.message, where) from refusal
    grid = Grid(sheet=sheet.title, rows=[])
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
                cells.append(xlsx_value(value, where, grid, (number, column - 1)))
        grid.add(number, cells, raw)
    return grid


def xlsx_value(value: Any, where: Where, grid: Grid, key: tuple[int, int]) -> Cell:
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
    return text_cell(str(value), where, grid, key)


def read_grid(data: bytes, filename: str) -> Grid:
    if data.startswith(ZIP_MAGIC):
        return read_xlsx(data, filename)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise Unreadable(
            _(
                "The file is named %(name)s but is not an Excel workbook (xlsx): it holds text. Save it as "
                "an Excel workbook, or name it .csv."
            )
            % {"name": filename}
        )
    return read_csv(data, filename)


def filled(cell: Cell) -> bool:
    return isinstance(cell, Span) or bool(cell)
