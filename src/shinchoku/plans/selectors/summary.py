"""The rating summaries: for each dimension of each rated level of a plan (施策計画,
事務事業 …), per fiscal year, how many nodes got each level of its scale, and for the
level's primary dimension how many of those carry each marker; for a whole plan, a
subtree, or each of several subtrees at once. A scale whose levels stand in the rows and
columns of a matrix (点検結果 A–H: 目標どおり / 変更 × 拡大 / 縮減 / 現状維持 / 終了) is
also laid out as that matrix, with its counts, for one year.

The counts of a whole plan and of a plan area or programme are kept at write time
(``shinchoku.published``) and read from there (``subtrees.Scope``).

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
from shinchoku.published.models import RatingCount, ResultYear

from .common import MarkerView, YearColumn, _marker_view, ordered_markers, year_columns, year_label
from .subtrees import Scope


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
class MatrixCell:
    """The levels of a scale that stand in one cell of its matrix (usually one: "A"), and
    how many nodes got them."""

    codes: str
    count: int


@dataclass(frozen=True)
class MatrixRow:
    heading: str
    #: One per column; None where no level of the scale stands.
    cells: tuple[MatrixCell | None, ...]
    total: int


@dataclass(frozen=True)
class RatingMatrix:
    """A dimension's counts of one fiscal year laid out as its scale is printed: each
    level in the row and column its ``row_label`` and ``column_label`` name, with the
    totals of each row and column."""

    caption: str
    fiscal_year: int
    year_label: str
    columns: tuple[str, ...]
    rows: tuple[MatrixRow, ...]
    column_totals: tuple[int, ...]
    total: int
    total_label: str


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
    #: The same counts as a matrix, for a scale printed so (``RatingMatrix``).
    matrix: RatingMatrix | None = None

    @property
    def span(self) -> int:
        """Columns under each year heading."""
        return len(self.sub_headings)


def _count_by(ratings: QuerySet[Rating], *fields: str) -> dict[tuple[Any, ...], int]:
    """How many of ``ratings`` there are per combination of values of ``fields``. One query."""
    rows = ratings.values_list(*fields).annotate(n=Count("id")).order_by()
    return {tuple(row[:-1]): row[-1] for row in rows}


def published_years(plan: Plan, *, live: bool = False) -> frozenset[int]:
    """The fiscal years of ``plan`` with at least one published result (kept, or with
    ``live`` found among the results). One query."""
    if live:
        return frozenset(
            Result.objects.filter(node__plan=plan).values_list("fiscal_year", flat=True).distinct().order_by()
        )
    return frozenset(
        ResultYear.objects.filter(plan=plan, node__isnull=True).values_list("fiscal_year", flat=True)
    )


def rating_summaries(
    plan: Plan,
    *,
    under: Node | None = None,
    years: Collection[int] | None = None,
    matrix_year: int | None = None,
) -> tuple[RatingSummary, ...]:
    """One table per dimension of each rated level, top level first and each level's
    primary dimension first, for the whole plan or the subtree under ``under``; a year
    of the plan without any published result is marked so, not counted. ``years``: the
    fiscal years shown (default: the plan's). A dimension on a scale printed as a matrix
    carries the matrix of ``matrix_year`` (default: the latest year shown that has a
    published result). Six queries, whatever the number of levels and dimensions."""
    return rating_summaries_each(plan, Scope.of(under=under), years=years, matrix_year=matrix_year)[None]


def rating_summaries_each(
    plan: Plan,
    scope: Scope,
    *,
    years: Collection[int] | None = None,
    matrix_year: int | None = None,
) -> dict[int | None, tuple[RatingSummary, ...]]:
    """``rating_summaries`` for each table of ``scope`` (``subtrees.Scope``): by the
    subtree's node id, or None for the whole plan or one subtree. Six queries, however
    many subtrees."""
    dimensions = list(
        Dimension.objects.filter(plan=plan)
        .select_related("level")
        .order_by("level__depth", "-primary", "position", "key")
    )
    if not dimensions:
        return dict.fromkeys(scope.keys, ())
    published = published_years(plan, live=scope.live)
    markers = list(ordered_markers().filter(plan=plan))
    scale_levels: dict[int, list[ScaleLevel]] = {}
    for scale_level in ScaleLevel.objects.filter(scale_id__in={d.scale_id for d in dimensions}).order_by(
        "position"
    ):
        scale_levels.setdefault(scale_level.scale_id, []).append(scale_level)
    if scope.kept:
        counts, marked = _kept_counts(plan, scope, years, scale_levels, markers)
    else:
        ratings = scope.apply(Rating.objects.filter(dimension__plan=plan), "result__node__")
        if years is not None:
            ratings = ratings.filter(result__fiscal_year__in=list(years))
        counts = _count_by(ratings, *scope.fields, "dimension_id", "result__fiscal_year", "level__code")
        marked = _count_by(
            ratings.filter(dimension__primary=True, result__node__markers__isnull=False),
            *scope.fields,
            "dimension_id",
            "result__fiscal_year",
            "level__code",
            "result__node__markers__symbol",
        )
    columns = tuple(c for c in year_columns(plan, onwards=False) if years is None or c.year in years)
    if matrix_year is None:
        shown = [c.year for c in columns if c.year in published]
        matrix_year = shown[-1] if shown else None
    tables: dict[int | None, tuple[RatingSummary, ...]] = {}
    for key in scope.keys:
        prefix = (key,) if scope.fields else ()
        tables[key] = tuple(
            summary_table(
                dimension,
                scale_levels.get(dimension.scale_id, []),
                markers if dimension.primary else [],
                columns,
                *_lookups(counts, marked, (*prefix, dimension.pk)),
                published=published,
                matrix_year=matrix_year,
            )
            for dimension in dimensions
        )
    return tables


def _kept_counts(
    plan: Plan,
    scope: Scope,
    years: Collection[int] | None,
    scale_levels: dict[int, list[ScaleLevel]],
    markers: Sequence[Marker],
) -> tuple[dict[tuple[Any, ...], int], dict[tuple[Any, ...], int]]:
    """The counts of ``scope`` as ``_count_by`` gives them, read from those kept at
    write time (``RatingCount``): by subtree (when several), dimension, year and level
    code; and the same by marker symbol. Two queries."""
    rows = scope.apply_kept(RatingCount.objects.filter(plan=plan))
    if years is not None:
        rows = rows.filter(fiscal_year__in=list(years))
    fields = ("node_id",) if scope.fields else ()
    codes = {level.pk: level.code for levels in scale_levels.values() for level in levels}
    symbols = {marker.pk: marker.symbol for marker in markers}
    counts: dict[tuple[Any, ...], int] = {}
    for *key, dimension_id, year, level_id, n in rows.filter(marker__isnull=True).values_list(
        *fields, "dimension_id", "fiscal_year", "level_id", "count"
    ):
        if level_id in codes:
            counts[(*key, dimension_id, year, codes[level_id])] = n
    marked: dict[tuple[Any, ...], int] = {}
    for *key, dimension_id, year, level_id, marker_id, n in rows.filter(marker__isnull=False).values_list(
        *fields, "dimension_id", "fiscal_year", "level_id", "marker_id", "count"
    ):
        if level_id in codes and marker_id in symbols:
            marked[(*key, dimension_id, year, codes[level_id], symbols[marker_id])] = n
    return counts, marked


def _lookups(
    counts: dict[tuple[Any, ...], int], marked: dict[tuple[Any, ...], int], prefix: tuple[Any, ...]
) -> tuple[Callable[[int, str], int], Callable[[int, str, str], int]]:
    """The counts of one table (``prefix``: its subtree, if any, and its dimension) as
    ``summary_table`` asks for them."""

    def count(year: int, code: str) -> int:
        return counts.get((*prefix, year, code), 0)

    def count_marked(year: int, code: str, symbol: str) -> int:
        return marked.get((*prefix, year, code, symbol), 0)

    return count, count_marked


def summary_table(
    dimension: Dimension,
    levels: Sequence[ScaleLevel],
    markers: Sequence[Marker],
    years: tuple[YearColumn, ...],
    count: Callable[[int, str], int],
    marked: Callable[[int, str, str], int],
    *,
    published: Collection[int] | None = None,
    matrix_year: int | None = None,
) -> RatingSummary:
    """Lay out a rating table from counts, however they were made: ``count(year, level
    code)`` and ``marked(year, level code, marker symbol)``. The years not in
    ``published`` (when given) have no published result: their cells are marked so. A
    scale printed as a matrix is laid out as one too, for ``matrix_year`` when given and
    published."""
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
        matrix=(
            rating_matrix(dimension, levels, matrix_year, count)
            if matrix_year is not None and (published is None or matrix_year in published)
            else None
        ),
    )


def is_matrix(levels: Sequence[ScaleLevel]) -> bool:
    """Whether a scale is printed as a matrix: every one of its levels names its row and column."""
    return bool(levels) and all(level.row_label and level.column_label for level in levels)


def rating_matrix(
    dimension: Dimension, levels: Sequence[ScaleLevel], year: int, count: Callable[[int, str], int]
) -> RatingMatrix | None:
    """The counts of ``year`` laid out as the scale's matrix (rows and columns in the
    order of the levels that first name them), or None for a scale not printed so."""
    if not is_matrix(levels):
        return None
    ordered = sorted(levels, key=lambda level: level.position)
    row_names = list(dict.fromkeys(level.row_label for level in ordered))
    column_names = list(dict.fromkeys(level.column_label for level in ordered))
    cells: dict[tuple[str, str], list[ScaleLevel]] = {}
    for level in ordered:
        cells.setdefault((level.row_label, level.column_label), []).append(level)

    def cell(row: str, column: str) -> MatrixCell | None:
        found = cells.get((row, column))
        if not found:
            return None
        return MatrixCell(
            codes="・".join(level.code for level in found),
            count=sum(count(year, level.code) for level in found),
        )

    rows = []
    for row in row_names:
        row_cells = tuple(cell(row, column) for column in column_names)
        rows.append(MatrixRow(heading=row, cells=row_cells, total=sum(c.count for c in row_cells if c)))
    column_totals = tuple(
        sum(c.count for c in (row.cells[i] for row in rows) if c) for i in range(len(column_names))
    )
    label = year_label(year)
    return RatingMatrix(
        caption=gettext("%(dimension)s of %(level)s in %(year)s")
        % {"dimension": shown_name(dimension), "level": shown_name(dimension.level), "year": label},
        fiscal_year=year,
        year_label=label,
        columns=tuple(column_names),
        rows=tuple(rows),
        column_totals=column_totals,
        total=sum(row.total for row in rows),
        total_label=gettext("Total"),
    )
