"""The charts of costs, drawn from the cost tables the pages read (``CostSummary``: the
sums kept at write time, ``shinchoku.published.CostTotal``), never summed again:

- the costs of each fiscal year and basis under a plan, plan area or programme: the
  funding sources of the project cost (A) stacked in the order of the table, the part
  of A no source given accounts for, and the staff cost (B) on top, the total (A+B)
  written at the end; a budget or plan outlined with a dashed line;
- the full cost (A+B) of each plan area or programme below, in the latest fiscal year
  with actual costs: A and B stacked, with the table of those figures.

Amounts are drawn in yen and written in the plan's unit (円 or 千円), as the tables
write them."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext

from shinchoku import fiscal
from shinchoku.plans.selectors import CostSum, CostSummary, CostSumRow, format_amount
from shinchoku.plans.selectors.figures import PartFigures
from shinchoku.progress.models import FUNDING_FIELDS, Cost

from .drawing import (
    WIDTH,
    BarRow,
    Chart,
    DataTable,
    Heading,
    LegendItem,
    Part,
    TableRow,
    alt,
    bar_rows,
    sentences,
)
from .palette import AMOUNT, FUNDING, STAFF, UNSPLIT, Fill
from .ratings import percent


def _partial_note() -> str:
    return gettext(
        "A figure followed by (n/m) is the sum of the n of the m projects of its row that give it."
    )


def _yen(sum_: CostSum) -> int:
    return int(sum_.value or 0) if sum_.given else 0


def _shown(sum_: CostSum) -> str:
    """A sum as the cost table writes it: with "n/m" when only some projects give it."""
    if not sum_.given:
        return "—"
    return f"{sum_.shown} ({sum_.given}/{sum_.of})" if sum_.partial else sum_.shown


def _row_label(row: CostSumRow) -> str:
    return f"{fiscal.year_label_parts(row.fiscal_year or 0)[0]} {row.basis_label}"


def _latest(rows: Sequence[CostSumRow]) -> CostSumRow | None:
    """The latest year's actual costs, or failing any actual, the latest row of a year."""
    yearly = [row for row in rows if row.fiscal_year is not None and row.sum_of("total_cost").given]
    actual = [row for row in yearly if row.basis == Cost.Basis.ACTUAL]
    found = actual or yearly
    return found[-1] if found else None


def costs_by_year(summary: CostSummary, amount_unit: str, *, key: str) -> Chart | None:
    """The bars of ``summary`` (the costs of one rated level under a plan, plan area or
    programme), one per fiscal year and basis, the whole period's plan left out; None
    when no year has a cost. Its figures are the table's, which the page shows."""
    rows = [row for row in summary.rows if row.fiscal_year is not None]
    if not rows:
        return None
    # The sources' names as the cost table heads its columns.
    names = dict(zip(FUNDING_FIELDS, summary.funding_headings, strict=True))
    used: set[str] = set()
    bars = []
    for row in rows:
        funding = {field: _yen(row.sum_of(field)) for field in FUNDING_FIELDS}
        unsplit = max(_yen(row.sum_of("project_cost")) - sum(funding.values()), 0)
        staff = _yen(row.sum_of("staff_cost"))
        parts = [Part(FUNDING[field], value) for field, value in funding.items()]
        parts += [Part(UNSPLIT, unsplit), Part(STAFF, staff)]
        used.update(part.fill.key for part in parts if part.value)
        total = row.sum_of("total_cost")
        bars.append(
            BarRow(
                label=_row_label(row),
                parts=tuple(parts),
                total_text=total.shown if total.given else "",
                note=gettext("No cost given"),
                planned=row.basis != Cost.Basis.ACTUAL,
            )
        )
    shapes, height = bar_rows(
        bars, share=False, key=key, tick_text=lambda yen: format_amount(int(yen), amount_unit)
    )
    legend_items = [
        *((FUNDING[field], names[field]) for field in FUNDING_FIELDS),
        (UNSPLIT, gettext("Project cost not broken down by funding")),
        (STAFF, gettext("Staff cost (B)")),
    ]
    legend = tuple(LegendItem(fill, name) for fill, name in legend_items if fill.key in used)
    fills: tuple[Fill, ...] = (*FUNDING.values(), UNSPLIT, STAFF)
    return Chart(
        key=key,
        kind="bars",
        title=gettext("Costs of the %(level)s by fiscal year and funding (%(unit)s)")
        % {"level": summary.level_name, "unit": summary.unit_label},
        summary=_year_summary(rows, summary, names),
        alt=alt(gettext("A bar chart of the costs of each fiscal year by funding")),
        width=WIDTH,
        height=height,
        shapes=shapes,
        fills=fills,
        legend=legend,
        table=None,
        table_caption=summary.caption,
    )


def _year_summary(rows: Sequence[CostSumRow], summary: CostSummary, names: dict[str, str]) -> str:
    latest = _latest(rows)
    if latest is None:
        return gettext("No total cost is given for any fiscal year.")
    total = latest.sum_of("total_cost")
    year = fiscal.year_label_parts(latest.fiscal_year or 0)[0]
    said = [
        gettext("The total cost of the %(level)s in %(year)s (%(basis)s) was %(amount)s %(unit)s.")
        % {
            "level": summary.level_name,
            "year": year,
            "basis": latest.basis_label,
            "amount": total.shown,
            "unit": summary.unit_label,
        }
    ]
    before = next(
        (
            row
            for row in rows
            if row.fiscal_year == (latest.fiscal_year or 0) - 1
            and row.basis == latest.basis
            and row.sum_of("total_cost").given
        ),
        None,
    )
    if before is not None and _yen(before.sum_of("total_cost")):
        was, now = _yen(before.sum_of("total_cost")), _yen(total)
        change = percent(abs(now - was), was)
        values = {"before": fiscal.year_label_parts(before.fiscal_year or 0)[0], "percent": change}
        if now > was:
            said.append(gettext("That is %(percent)s more than in %(before)s.") % values)
        elif now < was:
            said.append(gettext("That is %(percent)s less than in %(before)s.") % values)
        else:
            said.append(gettext("That is the same as in %(before)s.") % values)
    funding = {field: _yen(latest.sum_of(field)) for field in FUNDING_FIELDS}
    project = _yen(latest.sum_of("project_cost"))
    if project and any(funding.values()):
        largest = max(FUNDING_FIELDS, key=lambda field: funding[field])
        said.append(
            gettext("The largest source of funding was %(source)s, %(share)s of the project cost.")
            % {"source": names[largest], "share": percent(funding[largest], project)}
        )
    return sentences(said)


def costs_by_part(
    parts: Sequence[PartFigures], scope: CostSummary, amount_unit: str, *, key: str, part_heading: str
) -> Chart | None:
    """The full cost (A+B) of each of ``parts`` (the plan areas or programmes below) in the
    latest fiscal year with an actual total in ``scope`` (the node's own cost table),
    of the same rated level; with the table of those figures. None when there is none."""
    latest = _latest(scope.rows)
    if latest is None:
        return None
    found: list[tuple[PartFigures, CostSumRow | None]] = []
    for part in parts:
        table = next((t for t in part.costs if t.level_name == scope.level_name), None)
        row = None
        if table is not None:
            row = next(
                (r for r in table.rows if r.fiscal_year == latest.fiscal_year and r.basis == latest.basis),
                None,
            )
        found.append((part, row))
    if not any(row for _part, row in found):
        return None
    year = fiscal.year_label_parts(latest.fiscal_year or 0)[0]
    no_cost = gettext("No cost given")
    bars = []
    for part, row in found:
        a = _yen(row.sum_of("project_cost")) if row else 0
        b = _yen(row.sum_of("staff_cost")) if row else 0
        total = row.sum_of("total_cost") if row else None
        bars.append(
            BarRow(
                label=part.node.name,
                parts=(Part(AMOUNT, a), Part(STAFF, b)),
                total_text=total.shown if total and total.given else "",
                note=no_cost,
            )
        )
    shapes, height = bar_rows(
        bars, share=False, key=key, tick_text=lambda yen: format_amount(int(yen), amount_unit)
    )
    caption = gettext("Total cost of the %(level)s by %(part)s, %(year)s (%(basis)s, %(unit)s)") % {
        "level": scope.level_name,
        "part": part_heading,
        "year": year,
        "basis": latest.basis_label,
        "unit": scope.unit_label,
    }
    dash = "—"
    rows = tuple(
        TableRow(
            part.node.name,
            (
                (
                    _shown(row.sum_of("project_cost")),
                    _shown(row.sum_of("staff_cost")),
                    _shown(row.sum_of("total_cost")),
                )
                if row
                else (dash, dash, dash)
            ),
        )
        for part, row in found
    )
    totals = {part.node.name: _yen(row.sum_of("total_cost")) for part, row in found if row}
    high = max(totals, key=lambda name: totals[name])
    all_parts = sum(totals.values())
    summary = gettext(
        "In %(year)s (%(basis)s), the total cost was largest in %(high)s: %(amount)s %(unit)s,"
        " %(share)s of the sum of the table."
    ) % {
        "year": year,
        "basis": latest.basis_label,
        "high": high,
        "amount": format_amount(totals[high], amount_unit),
        "unit": scope.unit_label,
        "share": percent(totals[high], all_parts) if all_parts else "—",
    }
    return Chart(
        key=key,
        kind="bars",
        title=caption,
        summary=summary,
        alt=alt(gettext("A bar chart of the total cost, a bar for each plan area or programme")),
        width=WIDTH,
        height=height,
        shapes=shapes,
        fills=(AMOUNT, STAFF),
        legend=(
            LegendItem(AMOUNT, gettext("Project cost (A)")),
            LegendItem(STAFF, gettext("Staff cost (B)")),
        ),
        table=DataTable(
            caption=caption,
            corner=part_heading,
            columns=tuple(
                Heading(name)
                for name in (
                    gettext("Project cost (A)"),
                    gettext("Staff cost (B)"),
                    gettext("Total cost (A+B)"),
                )
            ),
            rows=rows,
            notes=(_partial_note(),) if any(row and _is_partial(row) for _part, row in found) else (),
        ),
        table_caption=caption,
    )


def _is_partial(row: CostSumRow) -> bool:
    return any(row.sum_of(field).partial for field in ("project_cost", "staff_cost", "total_cost"))
