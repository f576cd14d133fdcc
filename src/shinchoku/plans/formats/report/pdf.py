"""Reading a PDF report: its lines with their page and box, in the order a person reads them.

The text a PDF holds is a set of characters placed on the page, in whatever order the
program that wrote it drew them; a table's cells often come out of a plain text extractor
interleaved, a cell's lines beside its neighbours'. Here every character is taken with its
position (pdfplumber, on pdfminer.six) and the page is put back together from where the
characters stand:

- **Ruled tables** are found from the page's lines and rectangles (pdfplumber's table
  finder); a rectangle standing alone is a table of one cell. Each table gives its cells
  row by row, top to bottom, and in a row left to right; a cell's lines come together, each
  with ``cell`` = (table on the page, row, column). A cell spanning several columns or rows
  is given once, where it starts. A cell a page break cuts is two cells, the second the
  first of the next page.
- **Everything else** is cut into blocks along the widest white gaps, across or down the
  page (a recursive X–Y cut; a ruled table is one block): blocks above before blocks below,
  columns left to right. Where a region splits into columns one of which is narrow (under
  ``NARROW_COLUMN`` of the region), it is read as a table without rules: its columns are
  the gaps down the region, a row starts wherever the first column has a line after a gap
  across the whole region.
- **A line** is the characters standing on one baseline, left to right. No space is put
  between Japanese characters set close; a gap beside one wider than ``WIDE_SPACE_GAP`` em,
  and between other characters one wider than ``SPACE_GAP`` em, is a space (some writers
  draw none), unless the whole line is spread so (letter-spaced or justified). The spaces
  the PDF holds are kept. Outside a table, a gap wider than ``SEGMENT_GAP`` em splits a
  line into pieces that the cutting may put in different blocks.

Nothing is cleaned (page numbers, headers and footers are the recogniser's, as for text).
A file that is not a readable PDF, one that needs a password, one with more than
``MAX_PAGES`` pages and one whose pages carry no text (scans: OCR is needed first) are
refused with a ``ReportRefused`` naming the file, the page where there is one, and why.
Pages without text among pages with text are left out, logged and named in the source
(``Source.pages_without_text``), so that the review and the command can say so.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
from django.utils.translation import gettext as _
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import PdfminerException

from .source import MAX_SOURCE_BYTES, Box, ReportRefused, Source, SourceLine

logger = logging.getLogger(__name__)

#: The most pages read; a report of a whole plan runs to several hundred.
MAX_PAGES = 2000
#: A gap between two characters that are not Japanese, wider than this (in ems of the
#: smaller), is a space.
SPACE_GAP = 0.2
#: A gap beside a Japanese character wider than this is a space (and, in letter-spaced or
#: justified text, wider than the line's usual gap by ``SPACE_GAP``).
WIDE_SPACE_GAP = 0.4
#: Outside a table, a gap wider than this splits a line into pieces.
SEGMENT_GAP = 1.5
#: A column narrower than this part of its region makes the region a table without rules.
NARROW_COLUMN = 0.3
#: The smallest rectangle (points, each way) that, standing alone, is read as a table of one cell.
MIN_BOX = 8.0
#: How near (points) the same character drawn again is the same character drawn twice.
DUPLICATE_DISTANCE = 1.0
#: How far (points) a character's centre may stand outside a table cell and still be in it.
CELL_TOLERANCE = 1.0

Cell = tuple[int, int, int]


@dataclass(frozen=True)
class _Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class _Line:
    """Text on one baseline (or a piece of it), with its box."""

    text: str
    box: Box
    #: Which visual line of the page it is a piece of.
    row: int = 0

    @property
    def core(self) -> tuple[float, float]:
        """The line's height without the fonts' ascent and descent margins, so that lines set
        close together do not overlap."""
        top, bottom = self.box[1], self.box[3]
        inset = (bottom - top) * 0.2
        return top + inset, bottom - inset


@dataclass
class _Table:
    """A table's cells, each with its lines: (row, column) → lines, in reading order."""

    box: Box
    cells: list[tuple[int, int, list[_Line]]] = field(default_factory=list)
    #: Each ruled cell's box, (row, column) → box.
    boxes: dict[tuple[int, int], Box] = field(default_factory=dict)


_Block = _Line | _Table


def read_pdf(data: bytes, name: str) -> Source:
    """The lines of the PDF report in ``data``, page by page in reading order; ReportRefused
    when it cannot be read or holds no text."""
    if len(data) > MAX_SOURCE_BYTES:
        raise ReportRefused(
            _("%(file)s: the file is larger than %(max)s MB.")
            % {"file": name, "max": MAX_SOURCE_BYTES // 2**20}
        )
    lines: list[SourceLine] = []
    textless: list[int] = []
    unmapped = False
    try:
        with pdfplumber.open(io.BytesIO(data), raise_unicode_errors=False) as pdf:
            pages = pdf.pages
            if len(pages) > MAX_PAGES:
                raise ReportRefused(
                    _("%(file)s: the PDF has %(pages)s pages; at most %(max)s are read.")
                    % {"file": name, "pages": len(pages), "max": MAX_PAGES}
                )
            for page in pages:
                try:
                    chars, page_unmapped = _chars(page)
                    unmapped = unmapped or page_unmapped
                    blocks = _page_blocks(page, chars) if chars else []
                except (PdfminerException, PSException) as error:
                    raise _unreadable(name, error, page.page_number) from error
                finally:
                    page.close()
                if not blocks:
                    textless.append(page.page_number)
                lines.extend(_source_lines(blocks, page.page_number, len(lines)))
    except (PdfminerException, PSException) as error:
        raise _unreadable(name, error, None) from error
    if not lines:
        if unmapped:
            raise ReportRefused(
                _(
                    "%(file)s: the characters of this PDF cannot be read (its fonts do not say which "
                    "character each glyph is): run OCR on it first, then import the result."
                )
                % {"file": name}
            )
        raise ReportRefused(
            _(
                "%(file)s: this PDF has no text layer (its pages are images): run OCR on it first, "
                "then import the result."
            )
            % {"file": name}
        )
    if textless:
        logger.warning(
            "report PDF pages without text left out",
            extra={"file": name, "pages": textless},
        )
    return Source(
        name=name,
        kind="pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        pages=len(pages),
        lines=tuple(lines),
        pages_without_text=tuple(textless),
    )


def _unreadable(name: str, error: Exception, page: int | None) -> ReportRefused:
    cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
    if isinstance(cause, PDFPasswordIncorrect):
        return ReportRefused(
            _("%(file)s: the PDF is protected by a password: give a copy that opens without one.")
            % {"file": name}
        )
    if isinstance(cause, PDFEncryptionError):
        return ReportRefused(
            _("%(file)s: the PDF is encrypted in a way that cannot be read (%(why)s).")
            % {"file": name, "why": cause}
        )
    if page is None:
        return ReportRefused(
            _("%(file)s: this is not a readable PDF (%(why)s): it may be damaged or cut short.")
            % {"file": name, "why": cause}
        )
    return ReportRefused(
        _("%(file)s, page %(page)s: the page cannot be read (%(why)s): the PDF may be damaged.")
        % {"file": name, "page": page, "why": cause}
    )


def _chars(page: Any) -> tuple[list[_Char], bool]:
    """The page's characters on the page, drawn once each; and whether some could not be
    read (a font without the characters' codes)."""
    chars = []
    unmapped = False
    x0, top, x1, bottom = page.bbox
    seen: dict[tuple[str, int, int], list[tuple[float, float]]] = {}
    for char in page.chars:
        text = char["text"]
        if text.startswith("(cid:"):
            unmapped = True
            continue
        middle_x = (char["x0"] + char["x1"]) / 2
        middle_y = (char["top"] + char["bottom"]) / 2
        if not (x0 <= middle_x <= x1 and top <= middle_y <= bottom):
            continue
        if _drawn_before(seen, text, float(char["x0"]), float(char["top"])):
            continue
        chars.append(
            _Char(
                text=text,
                x0=float(char["x0"]),
                x1=float(char["x1"]),
                top=float(char["top"]),
                bottom=float(char["bottom"]),
                size=max(float(char["size"]), 1.0),
            )
        )
    if not any(char.text.strip() for char in chars):
        return [], unmapped
    return chars, unmapped


def _drawn_before(
    seen: dict[tuple[str, int, int], list[tuple[float, float]]], text: str, x: float, y: float
) -> bool:
    """Whether the same character was drawn within ``DUPLICATE_DISTANCE`` of (x, y) already
    (some writers draw a character twice, slightly apart, for bold); records it if not."""
    column, row = int(x // DUPLICATE_DISTANCE), int(y // DUPLICATE_DISTANCE)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for other_x, other_y in seen.get((text, column + dx, row + dy), ()):
                if abs(other_x - x) <= DUPLICATE_DISTANCE and abs(other_y - y) <= DUPLICATE_DISTANCE:
                    return True
    seen.setdefault((text, column, row), []).append((x, y))
    return False


def _page_blocks(page: Any, chars: list[_Char]) -> list[_Block]:
    """The page as blocks in reading order: its tables and its other lines."""
    tables: list[tuple[Box, list[tuple[int, int, Box]]]] = []
    for found in page.find_tables():
        cells = [
            (row_index, column_index, _box(c))
            for row_index, row in enumerate(found.rows)
            for column_index, c in enumerate(row.cells)
            if c is not None
        ]
        tables.append((_box(found.bbox), cells))
    for box in _boxes(page, [table_box for table_box, _cells in tables]):
        tables.append((box, [(0, 0, box)]))
    held: dict[tuple[int, int, int], list[_Char]] = {}
    loose: list[_Char] = []
    for char in chars:
        place = _cell_of(char, tables)
        if place is None:
            loose.append(char)
        else:
            held.setdefault(place, []).append(char)
    items: list[_Block] = []
    for index, (table_box, cells) in enumerate(tables):
        table = _Table(box=table_box)
        for row, column, cell_box in cells:
            cell_chars = held.get((index, row, column))
            if cell_chars:
                table.cells.append((row, column, _lines(cell_chars, split=False)))
                table.boxes[row, column] = cell_box
        if table.cells:
            items.append(table)
    items.extend(_lines(loose, split=True))
    ordered: list[_Block] = []
    _cut(items, ordered)
    return ordered


def _box(values: Sequence[Any]) -> Box:
    return float(values[0]), float(values[1]), float(values[2]), float(values[3])


def _boxes(page: Any, tables: list[Box]) -> list[Box]:
    """Rectangles standing alone, outside the tables, such as the frame of a cell a page break
    cut (the table finder takes a table to have two cells at least): the innermost of those
    large enough to hold a line."""
    candidates = [
        _box((rect["x0"], rect["top"], rect["x1"], rect["bottom"]))
        for rect in page.rects
        if rect["width"] >= MIN_BOX and rect["height"] >= MIN_BOX
    ]
    candidates = [box for box in candidates if not any(_overlap(box, table) for table in tables)]
    return [
        box for box in candidates if not any(other != box and _inside(other, box) for other in candidates)
    ]


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(inner: Box, outer: Box) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def _cell_of(
    char: _Char, tables: Sequence[tuple[Box, list[tuple[int, int, Box]]]]
) -> tuple[int, int, int] | None:
    x, y = char.centre, char.middle
    for index, (_table_box, cells) in enumerate(tables):
        for row, column, (x0, top, x1, bottom) in cells:
            if (
                x0 - CELL_TOLERANCE <= x <= x1 + CELL_TOLERANCE
                and top - CELL_TOLERANCE <= y <= bottom + CELL_TOLERANCE
            ):
                return index, row, column
    return None


def _wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


def _lines(chars: Iterable[_Char], *, split: bool) -> list[_Line]:
    """The characters as lines, top to bottom; with ``split``, a line is cut where a wide gap
    stands in it, into pieces that share its ``row``."""
    rows: list[list[_Char]] = []
    for char in sorted(chars, key=lambda c: (c.middle, c.x0)):
        if rows:
            last = rows[-1]
            reference = last[0]
            if abs(char.middle - reference.middle) <= min(char.size, reference.size) * 0.5:
                last.append(char)
                continue
        rows.append([char])
    lines: list[_Line] = []
    for row_index, row in enumerate(rows):
        row.sort(key=lambda c: c.x0)
        for piece in _pieces(row) if split else [row]:
            line = _joined(piece, row_index)
            if line is not None:
                lines.append(line)
    return lines


def _pieces(row: list[_Char]) -> list[list[_Char]]:
    pieces: list[list[_Char]] = [[]]
    last_ink: _Char | None = None
    for char in row:
        if char.text.strip():
            if last_ink is not None and char.x0 - last_ink.x1 > SEGMENT_GAP * min(char.size, last_ink.size):
                pieces.append([])
            last_ink = char
        pieces[-1].append(char)
    return pieces


def _joined(chars: list[_Char], row: int) -> _Line | None:
    ink = [char for char in chars if char.text.strip()]
    if not ink:
        return None
    first, last = chars.index(ink[0]), chars.index(ink[-1])
    chars = chars[first : last + 1]
    # Letter-spaced or justified text spreads every gap of its line alike: a space is wider
    # than the line's usual gap.
    usual = _median([(b.x0 - a.x1) / min(a.size, b.size) for a, b in itertools.pairwise(ink)])
    parts: list[str] = []
    previous: _Char | None = None
    for char in chars:
        if previous is not None and previous.text.strip() and char.text.strip():
            gap = (char.x0 - previous.x1) / min(char.size, previous.size)
            wide = _wide(previous.text) or _wide(char.text)
            if gap > max(WIDE_SPACE_GAP if wide else SPACE_GAP, usual + SPACE_GAP):
                parts.append(" ")
        parts.append(char.text)
        previous = char
    box = (
        min(c.x0 for c in ink),
        min(c.top for c in ink),
        max(c.x1 for c in ink),
        max(c.bottom for c in ink),
    )
    return _Line(text="".join(parts), box=box, row=row)


def _median(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _extent(block: _Block, axis: int) -> tuple[float, float]:
    if axis == 1 and isinstance(block, _Line):
        return block.core
    box = block.box
    return (box[0], box[2]) if axis == 0 else (box[1], box[3])


def _gaps(blocks: list[_Block], axis: int) -> list[tuple[float, int]]:
    """The white gaps across the blocks along an axis (0: x, 1: y): (width, index after
    which the blocks, sorted along the axis, split)."""
    gaps = []
    reach = _extent(blocks[0], axis)[1]
    for index in range(1, len(blocks)):
        start, end = _extent(blocks[index], axis)
        if start > reach:
            gaps.append((start - reach, index))
        reach = max(reach, end)
    return gaps


def _cut(blocks: list[_Block], out: list[_Block]) -> None:
    """Put ``blocks`` in reading order into ``out``: cut along the widest white gap across
    (then read top to bottom) or down (then left to right) the region, again in each part."""
    if len(blocks) <= 1:
        out.extend(blocks)
        return
    by_y = sorted(blocks, key=lambda b: _extent(b, 1))
    by_x = sorted(blocks, key=lambda b: _extent(b, 0))
    across, down = _gaps(by_y, 1), _gaps(by_x, 0)
    widest_across = max((g for g, _ in across), default=0.0)
    widest_down = max((g for g, _ in down), default=0.0)
    if not across and not down:
        out.extend(sorted(blocks, key=lambda b: (b.box[1], b.box[0])))
        return
    if widest_down > widest_across:
        parts = _split(by_x, [i for g, i in down if g >= widest_down - 0.5])
        if _tabular(parts, blocks):
            out.append(_unruled_table(parts))
            return
    else:
        parts = _split(by_y, [i for g, i in across if g >= widest_across - 0.5])
    for part in parts:
        _cut(part, out)


def _split(blocks: list[_Block], at: list[int]) -> list[list[_Block]]:
    bounds = [0, *at, len(blocks)]
    return [blocks[a:b] for a, b in itertools.pairwise(bounds)]


def _tabular(columns: list[list[_Block]], blocks: list[_Block]) -> bool:
    """Whether columns side by side are a table without rules rather than columns of text:
    lines only, on more than one row, one column narrow."""
    if not all(isinstance(block, _Line) for block in blocks):
        return False
    if len({block.row for block in blocks if isinstance(block, _Line)}) < 2:
        return False
    left = min(block.box[0] for block in blocks)
    right = max(block.box[2] for block in blocks)
    widths = [max(b.box[2] for b in column) - min(b.box[0] for b in column) for column in columns]
    return min(widths) < NARROW_COLUMN * (right - left)


def _unruled_table(columns: list[list[_Block]]) -> _Table:
    """A table from columns of lines: a row starts at each line of the first column that
    stands below a white gap across all the columns."""
    lines: list[tuple[int, _Line]] = [
        (index, block) for index, column in enumerate(columns) for block in column if isinstance(block, _Line)
    ]
    by_y = sorted(lines, key=lambda item: item[1].core)
    starts: list[float] = []
    reach = -1e9
    for index, line in by_y:
        top, bottom = line.core
        if index == 0 and top > reach:
            starts.append(top)
        reach = max(reach, bottom)
    cells: dict[tuple[int, int], list[_Line]] = {}
    for index, line in lines:
        row = max(0, len([start for start in starts if start <= line.core[0]]) - 1)
        cells.setdefault((row, index), []).append(line)
    box = (
        min(line.box[0] for _, line in lines),
        min(line.box[1] for _, line in lines),
        max(line.box[2] for _, line in lines),
        max(line.box[3] for _, line in lines),
    )
    table = _Table(box=box)
    for (row, column), cell_lines in sorted(cells.items()):
        table.cells.append((row, column, sorted(cell_lines, key=lambda ln: (ln.core[0], ln.box[0]))))
    return table


def _source_lines(blocks: list[_Block], page: int, before: int) -> list[SourceLine]:
    """The page's blocks as numbered lines; pieces of one visual line read one after the
    other are one line again."""
    lines: list[SourceLine] = []
    tables = 0
    pending: _Line | None = None

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            lines.append(SourceLine(before + len(lines) + 1, pending.text, page, _rounded(pending.box)))
            pending = None

    for block in blocks:
        if isinstance(block, _Line):
            if pending is not None and pending.row == block.row and block.box[0] >= pending.box[2]:
                pending = _Line(
                    text=f"{pending.text} {block.text}",
                    box=(
                        pending.box[0],
                        min(pending.box[1], block.box[1]),
                        block.box[2],
                        max(pending.box[3], block.box[3]),
                    ),
                    row=block.row,
                )
                continue
            flush()
            pending = block
            continue
        flush()
        for row, column, cell_lines in block.cells:
            cell_box = block.boxes.get((row, column))
            for line in cell_lines:
                lines.append(
                    SourceLine(
                        before + len(lines) + 1,
                        line.text,
                        page,
                        _rounded(line.box),
                        (tables, row, column),
                        None if cell_box is None else _rounded(cell_box),
                    )
                )
        tables += 1
    flush()
    return lines


def _rounded(box: Box) -> Box:
    return (round(box[0], 2), round(box[1], 2), round(box[2], 2), round(box[3], 2))
