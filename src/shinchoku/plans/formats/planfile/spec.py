"""A plan data file as read: its content with where each item stands, and the problems.

The checker (check.py) turns a file into a ``PlanFile``: the plan's content
(``shinchoku.plans.content``), each item's ``source`` being its path inside the file,
and the file's lines. What the writer (``shinchoku.plans.writing``) refuses comes back
on an item and a field of the content; ``PlanFile.problems_of`` says where that stands
in the file (``FILE_KEYS``), with its line. A Problem names that path, its line and what
is wrong; PlanFileError carries every problem of a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from shinchoku.plans.content import COST_FIGURES, PlanContent
from shinchoku.plans.formats.planfile.yamlsource import Located
from shinchoku.plans.writing import WriteProblem

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


def _same(*names: str) -> dict[str, Path_]:
    return {name: (name,) for name in names}


#: Where each field of the content's items (``content.FIELDS``, by kind) stands in the
#: file, relative to the item's path: () for the item itself. A field not listed is not
#: written in the file: its refusal is told on the item.
FILE_KEYS: dict[str, dict[str, Path_]] = {
    "plan": _same(
        "code",
        "title",
        "period_label",
        "first_year",
        "last_year",
        "onwards",
        "description",
        "note",
        "amount_unit",
    ),
    "level": _same("key", "kind", "name", "name_en", "rated"),
    "scale": _same("code", "name", "name_en", "good_end", "description", "levels"),
    "scale_level": _same("code", "label", "label_en", "adverse", "row_label", "column_label"),
    "dimension": _same("key", "name", "name_en", "level", "scale", "primary"),
    "marker": _same("symbol", "name", "name_en", "meaning", "note"),
    "unit": _same("code", "name", "kind", "parent"),
    "section": _same("key", "name", "name_en", "level", "scope", "builtin"),
    "staff_rate": {"fiscal_year": ("year",), "hourly_cost": ("hourly_cost",)},
    "node": _same(
        "level", "code", "label", "title", "summary", "baseline", "note", "markers", "targets", "sections"
    ),
    "unit_role": _same("unit", "role"),
    "target": {
        **_same("row", "text", "note"),
        "start_year": ("years",),
        "end_year": ("years",),
        "open_end": ("years",),
        "revised_text": ("revised", "text"),
        "revision_reason": ("revised", "reason"),
    },
    "result": {
        **_same("text", "context_change", "response", "highlight", "note", "sections"),
        "fiscal_year": ("year",),
    },
    "rating": {"level": (), "dimension": (), "reason": ()},
    "indicator": {
        **_same("name", "kind", "unit", "direction"),
        "baseline_value": ("baseline", "value"),
        "baseline_year": ("baseline", "year"),
    },
    "indicator_value": {**_same("target", "actual"), "fiscal_year": ("year",)},
    "cost": {**_same("basis", *COST_FIGURES), "fiscal_year": ("year",)},
}


@dataclass
class PlanFile:
    """A checked plan data file: the plan's content, and the file's lines."""

    path: Path
    content: PlanContent
    located: Located

    def problem_of(self, problem: WriteProblem) -> Problem:
        """A problem of the writer, where it stands in this file, with its line."""
        path: Path_ = tuple(problem.source or ())
        message = problem.message
        if problem.field:
            key = FILE_KEYS.get(problem.kind, {}).get(problem.field)
            if key is None:
                message = f"{problem.field}: {message}"
            else:
                path = (*path, *key)
        return Problem.at(self.located, path, message)

    def error(self, problems: Iterable[WriteProblem]) -> PlanFileError:
        """The writer's problems as the refusal of this file."""
        return PlanFileError(str(self.path), [self.problem_of(problem) for problem in problems])
