"""Reading an uploaded xlsx file safely, for every importer that reads one: what the file
claims to be is checked first, then each part is read as a stream with its limits checked
as it goes, so that a hostile file is refused having held almost nothing in memory.

An xlsx file is a ZIP archive of XML parts. The whole file is refused, with a message a
person understands, when it is not a ZIP archive at all (whatever its name says), is not a
spreadsheet (no ``xl/workbook.xml``), carries macros (``vbaProject.bin``: an xlsm renamed),
would unpack to more than ``MAX_UNPACKED_BYTES`` or at a ratio above ``MAX_RATIO`` (a "zip
bomb"), or has more than ``MAX_MEMBERS`` members. Its parts are then read one at a time,
and only the sheets an importer asks for; the limits of ``xlsxparts`` (the size each part
unpacks to, the number of shared texts, the rows, columns and cells of the sheets read, the
length of a cell) refuse it at the first element over them, naming the sheet, row and
column where that is one place.

What was read from a file, or why it was refused, can be kept (``kept_readings``): the
staff pages keep it beside the uploaded file, so that reloading the preview, and the
import after it, do not read the workbook again.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from django.utils.translation import gettext as _

from shinchoku.interchange.sheets.xlsxparts import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    Budget,
    Formula,
    Layout,
    Sheet,
    SheetEntry,
    Value,
    read_date_styles,
    read_layout,
    read_shared_strings,
    read_sheet,
)
from shinchoku.interchange.sheets.xlsxparts import Refused as XlsxRefused

__all__ = [
    "ENTRY_WORKBOOK_SHEET",
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "Book",
    "Formula",
    "Sheet",
    "Value",
    "XlsxRefused",
    "formula_of",
    "has_sheet",
    "kept_readings",
    "looks_like_xlsx",
    "open_xlsx",
    "peek_part",
]

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 2000
ZIP_MAGIC = b"PK\x03\x04"
#: The most of one member a sniffer unpacks (never the whole of a huge one).
PEEK_BYTES = 1024 * 1024
#: The version of what ``Book.reading`` keeps: a reading kept by another version is not used.
READING_VERSION = 1


def looks_like_xlsx(data: bytes) -> bool:
    """A ZIP archive holding a workbook part (cheap: reads the central directory only)."""
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def peek_part(archive: zipfile.ZipFile, name: str, size: int = PEEK_BYTES) -> bytes:
    """At most ``size`` bytes of a member, unpacked; empty when it is missing or unreadable."""
    try:
        with archive.open(name) as member:
            return member.read(size)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return b""


#: The very hidden sheet that marks a workbook Shinchoku made for a section to fill in (an
#: entry workbook): the workbook's writer adds it, and the importers tell such a workbook
#: apart by it.
ENTRY_WORKBOOK_SHEET = "shinchoku"


def has_sheet(workbook_xml: bytes, name: str) -> bool:
    """Whether the workbook part (``xl/workbook.xml``) lists a sheet called ``name``."""
    return bool(
        re.search(rb'<(?:\w+:)?sheet\b[^>]*\bname="' + re.escape(name.encode()) + rb'"', workbook_xml)
    )


def formula_of(value: Value | None) -> str | None:
    """The formula a cell holds (``=SUM(…)``), or None when it holds a value."""
    return str(value) if isinstance(value, Formula) else None


class ReadingStore(Protocol):
    """Where what was read from one file is kept between requests."""

    def load(self) -> dict[str, Any] | None: ...

    def save(self, reading: dict[str, Any]) -> None: ...


_store: ContextVar[ReadingStore | None] = ContextVar("shinchoku_xlsx_store", default=None)


@contextmanager
def kept_readings(store: ReadingStore | None) -> Iterator[None]:
    """Inside the block, ``open_xlsx`` takes what it reads from ``store`` when it was kept
    there for the same bytes, and keeps there what it reads."""
    token = _store.set(store)
    try:
        yield
    finally:
        _store.reset(token)


class Book:
    """An xlsx file that passed the checks of the module docstring: its sheets' names, and
    each sheet read when it is asked for (``sheet``), within the limits."""

    def __init__(self, data: bytes, digest: str, layout: Layout | None, reading: dict[str, Any]) -> None:
        self._data = data
        self._digest = digest
        self._layout = layout
        self._reading = reading
        self._budget = Budget()
        self._archive: zipfile.ZipFile | None = None
        self._strings: list[str] | None = None
        self._dates: tuple[set[int], set[int]] | None = None
        self._sheets: dict[str, Sheet] = {}

    @property
    def sheetnames(self) -> list[str]:
        """Every sheet's name, in the workbook's order (chart sheets too)."""
        return [str(item["title"]) for item in self._reading["sheets"]]

    @property
    def worksheets(self) -> list[str]:
        """The names of the sheets that hold cells, in order."""
        return [str(item["title"]) for item in self._reading["sheets"] if item["worksheet"]]

    def sheet(self, title: str) -> Sheet:
        """The sheet called ``title`` (KeyError when there is none); XlsxRefused when it is
        over a limit or cannot be read."""
        if title in self._sheets:
            return self._sheets[title]
        entry = next((item for item in self._reading["sheets"] if item["title"] == title), None)
        if entry is None:
            raise KeyError(title)
        sheet = self._kept(title)
        if sheet is not None:
            self._budget.spend(sheet.cells, sheet.held, title)
        else:
            try:
                sheet = self._read(title, entry["part"]) if entry["worksheet"] else Sheet(title=title)
            except XlsxRefused as refusal:
                refused = {"refused": _refusal_to_json(refusal)}
                self._keep(title, lambda: refused)
                raise
            self._keep(title, lambda: _sheet_to_json(sheet))
        self._sheets[title] = sheet
        return sheet

    def _kept(self, title: str) -> Sheet | None:
        """The sheet as kept by an earlier reading; None when it was not kept (or what was
        kept cannot be used: it is read again then). XlsxRefused when it was refused."""
        kept = self._reading["read"].get(title)
        if not isinstance(kept, dict):
            return None
        try:
            if "refused" in kept:
                refused = kept["refused"]
                refusal = XlsxRefused(
                    str(refused["message"]),
                    sheet=refused["sheet"],
                    row=refused["row"],
                    column=refused["column"],
                )
            else:
                return _sheet_from_json(title, kept)
        except (KeyError, TypeError, ValueError):
            return None
        raise refusal

    def _read(self, title: str, part: str) -> Sheet:
        if self._archive is None:
            self._archive = zipfile.ZipFile(io.BytesIO(self._data))
        if self._layout is None:
            self._layout = read_layout(self._archive)
        if self._strings is None:
            self._strings = read_shared_strings(self._archive, self._layout.strings, self._budget)
            self._dates = read_date_styles(self._archive, self._layout.styles)
        assert self._dates is not None
        return read_sheet(
            self._archive,
            SheetEntry(title=title, state="", part=part, worksheet=True),
            self._strings,
            self._dates,
            self._layout.date1904,
            self._budget,
        )

    def _keep(self, title: str, reading: Callable[[], dict[str, Any]]) -> None:
        """Keep what reading the sheet found, when there is a store to keep it in."""
        store = _store.get()
        if store is not None:
            self._reading["read"][title] = reading()
            store.save(self._reading)


def open_xlsx(data: bytes) -> Book:
    """The workbook in ``data``, after the checks of the module docstring; XlsxRefused
    (with a message for a person) when it fails one."""
    digest = hashlib.sha256(data).hexdigest()
    store = _store.get()
    kept = store.load() if store is not None else None
    if _usable(kept, digest):
        assert kept is not None
        if "refused" in kept:
            raise XlsxRefused(str(kept["refused"]))
        return Book(data, digest, None, kept)
    try:
        layout = _check(data)
    except XlsxRefused as refusal:
        if store is not None:
            store.save({"version": READING_VERSION, "digest": digest, "refused": refusal.message})
        raise
    reading = {
        "version": READING_VERSION,
        "digest": digest,
        "sheets": [
            {"title": item.title, "state": item.state, "part": item.part, "worksheet": item.worksheet}
            for item in layout.sheets
        ],
        "read": {},
    }
    if store is not None:
        store.save(reading)
    return Book(data, digest, layout, reading)


def _check(data: bytes) -> Layout:
    if not data.startswith(ZIP_MAGIC):
        raise XlsxRefused(_("The file is not an Excel workbook (xlsx): its content is of another kind."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise XlsxRefused(
            _("The file is not a readable Excel workbook (xlsx): %(error)s") % {"error": error}
        ) from error
    with archive:
        members = archive.infolist()
        names = {member.filename for member in members}
        if "xl/workbook.xml" not in names:
            raise XlsxRefused(_("The file is a ZIP archive but not an Excel workbook (xlsx)."))
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise XlsxRefused(
                _(
                    "The workbook contains macros: save it as an ordinary Excel workbook (.xlsx) "
                    "without macros."
                )
            )
        if len(members) > MAX_MEMBERS:
            raise XlsxRefused(_("The workbook has too many parts to be read safely."))
        unpacked = sum(member.file_size for member in members)
        packed = max(sum(member.compress_size for member in members), 1)
        if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_RATIO:
            raise XlsxRefused(
                _(
                    "The workbook would unpack to %(size)s MB (%(ratio)s times its size): "
                    "it is refused as unsafe."
                )
                % {"size": unpacked // 1024 // 1024, "ratio": int(unpacked / packed)}
            )
        layout = read_layout(archive)
    if not layout.sheets:
        raise XlsxRefused(_("The workbook has no sheet."))
    return layout


def _usable(kept: dict[str, Any] | None, digest: str) -> bool:
    """Whether a kept reading is of these bytes, by this version, and in the shape it is
    written in (anything else is read again)."""
    if not isinstance(kept, dict) or kept.get("version") != READING_VERSION or kept.get("digest") != digest:
        return False
    if "refused" in kept:
        return isinstance(kept["refused"], str)
    sheets, read = kept.get("sheets"), kept.get("read")
    return (
        isinstance(read, dict)
        and isinstance(sheets, list)
        and all(
            isinstance(item, dict)
            and isinstance(item.get("title"), str)
            and isinstance(item.get("part"), str)
            and isinstance(item.get("worksheet"), bool)
            for item in sheets
        )
    )


def _refusal_to_json(refusal: XlsxRefused) -> dict[str, Any]:
    return {"message": refusal.message, "sheet": refusal.sheet, "row": refusal.row, "column": refusal.column}


def _sheet_to_json(sheet: Sheet) -> dict[str, Any]:
    return {
        "rows": [[number, [_value_to_json(value) for value in row]] for number, row in sheet.rows.items()],
        "merged": [list(merged) for merged in sheet.merged],
        "cells": sheet.cells,
        "held": sheet.held,
    }


def _sheet_from_json(title: str, kept: dict[str, Any]) -> Sheet:
    texts: dict[str, str] = {}

    def value(item: Any) -> Value | None:
        # A text repeated in many cells is held once, as when it was read from the file.
        return texts.setdefault(item, item) if isinstance(item, str) else _value_from_json(item)

    return Sheet(
        title=title,
        rows={int(number): [value(item) for item in row] for number, row in kept["rows"]},
        merged=[(a, b, c, d) for a, b, c, d in kept["merged"]],
        cells=int(kept["cells"]),
        held=int(kept["held"]),
    )


def _value_to_json(value: Value | None) -> Any:
    """A cell's value as kept: texts, numbers and booleans as JSON has them, the others
    named by what they are ({"formula": …}, {"date": "2013-04-01"} …)."""
    if isinstance(value, Formula):
        return {"formula": value.text, "from": value.origin, "at": value.at}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, time):
        return {"time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"timedelta": value.total_seconds()}
    return value


def _value_from_json(value: Any) -> Value | None:
    """A cell's value from what ``_value_to_json`` kept (KeyError, ValueError when it is
    not in that shape)."""
    if not isinstance(value, dict):
        return value
    if "formula" in value:
        return Formula(value["formula"], value.get("from", ""), value.get("at", ""))
    if "datetime" in value:
        return datetime.fromisoformat(value["datetime"])
    if "date" in value:
        return date.fromisoformat(value["date"])
    if "time" in value:
        return time.fromisoformat(value["time"])
    return timedelta(seconds=float(value["timedelta"]))
