"""The source of a draft import: a published report's lines, each with where it stands.

``reading.read_source`` takes the bytes of a PDF or of text extracted from one. Text gives its
lines as they are, a form feed starting a new page; a PDF gives its lines with their page
and box, table cells rebuilt from where their words stand (``pdf.read_pdf``). Neither
reader cleans the lines (page numbers, headers and footers are the recogniser's): both
kinds of input are then read the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.translation import gettext as _

#: The largest report read, in bytes.
MAX_SOURCE_BYTES = 50 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
#: The encodings text is read in, tried in order.
TEXT_ENCODINGS = ("utf-8-sig", "cp932")

Box = tuple[float, float, float, float]


class ReportRefused(Exception):
    """The file cannot be read as a report; ``message`` says what, where and why."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class SourceLine:
    """A line of the source. ``number`` counts from 1 over the whole document, in the order
    the recogniser reads; ``text`` is as extracted, not normalised."""

    number: int
    text: str
    #: 1-based; None when not known (text without form feeds).
    page: int | None
    #: x0, top, x1, bottom in PDF points (PDF only).
    bbox: Box | None = None
    #: (table on the page, row, column), when rebuilt from a PDF's table.
    cell: tuple[int, int, int] | None = None
    #: The box of that cell (x0, top, x1, bottom): a cell spanning several columns of the
    #: table reaches over them, which its text alone may not.
    cell_box: Box | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "number": self.number,
            "text": self.text,
            "page": self.page,
            "bbox": list(self.bbox) if self.bbox is not None else None,
            "cell": list(self.cell) if self.cell is not None else None,
        }
        if self.cell_box is not None:
            data["cell_box"] = list(self.cell_box)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SourceLine:
        bbox = data.get("bbox")
        cell = data.get("cell")
        cell_box = data.get("cell_box")
        return cls(
            number=int(data["number"]),
            text=str(data["text"]),
            page=None if data.get("page") is None else int(data["page"]),
            bbox=None if bbox is None else _box(bbox),
            cell=None if cell is None else (int(cell[0]), int(cell[1]), int(cell[2])),
            cell_box=None if cell_box is None else _box(cell_box),
        )


@dataclass(frozen=True)
class Source:
    """A report as read: its file's name, kind and digest, its pages and lines."""

    name: str
    kind: Literal["text", "pdf"]
    sha256: str
    pages: int | None
    lines: tuple[SourceLine, ...]
    #: Pages of a PDF that hold no text (scanned among pages with text): left out, to be
    #: read by a person or run through OCR.
    pages_without_text: tuple[int, ...] = ()

    def line(self, number: int) -> SourceLine:
        return self.lines[number - 1]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "sha256": self.sha256,
            "pages": self.pages,
            "lines": [line.to_json() for line in self.lines],
            "pages_without_text": list(self.pages_without_text),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Source:
        kind = data["kind"]
        if kind not in ("text", "pdf"):
            raise ValueError(f"unknown source kind {kind!r}")
        return cls(
            name=str(data["name"]),
            kind=kind,
            sha256=str(data["sha256"]),
            pages=None if data.get("pages") is None else int(data["pages"]),
            lines=tuple(SourceLine.from_json(line) for line in data["lines"]),
            pages_without_text=tuple(int(page) for page in data.get("pages_without_text") or ()),
        )


def _box(values: list[Any]) -> Box:
    return float(values[0]), float(values[1]), float(values[2]), float(values[3])


def read_text(data: bytes, name: str) -> Source:
    """Text extracted from a report: UTF-8 (with or without a BOM) or Shift_JIS (cp932); a
    form feed starts a new page. ReportRefused for a binary file or another encoding."""
    text = _decode(data, name)
    if "\x00" in text:
        raise ReportRefused(
            _("%(file)s: this is not text (it holds NUL bytes): give a PDF or the text extracted from one.")
            % {"file": name}
        )
    paged = "\f" in text
    lines: list[SourceLine] = []
    for page_number, page in enumerate(text.split("\f"), 1):
        for raw in page.splitlines():
            lines.append(SourceLine(len(lines) + 1, raw, page_number if paged else None))
    if not any(line.text.strip() for line in lines):
        raise ReportRefused(_("%(file)s: the file is empty.") % {"file": name})
    return Source(
        name=name,
        kind="text",
        sha256=hashlib.sha256(data).hexdigest(),
        pages=text.count("\f") + 1 if paged else None,
        lines=tuple(lines),
    )


def _decode(data: bytes, name: str) -> str:
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReportRefused(
        _(
            "%(file)s: this is neither a PDF nor text in UTF-8 or Shift_JIS: give a PDF or the text "
            "extracted from one."
        )
        % {"file": name}
    )
