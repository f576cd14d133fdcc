"""The parts of an xlsx file, read as streams: each part is unpacked and parsed a chunk at a
time (expat, no tree held), and every limit is checked as the XML goes by, so that a part
that is too large, or holds too many texts or cells, is refused at the first element over
the limit, having held almost nothing. ``xlsxfile`` is the module the importers use; this
one is its reading of the XML.

What a cell holds follows openpyxl's reading (formulas kept as formulas): numbers are int
or float, a number in a date format is a date, time or duration, ``t="b"`` is a bool, a
text is the cell's text without its phonetic guide (ルビ), an error is its text (#N/A).
"""

from __future__ import annotations

import bisect
import sys
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl.formula.translate import Translator, TranslatorError
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

#: A sheet is read up to this row and this column (a filled cell beyond is refused).
MAX_ROWS = 50_000
MAX_COLUMNS = 500
#: The sheets read together hold at most this many cells: every cell element, filled or not,
#: every row and merged range, and each row counted as wide as its last filled cell.
MAX_CELLS = 1_000_000
#: What the values read (cells and shared texts) may take in memory, as Python counts it:
#: the bound that keeps any file's reading, refused or not, well under 200 MB in all.
MAX_HELD_BYTES = 80 * 1024 * 1024
#: At most this many shared texts (``xl/sharedStrings.xml``).
MAX_SHARED_STRINGS = 1_000_000
#: The most characters a cell holds (Excel's own limit).
MAX_CELL_CHARS = 32_767
#: The most a part unpacks to: a worksheet, the shared texts, any other part read.
MAX_SHEET_BYTES = 64 * 1024 * 1024
MAX_STRINGS_BYTES = 32 * 1024 * 1024
MAX_PART_BYTES = 10 * 1024 * 1024
CHUNK_BYTES = 256 * 1024

#: How many different inline texts a sheet's reading remembers, to hold each repeat once.
_REPEATS = 4096
_COLUMNS = {get_column_letter(index): index for index in range(1, 16_385)}
_RELATIONSHIP_ID = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships id",
                    "http://purl.oclc.org/ooxml/officeDocument/relationships id")  # fmt: skip


class Refused(Exception):
    """Why the file is refused, and where in it when one place is to blame."""

    def __init__(
        self, message: str, *, sheet: str = "", row: int | None = None, column: int | str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.row = row
        #: The column's letter ("AB"), or "".
        self.column = (
            get_column_letter(column) if isinstance(column, int) and column > 0 else str(column or "")
        )

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Formula:
    """A formula in a cell. A formula shared from another cell (``origin``) is written there
    once; ``str()`` shows it as it reads in this cell (``at``)."""

    text: str
    origin: str = ""
    at: str = ""

    def __str__(self) -> str:
        if not self.origin or self.origin == self.at:
            return self.text
        try:
            return str(Translator(self.text, self.origin).translate_formula(self.at))
        except (TranslatorError, ValueError):
            return self.text


Value = str | int | float | bool | datetime | date | time | timedelta | Formula


@dataclass
class Sheet:
    """One worksheet's filled cells, row by row (each row as wide as its last filled cell),
    and its merged ranges. A cell inside a merged range other than its top-left holds
    nothing, as a spreadsheet application shows it."""

    title: str
    rows: dict[int, list[Value | None]] = field(default_factory=dict)
    #: (min_row, min_column, max_row, max_column) of each merged range.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: What reading it counted against ``MAX_CELLS`` and ``MAX_HELD_BYTES``.
    cells: int = 0
    held: int = 0

    @property
    def max_row(self) -> int:
        """The last row with a filled cell (0 for an empty sheet)."""
        return max(self.rows, default=0)

    @property
    def max_column(self) -> int:
        """The last column with a filled cell (0 for an empty sheet)."""
        return max((len(row) for row in self.rows.values()), default=0)

    def row(self, number: int) -> list[Value | None]:
        return self.rows.get(number, [])

    def value(self, row: int, column: int) -> Value | None:
        cells = self.rows.get(row)
        return cells[column - 1] if cells is not None and 0 < column <= len(cells) else None


@dataclass
class Budget:
    """What the reading of one workbook has counted so far against ``MAX_CELLS`` and
    ``MAX_HELD_BYTES``; ``spend`` refuses the file at the first cell over either."""

    cells: int = 0
    held: int = 0

    def spend(
        self, cells: int, held: int, sheet: str = "", row: int | None = None, column: int | None = None
    ) -> None:
        self.cells += cells
        self.held += held
        if self.cells > MAX_CELLS:
            raise Refused(
                _(
                    "The sheets read hold more than %(cells)s cells (empty but formatted cells count "
                    "too): the file is refused as unsafe. Delete the unused rows and columns, or "
                    "split the file."
                )
                % {"cells": f"{MAX_CELLS:,}"},
                sheet=sheet,
                row=row,
                column=column,
            )
        if self.held > MAX_HELD_BYTES:
            raise Refused(
                _(
                    "The cells read hold more than %(size)s MB of values: the file is refused as unsafe. "
                    "Delete what is not needed, or split the file."
                )
                % {"size": MAX_HELD_BYTES // 1024 // 1024},
                sheet=sheet,
                row=row,
                column=column,
            )


# ---------------------------------------------------------------- streaming a part


class Tags(dict[str, str]):
    """An element's name without its namespace, by its name with it (``…/main c`` → ``c``):
    a dictionary look-up per element, the first of each name computed."""

    def __missing__(self, name: str) -> str:
        tag = name[name.rfind(" ") + 1 :]
        if len(self) < 1000:  # a file could use any number of names: remember the first
            self[name] = tag
        return tag


@contextmanager
def _refusing_bad_xml(part: str) -> Iterator[None]:
    try:
        yield
    except expat.ExpatError as error:
        raise Refused(
            _("The workbook could not be read: its part %(part)s is not well-formed XML (line %(line)s).")
            % {"part": part, "line": error.lineno}
        ) from error
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as error:
        raise Refused(
            _("The workbook could not be read: its part %(part)s is damaged (%(error)s).")
            % {"part": part, "error": error}
        ) from error


def stream(
    archive: zipfile.ZipFile,
    part: str,
    limit: int,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Feed the part to the handlers a chunk at a time, refusing it as soon as it unpacks to
    more than ``limit``. The handlers get each element's name with its namespace
    (``Tags`` gives the name alone)."""
    try:
        info = archive.getinfo(part)
    except KeyError as error:
        raise Refused(
            _("The workbook could not be read: its part %(part)s is missing.") % {"part": part}
        ) from error
    too_large = Refused(
        _(
            "The part %(part)s of the workbook unpacks to more than %(size)s MB: the file is refused "
            "as unsafe."
        )
        % {"part": part, "size": limit // 1024 // 1024}
    )
    if info.file_size > limit:
        raise too_large
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(*_args: object) -> None:
        raise Refused(
            _(
                "The workbook could not be read: its part %(part)s declares a document type, which a "
                "workbook never does."
            )
            % {"part": part}
        )

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    read = 0
    with _refusing_bad_xml(part), archive.open(info) as member:
        while chunk := member.read(CHUNK_BYTES):
            read += len(chunk)
            if read > limit:
                raise too_large
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


# ---------------------------------------------------------------- the small parts


@dataclass
class SheetEntry:
    title: str
    state: str
    part: str
    worksheet: bool


@dataclass
class Layout:
    """What the workbook part and its relationships say: the sheets in order, where each
    is, where the shared texts and styles are, and the date system."""

    sheets: list[SheetEntry]
    strings: str | None
    styles: str | None
    date1904: bool


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id → (type's last word, target part) of a part's relationships."""
    folder, _slash, name = part.rpartition("/")
    rels = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    found: dict[str, tuple[str, str]] = {}
    if rels not in archive.NameToInfo:
        return found
    tags = Tags()

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = tags[name]
        if tag == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else _join(folder, target)
            found[attrs.get("Id", "")] = (attrs.get("Type", "").rsplit("/", 1)[-1], path)

    stream(archive, rels, MAX_PART_BYTES, start)
    return found


def _join(folder: str, target: str) -> str:
    parts = folder.split("/") if folder else []
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def read_layout(archive: zipfile.ZipFile, workbook: str = "xl/workbook.xml") -> Layout:
    relations = _relationships(archive, workbook)
    sheets: list[SheetEntry] = []
    date1904 = [False]
    tags = Tags()

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = tags[name]
        if tag == "sheet":
            rid = next((attrs[key] for key in _RELATIONSHIP_ID if key in attrs), "")
            kind, part = relations.get(rid, ("", ""))
            sheets.append(
                SheetEntry(
                    title=attrs.get("name", ""),
                    state=attrs.get("state", "visible"),
                    part=part,
                    worksheet=kind == "worksheet",
                )
            )
        elif tag == "workbookPr":
            date1904[0] = attrs.get("date1904", "").lower() in ("1", "true")

    stream(archive, workbook, MAX_PART_BYTES, start)
    by_kind = {kind: part for kind, part in relations.values()}
    return Layout(
        sheets=sheets,
        strings=by_kind.get("sharedStrings"),
        styles=by_kind.get("styles"),
        date1904=date1904[0],
    )


def read_date_styles(archive: zipfile.ZipFile, part: str | None) -> tuple[set[int], set[int]]:
    """The cell styles (their index) that show a number as a date, and those of these that
    show it as a duration."""
    if part is None or part not in archive.NameToInfo:
        return set(), set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    inside = [False]
    tags = Tags()

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = tags[name]
        if tag == "numFmt":
            custom[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            inside[0] = True
        elif tag == "xf" and inside[0]:
            formats.append(_int(attrs.get("numFmtId")))

    def end(name: str) -> None:
        tag = tags[name]
        if tag == "cellXfs":
            inside[0] = False

    stream(archive, part, MAX_PART_BYTES, start, end)
    dates: set[int] = set()
    durations: set[int] = set()
    for index, number in enumerate(formats):
        code = custom.get(number) or BUILTIN_FORMATS.get(number)
        if code and is_date_format(code):
            dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
    return dates, durations


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


class _Text:
    """The text of a shared string or an inline string (``<si>``, ``<is>``): its ``<t>``,
    and those of its runs, without the phonetic guide (``<rPh>``)."""

    def __init__(self, where: Callable[[], Refused]) -> None:
        self.pieces: list[str] = []
        self.length = 0
        self.capturing = False
        self.phonetic = 0
        self.where = where

    def start(self, tag: str) -> None:
        if tag == "rPh":
            self.phonetic += 1
        elif tag == "t" and not self.phonetic:
            self.capturing = True

    def end(self, tag: str) -> None:
        if tag == "rPh":
            self.phonetic -= 1
        elif tag == "t":
            self.capturing = False

    def add(self, data: str) -> None:
        if self.capturing:
            self.length += len(data)
            if self.length > MAX_CELL_CHARS:
                raise self.where()
            self.pieces.append(data)

    def take(self) -> str:
        text = "".join(self.pieces)
        self.pieces, self.length, self.capturing, self.phonetic = [], 0, False, 0
        return text


def _too_long(sheet: str = "", row: int | None = None, column: int | None = None) -> Refused:
    return Refused(
        _("The cell holds more than %(chars)s characters, the most a cell can hold.")
        % {"chars": MAX_CELL_CHARS},
        sheet=sheet,
        row=row,
        column=column,
    )


def read_shared_strings(archive: zipfile.ZipFile, part: str | None, budget: Budget) -> list[str]:
    if part is None or part not in archive.NameToInfo:
        return []
    strings: list[str] = []
    text = _Text(_too_long)
    inside = [False]
    tags = Tags()

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = tags[name]
        if tag == "si":
            if len(strings) >= MAX_SHARED_STRINGS:
                raise Refused(
                    _(
                        "The workbook holds more than %(count)s different texts: the file is refused "
                        "as unsafe."
                    )
                    % {"count": f"{MAX_SHARED_STRINGS:,}"}
                )
            inside[0] = True
        elif inside[0]:
            text.start(tag)

    def end(name: str) -> None:
        tag = tags[name]
        if tag == "si":
            inside[0] = False
            string = text.take().replace("x005F_", "")
            budget.spend(0, sys.getsizeof(string) + 8)
            strings.append(string)
        elif inside[0]:
            text.end(tag)

    stream(archive, part, MAX_STRINGS_BYTES, start, end, text.add)
    return strings


# ---------------------------------------------------------------- a worksheet


class _SheetReader:
    """The handlers that read one worksheet's XML into a ``Sheet``."""

    def __init__(
        self,
        title: str,
        strings: list[str],
        dates: tuple[set[int], set[int]],
        epoch: datetime,
        budget: Budget,
    ) -> None:
        self.sheet = Sheet(title=title)
        self.strings = strings
        self.date_styles, self.duration_styles = dates
        self.epoch = epoch
        self.budget = budget
        self.row_number = 0
        self.row: list[Value | None] | None = None
        self.column = 0
        self.kind = "n"
        self.style = 0
        self.value: list[str] = []
        self.value_length = 0
        #: Where the text read goes: the value, the formula, or nowhere.
        self.capturing: list[str] | None = None
        self.formula: dict[str, str] | None = None
        self.formula_text: list[str] = []
        self.inline: _Text | None = None
        self.shared: dict[str, tuple[str, str]] = {}
        self.texts: dict[str, str] = {}
        self.tags = Tags()
        #: Whether the value read is an object held already (a shared or repeated text).
        self.held_once = False

    def refused(self, message: str) -> Refused:
        return Refused(message, sheet=self.sheet.title, row=self.row_number, column=self.column)

    def spend(self, cells: int, held: int = 0) -> None:
        self.sheet.cells += cells
        self.sheet.held += held
        self.budget.spend(cells, held, self.sheet.title, self.row_number or None, self.column or None)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = self.tags[name]
        if tag == "c":
            self.column = self.cell_column(attrs.get("r"))
            self.spend(1)
            self.kind = attrs.get("t", "n")
            self.style = _int(attrs.get("s"))
            self.value, self.value_length, self.formula, self.inline = [], 0, None, None
        elif self.inline is not None:
            self.inline.start(tag)
        elif tag == "v":
            self.capturing = self.value
        elif tag == "f":
            self.formula = dict(attrs)
            self.formula_text = []
            self.capturing = self.formula_text
        elif tag == "is":
            self.inline = _Text(lambda: _too_long(self.sheet.title, self.row_number, self.column))
        elif tag == "row":
            self.row_number = self.row_of(attrs.get("r"))
            self.column = 0
            self.spend(1)
            self.row = self.sheet.rows.get(self.row_number)
        elif tag == "mergeCell":
            self.spend(1)
            self.merge(attrs.get("ref", ""))

    def end(self, name: str) -> None:
        tag = self.tags[name]
        if tag == "c":
            self.store(self.cell_value())
            self.inline = None
        elif tag == "is":
            pass
        elif self.inline is not None:
            self.inline.end(tag)
        elif tag in ("v", "f"):
            self.capturing = None
        elif tag == "row":
            self.row = None

    def text(self, data: str) -> None:
        if self.inline is not None:
            self.inline.add(data)
        elif self.capturing is not None:
            self.value_length += len(data)
            if self.value_length > MAX_CELL_CHARS:
                raise _too_long(self.sheet.title, self.row_number, self.column)
            self.capturing.append(data)

    def row_of(self, reference: str | None) -> int:
        if not reference:
            return self.row_number + 1
        try:
            number = int(reference)
        except ValueError:
            number = 0
        if number < 1:
            raise self.refused(_("The row number %(row)s cannot be read.") % {"row": reference[:20]})
        return number

    def cell_column(self, reference: str | None) -> int:
        if not reference:
            return self.column + 1
        letters = reference.rstrip("0123456789")
        if letters in _COLUMNS:
            return _COLUMNS[letters]
        try:
            return column_index_from_string(letters)
        except ValueError:
            raise self.refused(
                _("The cell reference %(reference)s cannot be read.") % {"reference": reference[:20]}
            ) from None

    def cell_value(self) -> Value | None:
        self.held_once = self.kind == "s" and self.formula is None
        if self.formula is not None:
            return self.formula_value()
        kind = self.kind
        if kind == "inlineStr":
            return self.repeated(self.inline.take()) if self.inline is not None else None
        raw = "".join(self.value)
        if not raw:
            return None
        try:
            if kind == "n":
                number: int | float = float(raw) if any(c in raw for c in ".eE") else int(raw)
                if self.style in self.date_styles:
                    try:
                        return from_excel(number, self.epoch, timedelta=self.style in self.duration_styles)
                    except (OverflowError, ValueError):
                        return "#VALUE!"
                return number
            if kind == "s":
                return self.strings[int(raw)]
            if kind == "b":
                return bool(int(raw))
            if kind == "d":
                return from_ISO8601(raw)
        except IndexError:
            raise self.refused(
                _("The cell refers to text number %(index)s, which the workbook does not hold.")
                % {"index": raw[:20]}
            ) from None
        except ValueError:
            raise self.refused(
                _("The cell's value %(value)s cannot be read.") % {"value": raw[:40]}
            ) from None
        return raw  # "str" (a formula's text), "e" (an error such as #N/A)

    def repeated(self, text: str) -> str:
        """The text, held once when it repeats (同左 down a column of inline texts): the first
        ``_REPEATS`` different texts are remembered."""
        known = self.texts.get(text)
        if known is not None:
            self.held_once = True
            return known
        if len(self.texts) < _REPEATS:
            self.texts[text] = text
        return text

    def formula_value(self) -> Formula:
        assert self.formula is not None
        at = f"{get_column_letter(self.column)}{self.row_number}"
        text = "=" + "".join(self.formula_text)
        kind = self.formula.get("t")
        if kind == "shared":
            index = self.formula.get("si", "")
            if text != "=":
                self.shared.setdefault(index, (text, at))
            elif index in self.shared:
                master, origin = self.shared[index]
                return Formula(master, origin, at)
        elif kind == "dataTable":
            inputs = ",".join(self.formula.get(key, "") for key in ("r1", "r2") if self.formula.get(key))
            return Formula(f"=TABLE({inputs})")
        return Formula(text)

    def store(self, value: Value | None) -> None:
        if value is None:
            return
        if self.row_number > MAX_ROWS:
            raise self.refused(
                _(
                    "This cell is below row %(rows)s: at most %(rows)s rows are read. Delete the rows "
                    "below it, or split the file."
                )
                % {"rows": f"{MAX_ROWS:,}"}
            )
        if self.column > MAX_COLUMNS:
            raise self.refused(
                _(
                    "This cell is right of column %(letter)s: at most %(columns)s columns are read. "
                    "Delete the columns to its right, or split the file."
                )
                % {"letter": get_column_letter(MAX_COLUMNS), "columns": MAX_COLUMNS}
            )
        if self.row is None:
            self.row = self.sheet.rows.setdefault(self.row_number, [])
        row = self.row
        # A shared text is held once, by the table of shared texts; other values by the cell.
        held = 0 if self.held_once else sys.getsizeof(value)
        if self.column > len(row):
            gap = self.column - len(row)
            self.spend(gap - 1, held + 8 * gap)  # the empty cells before it count too
            row.extend([None] * gap)
        else:
            self.spend(0, held)
        row[self.column - 1] = value

    def merge(self, reference: str) -> None:
        try:
            min_column, min_row, max_column, max_row = range_boundaries(reference)
        except (ValueError, TypeError):
            raise self.refused(
                _("The merged range %(reference)s cannot be read.") % {"reference": reference[:40]}
            ) from None
        if min_column is None or min_row is None or max_column is None or max_row is None:
            return  # whole rows or columns: nothing a reader of cells uses
        # A reader may look at each cell of the range's first row: charged as cells.
        self.row_number, self.column = min_row, min_column
        self.spend(max(0, min(max_column, MAX_COLUMNS) - min_column))
        self.sheet.merged.append((min_row, min_column, max_row, max_column))

    def finish(self) -> Sheet:
        """Empty the cells a merged range covers, other than its top-left one."""
        numbers = sorted(self.sheet.rows)
        for min_row, min_column, max_row, max_column in self.sheet.merged:
            first = bisect.bisect_left(numbers, min_row)
            last = bisect.bisect_right(numbers, max_row)
            for number in numbers[first:last]:
                row = self.sheet.rows[number]
                start = min_column + 1 if number == min_row else min_column
                stop = min(max_column, len(row))
                if stop >= start:
                    # Overlapping ranges could make this loop long: it is charged to the cells.
                    self.row_number, self.column = number, start
                    self.spend(stop - start + 1)
                    row[start - 1 : stop] = [None] * (stop - start + 1)
        for number in numbers:
            row = self.sheet.rows[number]
            while row and row[-1] is None:
                row.pop()
            if not row:
                del self.sheet.rows[number]
        return self.sheet


def read_sheet(
    archive: zipfile.ZipFile,
    entry: SheetEntry,
    strings: list[str],
    dates: tuple[set[int], set[int]],
    date1904: bool,
    budget: Budget,
) -> Sheet:
    epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH
    reader = _SheetReader(entry.title, strings, dates, epoch, budget)
    stream(archive, entry.part, MAX_SHEET_BYTES, reader.start, reader.end, reader.text)
    return reader.finish()
