"""The parts of a report: its summary pages and its measure table, and the names in them.

A report prints, for a plan area (プラン９ …), its programmes (１ 協働のまちづくりの推進),
summary pages (【主な実施結果】: each measure's name and a digest of its latest year) and
the measure table, one page set after another: the heading 事業内容・目標 over the year
columns, the programme's name (アクションプログラム：…) on its first page, and each measure's
name, purpose, 現状, targets, results, ratings and the sections of a year, in whatever order
extraction left them.

``read_layout`` cuts the paragraphs into segments (a summary segment begins at
【主な実施結果】, a table segment at the table's heading) and reads what the anchors say:
the area, the programmes with their numbers, the table's years, the years whose results
are printed (実施結果 under a year), and the measures' names (from the summary pages, found
again in the table; or, without summary pages, the table's names alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shinchoku import fiscal

from . import vocabulary as words
from .lines import Paragraph

_SENTENCE_END = re.compile(r"。\s*[」』)]*$")
_TRAILING_RATING = re.compile(r"\s*\(([^()]{1,3})(?:\s[^()]*)?\)$")
_TRAILING_MARKERS = re.compile(rf"(?:\s+[{''.join(words.MARKERS)}]+)+$")
_YEAR_COLUMN = re.compile(rf"([0-9]{{4}})(?:\((?:{fiscal.ERA_NAMES})(?:元|[0-9]+)\))?年度(以降)?")
#: A name is shorter than this; longer text is a sentence.
MAX_NAME = 60


@dataclass
class Segment:
    kind: str  # "preamble", "summary" or "table"
    index: int
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class SummaryEntry:
    """A measure's name on the summary pages and its digest."""

    title: str
    name: Paragraph
    segment: int
    position: int
    digest: list[Paragraph] = field(default_factory=list)
    markers: tuple[str, ...] = ()


@dataclass
class Layout:
    segments: list[Segment]
    area: Paragraph | None
    area_label: Paragraph | None
    #: number → (title, paragraph) of the programmes' headings (１ 協働のまちづくりの推進).
    programme_headings: dict[int, tuple[str, Paragraph]]
    #: The table's year columns and whether the last is the onwards column.
    columns: list[int]
    onwards: bool
    header: Paragraph | None
    #: The years whose results are printed, each with its labels.
    result_years: dict[int, list[Paragraph]]
    summary: list[SummaryEntry]


def is_name(paragraph: Paragraph) -> bool:
    """A paragraph that can be a name: short plain text, not an item, not a sentence."""
    text = paragraph.text
    return (
        paragraph.kind == "text"
        and not paragraph.beside_title
        and bool(text)
        and text[0] not in words.ITEM_BULLETS + words.TEXT_BULLETS + words.SUB_ITEMS
        and "\n" not in text
        and len(text) <= MAX_NAME
        and not _SENTENCE_END.search(text)
    )


def is_sentence(paragraph: Paragraph) -> bool:
    text = paragraph.text
    return paragraph.kind == "text" and not paragraph.beside_title and bool(_SENTENCE_END.search(text))


def read_layout(found: list[Paragraph]) -> Layout:
    segments = _segments(found)
    area = next((p for p in found if p.kind == "area"), None)
    area_label = next((p for p in found if p.kind == "label" and _area_label(p.text)), None)
    headings: dict[int, tuple[str, Paragraph]] = {}
    for segment in segments:
        if segment.kind == "table":
            continue
        for paragraph in segment.paragraphs:
            if paragraph.kind == "programme_heading":
                number = int(paragraph.value)
                title = paragraph.text[len(paragraph.value) :].strip()
                headings.setdefault(number, (title, paragraph))
    header = next((p for p in found if p.kind == "label" and len(_YEAR_COLUMN.findall(p.text)) >= 2), None)
    columns: list[int] = []
    onwards = False
    if header is not None:
        for year, later in _YEAR_COLUMN.findall(header.text):
            columns.append(int(year))
            onwards = onwards or bool(later)
    result_years: dict[int, list[Paragraph]] = {}
    for paragraph in found:
        if paragraph.kind in ("year_label", "year_heading") and paragraph.value.isdigit():
            result_years.setdefault(int(paragraph.value), []).append(paragraph)
    return Layout(
        segments=segments,
        area=area,
        area_label=area_label,
        programme_headings=headings,
        columns=columns,
        onwards=onwards,
        header=header,
        result_years=dict(sorted(result_years.items())),
        summary=_summary_entries(segments),
    )


def _area_label(text: str) -> bool:
    flat = words.compact(text)
    return any(flat.startswith(word) and flat[len(word) :].isdigit() for word in words.AREA_WORDS)


def _segments(found: list[Paragraph]) -> list[Segment]:
    segments = [Segment("preamble", 0)]
    since_table = 99
    for paragraph in found:
        starts_table = paragraph.kind == "label" and (
            words.compact(paragraph.text) == words.TARGETS_HEADING
            or len(_YEAR_COLUMN.findall(paragraph.text)) >= 2
        )
        if paragraph.kind == "highlights":
            segments.append(Segment("summary", len(segments)))
        elif starts_table and since_table > 3:
            segments.append(Segment("table", len(segments)))
            since_table = 0
        since_table += 1
        segments[-1].paragraphs.append(paragraph)
    return segments


def clean_name(text: str) -> tuple[str, tuple[str, ...]]:
    """A name as the summary prints it, without the markers and rating printed after it."""
    markers: tuple[str, ...] = ()
    text = _TRAILING_RATING.sub("", text).strip()
    trailing = _TRAILING_MARKERS.search(text)
    if trailing:
        markers = tuple(symbol for symbol in words.compact(trailing.group()) if symbol in words.MARKERS)
        text = text[: trailing.start()].strip()
    return text, markers


def _summary_entries(segments: list[Segment]) -> list[SummaryEntry]:
    entries: list[SummaryEntry] = []
    for segment in segments:
        if segment.kind != "summary":
            continue
        current: SummaryEntry | None = None
        for paragraph in segment.paragraphs:
            if is_name(paragraph):
                title, markers = clean_name(paragraph.text)
                current = SummaryEntry(title, paragraph, segment.index, len(entries), markers=markers)
                entries.append(current)
            elif (
                current is not None and paragraph.kind == "text" and paragraph.text[:1] in words.TEXT_BULLETS
            ):
                current.digest.append(paragraph)
            elif paragraph.kind not in ("text",):
                current = None if paragraph.kind in ("programme_heading", "area") else current
    return [entry for entry in entries if entry.digest]


def find_name(title: str, paragraphs: list[Paragraph]) -> tuple[Paragraph, str, bool] | None:
    """Where a summary's name stands in the table: the paragraph, the name as the table
    prints it (it may add a bracketed note, 区民会議の運営(各区)), and whether it is exactly
    the summary's."""
    wanted = words.compact(title)
    for paragraph in paragraphs:
        if not is_name(paragraph):
            continue
        flat = words.compact(paragraph.text)
        if flat == wanted:
            return paragraph, paragraph.text, True
        rest = flat[len(wanted) :]
        if flat.startswith(wanted) and rest.startswith("(") and rest.endswith(")"):
            return paragraph, paragraph.text, False
    return None
