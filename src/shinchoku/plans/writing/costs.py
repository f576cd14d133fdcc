"""A content's costs and hourly staff costs, as the diff shows them and the writer writes
them: the one place that says what a cost of the content comes to once written.

A cost is matched with the stored one of its node by its fiscal year and basis, and
updated in place; an hourly staff cost by its fiscal year. A cost's 人件費 (B) not given
is priced from its staff hours at the content's hourly staff cost of its year
(``progress.models.staff_cost_of``), and its total is A + B (``total_cost_of``): the diff
compares, and the writer writes, those figures, so that a file read again changes
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from shinchoku.plans.content import COST_FIGURES, CostContent, PlanContent
from shinchoku.plans.writing.values import Fields, fields_of
from shinchoku.progress.models import Cost, StaffRate, staff_cost_of, total_cost_of

#: A cost's fields as the diff shows them: its figures and the computed total.
COST_FIELDS = (*COST_FIGURES, "total_cost")


def content_rates(content: PlanContent) -> dict[int, int]:
    """The content's hourly staff cost of each fiscal year."""
    return {rate["fiscal_year"]: rate["hourly_cost"] for rate in content.staff_rates}


def cost_values(cost: CostContent, rates: Mapping[int, int]) -> dict[str, Any]:
    """The cost's figures as written: B priced from the hours when not given, the total
    computed."""
    values: dict[str, Any] = {name: getattr(cost, name) for name in COST_FIGURES}
    if values["staff_cost"] is None and cost.fiscal_year is not None:
        values["staff_cost"] = staff_cost_of(cost.staff_hours, rates.get(cost.fiscal_year))
    values["total_cost"] = total_cost_of(values["project_cost"], values["staff_cost"])
    return values


def cost_fields(cost: CostContent, rates: Mapping[int, int]) -> Fields:
    return fields_of(cost_values(cost, rates), COST_FIELDS)


def stored_cost_fields(cost: Cost) -> Fields:
    return fields_of(cost, COST_FIELDS)


def cost_key(node_code: str, fiscal_year: int | None, basis: str) -> tuple[Any, ...]:
    return ("cost", node_code, fiscal_year, basis)


def cost_subject(plan: str, node_code: str, fiscal_year: int | None, basis: str) -> str:
    year = str(fiscal_year) if fiscal_year is not None else _("the whole period")
    return _("cost of %(id)s for %(year)s (%(basis)s)") % {
        "id": f"{plan}:{node_code}",
        "year": year,
        "basis": basis,
    }


def staff_rate_subject(plan: str, fiscal_year: int) -> str:
    return _("hourly staff cost of the plan %(plan)s for %(year)s") % {"plan": plan, "year": fiscal_year}


def by_year_and_basis(costs: Iterable[Any]) -> dict[tuple[int | None, str], Any]:
    """Costs (stored or of a content) by their fiscal year and basis."""
    return {(cost.fiscal_year, cost.basis): cost for cost in costs}


def stored_rates(plan_id: int | None) -> dict[int, StaffRate]:
    if plan_id is None:
        return {}
    return {rate.fiscal_year: rate for rate in StaffRate.objects.filter(plan_id=plan_id)}
