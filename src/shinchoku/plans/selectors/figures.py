"""What the charts of the public pages read beyond the tables their pages show already:
the rating scale a chart counts (its levels in order, which end is good, which levels
are adverse), and for each plan area or programme directly below a node its counts of
ratings in one year and its cost tables, from the counts and sums kept at write time
(``shinchoku.published``): the rows the pages and the report read, never counted again."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Subquery

from shinchoku.plans.models import Dimension, Level, Node, Plan, ScaleLevel
from shinchoku.plans.names import localized
from shinchoku.published.models import RatingCount

from .aggregates import CostSummary, cost_summaries_each
from .common import NodeRef, node_ref
from .subtrees import Scope


@dataclass(frozen=True)
class ScaleStep:
    """A level of a rating scale: 3 目標をほぼ達成, on the adverse side or not."""

    code: str
    label: str
    adverse: bool


@dataclass(frozen=True)
class RatingScale:
    """The scale of the dimension a chart counts, its levels in the scale's order."""

    dimension_id: int
    dimension_key: str
    #: 達成状況区分, in the page's language.
    dimension_name: str
    #: The rated level counted: 施策計画.
    level_name: str
    #: Which end of ``steps`` is the good one (``Scale.GoodEnd``).
    good_end: str
    steps: tuple[ScaleStep, ...]

    @property
    def has_adverse_side(self) -> bool:
        return any(step.adverse for step in self.steps)


def rating_scale(plan: Plan, *, level: Level | None = None) -> RatingScale | None:
    """The scale of the dimension the first rating table of a page counts: the primary
    dimension of the plan's top rated level (or of ``level``), else its first (the order
    of ``summary.rating_summaries_each``). None for a plan without any. One query."""
    dimensions = Dimension.objects.filter(plan=plan, level__rated=True)
    if level is not None:
        dimensions = dimensions.filter(level=level)
    first = dimensions.order_by("level__depth", "-primary", "position", "key").values("pk")[:1]
    # One query: the levels of the first dimension's scale, with the dimension's names
    # read through the join that finds them.
    rows = list(
        ScaleLevel.objects.filter(scale__dimensions__in=Subquery(first))
        .order_by("position")
        .values(
            "code",
            "label",
            "label_en",
            "adverse",
            "scale__good_end",
            "scale__dimensions__id",
            "scale__dimensions__key",
            "scale__dimensions__name",
            "scale__dimensions__name_en",
            "scale__dimensions__level__name",
            "scale__dimensions__level__name_en",
        )
    )
    if not rows:
        return None
    head = rows[0]
    return RatingScale(
        dimension_id=head["scale__dimensions__id"],
        dimension_key=head["scale__dimensions__key"],
        dimension_name=localized(head["scale__dimensions__name"], head["scale__dimensions__name_en"]),
        level_name=localized(
            head["scale__dimensions__level__name"], head["scale__dimensions__level__name_en"]
        ),
        good_end=head["scale__good_end"],
        steps=tuple(
            ScaleStep(
                code=row["code"], label=localized(row["label"], row["label_en"]), adverse=row["adverse"]
            )
            for row in rows
        ),
    )


@dataclass(frozen=True)
class PartFigures:
    """A plan area or programme with its figures: how many of its ratings on the chart's
    dimension are of each level in one fiscal year (by code), as its own page and the
    report count them, and its cost tables, as its own page shows them."""

    node: NodeRef
    ratings: dict[str, int]
    costs: tuple[CostSummary, ...]


def part_figures(
    plan: Plan, under: Node | None, *, scale: RatingScale | None, year: int | None
) -> tuple[PartFigures, ...]:
    """The plan areas of ``plan`` (``under`` None) or the plan areas and programmes
    directly under ``under``, in printed order, each with its counts of ratings on
    ``scale``'s dimension in fiscal ``year`` (none without them) and its cost tables.
    Five queries; one when nothing that is not rated stands below."""
    children = list(
        Node.objects.filter(plan=plan, parent=under, level__rated=False)
        .select_related("level")
        .order_by("position", "code")
    )
    if not children:
        return ()
    counts: dict[int, dict[str, int]] = {child.pk: {} for child in children}
    if scale is not None and year is not None:
        kept = RatingCount.objects.filter(
            plan=plan,
            node__in=[child.pk for child in children],
            dimension_id=scale.dimension_id,
            fiscal_year=year,
            marker__isnull=True,
        )
        for node_id, code, n in kept.values_list("node_id", "level__code", "count"):
            counts[node_id][code] = n
    costs = cost_summaries_each(plan, Scope.of(each=children))
    return tuple(
        PartFigures(node=node_ref(child), ratings=counts[child.pk], costs=costs.get(child.pk, ()))
        for child in children
    )
