"""Loading a plan data file: read and checked into the plan's content (check.py), then
compared with the database and written by ``shinchoku.plans.writing``, the one writer
of every format. ``preview_plan_file`` says what loading would do without writing (as
``shinchoku import`` does for the other formats); ``load_plan_file`` writes it, all or
nothing, with one audit row naming the file and the person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shinchoku.audit.models import EventType
from shinchoku.interchange.preview import Preview, Where
from shinchoku.plans.formats.planfile.check import read_plan_file
from shinchoku.plans.formats.planfile.spec import PlanFile, PlanFileError, format_path
from shinchoku.plans.writing import (
    ObjectDiff,
    Origin,
    PlanWriteRefused,
    WriteSummary,
    plan_apply,
    plan_check,
    plan_diff,
)

#: The format's name in the audit log.
NAME = "plan-file"


def preview_plan_file(path: Path) -> Preview:
    """What loading the file would do, object by object; writes nothing. Raises
    PlanFileError with every problem: of the file, or of what writing it would refuse."""
    plan_file = read_plan_file(path)
    diff = plan_diff(plan_file.content)
    if diff.changed:
        problems = plan_check([plan_file.content])
        if problems:
            raise plan_file.error(problems)
    preview = Preview(importer=NAME, title=f"plan data file: {plan_file.content.code}", file=str(path))
    preview.rows = diff.rows(lambda item: _where(plan_file, item))
    return preview


def load_plan_file(path: Path, *, actor: Any = None) -> WriteSummary:
    """Read, check and write a plan data file in one transaction, as ``actor`` (None: the
    console). Raises PlanFileError, writing nothing, with every problem."""
    plan_file = read_plan_file(path)
    try:
        return plan_apply(
            plan_file.content, actor=actor, origin=Origin(str(path), NAME, EventType.PLAN_LOADED)
        )
    except PlanWriteRefused as refusal:
        raise plan_file.error(refusal.problems) from refusal


def _where(plan_file: PlanFile, item: ObjectDiff) -> Where:
    if item.source is None:
        return Where(file=str(plan_file.path))
    line = plan_file.located.line_of(item.source)
    name = format_path(item.source)
    return Where(file=str(plan_file.path), name=f"line {line}, {name}" if line else name)


__all__ = ["PlanFileError", "load_plan_file", "preview_plan_file"]
