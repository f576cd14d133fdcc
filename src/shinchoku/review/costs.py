"""An entry's cost as its page shows it beside the figures entered: 人件費 (B), given or
priced from the staff hours at the plan's hourly staff cost of the year, and the total,
A + B, which is never entered. Computed by the same functions as ``progress.Cost``, so
that the page shows what publishing will store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from shinchoku.progress import amounts
from shinchoku.progress.models import StaffRate, staff_cost_of, total_cost_of
from shinchoku.review.content import cost_figures
from shinchoku.review.models import Entry


@dataclass(frozen=True)
class CostSummary:
    """The computed figures of an entry's cost as saved, in the plan's unit."""

    unit: str
    #: The plan's hourly staff cost of the year in yen, as shown ("4,000"); "" when it
    #: sets none.
    hourly_cost: str
    #: B as given, or priced from the hours; "" when neither.
    staff_cost: str
    #: B is priced from the hours (it was left empty).
    priced: bool
    total: str


def cost_summary(entry: Entry, snapshot: Mapping[str, str]) -> CostSummary:
    """B and the total of the entry's cost (``snapshot``) as publishing will store them."""
    plan = entry.round.plan
    hourly_cost = (
        StaffRate.objects.filter(plan_id=plan.pk, fiscal_year=entry.round.fiscal_year)
        .values_list("hourly_cost", flat=True)
        .first()
    )
    figures = cost_figures(snapshot)
    given = figures.get("staff_cost")
    hours = figures.get("staff_hours")
    staff_cost = (
        int(given)
        if given is not None
        else staff_cost_of(Decimal(hours) if hours is not None else None, hourly_cost)
    )
    project_cost = figures.get("project_cost")
    total = total_cost_of(int(project_cost) if project_cost is not None else None, staff_cost)

    def shown(value: int | None) -> str:
        if value is None:
            return ""
        return amounts.shown_figure("total_cost", str(value), amount_unit=plan.amount_unit)

    return CostSummary(
        unit=amounts.unit_label(plan.amount_unit),
        hourly_cost=f"{hourly_cost:,}" if hourly_cost is not None else "",
        staff_cost=shown(staff_cost),
        priced=given is None and staff_cost is not None,
        total=shown(total),
    )
