"""Reads of plans and their progress, shaped for the people who read them.

Each public function returns frozen dataclasses (view-models). The public pages
render them; the printed report and the exports are meant to use the same ones, so
layout decisions live here and nowhere else: which columns a table has, how
target items fall into rows × fiscal-year columns, the headings and row labels.
Templates only loop over these.

Every function runs a fixed number of queries whatever the size of the data
(subtrees are one indexed prefix query on ``Node.path``); none queries in a loop.
Labels are translated with the language active when the function is called.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery, prefetch_related_objects
from django.utils.translation import gettext

from shinchoku import fiscal
from shinchoku.plans.models import Dimension, Level, Marker, Node, NodeUnit, Plan, ScaleLevel
from shinchoku.progress.models import Indicator, IndicatorValue, Rating, Result, Target, achievement_rate

#: Measures listed per page on the page of a plan area or programme.
MEASURES_PER_PAGE = 100

#: Characters that open a bulleted line in the source documents.
BULLETS = ("・", "･", "●", "○", "◆", "◇", "■", "□", "※", "-", "‐", "－")


# --------------------------------------------------------------------------- text


@dataclass(frozen=True)
class Line:
    """One line of a text as written; ``bullet`` when it opens with a bullet (・ ● …)."""

    text: str
    bullet: bool


Text = tuple[Line, ...]


def text_lines(text: str) -> Text:
    """Split a stored text into its lines, dropping blank ones and trailing spaces.

    Line breaks are kept as the source has them (each ・ item on its own line);
    leading full-width spaces, used for indenting sub-items, are kept too.
    """
    lines = []
    for raw in (text or "").splitlines():
        line = raw.rstrip()
        if line.strip():
            lines.append(Line(text=line, bullet=line.lstrip(" \u3000").startswith(BULLETS)))
    return tuple(lines)


def format_decimal(value: Decimal | None) -> str:
    """1234.5000 → "1,234.5"; None → ""."""
    if value is None:
        return ""
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        normalized = normalized.quantize(Decimal(1))
    return f"{normalized:,f}"


def format_rate(value: Decimal | None) -> str:
    return f"{format_decimal(value)}%" if value is not None else ""


# --------------------------------------------------------------------- references


@dataclass(frozen=True)
class PlanHeader:
    code: str
    title: str
    period_label: str
    #: "2011(平成23)年度〜2013(平成25)年度"
    period: str
    first_year: int
    last_year: int
    description: Text


@dataclass(frozen=True)
class NodeRef:
    """Enough of a node to name it and link to it."""

    code: str
    label: str
    title: str
    level_name: str
    rated: bool

    @property
    def name(self) -> str:
        """The name as printed: "プラン９ 市民自治と区役所機能の拡充"."""
        return f"{self.label} {self.title}" if self.label else self.title


@dataclass(frozen=True)
class MarkerView:
    symbol: str
    name: str
    #: Empty when the source does not state the meaning (see ``meaning_stated``).
    meaning: str

    @property
    def meaning_stated(self) -> bool:
        return bool(self.meaning)


@dataclass(frozen=True)
class YearColumn:
    year: int
    #: "2012(平成24)年度", or "2014(平成26)年度以降" for the onwards column.
    heading: str
    onwards: bool


@dataclass(frozen=True)
class PageInfo:
    number: int
    num_pages: int
    count: int
    start_index: int
    end_index: int
    previous_number: int | None
    next_number: int | None


def _plan_header(plan: Plan) -> PlanHeader:
    return PlanHeader(
        code=plan.code,
        title=plan.title,
        period_label=plan.period_label,
        period=plan.period_display(),
        first_year=plan.first_year,
        last_year=plan.last_year,
        description=text_lines(plan.description),
    )


def _node_ref(node: Node) -> NodeRef:
    return NodeRef(
        code=node.code,
        label=node.label,
        title=node.title,
        level_name=node.level.name,
        rated=node.level.rated,
    )


def _marker_view(marker: Marker) -> MarkerView:
    return MarkerView(symbol=marker.symbol, name=marker.name, meaning=marker.meaning)


def _sibling_key(node: Node) -> tuple[int, str]:
    return (node.position, node.code)


def year_columns(plan: Plan, *, onwards: bool) -> tuple[YearColumn, ...]:
    """The fiscal-year columns of a plan's tables, with the onwards column if asked and the plan has one."""
    columns = [YearColumn(year, fiscal.both_labels(year), False) for year in plan.fiscal_years]
    if onwards and plan.onwards_year is not None:
        year = plan.onwards_year
        columns.append(YearColumn(year, f"{fiscal.both_labels(year)}以降", True))
    return tuple(columns)


def _ancestor_refs(nodes: Iterable[Node]) -> dict[int, tuple[NodeRef, ...]]:
    """Breadcrumbs (root first, the node itself excluded) for each node, in one query."""
    nodes = list(nodes)
    wanted = {ancestor for node in nodes for ancestor in node.ancestor_ids()}
    found = {n.pk: n for n in Node.objects.filter(pk__in=wanted).select_related("level")} if wanted else {}
    return {node.pk: tuple(_node_ref(found[a]) for a in node.ancestor_ids() if a in found) for node in nodes}


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
            plan=_plan_header(plan),
            # Measures are the nodes of the plan's shallowest rated level.
            measure_count=counts[plan.pk][min(counts[plan.pk])] if counts.get(plan.pk) else 0,
        )
        for plan in plans
    ]


# ------------------------------------------------------------- rating summaries


@dataclass(frozen=True)
class SummaryCell:
    """How many measures got a rating level in a year, and of those how many carry each marker."""

    count: int
    marker_counts: tuple[int, ...]


@dataclass(frozen=True)
class SummaryRow:
    #: "3 目標をほぼ達成", or the translated "Total" for the total row.
    heading: str
    code: str
    label: str
    cells: tuple[SummaryCell, ...]


@dataclass(frozen=True)
class RatingSummary:
    """Per level of the primary dimension's scale: per fiscal year, how many measures got it."""

    caption: str
    dimension_name: str
    years: tuple[YearColumn, ...]
    #: Sub-columns under each year: "Measures", then "of which ○" per marker.
    sub_headings: tuple[str, ...]
    markers: tuple[MarkerView, ...]
    rows: tuple[SummaryRow, ...]
    total: SummaryRow

    @property
    def span(self) -> int:
        """Columns under each year heading."""
        return len(self.sub_headings)


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


def rating_summary(
    plan: Plan, dimension: Dimension | None, *, under: Node | None = None
) -> RatingSummary | None:
    """The aggregate table for a whole plan or the subtree under a node. Four queries."""
    if dimension is None:
        return None
    levels = list(ScaleLevel.objects.filter(scale_id=dimension.scale_id).order_by("position"))
    markers = list(Marker.objects.filter(plan=plan).order_by("position", "symbol"))
    ratings = Rating.objects.filter(dimension=dimension)
    if under is not None:
        ratings = ratings.filter(result__node__path__startswith=under.path)
    counts: dict[tuple[int, int], int] = {}
    for year, level_id, n in (
        ratings.values_list("result__fiscal_year", "level_id").annotate(n=Count("id")).order_by()
    ):
        counts[(year, level_id)] = n
    marked: dict[tuple[int, int, int], int] = {}
    for year, level_id, marker_id, n in (
        ratings.filter(result__node__markers__isnull=False)
        .values_list("result__fiscal_year", "level_id", "result__node__markers")
        .annotate(n=Count("id"))
        .order_by()
    ):
        marked[(year, level_id, marker_id)] = n

    years = year_columns(plan, onwards=False)
    rows = []
    for level in levels:
        cells = tuple(
            SummaryCell(
                count=counts.get((column.year, level.pk), 0),
                marker_counts=tuple(marked.get((column.year, level.pk, m.pk), 0) for m in markers),
            )
            for column in years
        )
        rows.append(
            SummaryRow(heading=f"{level.code} {level.label}", code=level.code, label=level.label, cells=cells)
        )
    total_cells = tuple(
        SummaryCell(
            count=sum(row.cells[i].count for row in rows),
            marker_counts=tuple(
                sum(row.cells[i].marker_counts[j] for row in rows) for j in range(len(markers))
            ),
        )
        for i in range(len(years))
    )
    total = SummaryRow(heading=gettext("Total"), code="", label=gettext("Total"), cells=total_cells)
    return RatingSummary(
        caption=gettext("Measures by %(dimension)s and fiscal year") % {"dimension": dimension.name},
        dimension_name=dimension.name,
        years=years,
        sub_headings=(
            gettext("Measures"),
            *(gettext("of which %(symbol)s") % {"symbol": m.symbol} for m in markers),
        ),
        markers=tuple(_marker_view(m) for m in markers),
        rows=tuple(rows),
        total=total,
    )


# -------------------------------------------------------------------- plan page


@dataclass(frozen=True)
class OutlineNode:
    """A plan area or programme with the number of measures under it, and its own outline."""

    node: NodeRef
    measure_count: int
    children: tuple[OutlineNode, ...]


@dataclass(frozen=True)
class PlanOutline:
    plan: PlanHeader
    #: The name of the plan's measure level as the plan prints it, e.g. 施策計画.
    measure_level_name: str
    measure_count: int
    #: Plan areas and programmes only: measures are listed on their pages.
    roots: tuple[OutlineNode, ...]
    summary: RatingSummary | None


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
    children: dict[int | None, list[Node]] = defaultdict(list)
    for node in structure:
        children[node.parent_id].append(node)

    def build(parent_id: int | None) -> tuple[OutlineNode, ...]:
        return tuple(
            OutlineNode(node=_node_ref(node), measure_count=totals[node.pk], children=build(node.pk))
            for node in sorted(children[parent_id], key=_sibling_key)
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
        plan=_plan_header(plan),
        measure_level_name=rated.level.name if rated.level else "",
        measure_count=sum(counts_by_parent.values()),
        roots=roots,
        summary=rating_summary(plan, rated.dimension),
    )


# ---------------------------------------------------- plan area / programme page


def node_get(plan_code: str, node_code: str) -> Node:
    """A node by its plan's code and its own, with plan and level. Raises Node.DoesNotExist."""
    return Node.objects.select_related("plan", "level").get(plan__code=plan_code, code=node_code)


@dataclass(frozen=True)
class RatingView:
    dimension_key: str
    #: 達成状況区分
    dimension_name: str
    #: "3"; empty when this dimension was not rated.
    code: str
    #: 目標をほぼ達成
    label: str
    adverse: bool

    @property
    def rated(self) -> bool:
        return bool(self.code)

    @property
    def display(self) -> str:
        """The code and label: 3 目標をほぼ達成."""
        return f"{self.code} {self.label}" if self.code else ""


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
    summary_table: RatingSummary | None


def year_label(fiscal_year: int) -> str:
    """Both forms of a fiscal year: 2012年度（平成24年度）."""
    return f"{fiscal.western_label(fiscal_year)}（{fiscal.wareki_label(fiscal_year)}）"


def _rating_view(dimension: Dimension, rating: Rating | None) -> RatingView:
    return RatingView(
        dimension_key=dimension.key,
        dimension_name=dimension.name,
        code=rating.level.code if rating else "",
        label=rating.level.label if rating else "",
        adverse=rating.level.adverse if rating else False,
    )


def node_overview(node: Node, *, page: int | str | None = None) -> NodeOverview:
    """The page of a non-rated node: its outline below, the highlights of the latest
    results of the measures under it (paginated, in printed order), and the rating
    summary of its subtree. ``node`` comes from ``node_get``. Fourteen queries (thirteen
    for a top-level node); the measures are read as light rows to sort and page them."""
    plan = node.plan
    rated = _rated_level(plan)
    breadcrumb = _ancestor_refs([node])[node.pk]
    structure = [
        n
        for n in _structure(plan, rated).filter(path__startswith=node.path).select_related("level")
        if n.pk != node.pk
    ]
    own_markers = list(Marker.objects.filter(nodes=node).order_by("position", "symbol"))

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
        plan=_plan_header(plan),
        node=_node_ref(node),
        breadcrumb=breadcrumb,
        summary=text_lines(node.summary),
        baseline=text_lines(node.baseline),
        markers=tuple(_marker_view(m) for m in own_markers),
        measure_level_name=rated.level.name if rated.level else "",
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
        summary_table=rating_summary(plan, rated.dimension, under=node),
    )


def _document_order(root: Node, structure: Sequence[Node]) -> dict[int, int]:
    """Index of each node of a subtree in printed order (depth first, siblings by position)."""
    children: dict[int | None, list[Node]] = defaultdict(list)
    for node in structure:
        children[node.parent_id].append(node)
    order: dict[int, int] = {}
    stack = [root]
    while stack:
        current = stack.pop()
        order[current.pk] = len(order)
        stack.extend(reversed(sorted(children[current.pk], key=_sibling_key)))
    return order


def _highlight_group(parent: Node, page_node: Node, items: list[Highlight]) -> HighlightGroup:
    return HighlightGroup(
        parent=_node_ref(parent), is_page_node=parent.pk == page_node.pk, items=tuple(items)
    )


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
            Prefetch("markers", queryset=Marker.objects.order_by("position", "symbol")),
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
                rating = _rating_view(dimension or found[0].dimension, found[0])
        highlights[measure.pk] = Highlight(
            node=_node_ref(measure),
            markers=tuple(_marker_view(m) for m in measure.markers.all()),
            fiscal_year=latest.fiscal_year if latest else None,
            year_label=year_label(latest.fiscal_year) if latest else "",
            highlight=text_lines(latest.highlight) if latest else (),
            rating=rating,
        )
    return highlights


# ------------------------------------------------------------------ measure sheet


@dataclass(frozen=True)
class TargetItem:
    """One target item (● item of a cell), as planned and, if revised, as revised."""

    text: Text
    revised_text: Text
    revision_reason: Text
    note: Text

    @property
    def revised(self) -> bool:
        return bool(self.revised_text)


@dataclass(frozen=True)
class TargetCell:
    """A cell of the target table; spans ``colspan`` year columns; empty when no items."""

    colspan: int
    #: "2012年度〜2014年度以降"; empty for an empty cell.
    period_label: str
    items: tuple[TargetItem, ...]


@dataclass(frozen=True)
class TargetRow:
    """One target row (``Target.row``). Overlapping spans in a row take extra lines."""

    number: int
    heading: str
    lines: tuple[tuple[TargetCell, ...], ...]

    @property
    def span(self) -> int:
        return len(self.lines)


@dataclass(frozen=True)
class TargetTable:
    caption: str
    columns: tuple[YearColumn, ...]
    rows: tuple[TargetRow, ...]
    #: Row headings are printed only when there is more than one row.
    row_headings: bool
    row_heading_label: str
    planned_label: str
    revised_label: str
    reason_label: str


def target_table(plan: Plan, targets: Iterable[Target]) -> TargetTable:
    """Lay target items out as the printed 事業内容・目標 table: one row per ``row``, one
    column per fiscal year plus the onwards column; a span is one cell across its
    columns; items with the same span in a row share a cell, in order."""
    columns = year_columns(plan, onwards=True)
    last = len(columns) - 1

    def column_of(year: int) -> int:
        return min(max(year - plan.first_year, 0), last)

    by_row: dict[int, dict[tuple[int, int], list[Target]]] = defaultdict(lambda: defaultdict(list))
    for target in sorted(targets, key=lambda t: (t.row, t.start_year, t.end_year, t.position, t.pk or 0)):
        span = (column_of(target.start_year), column_of(target.end_year))
        by_row[target.row][span].append(target)

    rows = []
    for number in sorted(by_row):
        lines: list[list[tuple[int, int] | None]] = []
        for span in sorted(by_row[number], key=lambda s: (s[0], -s[1])):
            for line in lines:
                if all(line[i] is None for i in range(span[0], span[1] + 1)):
                    break
            else:
                line = [None] * len(columns)
                lines.append(line)
            for i in range(span[0], span[1] + 1):
                line[i] = span
        cell_lines = []
        for line in lines:
            cells = []
            i = 0
            while i <= last:
                span = line[i]
                if span is None:
                    cells.append(TargetCell(colspan=1, period_label="", items=()))
                    i += 1
                    continue
                items = by_row[number][span]
                cells.append(
                    TargetCell(
                        colspan=span[1] - span[0] + 1,
                        period_label=items[0].period_label,
                        items=tuple(
                            TargetItem(
                                text=text_lines(t.text),
                                revised_text=text_lines(t.revised_text),
                                revision_reason=text_lines(t.revision_reason),
                                note=text_lines(t.note),
                            )
                            for t in items
                        ),
                    )
                )
                i = span[1] + 1
            cell_lines.append(tuple(cells))
        rows.append(
            TargetRow(
                number=number,
                heading=gettext("Row %(number)s") % {"number": number},
                lines=tuple(cell_lines),
            )
        )
    return TargetTable(
        caption=gettext("Targets by fiscal year"),
        columns=columns,
        rows=tuple(rows),
        row_headings=len(rows) > 1,
        row_heading_label=gettext("Row"),
        planned_label=gettext("As planned"),
        revised_label=gettext("Revised"),
        reason_label=gettext("Reason for the revision"),
    )


@dataclass(frozen=True)
class ResultView:
    fiscal_year: int
    #: "2012年度"
    western: str
    #: "平成24年度"
    wareki: str
    text: Text
    #: One per dimension of the node's level, in order; ``rated`` false where not rated.
    ratings: tuple[RatingView, ...]
    context_change: Text
    response: Text
    highlight: Text


@dataclass(frozen=True)
class UnitGroup:
    role: str
    #: "responsible (所管)", translated
    role_label: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorRow:
    heading: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorView:
    name: str
    kind_label: str
    unit: str
    direction_label: str
    #: "120 (2010年度)" or empty.
    baseline: str
    caption: str
    columns: tuple[YearColumn, ...]
    #: Target value, actual value, achievement rate: one cell per column.
    rows: tuple[IndicatorRow, ...]


@dataclass(frozen=True)
class SourceNote:
    #: What the note is about: "This measure", "Target 2011年度: ●…", "Result 2012年度（平成24年度）".
    subject: str
    note: Text


def _source_notes(node: Node) -> tuple[SourceNote, ...]:
    notes = []
    if node.note.strip():
        notes.append(SourceNote(gettext("This measure"), text_lines(node.note)))
    for target in node.targets.all():
        if target.note.strip():
            first = text_lines(target.text)
            subject = gettext("Target %(period)s") % {"period": target.period_label}
            notes.append(SourceNote(f"{subject}: {first[0].text if first else ''}", text_lines(target.note)))
    for result in node.results.all():
        if result.note.strip():
            subject = gettext("Result %(year)s") % {"year": year_label(result.fiscal_year)}
            notes.append(SourceNote(subject, text_lines(result.note)))
    return tuple(notes)


@dataclass(frozen=True)
class MeasureSheet:
    """Everything the printed table shows for one measure."""

    plan: PlanHeader
    node: NodeRef
    breadcrumb: tuple[NodeRef, ...]
    summary: Text
    baseline: Text
    markers: tuple[MarkerView, ...]
    units: tuple[UnitGroup, ...]
    targets: TargetTable
    results: tuple[ResultView, ...]
    indicators: tuple[IndicatorView, ...]
    children: tuple[NodeRef, ...]
    #: Provenance and editorial notes of the measure, its targets and results: not part
    #: of the printed table, shown apart from it.
    source_notes: tuple[SourceNote, ...]


def _indicator_view(plan: Plan, indicator: Indicator, values: Sequence[IndicatorValue]) -> IndicatorView:
    years = sorted({v.fiscal_year for v in values})
    by_year = {v.fiscal_year: v for v in values}
    columns = tuple(
        YearColumn(
            year,
            f"{fiscal.both_labels(year)}以降" if year == plan.onwards_year else fiscal.both_labels(year),
            year == plan.onwards_year,
        )
        for year in years
    )
    unit = f" ({indicator.unit})" if indicator.unit else ""
    baseline = ""
    if indicator.baseline_value is not None:
        baseline = format_decimal(indicator.baseline_value) + (indicator.unit or "")
        if indicator.baseline_year:
            baseline += f"（{fiscal.western_label(indicator.baseline_year)}）"
    return IndicatorView(
        name=indicator.name,
        kind_label=str(indicator.get_kind_display()),
        unit=indicator.unit,
        direction_label=str(indicator.get_direction_display()),
        baseline=baseline,
        caption=f"{indicator.name}{unit}",
        columns=columns,
        rows=(
            IndicatorRow(gettext("Target value"), tuple(format_decimal(by_year[y].target) for y in years)),
            IndicatorRow(gettext("Actual value"), tuple(format_decimal(by_year[y].actual) for y in years)),
            IndicatorRow(
                gettext("Achievement rate"),
                tuple(
                    format_rate(achievement_rate(indicator.direction, by_year[y].target, by_year[y].actual))
                    for y in years
                ),
            ),
        ),
    )


def measure_sheets(nodes: Sequence[Node]) -> list[MeasureSheet]:
    """The sheets of the given rated nodes, in the given order, in a fixed number of
    queries (ten, plus two if plan and level were not select_related) however many nodes
    there are: the printed report can pass a whole plan's measures at once."""
    nodes = list(nodes)
    if not nodes:
        return []
    prefetch_related_objects(
        nodes,
        "plan",
        "level",
        Prefetch("targets", queryset=Target.objects.order_by("row", "start_year", "position", "pk")),
        Prefetch(
            "results",
            queryset=Result.objects.order_by("fiscal_year").prefetch_related(
                Prefetch("ratings", queryset=Rating.objects.select_related("level", "dimension"))
            ),
        ),
        Prefetch("markers", queryset=Marker.objects.order_by("position", "symbol")),
        Prefetch("unit_roles", queryset=NodeUnit.objects.select_related("unit").order_by("unit__code")),
        Prefetch(
            "indicators",
            queryset=Indicator.objects.order_by("position", "pk").prefetch_related(
                Prefetch("values", queryset=IndicatorValue.objects.order_by("fiscal_year"))
            ),
        ),
    )
    crumbs = _ancestor_refs(nodes)
    dimensions: dict[int, list[Dimension]] = defaultdict(list)
    for dimension in Dimension.objects.filter(level_id__in={n.level_id for n in nodes}).order_by("position"):
        dimensions[dimension.level_id].append(dimension)
    children: dict[int, list[Node]] = defaultdict(list)
    for child in Node.objects.filter(parent_id__in=[n.pk for n in nodes]).select_related("level"):
        children[child.parent_id].append(child)

    sheets = []
    for node in nodes:
        results = []
        for result in node.results.all():
            by_dimension = {r.dimension_id: r for r in result.ratings.all()}
            level_dimensions = dimensions[node.level_id]
            known = {d.pk for d in level_dimensions}
            extra = [r for r in result.ratings.all() if r.dimension_id not in known]
            results.append(
                ResultView(
                    fiscal_year=result.fiscal_year,
                    western=fiscal.western_label(result.fiscal_year),
                    wareki=fiscal.wareki_label(result.fiscal_year),
                    text=text_lines(result.text),
                    ratings=(
                        *(_rating_view(d, by_dimension.get(d.pk)) for d in level_dimensions),
                        *(_rating_view(r.dimension, r) for r in extra),
                    ),
                    context_change=text_lines(result.context_change),
                    response=text_lines(result.response),
                    highlight=text_lines(result.highlight),
                )
            )
        roles: dict[str, list[str]] = defaultdict(list)
        for role in node.unit_roles.all():
            roles[role.role].append(role.unit.name)
        sheets.append(
            MeasureSheet(
                plan=_plan_header(node.plan),
                node=_node_ref(node),
                breadcrumb=crumbs[node.pk],
                summary=text_lines(node.summary),
                baseline=text_lines(node.baseline),
                markers=tuple(_marker_view(m) for m in node.markers.all()),
                units=tuple(
                    UnitGroup(role=role.value, role_label=str(role.label), names=tuple(roles[role.value]))
                    for role in NodeUnit.Role
                    if roles.get(role.value)
                ),
                targets=target_table(node.plan, node.targets.all()),
                results=tuple(results),
                indicators=tuple(
                    _indicator_view(node.plan, indicator, list(indicator.values.all()))
                    for indicator in node.indicators.all()
                ),
                children=tuple(_node_ref(c) for c in sorted(children[node.pk], key=_sibling_key)),
                source_notes=_source_notes(node),
            )
        )
    return sheets


def measure_sheet(node: Node) -> MeasureSheet:
    """The sheet of one rated node from ``node_get``. Ten queries."""
    return measure_sheets([node])[0]
