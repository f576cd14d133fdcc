"""A city's sheet opened for a profile: its rows read (xlsx by the bounded reader, CSV as
``csvfile`` decodes it), the columns the profile reads found where it says (an error for a
column that is not there, or whose heading is not the one the profile expects: the sheet's
layout moved), the columns it neither reads nor ignores warned, and the sheet's fiscal year
read."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from shinchoku.interchange.preview import Problem, Where
from shinchoku.interchange.sheets import csvfile
from shinchoku.interchange.sheets.spreadsheet_text import csv_unescape
from shinchoku.interchange.sheets.xlsxfile import (
    MAX_COLUMNS,
    MAX_ROWS,
    ZIP_MAGIC,
    Value,
    XlsxRefused,
    open_xlsx,
)
from shinchoku.plans.formats.planfile.spec import format_path
from shinchoku.plans.formats.profile.cells import Cells, Dirt, compact, heading_matches
from shinchoku.plans.formats.profile.profile import profile_columns
from shinchoku.plans.formats.profile.spec import Profile


class SheetRefused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass
class OpenedSheet:
    """The sheet's cells, ready to read, and its fiscal year."""

    cells: Cells
    fiscal_year: int
    #: The rows holding data, in order.
    data_rows: list[int]


def read_rows(data: bytes, filename: str, sheet_name: str) -> tuple[str, dict[int, list[Value | None]]]:
    """The sheet's title and its rows (row number → cells); SheetRefused when unreadable."""
    if data.startswith(ZIP_MAGIC):
        try:
            book = open_xlsx(data)
            titles = book.worksheets
            title = sheet_name or (titles[0] if titles else "")
            if title not in titles:
                raise SheetRefused(
                    [
                        Problem(
                            Where(filename),
                            _("The workbook has no sheet %(sheet)s (it has: %(sheets)s).")
                            % {"sheet": title, "sheets": ", ".join(titles)},
                        )
                    ]
                )
            sheet = book.sheet(title)
        except XlsxRefused as refusal:
            raise SheetRefused(
                [Problem(Where(filename, refusal.sheet, refusal.row, refusal.column), refusal.message)]
            ) from refusal
        return title, sheet.rows
    try:
        text = csvfile.decode(data)
    except csvfile.CsvRefused as refusal:
        raise SheetRefused([Problem(Where(filename), refusal.message)]) from refusal
    rows: dict[int, list[Value | None]] = {}
    reader = text.reader()
    try:
        for number, record in enumerate(reader, start=1):
            if number > MAX_ROWS or len(record) > MAX_COLUMNS:
                raise SheetRefused(
                    [
                        Problem(
                            Where(filename, "", number),
                            _("The file has too many rows or columns to be read."),
                        )
                    ]
                )
            if any(record):
                rows[number] = [csv_unescape(value) if value else None for value in record]
    except csv.Error as error:
        raise SheetRefused(
            [
                Problem(
                    Where(filename, "", reader.line_num),
                    _("This line cannot be read as CSV: %(error)s") % {"error": error},
                )
            ]
        ) from error
    return "", rows


def open_sheet(profile: Profile, data: bytes, filename: str) -> OpenedSheet:
    """The sheet, checked against the profile; SheetRefused with every problem."""
    title, rows = read_rows(data, filename, profile.sheet)
    heading_cells = rows.get(profile.heading_row, [])
    headings = {
        index: str(value)
        for index, value in enumerate(heading_cells, start=1)
        if value is not None and str(value).strip()
    }
    cells = Cells(filename, title, rows, headings)
    problems = _layout_problems(profile, cells, rows)
    if problems:
        raise SheetRefused(problems)
    last = profile.last_row or max(rows, default=0)
    read = {column.index for column in profile_columns(profile)}
    if profile.years is not None:
        for block in profile.years.blocks:
            read.update(range(block.start, block.start + profile.years.width))
    data_rows = [
        number
        for number in sorted(rows)
        if profile.first_row <= number <= last
        and any(cells.raw(number, index) not in (None, "") for index in read)
    ]
    fiscal_year = _fiscal_year(profile, cells, data_rows)
    _years_in_period(profile, cells, fiscal_year)
    if cells.errors:
        raise SheetRefused(cells.errors)
    return OpenedSheet(cells, fiscal_year, data_rows)


def _layout_problems(profile: Profile, cells: Cells, rows: dict[int, list[Value | None]]) -> list[Problem]:
    """A column the profile reads that is not in the sheet, or whose heading is not the
    expected one; warnings for the columns nobody reads."""
    width = max((len(values) for values in rows.values()), default=0)
    problems: list[Problem] = []

    def line(path: tuple[str | int, ...]) -> str:
        number = profile.line_of(path)
        place = format_path(path)
        return _("line %(line)s, %(path)s") % {"line": number, "path": place} if number else place

    expected = dict(profile.headings)
    if profile.years is not None:
        for block in profile.years.blocks:
            for offset, heading in enumerate(profile.years.headings):
                if heading:
                    expected.setdefault(block.start + offset, (heading, heading))
    named = {column.index: column.path for column in profile_columns(profile)}
    if profile.years is not None:
        for block in profile.years.blocks:
            for offset in range(profile.years.width):
                named.setdefault(block.start + offset, block.path)
    for index, path in sorted(named.items()):
        if index > width:
            problems.append(
                Problem(
                    Where(cells.file, cells.sheet, None, get_column_letter(index)),
                    _(
                        "The profile reads column %(column)s (%(where)s), but the sheet ends at column "
                        "%(last)s."
                    )
                    % {
                        "column": get_column_letter(index),
                        "where": line(path),
                        "last": get_column_letter(width),
                    },
                )
            )
    for index, (heading, written) in sorted(expected.items()):
        if index > width:
            continue
        found = compact(cells.headings.get(index, ""))
        if not heading_matches(heading, found):
            problems.append(
                Problem(
                    cells.where(profile.heading_row, index),
                    _(
                        "The profile expects the heading %(expected)r here, and the sheet has %(found)r: "
                        "has a column been added, removed or moved?"
                    )
                    % {"expected": written, "found": cells.headings.get(index, "")},
                )
            )
    ignored = {column.index for column in (*profile.ignored, *profile.personal)}
    for index, heading in sorted(cells.headings.items()):
        if index not in named and index not in ignored:
            cells.warn(
                profile.heading_row,
                index,
                Dirt.unread(),
                _("The profile neither reads nor ignores column %(column)s (%(heading)s).")
                % {"column": get_column_letter(index), "heading": heading.strip()[:60]},
            )
    return problems


def _fiscal_year(profile: Profile, cells: Cells, data_rows: list[int]) -> int:
    """The sheet's fiscal year: the profile's, or the one its column holds on every row."""
    if profile.fiscal_year is not None:
        return profile.fiscal_year
    column = profile.fiscal_year_column
    assert column is not None
    years: Counter[int] = Counter()
    first_row: dict[int, int] = {}
    for row in data_rows:
        year, _text = cells.year(row, column.index, latest=profile.last_year)
        if year is None:
            cells.fail(row, column.index, _("The sheet's fiscal year is not written here."))
            continue
        years[year] += 1
        first_row.setdefault(year, row)
    if len(years) > 1:
        cells.fail(
            first_row[min(years, key=lambda year: (years[year], year))],
            column.index,
            _("The sheet holds several fiscal years (%(years)s): a sheet is read for one.")
            % {"years": ", ".join(str(year) for year in sorted(years))},
        )
    if not years:
        cells.fail(profile.heading_row, column.index, _("No row gives the sheet's fiscal year."))
        return profile.last_year
    # A bare era year is warned once, not on every row.
    bare = [w for w in cells.warnings if w.where.column == column.letter and w.kind == Dirt.year()]
    cells.warnings = [warning for warning in cells.warnings if warning not in bare[1:]]
    return years.most_common(1)[0][0]


def _years_in_period(profile: Profile, cells: Cells, year: int) -> None:
    """The years the sheet's year makes of the profile's relative years lie in the plan's period."""
    places: list[tuple[int, int]] = [
        (year, profile.fiscal_year_column.index if profile.fiscal_year_column else 1)
    ]
    places.append((year + profile.judged_year, places[0][1]))
    if profile.years is not None:
        places.extend((block.fiscal_year_of(year), block.start) for block in profile.years.blocks)
    for section in profile.sections:
        places.extend(
            (year + entry.year, entry.column.index) for entry in section.columns if entry.year is not None
        )
    for fiscal_year, column in places:
        if not profile.first_year <= fiscal_year <= profile.last_year:
            cells.fail(
                profile.heading_row,
                column,
                _(
                    "With the sheet's year %(year)s, this column is of %(fiscal_year)s, outside the "
                    "plan's period %(first)s–%(last)s."
                )
                % {
                    "year": year,
                    "fiscal_year": fiscal_year,
                    "first": profile.first_year,
                    "last": profile.last_year,
                },
            )
