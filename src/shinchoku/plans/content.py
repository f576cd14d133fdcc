"""A plan's content in the one form every file format converts to and from.

Each file format (the plan data file, the JSON dataset, the structure sheet) is a
converter: it reads its bytes into a ``PlanContent`` and ``shinchoku.plans.writing``
compares that content with the database (``plan_diff``) and writes it
(``plan_apply``). Nothing here touches the database.

Every item carries its ``source``: where it stands in the file it was read from (a path
inside a YAML file, a JSON path, a sheet's cell), set by the converter and never read
by the writer. A problem found while writing names the item's ``source`` and the field
(the names below, which are the models' field names), and the converter says where that
is in its file.

A content carries some ``parts`` of a plan (``PARTS``): the structure (the plan's
period, levels, scales, dimensions, markers, sections, units and the tree of nodes with
the texts of their own sections) always, and any of the nodes' targets, results (with
their ratings and the texts of the sections of each year), indicators (with their
values) and costs (with the plan's hourly staff costs). A part it does not carry is
left as it is stored.

Of the parts it carries, a content is the whole truth: what is stored and the content
does not hold is removed. A content read from one year's sheet speaks for some years only
(``PlanContent.years``, a ``YearScope``): the stored results, indicator values and costs
of the other years are kept as they are, so that a later year's sheet never removes an
earlier year (``shinchoku.plans.writing.scope``).

Amounts of money are yen, integers (a converter multiplies 千円 by 1,000); staff counts
and hours are decimals; a cost's 人件費 (B) may be left out (None), and is then priced
from its staff hours at the plan's hourly staff cost of the year when there is one; its
total (A + B) is never given: the writer computes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypedDict

#: Where an item stands in the file it was read from; set and read by its converter only.
Source = Any

STRUCTURE = "structure"
TARGETS = "targets"
RESULTS = "results"
INDICATORS = "indicators"
COSTS = "costs"
#: The parts of a plan's content: the structure, and the nodes' targets, results,
#: indicators and costs.
PARTS = frozenset({STRUCTURE, TARGETS, RESULTS, INDICATORS, COSTS})


class PlanFields(TypedDict):
    code: str
    title: str
    period_label: str
    first_year: int
    last_year: int
    onwards: bool
    description: str
    note: str
    amount_unit: str  # "yen" or "thousand": how the plan shows its amounts
    source: Source


class LevelContent(TypedDict):
    depth: int
    key: str
    kind: str
    name: str
    name_en: str
    rated: bool
    source: Source


class ScaleLevelContent(TypedDict):
    code: str
    label: str
    label_en: str
    adverse: bool
    position: int
    row_label: str  # the row of the matrix the scale is printed as, or ""
    column_label: str  # its column, or ""
    source: Source


class ScaleContent(TypedDict):
    """A rating scale. Scales are shared by code between plans: a plan's content may
    change one only when no plan outside the same writing uses it."""

    code: str
    name: str
    name_en: str
    good_end: str
    description: str
    levels: list[ScaleLevelContent]
    source: Source


class DimensionContent(TypedDict):
    key: str
    name: str
    name_en: str
    level: str  # the level's key
    scale: str  # the scale's code
    primary: bool
    position: int
    source: Source


class MarkerContent(TypedDict):
    symbol: str
    name: str
    name_en: str
    meaning: str
    note: str
    position: int
    source: Source


class SectionContent(TypedDict):
    """A section of text of one level's nodes (``plans.models.Section``): about the node
    (``scope`` "node") or each fiscal year ("year"); a ``builtin`` one ("summary",
    "baseline", "text", "context_change", "response", "highlight") is kept in that field
    of the node or result, the others in ``NodeContent.sections`` and
    ``YearResultContent.sections`` by ``key``."""

    key: str
    name: str
    name_en: str
    level: str  # the level's key
    scope: str
    builtin: str
    position: int
    source: Source


class StaffRateContent(TypedDict):
    """The plan's hourly staff cost in yen of one fiscal year (carried with the costs)."""

    fiscal_year: int
    hourly_cost: int
    source: Source


class UnitContent(TypedDict):
    """An organisation unit, by its code. Units are shared: writing a plan adds and
    changes them, never removes one."""

    code: str
    name: str
    kind: str
    parent: str  # the parent's code, or ""
    source: Source


@dataclass
class TargetContent:
    row: int
    start_year: int
    end_year: int
    open_end: bool
    text: str
    revised_text: str = ""
    revision_reason: str = ""
    note: str = ""
    position: int = 0
    source: Source = None


@dataclass
class RatingContent:
    dimension: str  # the dimension's key (of the node's level)
    level: str  # the code of the scale's level
    source: Source = None
    reason: str = ""  # 評価の理由


@dataclass
class YearResultContent:
    """A node's result for one fiscal year, with its ratings."""

    fiscal_year: int
    text: str = ""
    ratings: list[RatingContent] = field(default_factory=list)
    context_change: str = ""
    response: str = ""
    highlight: str = ""
    note: str = ""
    #: The texts of the level's sections of each year that have no field of their own, by key.
    sections: dict[str, str] = field(default_factory=dict)
    source: Source = None


@dataclass
class IndicatorValueContent:
    fiscal_year: int
    target: Decimal | None = None
    actual: Decimal | None = None
    source: Source = None


@dataclass
class IndicatorContent:
    name: str
    direction: str
    kind: str = "outcome"
    unit: str = ""
    baseline_value: Decimal | None = None
    baseline_year: int | None = None
    values: list[IndicatorValueContent] = field(default_factory=list)
    position: int = 0
    source: Source = None


@dataclass
class CostContent:
    """What a node cost in one fiscal year (None: the whole period, 全体計画), on one
    basis ("actual", "budget", "plan"). Amounts in yen, None when not given; ``staff_cost``
    (B) None is priced from the hours; the total is computed, never given."""

    fiscal_year: int | None
    basis: str
    national: int | None = None
    prefectural: int | None = None
    bonds: int | None = None
    other: int | None = None
    general: int | None = None
    project_cost: int | None = None
    staff_count: Decimal | None = None
    staff_hours: Decimal | None = None
    staff_cost: int | None = None
    source: Source = None


#: A cost's figures, in the order the files give them (the total, computed, after them).
COST_FIGURES = (
    "national",
    "prefectural",
    "bonds",
    "other",
    "general",
    "project_cost",
    "staff_count",
    "staff_hours",
    "staff_cost",
)


@dataclass(frozen=True)
class YearScope:
    """The fiscal years a content speaks for, part by part, when it is not the whole truth
    of its results, indicators and costs: what is stored of another year (or, for costs,
    another year and basis) is kept as it is, and only what is stored of these years and
    the content no longer holds is removed. The nodes, their own fields and the texts of
    their own sections are always the content's, whole.

    ``results``: the years whose results (with their ratings and the texts of the year's
    sections) the content gives. ``costs``: the (fiscal year, basis) whose costs it gives,
    a fiscal year None for the whole period (全体計画); the plan's hourly staff costs of
    the other years are kept too. ``targets``, ``actuals``: the years whose indicator
    targets, and actuals, it gives (an indicator's value of a year keeps the side the
    content does not speak for)."""

    results: frozenset[int] = frozenset()
    costs: frozenset[tuple[int | None, str]] = frozenset()
    targets: frozenset[int] = frozenset()
    actuals: frozenset[int] = frozenset()

    @property
    def cost_years(self) -> frozenset[int]:
        """The fiscal years of the costs it speaks for: their hourly staff costs are its too."""
        return frozenset(year for year, _basis in self.costs if year is not None)


@dataclass
class UnitRoleContent:
    unit: str  # the unit's code
    role: str
    source: Source = None


@dataclass
class NodeContent:
    level: str  # the level's key
    code: str
    title: str
    label: str = ""
    summary: str = ""
    baseline: str = ""
    note: str = ""
    position: int = 0
    markers: list[str] = field(default_factory=list)  # symbols
    units: list[UnitRoleContent] = field(default_factory=list)
    targets: list[TargetContent] = field(default_factory=list)
    results: list[YearResultContent] = field(default_factory=list)
    indicators: list[IndicatorContent] = field(default_factory=list)
    costs: list[CostContent] = field(default_factory=list)
    #: The texts of the level's sections about the node that have no field of their own, by key.
    sections: dict[str, str] = field(default_factory=dict)
    children: list[NodeContent] = field(default_factory=list)
    source: Source = None


@dataclass
class PlanContent:
    """One plan's content. ``scales`` and ``units`` are those the plan names (and may hold
    more: a scale or unit no one uses is written too). ``writes_with`` names the other
    plans written together with this one (the plans of one dataset), which may share a
    changed scale with it. ``sections`` are the sections of text the plan defines for its
    levels (none: the builtin ones, ``plans.sections``); ``staff_rates`` its hourly staff
    costs, carried with the costs. ``places`` says where each list of the plan
    (``levels``, ``dimensions``, ``markers``, ``sections``, ``nodes``) stands in the file,
    for what a list as a whole refuses (a level dropped that nodes still stand on); by
    default the plan's ``source``. ``years``, when given, limits what is removed to the
    years the content speaks for (``YearScope``)."""

    plan: PlanFields
    levels: list[LevelContent]
    scales: list[ScaleContent]
    dimensions: list[DimensionContent]
    markers: list[MarkerContent]
    units: list[UnitContent]
    nodes: list[NodeContent]
    parts: frozenset[str] = PARTS
    writes_with: frozenset[str] = frozenset()
    sections: list[SectionContent] = field(default_factory=list)
    staff_rates: list[StaffRateContent] = field(default_factory=list)
    places: dict[str, Source] = field(default_factory=dict)
    #: The years the content speaks for; None: it is the whole truth of the parts it carries.
    years: YearScope | None = None

    @property
    def code(self) -> str:
        return self.plan["code"]

    def place(self, name: str) -> Source:
        """Where the list ``name`` of the plan stands in the file."""
        return self.places.get(name, self.plan["source"])

    def carries(self, part: str) -> bool:
        return part in self.parts

    def walk(self) -> Iterator[tuple[NodeContent, NodeContent | None]]:
        """Every node with its parent, parents first, in the order of the file."""
        stack: list[tuple[NodeContent, NodeContent | None]] = [(node, None) for node in reversed(self.nodes)]
        while stack:
            node, parent = stack.pop()
            yield node, parent
            stack.extend((child, node) for child in reversed(node.children))


#: The fields of each kind of item that a content gives, by the models' field names:
#: a refusal of another field is told on the item as a whole.
FIELDS: dict[str, frozenset[str]] = {
    "plan": frozenset(PlanFields.__annotations__) - {"source"},
    "level": frozenset(LevelContent.__annotations__) - {"source"},
    "scale": frozenset(ScaleContent.__annotations__) - {"source"},
    "scale_level": frozenset(ScaleLevelContent.__annotations__) - {"source"},
    "dimension": frozenset(DimensionContent.__annotations__) - {"source"},
    "marker": frozenset(MarkerContent.__annotations__) - {"source"},
    "unit": frozenset(UnitContent.__annotations__) - {"source"},
    "section": frozenset(SectionContent.__annotations__) - {"source"},
    "staff_rate": frozenset(StaffRateContent.__annotations__) - {"source"},
    "node": frozenset(
        {
            "level",
            "code",
            "title",
            "label",
            "summary",
            "baseline",
            "note",
            "position",
            "parent",
            "markers",
            "sections",
        }
    ),
    "unit_role": frozenset({"unit", "role"}),
    "target": frozenset(
        {"row", "start_year", "end_year", "open_end", "text", "revised_text", "revision_reason", "note"}
    )
    | {"position"},
    "result": frozenset(
        {"fiscal_year", "text", "context_change", "response", "highlight", "note", "sections"}
    ),
    "rating": frozenset({"dimension", "level", "reason"}),
    "indicator": frozenset(
        {"name", "kind", "unit", "direction", "baseline_value", "baseline_year", "position"}
    ),
    "indicator_value": frozenset({"fiscal_year", "target", "actual"}),
    "cost": frozenset({"fiscal_year", "basis", *COST_FIGURES}),
    "section_text": frozenset({"section", "text"}),
}
