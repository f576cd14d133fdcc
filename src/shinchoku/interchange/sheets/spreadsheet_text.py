"""Text that Shinchoku writes for spreadsheet programs stays text.

A spreadsheet program takes a cell whose content begins with ``=``, ``+``, ``-`` or ``@``
(or a tab or a carriage return) as a formula and runs it: a result text such as
``=HYPERLINK("http://…","…")`` would become a live link in the planning division's Excel.
Every writer of spreadsheets and of CSV files meant for them goes through this module,
the one place of the rule:

- In an xlsx file a cell has a type: ``put_cell`` writes every text as a text cell
  (never a formula, nor an error value such as ``#N/A``), whatever it begins with, and
  marks one that begins like a formula as typed with a leading apostrophe, so that editing
  it in Excel keeps it text. The text is stored exactly and reads back unchanged; a text
  no cell can hold exactly (longer than a cell's 32,767 characters, or with a control
  character XML cannot carry) is refused (``CellRefused``), never cut short or dropped.
- A CSV cell has no type. In the CSV files meant for spreadsheet programs, a text that
  begins like a formula gets an apostrophe in front (``csv_escape``), as OWASP's guidance
  on CSV injection says, and the writer quotes the cell. To keep the escape reversible, a
  text that already begins with apostrophes followed by such a character gets one more:
  ``csv_unescape`` removes exactly one, and a reader of such a file calls it on every text
  cell. Numbers are not texts and are never escaped (a negative number stays a number).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Sequence

from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.worksheet.worksheet import Worksheet

#: The characters with which a cell's content is read as a formula.
FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})
#: What an escaped CSV cell begins with.
QUOTE = "'"
#: The byte order mark with which Excel recognises a CSV file as UTF-8.
BOM = b"\xef\xbb\xbf"
#: The characters for which a CSV cell is quoted (RFC 4180).
_SPECIAL = frozenset({",", '"', "\r", "\n"})
#: The first characters of a cell that ``csv_escape`` may change.
_MAY_ESCAPE = FORMULA_STARTS | {QUOTE}
#: The most characters a spreadsheet cell holds.
MAX_CELL_CHARS = 32_767


class CellRefused(ValueError):
    """A text that no spreadsheet cell holds exactly: ``where`` (sheet!cell) and ``reason``,
    a sentence for a person."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


def begins_like_formula(text: str) -> bool:
    """Whether ``text``, after any leading apostrophes, begins with a character that
    makes a spreadsheet program read it as a formula."""
    first = text.lstrip(QUOTE)[:1]
    return first != "" and first in FORMULA_STARTS


def csv_escape(text: str) -> str:
    """``text`` as a CSV file for spreadsheet programs holds it."""
    return QUOTE + text if begins_like_formula(text) else text


def csv_unescape(text: str) -> str:
    """The text that ``csv_escape`` turned into ``text``."""
    if text.startswith(QUOTE) and begins_like_formula(text[1:]):
        return text[1:]
    return text


def _field(cell: str, *, text: bool) -> str:
    written = csv_escape(cell) if text else cell
    if written != cell or not _SPECIAL.isdisjoint(written):
        return '"' + written.replace('"', '""') + '"'
    return written


def spreadsheet_csv(rows: Iterable[Sequence[str]], *, texts: Collection[int] | None = None) -> bytes:
    """``rows`` as a CSV file for spreadsheet programs: UTF-8 with a byte order mark,
    CRLF after every record, the cells of the columns in ``texts`` (by index; default:
    every column) escaped by ``csv_escape``. An escaped cell is quoted; apart from that
    the records are those of ``csv.writer`` with its default quoting, which writes every
    record that needs no escape."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        columns = range(len(row)) if texts is None else texts
        # A cheap look at the first characters first: most records need no escape.
        if not any(row[index][:1] in _MAY_ESCAPE for index in columns if index < len(row)):
            writer.writerow(row)
            continue
        escape = {index for index in columns if index < len(row)}
        fields = [_field(cell, text=index in escape) for index, cell in enumerate(row)]
        buffer.write(",".join(fields) + "\r\n")
    return BOM + buffer.getvalue().encode("utf-8")


def put_cell(sheet: Worksheet, row: int, column: int, value: str | int | None) -> Cell | MergedCell:
    """Write ``value`` into a cell of ``sheet``: a text always as a text cell, exactly, or
    CellRefused."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        reason = _unholdable(value)
        if reason:
            raise CellRefused(f"{sheet.title}!{cell.coordinate}", reason)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if begins_like_formula(value):
            cell.quotePrefix = True
    return cell


def _unholdable(text: str) -> str:
    """Why no spreadsheet cell holds ``text`` exactly, or "" when one does."""
    if len(text) > MAX_CELL_CHARS:
        return _("The text has %(count)s characters, more than the %(most)s a spreadsheet cell holds.") % {
            "count": f"{len(text):,}",
            "most": f"{MAX_CELL_CHARS:,}",
        }
    control = ILLEGAL_CHARACTERS_RE.search(text)
    if control:
        return _(
            "The text contains a control character (%(character)s) that a spreadsheet cell cannot hold."
        ) % {"character": f"U+{ord(control.group()):04X}"}
    return ""
