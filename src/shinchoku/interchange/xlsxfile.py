"""Opening an uploaded xlsx file safely: what it claims to be is checked before
openpyxl reads it.

An xlsx file is a ZIP archive. It is refused, with a message a person understands, when
it is not a ZIP archive at all (whatever its name says), is not a spreadsheet
(no ``xl/workbook.xml``), carries macros (``vbaProject.bin``: an xlsm renamed), or would
unpack to more than ``MAX_UNPACKED_BYTES`` or at a ratio above ``MAX_RATIO`` (a "zip
bomb"), or has more than ``MAX_MEMBERS`` members.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 2000
ZIP_MAGIC = b"PK\x03\x04"
#: The most of one member a sniffer unpacks (never the whole of a huge one).
PEEK_BYTES = 1024 * 1024


@dataclass
class XlsxRefused(Exception):
    message: str

    def __str__(self) -> str:
        return self.message


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


def has_sheet(workbook_xml: bytes, name: str) -> bool:
    """Whether the workbook part (``xl/workbook.xml``) lists a sheet called ``name``."""
    return bool(
        re.search(rb'<(?:\w+:)?sheet\b[^>]*\bname="' + re.escape(name.encode()) + rb'"', workbook_xml)
    )


def formula_of(value: Any, data_type: str) -> str | None:
    """The formula a cell read with ``formulas=True`` holds, or None when it holds a value."""
    if isinstance(value, ArrayFormula):
        return str(value.text)
    if data_type == "f" or isinstance(value, DataTableFormula):
        return str(value)
    return None


def open_xlsx(data: bytes, *, formulas: bool = True) -> Workbook:
    """The workbook in ``data``, after the checks of the module docstring. With
    ``formulas`` true, cells keep their formulas (``=SUM(…)``) so that a reader can
    refuse them where text is expected; otherwise they hold the last computed values."""
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
    try:
        return load_workbook(io.BytesIO(data), data_only=not formulas, keep_vba=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise XlsxRefused(
            _("The workbook could not be read: %(error)s") % {"error": f"{type(error).__name__}: {error}"}
        ) from error
