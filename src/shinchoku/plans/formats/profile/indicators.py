"""A row's indicators (活動指標, 対象指標, 成果指標): each named in its columns, with its
unit, and its values from the year blocks — actuals in a block of actuals, targets in a
block of plans or budgets. Indicator values are never scaled as amounts (an indicator in
千円 keeps its number), may be negative, and are kept to four decimals (rounded, warned).

A percentage whose values all lie between 0 and 1, one of them not whole, was stored as a
fraction: it is multiplied by 100 (warned). A value that is no number (``29（4）``) is kept
as text in the node's note (warned). An indicator without a name is not read; its values,
if any, are warned."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from shinchoku import fiscal
from shinchoku.plans.formats.profile.cells import Cells, Dirt, compact, rounded
from shinchoku.plans.formats.profile.spec import Profile, decimal_places
from shinchoku.text import normalize

#: Decimal places an indicator value keeps (``IndicatorValue``'s).
VALUE_PLACES = 4


@dataclass
class IndicatorReading:
    key: str
    kind: str
    name: str
    unit: str
    position: int
    row: int
    column: int
    targets: dict[int, Decimal] = field(default_factory=dict)
    actuals: dict[int, Decimal] = field(default_factory=dict)

    def values_of(self, year: int) -> list[Decimal | None]:
        return [self.targets.get(year), self.actuals.get(year)]

    def drop(self, years: list[int]) -> None:
        for year in years:
            self.targets.pop(year, None)
            self.actuals.pop(year, None)

    @property
    def years(self) -> list[int]:
        return sorted({*self.targets, *self.actuals})


def _unit(profile: Profile, cells: Cells, row: int, column: int) -> str:
    if not column:
        return ""
    unit = cells.text(row, column)
    stored = profile.unit_names.get(compact(unit), unit) if unit else ""
    written = cells.raw(row, column)
    if stored and isinstance(written, str) and written.strip() != stored:
        cells.warn(
            row,
            column,
            Dirt.unit(),
            _("The unit %(written)r is stored as %(stored)r.")
            % {"written": written.strip(), "stored": stored},
        )
    return stored


def read_indicators(
    profile: Profile, cells: Cells, row: int, fiscal_year: int
) -> tuple[list[IndicatorReading], list[str]]:
    """The row's indicators with their values, and the values kept as text (lines)."""
    years = profile.years
    readings: list[IndicatorReading] = []
    kept: list[str] = []
    for position, spec in enumerate(profile.indicators):
        name = cells.text(row, spec.name.index)
        offset = years.indicators.get(spec.key) if years is not None else None
        places: dict[tuple[str, int], int] = {}
        values: list[tuple[int, str, Decimal, int]] = []
        texts: list[tuple[int, str, int]] = []
        if years is not None and offset is not None:
            for block in years.blocks:
                column = block.start + offset
                value = cells.number(row, column)
                year = block.fiscal_year_of(fiscal_year)
                if isinstance(value, Decimal):
                    side = "actual" if block.basis == "actual" else "target"
                    values.append((year, side, value, column))
                    places[(side, year)] = column
                elif isinstance(value, str) and value:
                    texts.append((year, normalize(value), column))
        if not name:
            if texts or any(value for _year, _side, value, _column in values):
                cells.warn(
                    row,
                    spec.name.index,
                    Dirt.orphan(),
                    _("The indicator %(key)s has values but no name: they are not read.") % {"key": spec.key},
                )
            continue
        reading = IndicatorReading(
            spec.key,
            spec.kind,
            name,
            _unit(profile, cells, row, spec.unit.index),
            position,
            row,
            spec.name.index,
        )
        for year, text, column in texts:
            cells.warn(
                row,
                column,
                Dirt.kept_text(),
                _("%(text)r is not a number: kept as text in the node's note.") % {"text": text},
            )
            kept.append(f"{name} {fiscal.western_label(year)}: {text}")
        if _fractions(profile, reading.unit, [value for _year, _side, value, _column in values]):
            cells.warn(
                row,
                values[0][3],
                Dirt.percent(),
                _("The percentages of %(name)r lie between 0 and 1: read as fractions and multiplied by 100.")
                % {"name": name},
            )
            values = [(year, side, value * 100, column) for year, side, value, column in values]
        for year, side, value, column in values:
            if decimal_places(value) > VALUE_PLACES:
                kept_value = rounded(value, VALUE_PLACES)
                cells.warn(
                    row,
                    column,
                    Dirt.rounded(),
                    _("%(number)s rounded to %(kept)s (four decimals are kept).")
                    % {"number": value.normalize(), "kept": kept_value.normalize()},
                )
                value = kept_value
            (reading.actuals if side == "actual" else reading.targets)[year] = value
        readings.append(reading)
    return readings, kept


def _fractions(profile: Profile, unit: str, values: list[Decimal]) -> bool:
    return (
        bool(values)
        and compact(unit) in profile.percent_units
        and all(0 <= value <= 1 for value in values)
        and any(value != value.to_integral_value() for value in values)
    )
