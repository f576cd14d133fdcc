"""Reading a PDF report's measure sheets from its table cells.

A PDF whose tables the reader rebuilt cell by cell (``SourceLine.cell``) says by itself
what extracted text loses: which column a cell stands in and which row. A measure's sheet
is a table whose heading row holds the baseline's heading (現状) and the years' columns
(2011(平成23)年度 … 2014(平成26)年度以降); under it:

- the first column holds the measure's name and, under the name, its purpose (the name is
  the sheet's heading printed above the table, or the summary pages' name);
- the 現状 column holds the baseline;
- each year column holds targets, a ● item each; a cell reaching over several columns
  (its box, ``SourceLine.cell_box``) covers their years, the 以降 column the years after;
- each row is a line of targets (``row`` in the dataset); a row whose first column is empty
  goes on with the measure above (a sheet a page break cut repeats its heading row).

After the sheet come the measure's results, one framed block a year: the year's heading
with its rating (2011年度（平成23年度） 達成状況区分 3 目標をほぼ達成, or 2011年度 実施結果),
then the year's sections under their bracketed headings (【実施結果】, 【環境等の変化・課題等】,
【新たな課題等への対応】). A result belongs to the sheet printed before it. The programme
is the アクションプログラム：… heading printed before the sheet, the area the プラン heading.

Everything here is read from where it stands under the report's own headings: certain
(confidence 1.0), except where a name or a year had to be guessed, which is said and
flagged. ``read_sheets`` gives None for a source without such a table: the recogniser then
reads it as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from shinchoku import fiscal

from . import vocabulary as words
from .layout import clean_name
from .lines import Line, joined, line_kind, year_heading
from .source import Box

_YEAR_COLUMN = re.compile(rf"^([0-9]{{4}})(?:\((?:{fiscal.ERA_NAMES})(?:元|[0-9]+)\))?年度(以降)?$")
_DOT_LEADER = re.compile(r"(?:\.{4,}|…{2,}|・{4,})")
_BRACKETED = re.compile(r"^【([^】]+)】")
_SENTENCE_END = re.compile(r"。\s*[」』)]*$")
_RATING = re.compile(r"^(IV|V|III|II|I|[0-9]|[A-Z])(?![0-9A-Z])(.*)$")
_REPORT_YEAR = re.compile(r"^([0-9]{4})年度(?:\([^)]*\))?\s*.*報告書$")

CellKey = tuple[int, int, int, int]


@dataclass
class Cell:
    key: CellKey
    lines: list[Line] = field(default_factory=list)

    @property
    def row(self) -> int:
        return self.key[2]

    @property
    def column(self) -> int:
        return self.key[3]

    @property
    def table(self) -> tuple[int, int]:
        return self.key[0], self.key[1]

    @property
    def box(self) -> Box | None:
        return self.lines[0].source.cell_box

    @property
    def text(self) -> str:
        return joined([line.text for line in self.lines])

    @property
    def flat(self) -> str:
        return words.compact(self.text)


@dataclass
class Column:
    index: int
    kind: str  # "lead", "baseline" or "year"
    year: int = 0
    onwards: bool = False
    box: Box | None = None


@dataclass
class SheetTarget:
    text: str
    revised_text: str
    revision_reason: str
    row: int
    start: int
    end: int
    open_end: bool
    lines: list[Line]
    #: Below 1.0 when the years were not read from the cell's box.
    confidence: float
    reason: str


@dataclass
class SheetResult:
    year: int
    heading: list[Line]
    rating: str | None = None
    rating_label: str = ""
    rating_word: str = ""
    sections: dict[str, list[Line]] = field(default_factory=dict)


@dataclass
class Sheet:
    title: str
    title_lines: list[Line]
    title_confidence: float
    title_reason: str
    markers: tuple[str, ...]
    summary: list[Line]
    baseline: list[Line]
    programme: int
    targets: list[SheetTarget] = field(default_factory=list)
    results: list[SheetResult] = field(default_factory=list)
    rows: int = 0


@dataclass
class Programme:
    title: str
    lines: list[Line]
    #: The area it stands under (an index of ``SheetReading.areas``), -1 when none is printed.
    area: int = -1


@dataclass
class Digest:
    """A measure's name on the summary pages (【主な実施結果】) and the digest under it."""

    title: str
    name: Line
    lines: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        return joined([line.text for line in self.lines])


@dataclass
class SheetReading:
    #: The areas' headings (プラン9 …), each once, in the order printed.
    areas: list[Line]
    programmes: list[Programme]
    sheets: list[Sheet]
    columns: list[Column]
    header: list[Line]
    report_year: int | None
    report_year_line: Line | None
    digests: list[Digest] = field(default_factory=list)


def read_sheets(lines: list[Line | None]) -> SheetReading | None:
    present = [line for line in lines if line is not None]
    items = _items(present)
    reader = _Reader()
    for item in items:
        if isinstance(item, Line):
            reader.loose(item)
        else:
            reader.table(item)
    reader.end_measure()
    if not reader.sheets:
        return None
    return SheetReading(
        areas=reader.areas,
        programmes=reader.programmes,
        sheets=reader.sheets,
        columns=reader.columns,
        header=reader.header,
        report_year=reader.report_year,
        report_year_line=reader.report_year_line,
        digests=[digest for digest in reader.digests if digest.lines],
    )


def _items(lines: list[Line]) -> list[Line | list[Cell]]:
    """The lines outside tables, and the tables as their cells, in the order read."""
    items: list[Line | list[Cell]] = []
    for line in lines:
        key = line.cell_key
        if key is None:
            items.append(line)
            continue
        table = items[-1] if items and isinstance(items[-1], list) else None
        if table is None or (table[-1].table != key[:2] and not _continues(table, key)):
            table = []
            items.append(table)
        if table and table[-1].key == key:
            table[-1].lines.append(line)
        else:
            table.append(Cell(key, [line]))
    return items


def _continues(table: list[Cell], key: CellKey) -> bool:
    return any(cell.key == key for cell in table)


class _Reader:
    def __init__(self) -> None:
        self.areas: list[Line] = []
        self.current_area = -1
        self.programmes: list[Programme] = []
        self.sheets: list[Sheet] = []
        self.columns: list[Column] = []
        self.header: list[Line] = []
        self.last_text: Line | None = None
        self.sheet: Sheet | None = None
        self.result: SheetResult | None = None
        self.section = ""
        self.report_year: int | None = None
        self.report_year_line: Line | None = None
        self.digests: list[Digest] = []
        self.in_summary = False

    # -- lines outside the tables

    def loose(self, line: Line) -> None:
        if _DOT_LEADER.search(line.text):
            return
        kind, value = line_kind(line.text)
        if self.report_year is None and _REPORT_YEAR.match(words.compact(line.text)):
            self.report_year = int(words.compact(line.text)[:4])
            self.report_year_line = line
        if kind == "highlights":
            self.in_summary = True
            return
        if self.in_summary and kind == "text":
            self.summary_line(line)
            return
        if kind == "area":
            numbers = [line_kind(area.text)[1] for area in self.areas]
            if value not in numbers:
                self.areas.append(line)
                numbers.append(value)
            self.current_area = numbers.index(value)
        elif kind == "programme_header":
            self.in_summary = False
            self.end_measure()
            self.programmes.append(Programme(value, [line], self.current_area))
        elif kind in ("text", "marker"):
            self.last_text = line
            self.result = None
        return

    # -- tables

    def table(self, cells: list[Cell]) -> None:
        self.in_summary = False
        header_rows, columns = _header(cells)
        if columns:
            self.sheet_table(cells, header_rows, columns)
            return
        if self.sheet is not None:
            self.result_cells(cells)

    def summary_line(self, line: Line) -> None:
        """A line of the summary pages: a measure's name, a sentence of its digest (・…) or
        the rest of one that wrapped."""
        digest = self.digests[-1] if self.digests else None
        text = line.text
        if text[:1] in words.TEXT_BULLETS:
            if digest is not None:
                digest.lines.append(line)
            return
        if digest is not None and digest.lines and _goes_on(digest.lines[0], digest.lines[-1], line):
            digest.lines.append(line)
            return
        title, _markers = clean_name(text)
        self.digests.append(Digest(title, line))

    def end_measure(self) -> None:
        self.sheet = None
        self.result = None

    def sheet_table(self, cells: list[Cell], header_rows: set[int], columns: list[Column]) -> None:
        if not self.columns:
            self.columns = columns
            self.header = [line for cell in cells if cell.row in header_rows for line in cell.lines]
        lead = next(column.index for column in columns if column.kind == "lead")
        base = next((column.index for column in columns if column.kind == "baseline"), None)
        rows = sorted({cell.row for cell in cells if cell.row not in header_rows})
        for row in rows:
            in_row = [cell for cell in cells if cell.row == row]
            lead_cell = next((cell for cell in in_row if cell.column == lead), None)
            if lead_cell is not None or self.sheet is None:
                self.new_sheet(lead_cell, in_row, base)
            assert self.sheet is not None
            sheet = self.sheet
            sheet.rows += 1
            for cell in in_row:
                if cell.column in (lead, base):
                    continue
                self.targets(sheet, cell, columns)
        self.result = None

    def new_sheet(self, lead: Cell | None, row: list[Cell], base: int | None) -> None:
        self.result = None
        lines = lead.lines if lead is not None else []
        title, markers = "", tuple[str, ...]()
        heading = self.last_text
        title_lines: list[Line] = []
        summary = lines
        confidence, reason = (
            0.5,
            gettext_noop("no name stands over the sheet: its first line is read as the name"),
        )
        if heading is not None:
            title, markers, split = _heading_title(heading.text, lines)
            if split is not None:
                title_lines, summary = [heading, *lines[:split]], lines[split:]
                confidence, reason = (
                    1.0,
                    gettext_noop("the sheet's heading, the name the sheet's first column begins with"),
                )
        if not title_lines and lines:
            title, title_lines, summary = lines[0].text, lines[:1], lines[1:]
        baseline = next((cell.lines for cell in row if cell.column == base), []) if base is not None else []
        self.sheet = Sheet(
            title=title,
            title_lines=title_lines,
            title_confidence=confidence,
            title_reason=reason,
            markers=markers,
            summary=summary,
            baseline=baseline,
            programme=len(self.programmes) - 1,
        )
        self.sheets.append(self.sheet)
        self.last_text = None

    def targets(self, sheet: Sheet, cell: Cell, columns: list[Column]) -> None:
        years = [column for column in columns if column.kind == "year"]
        covered: list[Column] = []
        box = cell.box
        if box is not None:
            covered = [
                column
                for column in years
                if column.box is not None and box[0] - 1 <= (column.box[0] + column.box[2]) / 2 <= box[2] + 1
            ]
        confidence, reason = 1.0, gettext_noop("the columns the target's cell stands under")
        if not covered:
            covered = [column for column in years if column.index == cell.column]
            confidence, reason = (
                0.8,
                gettext_noop("the column the cell begins in (its box is not known: it may span more)"),
            )
        if not covered:
            return
        start = covered[0].year
        onwards = covered[-1].onwards
        end = covered[-1].year
        for item, revised, reason in _items_of(cell):
            sheet.targets.append(
                SheetTarget(
                    text=item,
                    revised_text=revised,
                    revision_reason=reason,
                    row=sheet.rows,
                    start=start,
                    end=end,
                    open_end=onwards,
                    lines=cell.lines,
                    confidence=confidence,
                    reason=reason,
                )
            )

    # -- results

    def result_cells(self, cells: list[Cell]) -> None:
        for cell in cells:
            first = cell.lines[0]
            kind, value = line_kind(first.text)
            if kind in ("year_heading", "year_label", "year"):
                assert self.sheet is not None
                self.result = SheetResult(year=int(value), heading=[first])
                self.section = ""
                self.sheet.results.append(self.result)
                if kind == "year_heading":
                    self.rating(self.result, first)
                rest = cell.lines[1:]
            else:
                rest = cell.lines
            if self.result is None:
                continue
            for line in rest:
                bracketed = _BRACKETED.match(line.text)
                kind = line_kind(line.text)[0]
                if kind == "result_heading":
                    self.section = "text"
                elif kind in ("context_change", "response"):
                    self.section = kind
                elif bracketed:
                    self.section = "other:" + bracketed.group(1)
                elif not self.section:
                    # Further ratings under the first, one a line, before any section.
                    continue
                else:
                    self.result.sections.setdefault(self.section, []).append(line)
                    continue
                after = line.text[line.text.index("】") + 1 :].strip() if "】" in line.text else ""
                if after:
                    self.result.sections.setdefault(self.section, []).append(
                        Line(line.source, after, line.cell_key)
                    )

    def rating(self, result: SheetResult, line: Line) -> None:
        found = year_heading(line.text)
        rest = found[1] if found else ""
        word = words.starts_with_any(rest, words.RATING_WORDS)
        code = _RATING.match(rest[len(word) :]) if word else None
        if code:
            result.rating, result.rating_label, result.rating_word = code.group(1), code.group(2), word


def _goes_on(first: Line, last: Line, line: Line) -> bool:
    """Whether ``line`` goes on with the sentence of a digest (whose first line is ``first``
    and last ``last``) rather than naming the next measure: in a PDF, a sentence's wrapped
    lines are indented under its bullet (a hanging indent) and a name is not; in text, a
    sentence goes on until it ends (。)."""
    start, box = first.source.bbox, line.source.bbox
    if start is not None and box is not None:
        return box[0] > start[0] + 1
    return not _SENTENCE_END.search(last.text)


def _header(cells: list[Cell]) -> tuple[set[int], list[Column]]:
    """The rows of a sheet's heading and its columns; no columns when the table is not a
    measure's sheet (it has no 現状 heading or no year columns)."""
    rows = sorted({cell.row for cell in cells})[:2]
    heading = [cell for cell in cells if cell.row in rows]
    baseline = [cell for cell in heading if cell.flat == words.BASELINE_HEADING]
    years = [(cell, _YEAR_COLUMN.match(cell.flat)) for cell in heading]
    if not baseline or not any(match for _cell, match in years):
        return set(), []
    base = baseline[0]
    columns = [Column(base.column, "baseline", box=base.box)]
    for cell, match in years:
        if match:
            columns.append(Column(cell.column, "year", int(match.group(1)), bool(match.group(2)), cell.box))
    lead = min((cell for cell in heading if cell.column < base.column), key=lambda c: c.column, default=None)
    columns.append(Column(lead.column if lead is not None else 0, "lead", box=lead.box if lead else None))
    used = {cell.row for cell in heading if cell is base or cell is lead or _YEAR_COLUMN.match(cell.flat)}
    return used, sorted(columns, key=lambda column: column.index)


def _heading_title(text: str, lines: list[Line]) -> tuple[str, tuple[str, ...], int | None]:
    """The name in a sheet's heading (and the markers after it: symbols such as ○, or words
    set apart by blanks, such as 重点), as the sheet's first column begins with it; and how
    many of the column's lines the name takes (None when the column does not begin with it)."""
    title, markers = clean_name(text)
    split = _after_title(lines, title)
    if split is not None:
        return title, markers, split
    parts = re.split(r"\s{2,}", title)
    for cut in range(len(parts) - 1, 0, -1):
        shorter = " ".join(parts[:cut])
        split = _after_title(lines, shorter)
        if split is not None:
            return shorter, markers + tuple(parts[cut:]), split
    return title, markers, None


def _after_title(lines: list[Line], title: str) -> int | None:
    """How many of ``lines`` the name ``title`` takes, when they begin with it."""
    wanted = words.compact(title)
    if not wanted:
        return None
    seen = ""
    for index, line in enumerate(lines):
        seen += words.compact(line.text)
        if seen == wanted:
            return index + 1
        if not wanted.startswith(seen):
            return None
    return None


def _items_of(cell: Cell) -> list[tuple[str, str, str]]:
    """The targets of a cell: each ● item (with the numbered sub-items under it), or the
    cell's text when it holds no item; each with its revised text and the reason, where the
    cell prints them under their labels (計画時, 変更後, 変更の理由)."""
    items: list[list[list[str]]] = []
    part = 0
    for line in cell.lines:
        flat = words.compact(line.text)
        if flat in words.TARGET_PLANNED:
            items.append([[], [], []])
            part = 0
            continue
        if flat in words.TARGET_REVISED + words.TARGET_REASON:
            if not items:
                items.append([[], [], []])
            part = 1 if flat in words.TARGET_REVISED else 2
            continue
        bullet = line.text[:1] in words.ITEM_BULLETS
        if not items or (bullet and part == 0) or (bullet and part == 2 and items[-1][2]):
            items.append([[], [], []])
            part = 0
        items[-1][part].append(line.text)
    return [
        (joined(text), joined(revised), joined(reason)) for text, revised, reason in items if joined(text)
    ]
