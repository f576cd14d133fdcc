"""A city's own workbook (or CSV), read with an import profile: importer ``profile``,
used by ``shinchoku import FILE --profile PROFILE`` (docs/import-profiles.md).

Reading goes in steps, none writing: the profile is read and checked (``profile.py``);
the sheet is opened, its columns and headings checked against the profile (``sheet.py``);
its rows are read into the plan's tree, each cell by the rules of ``cells.py``, every
change warned (``layout.py``, ``costs.py``, ``indicators.py``); the tree becomes the
plan's content (``convert.py``), which ``shinchoku.plans.writing`` compares with the
database (``plan_diff``: the preview's rows) and, when it changes anything, tries writing
and takes back (``plan_check``). The warnings are the preview's; an error of any step
is a problem, and nothing can be applied. ``apply`` writes the content with
``plan_apply``, the one writer of every format, in one transaction with one audit row.

The importer is not in ``interchange.importing.IMPORTERS``: no file is recognised as a
city's workbook by its content alone; it is used when a profile is given.

Only the planning administrator may import with a profile, or the console without
``--user``: it builds and replaces a whole plan.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from shinchoku.accounts.permissions import is_administrator
from shinchoku.interchange.preview import ApplyResult, ImportRefused, Preview, Problem, RowStatus, Where
from shinchoku.plans.content import PlanContent
from shinchoku.plans.formats.profile.convert import plan_content
from shinchoku.plans.formats.profile.layout import read_tree
from shinchoku.plans.formats.profile.sheet import SheetRefused, open_sheet
from shinchoku.plans.formats.profile.spec import Profile
from shinchoku.plans.writing import Origin, PlanWriteRefused, WriteProblem, plan_apply, plan_check, plan_diff

NAME = "profile"


def _problem(file: str, problem: WriteProblem) -> Problem:
    """A problem of the writer, at the cell (or the profile's line) of what it concerns."""
    where = problem.source if isinstance(problem.source, Where) else Where(file=file)
    message = f"{problem.field}: {problem.message}" if problem.field else problem.message
    return Problem(where, message)


class ProfileImporter:
    """See the module docstring."""

    name = NAME

    def __init__(self, profile: Profile, *, check: bool = True) -> None:
        self.profile = profile
        #: Whether the preview tries the write (``plan_check``): not when it is made to be
        #: applied at once, since ``plan_apply`` refuses the same, writing nothing.
        self.check = check

    def sniff(self, data: bytes, filename: str) -> bool:
        """Any file: this importer reads the file it is given a profile for."""
        return True

    def refusal(self, filename: str) -> Problem:
        return Problem(
            Where(filename), _("Only the planning administrator may import a workbook with a profile.")
        )

    def preview(self, data: bytes, filename: str, *, actor: Any) -> Preview:
        profile = self.profile
        preview = Preview(
            importer=NAME,
            title=_("%(layout)s, read with the profile %(profile)s")
            % {"layout": profile.name or _("a city's workbook"), "profile": profile.file},
            file=filename,
        )
        if actor is not None and not is_administrator(actor):
            preview.problems.append(self.refusal(filename))
            return preview
        try:
            sheet = open_sheet(profile, data, filename)
        except SheetRefused as refused:
            preview.problems.extend(refused.problems)
            return preview
        tree = read_tree(profile, sheet.cells, sheet.fiscal_year, sheet.data_rows)
        preview.warnings = sheet.cells.warnings
        if sheet.cells.errors:
            preview.problems.extend(sheet.cells.errors)
            return preview
        content = plan_content(profile, tree, sheet.cells, sheet.fiscal_year)
        diff = plan_diff(content)
        preview.rows = diff.rows(
            lambda item: item.source if isinstance(item.source, Where) else Where(file=filename)
        )
        preview.payload = content
        if diff.changed and self.check:
            # The write itself, taken back: what only the models and the database refuse.
            preview.problems.extend(_problem(filename, problem) for problem in plan_check([content]))
        return preview

    def apply(self, preview: Preview, *, actor: Any) -> ApplyResult:
        content = preview.payload
        if not isinstance(content, PlanContent) or not preview.ok:
            raise ImportRefused(preview)
        if actor is not None and not is_administrator(actor):
            preview.problems.append(self.refusal(preview.file))
            raise ImportRefused(preview)
        counts = {status.value: preview.count(status) for status in RowStatus if preview.count(status)}
        if not preview.changed:
            return ApplyResult(_("%(file)s: nothing to change.") % {"file": preview.file}, counts)
        try:
            plan_apply(content, actor=actor, origin=Origin(preview.file, NAME))
        except PlanWriteRefused as refusal:
            preview.problems.extend(_problem(preview.file, problem) for problem in refusal.problems)
            raise ImportRefused(preview) from None
        # The plan's audit row, with its changes, is plan_apply's.
        return ApplyResult(
            _(
                "%(file)s: plan %(code)s imported: %(new)s new, %(changed)s changed, %(removed)s removed, "
                "%(unchanged)s unchanged; %(warnings)s warnings."
            )
            % {
                "file": preview.file,
                "code": content.code,
                "new": preview.count(RowStatus.NEW),
                "changed": preview.count(RowStatus.CHANGED),
                "removed": preview.count(RowStatus.REMOVED),
                "unchanged": preview.count(RowStatus.UNCHANGED),
                "warnings": len(preview.warnings),
            },
            counts,
        )
