"""The pages above the measures: the list of plans, a plan's outline of plan areas and
programmes, and the overview of one area or programme with the highlights of the
latest results of the measures under it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery

from shinchoku.plans.models import Dimension, Level, Node, Plan
from shinchoku.plans.names import shown_name
from shinchoku.progress.models import Rating, Result

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


# --------------------------------------------------------------------------- home


@dataclass(frozen=True)
class PlanSummary:
    plan: PlanHeader
    measure_count: int


def plan_list() -> list[PlanSummary]:
    """All plans, newest period first, with how many measures each has. Two queries."""
    plans = list(Plan.objects.order_by("-first_year", "code"))
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    rows = (
        Node.objects.filter(level__rated=True)
        .values_list("plan_id", "level__depth")
        .annotate(n=Count("id"))
        .order_by()
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
    structure: Sequence[Node], counts_by_parent: dict[int, int], root_id: int | None
) -> tuple[tuple[OutlineNode, ...], dict[int, int]]:
    """The outline under ``root_id`` (None: the plan's top) of non-rated nodes, and the
    measure count of each, rolled up from the counts of measures by parent."""
    totals: dict[int, int] = defaultdict(int)
    by_id = {node.pk: node for node in structure}
    for parent_id, n in counts_by_parent.items():
        parent = by_id.get(parent_id)
        if parent is None:
            continue
        for ancestor in (*parent.ancestor_ids(), parent.pk):
            totals[ancestor] += n
    children = children_by_parent(structure)

    def build(parent_id: int | None) -> tuple[OutlineNode, ...]:
        return tuple(
            OutlineNode(node=node_ref(node), measure_count=totals[node.pk], children=build(node.pk))
            for node in children[parent_id]
        )

    return build(root_id), totals


def plan_outline(plan_code: str) -> PlanOutline:
    """The plan page: the outline of plan areas and programmes with measure counts, and
    the rating summary of the whole plan. Raises Plan.DoesNotExist. Nine queries."""
    plan = Plan.objects.get(code=plan_code)
    rated = _rated_level(plan)
    structure = list(_structure(plan, rated).select_related("level"))
    counts_by_parent: dict[int, int] = {}
    if rated.level is not None:
        counts_by_parent = dict(
            Node.objects.filter(plan=plan, level=rated.level)
            .values_list("parent_id")
            .annotate(n=Count("id"))
            .order_by()
        )
    roots, _totals = _outline(structure, counts_by_parent, None)
    return PlanOutline(
        plan=plan_header(plan),
        measure_level_name=shown_name(rated.level) if rated.level else "",
        measure_count=sum(counts_by_parent.values()),
        roots=roots,
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
    top-level node; two fewer where no cost is recorded); the measures are read as light
    rows to sort and page them."""
    plan = node.plan
    rated = _rated_level(plan)
    breadcrumb = _ancestor_refs([node])[node.pk]
    structure = [
        n
        for n in _structure(plan, rated).filter(path__startswith=node.path).select_related("level")
        if n.pk != node.pk
    ]
    own_markers = list(ordered_markers().filter(nodes=node))

    measure_rows: list[Any] = []
    if rated.level is not None:
        measure_rows = list(
            Node.objects.filter(plan=plan, level=rated.level, path__startswith=node.path)
            .values_list("pk", "parent_id", "position", "code", named=True)
            .order_by()
        )
    counts_by_parent: dict[int, int] = defaultdict(int)
    for row in measure_rows:
        counts_by_parent[row.parent_id] += 1
    outline, totals = _outline([node, *structure], counts_by_parent, node.pk)

    # Printed order: parents in the order of the outline, then each parent's measures.
    order = _document_order(node, structure)
    measure_rows.sort(key=lambda row: (order.get(row.parent_id, len(order)), row.position, row.code))
    paginator = Paginator(measure_rows, MEASURES_PER_PAGE)
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
        page=PageInfo(
            number=page_obj.number,
            num_pages=paginator.num_pages,
            count=paginator.count,
            start_index=page_obj.start_index(),
            end_index=page_obj.end_index(),
            previous_number=page_obj.previous_page_number() if page_obj.has_previous() else None,
            next_number=page_obj.next_page_number() if page_obj.has_next() else None,
        ),
        summary_tables=rating_summaries(plan, under=node),
        cost_tables=cost_summaries(plan, under=node),
    )


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
