"""Reading an uploaded CSV file, for every importer that reads one: its encoding and its
separator, decided here and nowhere else.

Excel saves a sheet as text in three ways a city's staff use, and all three are read:

- 「CSV UTF-8 (コンマ区切り)」: UTF-8 with a byte order mark, comma-separated;
- 「CSV (コンマ区切り)」 on Japanese Windows: Shift_JIS (Microsoft's CP932), comma-separated;
- 「Unicode テキスト」: UTF-16 (little-endian) with a byte order mark, tab-separated.

So a file is read as UTF-8 when it starts with that byte order mark or is valid UTF-8; as
UTF-16 when it starts with a UTF-16 byte order mark, or holds the zero bytes that UTF-16
gives every ASCII character (placed to show which byte order); otherwise as CP932 when it
reads whole as CP932 and had no UTF-8 text before its first bad byte (a UTF-8 file with a
damaged byte is not read as Shift_JIS garbage). Whatever cannot be read so is refused,
naming the line, the bytes and the encoding tried, and how to save the file as CSV UTF-8.
The separator is a tab when the first line holds tabs and no more commas than tabs,
otherwise a comma.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    import _csv

#: How much of a file a sniffer decodes.
HEAD_BYTES = 64 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


class CsvRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Text:
    """A CSV file decoded: its text, the encoding read (as a person names it) and the
    separator."""

    text: str
    encoding: str
    delimiter: str

    def reader(self) -> _csv._reader:
        """The records (its ``line_num`` is the line read last); csv.Error for a malformed one."""
        return csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)


def delimiter_of(text: str) -> str:
    first = text.split("\n", 1)[0]
    tabs = first.count("\t")
    return "\t" if tabs and first.count(",") <= tabs else ","


def _utf16_without_bom(data: bytes) -> str | None:
    """The byte order of UTF-16 text without a byte order mark, told by where its zero
    bytes fall (each ASCII character is a zero byte and another: the separators, digits and
    line ends of a CSV file make at least one character in ten); None if not so."""
    head = data[:HEAD_BYTES]
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    pairs = max(len(head) // 2, 1)
    if odd * 10 >= pairs and even * 4 <= odd:
        return "utf-16-le"
    if even * 10 >= pairs and odd * 4 <= even:
        return "utf-16-be"
    return None


def decode(data: bytes) -> Text:
    """The file as text; CsvRefused naming the line and bytes no accepted encoding reads."""
    text, encoding = _decode(data)
    return Text(text=text, encoding=encoding, delimiter=delimiter_of(text))


def _decode(data: bytes) -> tuple[str, str]:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom) :], codec, name), name
    utf16 = _utf16_without_bom(data) if b"\x00" in data[:HEAD_BYTES] else None
    if utf16 is not None:
        return _strict(data, utf16, "UTF-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as utf8_error:
        # A file that already held valid UTF-8 beyond ASCII before the bad bytes is UTF-8
        # with bad bytes, not Shift_JIS (which would read it as garbage).
        if not data[: utf8_error.start].isascii():
            raise CsvRefused(_decoding_message(data, utf8_error, "utf-8", "UTF-8")) from utf8_error
        error, codec, name = utf8_error, "utf-8", "UTF-8"
    try:
        return data.decode("cp932"), "Shift_JIS (CP932)"
    except UnicodeDecodeError as cp932_error:
        if cp932_error.start >= error.start:
            error, codec, name = cp932_error, "cp932", "Shift_JIS (CP932)"
        raise CsvRefused(_decoding_message(data, error, codec, name)) from cp932_error


def _strict(body: bytes, codec: str, name: str) -> str:
    try:
        return body.decode(codec)
    except UnicodeDecodeError as error:
        raise CsvRefused(_decoding_message(body, error, codec, name)) from error


def _decoding_message(body: bytes, error: UnicodeDecodeError, codec: str, name: str) -> str:
    start = error.start - error.start % 2 if codec.startswith("utf-16") else error.start
    line = body[:start].decode(codec, "replace").count("\n") + 1
    bad = " ".join(f"{byte:02X}" for byte in body[error.start : min(error.end, error.start + 4)])
    return _("Line %(line)s cannot be read: the bytes %(bytes)s are not valid %(encoding)s. %(how)s") % {
        "line": line,
        "bytes": bad,
        "encoding": name,
        "how": how_to_save(),
    }


def how_to_save() -> str:
    return _(
        'In Excel, choose Save As and the file type "CSV UTF-8 (Comma delimited)", or save it as an '
        "Excel workbook (.xlsx)."
    )


def head_texts(data: bytes) -> list[str]:
    """The start of the file decoded leniently in each encoding it may be in, most likely
    first: for a sniffer looking for a heading row (never fails)."""
    head = data[:HEAD_BYTES]
    for bom, codec, _name in _BOMS:
        if head.startswith(bom):
            return [head[len(bom) :].decode(codec, "replace")]
    utf16 = _utf16_without_bom(head) if b"\x00" in head else None
    if utf16 is not None:
        return [head.decode(utf16, "replace")]
    return [head.decode("utf-8", "replace"), head.decode("cp932", "replace")]


def first_record(text: str) -> list[str]:
    """The cells of the first line of a text, read with its separator ([] if malformed)."""
    first = text.split("\n", 1)[0].rstrip("\r")
    try:
        return next(csv.reader([first], delimiter=delimiter_of(text)), [])
    except csv.Error:
        return []
