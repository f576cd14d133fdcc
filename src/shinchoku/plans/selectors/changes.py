"""A plan area's (or programme's) ratings of one fiscal year against the year before:
which of its measures rose, fell or stayed on the scale, which are rated for the first
time, and which have no rating this year.

A rise is a step towards the scale's good end (``Scale.good_end``: its first level or
its last), counted in the scale's levels; the biggest rises and falls come first. The
measures are those of the plan's measure level (its shallowest rated level) under the
node, the rating that of one dimension of that level: its primary one unless another is
asked for. A scale printed as a matrix (点検結果 A–H) has no order of better and worse,
so its dimensions are not offered.

A year is offered when it and the year before are both in the plan period and the node
has a published result in it (kept at write time: ``published.ResultYear``). For a
plan area of some thousands of measures, the page reads its nodes in one query and the
ratings of both years in another."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext

from shinchoku.plans.models import Dimension, Node, Scale, ScaleLevel
from shinchoku.plans.names import shown_label, shown_name
from shinchoku.progress.models import Rating
from shinchoku.published.models import ResultYear

from .common import NodeRef, PageCrumb, PlanHeader, _ancestor_refs, node_ref, plan_header, year_label
from .outline import NodeOverview, _document_order, _rated_level
from .search import Choice
from .summary import is_matrix


class NoChanges(Exception):
    """No comparison of ratings is offered for this node, year or dimension."""


@dataclass(frozen=True)
class LevelView:
    code: str
    label: str
    adverse: bool

    @property
    def display(self) -> str:
        return f"{self.code} {self.label}"


@dataclass(frozen=True)
class ChangeRow:
    node: NodeRef
    #: The node above the measure (its programme), when it is not the page's node.
    parent: NodeRef | None
    before: LevelView | None
    after: LevelView | None
    #: Steps towards the good end of the scale: positive a rise, negative a fall.
    steps: int
    #: "2 levels up", "1 level down"; empty where there is nothing to compare.
    change: str


@dataclass(frozen=True)
class ChangeGroup:
    #: "rose", "fell", "stayed", "new" or "unrated".
    key: str
    heading: str
    caption: str
    rows: tuple[ChangeRow, ...]


@dataclass(frozen=True)
class YearLink:
    year: int
    label: str
    current: bool


@dataclass(frozen=True)
class RatingChanges:
    plan: PlanHeader
    node: NodeRef
    #: The breadcrumb's nodes, down to the page's node, and the page's own crumb.
    trail: tuple[NodeRef, ...]
    crumb: PageCrumb
    fiscal_year: int
    previous_year: int
    year_label: str
    previous_label: str
    level_name: str
    dimension_name: str
    #: The scale's levels from its good end to its bad one.
    scale: tuple[LevelView, ...]
    #: The dimensions that can be compared (each with the query that shows it).
    dimensions: tuple[Choice, ...]
    #: The years with a comparison, oldest first.
    years: tuple[YearLink, ...]
    #: The query that keeps the dimension shown on the page of another year ("" for the primary one).
    query: str
    groups: tuple[ChangeGroup, ...]
    measure_count: int


def steps_up(scale: Scale, before: ScaleLevel, after: ScaleLevel) -> int:
    """How many levels ``after`` stands nearer the scale's good end than ``before``."""
    moved = after.position - before.position
    return moved if scale.good_end == Scale.GoodEnd.LAST else -moved


def change_years(node: Node) -> tuple[int, ...]:
    """The fiscal years for which the node's ratings can be compared with the year
    before, oldest first. One query."""
    period = node.plan.fiscal_years
    published = ResultYear.objects.filter(plan=node.plan, node=node, count__gt=0).values_list(
        "fiscal_year", flat=True
    )
    return tuple(sorted(year for year in set(published) if year in period and year - 1 in period))


def change_links(overview: NodeOverview) -> tuple[YearLink, ...]:
    """The years a plan area's or programme's page links the changes of, newest first: those
    after the plan's first in which a measure under it is rated, read from the page's own
    rating summary (its first table: the measure level's primary dimension), so that the
    links cost no query. Each of them is a year ``change_years`` offers."""
    if not overview.summary_tables:
        return ()
    summary = overview.summary_tables[0]
    return tuple(
        YearLink(column.year, year_label(column.year), current=False)
        for column, cell in reversed(list(zip(summary.years, summary.total.cells, strict=True)))
        if cell.published and cell.count and column.year > overview.plan.first_year
    )


def _dimensions(node: Node) -> list[Dimension]:
    """The dimensions of the measure level below ``node``, primary first; raises
    ``NoChanges`` for a node with no measure level below it. Three queries."""
    rated = _rated_level(node.plan)
    if node.level.rated or rated.level is None or rated.level.depth <= node.level.depth:
        raise NoChanges(node.code)
    dimensions = list(
        Dimension.objects.filter(plan=node.plan, level=rated.level)
        .select_related("scale", "level")
        .order_by("-primary", "position", "key")
    )
    return dimensions


def rating_changes(node: Node, year: int, *, dimension: str | None = None) -> RatingChanges:
    """The ratings of ``year`` under ``node`` (a plan area or programme from ``node_get``)
    against the year before, on ``dimension`` (a key; by default the primary one). Seven
    queries (eight below a plan area), whatever the number of measures and years. Raises
    ``NoChanges``."""
    years = change_years(node)
    if year not in years:
        raise NoChanges(year)
    dimensions = _dimensions(node)
    levels: dict[int, list[ScaleLevel]] = {}
    for level in ScaleLevel.objects.filter(scale_id__in={d.scale_id for d in dimensions}).order_by(
        "position"
    ):
        levels.setdefault(level.scale_id, []).append(level)
    ordered = [d for d in dimensions if not is_matrix(levels.get(d.scale_id, []))]
    chosen = (
        next((d for d in ordered if d.key == dimension), None) if dimension else next(iter(ordered), None)
    )
    if chosen is None:
        raise NoChanges(dimension)
    scale_levels = levels.get(chosen.scale_id, [])
    nodes = list(
        Node.objects.filter(plan=node.plan, path__startswith=node.path, level__depth__lte=chosen.level.depth)
        .select_related("level")
        .order_by()
    )
    measures = [n for n in nodes if n.level_id == chosen.level_id]
    ratings = Rating.objects.filter(
        dimension=chosen,
        result__fiscal_year__in=[year - 1, year],
        result__node__path__startswith=node.path,
    ).values_list("result__node_id", "result__fiscal_year", "level_id")
    given: dict[tuple[int, int], int] = {
        (node_id, y): level_id for node_id, y, level_id in ratings.order_by()
    }
    by_id = {level.pk: level for level in scale_levels}
    order = _document_order(node, [n for n in nodes if n.pk != node.pk])
    above = {n.pk: n for n in nodes if n.pk != node.pk}
    rows = [
        _row(
            measure,
            above.get(measure.parent_id or 0),
            by_id.get(given.get((measure.pk, year - 1), 0)),
            by_id.get(given.get((measure.pk, year), 0)),
            chosen.scale,
        )
        for measure in sorted(measures, key=lambda m: order.get(m.pk, 0))
    ]
    good_first = chosen.scale.good_end != Scale.GoodEnd.LAST
    shown = node_ref(node)
    return RatingChanges(
        plan=plan_header(node.plan),
        node=shown,
        trail=(*_ancestor_refs([node])[node.pk], shown),
        crumb=PageCrumb(gettext("Ratings of %(year)s against the year before") % {"year": year_label(year)}),
        fiscal_year=year,
        previous_year=year - 1,
        year_label=year_label(year),
        previous_label=year_label(year - 1),
        level_name=shown_name(chosen.level),
        dimension_name=shown_name(chosen),
        scale=tuple(_level_view(level) for level in (scale_levels if good_first else scale_levels[::-1])),
        dimensions=tuple(
            Choice("" if d == ordered[0] else d.key, shown_name(d), d == chosen) for d in ordered
        )
        if len(ordered) > 1
        else (),
        years=tuple(YearLink(y, year_label(y), y == year) for y in years),
        query="" if chosen == ordered[0] else "?" + urlencode({"dimension": chosen.key}),
        groups=_groups(rows, year, shown_name(chosen.level)),
        measure_count=len(measures),
    )


def _level_view(level: ScaleLevel) -> LevelView:
    return LevelView(code=level.code, label=shown_label(level), adverse=level.adverse)


def _row(
    measure: Node, parent: Node | None, before: ScaleLevel | None, after: ScaleLevel | None, scale: Scale
) -> ChangeRow:
    steps = steps_up(scale, before, after) if before is not None and after is not None else 0
    if steps > 0:
        change = ngettext("%(count)s level up", "%(count)s levels up", steps) % {"count": steps}
    elif steps < 0:
        change = ngettext("%(count)s level down", "%(count)s levels down", -steps) % {"count": -steps}
    elif before is not None and after is not None:
        change = gettext("Unchanged")
    else:
        change = ""
    return ChangeRow(
        node=node_ref(measure),
        parent=node_ref(parent) if parent is not None else None,
        before=_level_view(before) if before is not None else None,
        after=_level_view(after) if after is not None else None,
        steps=steps,
        change=change,
    )


def _groups(rows: Sequence[ChangeRow], year: int, level: str) -> tuple[ChangeGroup, ...]:
    """The rows in groups, each in printed order but the rises and falls, biggest first
    (``sorted`` keeps the printed order among changes of one size)."""
    compared = [row for row in rows if row.before is not None and row.after is not None]
    label = year_label(year)
    groups = (
        (
            "rose",
            gettext("Rose"),
            gettext("%(level)s whose rating rose in %(year)s, biggest rise first"),
            sorted((r for r in compared if r.steps > 0), key=lambda r: -r.steps),
        ),
        (
            "fell",
            gettext("Fell"),
            gettext("%(level)s whose rating fell in %(year)s, biggest fall first"),
            sorted((r for r in compared if r.steps < 0), key=lambda r: r.steps),
        ),
        (
            "stayed",
            gettext("Stayed"),
            gettext("%(level)s whose rating stayed the same in %(year)s"),
            [r for r in compared if r.steps == 0],
        ),
        (
            "new",
            gettext("Rated for the first time"),
            gettext("%(level)s rated in %(year)s and not the year before"),
            [r for r in rows if r.before is None and r.after is not None],
        ),
        (
            "unrated",
            gettext("No rating"),
            gettext("%(level)s without a rating in %(year)s"),
            [r for r in rows if r.after is None],
        ),
    )
    return tuple(
        ChangeGroup(
            key=key, heading=heading, caption=caption % {"level": level, "year": label}, rows=tuple(found)
        )
        for key, heading, caption, found in groups
    )
