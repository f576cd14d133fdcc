"""The plans: the list of them, and one plan with its vocabulary and outline."""

from __future__ import annotations

from django.db.models import Q

from shinchoku.api.schemas.structure import (
    DimensionInfo,
    LevelInfo,
    MarkerInfo,
    OutlineItem,
    PlanDetail,
    PlanItem,
    PlanList,
    ScaleInfo,
    ScaleLevelInfo,
    SectionInfo,
)
from shinchoku.plans import selectors
from shinchoku.plans.models import Dimension, Level, Node, Plan, ScaleLevel
from shinchoku.plans.sections import plan_sections
from shinchoku.plans.selectors.common import children_by_parent, ordered_markers
from shinchoku.published.models import NodeCount
from shinchoku.reports.selectors import report_years

from .common import api_path, node_path, page_path, plan_get


def plan_list() -> PlanList:
    """Every plan, newest period first, with its number of measures (the home page's
    list: ``plans.selectors.plan_list``). Two queries."""
    return PlanList(
        items=[
            PlanItem(
                code=item.plan.code,
                title=item.plan.title,
                period_label=item.plan.period_label,
                first_year=item.plan.first_year,
                last_year=item.plan.last_year,
                description="\n".join(line.text for line in item.plan.description),
                measure_count=item.measure_count,
                url=api_path("plan", plan_code=item.plan.code),
                page_url=page_path(item.plan.code),
            )
            for item in selectors.plan_list()
        ]
    )


def plan_detail(plan_code: str) -> PlanDetail:
    """A plan with its levels, dimensions (each with its scale), markers and sections, and
    the outline of its plan areas and programmes with their counts of measures (kept at
    write time). Raises NotFound. Nine queries, whatever the size of the plan."""
    plan = plan_get(plan_code)
    levels = list(Level.objects.filter(plan=plan).order_by("depth"))
    keys = {level.pk: level.key for level in levels}
    dimensions = list(
        Dimension.objects.filter(plan=plan)
        .select_related("level", "scale")
        .order_by("level__depth", "-primary", "position", "key")
    )
    scale_levels: dict[int, list[ScaleLevelInfo]] = {}
    for scale_level in ScaleLevel.objects.filter(scale_id__in={d.scale_id for d in dimensions}).order_by(
        "position"
    ):
        scale_levels.setdefault(scale_level.scale_id, []).append(_scale_level(scale_level))
    measure_level = next((level for level in levels if level.rated), None)
    counts: dict[int | None, int] = {}
    if measure_level is not None:
        counts = dict(
            NodeCount.objects.filter(plan=plan, level=measure_level).values_list("node_id", "count")
        )
    return PlanDetail(
        code=plan.code,
        title=plan.title,
        period_label=plan.period_label,
        first_year=plan.first_year,
        last_year=plan.last_year,
        onwards_year=plan.onwards_year,
        amount_unit=plan.amount_unit,
        description=plan.description,
        measure_count=counts.get(None, 0),
        report_years=list(report_years(plan)),
        levels=[
            LevelInfo(
                key=level.key,
                depth=level.depth,
                kind=level.kind,
                name=level.name,
                name_en=level.name_en,
                rated=level.rated,
            )
            for level in levels
        ],
        dimensions=[
            DimensionInfo(
                key=dimension.key,
                level=dimension.level.key,
                name=dimension.name,
                name_en=dimension.name_en,
                primary=dimension.primary,
                scale=ScaleInfo(
                    code=dimension.scale.code,
                    name=dimension.scale.name,
                    name_en=dimension.scale.name_en,
                    good_end=dimension.scale.good_end,
                    levels=scale_levels.get(dimension.scale_id, []),
                ),
            )
            for dimension in dimensions
        ],
        markers=[
            MarkerInfo(symbol=marker.symbol, name=marker.name, name_en=marker.name_en, meaning=marker.meaning)
            for marker in ordered_markers().filter(plan=plan)
        ],
        sections=[
            SectionInfo(
                key=section.key,
                level=keys[level_id],
                name=section.name,
                name_en=section.name_en,
                scope=section.scope,
            )
            for level_id, sections in plan_sections(plan, levels).items()
            for section in sections
        ],
        outline=_outline(plan, measure_level, counts),
        page_url=page_path(plan.code),
    )


def _scale_level(level: ScaleLevel) -> ScaleLevelInfo:
    return ScaleLevelInfo(
        code=level.code,
        label=level.label,
        label_en=level.label_en,
        position=level.position,
        adverse=level.adverse,
    )


def _outline(plan: Plan, measure_level: Level | None, counts: dict[int | None, int]) -> list[OutlineItem]:
    """The plan areas and programmes (the nodes of the levels above the measures, none of
    them rated) depth first, siblings in printed order. One query."""
    above = Q(level__rated=False)
    if measure_level is not None:
        above &= Q(level__depth__lt=measure_level.depth)
    structure = list(Node.objects.filter(above, plan=plan).select_related("level", "parent"))
    children = children_by_parent(structure)
    items: list[OutlineItem] = []
    stack = list(reversed(children[None]))
    while stack:
        node = stack.pop()
        items.append(
            OutlineItem(
                code=node.code,
                label=node.label,
                title=node.title,
                level=node.level.key,
                parent=node.parent.code if node.parent else None,
                measure_count=counts.get(node.pk, 0),
                url=node_path(plan.code, node.code),
            )
        )
        stack.extend(reversed(children[node.pk]))
    return items
