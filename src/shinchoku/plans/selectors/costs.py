"""What a rated node cost, as its sheet prints it: a table with one column per fiscal year
and basis (and the whole period's plan, 全体計画), the funding sources, 事業費 (A), the
staff, 人件費 (B) and トータルコスト, the change from the year before and the cost per
unit of an outcome, in the plan's unit of amounts; and a small bar chart of the total per
year, A and B stacked, laid out here so that the templates (HTML and Typst) only draw it.

Every figure is text already formatted, or a number of the chart's geometry: the report's
view-model goes to Typst as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext, pgettext

from shinchoku import fiscal
from shinchoku.plans.models import AmountUnit, Plan
from shinchoku.progress.models import Cost, Indicator, IndicatorValue

from .aggregates import amount_unit_label, format_amount
from .common import format_decimal

#: An empty cell's mark; a screen reader reads the cell's ``empty_label`` instead.
EMPTY = "—"
#: The bases in the order a year's columns stand.
BASIS_ORDER = (Cost.Basis.ACTUAL, Cost.Basis.BUDGET, Cost.Basis.PLAN)


@dataclass(frozen=True)
class CostColumn:
    #: None for the whole period's plan (全体計画).
    fiscal_year: int | None
    #: "2024(令和6)年度" (FY2024 in English), or "全体計画" (Whole period).
    heading: str
    #: "actual", "budget" or "plan" (``Cost.Basis``).
    basis: str
    #: 決算 / 予算 / 計画 (Actual / Budget / Plan).
    basis_label: str


@dataclass(frozen=True)
class CostCell:
    #: "1,234", "1.50", "+120", or "—" when there is no figure.
    text: str
    #: For a "—": what it means, read out instead of the dash ("not given", or why a
    #: change is not computed); empty for a figure.
    empty_label: str

    @property
    def empty(self) -> bool:
        return bool(self.empty_label)


@dataclass(frozen=True)
class CostRow:
    #: The cost's field (national … total_cost), "change", or "per-unit-<n>" (n from 1).
    key: str
    #: 国庫支出金, 事業費 (A), トータルコスト (A + B), 前年度比, 単位当たりコスト …
    heading: str
    #: "source" (a funding source), "amount" (A, B), "staff", "total", "change", "per_unit".
    kind: str
    cells: tuple[CostCell, ...]


@dataclass(frozen=True)
class CostTick:
    """A line of the chart's scale: its share of the scale's top, its height in the
    drawing and its figure."""

    fraction: float
    y: float
    text: str


@dataclass(frozen=True)
class CostBar:
    """A year's bar: A at the bottom, B on top. The fractions are of the scale's top (for a
    renderer that sizes the chart itself); the rest is in the SVG drawing's units."""

    #: "2024年度" (FY2024).
    label: str
    #: Empty for an actual; 予算 / 計画 for a planned figure (drawn with a dashed outline).
    basis_label: str
    planned: bool
    #: The total as the table shows it: "12,345".
    total_text: str
    a_fraction: float
    b_fraction: float
    x: float
    #: The middle of the bar, where its labels are centred.
    centre: float
    a_y: float
    a_height: float
    b_y: float
    b_height: float
    #: A + B, from ``b_y`` down to the plot's bottom.
    height: float
    #: Where the total is written, just above the bar.
    total_y: float


@dataclass(frozen=True)
class CostChart:
    """The total cost per fiscal year as stacked bars; drawn in a ``width`` × ``height``
    viewBox, the plot between ``plot_left`` … ``plot_right`` and ``plot_top`` … ``plot_bottom``."""

    #: What the chart shows, in one sentence with every figure: its accessible name.
    title: str
    #: The short caption under it: "年度別トータルコスト（千円）".
    caption: str
    unit_label: str
    a_label: str
    b_label: str
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    bar_width: float
    #: Where the years are written under the bars, and a planned bar's basis under its year.
    label_y: float
    basis_y: float
    #: The legend's swatches (at ``plot_left``) and their names.
    legend_text_x: float
    ticks: tuple[CostTick, ...]
    bars: tuple[CostBar, ...]


@dataclass(frozen=True)
class CostTable:
    #: "年度別の事業費・人件費（千円）" (Costs by fiscal year (thousand yen)).
    caption: str
    #: 千円 or 円 (thousand yen, yen): the unit of every amount row.
    unit_label: str
    columns: tuple[CostColumn, ...]
    rows: tuple[CostRow, ...]
    #: What a reader needs to read the table right (what a change compares, rounding).
    notes: tuple[str, ...]
    #: None when no year has a total.
    chart: CostChart | None


def _basis_label(basis: str) -> str:
    labels = {
        Cost.Basis.ACTUAL: pgettext("cost basis", "Actual"),
        Cost.Basis.BUDGET: pgettext("cost basis", "Budget"),
        Cost.Basis.PLAN: pgettext("cost basis", "Plan"),
    }
    return labels[Cost.Basis(basis)]


def _row_headings() -> dict[str, tuple[str, str]]:
    """The heading and kind of each figure's row, in the printed order."""
    return {
        "national": (gettext("National funds"), "source"),
        "prefectural": (gettext("Prefectural funds"), "source"),
        "bonds": (gettext("Local bonds"), "source"),
        "other": (gettext("Other funds"), "source"),
        "general": (gettext("General funds"), "source"),
        "project_cost": (gettext("Project cost (A)"), "amount"),
        "staff_count": (gettext("Staff (persons)"), "staff"),
        "staff_hours": (gettext("Staff hours"), "staff"),
        "staff_cost": (gettext("Staff cost (B)"), "amount"),
        "total_cost": (gettext("Total cost (A+B)"), "total"),
    }


def _scaled(yen: int, unit: str) -> Decimal:
    """An amount in the plan's unit, as ``format_amount`` rounds it: for the chart's scale."""
    if unit == AmountUnit.THOUSAND:
        return (Decimal(yen) / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Decimal(yen)


def _signed(yen: int, unit: str) -> str:
    shown = format_amount(abs(yen), unit)
    if shown == "0":
        return "±0"
    return f"+{shown}" if yen > 0 else f"−{shown}"


def _figure(value: int | Decimal | None, name: str, unit: str, not_given: str) -> CostCell:
    if value is None:
        return CostCell(EMPTY, not_given)
    if name == "staff_count":
        return CostCell(f"{Decimal(value):,.2f}", "")
    if name == "staff_hours":
        return CostCell(format_decimal(Decimal(value)), "")
    return CostCell(format_amount(int(value), unit), "")


def _ordered(costs: Iterable[Cost]) -> list[Cost]:
    """Years in order, a year's bases in ``BASIS_ORDER``, the whole period last."""
    return sorted(
        costs,
        key=lambda c: (c.fiscal_year is None, c.fiscal_year or 0, BASIS_ORDER.index(Cost.Basis(c.basis))),
    )


def _column(cost: Cost) -> CostColumn:
    year = cost.fiscal_year
    heading = gettext("Whole period") if year is None else fiscal.year_heading(year)
    return CostColumn(cost.fiscal_year, heading, cost.basis, _basis_label(cost.basis))


def _change_row(costs: Sequence[Cost], unit: str) -> CostRow:
    """The total's change from the year before on the same basis: an actual against the
    actual of the year before, a budget against the budget."""
    by_key = {(c.fiscal_year, c.basis): c for c in costs}
    cells = []
    for cost in costs:
        if cost.fiscal_year is None:
            cells.append(CostCell(EMPTY, gettext("not compared: the whole period")))
            continue
        before = by_key.get((cost.fiscal_year - 1, cost.basis))
        if before is None:
            cells.append(
                CostCell(
                    EMPTY,
                    gettext("not compared: the year before has no figure of this basis (%(basis)s)")
                    % {"basis": _basis_label(cost.basis)},
                )
            )
        elif before.total_cost is None or cost.total_cost is None:
            cells.append(CostCell(EMPTY, gettext("not compared: a total is not given")))
        else:
            cells.append(CostCell(_signed(cost.total_cost - before.total_cost, unit), ""))
    return CostRow("change", gettext("Change of the total from the year before"), "change", tuple(cells))


def _per_unit_rows(
    costs: Sequence[Cost], indicators: Sequence[tuple[Indicator, Sequence[IndicatorValue]]]
) -> list[CostRow]:
    """The total cost per unit of each outcome indicator with an actual in a year of an
    actual cost: total (yen) / actual, in yen, rounded half up."""
    rows: list[CostRow] = []
    for indicator, values in indicators:
        if indicator.kind != Indicator.Kind.OUTCOME:
            continue
        actuals = {v.fiscal_year: v.actual for v in values if v.actual is not None}
        cells = []
        for cost in costs:
            actual = actuals.get(cost.fiscal_year) if cost.fiscal_year is not None else None
            if cost.basis != Cost.Basis.ACTUAL:
                cells.append(CostCell(EMPTY, gettext("not computed: not an actual cost")))
            elif actual is None:
                cells.append(CostCell(EMPTY, gettext("not computed: no actual value of the indicator")))
            elif actual == 0 or cost.total_cost is None:
                cells.append(CostCell(EMPTY, gettext("not computed: nothing to divide")))
            else:
                per_unit = (Decimal(cost.total_cost) / actual).quantize(Decimal(1), rounding=ROUND_HALF_UP)
                cells.append(CostCell(f"{per_unit:,f}", ""))
        if any(not cell.empty for cell in cells):
            if indicator.unit:
                heading = gettext("Total cost per %(unit)s of %(indicator)s (yen)") % {
                    "unit": indicator.unit,
                    "indicator": indicator.name,
                }
            else:
                heading = gettext("Total cost per unit of %(indicator)s (yen)") % {
                    "indicator": indicator.name
                }
            rows.append(CostRow(f"per-unit-{len(rows) + 1}", heading, "per_unit", tuple(cells)))
    return rows


def _nice_top(value: Decimal) -> Decimal:
    """The smallest round figure (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ) at or above
    ``value``, at least 1: the scale's top, its half a round figure too."""
    if value <= 1:
        return Decimal(1)
    power = Decimal(10) ** (len(str(int(value))) - 1)
    for step in ("1", "1.2", "1.5", "2", "2.5", "3", "4", "5", "6", "8"):
        if power * Decimal(step) >= value:
            return power * Decimal(step)
    return power * 10


#: The chart's drawing: a slot per bar, room for the scale's figures on the left, for the
#: legend above and for the years below.
SLOT = 64.0
BAR = 36.0
LEFT = 72.0
TOP = 48.0
PLOT = 150.0
BOTTOM = 40.0
#: Room for the legend, however few the bars.
MIN_WIDTH = 300.0


def cost_chart(costs: Sequence[Cost], unit: str, unit_label: str) -> CostChart | None:
    """The stacked bars of the total per fiscal year (the whole period's plan left out:
    it is not a year); None when no year has a total."""
    yearly = [c for c in costs if c.fiscal_year is not None and c.total_cost is not None]
    if not yearly:
        return None
    top = _nice_top(max(_scaled(c.total_cost or 0, unit) for c in yearly))
    a_label, b_label = gettext("Project cost (A)"), gettext("Staff cost (B)")
    bars = []
    for index, cost in enumerate(yearly):
        a = _scaled(cost.project_cost or 0, unit)
        total = _scaled(cost.total_cost or 0, unit)
        # B as drawn is the rest of the rounded total, so the two parts stack to it exactly.
        b = max(total - a, Decimal(0))
        a_fraction, b_fraction = float(a / top), float(b / top)
        a_height, b_height = round(a_fraction * PLOT, 2), round(b_fraction * PLOT, 2)
        x = LEFT + index * SLOT + (SLOT - BAR) / 2
        a_y = round(TOP + PLOT - a_height, 2)
        b_y = round(a_y - b_height, 2)
        bars.append(
            CostBar(
                label=fiscal.year_label_parts(cost.fiscal_year or 0)[0],
                basis_label="" if cost.basis == Cost.Basis.ACTUAL else _basis_label(cost.basis),
                planned=cost.basis != Cost.Basis.ACTUAL,
                total_text=format_amount(cost.total_cost, unit),
                a_fraction=round(a_fraction, 4),
                b_fraction=round(b_fraction, 4),
                x=x,
                centre=x + BAR / 2,
                a_y=a_y,
                a_height=a_height,
                b_y=b_y,
                b_height=b_height,
                height=round(a_height + b_height, 2),
                total_y=b_y - 4,
            )
        )
    ticks = tuple(
        CostTick(
            fraction=share,
            y=round(TOP + PLOT - PLOT * share, 2),
            text=f"{(top * Decimal(share)).normalize():,f}",
        )
        for share in (0, 0.5, 1)
    )
    figures = gettext(", ").join(
        f"{bar.label}{f' ({bar.basis_label})' if bar.basis_label else ''} {bar.total_text}" for bar in bars
    )
    title = gettext(
        "Total cost by fiscal year in %(unit)s, %(a)s and %(b)s stacked: %(figures)s. "
        "The figures are in the table."
    ) % {"unit": unit_label, "a": a_label, "b": b_label, "figures": figures}
    return CostChart(
        title=title,
        caption=gettext("Total cost by fiscal year (%(unit)s)") % {"unit": unit_label},
        unit_label=unit_label,
        a_label=a_label,
        b_label=b_label,
        width=max(LEFT + SLOT * len(bars) + 8, MIN_WIDTH),
        height=TOP + PLOT + BOTTOM,
        plot_left=LEFT - 4,
        plot_right=LEFT + SLOT * len(bars),
        plot_top=TOP,
        plot_bottom=TOP + PLOT,
        bar_width=BAR,
        legend_text_x=LEFT + 14,
        label_y=TOP + PLOT + 16,
        basis_y=TOP + PLOT + 31,
        ticks=ticks,
        bars=tuple(bars),
    )


def cost_table(
    plan: Plan, costs: Iterable[Cost], indicators: Sequence[tuple[Indicator, Sequence[IndicatorValue]]]
) -> CostTable | None:
    """The cost table of a node from its costs (and its indicators, each with its values,
    for the cost per unit of an outcome); None when it has no cost."""
    ordered = _ordered(costs)
    if not ordered:
        return None
    unit = plan.amount_unit
    unit_label = amount_unit_label(unit)
    not_given = gettext("not given")
    rows = [
        CostRow(
            name,
            heading,
            kind,
            tuple(_figure(getattr(cost, name), name, unit, not_given) for cost in ordered),
        )
        for name, (heading, kind) in _row_headings().items()
    ]
    rows.append(_change_row(ordered, unit))
    rows.extend(_per_unit_rows(ordered, indicators))
    notes = [
        gettext(
            "The change compares a year with the year before on the same basis: "
            "an actual with an actual, a budget with a budget."
        )
    ]
    if unit == AmountUnit.THOUSAND:
        notes.append(
            gettext("Amounts are rounded to the thousand yen; totals are computed in yen before rounding.")
        )
    return CostTable(
        caption=gettext("Costs by fiscal year (%(unit)s)") % {"unit": unit_label},
        unit_label=unit_label,
        columns=tuple(_column(cost) for cost in ordered),
        rows=tuple(rows),
        notes=tuple(notes),
        chart=cost_chart(ordered, unit, unit_label),
    )
