"""Importing files: always a preview first, then, if the preview is clean, the same
changes applied in one transaction.

Every kind of file Shinchoku takes in (a section's filled entry workbook, a plan's
structure as CSV or xlsx, a whole dataset as JSON) has an *importer*: it recognises its
files (``sniff``), reads one into a ``Preview`` without writing anything (``preview``),
and writes a clean preview (``apply``). ``shinchoku import FILE [--apply]`` and the
staff pages call ``import_preview`` / ``import_apply`` and never an importer directly.

A preview lists, per row (or object) of the file, whether it is unchanged, new or
changed — each changed field with its value before and after — or what is wrong with
it, named by where it stands (file, sheet, row, column, or path inside the file).
Problems that concern the file as a whole (not an xlsx file, too large, another
template version) are the preview's own. A preview with any problem cannot be applied:
nothing is written. Applying reads the file again inside the transaction, so that what
is written is what the database holds at that moment, and fails, writing nothing, if
the preview no longer matches it.

Lookups repeated row after row (who the person is, a level's scales) are remembered for
the length of one preview or import (``shinchoku.memo``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shinchoku.interchange.xlsxfile import ReadingStore, kept_readings
from shinchoku.memo import memoized

#: Files larger than this are refused before they are read.
MAX_FILE_BYTES = 10 * 1024 * 1024


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
    where: Where
    message: str

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
    #: Codes of the plans whose structure or data the import wrote: each gets an audit
    #: row naming the file and the person (an entry's changes are audited one by one).
    plans: tuple[str, ...] = ()


class ImportRefused(Exception):
    """The preview has problems, or no longer matches the database: nothing was written."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview
        super().__init__("\n".join(str(problem) for problem in preview.all_problems))


class Importer(Protocol):
    #: A short name: "entry-workbook", "plan-structure", "dataset".
    name: str

    def sniff(self, data: bytes, filename: str) -> bool:
        """Whether this importer reads this file (by content, never by its name alone)."""

    def preview(self, data: bytes, filename: str, *, actor: Any) -> Preview:
        """Read the file and compare it with the database; write nothing."""

    def apply(self, preview: Preview, *, actor: Any) -> ApplyResult:
        """Write a clean preview's changes (inside the caller's transaction); raise
        ImportRefused, after writing nothing, if that is not possible."""


#: The importers, tried in order; each module registers itself here (see ``register``).
IMPORTERS: list[Importer] = []


def register(importer: Importer) -> Importer:
    IMPORTERS.append(importer)
    return importer


def _load_importers() -> None:
    """Import the modules that register the importers (once)."""
    from shinchoku.interchange import importers  # noqa: F401


def _unrecognised(data: bytes, filename: str) -> Preview:
    return Preview(
        importer="",
        title=str(_("unrecognised file")),
        file=filename,
        problems=[
            Problem(
                Where(file=filename),
                str(
                    _(
                        "This is not a file Shinchoku can import: an entry workbook (xlsx), a plan "
                        "structure (CSV or xlsx) or a dataset (JSON) is expected."
                    )
                ),
            )
        ],
    )


def import_preview(
    data: bytes, filename: str, *, actor: Any, only: Sequence[str] = (), kept: ReadingStore | None = None
) -> Preview:
    """The preview of importing ``data`` (a file's bytes, named ``filename`` for the
    messages). Never writes, never raises for bad input: the problems are in the preview.
    With ``kept``, what reading a workbook finds is taken from there when it was kept for
    these bytes, and kept there otherwise (``xlsxfile.kept_readings``)."""
    _load_importers()
    if len(data) > MAX_FILE_BYTES:
        return Preview(
            importer="",
            title=str(_("file too large")),
            file=filename,
            problems=[
                Problem(
                    Where(file=filename),
                    str(
                        _("The file is %(size)s MB; at most %(max)s MB can be imported.")
                        % {"size": f"{len(data) / 1024 / 1024:.1f}", "max": MAX_FILE_BYTES // 1024 // 1024}
                    ),
                )
            ],
        )
    for importer in IMPORTERS:
        if (not only or importer.name in only) and importer.sniff(data, filename):
            with memoized(), kept_readings(kept):
                return importer.preview(data, filename, actor=actor)
    return _unrecognised(data, filename)


def import_apply(
    data: bytes, filename: str, *, actor: Any, only: Sequence[str] = (), kept: ReadingStore | None = None
) -> ApplyResult:
    """Preview ``data`` again and, if it is clean, apply it, all in one transaction.
    ImportRefused (with the preview) when it has problems; nothing is written then."""
    with transaction.atomic(), memoized():
        preview = import_preview(data, filename, actor=actor, only=only, kept=kept)
        if not preview.ok:
            raise ImportRefused(preview)
        importer = next(importer for importer in IMPORTERS if importer.name == preview.importer)
        result = importer.apply(preview, actor=actor)
        _audit(preview, result, actor=actor)
        return result


def _audit(preview: Preview, result: ApplyResult, *, actor: Any) -> None:
    from shinchoku.audit.models import EventType
    from shinchoku.audit.services import audit_record
    from shinchoku.plans.models import Plan

    for plan in Plan.objects.filter(code__in=result.plans).order_by("code"):
        audit_record(
            actor=actor,
            event_type=EventType.PLAN_IMPORTED,
            subject=plan,
            changes={},
            details={"file": preview.file, "importer": preview.importer, "counts": dict(result.counts)},
        )


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
    for row in preview.rows:
        if row.status == RowStatus.UNCHANGED and not verbose:
            continue
        lines.append(f"  {row.where}: {row.subject}: {row.status.value}")
        for change in row.changes:
            lines.append(f"    {change.label}: {_short(change.before)} → {_short(change.after)}")
        for problem in row.problems:
            lines.append(f"    ERROR {problem}")
    return lines


def _short(value: str, limit: int = 60) -> str:
    flat = value.replace("\n", "⏎")
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")
