"""The rating summaries: for each rated level of a plan (施策計画, 事務事業 …), per fiscal
year, how many nodes got each level of the level's primary rating scale, and how many of
those carry each marker; for a whole plan or a subtree.

A year of the plan for which no result is published yet (its round not published, or
not opened) has no counts: its cells say "not yet published" rather than a row of zeros
that would read as "no measure reached this rating"."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext

from shinchoku.plans.models import Dimension, Marker, Node, Plan, ScaleLevel
from shinchoku.plans.names import shown_label, shown_name
from shinchoku.progress.models import Rating, Result

from .common import MarkerView, YearColumn, _marker_view, ordered_markers, year_columns


@dataclass(frozen=True)
class SummaryCell:
    """How many measures got a rating level in a year, and of those how many carry each
    marker; nothing to count (``published`` false) in a year with no published result."""

    count: int
    marker_counts: tuple[int, ...]
    published: bool = True


@dataclass(frozen=True)
class SummaryRow:
    #: "3 目標をほぼ達成", or the translated "Total" for the total row.
    heading: str
    code: str
    label: str
    cells: tuple[SummaryCell, ...]


@dataclass(frozen=True)
class RatingSummary:
    """Per level of the primary dimension's scale: per fiscal year, how many nodes got it."""

    caption: str
    #: The rated level counted, e.g. 施策計画.
    level_name: str
    dimension_name: str
    years: tuple[YearColumn, ...]
    #: Sub-columns under each year: "Count", then "of which ○" per marker.
    sub_headings: tuple[str, ...]
    markers: tuple[MarkerView, ...]
    rows: tuple[SummaryRow, ...]
    total: SummaryRow
    #: What a cell of a year with no published result says.
    unpublished_label: str = ""

    @property
    def span(self) -> int:
        """Columns under each year heading."""
        return len(self.sub_headings)


def _count_by(ratings: QuerySet[Rating], *fields: str) -> dict[tuple[Any, ...], int]:
    """How many of ``ratings`` there are per combination of values of ``fields``. One query."""
    rows = ratings.values_list(*fields).annotate(n=Count("id")).order_by()
    return {tuple(row[:-1]): row[-1] for row in rows}


def published_years(plan: Plan) -> frozenset[int]:
    """The fiscal years of ``plan`` with at least one published result. One query."""
    return frozenset(
        Result.objects.filter(node__plan=plan).values_list("fiscal_year", flat=True).distinct().order_by()
    )


def rating_summaries(plan: Plan, *, under: Node | None = None) -> tuple[RatingSummary, ...]:
    """One table per rated level that has a primary dimension, top level first, for the
    whole plan or the subtree under ``under``; a year of the plan without any published
    result is marked so, not counted. 4 queries plus 2 per rated level."""
    dimensions = list(
        Dimension.objects.filter(plan=plan, primary=True).select_related("level").order_by("level__depth")
    )
    if not dimensions:
        return ()
    published = published_years(plan)
    markers = list(ordered_markers().filter(plan=plan))
    scale_levels: dict[int, list[ScaleLevel]] = {}
    for scale_level in ScaleLevel.objects.filter(scale_id__in={d.scale_id for d in dimensions}).order_by(
        "position"
    ):
        scale_levels.setdefault(scale_level.scale_id, []).append(scale_level)
    return tuple(
        _summary(plan, dimension, scale_levels.get(dimension.scale_id, []), markers, under, published)
        for dimension in dimensions
    )


def _summary(
    plan: Plan,
    dimension: Dimension,
    levels: list[ScaleLevel],
    markers: list[Marker],
    under: Node | None,
    published: frozenset[int],
) -> RatingSummary:
    """The table of one dimension, counted in the database. Two queries."""
    ratings = Rating.objects.filter(dimension=dimension)
    if under is not None:
        ratings = ratings.filter(result__node__path__startswith=under.path)
    counts = _count_by(ratings, "result__fiscal_year", "level__code")
    marked = _count_by(
        ratings.filter(result__node__markers__isnull=False),
        "result__fiscal_year",
        "level__code",
        "result__node__markers__symbol",
    )
    return summary_table(
        dimension,
        levels,
        markers,
        year_columns(plan, onwards=False),
        lambda year, code: counts.get((year, code), 0),
        lambda year, code, symbol: marked.get((year, code, symbol), 0),
        published=published,
    )


def summary_table(
    dimension: Dimension,
    levels: Sequence[ScaleLevel],
    markers: Sequence[Marker],
    years: tuple[YearColumn, ...],
    count: Callable[[int, str], int],
    marked: Callable[[int, str, str], int],
    *,
    published: Collection[int] | None = None,
) -> RatingSummary:
    """Lay out a rating table from counts, however they were made: ``count(year, level
    code)`` and ``marked(year, level code, marker symbol)``. The years not in
    ``published`` (when given) have no published result: their cells are marked so."""
    shown = [published is None or column.year in published for column in years]
    rows = []
    for level in levels:
        cells = tuple(
            SummaryCell(
                count=count(column.year, level.code),
                marker_counts=tuple(marked(column.year, level.code, m.symbol) for m in markers),
                published=shown[i],
            )
            for i, column in enumerate(years)
        )
        label = shown_label(level)
        rows.append(SummaryRow(heading=f"{level.code} {label}", code=level.code, label=label, cells=cells))
    total_cells = tuple(
        SummaryCell(
            count=sum(row.cells[i].count for row in rows),
            marker_counts=tuple(
                sum(row.cells[i].marker_counts[j] for row in rows) for j in range(len(markers))
            ),
            published=shown[i],
        )
        for i in range(len(years))
    )
    total = SummaryRow(heading=gettext("Total"), code="", label=gettext("Total"), cells=total_cells)
    names = {"level": shown_name(dimension.level), "dimension": shown_name(dimension)}
    return RatingSummary(
        caption=gettext("%(level)s by %(dimension)s and fiscal year") % names,
        level_name=names["level"],
        dimension_name=names["dimension"],
        years=years,
        sub_headings=(
            gettext("Count"),
            *(gettext("of which %(symbol)s") % {"symbol": m.symbol} for m in markers),
        ),
        markers=tuple(_marker_view(m) for m in markers),
        rows=tuple(rows),
        total=total,
        unpublished_label=gettext("not yet published"),
    )
