"""The nodes of a plan: a page of them, filtered, and one node with its place in the tree,
texts, markers and organisation units.

Pages are cut by id (keyset): a page is the first ``limit`` nodes after the cursor, read
through the primary key's index, so that the hundredth page costs what the first does,
and nothing is counted: the last page says so by having no next cursor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.http import urlencode

from shinchoku.api.schemas.structure import (
    LevelCount,
    MarkerInfo,
    NodeDetail,
    NodeItem,
    NodeLink,
    NodePage,
    SectionText,
    UnitRole,
)
from shinchoku.plans.models import Node, NodeSectionText, NodeUnit
from shinchoku.plans.sections import plan_sections, section_texts
from shinchoku.plans.selectors.common import ordered_markers
from shinchoku.progress.models import Rating, Result
from shinchoku.published.models import NodeCount, ResultYear

from .common import api_path, node_get, node_id, node_path, page_path, plan_get

#: Nodes a page holds unless asked for fewer, and at most.
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class NodeFilter:
    """What a list of nodes is narrowed to; each empty or None filters nothing. ``rating``
    is a code on the primary dimension of the node's level, in ``year`` when given."""

    level: str = ""
    parent: str = ""
    unit: str = ""
    role: str = ""
    marker: str = ""
    year: int | None = None
    rating: str = ""

    def apply(self, nodes: QuerySet[Node]) -> QuerySet[Node]:
        if self.level:
            nodes = nodes.filter(level__key=self.level)
        if self.parent:
            nodes = nodes.filter(parent__code=self.parent)
        if self.unit:
            roles = NodeUnit.objects.filter(unit__code=self.unit)
            if self.role:
                roles = roles.filter(role=self.role)
            nodes = nodes.filter(pk__in=roles.values("node_id"))
        if self.marker:
            marked = Node.markers.through.objects.filter(marker__symbol=self.marker)
            nodes = nodes.filter(pk__in=marked.values("node_id"))
        if self.rating:
            ratings = Rating.objects.filter(dimension__primary=True, level__code=self.rating)
            if self.year is not None:
                ratings = ratings.filter(result__fiscal_year=self.year)
            nodes = nodes.filter(pk__in=ratings.values("result__node_id"))
        elif self.year is not None:
            nodes = nodes.filter(pk__in=Result.objects.filter(fiscal_year=self.year).values("node_id"))
        return nodes


def node_page(plan_code: str, filters: NodeFilter, *, after: int = 0, limit: int = PAGE_SIZE) -> NodePage:
    """The first ``limit`` nodes of the plan that pass ``filters`` whose id is above
    ``after``, by id. Raises NotFound. Three queries, whatever the size of the plan."""
    plan = plan_get(plan_code)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    nodes = filters.apply(Node.objects.filter(plan=plan))
    rows = list(nodes.filter(pk__gt=after).select_related("level", "parent").order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    symbols: defaultdict[int, list[str]] = defaultdict(list)
    if rows:
        marked = (
            Node.markers.through.objects.filter(node_id__in=[node.pk for node in rows])
            .order_by("marker__position", "marker__symbol")
            .values_list("node_id", "marker__symbol")
        )
        for pk, symbol in marked:
            symbols[pk].append(symbol)
    return NodePage(
        items=[
            NodeItem(
                node_id=node_id(plan.code, node.code),
                code=node.code,
                label=node.label,
                title=node.title,
                level=node.level.key,
                rated=node.level.rated,
                parent=node.parent.code if node.parent else None,
                position=node.position,
                markers=symbols[node.pk],
                url=node_path(plan.code, node.code),
            )
            for node in rows
        ],
        limit=limit,
        next_cursor=str(rows[-1].pk) if more else None,
    )


def node_detail(plan_code: str, node_code: str) -> NodeDetail:
    """One node: its ancestors, texts (its level's sections about the node), markers,
    organisation units, the years with results under it and, for a plan area or
    programme, the nodes under it per level (kept at write time). Raises NotFound.
    Nine queries at most."""
    node = node_get(plan_code, node_code)
    plan = node.plan
    ancestors = {n.pk: n for n in Node.objects.filter(pk__in=node.ancestor_ids()).select_related("level")}
    sections = [s for s in plan_sections(plan, [node.level])[node.level_id] if s.scope == "node"]
    texts: dict[int, str] = {}
    if any(not section.builtin for section in sections):
        texts = dict(NodeSectionText.objects.filter(node=node).values_list("section_id", "text"))
    units = NodeUnit.objects.filter(node=node).select_related("unit").order_by("role", "unit__code")
    years: set[int]
    if node.level.rated:
        under = Result.objects.filter(node__path__startswith=node.path).order_by()
        years = set(under.values_list("fiscal_year", flat=True).distinct())
        counts: list[LevelCount] = []
    else:
        years = set(ResultYear.objects.filter(node=node).order_by().values_list("fiscal_year", flat=True))
        counts = [
            LevelCount(level=level, count=count)
            for level, count in NodeCount.objects.filter(node=node)
            .order_by("level__depth")
            .values_list("level__key", "count")
        ]
    return NodeDetail(
        node_id=node_id(plan.code, node.code),
        plan=plan.code,
        code=node.code,
        label=node.label,
        title=node.title,
        level=node.level.key,
        rated=node.level.rated,
        position=node.position,
        ancestors=[_link(plan.code, ancestors[pk]) for pk in node.ancestor_ids() if pk in ancestors],
        summary=node.summary,
        baseline=node.baseline,
        sections=[
            SectionText(key=section.key, name=section.name, text=text)
            for section, text in section_texts(node, sections, texts)
        ],
        markers=[
            MarkerInfo(symbol=marker.symbol, name=marker.name, name_en=marker.name_en, meaning=marker.meaning)
            for marker in ordered_markers().filter(nodes=node)
        ],
        units=[UnitRole(code=role.unit.code, name=role.unit.name, role=role.role) for role in units],
        result_years=sorted(years),
        node_counts=counts,
        children_url=f"{api_path('nodes', plan_code=plan.code)}?{urlencode({'parent': node.code})}",
        page_url=page_path(plan.code, node.code),
    )


def _link(plan_code: str, node: Node) -> NodeLink:
    return NodeLink(
        code=node.code,
        label=node.label,
        title=node.title,
        level=node.level.key,
        url=node_path(plan_code, node.code),
    )
