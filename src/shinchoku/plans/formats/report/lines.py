"""A report's lines cleaned and gathered into paragraphs, each of one kind.

Cleaning removes what the printed page adds around the report: page numbers (-157-,
－１５７－, and a bare number at a page's edge), and running headers and footers (the same
line at the top or bottom of most pages). Both readers' lines are cleaned the same way.

A paragraph is what stands together: a PDF's table cell, or in text the lines between
blank lines. It is then cut where the report's own words begin something new: an anchor
(a heading of the table, a year's label, a rating cell, a marker) always stands alone, a
● item written on a name's line or under it begins a cell of its own (``beside_title``),
and a sentence (・…) broken by a blank line is joined again until it ends (。).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from shinchoku import fiscal
from shinchoku.text import JAPANESE_SCRIPT, normalize

from . import vocabulary as words
from .source import Source, SourceLine

_PAGE_NUMBER = re.compile(r"^[-‐‑–—―−ー~〜]\s*[0-9]{1,4}\s*[-‐‑–—―−ー~〜]$|^[0-9]{1,4}\s*/\s*[0-9]{1,4}$")
_BARE_NUMBER = re.compile(r"^[0-9]{1,4}$")
_YEAR_COLUMN = re.compile(rf"[0-9]{{4}}(?:\((?:{fiscal.ERA_NAMES})(?:元|[0-9]+)\))?年度")
_YEAR_LABEL = re.compile(rf"^(?:([0-9]{{4}})|({fiscal.ERA_NAMES})(元|[0-9]+))年度(?:\(.*\)年度)?$")
#: A year's heading with its rating after it: 2011年度(平成23年度) 達成状況区分 3 目標をほぼ達成.
_YEAR_HEADING = re.compile(
    rf"^((?:[0-9]{{4}}|(?:{fiscal.ERA_NAMES})(?:元|[0-9]+))年度(?:\((?:{fiscal.ERA_NAMES})(?:元|[0-9]+)年度\))?)(.+)$"
)
_AREA = re.compile(rf"^({'|'.join(words.AREA_WORDS)})\s*([0-9]+)(?:\s+(.+))?$")
_PROGRAMME_HEADING = re.compile(r"^([0-9]{1,2})\s+([^、。]{2,60})$")
_SENTENCE_END = re.compile(r"[。]\s*[」』)]*$")
_JAPANESE = f"[{JAPANESE_SCRIPT}]"
_SPACE_AFTER = re.compile(rf"(?<={_JAPANESE})[ \t]+(?=[{JAPANESE_SCRIPT}0-9(「])")
_SPACE_BEFORE = re.compile(rf"(?<=[0-9)」])[ \t]+(?={_JAPANESE})")
_ITEM_START = re.compile(rf"(?=[{words.ITEM_BULLETS}])")
#: A line of a header or footer appears at the edge of at least this share of the pages.
RUNNING_SHARE = 0.6


@dataclass(frozen=True)
class Line:
    """A source line, normalised (``shinchoku.text.normalize``) and stripped."""

    source: SourceLine
    text: str
    #: The table cell the line stands in, (page, table, row, column) of where the cell
    #: begins: a cell a page break cut keeps, on its second page, the key of its first.
    cell_key: tuple[int, int, int, int] | None = None

    @property
    def number(self) -> int:
        return self.source.number

    @property
    def page(self) -> int | None:
        return self.source.page


@dataclass
class Paragraph:
    kind: str
    lines: list[Line] = field(default_factory=list)
    #: A ● cell written on a name's line or right under it (the 現状 column beside the name).
    beside_title: bool = False
    #: What the kind read from it: a year, a rating code, a programme's number …
    value: str = ""

    @property
    def text(self) -> str:
        return joined([line.text for line in self.lines])

    @property
    def first(self) -> int:
        return self.lines[0].number

    @property
    def page(self) -> int | None:
        return self.lines[0].page


def joined(parts: list[str]) -> str:
    """Wrapped lines joined back: a bullet or a numbered sub-item starts a line, anything
    else continues the line before; blanks between Japanese characters and digits, which
    extraction adds, are dropped."""
    out: list[str] = []
    pieces = [piece for part in parts for piece in _ITEM_START.split(part.strip())]
    for part in pieces:
        part = part.strip()
        if not part:
            continue
        if not out or part[0] in words.ITEM_BULLETS + words.TEXT_BULLETS + words.SUB_ITEMS:
            out.append(part)
        else:
            out[-1] += part
    return "\n".join(_SPACE_BEFORE.sub("", _SPACE_AFTER.sub("", line)) for line in out)


# ------------------------------------------------------------------ cleaning


def clean(source: Source) -> list[Line | None]:
    """The source's lines normalised, page numbers, headers and footers left out; None
    stands for a blank line (and for a page break). A table cell a page break cut is one
    cell again (``_cut_cells``): no break between its two parts."""
    lines = [
        Line(
            source_line,
            normalize(source_line.text).strip(),
            None if source_line.cell is None else (source_line.page or 0, *source_line.cell),
        )
        for source_line in source.lines
    ]
    dropped = _page_furniture(lines)
    joins = _cut_cells(lines, dropped)
    bridged: set[int] = set()
    for _key, before, after in joins.values():
        bridged.update(range(before + 1, after + 1))
    out: list[Line | None] = []
    page: int | None = None
    for line in lines:
        key = line.cell_key
        if key is not None and key in joins:
            line = Line(line.source, line.text, _first_key(joins, key))
        if line.page != page:
            if line.number not in bridged:
                out.append(None)
            page = line.page
        if line.number in dropped or not line.text:
            if line.number not in bridged:
                out.append(None)
        else:
            out.append(line)
    return out


def _first_key(
    joins: dict[tuple[int, int, int, int], tuple[tuple[int, int, int, int], int, int]],
    key: tuple[int, int, int, int],
) -> tuple[int, int, int, int]:
    while key in joins:
        key = joins[key][0]
    return key


#: How near (points) the sides of two parts of a cut cell stand.
CUT_CELL_TOLERANCE = 2.0


def _cut_cells(
    lines: list[Line], dropped: set[int]
) -> dict[tuple[int, int, int, int], tuple[tuple[int, int, int, int], int, int]]:
    """The cells a page break cut: the key of each second part → (the key of the part
    before it, the number of that part's last line, the number of its own first line).

    The last cell of a page and the first of the next are one cut cell when nothing but page
    furniture stands between them, they are as wide and stand where each other does across
    the page, and the second does not begin anew (a year's heading, the table's heading row)."""
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        if line.page is not None and line.text and line.number not in dropped:
            by_page.setdefault(line.page, []).append(line)
    joins: dict[tuple[int, int, int, int], tuple[tuple[int, int, int, int], int, int]] = {}
    for page, body in by_page.items():
        after = by_page.get(page + 1)
        if not after:
            continue
        last, first = body[-1], after[0]
        if last.cell_key is None or first.cell_key is None:
            continue
        box, other = last.source.cell_box, first.source.cell_box
        if box is None or other is None:
            continue
        if abs(box[0] - other[0]) > CUT_CELL_TOLERANCE or abs(box[2] - other[2]) > CUT_CELL_TOLERANCE:
            continue
        if line_kind(first.text)[0] in ("year", "year_label", "year_heading", "label", "highlights"):
            continue
        joins[first.cell_key] = (last.cell_key, last.number, first.number)
    return joins


def _page_furniture(lines: list[Line]) -> set[int]:
    dropped = {line.number for line in lines if _PAGE_NUMBER.match(line.text)}
    pages: dict[int, list[Line]] = {}
    for line in lines:
        if line.page is not None and line.text and line.number not in dropped:
            pages.setdefault(line.page, []).append(line)
    if len(pages) < 2:
        return dropped
    edges = {
        page: list({line.number: line for line in body[:2] + body[-2:]}.values())
        for page, body in pages.items()
    }
    numbers = [(page, line) for page, edge in edges.items() for line in edge if _BARE_NUMBER.match(line.text)]
    offsets = Counter(int(line.text) - page for page, line in numbers)
    for page, line in numbers:
        if int(line.text) >= 10 or offsets[int(line.text) - page] >= 2:
            dropped.add(line.number)
    if len(pages) >= 3:
        seen = Counter(text for edge in edges.values() for text in {line.text for line in edge})
        running = {text for text, count in seen.items() if count >= RUNNING_SHARE * len(pages)}
        for edge in edges.values():
            dropped.update(line.number for line in edge if line.text in running and not _anchor(line.text))
    return dropped


def year_heading(text: str) -> tuple[int, str] | None:
    """A year's heading with what follows it on its line (blanks removed): 2011年度(平成23年度)
    達成状況区分 3 目標をほぼ達成 → (2011, "達成状況区分3目標をほぼ達成")."""
    heading = _YEAR_HEADING.match(words.compact(text))
    if not heading:
        return None
    year = fiscal.parse_year(heading.group(1).split("(")[0])
    return (year, heading.group(2)) if year is not None else None


def _anchor(text: str) -> bool:
    return line_kind(text)[0] != "text"


# ------------------------------------------------------------------ kinds of lines


def line_kind(text: str) -> tuple[str, str]:
    """What a whole line is, and the value read from it."""
    flat = words.compact(text)
    if flat in words.MARKERS:
        return "marker", flat
    if flat in words.ONGOING:
        return "ongoing", flat
    if flat in words.RATING_WORDS:
        return "rating_label", flat
    if words.RATING_CODE.match(flat):
        return "rating", flat
    if flat in words.RESULT_WORDS:
        return "result_word", flat
    for heading, kind in (
        (words.HIGHLIGHTS, "highlights"),
        (words.CONTEXT_CHANGE, "context_change"),
        (words.RESPONSE, "response"),
        *((heading, "result_heading") for heading in words.RESULT_HEADINGS),
    ):
        if flat.startswith(heading):
            return kind, heading
    programme = words.starts_with_any(flat, words.PROGRAMME_WORDS)
    if programme:
        rest = flat[len(programme) :].lstrip(":")
        return ("programme_header", rest) if rest and flat[len(programme)] == ":" else ("label", flat)
    rated = _YEAR_HEADING.match(flat)
    if rated and words.starts_with_any(rated.group(2), words.RATING_WORDS):
        return "year_heading", str(fiscal.parse_year(rated.group(1).split("(")[0]))
    year = _YEAR_LABEL.match(flat)
    if year:
        return "year", str(fiscal.parse_year(flat.split("(")[0] if year.group(1) else flat))
    for word in words.RESULT_WORDS:
        head = flat.removesuffix(word)
        if head != flat and _YEAR_LABEL.match(head):
            return "year_label", str(fiscal.parse_year(head.split("(")[0]))
    if (
        len(_YEAR_COLUMN.findall(flat)) >= 2
        and flat[:1] not in words.TEXT_BULLETS + words.ITEM_BULLETS
        and not _SENTENCE_END.search(flat)
    ):
        return "label", flat
    if flat in (words.TARGETS_HEADING, words.BASELINE_HEADING) or any(
        flat in (word, word + "名", word + "名" + words.BASELINE_HEADING) for word in words.MEASURE_WORDS
    ):
        return "label", flat
    area = _AREA.match(text)
    if area:
        return ("area", area.group(2)) if area.group(3) else ("label", flat)
    numbered = _PROGRAMME_HEADING.match(text)
    if numbered and not _SENTENCE_END.search(text):
        return "programme_heading", numbered.group(1)
    return "text", ""


# ------------------------------------------------------------------ paragraphs


def paragraphs(lines: list[Line | None]) -> list[Paragraph]:
    """The cleaned lines gathered into paragraphs (see the module's docstring)."""
    builder = _Builder()
    for line in lines:
        if line is None:
            builder.blank()
        else:
            builder.add(line)
    builder.flush()
    return _pair_year_labels(builder.out)


class _Builder:
    def __init__(self) -> None:
        self.out: list[Paragraph] = []
        self.current: Paragraph | None = None
        self.after_blank = False

    def flush(self) -> None:
        if self.current is not None and self.current.lines:
            self.out.append(self.current)
        self.current = None

    def blank(self) -> None:
        if self.current is not None and not self._open_sentence():
            self.flush()
        self.after_blank = True

    def _open_sentence(self) -> bool:
        """A sentence of a result (・…) that a blank line broke before its end."""
        current = self.current
        return (
            current is not None
            and current.kind in ("text", "context_change", "response")
            and current.text.lstrip()[:1] in words.TEXT_BULLETS
            and not _SENTENCE_END.search(current.lines[-1].text)
        )

    def add(self, line: Line) -> None:
        kind, value = line_kind(line.text)
        cell = line.cell_key
        if self.current is not None and self.current.lines and self.current.lines[-1].cell_key != cell:
            self.flush()
        if kind == "text":
            self._text(line)
        elif kind in ("highlights", "context_change", "response", "result_heading"):
            self.flush()
            self.current = Paragraph(kind, [line], value=value)
            rest = line.text.split("】", 1)[1].strip() if "】" in line.text else ""
            self.current.lines[0] = replace(line, text=rest)
        else:
            self.flush()
            self.out.append(Paragraph(kind, [line], value=value))
        self.after_blank = False

    def _text(self, line: Line) -> None:
        text = line.text
        marker = next((m for m in words.MARKERS if text.startswith(m + " ")), "")
        if marker:
            self.flush()
            self.out.append(Paragraph("marker", [replace(line, text=marker)], value=marker))
            text = text[len(marker) :].strip()
        head, bullet, tail = _split_at_item(text)
        current = self.current
        if head and bullet:
            # A name with the 現状 cell beside it on its line.
            self.flush()
            self.out.append(Paragraph("text", [replace(line, text=head)]))
            self.current = Paragraph("text", [replace(line, text=bullet + tail)], beside_title=True)
            return
        starts_item = text[:1] in words.ITEM_BULLETS
        if (
            current is not None
            and self.after_blank
            and (not self._open_sentence() or text[:1] in words.ITEM_BULLETS + words.TEXT_BULLETS)
        ):
            self.flush()
            current = None
        if current is not None and starts_item and current.text[:1] not in words.ITEM_BULLETS:
            # An item right under a name (not under a sentence) stands beside it too.
            beside = (
                current.kind == "text"
                and current.text[:1] not in words.TEXT_BULLETS
                and not (_SENTENCE_END.search(current.lines[-1].text))
            )
            self.flush()
            self.current = Paragraph("text", [replace(line, text=text)], beside_title=beside)
            return
        if (
            current is not None
            and text[:1] in words.TEXT_BULLETS
            and not any(part.text[:1] in words.TEXT_BULLETS + words.ITEM_BULLETS for part in current.lines)
            and not _SENTENCE_END.search(current.lines[-1].text)
        ):
            # A name above its first sentence.
            self.flush()
            current = None
        if current is None:
            previous = self.out[-1] if self.out else None
            if (
                text[:1] in words.SUB_ITEMS
                and previous is not None
                and previous.text[:1] in words.ITEM_BULLETS
                and previous.lines[-1].cell_key == line.cell_key
            ):
                # A numbered sub-item a blank line parted from its item.
                self.out.pop()
                self.current = previous
            else:
                self.current = Paragraph("text")
            current = self.current
        current.lines.append(replace(line, text=text))


def _split_at_item(text: str) -> tuple[str, str, str]:
    """A line holding a name and, after a blank, a ● item: (name, "●", rest)."""
    match = re.search(rf"\s([{words.ITEM_BULLETS}])", text)
    if not match or text[:1] in words.ITEM_BULLETS + words.TEXT_BULLETS:
        return "", "", text
    return text[: match.start()].strip(), match.group(1), text[match.end() :]


def _pair_year_labels(found: list[Paragraph]) -> list[Paragraph]:
    """ "2011年度" and "実施結果" on two lines are one label."""
    out: list[Paragraph] = []
    for paragraph in found:
        previous = out[-1] if out else None
        if paragraph.kind == "result_word" and previous is not None and previous.kind == "year":
            previous.kind = "year_label"
            previous.lines.append(paragraph.lines[0])
            continue
        out.append(paragraph)
    return out
