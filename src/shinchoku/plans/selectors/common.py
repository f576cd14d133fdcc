"""The view-model pieces every page shares, and the helpers that build them.

Text and its lines, number and fiscal-year formatting, the references to a plan,
a node and a marker, year columns, ratings, and breadcrumbs. The helpers with a
leading underscore are for the sibling modules of this package only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from shinchoku import fiscal
from shinchoku.plans.models import Dimension, Marker, Node, Plan, sibling_order
from shinchoku.plans.names import shown_label, shown_name
from shinchoku.progress.models import Rating

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


def year_label(fiscal_year: int) -> str:
    """A fiscal year in the active language: 2012年度（平成24年度）, FY2012."""
    return fiscal.year_label(fiscal_year)


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
    #: The level's name in the page's language (``plans.names``): 施策計画, Measure.
    level_name: str
    rated: bool

    @property
    def name(self) -> str:
        """The name as printed: "プラン９ 市民自治と区役所機能の拡充"."""
        return f"{self.label} {self.title}" if self.label else self.title


@dataclass(frozen=True)
class MarkerView:
    symbol: str
    #: In the page's language, as every plan name here (``plans.names``).
    name: str
    #: Empty when the source does not state the meaning (see ``meaning_stated``).
    meaning: str

    @property
    def meaning_stated(self) -> bool:
        return bool(self.meaning)


@dataclass(frozen=True)
class YearColumn:
    year: int
    #: "2012(平成24)年度", or "2014(平成26)年度以降" for the onwards column (FY2012 in English).
    heading: str
    onwards: bool


@dataclass(frozen=True)
class RatingView:
    dimension_key: str
    #: 達成状況区分 (Achievement status on the English pages, when the plan names it so).
    dimension_name: str
    #: "3"; empty when this dimension was not rated.
    code: str
    #: 目標をほぼ達成 (Mostly achieved the target).
    label: str
    adverse: bool
    #: Why it was rated so (評価の理由); empty when not given.
    reason: Text = ()

    @property
    def rated(self) -> bool:
        return bool(self.code)

    @property
    def display(self) -> str:
        """The code and label: 3 目標をほぼ達成."""
        return f"{self.code} {self.label}" if self.code else ""


@dataclass(frozen=True)
class PageCrumb:
    """The last crumb of a page under a node's own (its years, a comparison): named, not linked."""

    name: str


def plan_header(plan: Plan) -> PlanHeader:
    return PlanHeader(
        code=plan.code,
        title=plan.title,
        period_label=plan.period_label,
        period=plan.period_display(),
        first_year=plan.first_year,
        last_year=plan.last_year,
        description=text_lines(plan.description),
    )


def node_ref(node: Node) -> NodeRef:
    return NodeRef(
        code=node.code,
        label=node.label,
        title=node.title,
        level_name=shown_name(node.level),
        rated=node.level.rated,
    )


def _marker_view(marker: Marker) -> MarkerView:
    return MarkerView(symbol=marker.symbol, name=shown_name(marker), meaning=marker.meaning)


def ordered_markers() -> QuerySet[Marker]:
    """Markers in the order they are listed everywhere: by position, then symbol."""
    return Marker.objects.order_by("position", "symbol")


def marker_symbols(plan_ids: Iterable[int]) -> defaultdict[int, list[str]]:
    """The symbols of the markers each node of the plans ``plan_ids`` bears, by node id,
    in the order markers are listed everywhere (``ordered_markers``); one query."""
    symbols: defaultdict[int, list[str]] = defaultdict(list)
    for node_id, symbol in (
        Node.markers.through.objects.filter(node__plan_id__in=list(plan_ids))
        .order_by("marker__position", "marker__symbol")
        .values_list("node_id", "marker__symbol")
    ):
        symbols[node_id].append(symbol)
    return symbols


def rating_view(dimension: Dimension, rating: Rating | None) -> RatingView:
    return RatingView(
        dimension_key=dimension.key,
        dimension_name=shown_name(dimension),
        code=rating.level.code if rating else "",
        label=shown_label(rating.level) if rating else "",
        adverse=rating.level.adverse if rating else False,
        reason=text_lines(rating.reason) if rating else (),
    )


def _year_column(plan: Plan, year: int) -> YearColumn:
    """The column of a fiscal year; the plan's onwards year gets the onwards heading."""
    onwards = year == plan.onwards_year
    return YearColumn(year, fiscal.year_heading(year, onwards=onwards), onwards)


def year_columns(plan: Plan, *, onwards: bool) -> tuple[YearColumn, ...]:
    """The fiscal-year columns of a plan's tables, with the onwards column if asked and the plan has one."""
    columns = [_year_column(plan, year) for year in plan.fiscal_years]
    if onwards and plan.onwards_year is not None:
        columns.append(_year_column(plan, plan.onwards_year))
    return tuple(columns)


# -------------------------------------------------------------------------- trees


def children_by_parent(nodes: Iterable[Node]) -> defaultdict[int | None, list[Node]]:
    """The given nodes grouped by parent id, each group in printed order (position, code)."""
    children: defaultdict[int | None, list[Node]] = defaultdict(list)
    for node in sorted(nodes, key=lambda n: sibling_order(n.position, n.code)):
        children[node.parent_id].append(node)
    return children


def _ancestor_refs(nodes: Iterable[Node]) -> dict[int, tuple[NodeRef, ...]]:
    """Breadcrumbs (root first, the node itself excluded) for each node, in one query."""
    nodes = list(nodes)
    wanted = {ancestor for node in nodes for ancestor in node.ancestor_ids()}
    found = {n.pk: n for n in Node.objects.filter(pk__in=wanted).select_related("level")} if wanted else {}
    return _breadcrumbs(nodes, found)


def _breadcrumbs(nodes: Iterable[Node], ancestors: dict[int, Node]) -> dict[int, tuple[NodeRef, ...]]:
    """Breadcrumbs (root first, the node itself excluded) for each node, from its
    ancestors read already (with their levels), by id."""
    return {
        node.pk: tuple(node_ref(ancestors[a]) for a in node.ancestor_ids() if a in ancestors)
        for node in nodes
    }
