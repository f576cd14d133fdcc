"""The checked form of a plan data file, and the problems found on the way.

The checker (check.py) turns a file into a PlanSpec; the writer (write.py) writes
it. Each object of the spec carries its path inside the file, so that what the
models or the database refuse while writing is reported where it stands. A
Problem names that path, its line and what is wrong; PlanFileError carries every
problem of a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypedDict

from shinchoku.plans.formats.planfile.yamlsource import Located

FORMAT = "shinchoku-plan/1"
Path_ = tuple[str | int, ...]


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


@dataclass
class Problem:
    path: Path_
    message: str
    line: int | None = None

    @classmethod
    def at(cls, located: Located | None, path: Path_, message: str) -> Problem:
        """A problem at ``path``, with the line it stands on in ``located`` where known."""
        return cls(path, message, located.line_of(path) if located else None)

    def render(self, file: str) -> str:
        where = f"{file}, line {self.line}" if self.line else file
        return f"{where}, {format_path(self.path)}: {self.message}"


class PlanFileError(Exception):
    """A plan data file that cannot be loaded; ``problems`` says where and why."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__("\n".join(problem.render(file) for problem in problems))


# ---------------------------------------------------------------- the checked spec


class PlanData(TypedDict):
    code: str
    title: str
    period_label: str
    first_year: int | None
    last_year: int | None
    onwards: bool
    description: str
    note: str
    path: Path_


class LevelData(TypedDict):
    depth: int
    key: str
    kind: str
    name: str
    name_en: str
    rated: bool
    path: Path_


class ScaleLevelData(TypedDict):
    code: str
    label: str
    label_en: str
    adverse: bool
    position: int
    path: Path_


class ScaleData(TypedDict):
    code: str
    name: str
    name_en: str
    good_end: str
    description: str
    levels: list[ScaleLevelData]
    path: Path_


class DimensionData(TypedDict):
    key: str
    name: str
    name_en: str
    level: str  # the level's key
    scale: str  # the scale's code
    primary: bool
    position: int
    path: Path_


class MarkerData(TypedDict):
    symbol: str
    name: str
    name_en: str
    meaning: str
    note: str
    position: int
    path: Path_


class UnitData(TypedDict):
    code: str
    name: str
    kind: str
    parent: str  # the parent's code, or ""
    path: Path_


@dataclass
class TargetSpec:
    row: int
    start_year: int
    end_year: int
    open_end: bool
    text: str
    revised_text: str
    revision_reason: str
    note: str
    path: Path_ = ()


@dataclass
class ResultSpec:
    fiscal_year: int
    text: str
    ratings: dict[str, str]
    context_change: str
    response: str
    highlight: str
    note: str
    path: Path_ = ()


@dataclass
class ValueSpec:
    fiscal_year: int
    target: Decimal | None
    actual: Decimal | None
    path: Path_ = ()


@dataclass
class IndicatorSpec:
    name: str
    kind: str
    unit: str
    direction: str
    baseline_value: Decimal | None
    baseline_year: int | None
    values: list[ValueSpec]
    path: Path_ = ()


@dataclass
class UnitRoleSpec:
    unit: str
    role: str
    path: Path_ = ()


@dataclass
class NodeSpec:
    level: str
    code: str
    title: str
    label: str
    summary: str
    baseline: str
    note: str
    markers: list[str]
    units: list[UnitRoleSpec]
    targets: list[TargetSpec]
    results: list[ResultSpec]
    indicators: list[IndicatorSpec]
    children: list[NodeSpec] = field(default_factory=list)
    path: Path_ = ()


@dataclass
class PlanSpec:
    """The checked file. The plan, levels, scales (and their levels), dimensions,
    markers and units are dicts of the stored fields plus ``path``."""

    plan: PlanData
    levels: list[LevelData]
    scales: list[ScaleData]
    dimensions: list[DimensionData]
    markers: list[MarkerData]
    units: list[UnitData]
    nodes: list[NodeSpec]
    located: Located | None = None
