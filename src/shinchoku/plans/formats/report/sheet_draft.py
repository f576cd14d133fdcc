"""Writing a report's measure sheets (``sheets.read_sheets``) into the draft: the plan
area, its programmes and measures, each measure's targets with the years of their columns
and its results with their ratings and sections, each with the decision that placed it."""

from __future__ import annotations

import re

from django.utils.translation import gettext_noop

from . import vocabulary as words
from .build import DraftBuilder, Found
from .lines import Line, joined, line_kind
from .sheets import Digest, Programme, Sheet, SheetReading


def build_sheets(reading: SheetReading, out: DraftBuilder, file_title: str) -> None:
    """The draft's dataset and decisions from the sheets read (see the module's docstring)."""
    columns = [column for column in reading.columns if column.kind == "year"]
    period = [column.year for column in columns if not column.onwards] or [column.year for column in columns]
    onwards = any(column.onwards for column in columns)
    first, last = min(period), max(period)
    rating_word = next(
        (result.rating_word for sheet in reading.sheets for result in sheet.results if result.rating_word),
        words.RATING_WORDS[0],
    )
    out.set_plan(
        title=Found(
            file_title,
            0.2,
            gettext_noop(
                "the report does not print the plan's name where it can be told: named after the file"
            ),
        ),
        first_year=first,
        last_year=last,
        onwards=onwards,
        rating_word=rating_word,
    )
    out.decide(
        "/plans/0/first_year",
        "plan_area",
        Found(first, 1.0, gettext_noop("the first year column of the sheets' heading row"), reading.header),
    )
    entries: dict[str, Digest] = {}
    for digest in reading.digests:
        # The name, or the name without the words set apart after it (重点 …).
        parts = re.split(r"\s{2,}", digest.title)
        for cut in range(len(parts), 0, -1):
            entries.setdefault(words.compact(" ".join(parts[:cut])), digest)
    programmes = list(reading.programmes)
    if not programmes or any(sheet.programme < 0 for sheet in reading.sheets):
        # Sheets before any programme's heading: a programme made up to hold them.
        for sheet in reading.sheets:
            sheet.programme += 1
        programmes.insert(0, Programme("", [], 0 if reading.areas else -1))
    areas: list[Line | None] = list(reading.areas) or [None]
    for area_index, area in enumerate(areas):
        if area is not None:
            number = line_kind(area.text)[1]
            text = area.text
            title = text.split(None, 1)[1].strip() if " " in text else text
            label = words.compact(text.split(None, 1)[0]) if " " in text else text
            area_found = Found(title, 1.0, gettext_noop("the area's number and name as printed"), [area])
        else:
            number, label, title = "1", "", file_title
            area_found = Found(
                title, 0.2, gettext_noop("the report prints no plan area: one made up, named after the file")
            )
        index = out.add_node(
            level="plan", code=number, parent=None, label=label, position=area_index, title=title
        )
        out.decide(f"/nodes/{index}", "plan_area", area_found)
        mine = [
            (position, programme)
            for position, programme in enumerate(programmes)
            if programme.area == area_index or (programme.area < 0 and area_index == 0)
        ]
        for order, (position, programme) in enumerate(mine):
            _programme(out, reading, programme, position, order, number, entries, first, last, onwards)


def _programme(
    out: DraftBuilder,
    reading: SheetReading,
    programme: Programme,
    position: int,
    order: int,
    area: str,
    entries: dict[str, Digest],
    first: int,
    last: int,
    onwards: bool,
) -> None:
    sheets = [sheet for sheet in reading.sheets if sheet.programme == position]
    code = f"{area}-{order + 1}"
    index = out.add_node(
        level="programme",
        code=code,
        parent=area,
        label=str(order + 1),
        position=order,
        title=programme.title,
    )
    if programme.lines:
        found = Found(
            programme.title, 1.0, gettext_noop("the programme's heading as printed"), programme.lines
        )
    else:
        found = Found(
            "", 0.2, gettext_noop("no programme heading stands before these sheets: one made up to hold them")
        )
    out.decide(f"/nodes/{index}", "programme", found)
    for number, sheet in enumerate(sheets):
        _sheet(
            out, sheet, f"{code}-{number + 1}", code, number, found, entries, reading, first, last, onwards
        )


def _sheet(
    out: DraftBuilder,
    sheet: Sheet,
    code: str,
    parent: str,
    position: int,
    programme: Found,
    entries: dict[str, Digest],
    reading: SheetReading,
    first: int,
    last: int,
    onwards: bool,
) -> None:
    for symbol in sheet.markers:
        out.add_marker(symbol)
    summary = joined([line.text for line in sheet.summary])
    baseline = joined([line.text for line in sheet.baseline])
    index = out.add_node(
        level="measure",
        code=code,
        parent=parent,
        label="",
        position=position,
        title=sheet.title,
        summary=summary,
        baseline=baseline,
        markers=sheet.markers,
    )
    out.decide(
        f"/nodes/{index}",
        "measure",
        Found(sheet.title, sheet.title_confidence, sheet.title_reason, sheet.title_lines),
    )
    out.decide(
        f"/nodes/{index}/parent_id",
        "programme_assignment",
        Found(
            out.node_id(parent),
            programme.confidence,
            gettext_noop("the programme whose heading stands before the measure's sheet"),
            programme.lines,
        ),
    )
    if summary:
        out.decide(
            f"/nodes/{index}/summary",
            "summary",
            Found(summary, 1.0, gettext_noop("under the name in the sheet's first column"), sheet.summary),
        )
    if baseline:
        out.decide(
            f"/nodes/{index}/baseline",
            "baseline",
            Found(baseline, 1.0, gettext_noop("the cell under the 現状 heading"), sheet.baseline),
        )
    if sheet.markers:
        out.decide(
            f"/nodes/{index}/markers",
            "measure",
            Found(
                list(sheet.markers),
                1.0,
                gettext_noop("printed after the name over the sheet"),
                sheet.title_lines[:1],
            ),
        )
    after = last + 1
    for number, target in enumerate(sheet.targets):
        end = max(target.end, after) if target.open_end else target.end
        start = target.start
        target_index = out.add_target(
            code=code,
            row=target.row,
            position=number,
            start=start,
            end=end,
            open_end=target.open_end,
            text=target.text,
            revised_text=target.revised_text,
            revision_reason=target.revision_reason,
        )
        pointer = f"/targets/{target_index}"
        out.decide(
            pointer,
            "target",
            Found(target.text, 1.0, gettext_noop("a ● item of a target cell"), target.lines),
        )
        alternatives = tuple(
            y for y in [*range(first, last + 1)] + ([after] if onwards else []) if y != start
        )
        out.decide(
            f"{pointer}/start_year",
            "target_years",
            Found(start, target.confidence, target.reason, target.lines, alternatives),
        )
        out.decide(
            f"{pointer}/node_id",
            "target_measure",
            Found(
                out.node_id(code), 1.0, gettext_noop("the cell stands in the measure's sheet"), target.lines
            ),
        )
    entry = entries.get(words.compact(sheet.title))
    latest = reading.report_year or max((result.year for result in sheet.results), default=0)
    for result in sheet.results:
        text_lines = result.sections.get("text", [])
        context = result.sections.get("context_change", [])
        response = result.sections.get("response", [])
        highlight = ""
        if entry is not None and result.year == latest:
            highlight = entry.text
        result_index = out.add_result(
            code=code,
            year=result.year,
            text=joined([line.text for line in text_lines]),
            rating=result.rating,
            context_change=joined([line.text for line in context]),
            response=joined([line.text for line in response]),
            highlight=highlight,
        )
        pointer = f"/results/{result_index}"
        out.decide(
            f"{pointer}/text",
            "result_text",
            Found(
                joined([line.text for line in text_lines]),
                1.0 if text_lines else 0.5,
                gettext_noop("under the year's heading")
                if text_lines
                else gettext_noop("no text under the year's heading"),
                text_lines or result.heading,
            ),
        )
        out.decide(
            f"{pointer}/fiscal_year",
            "result_year",
            Found(
                result.year,
                1.0,
                gettext_noop("the year printed at the head of the result"),
                result.heading,
                tuple(y for y in range(first, last + 1) if y != result.year),
            ),
        )
        if result.rating is not None:
            out.decide(
                f"{pointer}/rating",
                "rating",
                Found(
                    result.rating,
                    1.0,
                    gettext_noop("printed after the year's heading with its label"),
                    result.heading,
                ),
            )
        if context:
            out.decide(
                f"{pointer}/context_change",
                "context_change",
                Found(
                    joined([line.text for line in context]), 1.0, gettext_noop("under its heading"), context
                ),
            )
        if response:
            out.decide(
                f"{pointer}/response",
                "response",
                Found(
                    joined([line.text for line in response]), 1.0, gettext_noop("under its heading"), response
                ),
            )
        if highlight and entry is not None:
            sure = reading.report_year is not None
            out.decide(
                f"{pointer}/highlight",
                "highlight",
                Found(
                    highlight,
                    1.0 if sure else 0.8,
                    gettext_noop("the measure's digest on the summary pages, of the report's year")
                    if sure
                    else gettext_noop(
                        "the measure's digest on the summary pages, given to its latest result"
                    ),
                    [entry.name, *entry.lines]
                    + ([reading.report_year_line] if reading.report_year_line else []),
                ),
            )
