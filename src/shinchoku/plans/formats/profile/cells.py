"""Reading a city's cells as they are really filled in: each into a typed value, and a
warning for every cell whose reading changed what was written (an exact cell is read
silently). Warnings never stop an import; what cannot be read at all is an error.

What a cell may hold, and how it is read:

- "empty" written as a dash (-, －, ―, ‐, –, —, −, ー) or as 0 in a text cell: empty,
  warned;
- a number written as text: read as the number; warned when that meant dropping thousands
  separators or blanks (``'104,602\\t'``, ``'19,624.72'``) or reading full-width digits;
- a float carrying a binary artefact (``0.30000000000000004``): the short decimal it
  stands for, warned;
- more decimal places than are stored: rounded half up, warned;
- a value that is no number where one is expected (``29（4）``): kept as text where the
  caller keeps text, warned; for a cost it is an error, as is a negative cost;
- a formula in a column read: an error (the reader sees no computed value); formulas in
  columns the profile ignores are never looked at;
- a year as written (昭和27, 令和元, 令和6年度, 2015), or as a bare era number (27), read
  with ``shinchoku.fiscal``; the bare number is warned.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from shinchoku import fiscal
from shinchoku.interchange.preview import Problem, Where
from shinchoku.interchange.sheets.xlsxfile import Value, formula_of
from shinchoku.text import normalize

#: The characters a city types for "nothing here".
DASHES = frozenset("-－―‐‑‒–—−ーｰ")
#: The marks that set a marker's column, unless the profile gives its own.
DEFAULT_MARKS = ("○", "◯", "〇")

_BLANKS = re.compile(r"\s+")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_SIGNIFICANT = re.compile(r"[1-9](?:\d*[1-9])?")


def compact(text: str) -> str:
    """A text as the profile matches it: normalised (NFKC), with no blanks at all."""
    return _BLANKS.sub("", normalize(text))


def heading_key(text: str) -> str:
    """A heading as the profile expects it: compact; one ending in … is matched up to it."""
    return compact(text)


def heading_matches(expected: str, found: str) -> bool:
    """Whether a heading found in the sheet is the one expected (both compact)."""
    if expected.endswith("..."):
        return found.startswith(expected[:-3])
    return found == expected


def is_dash(text: str) -> bool:
    stripped = _BLANKS.sub("", text)
    return bool(stripped) and all(character in DASHES for character in stripped)


def _significant(text: str) -> int:
    digits = text.split("e")[0].replace("-", "").replace(".", "")
    match = _SIGNIFICANT.search(digits)
    return len(match.group()) if match else 0


def float_decimal(value: float) -> tuple[Decimal, bool]:
    """A float as the decimal it stands for, and whether it carried a binary artefact:
    written with 15 significant digits or more, it is within a hair of a decimal of eight
    or fewer (0.30000000000000004 is 0.3; 85.33007334963325 is a true ratio)."""
    written = repr(value)
    short = format(value, ".12g")
    if _significant(written) >= 15 and _significant(short) <= 8:
        return Decimal(short), True
    return Decimal(written), False


def rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


class Dirt:
    """The kinds of warning, as a person names them (grouped and counted in the preview)."""

    @staticmethod
    def dash() -> str:
        return _("dash or 0 for empty")

    @staticmethod
    def number_text() -> str:
        return _("number with separators, blanks or full-width digits")

    @staticmethod
    def kept_text() -> str:
        return _("value kept as text")

    @staticmethod
    def artefact() -> str:
        return _("floating-point artefact")

    @staticmethod
    def rounded() -> str:
        return _("rounded")

    @staticmethod
    def percent() -> str:
        return _("percentage stored as a fraction")

    @staticmethod
    def unit() -> str:
        return _("unit spelled differently")

    @staticmethod
    def code_number() -> str:
        return _("code given as a number")

    @staticmethod
    def names() -> str:
        return _("one code, several names")

    @staticmethod
    def year() -> str:
        return _("year without its era")

    @staticmethod
    def zeros() -> str:
        return _("zeros before the first year")

    @staticmethod
    def no_answer() -> str:
        return _("value read as no answer")

    @staticmethod
    def budget() -> str:
        return _("budget items of unequal lines")

    @staticmethod
    def unread() -> str:
        return _("column not read")

    @staticmethod
    def totals() -> str:
        return _("total differs from its parts")

    @staticmethod
    def mark() -> str:
        return _("mark not understood")

    @staticmethod
    def orphan() -> str:
        return _("values without an indicator")


class Cells:
    """The cells of one sheet, read for a profile: each reading returns a typed value and
    records what it changed (``warnings``) or could not read (``errors``)."""

    def __init__(
        self, file: str, sheet: str, rows: dict[int, list[Value | None]], headings: dict[int, str]
    ) -> None:
        self.file = file
        self.sheet = sheet
        self.rows = rows
        #: Column number → its heading as written, for the messages.
        self.headings = headings
        self.warnings: list[Problem] = []
        self.errors: list[Problem] = []

    def where(self, row: int, column: int) -> Where:
        heading = _BLANKS.sub(" ", self.headings.get(column, "")).strip()
        return Where(self.file, self.sheet, row, get_column_letter(column), heading[:60])

    def warn(self, row: int, column: int, kind: str, message: str) -> None:
        self.warnings.append(Problem(self.where(row, column), message, kind))

    def fail(self, row: int, column: int, message: str) -> None:
        self.errors.append(Problem(self.where(row, column), message))

    def raw(self, row: int, column: int) -> Value | None:
        cells = self.rows.get(row)
        return cells[column - 1] if cells is not None and 0 < column <= len(cells) else None

    def _plain(self, row: int, column: int) -> Value | None:
        """The cell's value; None (with an error) for a formula."""
        value = self.raw(row, column)
        formula = formula_of(value)
        if formula is not None:
            self.fail(
                row,
                column,
                _("The cell holds a formula (%(formula)s), whose value is not read: paste its value instead.")
                % {"formula": formula[:60]},
            )
            return None
        return value

    # -- text

    def text(self, row: int, column: int) -> str:
        """Free text, normalised; a dash or 0 is empty (warned)."""
        value = self._plain(row, column)
        if value is None:
            return ""
        if isinstance(value, datetime | date | time | timedelta):
            return str(value)
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int | float):
            if value == 0:
                self.warn(row, column, Dirt.dash(), _("0 in a text cell: read as empty."))
                return ""
            return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        text = normalize(str(value))
        if is_dash(text) or text == "0":
            self.warn(row, column, Dirt.dash(), _("%(text)r: read as empty.") % {"text": str(value).strip()})
            return ""
        return text

    def answer(self, row: int, column: int) -> str:
        """An answer to be looked up (a scale's value): normalised text, a number as its
        digits (0 included: a profile may map it); a dash is empty (warned)."""
        value = self._plain(row, column)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = "" if value is None else normalize(str(value))
        if is_dash(text):
            self.warn(row, column, Dirt.dash(), _("%(text)r: read as empty.") % {"text": text})
            return ""
        return text

    def identity(self, row: int, column: int, *, digits: int = 0) -> str:
        """A code (or a part of one) as written: never normalised; a whole number as its
        digits, padded to ``digits`` with zeros when it lost them (warned); a dash is empty."""
        value = self._plain(row, column)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            written = str(value)
            if digits and len(written) < digits:
                padded = written.rjust(digits, "0")
                self.warn(
                    row,
                    column,
                    Dirt.code_number(),
                    _("The code is the number %(number)s: read as %(code)s.")
                    % {"number": written, "code": padded},
                )
                return padded
            return written
        text = str(value).replace("\r\n", "\n").strip()
        if is_dash(text):
            self.warn(row, column, Dirt.dash(), _("%(text)r: read as empty.") % {"text": text})
            return ""
        return text

    def mark(self, row: int, column: int, marks: frozenset[str]) -> bool:
        """Whether a marker's cell is marked (○); anything else but empty is warned."""
        text = self.text(row, column)
        if not text:
            return False
        if compact(text) in marks:
            return True
        self.warn(
            row, column, Dirt.mark(), _("%(text)r is not a mark (○): the marker is not set.") % {"text": text}
        )
        return False

    # -- numbers

    def number(self, row: int, column: int) -> Decimal | str | None:
        """A number, or the text written where it is no number (not normalised away:
        the caller decides); None for an empty cell or a dash (warned)."""
        value = self._plain(row, column)
        if value is None or isinstance(value, bool):
            return None if value is None else str(value)
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, float):
            number, artefact = float_decimal(value)
            if artefact:
                self.warn(
                    row,
                    column,
                    Dirt.artefact(),
                    _("%(written)s read as %(number)s.") % {"written": repr(value), "number": number},
                )
            return number
        if isinstance(value, datetime | date | time | timedelta):
            return str(value)
        raw = str(value)
        if not raw.strip():
            return None
        if is_dash(raw):
            self.warn(row, column, Dirt.dash(), _("%(text)r: read as empty.") % {"text": raw.strip()})
            return None
        text = unicodedata.normalize("NFKC", raw)
        plain = _BLANKS.sub("", text)
        grouped = _GROUPED.match(plain) is not None
        if grouped:
            plain = plain.replace(",", "")
        if not _NUMBER.match(plain):
            return normalize(raw)
        number = Decimal(plain)
        if plain != raw:
            why = _("full-width characters") if text != raw else _("thousands separators or blanks")
            self.warn(
                row,
                column,
                Dirt.number_text(),
                _("%(written)r read as %(number)s (%(why)s).")
                % {"written": raw, "number": number, "why": why},
            )
        return number

    def amount(self, row: int, column: int, factor: int) -> int | None:
        """An amount of money in yen: the number written times ``factor`` (1000 for 千円),
        rounded to a whole yen (warned); an error when it is negative or no number."""
        number = self.quantity(row, column, 0, factor=factor)
        return None if number is None else int(number)

    def quantity(self, row: int, column: int, places: int, *, factor: int = 1) -> Decimal | None:
        """A non-negative number with at most ``places`` decimals (rounded, warned)."""
        read = self.number(row, column)
        if read is None:
            return None
        if isinstance(read, str):
            self.fail(row, column, _("%(text)r is not a number.") % {"text": read[:40]})
            return None
        if read < 0:
            self.fail(
                row, column, _("%(number)s is negative: a cost is never below zero.") % {"number": read}
            )
            return None
        value = read * factor
        kept = rounded(value, places)
        if kept != value:
            self.warn(
                row,
                column,
                Dirt.rounded(),
                _("%(number)s rounded to %(kept)s.") % {"number": value.normalize(), "kept": kept},
            )
        return kept

    # -- years

    def year(self, row: int, column: int, *, latest: int | None) -> tuple[int | None, str]:
        """A fiscal year as written (or a bare era number: the newest era in which it is not
        after ``latest``, warned), and the text when it is no year (kept as written)."""
        value = self._plain(row, column)
        if value is None:
            return None, ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if isinstance(value, str):
            if not text or is_dash(text):
                if text:
                    self.warn(row, column, Dirt.dash(), _("%(text)r: read as empty.") % {"text": text})
                return None, ""
            written = fiscal.read_year(text)
            if written is not None:
                return written.year, ""
            text = unicodedata.normalize("NFKC", text)
        if not text.isdigit() or isinstance(value, bool):
            return None, normalize(text)
        number = int(text)
        if number == 0:
            self.warn(row, column, Dirt.dash(), _("0 in a year cell: read as empty."))
            return None, ""
        if 1900 <= number <= 2200:
            return number, ""
        year = fiscal.bare_era_year(number, latest=latest)
        if year is None:
            return None, text
        self.warn(
            row,
            column,
            Dirt.year(),
            _("%(number)s read as %(year)s.") % {"number": number, "year": fiscal.both_labels(year)},
        )
        return year, ""
