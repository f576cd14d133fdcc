"""A structure sheet as read, before it is compared with anything: the plan's row, the
levels its headings name, and its nodes in order with their units, markers and targets,
each with the cell it comes from."""

from __future__ import annotations

from dataclasses import dataclass, field

from shinchoku.interchange.preview import Problem, Where
from shinchoku.plans.formats.structure.vocabulary import Heading


@dataclass
class PlanRow:
    code: str
    title: str
    first_year: int | None
    last_year: int | None
    period_label: str | None  # None: no such column
    where: Where


@dataclass
class SheetLevel:
    depth: int
    name: str
    rated: bool
    scale: str | None  # a scale code, NO_SCALE, or None: the default
    where: Where  # the code column's heading
    title_heading: str = ""


@dataclass
class SheetTarget:
    row: int
    start: int
    end: int
    open_end: bool
    text: str
    where: Where

    @property
    def key(self) -> tuple[int, int, int, bool, str]:
        return (self.row, self.start, self.end, self.open_end, self.text)


@dataclass
class SheetUnit:
    code: str  # an existing unit's code, or the code a new unit gets
    name: str  # exactly as stored, or as the sheet writes a new unit's
    new: bool
    where: Where
    #: A new unit's: the (name, code) of the stored units whose names differ from its
    #: name only in the width of their characters.
    similar: tuple[tuple[str, str], ...] = ()


@dataclass
class SheetNode:
    code: str
    title: str
    depth: int
    parent: str | None
    row: int
    where: Where  # the row
    places: dict[str, Where]  # field name → the cell it comes from
    implied: bool = False  # described only by the level columns of a row below
    label: str | None = None  # None: the column is absent (the stored value stays)
    summary: str | None = None
    baseline: str | None = None
    units: list[SheetUnit] | None = None
    markers: list[str] | None = None
    targets: list[SheetTarget] | None = None
    target_rows: int = 0
    position: int = 0
    rows: list[int] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return f"{self.code} {self.title}"


@dataclass
class Structure:
    """A structure sheet as read: the plan, its levels and its nodes in order."""

    file: str
    sheet: str
    header_row: int
    plan: PlanRow | None
    levels: list[SheetLevel]
    nodes: list[SheetNode]
    headings: dict[str, Heading]  # fixed kinds → heading
    year_headings: list[Heading]
    header_problems: list[Problem]
    row_problems: dict[int, list[Problem]]
    #: The onwards column decides Plan.onwards when the sheet has year columns.
    onwards: bool | None = None
