"""What importing a file would do, told before anything is written: the ``Preview`` of a
file (its rows, each unchanged, new, changed field by field, removed, or in error, and
the problems, each named by where it stands in the file), what applying it wrote
(``ApplyResult``), and the ``Importer`` protocol every file format's importer follows.

The importers (``shinchoku.interchange.importing.IMPORTERS``) build these; the console
and the staff pages show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

from shinchoku.errors import ApplicationError, ErrorCode


class RowStatus(StrEnum):
    UNCHANGED = "unchanged"
    NEW = "new"
    CHANGED = "changed"
    REMOVED = "removed"
    ERROR = "error"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    RowStatus.UNCHANGED: _("unchanged"),
    RowStatus.NEW: _("new"),
    RowStatus.CHANGED: _("changed"),
    RowStatus.REMOVED: _("removed"),
    RowStatus.ERROR: _("error"),
}


@dataclass(frozen=True)
class Where:
    """Where something stands in a file; each part is optional."""

    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    #: The column's heading, or a path inside a JSON file.
    name: str = ""

    def __str__(self) -> str:
        parts = [self.file] if self.file else []
        if self.sheet:
            parts.append(str(_("sheet %(sheet)s") % {"sheet": self.sheet}))
        if self.row is not None:
            parts.append(str(_("row %(row)s") % {"row": self.row}))
        if self.column:
            column = str(_("column %(column)s") % {"column": self.column})
            parts.append(f"{column} ({self.name})" if self.name else column)
        elif self.name:
            parts.append(self.name)
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """Something wrong, or worth a warning, at a place of a file. ``kind`` names a
    warning's kind as a person reads it ("dash or 0 for empty"), for grouping them."""

    where: Where
    message: str
    kind: str = ""

    def __str__(self) -> str:
        where = str(self.where)
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class RowPreview:
    """One row (or object) of the file and what importing it would do."""

    where: Where
    #: What the row is about, as a person names it: "9-1-1 協働型事業の推進".
    subject: str
    status: RowStatus
    changes: tuple[FieldChange, ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass
class Preview:
    """What importing a file would do. ``payload`` is the importer's own reading of the
    file, which ``apply`` writes."""

    importer: str
    #: The kind of file, as a person names it ("entry workbook 2013年度 …").
    title: str
    file: str
    rows: list[RowPreview] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: What reading the file changed or left out, told but never stopping the import.
    warnings: list[Problem] = field(default_factory=list)
    payload: Any = None

    @property
    def all_problems(self) -> list[Problem]:
        return [*self.problems, *(problem for row in self.rows for problem in row.problems)]

    @property
    def ok(self) -> bool:
        return not self.all_problems

    def count(self, status: RowStatus) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def changed(self) -> bool:
        return any(row.status not in {RowStatus.UNCHANGED, RowStatus.ERROR} for row in self.rows)


@dataclass(frozen=True)
class ApplyResult:
    """What was written: a line for a person, and the counts by row status."""

    summary: str
    counts: dict[str, int] = field(default_factory=dict)


class ImportRefused(ApplicationError):
    """The preview has problems, or no longer matches the database: nothing was written.
    The message is the problems, one a line; ``preview`` holds them with where they are."""

    code = ErrorCode.INVALID

    def __init__(self, preview: Preview) -> None:
        self.preview = preview
        super().__init__(self.code, "\n".join(str(problem) for problem in preview.all_problems))


class Importer(Protocol):
    #: A short name: "entry-workbook", "plan-structure", "dataset".
    name: str

    def sniff(self, data: bytes, filename: str) -> bool:
        """Whether this importer reads this file (by content, never by its name alone)."""

    def preview(self, data: bytes, filename: str, *, actor: Any) -> Preview:
        """Read the file and compare it with the database; write nothing."""

    def apply(self, preview: Preview, *, actor: Any) -> ApplyResult:
        """Write a clean preview's changes (inside the caller's transaction), through the
        services that record their audit rows (a plan's: ``plans.writing.plan_apply``);
        raise ImportRefused, after writing nothing, if that is not possible."""


def preview_lines(preview: Preview, *, verbose: bool = False) -> list[str]:
    """The preview as lines of text, for the console."""
    lines = [f"{preview.file}: {preview.title}"]
    counts = ", ".join(
        f"{status.value} {preview.count(status)}" for status in RowStatus if preview.count(status)
    )
    if counts:
        lines.append(f"  {counts}")
    for problem in preview.problems:
        lines.append(f"  ERROR {problem}")
    lines.extend(warning_lines(preview.warnings, verbose=verbose))
    for row in preview.rows:
        if row.status == RowStatus.UNCHANGED and not verbose:
            continue
        lines.append(f"  {row.where}: {row.subject}: {row.status.value}")
        for change in row.changes:
            lines.append(f"    {change.label}: {_short(change.before)} → {_short(change.after)}")
        for problem in row.problems:
            lines.append(f"    ERROR {problem}")
    return lines


#: The warnings of one kind the console lists unless asked for all.
WARNINGS_SHOWN = 10


def warnings_by_kind(warnings: list[Problem]) -> list[tuple[str, list[Problem]]]:
    """The warnings grouped by kind, the commonest kind first."""
    groups: dict[str, list[Problem]] = {}
    for warning in warnings:
        groups.setdefault(warning.kind, []).append(warning)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def warning_lines(warnings: list[Problem], *, verbose: bool = False) -> list[str]:
    """The warnings for the console: their count by kind, then each (the first
    ``WARNINGS_SHOWN`` of a kind unless ``verbose``)."""
    if not warnings:
        return []
    groups = warnings_by_kind(warnings)
    counts = ", ".join(f"{kind or '-'} {len(items)}" for kind, items in groups)
    label = _("warnings")
    lines = [f"  {label} {len(warnings)}: {counts}"]
    for kind, items in groups:
        shown = items if verbose else items[:WARNINGS_SHOWN]
        lines.extend(f"  WARNING {warning}" for warning in shown)
        if len(items) > len(shown):
            lines.append(
                "  "
                + str(_("… and %(count)s more of the kind “%(kind)s”"))
                % {"count": len(items) - len(shown), "kind": kind}
            )
    return lines


def _short(value: str, limit: int = 60) -> str:
    flat = value.replace("\n", "⏎")
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")
