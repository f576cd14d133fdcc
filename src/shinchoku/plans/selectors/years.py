"""A measure's fiscal years side by side: one column a year, its targets (as planned and
as revised, with the reason) laid out as the printed target table lays them, and under
them a row for each rating dimension and each section of the year's results, each cell
what that year's published result says. Made from the measure sheet (``sheet``), so the
page says exactly what the measure page says, in its queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from shinchoku.plans.models import Node

from .common import NodeRef, PageCrumb, PlanHeader, RatingView, Text, YearColumn, year_label
from .sheet import ResultView, TargetTable, measure_sheet


@dataclass(frozen=True)
class YearCell:
    """A fiscal year's cell of a row of results: the text a section writes, or the rating
    of a dimension with its reason; ``published`` false in a year without a published
    result (and in the onwards column, which holds targets only)."""

    published: bool
    text: Text = ()
    rating: RatingView | None = None


@dataclass(frozen=True)
class YearRow:
    """A row of the results under the targets: a rating dimension, or a section of text."""

    key: str
    heading: str
    #: "rating" or "text".
    kind: str
    cells: tuple[YearCell, ...]


@dataclass(frozen=True)
class YearHeading:
    column: YearColumn
    #: "2012年度（平成24年度）": the year as a sentence names it (FY2012 in English).
    label: str
    #: The nearest earlier year with a published result, when this one has one too: the
    #: pair the comparison of texts is linked for.
    compare_from: int | None


@dataclass(frozen=True)
class MeasureYears:
    plan: PlanHeader
    node: NodeRef
    #: The breadcrumb's nodes, down to the measure, and the page's own crumb.
    trail: tuple[NodeRef, ...]
    crumb: PageCrumb
    caption: str
    #: The plan's fiscal years, and its onwards column when it has one.
    headings: tuple[YearHeading, ...]
    #: The target rows, laid out over ``headings`` as the printed table lays them.
    targets: TargetTable
    #: Ratings first, each dimension of the level in order; then each section of the
    #: year that some year writes, in the plan's order.
    rows: tuple[YearRow, ...]
    #: The fiscal years with a published result, oldest first.
    result_years: tuple[int, ...]
    targets_label: str
    results_label: str
    unpublished_label: str

    @property
    def latest_pair(self) -> tuple[int, int] | None:
        """The latest two years with a published result, to compare; None with fewer."""
        return (self.result_years[-2], self.result_years[-1]) if len(self.result_years) > 1 else None


def _rows(results: dict[int, ResultView], columns: tuple[YearColumn, ...]) -> tuple[YearRow, ...]:
    """The rows of ratings, then of sections, each cell the year's, in ``columns``."""
    ratings = {year: {r.dimension_key: r for r in result.ratings} for year, result in results.items()}
    texts = {year: {s.key: s.text for s in result.sections} for year, result in results.items()}
    dimensions: dict[str, str] = {}
    for result in results.values():
        for rating in result.ratings:
            dimensions.setdefault(rating.dimension_key, rating.dimension_name)
    # Every result of the node lists all the sections of its level, in the plan's order.
    sections = next(iter(results.values())).sections if results else ()
    rows = [
        YearRow(
            key=key,
            heading=name,
            kind="rating",
            cells=tuple(
                YearCell(published=column.year in results, rating=ratings.get(column.year, {}).get(key))
                for column in columns
            ),
        )
        for key, name in dimensions.items()
    ]
    rows.extend(
        YearRow(
            key=section.key,
            heading=section.name,
            kind="text",
            cells=tuple(
                YearCell(
                    published=column.year in results, text=texts.get(column.year, {}).get(section.key, ())
                )
                for column in columns
            ),
        )
        for section in sections
        if any(year_texts.get(section.key) for year_texts in texts.values())
    )
    return tuple(rows)


def measure_years(node: Node) -> MeasureYears:
    """The years of a rated node from ``node_get``, side by side, in the queries of
    ``measure_sheet``, whatever the number of years."""
    sheet = measure_sheet(node)
    columns = sheet.targets.columns
    period = node.plan.fiscal_years
    results = {result.fiscal_year: result for result in sheet.results if result.fiscal_year in period}
    years = tuple(sorted(results))
    headings = []
    for column in columns:
        earlier = [year for year in years if year < column.year]
        headings.append(
            YearHeading(
                column=column,
                label=year_label(column.year),
                compare_from=earlier[-1] if earlier and column.year in results else None,
            )
        )
    return MeasureYears(
        plan=sheet.plan,
        node=sheet.node,
        trail=(*sheet.breadcrumb, sheet.node),
        crumb=PageCrumb(gettext("Targets and results by fiscal year")),
        caption=gettext("Targets and results of %(name)s by fiscal year") % {"name": sheet.node.name},
        headings=tuple(headings),
        targets=sheet.targets,
        rows=_rows(results, columns),
        result_years=years,
        targets_label=gettext("Targets"),
        results_label=gettext("Results of the year"),
        unpublished_label=gettext("No result published"),
    )
