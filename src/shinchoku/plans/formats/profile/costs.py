"""A row's costs: one per year block (its fiscal year and basis) and one for the whole
period (全体計画, no fiscal year), each amount in yen (``amounts: thousand`` multiplies by
1000), staff counts and hours to two decimals. The sheet's totals are checked, never
kept: A against the sum of its funding sources, and the total against A + B (the total is
always computed); a difference is warned."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from shinchoku.plans.formats.profile.cells import Cells, Dirt
from shinchoku.plans.formats.profile.spec import AMOUNT_FIELDS, SOURCE_FIELDS, STAFF_PLACES, Profile

Figure = int | Decimal | None


@dataclass
class CostReading:
    """A cost as a row gives it: its figures by field (``total_cost`` the sheet's own)."""

    fiscal_year: int | None
    basis: str
    values: dict[str, Figure]
    row: int
    #: The first column of the block (or of the whole-period columns), for the messages.
    column: int

    @property
    def zero(self) -> bool:
        """Every figure zero or not given."""
        return all(not value for value in self.values.values())


def _read(profile: Profile, cells: Cells, row: int, columns: dict[str, int]) -> dict[str, Figure]:
    factor = 1000 if profile.amounts == "thousand" else 1
    values: dict[str, Figure] = {}
    for name, column in columns.items():
        if name in AMOUNT_FIELDS:
            values[name] = cells.amount(row, column, factor)
        else:
            values[name] = cells.quantity(row, column, STAFF_PLACES[name])
    return values


def _check_totals(cells: Cells, reading: CostReading, columns: dict[str, int]) -> None:
    values = reading.values
    sources = [values.get(name) for name in SOURCE_FIELDS if name in values]
    project = values.get("project_cost")
    # Each amount is rounded to a yen on its own: their sum may differ by a yen each.
    if project is not None and sources and all(value is not None for value in sources):
        total = sum(int(value or 0) for value in sources)
        if abs(total - int(project)) > len(sources):
            cells.warn(
                reading.row,
                columns["project_cost"],
                Dirt.totals(),
                _("The project cost (A) is %(a)s yen, and its funding sources add up to %(sum)s.")
                % {"a": project, "sum": total},
            )
    given = values.get("total_cost")
    staff = values.get("staff_cost")
    if given is not None and (project is not None or staff is not None):
        computed = int(project or 0) + int(staff or 0)
        if abs(computed - int(given)) > 2:
            cells.warn(
                reading.row,
                columns["total_cost"],
                Dirt.totals(),
                _("The sheet's total is %(given)s yen; A + B is %(computed)s, which is kept.")
                % {"given": given, "computed": computed},
            )


def read_costs(profile: Profile, cells: Cells, row: int, fiscal_year: int) -> list[CostReading]:
    """The row's costs: one per year block with a figure, and the whole period's unless
    its every figure is zero or empty (then it is not given: warned when zeros)."""
    costs: list[CostReading] = []
    if profile.years is not None:
        for block in profile.years.blocks:
            columns = {name: block.start + offset for name, offset in profile.years.costs.items()}
            if not columns:
                continue
            reading = CostReading(
                block.fiscal_year_of(fiscal_year),
                block.basis,
                _read(profile, cells, row, columns),
                row,
                block.start,
            )
            if any(value is not None for value in reading.values.values()):
                _check_totals(cells, reading, columns)
                costs.append(reading)
    whole = profile.whole_period
    if whole is not None:
        columns = {name: column.index for name, column in whole.costs.items()}
        first = min(columns.values())
        reading = CostReading(None, whole.basis, _read(profile, cells, row, columns), row, first)
        if reading.zero:
            if any(value is not None for value in reading.values.values()):
                cells.warn(row, first, Dirt.zeros(), _("Zeros in the whole-period plan: read as not given."))
        else:
            _check_totals(cells, reading, columns)
            costs.append(reading)
    return costs
