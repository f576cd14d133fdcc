"""The pages above the measures: the list of plans, a plan's outline of plan areas and
programmes, and the overview of one area or programme with the highlights of the
latest results of the measures under it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, overload

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from shinchoku.plans.models import Dimension, Level, Node, Plan
from shinchoku.plans.names import shown_name
from shinchoku.progress.models import Rating, Result
from shinchoku.published.models import NodeCount

from .aggregates import CostSummary, cost_summaries
from .common import (
    MarkerView,
    NodeRef,
    PlanHeader,
    RatingView,
    Text,
    _ancestor_refs,
    _marker_view,
    children_by_parent,
    node_ref,
    ordered_markers,
    plan_header,
    rating_view,
    text_lines,
    year_label,
)
from .summary import RatingSummary, rating_summaries

#: Measures listed per page on the page of a plan area or programme.
MEASURES_PER_PAGE = 100


@dataclass(frozen=True)
class PageInfo:
    number: int
    num_pages: int
    count: int
    start_index: int
    end_index: int
    previous_number: int | None
    next_number: int | None

    @classmethod
    def of(cls, page: Page[Any]) -> PageInfo:
        """The page of a ``Paginator`` as the templates show it."""
        return cls(
            number=page.number,
            num_pages=page.paginator.num_pages,
            count=page.paginator.count,
            start_index=page.start_index(),
            end_index=page.end_index(),
            previous_number=page.previous_page_number() if page.has_previous() else None,
            next_number=page.next_page_number() if page.has_next() else None,
        )


# --------------------------------------------------------------------------- home


@dataclass(frozen=True)
class PlanSummary:
    plan: PlanHeader
    measure_count: int


def plan_list() -> list[PlanSummary]:
    """All plans, newest period first, with how many measures each has (counted at write
    time, ``shinchoku.published``). Two queries."""
    plans = list(Plan.objects.order_by("-first_year", "code"))
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    rows = NodeCount.objects.filter(node__isnull=True, level__rated=True).values_list(
        "plan_id", "level__depth", "count"
    )
    for plan_id, depth, n in rows:
        counts[plan_id][depth] = n
    return [
        PlanSummary(
            plan=plan_header(plan),
            # Measures are the nodes of the plan's shallowest rated level.
            measure_count=counts[plan.pk][min(counts[plan.pk])] if counts.get(plan.pk) else 0,
        )
        for plan in plans
    ]


# -------------------------------------------------------------------- plan page


@dataclass(frozen=True)
class _RatedLevel:
    """A plan's measure level (its shallowest rated level) and that level's primary dimension."""

    level: Level | None
    dimension: Dimension | None


def _rated_level(plan: Plan) -> _RatedLevel:
    """Two queries."""
    level = Level.objects.filter(plan=plan, rated=True).order_by("depth").first()
    dimension = None
    if level is not None:
        dimension = (
            Dimension.objects.filter(plan=plan, level=level)
            .select_related("scale")
            .order_by("-primary", "position")
            .first()
        )
    return _RatedLevel(level=level, dimension=dimension)


def _structure(plan: Plan, rated: _RatedLevel) -> QuerySet[Node]:
    """The plan areas and programmes of a plan: non-rated nodes above its measure level."""
    nodes = Node.objects.filter(plan=plan, level__rated=False)
    if rated.level is not None:
        nodes = nodes.filter(level__depth__lt=rated.level.depth)
    return nodes


@dataclass(frozen=True)
class OutlineNode:
    """A plan area or programme with the number of measures under it, and its own outline."""

    node: NodeRef
    measure_count: int
    children: tuple[OutlineNode, ...]


@dataclass(frozen=True)
class PlanOutline:
    plan: PlanHeader
    #: The name of the plan's measure level, e.g. 施策計画 (Measure in English, if named so).
    measure_level_name: str
    measure_count: int
    #: Plan areas and programmes only: measures are listed on their pages.
    roots: tuple[OutlineNode, ...]
    #: One rating table per rated level, top level first.
    summaries: tuple[RatingSummary, ...]


def _outline(
    structure: Sequence[Node], totals: dict[int | None, int], root_id: int | None
) -> tuple[OutlineNode, ...]:
    """The outline under ``root_id`` (None: the plan's top) of non-rated nodes, each with
    its count of measures from ``totals`` (by node id)."""
    children = children_by_parent(structure)

    def build(parent_id: int | None) -> tuple[OutlineNode, ...]:
        return tuple(
            OutlineNode(node=node_ref(node), measure_count=totals.get(node.pk, 0), children=build(node.pk))
            for node in children[parent_id]
        )

    return build(root_id)


def plan_outline(plan_code: str) -> PlanOutline:
    """The plan page: the outline of plan areas and programmes with measure counts, and
    the rating summary of the whole plan. Raises Plan.DoesNotExist. Nine queries."""
    plan = Plan.objects.get(code=plan_code)
    rated = _rated_level(plan)
    structure = list(_structure(plan, rated).select_related("level"))
    totals: dict[int | None, int] = {}
    if rated.level is not None:
        # The plan's and every area's and programme's, in one query.
        totals = dict(NodeCount.objects.filter(plan=plan, level=rated.level).values_list("node_id", "count"))
    return PlanOutline(
        plan=plan_header(plan),
        measure_level_name=shown_name(rated.level) if rated.level else "",
        measure_count=totals.get(None, 0),
        roots=_outline(structure, totals, None),
        summaries=rating_summaries(plan),
    )


# ---------------------------------------------------- plan area / programme page


def node_get(plan_code: str, node_code: str) -> Node:
    """A node by its plan's code and its own, with plan and level. Raises Node.DoesNotExist."""
    return Node.objects.select_related("plan", "level").get(plan__code=plan_code, code=node_code)


@dataclass(frozen=True)
class Highlight:
    """A measure on a summary page: the highlight of its latest result (主な実施結果)."""

    node: NodeRef
    markers: tuple[MarkerView, ...]
    fiscal_year: int | None
    #: "2012年度（平成24年度）"; empty when the measure has no result yet.
    year_label: str
    highlight: Text
    rating: RatingView | None


@dataclass(frozen=True)
class HighlightGroup:
    """The measures of one parent (programme), in their printed order."""

    parent: NodeRef
    #: True when the parent is the page's own node (its heading is not repeated).
    is_page_node: bool
    items: tuple[Highlight, ...]


@dataclass(frozen=True)
class NodeOverview:
    plan: PlanHeader
    node: NodeRef
    breadcrumb: tuple[NodeRef, ...]
    summary: Text
    baseline: Text
    markers: tuple[MarkerView, ...]
    measure_level_name: str
    measure_count: int
    #: The plan areas / programmes below this node with their measure counts.
    outline: tuple[OutlineNode, ...]
    highlights: tuple[HighlightGroup, ...]
    page: PageInfo
    #: One table per dimension of each rated level; a matrix scale's with its matrix.
    summary_tables: tuple[RatingSummary, ...]
    #: The sums of the costs of each rated level under the node; none without costs.
    cost_tables: tuple[CostSummary, ...] = ()


def node_overview(node: Node, *, page: int | str | None = None) -> NodeOverview:
    """The page of a non-rated node: its outline below, the highlights of the latest
    results of the measures under it (paginated, in printed order), the rating
    summaries of its subtree (every dimension, a matrix scale's matrix) and the sums of
    its costs. ``node`` comes from ``node_get``. Nineteen queries (eighteen for a
    top-level node; two fewer where no cost is recorded); only the measures of the
    parents a page spans are read, as light rows (``_PrintedMeasures``)."""
    plan = node.plan
    rated = _rated_level(plan)
    breadcrumb = _ancestor_refs([node])[node.pk]
    # The plan areas and programmes under the node (and itself), each with its count of
    # measures kept at write time.
    kept = NodeCount.objects.filter(node=OuterRef("pk"), level=rated.level).values("count")[:1]
    within = list(
        _structure(plan, rated)
        .filter(path__startswith=node.path)
        .select_related("level")
        .annotate(measures=Subquery(kept))
    )
    structure = [n for n in within if n.pk != node.pk]
    totals: dict[int | None, int] = {n.pk: n.measures or 0 for n in within}
    own_markers = list(ordered_markers().filter(nodes=node))

    outline = _outline(structure, totals, node.pk)
    measures = _PrintedMeasures(node, structure, totals, rated.level)
    paginator = Paginator(measures, MEASURES_PER_PAGE)
    page_obj = paginator.get_page(page)

    highlights = _highlights([row.pk for row in page_obj.object_list], rated.dimension)
    parents = {n.pk: n for n in [node, *structure]}
    groups = [
        _highlight_group(parents.get(parent_id, node), node, [highlights[row.pk] for row in rows])
        for parent_id, rows in groupby(page_obj.object_list, key=lambda row: row.parent_id)
    ]

    return NodeOverview(
        plan=plan_header(plan),
        node=node_ref(node),
        breadcrumb=breadcrumb,
        summary=text_lines(node.summary),
        baseline=text_lines(node.baseline),
        markers=tuple(_marker_view(m) for m in own_markers),
        measure_level_name=shown_name(rated.level) if rated.level else "",
        measure_count=totals.get(node.pk, 0),
        outline=outline,
        highlights=tuple(groups),
        page=PageInfo.of(page_obj),
        summary_tables=rating_summaries(plan, under=node),
        cost_tables=cost_summaries(plan, under=node),
    )


class _PrintedMeasures(Sequence[Any]):
    """The measures under a node in printed order (their parents in the order of the
    outline, then each parent's by position), as light rows, for the paginator: how many
    there are comes from the counts kept of each parent, and a page reads only the
    measures of the parents it spans. One query a page."""

    def __init__(
        self, node: Node, structure: Sequence[Node], totals: dict[int | None, int], level: Level | None
    ) -> None:
        self.level = level
        order = _document_order(node, structure)
        # A parent's own measures: its count less those of the nodes of the outline below it.
        direct = {pk: totals.get(pk, 0) for pk in order}
        for child in structure:
            if child.parent_id in direct:
                direct[child.parent_id] -= totals.get(child.pk, 0)
        self.spans: list[tuple[int, int, int]] = []  # parent id, first index, count
        start = 0
        for pk in sorted(order, key=order.__getitem__):
            if direct[pk] > 0:
                self.spans.append((pk, start, direct[pk]))
                start += direct[pk]
        self.total = start
        self.order = order

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, int):
            return self[index : index + 1][0]
        first, stop, _step = index.indices(self.total)
        spans = [span for span in self.spans if span[1] < stop and span[1] + span[2] > first]
        if not spans or self.level is None:
            return []
        rows: list[Any] = list(
            Node.objects.filter(level=self.level, parent_id__in=[span[0] for span in spans])
            .values_list("pk", "parent_id", "position", "code", named=True)
            .order_by()
        )
        rows.sort(key=lambda row: (self.order[row.parent_id], row.position, row.code))
        return rows[first - spans[0][1] : stop - spans[0][1]]


def _document_order(root: Node, structure: Sequence[Node]) -> dict[int, int]:
    """Index of each node of a subtree in printed order (depth first, siblings by position)."""
    children = children_by_parent(structure)
    order: dict[int, int] = {}
    stack = [root]
    while stack:
        current = stack.pop()
        order[current.pk] = len(order)
        stack.extend(reversed(children[current.pk]))
    return order


def _highlight_group(parent: Node, page_node: Node, items: list[Highlight]) -> HighlightGroup:
    return HighlightGroup(parent=node_ref(parent), is_page_node=parent.pk == page_node.pk, items=tuple(items))


def _highlights(node_ids: Sequence[int], dimension: Dimension | None) -> dict[int, Highlight]:
    """The highlight of each measure's latest result with its primary rating. Four queries."""
    if not node_ids:
        return {}
    latest_year = (
        Result.objects.filter(node_id=OuterRef("node_id")).order_by("-fiscal_year").values("fiscal_year")[:1]
    )
    ratings = Rating.objects.select_related("level", "dimension")
    if dimension is not None:
        ratings = ratings.filter(dimension=dimension)
    nodes = (
        Node.objects.filter(pk__in=node_ids)
        .select_related("level")
        .prefetch_related(
            Prefetch("markers", queryset=ordered_markers()),
            Prefetch(
                "results",
                queryset=Result.objects.filter(fiscal_year=Subquery(latest_year)).prefetch_related(
                    Prefetch("ratings", queryset=ratings)
                ),
                to_attr="latest_results",
            ),
        )
    )
    highlights = {}
    for measure in nodes:
        latest = measure.latest_results[0] if measure.latest_results else None
        rating = None
        if latest is not None:
            found = list(latest.ratings.all())
            if found:
                rating = rating_view(dimension or found[0].dimension, found[0])
        highlights[measure.pk] = Highlight(
            node=node_ref(measure),
            markers=tuple(_marker_view(m) for m in measure.markers.all()),
            fiscal_year=latest.fiscal_year if latest else None,
            year_label=year_label(latest.fiscal_year) if latest else "",
            highlight=text_lines(latest.highlight) if latest else (),
            rating=rating,
        )
    return highlights
