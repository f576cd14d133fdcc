"""Reading what the projects cost: a node's costs year by year with the change from the
year before, the totals of every project under a programme or a plan area per year and
basis, and the cost of a unit of an indicator. The pages, the report and the open data
ask these; none of them adds amounts up itself.

Amounts are yen (integers); a sum of amounts none of which is given is None, not 0, so
that "not given" stays apart from "nothing".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from shinchoku.plans.models import Level, Node, Plan
from shinchoku.progress.models import AMOUNT_FIELDS, STAFF_FIELDS, Cost, Indicator

#: The figures that add up across projects: the amounts and the staff.
SUMMED = (*AMOUNT_FIELDS, *STAFF_FIELDS)


def _ordered(costs: Iterable[Cost]) -> list[Cost]:
    bases = {basis: index for index, basis in enumerate(Cost.Basis.values)}
    return sorted(
        costs, key=lambda cost: (cost.fiscal_year is not None, cost.fiscal_year or 0, bases[cost.basis])
    )


def change_rate(before: int | None, after: int | None) -> Decimal | None:
    """The change from ``before`` to ``after`` in percent, rounded to 0.1; None when either
    is missing or ``before`` is 0."""
    if before is None or after is None or before == 0:
        return None
    return (Decimal(after - before) * 100 / before).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CostYear:
    """A cost of a node with the change of its total from the previous year's cost of the
    same basis (None for the first year, the whole period, or a total not given)."""

    cost: Cost
    change: int | None
    change_rate: Decimal | None


def node_costs(node: Node) -> list[CostYear]:
    """The node's costs: the whole period's first, then by year and basis, each with its
    change from the year before (prefetch ``costs`` when reading many nodes)."""
    costs = _ordered(node.costs.all())
    previous: dict[str, Cost] = {}
    rows = []
    for cost in costs:
        before = previous.get(cost.basis) if cost.fiscal_year is not None else None
        if before is not None and before.fiscal_year != (cost.fiscal_year or 0) - 1:
            before = None  # a year without a cost between them: no change to tell
        change = (
            cost.total_cost - before.total_cost
            if before is not None and cost.total_cost is not None and before.total_cost is not None
            else None
        )
        rows.append(
            CostYear(
                cost, change, change_rate(before.total_cost, cost.total_cost) if before is not None else None
            )
        )
        if cost.fiscal_year is not None:
            previous[cost.basis] = cost
    return rows


@dataclass
class CostTotal:
    """The costs of the projects under a node (or of a plan) for one fiscal year and basis,
    figure by figure: each the sum of those given, None when none is; ``projects`` counts
    the costs added up."""

    fiscal_year: int | None
    basis: str
    figures: dict[str, int | Decimal | None] = field(default_factory=dict)
    projects: int = 0

    def add(self, cost: Cost) -> None:
        self.projects += 1
        for name in SUMMED:
            value = getattr(cost, name)
            if value is not None:
                current = self.figures.get(name)
                self.figures[name] = value if current is None else current + value

    def __getitem__(self, name: str) -> int | Decimal | None:
        return self.figures.get(name)


def _totals(costs: Iterable[Cost]) -> list[CostTotal]:
    totals: dict[tuple[int | None, str], CostTotal] = {}
    for cost in _ordered(costs):
        key = (cost.fiscal_year, cost.basis)
        if key not in totals:
            totals[key] = CostTotal(cost.fiscal_year, cost.basis)
        totals[key].add(cost)
    return list(totals.values())


def cost_totals(node: Node) -> list[CostTotal]:
    """The totals of the node's own costs and its subtree's, per fiscal year and basis
    (the whole period's first): a programme's or a plan area's (one query)."""
    return _totals(Cost.objects.filter(node__plan_id=node.plan_id, node__path__startswith=node.path))


def cost_totals_by_node(plan: Plan, level: Level) -> dict[int, list[CostTotal]]:
    """The totals of every node of ``level`` (programmes, plan areas …) of the plan, by the
    node's id, per fiscal year and basis: each node's own costs and its subtree's (one
    query for the costs, one for the nodes)."""
    heads = dict(Node.objects.filter(plan=plan, level=level).values_list("pk", "path"))
    by_head: dict[int, list[Cost]] = defaultdict(list)
    for cost in (
        Cost.objects.filter(node__plan=plan)
        .select_related("node")
        .only(*SUMMED, "fiscal_year", "basis", "node", "node__path")
    ):
        for part in cost.node.path.strip("/").split("/"):
            if part and int(part) in heads:
                by_head[int(part)].append(cost)
    return {head: _totals(by_head.get(head, [])) for head in heads}


def cost_per_unit(cost: int | None, quantity: Decimal | None) -> Decimal | None:
    """What one unit of an indicator cost: the total cost over the indicator's actual
    value, rounded to the yen; None when either is missing or the value is 0."""
    if cost is None or quantity is None or quantity == 0:
        return None
    return (Decimal(cost) / quantity).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def unit_costs(indicator: Indicator) -> dict[int, Decimal | None]:
    """The cost of a unit of ``indicator`` in each fiscal year its node has an actual cost
    for: the year's actual total cost over the indicator's actual value of that year."""
    actuals = dict(indicator.values.values_list("fiscal_year", "actual"))
    costs = Cost.objects.filter(node_id=indicator.node_id, basis=Cost.Basis.ACTUAL, fiscal_year__isnull=False)
    return {
        year: cost_per_unit(total, actuals.get(year))
        for year, total in costs.values_list("fiscal_year", "total_cost")
        if year is not None
    }
