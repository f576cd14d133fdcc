"""What the projects under a node cost, summed in the database: per rated level (the
costs of a measure and of the projects under it are never added together), per fiscal
year (the whole period's plan, 全体計画, apart) and basis (決算, 予算, 計画), the sum of
each funding source, of 事業費 (A), the staff and their hours, 人件費 (B) and the total,
with how many projects each sum covers.

A sum over projects some of which do not give a figure says so: each cell carries how
many of the row's projects give it, and the table how many projects the level has under
the node, so that a reader never takes a partial sum for the whole. Amounts are summed
in yen and shown in the plan's unit (円 or 千円), rounded half up after summing.

The sums of a whole plan and of a plan area or programme are kept at write time
(``shinchoku.published``) and read from there (``subtrees.Scope``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext, pgettext

from shinchoku import fiscal
from shinchoku.plans.models import AmountUnit, Level, Node, Plan
from shinchoku.plans.names import shown_name
from shinchoku.progress.models import FUNDING_FIELDS, STAFF_FIELDS, Cost
from shinchoku.published.models import CostTotal, NodeCount

from .common import format_decimal
from .subtrees import Scope

#: The figures of a cost summed, in the order the table prints them.
SUMMED_FIELDS: tuple[str, ...] = (*FUNDING_FIELDS, "project_cost", *STAFF_FIELDS, "staff_cost", "total_cost")

#: The order of the bases within a year.
_BASIS_ORDER = {basis: n for n, basis in enumerate(Cost.Basis.values)}


def format_amount(yen: int | None, amount_unit: str) -> str:
    """An amount in yen as the plan prints it: 1,234,567 in yen, 1,235 in 千円 (rounded
    half up); "" for None."""
    if yen is None:
        return ""
    if amount_unit == AmountUnit.THOUSAND:
        return f"{int((Decimal(yen) / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)):,}"
    return f"{yen:,}"


def amount_unit_label(amount_unit: str) -> str:
    """The unit of the printed amounts, as a caption names it: 千円, 円."""
    return (
        pgettext("unit of amounts", "thousand yen")
        if amount_unit == AmountUnit.THOUSAND
        else pgettext("unit of amounts", "yen")
    )


def _headings() -> dict[str, str]:
    return {
        "national": gettext("National funds"),
        "prefectural": gettext("Prefectural funds"),
        "bonds": gettext("Local bonds"),
        "other": gettext("Other funds"),
        "general": gettext("General funds"),
        "project_cost": gettext("Project cost (A)"),
        "staff_count": gettext("Staff"),
        "staff_hours": gettext("Staff hours"),
        "staff_cost": gettext("Staff cost (B)"),
        "total_cost": gettext("Total cost (A+B)"),
    }


def _basis_labels() -> dict[str, str]:
    return {
        Cost.Basis.ACTUAL: pgettext("cost basis", "Actual"),
        Cost.Basis.BUDGET: pgettext("cost basis", "Budget"),
        Cost.Basis.PLAN: pgettext("cost basis", "Plan"),
    }


@dataclass(frozen=True)
class CostSum:
    """One figure summed over the projects of a row: in yen for an amount (a Decimal for
    the staff and their hours), as printed, and how many of the row's projects give it."""

    value: int | Decimal | None
    shown: str
    given: int
    of: int

    @property
    def partial(self) -> bool:
        """Some of the row's projects, not all, give this figure: the sum is theirs only."""
        return 0 < self.given < self.of


@dataclass(frozen=True)
class CostSumRow:
    #: None for the whole period's plan (全体計画).
    fiscal_year: int | None
    #: "2024(令和6)年度", or the whole period's name.
    heading: str
    basis: str
    basis_label: str
    #: In the order of ``CostSummary.headings``.
    sums: tuple[CostSum, ...]
    #: How many projects have a cost of this year and basis.
    projects: int

    def sum_of(self, field: str) -> CostSum:
        return self.sums[SUMMED_FIELDS.index(field)]


@dataclass(frozen=True)
class CostSummary:
    """The costs of one rated level under a node: one row per fiscal year and basis."""

    caption: str
    level_name: str
    #: 円 or 千円.
    unit_label: str
    #: The headings of the funding sources, under ``funding_heading``, then of the
    #: other figures: together in the order of ``SUMMED_FIELDS``.
    funding_headings: tuple[str, ...]
    other_headings: tuple[str, ...]
    funding_heading: str
    year_heading: str
    basis_heading: str
    projects_heading: str
    rows: tuple[CostSumRow, ...]
    #: How many nodes of the level stand under the node: what a row's count is out of.
    project_count: int
    #: Says what a "3/5" beside a sum means.
    partial_note: str
    #: What a dash in place of a sum says to a screen reader.
    missing_label: str

    @property
    def funding_span(self) -> int:
        return len(self.funding_headings)


def cost_summaries(plan: Plan, *, under: Node | None = None) -> tuple[CostSummary, ...]:
    """The cost tables of the whole plan or the subtree under ``under``, one per rated
    level that has costs, top level first; none when no cost is recorded. Three queries."""
    return cost_summaries_each(plan, Scope.of(under=under))[None]


def cost_summaries_each(plan: Plan, scope: Scope) -> dict[int | None, tuple[CostSummary, ...]]:
    """``cost_summaries`` for each table of ``scope`` (``subtrees.Scope``), by the
    subtree's node id (None for one table). Three queries, however many subtrees."""
    rows = _kept_rows(plan, scope) if scope.kept else _counted_rows(plan, scope)
    tables: dict[int | None, tuple[CostSummary, ...]] = dict.fromkeys(scope.keys, ())
    if not rows:
        return tables
    levels = {level.pk: level for level in Level.objects.filter(plan=plan, rated=True)}
    if scope.kept:
        counts = scope.apply_kept(NodeCount.objects.filter(plan=plan, level_id__in=list(levels)))
        fields = ("node_id",) if scope.fields else ()
        nodes = {(*row[:-2], row[-2]): row[-1] for row in counts.values_list(*fields, "level_id", "count")}
    else:
        counted = scope.apply(Node.objects.filter(plan=plan, level_id__in=list(levels)), "")
        nodes = {
            (*row[:-2], row[-2]): row[-1]
            for row in counted.values_list(*scope.fields, "level_id").annotate(n=Count("id")).order_by()
        }
    by_table: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        table_key = (row[scope.fields[0]] if scope.fields else None, row["node__level_id"])
        by_table.setdefault(table_key, []).append(row)
    for key in scope.keys:
        prefix = (key,) if scope.fields else ()
        tables[key] = tuple(
            _summary(plan, level, by_table[(key, level.pk)], nodes.get((*prefix, level.pk), 0))
            for level in sorted(levels.values(), key=lambda level: level.depth)
            if (key, level.pk) in by_table
        )
    return tables


def _counted_rows(plan: Plan, scope: Scope) -> list[dict[str, Any]]:
    """The sums of each level, year and basis (and subtree), over the costs as they stand."""
    sums: dict[str, Any] = {}
    for field in SUMMED_FIELDS:
        sums[f"sum_{field}"] = Sum(field)
        sums[f"given_{field}"] = Count(field)
    costs = scope.apply(Cost.objects.filter(node__plan=plan), "node__")
    return list(
        costs.values(*scope.fields, "node__level_id", "fiscal_year", "basis")
        .annotate(projects=Count("id"), **sums)
        .order_by()
    )


def _kept_rows(plan: Plan, scope: Scope) -> list[dict[str, Any]]:
    """The same sums, read from those kept at write time (``CostTotal``), the staff and
    their hours kept in hundredths."""
    figures = [f"{kind}_{field}" for field in SUMMED_FIELDS for kind in ("sum", "given")]
    rows = []
    for kept in scope.apply_kept(CostTotal.objects.filter(plan=plan)).values(
        "node_id", "level_id", "fiscal_year", "basis", "projects", *figures
    ):
        row = {name: kept[name] for name in ("fiscal_year", "basis", "projects", *figures)}
        row["node__level_id"] = kept["level_id"]
        if scope.fields:
            row[scope.fields[0]] = kept["node_id"]
        for field in STAFF_FIELDS:
            hundredths = row[f"sum_{field}"]
            row[f"sum_{field}"] = None if hundredths is None else Decimal(hundredths) / 100
        rows.append(row)
    return rows


def _summary(plan: Plan, level: Level, rows: list[dict[str, Any]], project_count: int) -> CostSummary:
    headings = _headings()
    bases = _basis_labels()
    whole_period = gettext("Whole period")
    unit = amount_unit_label(plan.amount_unit)
    rows.sort(key=lambda row: (row["fiscal_year"] or 0, _BASIS_ORDER.get(row["basis"], 9)))
    level_name = shown_name(level)
    return CostSummary(
        caption=gettext("Costs of the %(level)s by fiscal year (%(unit)s)")
        % {"level": level_name, "unit": unit},
        level_name=level_name,
        unit_label=unit,
        funding_headings=tuple(headings[field] for field in SUMMED_FIELDS[: len(FUNDING_FIELDS)]),
        other_headings=tuple(headings[field] for field in SUMMED_FIELDS[len(FUNDING_FIELDS) :]),
        funding_heading=gettext("Funding"),
        year_heading=gettext("Fiscal year"),
        basis_heading=gettext("Basis"),
        projects_heading=gettext("Projects"),
        rows=tuple(
            CostSumRow(
                fiscal_year=row["fiscal_year"],
                heading=fiscal.year_heading(row["fiscal_year"]) if row["fiscal_year"] else whole_period,
                basis=row["basis"],
                basis_label=bases.get(row["basis"], row["basis"]),
                sums=tuple(_sum(field, row, plan.amount_unit) for field in SUMMED_FIELDS),
                projects=row["projects"],
            )
            for row in rows
        ),
        project_count=project_count,
        partial_note=gettext(
            "A figure followed by n/m is the sum of the n of the m projects of its row that give it;"
            " a dash, that none does. %(count)s projects of this level stand here in all."
        )
        % {"count": f"{project_count:,}"},
        missing_label=gettext("not given"),
    )


def _sum(field: str, row: dict[str, Any], amount_unit: str) -> CostSum:
    given = row[f"given_{field}"]
    raw = row[f"sum_{field}"] if given else None
    value: int | Decimal | None
    if raw is None:
        value, shown = None, ""
    elif field == "staff_count":  # two decimals, as a sheet prints a count of staff
        value = Decimal(raw).quantize(Decimal("0.01"))
        shown = f"{value:,.2f}"
    elif field in STAFF_FIELDS:
        value = Decimal(raw).quantize(Decimal("0.01"))
        shown = format_decimal(value)
    else:
        value = int(raw)
        shown = format_amount(value, amount_unit)
    return CostSum(value=value, shown=shown, given=given, of=row["projects"])
