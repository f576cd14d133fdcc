"""A plan's structure from a spreadsheet (CSV or xlsx): importer ``plan-structure``.

The layout is documented in docs/plan-file.md, "Plan structure from a spreadsheet". In
short: a heading row (Japanese or English headings), then one row per node of the tree
in printed order, with one pair of columns (code, title) per level, the node's purpose,
baseline, responsible units and markers, and one column per fiscal year holding that
year's targets. A row whose level columns are empty holds a further row of targets of
the node above (目標の2行目 …); ``同左`` (or ``←``, or a merged cell in xlsx) in a year
column continues the cell on its left, so that a target spans those years.

Reading happens in steps, all without writing: the file is read into a grid of texts
(``grid.py``: encodings, formulas, dates, merged cells; text normalised, with identities
kept as written: see ``shinchoku.plans.formats.matching``), the grid is read into the
plan's structure (``headings.py`` and ``parse.py``: headings, the tree, targets, with the
models' limits), and that structure, laid over the stored plan, becomes the plan's content
(``convert.py``) carrying its structure and targets only. ``shinchoku.plans.writing``
compares it with the database (``plan_diff``), which the preview tells in the sheet's
words (``rows.py``), with what only the stored data refuses (``checks.py``) and, for a
stored plan, what writing it would refuse (``plan_check``). ``apply`` writes it with
``plan_apply``, the one writer of every format, in one transaction with one audit row:
results, ratings, indicators, notes and target revisions stay as they are. The headings
and marks the reader takes and the writer (``export.py``) writes are in ``vocabulary.py``.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from django.utils.translation import gettext as _

from shinchoku.accounts.permissions import is_administrator
from shinchoku.interchange.preview import ApplyResult, ImportRefused, Preview, Problem, RowStatus, Where
from shinchoku.interchange.sheets import csvfile
from shinchoku.interchange.sheets.xlsxfile import (
    ENTRY_WORKBOOK_SHEET,
    ZIP_MAGIC,
    has_sheet,
    looks_like_xlsx,
    peek_part,
)
from shinchoku.plans.formats.structure.checks import level_problems, period_problems, removal_problems
from shinchoku.plans.formats.structure.convert import SheetContent, sheet_content
from shinchoku.plans.formats.structure.parse import read_structure
from shinchoku.plans.formats.structure.rows import SheetRows, header_rows
from shinchoku.plans.formats.structure.vocabulary import HEADINGS, looks_like_structure_header
from shinchoku.plans.writing import Origin, PlanWriteRefused, plan_apply, plan_check, plan_diff
from shinchoku.text import normalize

NAME = "plan-structure"


def _sniff_xlsx(data: bytes) -> bool:
    if not looks_like_xlsx(data):
        return False
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        # The very hidden sheet that marks Shinchoku's entry workbooks (not structures).
        if has_sheet(peek_part(archive, "xl/workbook.xml"), ENTRY_WORKBOOK_SHEET):
            return False
        text = b"".join(
            peek_part(archive, name)
            for name in ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml")
            if name in names
        ).decode("utf-8", "replace")
    # Rich text splits a cell's text into runs: read the text without the markup.
    text = normalize(re.sub(r"<[^>]*>", "", text)).lower()
    return (HEADINGS["plan_code"] in text or "plan code" in text) and bool(
        re.search(r"(?:階層|level)\s*\d+\s*:", text)
    )


def _sniff_csv(data: bytes) -> bool:
    for text in csvfile.head_texts(data):
        if text.lstrip()[:1] in ("{", "[", "<"):
            return False
        if looks_like_structure_header(csvfile.first_record(text)):
            return True
    return False


class PlanStructureImporter:
    """See the module docstring."""

    name = NAME

    def sniff(self, data: bytes, filename: str) -> bool:
        try:
            if data.startswith(ZIP_MAGIC):
                return _sniff_xlsx(data)
            return _sniff_csv(data)
        except Exception:  # sniffing never fails: the file is then not ours
            return False

    def preview(self, data: bytes, filename: str, *, actor: Any) -> Preview:
        preview = Preview(importer=NAME, title=_("plan structure"), file=filename)
        if actor is not None and not is_administrator(actor):
            preview.problems.append(
                Problem(Where(filename), _("Only a planning administrator may import a plan's structure."))
            )
            return preview
        structure = read_structure(data, filename)
        if isinstance(structure, Problem):
            preview.problems.append(structure)
            return preview
        if structure.plan is None:
            preview.rows = header_rows(structure)
            return preview
        preview.title = _("plan structure %(code)s %(title)s") % {
            "code": structure.plan.code,
            "title": structure.plan.title,
        }
        sheet = sheet_content(structure)
        diff = plan_diff(sheet.content)
        removed = [
            sheet.stored.nodes[item.key[1]]
            for item in diff.objects
            if item.kind == "node" and item.status == RowStatus.REMOVED
        ]
        header_problems = [*structure.header_problems, *level_problems(sheet), *period_problems(sheet)]
        preview.rows = SheetRows(sheet, diff, header_problems, removal_problems(sheet, removed)).rows()
        preview.payload = sheet
        if preview.ok and preview.changed and sheet.stored.plan is not None:
            # The write itself, taken back: what only the models, the database and the
            # review round (a target with a revision pending) refuse of a stored plan.
            preview.problems.extend(sheet.located(problem) for problem in plan_check([sheet.content]))
        return preview

    def apply(self, preview: Preview, *, actor: Any) -> ApplyResult:
        if actor is not None and not is_administrator(actor):
            refused = Preview(importer=NAME, title=preview.title, file=preview.file)
            refused.problems.append(
                Problem(
                    Where(preview.file), _("Only a planning administrator may import a plan's structure.")
                )
            )
            raise ImportRefused(refused)
        sheet = preview.payload
        if not isinstance(sheet, SheetContent) or not preview.ok:
            raise ImportRefused(preview)
        counts = {status.value: preview.count(status) for status in RowStatus if preview.count(status)}
        if not preview.changed:
            return ApplyResult(_("%(file)s: nothing to change.") % {"file": preview.file}, counts)
        try:
            plan_apply(sheet.content, actor=actor, origin=Origin(preview.file, NAME))
        except PlanWriteRefused as refusal:
            refused = Preview(importer=NAME, title=preview.title, file=preview.file, rows=preview.rows)
            refused.problems.extend(sheet.located(problem) for problem in refusal.problems)
            raise ImportRefused(refused) from None
        summary = _(
            "%(file)s: plan %(code)s imported: %(new)s new, %(changed)s changed, %(removed)s removed, "
            "%(unchanged)s unchanged."
        ) % {
            "file": preview.file,
            "code": sheet.content.code,
            "new": preview.count(RowStatus.NEW),
            "changed": preview.count(RowStatus.CHANGED),
            "removed": preview.count(RowStatus.REMOVED),
            "unchanged": preview.count(RowStatus.UNCHANGED),
        }
        # The plan's audit row, with its changes, is plan_apply's.
        return ApplyResult(summary, counts)
