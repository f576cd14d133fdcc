"""The charts of ratings: how the measures of a plan, a plan area, a programme or a unit
were rated in each fiscal year (a bar a year, the levels as shares of it); how those of
each plan area or programme below were rated in one year (a bar each); and one measure's
rating over the years. Each is drawn from a table its page shows (``RatingSummary``,
read from the counts kept at write time), from the kept counts of the plan areas or
programmes below (``figures.part_figures``) or from the measure's own results, never
counted again, and says in a sentence what it shows.

"Rated X or better": X is the last level of the scale's good side (its levels not
adverse), the good end first. On a scale without an adverse side, the good side is
its best level alone ("rated X")."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext, ngettext

from shinchoku import fiscal
from shinchoku.plans.selectors import MeasureSheet, RatingSummary
from shinchoku.plans.selectors.figures import PartFigures, RatingScale, ScaleStep

from .drawing import (
    WIDTH,
    BarRow,
    Chart,
    DataTable,
    Heading,
    LegendItem,
    Part,
    Step,
    TableRow,
    alt,
    bar_rows,
    sentences,
    step_chart,
)
from .palette import Fill, good_first, rating_fills


def percent(part: int, whole: int) -> str:
    """A share in whole percent, rounded half up: "75%"."""
    if not whole:
        return "—"
    share = (Decimal(part) * 100 / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{share}%"


class _Scale:
    """A scale as the charts draw it: the levels from the good end, their fills, and the
    side counted as "X or better"."""

    def __init__(self, scale: RatingScale) -> None:
        self.scale = scale
        self.steps: list[ScaleStep] = good_first(scale.steps, scale.good_end)
        self.fills: dict[str, Fill] = rating_fills(scale.steps, scale.good_end)
        good = [s for s in self.steps if not s.adverse] if scale.has_adverse_side else self.steps[:1]
        self.good_codes = {step.code for step in good}
        self.threshold = good[-1] if good else None
        self.or_better = scale.has_adverse_side and len(good) > 1

    def label(self, step: ScaleStep) -> str:
        return f"{step.code} {step.label}"

    def legend(self) -> tuple[LegendItem, ...]:
        return tuple(LegendItem(self.fills[s.code], self.label(s)) for s in self.steps)

    def good(self, counts: dict[str, int]) -> int:
        return sum(n for code, n in counts.items() if code in self.good_codes)

    def good_heading(self) -> str:
        if self.threshold is None:
            return ""
        label = self.label(self.threshold)
        if self.or_better:
            return gettext("“%(label)s” or better") % {"label": label}
        return gettext("“%(label)s”") % {"label": label}

    def sentence(self, year: int, good: int, total: int) -> str:
        """In 2023年度, 18 of the 24 施策計画 were rated “3 目標をほぼ達成” or better."""
        values = {
            "year": fiscal.year_label_parts(year)[0],
            "good": f"{good:,}",
            "total": f"{total:,}",
            "level": self.scale.level_name,
            "label": self.label(self.threshold) if self.threshold else "",
        }
        if self.or_better:
            return (
                ngettext(
                    "In %(year)s, %(good)s of the %(total)s measures (%(level)s) was rated"
                    " “%(label)s” or better.",
                    "In %(year)s, %(good)s of the %(total)s measures (%(level)s) were rated"
                    " “%(label)s” or better.",
                    good,
                )
                % values
            )
        return (
            ngettext(
                "In %(year)s, %(good)s of the %(total)s measures (%(level)s) was rated “%(label)s”.",
                "In %(year)s, %(good)s of the %(total)s measures (%(level)s) were rated “%(label)s”.",
                good,
            )
            % values
        )

    def bar(self, label: str, counts: dict[str, int], note: str) -> BarRow:
        total = sum(counts.values())
        return BarRow(
            label=label,
            parts=tuple(
                Part(self.fills[s.code], counts.get(s.code, 0), f"{counts.get(s.code, 0):,}")
                for s in self.steps
            ),
            total_text=gettext("%(count)s in all") % {"count": f"{total:,}"} if total else "",
            note=note,
        )

    def row(self, heading: str, counts: dict[str, int]) -> TableRow:
        total = sum(counts.values())
        return TableRow(
            heading,
            (
                *(f"{counts.get(s.code, 0):,}" for s in self.steps),
                f"{total:,}",
                *((percent(self.good(counts), total),) if self.threshold else ()),
            ),
        )

    def columns(self) -> tuple[Heading, ...]:
        share = gettext("Share rated %(which)s") % {"which": self.good_heading()}
        return (
            *(Heading(s.label, code=s.code) for s in self.steps),
            Heading(gettext("Total")),
            *((Heading(share),) if self.threshold else ()),
        )


def _counts(summary: RatingSummary, index: int) -> dict[str, int]:
    return {row.code: row.cells[index].count for row in summary.rows}


def ratings_by_year(summary: RatingSummary, scale: RatingScale, *, key: str) -> Chart | None:
    """The bars of ``summary`` (the rating table of a plan, a node or a unit), a fiscal
    year each, the years not yet published left out; None when no year is published.
    Its figures are the table's, which the page shows beside it."""
    drawn = _Scale(scale)
    years = [(i, column) for i, column in enumerate(summary.years) if summary.total.cells[i].published]
    if not years or drawn.threshold is None:
        return None
    no_rating = gettext("No rating in this year")
    rows = [drawn.bar(fiscal.year_label_parts(c.year)[0], _counts(summary, i), no_rating) for i, c in years]
    shapes, height = bar_rows(rows, share=True, key=key)
    rated = [(column.year, _counts(summary, i)) for i, column in years if summary.total.cells[i].count]
    said = []
    if rated:
        year, counts = rated[-1]
        said.append(drawn.sentence(year, drawn.good(counts), sum(counts.values())))
        if len(rated) > 1:
            before, counts_before = rated[-2]
            said.append(
                gettext("In %(year)s it was %(good)s of %(total)s.")
                % {
                    "year": fiscal.year_label_parts(before)[0],
                    "good": f"{drawn.good(counts_before):,}",
                    "total": f"{sum(counts_before.values()):,}",
                }
            )
    else:
        said.append(gettext("No measure has been rated yet."))
    title = gettext("%(dimension)s of the %(level)s by fiscal year") % {
        "dimension": scale.dimension_name,
        "level": scale.level_name,
    }
    return Chart(
        key=key,
        kind="bars",
        title=title,
        summary=sentences(said),
        alt=alt(gettext("A bar chart of the shares of each rating by fiscal year")),
        width=WIDTH,
        height=height,
        shapes=shapes,
        fills=tuple(drawn.fills.values()),
        legend=drawn.legend(),
        table=None,
        table_caption=summary.caption,
    )


def ratings_by_part(
    parts: Sequence[PartFigures], scale: RatingScale, year: int, *, key: str, part_heading: str
) -> Chart | None:
    """The bars of the plan areas or programmes ``parts`` in fiscal ``year``, one each,
    from their kept counts of that year; with the table of those figures."""
    drawn = _Scale(scale)
    counted = [(part, part.ratings) for part in parts]
    if not counted or drawn.threshold is None:
        return None
    year_name = fiscal.year_label_parts(year)[0]
    no_rating = gettext("No rating in this year")
    rows = [drawn.bar(part.node.name, counts, no_rating) for part, counts in counted]
    shapes, height = bar_rows(rows, share=True, key=key)
    rated = [(part, counts) for part, counts in counted if sum(counts.values())]
    if len(rated) > 1:
        shares = sorted(
            rated,
            key=lambda item: Decimal(drawn.good(item[1])) / sum(item[1].values()),
        )
        low, high = shares[0], shares[-1]
        summary = gettext(
            "In %(year)s, the share rated %(which)s was highest in %(high)s (%(high_share)s)"
            " and lowest in %(low)s (%(low_share)s)."
        ) % {
            "year": year_name,
            "which": drawn.good_heading(),
            "high": high[0].node.name,
            "high_share": percent(drawn.good(high[1]), sum(high[1].values())),
            "low": low[0].node.name,
            "low_share": percent(drawn.good(low[1]), sum(low[1].values())),
        }
    elif rated:
        summary = drawn.sentence(year, drawn.good(rated[0][1]), sum(rated[0][1].values()))
    else:
        summary = gettext("No measure has been rated in %(year)s.") % {"year": year_name}
    caption = gettext("%(dimension)s of the %(level)s by %(part)s, %(year)s") % {
        "dimension": scale.dimension_name,
        "level": scale.level_name,
        "part": part_heading,
        "year": year_name,
    }
    return Chart(
        key=key,
        kind="bars",
        title=caption,
        summary=summary,
        alt=alt(gettext("A bar chart of the shares of each rating, a bar for each plan area or programme")),
        width=WIDTH,
        height=height,
        shapes=shapes,
        fills=tuple(drawn.fills.values()),
        legend=drawn.legend(),
        table=DataTable(
            caption=caption,
            corner=part_heading,
            columns=drawn.columns(),
            rows=tuple(drawn.row(part.node.name, counts) for part, counts in counted),
        ),
        table_caption=caption,
    )


def measure_ratings(sheet: MeasureSheet, scale: RatingScale, *, key: str) -> Chart | None:
    """One measure's rating on the scale's dimension in each fiscal year with a result,
    the levels as rows, the good end at the top; with the table of the ratings. None when
    no result is rated on it."""
    drawn = _Scale(scale)
    years: list[tuple[int, ScaleStep | None]] = []
    known = {step.code: step for step in drawn.steps}
    for result in sheet.results:
        rating = next((r for r in result.ratings if r.dimension_key == scale.dimension_key), None)
        years.append((result.fiscal_year, known.get(rating.code) if rating and rating.rated else None))
    rated = [(year, step) for year, step in years if step is not None]
    if not rated:
        return None
    shapes, height = step_chart(
        [Step(step.code, step.label, drawn.fills[step.code]) for step in drawn.steps],
        [(fiscal.year_label_parts(year)[0], step.code if step else None) for year, step in years],
        key,
    )
    last_year, last = rated[-1]
    said = [
        gettext("In %(year)s it was rated “%(label)s”.")
        % {"year": fiscal.year_label_parts(last_year)[0], "label": drawn.label(last)}
    ]
    if len(rated) > 1:
        good = sum(1 for _year, step in rated if step.code in drawn.good_codes)
        said.append(
            ngettext(
                "Of the %(count)s rated year, %(good)s was rated %(which)s.",
                "Of the %(count)s rated years, %(good)s were rated %(which)s.",
                len(rated),
            )
            % {"count": len(rated), "good": good, "which": drawn.good_heading()}
        )
    caption = gettext("%(dimension)s by fiscal year") % {"dimension": scale.dimension_name}
    not_rated = gettext("not rated")
    return Chart(
        key=key,
        kind="steps",
        title=caption,
        summary=sentences(said),
        alt=alt(gettext("A chart of the rating in each fiscal year")),
        width=WIDTH,
        height=height,
        shapes=shapes,
        fills=tuple(drawn.fills.values()),
        legend=(),
        table=DataTable(
            caption=caption,
            corner=gettext("Fiscal year"),
            columns=(Heading(scale.dimension_name),),
            rows=tuple(
                TableRow(fiscal.year_label_parts(year)[0], (drawn.label(step) if step else not_rated,))
                for year, step in years
            ),
            numeric=False,
        ),
        table_caption=caption,
    )
