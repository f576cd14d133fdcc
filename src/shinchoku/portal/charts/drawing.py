"""The geometry of every chart, worked out here so that one template only draws it
(``templates/portal/charts/_chart.html``): a chart is a list of shapes — rectangles,
lines, paths, circles and texts, at coordinates of its ``viewBox`` — the fills whose
patterns it uses, a legend and the table of its figures.

Three layouts cover the charts of the site:

- ``bar_rows``: one horizontal bar a row (a fiscal year, a plan area), its label on a
  line above it so that long Japanese names fit on a phone, the bar made of parts
  stacked from the left; either as shares of the row's whole (100 %, the ratings) or
  on one scale for every row (amounts), the row's total written at its end;
- ``line_chart``: a target and an actual value over the fiscal years, told apart by
  line (dashed, solid) and marker (hollow square, filled circle), never by colour
  alone, with the achievement rate written under each year;
- ``step_chart``: one measure's rating over the years, the scale's levels as rows, the
  good end at the top.

The drawings are 480 units wide: on a phone they shrink to the screen's width and their
text stays readable; on a wide screen they stand beside their table.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import get_language, gettext

from shinchoku.text import text_language

from .palette import INK, Fill

#: The width of every drawing, in the units of its viewBox.
WIDTH = 480.0
FONT = 13.0
SMALL = 11.0


@dataclass(frozen=True)
class Shape:
    """One thing drawn. ``kind``: "rect", "line", "path" (``d``), "circle" (centre
    ``x``, ``y``, radius ``width``) or "text" (at ``x``, ``y``, anchored ``anchor``)."""

    kind: str
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    x2: float = 0.0
    y2: float = 0.0
    d: str = ""
    text: str = ""
    anchor: str = "start"
    #: The value of the fill attribute ("none", a colour, or a pattern's url).
    fill: str = "none"
    stroke: str = ""
    #: Classes of the site's stylesheet (charts.css): how lines and texts look.
    css: str = ""
    #: The language of a text, where it is not the page's (a Japanese name on an English page).
    lang: str = ""


@dataclass(frozen=True)
class LegendItem:
    fill: Fill
    text: str
    #: The legend of a line chart shows a line and a marker, not a swatch.
    line: str = ""


@dataclass(frozen=True)
class Heading:
    """A column's heading; with ``code``, the column of a level of a rating scale, whose
    heading shows its code only (the legend beside names it) and reads out its label."""

    text: str
    code: str = ""


@dataclass(frozen=True)
class TableRow:
    heading: str
    cells: tuple[str, ...]
    #: "total" for a row of totals.
    kind: str = ""


@dataclass(frozen=True)
class DataTable:
    """The chart's figures, as a table a screen reader reads: the same numbers the bars,
    lines and labels show."""

    caption: str
    #: The heading of the row headings' column (年度, プラン …).
    corner: str
    columns: tuple[Heading, ...]
    rows: tuple[TableRow, ...]
    notes: tuple[str, ...] = ()
    #: Whether its cells are figures (set right) rather than words.
    numeric: bool = True


@dataclass(frozen=True)
class Chart:
    """A chart with its table and summary, as ``_chart.html`` shows it."""

    #: Unique on the page: the ids of its parts start with it.
    key: str
    #: "bars", "lines" or "steps": which layout drew it (a class of the stylesheet).
    kind: str
    title: str
    #: One or two sentences that say what the chart shows, from its figures.
    summary: str
    #: The drawing's accessible name: what it is, and that its figures are in the table.
    alt: str
    width: float
    height: float
    shapes: tuple[Shape, ...]
    #: The fills whose patterns the drawing defines.
    fills: tuple[Fill, ...]
    legend: tuple[LegendItem, ...]
    #: The table of its figures, shown beside it; None when the page shows that table
    #: already (a rating or cost table the chart draws), right after it.
    table: DataTable | None
    #: The caption of the table that holds its figures, its own or the page's.
    table_caption: str

    @property
    def patterns(self) -> tuple[Fill, ...]:
        return tuple(fill for fill in self.fills if fill.hatch)


# ------------------------------------------------------------------------- text


def _page_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def text(x: float, y: float, words: str, *, anchor: str = "start", css: str = "", fill: str = "") -> Shape:
    """A text shape, marked with its language where it is not the page's."""
    page = _page_language()
    lang = text_language(words, default=page)
    return Shape(
        "text",
        x=x,
        y=y,
        text=words,
        anchor=anchor,
        css=css,
        fill=fill or INK,
        lang="" if lang == page else lang,
    )


def text_width(words: str, size: float = FONT) -> float:
    """About how wide ``words`` are written at ``size``: a full-width character one em,
    another about six tenths of one."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.6 for c in words)


def fitted(words: str, width: float, size: float = FONT) -> str:
    """``words``, cut with an ellipsis to fit ``width`` (the table has them whole)."""
    if text_width(words, size) <= width:
        return words
    while words and text_width(words + "…", size) > width:
        words = words[:-1]
    return words.rstrip() + "…"


def sentences(parts: Sequence[str]) -> str:
    """Sentences one after the other: a space after an English full stop, none after
    a Japanese one (。)."""
    return re.sub(r"(?<=。) ", "", " ".join(parts))


def alt(kind: str) -> str:
    """A drawing's name: what kind of chart it is, and that its figures are in its table.
    Nothing of the data is in it: a name of the plan's, in Japanese, could not be marked
    with its language inside an SVG title on an English page."""
    return gettext("%(kind)s: its figures are in the table with it.") % {"kind": kind}


# ------------------------------------------------------------------------ scales


def nice_ticks(top: float, *, most: int = 5) -> list[float]:
    """Round figures from 0 up to at least ``top``, at most ``most`` + 1 of them, a step
    of 1, 2, 2.5 or 5 × 10ⁿ apart."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 2.5, 5, 10) if s * power >= raw)
    count = math.ceil(top / step - 1e-9)
    return [round(step * i, 10) for i in range(count + 1)]


def figure(value: float | Decimal) -> str:
    """A figure of a scale: 1,500, 2.5."""
    number = Decimal(str(value)).normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return f"{number:,f}"


# ---------------------------------------------------------------- horizontal bars


@dataclass(frozen=True)
class Part:
    """A part of a bar: its size (a count, an amount) and what it says on the bar."""

    fill: Fill
    value: float
    label: str = ""


@dataclass(frozen=True)
class BarRow:
    label: str
    parts: tuple[Part, ...]
    #: Written after the bar: a total, "n = 24".
    total_text: str = ""
    #: Written in place of a bar that has nothing to draw ("not yet published").
    note: str = ""
    #: A planned figure (a budget): the bar outlined with a dashed line.
    planned: bool = False


LABEL_LINE = 17.0
BAR = 22.0
ROW_GAP = 10.0
TOTAL_ROOM = 84.0
AXIS = 22.0


def bar_rows(
    rows: Sequence[BarRow],
    *,
    share: bool,
    key: str,
    tick_text: Callable[[float], str] = figure,
) -> tuple[tuple[Shape, ...], float]:
    """The shapes of ``rows`` of horizontal bars, and the drawing's height. With
    ``share``, each bar is its parts' shares of its own whole, from 0 to 100 %; without,
    every bar stands on one scale from 0 to a round figure above the largest whole."""
    plot = WIDTH - TOTAL_ROOM
    top = 4.0
    step = LABEL_LINE + BAR + ROW_GAP
    bottom = top + step * len(rows) - ROW_GAP
    shapes: list[Shape] = []
    if share:
        ticks = [0.0, 25.0, 50.0, 75.0, 100.0]
        scale_top = 100.0
        labels = [f"{int(t)}%" for t in ticks]
    else:
        largest = max((sum(p.value for p in row.parts) for row in rows), default=0.0)
        ticks = nice_ticks(largest)
        scale_top = ticks[-1]
        labels = [tick_text(t) for t in ticks]
    for tick, label in zip(ticks, labels, strict=True):
        x = round(plot * tick / scale_top, 2)
        shapes.append(Shape("line", x=x, y=top, x2=x, y2=bottom, css="chart__grid"))
        anchor = "start" if tick == ticks[0] else "end" if tick == ticks[-1] else "middle"
        shapes.append(text(x, bottom + 15, label, anchor=anchor, css="chart__tick"))
    for index, row in enumerate(rows):
        label_y = top + step * index + LABEL_LINE - 5
        bar_y = top + step * index + LABEL_LINE
        shapes.append(text(0, label_y, fitted(row.label, WIDTH), css="chart__label"))
        whole = sum(part.value for part in row.parts)
        if whole <= 0:
            shapes.append(text(4, bar_y + BAR / 2 + 4, row.note, css="chart__note"))
            continue
        x = 0.0
        for part in row.parts:
            if part.value <= 0:
                continue
            width = plot * part.value / (whole if share else scale_top)
            shapes.append(
                Shape(
                    "rect",
                    x=round(x, 2),
                    y=bar_y,
                    width=round(width, 2),
                    height=BAR,
                    fill=part.fill.paint(key),
                    css="chart__part",
                )
            )
            label_width = text_width(part.label, SMALL) + 8
            if part.label and label_width + 4 <= width:
                centre = round(x + width / 2, 2)
                if part.fill.hatch:
                    # On a hatched part, the figure on a chip of the part's own colour.
                    shapes.append(
                        Shape(
                            "rect",
                            x=round(centre - label_width / 2, 2),
                            y=bar_y + 3,
                            width=round(label_width, 2),
                            height=BAR - 6,
                            fill=part.fill.colour,
                            css="chart__chip",
                        )
                    )
                shapes.append(
                    text(
                        centre,
                        bar_y + BAR / 2 + 4,
                        part.label,
                        anchor="middle",
                        css="chart__value",
                        fill=part.fill.ink,
                    )
                )
            x += width
        if row.planned:
            shapes.append(Shape("rect", x=0, y=bar_y, width=round(x, 2), height=BAR, css="chart__planned"))
        if row.total_text:
            shapes.append(text(round(x + 4, 2), bar_y + BAR / 2 + 4, row.total_text, css="chart__total"))
    return tuple(shapes), bottom + AXIS


# ------------------------------------------------------------------- line chart


@dataclass(frozen=True)
class LinePoint:
    label: str
    #: Under the year's label: the achievement rate.
    sublabel: str
    target: Decimal | None
    actual: Decimal | None


LEFT = 64.0
PLOT_TOP = 12.0
PLOT_HEIGHT = 160.0


def _paths(points: Sequence[tuple[float, float] | None]) -> list[str]:
    """The ``d`` of the paths through ``points``, broken where a point is missing."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return ["M" + " L".join(f"{x:g} {y:g}" for x, y in run) for run in runs if len(run) > 1]


def line_chart(points: Sequence[LinePoint]) -> tuple[tuple[Shape, ...], float]:
    """The shapes of a target (dashed, hollow squares) and an actual (solid, filled
    circles) over the years, on one scale from 0 (or the lowest figure below it)."""
    values = [v for p in points for v in (p.target, p.actual) if v is not None]
    high = float(max(values, default=Decimal(1)))
    low = min(0.0, float(min(values, default=Decimal(0))))
    ticks = [low + t for t in nice_ticks(high - low)] if high > low else [low, low + 1]
    span = ticks[-1] - ticks[0]
    slot = (WIDTH - LEFT) / max(len(points), 1)
    bottom = PLOT_TOP + PLOT_HEIGHT

    def y_of(value: Decimal) -> float:
        return round(bottom - PLOT_HEIGHT * (float(value) - ticks[0]) / span, 2)

    shapes: list[Shape] = []
    for tick in ticks:
        y = y_of(Decimal(str(tick)))
        shapes.append(Shape("line", x=LEFT, y=y, x2=WIDTH, y2=y, css="chart__grid"))
        shapes.append(text(LEFT - 6, y + 4, figure(tick), anchor="end", css="chart__tick"))
    centres = [round(LEFT + slot * (i + 0.5), 2) for i in range(len(points))]
    for centre, point in zip(centres, points, strict=True):
        shapes.append(text(centre, bottom + 17, point.label, anchor="middle", css="chart__tick"))
        if point.sublabel:
            shapes.append(text(centre, bottom + 33, point.sublabel, anchor="middle", css="chart__tick"))
    targets = [
        (c, y_of(p.target)) if p.target is not None else None for c, p in zip(centres, points, strict=True)
    ]
    actuals = [
        (c, y_of(p.actual)) if p.actual is not None else None for c, p in zip(centres, points, strict=True)
    ]
    shapes += [Shape("path", d=d, css="chart__line chart__line--target") for d in _paths(targets)]
    shapes += [Shape("path", d=d, css="chart__line chart__line--actual") for d in _paths(actuals)]
    for found in targets:
        if found is not None:
            shapes.append(
                Shape(
                    "rect", x=found[0] - 5, y=found[1] - 5, width=10, height=10, css="chart__marker--target"
                )
            )
    for found in actuals:
        if found is not None:
            shapes.append(Shape("circle", x=found[0], y=found[1], width=5, css="chart__marker--actual"))
    return tuple(shapes), bottom + 42


# ------------------------------------------------------------------- step chart


@dataclass(frozen=True)
class Step:
    """A level of the scale, a row of the chart (the good end first)."""

    code: str
    label: str
    fill: Fill


STEP_ROW = 28.0
STEP_LEFT = 180.0


def step_chart(
    steps: Sequence[Step], years: Sequence[tuple[str, str | None]], key: str
) -> tuple[tuple[Shape, ...], float]:
    """The shapes of one rating a year: ``years`` as (label, level code or None), the
    levels of ``steps`` as rows from the top, a marker in its level's fill where a year
    is rated, joined by a line from year to year."""
    rows = {step.code: index for index, step in enumerate(steps)}
    bottom = PLOT_TOP + STEP_ROW * len(steps)
    slot = (WIDTH - STEP_LEFT) / max(len(years), 1)
    shapes: list[Shape] = []
    for index, step in enumerate(steps):
        y = PLOT_TOP + STEP_ROW * (index + 0.5)
        shapes.append(Shape("line", x=STEP_LEFT, y=y, x2=WIDTH, y2=y, css="chart__grid"))
        shapes.append(
            text(0, y + 4, fitted(f"{step.code} {step.label}", STEP_LEFT - 8, SMALL), css="chart__tick")
        )
    points: list[tuple[float, float] | None] = []
    marks: list[Shape] = []
    for index, (label, code) in enumerate(years):
        x = round(STEP_LEFT + slot * (index + 0.5), 2)
        shapes.append(text(x, bottom + 17, label, anchor="middle", css="chart__tick"))
        if code is None or code not in rows:
            points.append(None)
            continue
        y = PLOT_TOP + STEP_ROW * (rows[code] + 0.5)
        points.append((x, y))
        fill = steps[rows[code]].fill
        marks.append(Shape("circle", x=x, y=y, width=8, fill=fill.paint(key), css="chart__step"))
    shapes += [Shape("path", d=d, css="chart__line chart__line--actual") for d in _paths(points)]
    return (*shapes, *marks), bottom + 26
