"""A measure's target items and the years each covers.

The table prints a measure's targets in one column a year and an onwards column
(…年度以降); extracted as text, the columns are lost. Read from a PDF's table cells, a
cell's column is its year, and a cell reaching over several columns spans their years:
certain. From text, the years are guessed, each guess flagged:

- 事業推進 (the work goes on) stands in the onwards column;
- a cell naming its own year (●開所（2014年度）) stands in that year's column;
- a measure's only other cell is read as spanning the whole period;
- several cells are read as successive years in the order printed, the last of them
  running to the period's end.

Each ● item of a cell is one target, with the cell's years.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from .build import DraftBuilder, Found, lines_of
from .dates import dates_in
from .lines import Paragraph
from .measures import Measure


def place_targets(
    out: DraftBuilder, measure: Measure, code: str, first: int, last: int, onwards: bool, columns: list[int]
) -> None:
    after = last + 1
    placed: list[tuple[Paragraph, float, int, int, bool, float, str]] = []
    plain: list[tuple[Paragraph, float]] = []
    for paragraph, confidence in measure.cells:
        named = [d.fiscal_year for d in dates_in(paragraph.text) if d.kind == "fiscal"]
        if named and first <= named[0] <= after:
            year = named[0]
            open_end = onwards and year >= after
            placed.append(
                (paragraph, confidence, year, year, open_end, 0.6, f"the cell names its year ({year}年度)")
            )
        else:
            plain.append((paragraph, confidence))
    period = list(range(first, last + 1))
    if len(plain) == 1:
        paragraph, confidence = plain[0]
        placed.append(
            (
                paragraph,
                confidence,
                first,
                last,
                False,
                0.5,
                "the measure's only target cell besides the onwards column: read as spanning the period",
            )
        )
    else:
        for index, (paragraph, confidence) in enumerate(sorted(plain, key=lambda pair: pair[0].first)):
            start = period[min(index, len(period) - 1)]
            end = last if index == len(plain) - 1 else start
            placed.append(
                (
                    paragraph,
                    confidence,
                    start,
                    end,
                    False,
                    0.3,
                    "the columns are lost in the text: cells read as successive years in the order printed",
                )
            )
    for paragraph, confidence in measure.ongoing:
        if onwards:
            placed.append(
                (paragraph, confidence, after, after, True, 0.7, "事業推進 stands in the onwards column")
            )
        else:
            placed.append(
                (paragraph, confidence, last, last, False, 0.5, "事業推進 in the last year's column")
            )
    position = 0
    for paragraph, confidence, start, end, open_end, year_confidence, why in sorted(
        placed, key=lambda item: (item[2], item[3], item[0].first)
    ):
        for item in paragraph.text.split("\n●"):
            text = item if item.startswith(("●", "■", "◆")) or paragraph.kind == "ongoing" else "●" + item
            index = out.add_target(
                code=code, row=1, position=position, start=start, end=end, open_end=open_end, text=text
            )
            position += 1
            pointer = f"/targets/{index}"
            evidence = lines_of(paragraph)
            out.decide(
                pointer,
                "target",
                Found(text, confidence, gettext_noop("a ● item of a target cell"), evidence),
            )
            alternatives = tuple(
                y for y in [*range(first, last + 1)] + ([after] if onwards else []) if y != start
            )
            out.decide(
                f"{pointer}/start_year",
                "target_years",
                Found(start, year_confidence, why, evidence, alternatives),
            )
            out.decide(
                f"{pointer}/node_id",
                "target_measure",
                Found(
                    out.node_id(code),
                    confidence,
                    gettext_noop("the cell stands on the measure's table page"),
                    evidence,
                ),
            )
