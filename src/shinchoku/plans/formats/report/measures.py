"""Each measure and what belongs to it, read from the table segments.

A measure is found by its name: the summary pages' name found again in the table (or,
without summary pages, a name in the table). Everything else on its table segment is
given to one of the segment's measures: to the only one, or, when a segment holds
several, to the one whose words it shares most (``similarity``): a purpose sentence, a
result, a ● cell, each by the overlap of its character bigrams with the measure's name,
digest and purpose. A ● cell on a name's line is that measure's 現状.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from . import vocabulary as words
from .build import Found, lines_of
from .layout import Layout, SummaryEntry, find_name, is_name, is_sentence
from .lines import Paragraph
from .similarity import dice, overlap


@dataclass
class Measure:
    title: Found
    name: Paragraph | None
    segment: int | None
    entry: SummaryEntry | None
    purpose: Found | None = None
    cells: list[tuple[Paragraph, float]] = field(default_factory=list)
    baseline: list[Paragraph] = field(default_factory=list)
    ongoing: list[tuple[Paragraph, float]] = field(default_factory=list)
    markers: list[tuple[Paragraph, float]] = field(default_factory=list)
    results: list[tuple[Paragraph, float, str]] = field(default_factory=list)

    @property
    def digest(self) -> str:
        return "\n".join(p.text for p in self.entry.digest) if self.entry else ""

    def profile(self) -> str:
        parts = [self.title.value, self.digest]
        if self.purpose is not None:
            parts.append(self.purpose.value)
        return "\n".join(parts)

    @property
    def line(self) -> int:
        return self.name.first if self.name is not None else 0


def find_measures(layout: Layout) -> list[Measure]:
    tables = [segment for segment in layout.segments if segment.kind == "table"]
    measures: list[Measure] = []
    taken: set[int] = set()
    for entry in layout.summary:
        found = None
        for segment in tables:
            free = [p for p in segment.paragraphs if id(p) not in taken]
            hit = find_name(entry.title, free)
            if hit is not None:
                found = (segment.index, *hit)
                break
        if found is None:
            measures.append(
                Measure(
                    Found(
                        entry.title,
                        0.6,
                        gettext_noop("named on the summary pages; the name was not found in the table"),
                        lines_of(entry.name),
                    ),
                    None,
                    None,
                    entry,
                )
            )
            continue
        segment_index, paragraph, printed, exact = found
        taken.add(id(paragraph))
        title = Found(
            printed,
            1.0 if exact else 0.9,
            gettext_noop("the name on the summary pages, found in the table")
            if exact
            else gettext_noop(
                "the table prints the summary's name with a note after it; the table's form is kept"
            ),
            lines_of(paragraph, entry.name),
            () if exact else (entry.title,),
        )
        measures.append(Measure(title, paragraph, segment_index, entry))
    # Names in the table that the summary pages do not hold (or a report without them).
    for segment in tables:
        for paragraph in segment.paragraphs:
            if is_name(paragraph) and id(paragraph) not in taken:
                taken.add(id(paragraph))
                measures.append(
                    Measure(
                        Found(
                            paragraph.text,
                            0.6,
                            gettext_noop(
                                "a name-like line in the measure table with no digest on the summary pages"
                            ),
                            lines_of(paragraph),
                        ),
                        paragraph,
                        segment.index,
                        None,
                    )
                )
    return measures


def distribute(
    layout: Layout, measures: list[Measure], per_measure_results: int
) -> dict[int, list[Paragraph]]:
    """Give each table segment's paragraphs to its measures; returns the segments' other
    paragraphs (ratings, labels, sections of a year) by segment."""
    rest: dict[int, list[Paragraph]] = {}
    for segment in layout.segments:
        if segment.kind != "table":
            continue
        here = sorted((m for m in measures if m.segment == segment.index), key=lambda m: m.line)
        rest[segment.index] = []
        if not here:
            continue
        purposes = [p for p in segment.paragraphs if is_sentence(p) and p.text[:1] not in words.TEXT_BULLETS]
        results = [p for p in segment.paragraphs if p.kind == "text" and p.text[:1] in words.TEXT_BULLETS]
        cells = [p for p in segment.paragraphs if p.kind == "text" and p.text[:1] in words.ITEM_BULLETS]
        _purposes(here, purposes)
        _results(here, results, per_measure_results)
        _cells(here, cells, segment.paragraphs)
        _by_count(here, [p for p in segment.paragraphs if p.kind == "ongoing"], "ongoing")
        _by_count(here, [p for p in segment.paragraphs if p.kind == "marker"], "markers")
        rest[segment.index] = [
            p
            for p in segment.paragraphs
            if p.kind
            in ("rating", "rating_label", "year_label", "year_heading", "context_change", "response")
        ]
    return rest


def _ranked(
    here: list[Measure], paragraph: Paragraph, score: Callable[[Paragraph, Measure], float]
) -> list[tuple[float, Measure]]:
    return sorted(((score(paragraph, m), m) for m in here), key=lambda pair: -pair[0])


def _confidence(ranked: list[tuple[float, Measure]], alone: float) -> float:
    if len(ranked) == 1:
        return alone
    best, second = ranked[0][0], ranked[1][0]
    return min(0.9, 0.4 + (best - second) * 2)


def _purposes(here: list[Measure], purposes: list[Paragraph]) -> None:
    pairs = sorted(
        ((dice(p.text, m.title.value + m.digest), id(p), p, m) for p in purposes for m in here),
        key=lambda item: (-item[0], item[1]),
    )
    used: set[int] = set()
    for _score, _key, paragraph, measure in pairs:
        if id(paragraph) in used or measure.purpose is not None:
            continue
        used.add(id(paragraph))
        ranked = _ranked(here, paragraph, lambda p, m: dice(p.text, m.title.value + m.digest))
        measure.purpose = Found(
            paragraph.text,
            _confidence(ranked, 0.9),
            gettext_noop("a sentence of purpose on the measure's table page")
            if len(here) == 1
            else gettext_noop(
                "a sentence of purpose on the page, given to the measure whose name and digest it shares "
                "most words with"
            ),
            lines_of(paragraph),
        )


def _result_score(paragraph: Paragraph, measure: Measure) -> float:
    return max(
        overlap(paragraph.text, measure.digest) if measure.digest else 0.0,
        dice(paragraph.text, measure.profile()),
    )


def _results(here: list[Measure], results: list[Paragraph], capacity: int) -> None:
    if len(here) == 1:
        here[0].results = [
            (p, 0.9, "a result on the measure's table page, which holds no other measure") for p in results
        ]
        return
    pairs = sorted(
        ((_result_score(p, m), p.first, id(m), p, m) for p in results for m in here),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    placed: set[int] = set()
    for _score, _line, _key, paragraph, measure in pairs:
        if id(paragraph) in placed or len(measure.results) >= max(1, capacity):
            continue
        placed.add(id(paragraph))
        ranked = _ranked(here, paragraph, _result_score)
        measure.results.append(
            (
                paragraph,
                _confidence(ranked, 0.9),
                "given to the measure whose name, purpose and digest it shares most words with",
            )
        )
    for paragraph in results:
        if id(paragraph) not in placed:
            ranked = _ranked(here, paragraph, _result_score)
            ranked[0][1].results.append(
                (paragraph, 0.3, "more results on the page than years; placed by its words")
            )


def _cells(here: list[Measure], cells: list[Paragraph], order: list[Paragraph]) -> None:
    position = {id(p): index for index, p in enumerate(order)}
    for cell in cells:
        if cell.beside_title:
            before = [m for m in here if m.name is not None and position[id(m.name)] < position[id(cell)]]
            owner = max(before, key=lambda m: position[id(m.name)]) if before else None
            if owner is not None and position[id(cell)] - position[id(owner.name)] == 1:
                owner.baseline.append(cell)
                continue
        if len(here) == 1:
            here[0].cells.append((cell, 0.8))
            continue

        def score(p: Paragraph, m: Measure) -> float:
            return dice(p.text, m.profile() + "\n".join(r.text for r, _c, _w in m.results))

        ranked = _ranked(here, cell, score)
        ranked[0][1].cells.append((cell, _confidence(ranked, 0.8)))


def _by_count(here: list[Measure], found: list[Paragraph], attribute: str) -> None:
    """Cells without words (事業推進, ○): one to each measure when there are as many as
    measures, else each to the measure printed nearest before it."""
    if len(found) == len(here):
        for measure, paragraph in zip(here, found, strict=True):
            getattr(measure, attribute).append((paragraph, 0.9 if len(here) == 1 else 0.7))
        return
    for paragraph in found:
        nearest = min(here, key=lambda m: abs(paragraph.first - m.line))
        getattr(nearest, attribute).append((paragraph, 0.4))
