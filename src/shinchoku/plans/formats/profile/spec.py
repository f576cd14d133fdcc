"""An import profile as read and checked (``profile.py``): what each column of a city's
sheet holds and what it becomes in the plan. The format is documented in
docs/import-profiles.md; these types are its checked form, every column resolved to its
number and every reference between the profile's parts known to hold.

Each item keeps its ``path`` inside the profile, so that a problem the sheet shows (a
heading that moved, a value no mapping takes) can name the profile's line too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl.utils import get_column_letter

from shinchoku.plans.content import COST_FIGURES

FORMAT = "shinchoku-import-profile/1"
PathKey = tuple[str | int, ...]

#: The fields of a cost that a sheet's columns may give (``total_cost`` is read to be
#: checked against A + B, never stored: the total is always computed).
COST_FIELDS = (*COST_FIGURES, "total_cost")
#: The cost fields that are amounts of money (the others count people and hours).
AMOUNT_FIELDS = frozenset(COST_FIELDS) - {"staff_count", "staff_hours"}
#: The funding sources, whose sum is the project cost (A).
SOURCE_FIELDS = ("national", "prefectural", "bonds", "other", "general")
#: Decimal places stored of a staff count and of staff hours.
STAFF_PLACES = {"staff_count": 2, "staff_hours": 2}


@dataclass(frozen=True)
class Column:
    """A column of the sheet, by its number (1 for A), and where the profile names it."""

    index: int
    path: PathKey = ()

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)


@dataclass(frozen=True)
class LevelSpec:
    """A level of the plan's tree, and the columns that give each row's node of it."""

    key: str
    name: str
    name_en: str
    kind: str
    rated: bool
    #: The columns whose texts, one after another, make the node's own code (十の位, 一の位).
    code: tuple[Column, ...]
    #: The node's code is its parent's, a hyphen, and its own (06, 06-21, 06-21-02).
    prefix: bool
    #: A code given as a number is padded with zeros to this many digits (0: never).
    digits: int
    title: Column
    path: PathKey


@dataclass(frozen=True)
class ScaleLevelSpec:
    code: str
    label: str
    label_en: str
    adverse: bool
    row_label: str
    column_label: str


@dataclass(frozen=True)
class ScaleSpec:
    code: str
    name: str
    name_en: str
    good_end: str
    description: str
    levels: tuple[ScaleLevelSpec, ...]
    path: PathKey


@dataclass(frozen=True)
class DimensionSpec:
    """An evaluation question: its column of answers, the column of their reasons, and the
    answers as written mapped to the scale's levels (None: read as no answer, warned)."""

    key: str
    name: str
    name_en: str
    level: str
    scale: str
    primary: bool
    column: Column
    reason: Column | None
    #: The compact form of a value as written (``cells.compact``) → a level's code or None.
    values: dict[str, str | None]
    path: PathKey


@dataclass(frozen=True)
class MarkerSpec:
    """A marker of the plan; with a column, a row whose cell holds a mark (○) bears it."""

    symbol: str
    name: str
    name_en: str
    meaning: str
    column: Column | None
    path: PathKey


@dataclass(frozen=True)
class SectionColumn:
    """A column holding a section's text; for a section of a fiscal year, which year
    relative to the sheet's (0: the sheet's own year)."""

    column: Column
    year: int | None


@dataclass(frozen=True)
class SectionSpec:
    key: str
    name: str
    name_en: str
    level: str
    scope: str  # "node" or "year"
    builtin: str
    columns: tuple[SectionColumn, ...]
    path: PathKey


@dataclass(frozen=True)
class ClassificationSpec:
    """A column classifying each node (事務事業区分): each value as written (compact) →
    the marker it bears, or, with ``label``, the value itself as the node's label."""

    column: Column
    values: dict[str, str]
    into_label: bool
    path: PathKey


@dataclass(frozen=True)
class PeriodSpec:
    """The project's period (事業期間): its kind and first and last years, written into a
    section of the node."""

    kind: Column | None
    start: Column | None
    end: Column | None
    section: str
    path: PathKey


@dataclass(frozen=True)
class BudgetSpec:
    """Budget items (予算科目) over several columns, several items to a cell one a line,
    written into a section of the node, one item a line, the columns' parts joined."""

    columns: tuple[Column, ...]
    joiner: str
    section: str
    path: PathKey


@dataclass(frozen=True)
class UnitSpec:
    """The column naming each node's organisation unit. A unit's code is the one
    ``codes`` gives its name, or ``prefix`` and a digest of its name."""

    column: Column
    role: str
    kind: str
    prefix: str
    codes: dict[str, str]
    path: PathKey


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    kind: str
    name: Column
    unit: Column
    path: PathKey


@dataclass(frozen=True)
class BlockSpec:
    """A repeated block of columns for one fiscal year: the year, relative to the sheet's
    (``year``) or as such (``fiscal_year``), and the basis of its figures."""

    start: int
    year: int | None
    fiscal_year: int | None
    basis: str
    path: PathKey

    def fiscal_year_of(self, sheet_year: int) -> int:
        return self.fiscal_year if self.fiscal_year is not None else sheet_year + (self.year or 0)


@dataclass(frozen=True)
class YearsSpec:
    width: int
    blocks: tuple[BlockSpec, ...]
    #: Cost field → its place in a block (0 for the block's first column).
    costs: dict[str, int]
    #: Indicator key → its place in a block.
    indicators: dict[str, int]
    #: The heading expected at each place of every block ("" where none is checked).
    headings: tuple[str, ...]
    path: PathKey


@dataclass(frozen=True)
class WholePeriodSpec:
    """The columns of a plan for the whole of a project's period (全体計画): a cost
    without a fiscal year."""

    basis: str
    costs: dict[str, Column]
    path: PathKey


@dataclass(frozen=True)
class StaffRateSpec:
    fiscal_year: int
    hourly_cost: int


@dataclass
class Profile:
    """A checked import profile; see the module docstring and docs/import-profiles.md."""

    file: str
    name: str
    sheet: str
    heading_row: int
    first_row: int
    last_row: int | None
    #: The sheet's fiscal year, as given, or the column holding it.
    fiscal_year: int | None
    fiscal_year_column: Column | None
    #: The year the sheet's evaluation judges, relative to the sheet's year.
    judged_year: int
    #: Amounts in the sheet: "yen" or "thousand" (千円).
    amounts: str
    ignored: tuple[Column, ...]
    personal: tuple[Column, ...]
    #: Column number → the heading expected there, compact (``cells.compact``), and as written.
    headings: dict[int, tuple[str, str]]
    plan_code: str
    plan_title: str
    plan_description: str
    period_label: str
    first_year: int
    last_year: int
    amount_unit: str
    staff_rates: tuple[StaffRateSpec, ...]
    levels: tuple[LevelSpec, ...]
    scales: tuple[ScaleSpec, ...]
    dimensions: tuple[DimensionSpec, ...]
    markers: tuple[MarkerSpec, ...]
    sections: tuple[SectionSpec, ...]
    fields: dict[str, Column] = field(default_factory=dict)
    classification: ClassificationSpec | None = None
    period: PeriodSpec | None = None
    budget: BudgetSpec | None = None
    unit: UnitSpec | None = None
    direction: str = "higher"
    percent_units: frozenset[str] = frozenset({"%"})
    unit_names: dict[str, str] = field(default_factory=dict)
    indicators: tuple[IndicatorSpec, ...] = ()
    years: YearsSpec | None = None
    whole_period: WholePeriodSpec | None = None
    #: The marks that set a marker's column (○ and its look-alikes), compact.
    marks: frozenset[str] = frozenset()
    #: The line of each path of the profile, for the messages.
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int | None:
        for cut in range(len(path), -1, -1):
            line = self.lines.get(path[:cut])
            if line is not None:
                return line
        return None

    def level(self, key: str) -> LevelSpec:
        return next(level for level in self.levels if level.key == key)

    @property
    def deepest(self) -> LevelSpec:
        return self.levels[-1]


def decimal_places(value: Decimal) -> int:
    """How many decimal places a value has once its trailing zeros are dropped."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
