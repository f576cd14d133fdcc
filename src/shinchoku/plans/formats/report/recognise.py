"""Recognising a published progress report: its lines (``source.Source``) into a draft
import (``draft.Draft``) that a person confirms (docs/report-import.md).

The steps, each in its module:

1. ``lines``: the lines normalised, page numbers and running heads left out, gathered into
   paragraphs of one kind (an anchor, a rating cell, a marker, a ● cell, a sentence …);
2. ``layout``: the segments (summary pages, table pages), the area, the programmes, the
   table's years, the years whose results are printed, the summary's digests;
3. ``measures``: the measures found by name and what each table segment holds given to them;
4. ``years``: which year each result reports on, which years each target covers;
   (a PDF whose tables were rebuilt cell by cell is read from its cells instead, when it
   holds measure sheets: ``sheets``)
5. here: the programmes of the measures, their order and codes (plan number + programme
   number + order, 9-1-1), the ratings and the sections of a year, and the dataset with a
   decision for everything placed (``build``).

What is read straight from an anchor is certain (confidence 1.0); everything decided
otherwise — by likeness, by elimination, by position — is below 1.0 and so flagged for
the person who reviews the draft.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import vocabulary as words
from .build import DraftBuilder, Found, lines_of
from .draft import Draft
from .layout import Layout, read_layout
from .lines import Paragraph, clean, paragraphs
from .measures import Measure, distribute, find_measures
from .sheet_draft import build_sheets
from .sheets import read_sheets
from .source import ReportRefused, Source
from .targets import place_targets
from .years import assign_years

_SLUG = re.compile(r"[^a-z0-9-]+")


def recognise(source: Source, *, plan_code: str = "") -> Draft:
    """The draft import of a report. ReportRefused when it does not read as a progress
    report (none of its anchors, no measure, no year's results)."""
    cleaned = clean(source)
    found = paragraphs(cleaned)
    layout = read_layout(found)
    sheets = read_sheets(cleaned) if any(line.cell is not None for line in source.lines) else None
    if sheets is not None:
        builder = DraftBuilder(source, plan_code or _default_code(source))
        build_sheets(sheets, builder, PurePath(source.name).stem)
        return Draft(source=source, dataset=builder.dataset(), decisions=tuple(builder.decisions))
    _check_anchors(source, layout, found)
    measures = find_measures(layout)
    if not measures:
        raise ReportRefused(
            _(
                "%(file)s: no measure was found: neither the summary pages (%(highlights)s) nor the "
                "measure table name one."
            )
            % {"file": source.name, "highlights": words.HIGHLIGHTS}
        )
    years = list(layout.result_years)
    rest = distribute(layout, measures, len(years))
    builder = DraftBuilder(source, plan_code or _default_code(source))
    _Recogniser(source, layout, measures, rest, builder).run()
    return Draft(source=source, dataset=builder.dataset(), decisions=tuple(builder.decisions))


def _default_code(source: Source) -> str:
    stem = _SLUG.sub("-", PurePath(source.name).stem.lower()).strip("-")[:40]
    return stem or "report"


def _check_anchors(source: Source, layout: Layout, found: list[Paragraph]) -> None:
    kinds = {paragraph.kind for paragraph in found}
    if layout.header is None and not layout.summary and "year_label" not in kinds:
        raise ReportRefused(
            _(
                "%(file)s: this does not read as a progress report: none of its headings (%(words)s) "
                "was found in its %(lines)s lines."
            )
            % {
                "file": source.name,
                "words": "、".join(
                    (words.TARGETS_HEADING, words.BASELINE_HEADING, words.RESULT_WORDS[0], words.HIGHLIGHTS)
                ),
                "lines": len(source.lines),
            }
        )
    if not layout.result_years:
        raise ReportRefused(
            _(
                "%(file)s: no year's results were found: no %(label)s label under a fiscal year "
                "(2012年度 %(label)s)."
            )
            % {"file": source.name, "label": words.RESULT_WORDS[0]}
        )


class _Recogniser:
    def __init__(
        self,
        source: Source,
        layout: Layout,
        measures: list[Measure],
        rest: dict[int, list[Paragraph]],
        builder: DraftBuilder,
    ) -> None:
        self.source = source
        self.layout = layout
        self.measures = measures
        self.rest = rest
        self.out = builder
        self.years = list(layout.result_years)

    def run(self) -> None:
        self._plan()
        area_code = self._area()
        programmes = self._programmes()
        owners = self._programme_of_measures(programmes)
        for number, (title, found) in sorted(programmes.items()):
            code = f"{area_code}-{number}"
            index = self.out.add_node(
                level="programme",
                code=code,
                parent=area_code,
                label=str(number),
                position=len([n for n in self.out.nodes if n["level"] == "programme"]),
                title=title,
            )
            self.out.decide(f"/nodes/{index}", "programme", found)
            mine = [m for m in self.measures if owners[id(m)][0] == number]
            for position, measure in enumerate(sorted(mine, key=_measure_order)):
                self._measure(measure, f"{code}-{position + 1}", code, position, owners[id(measure)][1])

    # -- the plan and the area

    def _plan(self) -> None:
        layout = self.layout
        if layout.columns:
            period = layout.columns[:-1] if layout.onwards and len(layout.columns) > 1 else layout.columns
            first, last, onwards = period[0], period[-1], layout.onwards
        else:
            first, last, onwards = self.years[0], self.years[-1], False
        rating_word = next(
            (p.value for p in self.layout_paragraphs() if p.kind == "rating_label"), words.RATING_WORDS[0]
        )
        title = Found(
            PurePath(self.source.name).stem,
            0.2,
            gettext_noop(
                "the report does not print the plan's name: named after the file, to be given by hand"
            ),
            lines_of(layout.header),
        )
        self.out.set_plan(
            title=title, first_year=first, last_year=last, onwards=onwards, rating_word=rating_word
        )
        self.first, self.last, self.onwards = first, last, onwards

    def layout_paragraphs(self) -> list[Paragraph]:
        return [p for segment in self.layout.segments for p in segment.paragraphs]

    def _area(self) -> str:
        layout = self.layout
        if layout.area is not None:
            number = layout.area.value
            text = words.compact(layout.area.lines[0].text)
            label = text[: text.index(number) + len(number)] if number in text else layout.area.value
            title = layout.area.text.split(None, 1)[1] if " " in layout.area.text else layout.area.text
            title = layout.area.lines[0].text[len(layout.area.lines[0].text.split()[0]) :].strip()
            found = Found(
                title, 1.0, gettext_noop("the area's number and name as printed"), lines_of(layout.area)
            )
        elif layout.area_label is not None:
            label = words.compact(layout.area_label.text)
            number = "".join(ch for ch in label if ch.isdigit())
            found = Found(
                label,
                0.5,
                gettext_noop("only the area's label is printed, not its name"),
                lines_of(layout.area_label),
            )
            title = label
        else:
            number, label, title = "1", "", PurePath(self.source.name).stem
            found = Found(
                title, 0.2, gettext_noop("the report prints no plan area: one made up, named after the file")
            )
        index = self.out.add_node(
            level="plan", code=number, parent=None, label=label, position=0, title=title
        )
        self.out.decide(f"/nodes/{index}", "plan_area", found)
        return number

    # -- programmes

    def _programmes(self) -> dict[int, tuple[str, Found]]:
        programmes: dict[int, tuple[str, Found]] = {}
        for number, (title, paragraph) in self.layout.programme_headings.items():
            programmes[number] = (
                title,
                Found(
                    title,
                    1.0,
                    gettext_noop("the programme's number and name as printed"),
                    lines_of(paragraph),
                ),
            )
        known = {words.compact(title) for title, _found in programmes.values()}
        for paragraph in self.layout_paragraphs():
            if paragraph.kind == "programme_header" and words.compact(paragraph.value) not in known:
                number = max(programmes, default=0) + 1
                known.add(words.compact(paragraph.value))
                programmes[number] = (
                    paragraph.value,
                    Found(
                        paragraph.value,
                        0.6,
                        gettext_noop(
                            "named over the table but with no number printed: numbered after the others"
                        ),
                        lines_of(paragraph),
                    ),
                )
        if not programmes:
            programmes[1] = (
                "",
                Found(
                    "", 0.2, gettext_noop("the report names no programme: one made up to hold the measures")
                ),
            )
        return programmes

    def _programme_of_measures(
        self, programmes: dict[int, tuple[str, Found]]
    ) -> dict[int, tuple[int, Found]]:
        by_title = {words.compact(title): number for number, (title, _f) in programmes.items()}
        headers: dict[int, tuple[int, Paragraph]] = {}
        for segment in self.layout.segments:
            for paragraph in segment.paragraphs:
                if paragraph.kind == "programme_header" and words.compact(paragraph.value) in by_title:
                    headers.setdefault(segment.index, (by_title[words.compact(paragraph.value)], paragraph))
        owners: dict[int, tuple[int, Found]] = {}
        for measure in self.measures:
            if measure.segment in headers:
                number, paragraph = headers[measure.segment]
                owners[id(measure)] = (
                    number,
                    Found(
                        number,
                        0.95,
                        gettext_noop("the programme named over the measure's table page"),
                        lines_of(paragraph),
                    ),
                )
        for measure in self.measures:
            if id(measure) in owners or measure.entry is None:
                continue
            fellows = [
                owners[id(m)]
                for m in self.measures
                if id(m) in owners and m.entry is not None and m.entry.segment == measure.entry.segment
            ]
            if fellows:
                number, found = fellows[0]
                owners[id(measure)] = (
                    number,
                    Found(
                        number,
                        0.85,
                        gettext_noop(
                            "on the same summary page as measures whose table pages name the programme"
                        ),
                        found.lines + lines_of(measure.entry.name),
                        tuple(n for n in programmes if n != number),
                    ),
                )
        for measure in self.measures:
            if id(measure) in owners:
                continue
            same = by_title.get(words.compact(measure.title.value))
            if same is not None:
                owners[id(measure)] = (
                    same,
                    Found(same, 0.6, gettext_noop("the measure bears its programme's name")),
                )
                continue
            earlier = [
                m for m in self.measures if id(m) in owners and _measure_order(m) < _measure_order(measure)
            ]
            number = owners[id(max(earlier, key=_measure_order))][0] if earlier else min(programmes)
            owners[id(measure)] = (
                number,
                Found(
                    number,
                    0.4,
                    gettext_noop(
                        "no programme is named near it: the programme of the measure printed before it"
                    ),
                    alternatives=tuple(n for n in programmes if n != number),
                ),
            )
        return owners

    # -- a measure

    def _measure(self, measure: Measure, code: str, parent: str, position: int, programme: Found) -> None:
        out = self.out
        markers = tuple(dict.fromkeys(p.value for p, _c in measure.markers)) or (
            measure.entry.markers if measure.entry else ()
        )
        for symbol in markers:
            out.add_marker(symbol)
        baseline = "\n".join(p.text for p in measure.baseline)
        index = out.add_node(
            level="measure",
            code=code,
            parent=parent,
            label="",
            position=position,
            title=measure.title.value,
            summary=measure.purpose.value if measure.purpose else "",
            baseline=baseline,
            markers=markers,
        )
        out.decide(f"/nodes/{index}", "measure", measure.title)
        # The place holds the programme's node id: so do its alternatives (the other programmes).
        area_code = parent.rsplit("-", 1)[0]
        out.decide(
            f"/nodes/{index}/parent_id",
            "programme_assignment",
            Found(
                out.node_id(parent),
                programme.confidence,
                programme.reason,
                programme.lines,
                tuple(out.node_id(f"{area_code}-{number}") for number in programme.alternatives),
            ),
        )
        if measure.purpose is not None:
            out.decide(f"/nodes/{index}/summary", "summary", measure.purpose)
        if measure.baseline:
            out.decide(
                f"/nodes/{index}/baseline",
                "baseline",
                Found(
                    baseline,
                    0.7,
                    gettext_noop(
                        "the ● cell printed on the measure's name line: "
                        "the 現状 column stands beside the name"
                    ),
                    lines_of(*measure.baseline),
                    # Or the cell is the first year's target (the review offers 現状 or a year).
                    (self.first,),
                ),
            )
        elif measure.cells:
            out.decide(
                f"/nodes/{index}/baseline",
                "baseline",
                Found(
                    "",
                    0.3,
                    gettext_noop(
                        "no ● cell stands on the name's line: every cell was read as a target; one may be "
                        "the 現状"
                    ),
                    lines_of(*(p for p, _c in measure.cells)),
                ),
            )
        if markers:
            out.decide(
                f"/nodes/{index}/markers",
                "measure",
                Found(
                    list(markers),
                    min((c for _p, c in measure.markers), default=0.8),
                    gettext_noop("the markers printed on the measure's page, one to each of its measures"),
                    lines_of(*(p for p, _c in measure.markers)),
                ),
            )
        place_targets(out, measure, code, self.first, self.last, self.onwards, self.layout.columns)
        self._results(measure, code)

    def _results(self, measure: Measure, code: str) -> None:
        texts = [p for p, _c, _w in measure.results]
        if not texts:
            return
        labels = self._nearest_labels(measure, texts)
        years = assign_years(texts, self.years, measure.digest, labels)
        segment_rest = self.rest.get(measure.segment, []) if measure.segment is not None else []
        ratings = [p for p in segment_rest if p.kind == "rating"]
        segment_results = [
            p for m in self.measures if m.segment == measure.segment for p, _c, _w in m.results
        ]
        latest = max(self.years)
        for (paragraph, confidence, why), (year, year_confidence, others, year_why) in sorted(
            zip(measure.results, years, strict=True), key=lambda pair: pair[1][0]
        ):
            rating = self._rating(paragraph, ratings, len(segment_results))
            context = self._section(paragraph, segment_rest, segment_results, "context_change")
            response = self._section(paragraph, segment_rest, segment_results, "response")
            highlight = measure.digest if year == latest and measure.entry else ""
            index = self.out.add_result(
                code=code,
                year=year,
                text=paragraph.text,
                rating=None if rating is None else rating.value,
                context_change=context.value if context else "",
                response=response.value if response else "",
                highlight=highlight,
            )
            pointer = f"/results/{index}"
            self.out.decide(
                f"{pointer}/text", "result_text", Found(paragraph.text, confidence, why, lines_of(paragraph))
            )
            self.out.decide(
                f"{pointer}/fiscal_year",
                "result_year",
                Found(year, year_confidence, year_why, lines_of(paragraph), others),
            )
            if rating is not None:
                self.out.decide(f"{pointer}/rating", "rating", rating)
            if context is not None:
                self.out.decide(f"{pointer}/context_change", "context_change", context)
            if response is not None:
                self.out.decide(f"{pointer}/response", "response", response)
            if highlight:
                assert measure.entry is not None
                self.out.decide(
                    f"{pointer}/highlight",
                    "highlight",
                    Found(
                        highlight,
                        0.9 if len(self.years) > 1 else 1.0,
                        gettext_noop(
                            "the measure's digest on the summary pages, "
                            "which digest the latest year's results"
                        ),
                        lines_of(measure.entry.name, *measure.entry.digest),
                    ),
                )

    def _nearest_labels(self, measure: Measure, texts: list[Paragraph]) -> dict[int, int | None]:
        labels = [
            p for p in self.rest.get(measure.segment or -1, []) if p.kind in ("year_label", "year_heading")
        ]
        out: dict[int, int | None] = {}
        for text in texts:
            before = [p for p in labels if p.first < text.first]
            out[text.first] = int(before[-1].value) if before else None
        return out

    def _rating(self, paragraph: Paragraph, ratings: list[Paragraph], results_here: int) -> Found | None:
        if not ratings:
            return None
        codes = {p.value for p in ratings}
        if len(codes) == 1:
            code = next(iter(codes))
            same = len(ratings) == results_here
            return Found(
                code,
                0.9 if same else 0.6,
                f"every rating cell on the page reads {code}"
                + ("" if same else f" ({len(ratings)} cells for {results_here} results)"),
                lines_of(*ratings),
            )
        nearest = min(ratings, key=lambda p: abs(p.first - paragraph.first))
        return Found(
            nearest.value,
            0.4,
            gettext_noop("the ratings on the page differ: the cell printed nearest to the result"),
            lines_of(nearest),
            tuple(sorted(codes - {nearest.value})),
        )

    def _section(
        self, paragraph: Paragraph, rest: list[Paragraph], results: list[Paragraph], kind: str
    ) -> Found | None:
        for section in (p for p in rest if p.kind == kind):
            before = [r for r in results if r.first < section.first]
            owner = max(before, key=lambda r: r.first) if before else min(results, key=lambda r: r.first)
            if owner is paragraph:
                return Found(
                    section.text,
                    0.7 if before else 0.4,
                    gettext_noop("printed right after this result")
                    if before
                    else gettext_noop("printed before any result: given to the first"),
                    lines_of(section),
                )
        return None


def _measure_order(measure: Measure) -> tuple[int, int, int]:
    if measure.entry is not None:
        return (0, measure.entry.segment, measure.entry.position)
    return (1, measure.segment or 0, measure.line)
