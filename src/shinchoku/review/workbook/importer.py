"""Importing a filled entry workbook (``review/workbook/writer.py``): its rows become saves
of the entries, as the person uploading it, after a preview.

Each row is checked against what the workbook was made with (the signed ``shinchoku``
sheet) and against the entry as it is now:

- a locked cell edited, a formula where text is expected, a rating that is not a level
  of the dimension's scale, a cost figure that is negative, no number or has too many
  decimals (read by ``progress.amounts``, as the entry form's are), a row that is not
  one of the workbook's: errors, named by sheet, row, column and heading;
- a measure the person may not write now (another unit's, already submitted, the round
  closed or past its deadline, a field its round does not take): an error on its row
  when the row changes anything, as ``review.decisions.entry_decision`` words it;
- a field changed in the workbook *and*, differently, on the web since the workbook was
  made: an error (the web's change is not overwritten); a field changed on the web only
  stays as the web has it.

Applying saves every changed row with ``review.services.entry_save`` as the person, so
the audit history records them, and all in one transaction: a refusal of any save
undoes them all.
"""

from __future__ import annotations

import datetime
import hmac
import io
import json
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from shinchoku import fiscal
from shinchoku import text as text_utils
from shinchoku.accounts.permissions import responsible_units_prefetch
from shinchoku.interchange.preview import (
    ApplyResult,
    FieldChange,
    ImportRefused,
    Preview,
    Problem,
    RowPreview,
    RowStatus,
    Where,
)
from shinchoku.interchange.sheets.xlsxfile import (
    Sheet,
    Value,
    XlsxRefused,
    formula_of,
    has_sheet,
    looks_like_xlsx,
    open_xlsx,
    peek_part,
)
from shinchoku.plans.models import OrgUnit
from shinchoku.progress import amounts
from shinchoku.review import services
from shinchoku.review.content import (
    TEXT_FIELDS,
    Frame,
    LevelFrame,
    field_group,
    frame_for,
    rating_parts,
    snapshots_of,
)
from shinchoku.review.decisions import Refusal, entry_decision
from shinchoku.review.errors import ReviewError
from shinchoku.review.models import Action, Entry, Round
from shinchoku.review.workbook import writer as template

NAME = "entry-workbook"


@dataclass
class _Row:
    entry: Entry
    number: int
    #: The save to make: text fields and ``ratings`` {dimension id: level id or None}.
    data: dict[str, Any] = field(default_factory=dict)
    expected_version: int = 0


def _text(value: Value | None) -> tuple[str | None, str | None]:
    """A cell's value as text, or the reason it is not text."""
    if value is None:
        return "", None
    if formula_of(value) is not None:  # a text cell beginning with "=" is text, not a formula
        return None, _("a formula where text is expected: type the text itself")
    if isinstance(value, bool):
        return None, _("a true/false value where text is expected")
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime, datetime.timedelta)):
        return None, _("a date or time where text is expected: format the cell as text")
    if isinstance(value, float) and value.is_integer():
        return str(int(value)), None
    if isinstance(value, (int, float, Decimal)):
        return str(value), None
    if isinstance(value, str):
        return value, None
    return None, _("a value of an unknown kind")


def _marker(sheet: Sheet, filename: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The signed payload of the hidden sheet, or why it cannot be used."""
    where = Where(file=filename, sheet=template.MARKER_SHEET)
    fmt, version, signature = (sheet.value(1, column) for column in (1, 2, 3))
    if fmt != template.FORMAT:
        return None, [Problem(where, _("This is not an entry workbook made by Shinchoku."))]
    if version != template.VERSION:
        return None, [
            Problem(
                where,
                _(
                    "The workbook was made with another version of the template (%(theirs)s; this site "
                    "reads version %(ours)s). Download a new workbook from the staff pages."
                )
                % {"theirs": version, "ours": template.VERSION},
            )
        ]
    chunks = []
    for row in range(2, sheet.max_row + 1):
        value = sheet.value(row, 1)
        if value is None:
            break
        chunks.append(str(value))
    payload = "".join(chunks)
    if not isinstance(signature, str) or not hmac.compare_digest(template.sign(payload), signature):
        return None, [
            Problem(
                where,
                _(
                    "The workbook's hidden information was changed or does not come from this site: "
                    "download a new workbook from the staff pages."
                ),
            )
        ]
    try:
        data = json.loads(payload)
    except ValueError:
        return None, [Problem(where, _("The workbook's hidden information cannot be read."))]
    return data, []


class EntryWorkbookImporter:
    name = NAME

    def sniff(self, data: bytes, filename: str) -> bool:
        if not looks_like_xlsx(data):
            return False
        # The marker sheet's name is in the workbook part; no need to load every cell.
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return has_sheet(peek_part(archive, "xl/workbook.xml"), template.MARKER_SHEET)

    def preview(self, data: bytes, filename: str, *, actor: Any) -> Preview:
        preview = Preview(importer=NAME, title=_("entry workbook"), file=filename)
        try:
            workbook = open_xlsx(data)
            if template.MARKER_SHEET not in workbook.sheetnames:
                preview.problems.append(
                    Problem(Where(file=filename), _("This is not an entry workbook made by Shinchoku."))
                )
                return preview
            marker, problems = _marker(workbook.sheet(template.MARKER_SHEET), filename)
        except XlsxRefused as refusal:
            preview.problems.append(_refused(refusal, filename))
            return preview
        if marker is None:
            preview.problems.extend(problems)
            return preview
        if actor is None or not getattr(actor, "is_authenticated", False):
            preview.problems.append(
                Problem(
                    Where(file=filename),
                    _(
                        "An entry workbook is imported as a person: "
                        "name the account (--user) it is imported as."
                    ),
                )
            )
            return preview
        round_ = Round.objects.select_related("plan").filter(pk=_int(marker.get("round"))).first()
        if (
            round_ is None
            or round_.plan.code != marker.get("plan")
            or round_.fiscal_year != marker.get("fiscal_year")
        ):
            preview.problems.append(
                Problem(Where(file=filename), _("The round this workbook was made for no longer exists."))
            )
            return preview
        unit = OrgUnit.objects.filter(code=str(marker.get("unit", ""))).first()
        preview.title = _("entry workbook: %(plan)s %(year)s, %(unit)s") % {
            "plan": round_.plan.title,
            "year": fiscal.western_label(round_.fiscal_year),
            "unit": unit.name if unit else marker.get("unit", ""),
        }
        if template.ENTRY_SHEET not in workbook.sheetnames:
            preview.problems.append(
                Problem(
                    Where(file=filename),
                    _("The sheet %(sheet)s is missing.") % {"sheet": template.ENTRY_SHEET},
                )
            )
            return preview
        try:
            sheet = workbook.sheet(template.ENTRY_SHEET)
        except XlsxRefused as refusal:
            preview.problems.append(_refused(refusal, filename))
            return preview
        preview.payload = self._rows(sheet, marker, round_, filename, actor, preview)
        return preview

    def _rows(
        self,
        sheet: Sheet,
        marker: dict[str, Any],
        round_: Round,
        filename: str,
        actor: Any,
        preview: Preview,
    ) -> list[_Row]:
        columns: list[str] = list(marker.get("columns", []))
        headings = {key: heading for key, heading, _w in template.LOCKED_COLUMNS}
        headings.update({name: template.TEXT_HEADINGS[name][0] for name in TEXT_FIELDS})
        # The headings of the columns as made (a workbook made before they were recorded
        # has the builtin texts under their usual headings).
        headings.update({str(key): str(heading) for key, heading in marker.get("headings", {}).items()})
        # The heading row must be as made: a moved or deleted column would shift every value.
        for index, key in enumerate(columns, start=1):
            found = sheet.value(1, index)
            expected = headings.get(key)
            if expected is not None and found != expected:
                preview.problems.append(
                    Problem(
                        Where(file=filename, sheet=sheet.title, row=1, column=get_column_letter(index)),
                        _("The heading should be %(expected)s: columns must not be moved, added or deleted.")
                        % {"expected": expected},
                    )
                )
        if preview.problems:
            return []
        rows_info = {int(item["row"]): item for item in marker.get("rows", [])}
        entries = {
            entry.pk: entry
            for entry in Entry.objects.select_related("round__plan", "node__level").filter(
                round=round_, pk__in=[item["entry"] for item in rows_info.values()]
            )
        }
        snapshots = snapshots_of(list(entries.values()))
        responsible_units_prefetch(entry.node_id for entry in entries.values())
        frames: dict[int, LevelFrame] = {}
        result: list[_Row] = []
        last_row = max(sheet.max_row, max(rows_info, default=1))
        for number in range(2, last_row + 1):
            cells = [sheet.value(number, index) for index in range(1, len(columns) + 1)]
            extra = [
                index
                for index, value in enumerate(sheet.row(number)[len(columns) :], start=len(columns) + 1)
                if value is not None
            ]
            info = rows_info.get(number)
            where = Where(file=filename, sheet=sheet.title, row=number)
            if info is None:
                if any(value is not None for value in cells) or extra:
                    preview.rows.append(
                        RowPreview(
                            where,
                            str(cells[0] or ""),
                            RowStatus.ERROR,
                            problems=(
                                Problem(
                                    where,
                                    _("This row was not in the workbook as made: rows must not be added."),
                                ),
                            ),
                        )
                    )
                continue
            entry = entries.get(int(info["entry"]))
            if entry is None:
                preview.rows.append(
                    RowPreview(
                        where,
                        str(info["locked"].get("code", "")),
                        RowStatus.ERROR,
                        problems=(Problem(where, _("This measure's entry no longer exists in the round.")),),
                    )
                )
                continue
            frame = frame_for(entry, frames)
            row = self._row(
                entry,
                number,
                cells,
                extra,
                columns,
                headings,
                info,
                snapshots[entry.pk],
                frame,
                filename,
                sheet.title,
                actor,
            )
            preview.rows.append(row[0])
            if row[1] is not None:
                result.append(row[1])
        missing = sorted(set(rows_info) - set(range(2, last_row + 1)))
        for number in missing:
            where = Where(file=filename, sheet=sheet.title, row=number)
            preview.rows.append(
                RowPreview(
                    where,
                    str(rows_info[number]["locked"].get("code", "")),
                    RowStatus.ERROR,
                    problems=(Problem(where, _("This row was deleted: rows must not be deleted.")),),
                )
            )
        return result

    def _row(
        self,
        entry: Entry,
        number: int,
        cells: list[Value | None],
        extra: list[int],
        columns: list[str],
        headings: dict[str, str],
        info: dict[str, Any],
        current: dict[str, str],
        frame: Frame,
        filename: str,
        sheet_title: str,
        actor: Any,
    ) -> tuple[RowPreview, _Row | None]:
        subject = f"{entry.node.code} {entry.node.title}"
        problems: list[Problem] = []

        def at(index: int, key: str) -> Where:
            name = headings.get(key) or self._dimension_name(frame, key)
            return Where(
                file=filename, sheet=sheet_title, row=number, column=get_column_letter(index), name=name
            )

        for column in extra:
            problems.append(
                Problem(
                    Where(file=filename, sheet=sheet_title, row=number, column=get_column_letter(column)),
                    _("This cell is outside the workbook's columns: write only in the yellow columns."),
                )
            )
        written: dict[str, str] = {}
        for index, (key, cell) in enumerate(zip(columns, cells, strict=True), start=1):
            value, reason = _text(cell)
            if reason is not None:
                problems.append(Problem(at(index, key), reason))
                continue
            assert value is not None
            if key in info["locked"]:
                if text_utils.normalize(value) != text_utils.normalize(str(info["locked"][key] or "")):
                    problems.append(
                        Problem(
                            at(index, key),
                            _("This column is for reference and must not be changed (it was %(before)s).")
                            % {"before": _quote(str(info["locked"][key] or ""))},
                        )
                    )
                continue
            written[key] = value
        # Ratings: the drop-down's "code label", or the code alone.
        file_values: dict[str, str] = {}
        for index, key in enumerate(columns, start=1):
            if key not in written:
                continue
            rating = rating_parts(key)
            if rating is not None:
                dimension = frame.dimension_by_key(rating[0])
                raw = text_utils.normalize(written[key]).strip()
                if dimension is None:
                    if raw:
                        problems.append(
                            Problem(at(index, key), _("This dimension no longer applies to the measure."))
                        )
                    continue
                if rating[1] or not raw:
                    file_values[key] = raw
                    continue
                code = raw.split(" ", 1)[0].split("\u3000", 1)[0]
                level = frame.level_by_code(dimension, code)
                if level is None or raw not in {
                    code,
                    template.rating_choice(level),
                    f"{level.code}\u3000{level.label}",
                }:
                    choices = "、".join(
                        template.rating_choice(lv)
                        for lv in sorted(frame.levels.values(), key=lambda lv: lv.position)
                        if lv.scale_id == dimension.scale_id
                    )
                    problems.append(
                        Problem(
                            at(index, key),
                            _(
                                "%(value)s is not a level of the scale of %(dimension)s: "
                                "choose one of %(choices)s."
                            )
                            % {"value": _quote(raw), "dimension": dimension.name, "choices": choices},
                        )
                    )
                    continue
                file_values[key] = level.code
            elif key.startswith("costs."):
                try:
                    figure = amounts.read_figure(
                        key.split(".", 1)[1], written[key], amount_unit=frame.amount_unit
                    )
                except amounts.FigureError as error:
                    problems.append(Problem(at(index, key), str(error)))
                    continue
                file_values[key] = "" if figure is None else amounts.figure_text(figure)
            elif key.startswith("sections."):
                text = text_utils.normalize(written[key])
                if key.split(".", 1)[1] not in frame.own_sections:
                    if text:
                        problems.append(
                            Problem(at(index, key), _("This section is not one of the measure's level."))
                        )
                    continue
                file_values[key] = text
            elif key in TEXT_FIELDS and key not in {slot.key for slot in frame.text_slots()}:
                if text_utils.normalize(written[key]):
                    problems.append(
                        Problem(at(index, key), _("This section is not one of the measure's level."))
                    )
            else:
                file_values[key] = text_utils.normalize(written[key])
        exported: dict[str, str] = {}
        for key, value in info.get("exported", {}).items():
            rating = rating_parts(key)
            if rating is not None and not rating[1]:
                exported[key] = str(value or "").split(" ", 1)[0]
            else:
                exported[key] = text_utils.normalize(str(value or ""))

        changes: list[FieldChange] = []
        data: dict[str, Any] = {}
        ratings: dict[int, int | None] = {}
        reasons: dict[int, str] = {}
        sections: dict[str, str] = {}
        costs: dict[str, str] = {}
        for key, value in file_values.items():
            before_export = exported.get(key, "")
            now = current.get(key, "") or ""
            if value in (before_export, now):
                continue  # not changed in the workbook, or already so on the web
            index = columns.index(key) + 1
            if now != before_export:
                problems.append(
                    Problem(
                        at(index, key),
                        _(
                            "Changed both in the workbook and, since the workbook was made, on the web (now "
                            "%(now)s): make the change on the web, or download a new workbook."
                        )
                        % {"now": _quote(now)},
                    )
                )
                continue
            label = headings.get(key) or self._dimension_name(frame, key)
            changes.append(
                FieldChange(
                    field=key,
                    label=label,
                    before=self._show(frame, key, now),
                    after=self._show(frame, key, value),
                )
            )
            rating = rating_parts(key)
            group, name = key.split(".", 1) if "." in key else (key, "")
            if rating is not None:
                dimension = frame.dimension_by_key(rating[0])
                assert dimension is not None
                if rating[1]:
                    reasons[dimension.pk] = value
                    continue
                level = frame.level_by_code(dimension, value) if value else None
                ratings[dimension.pk] = level.pk if level else None
            elif group == "sections":
                sections[name] = value
            elif group == "costs":
                costs[name] = amounts.shown_figure(name, value, amount_unit=frame.amount_unit)
            else:
                data[key] = value
        for group, given in (("ratings", ratings), ("rating_reasons", reasons), ("sections", sections)):
            if given:
                data[group] = given
        if costs:
            data["costs"] = costs
        if changes and not problems:
            # Whether this person may save these fields of this entry now, and why not:
            # the one decision the web pages and the services ask too.
            decision = entry_decision(
                actor, entry, Action.SAVE, fields={field_group(change.field) for change in changes}
            )
            if isinstance(decision, Refusal):
                where = Where(file=filename, sheet=sheet_title, row=number)
                problems.append(Problem(where, decision.message))
        where = Where(file=filename, sheet=sheet_title, row=number)
        if problems:
            return RowPreview(where, subject, RowStatus.ERROR, tuple(changes), tuple(problems)), None
        if not changes:
            return RowPreview(where, subject, RowStatus.UNCHANGED), None
        return (
            RowPreview(where, subject, RowStatus.CHANGED, tuple(changes)),
            _Row(entry=entry, number=number, data=data, expected_version=entry.version),
        )

    @staticmethod
    def _dimension_name(frame: Frame, key: str) -> str:
        if key.startswith("ratings."):
            dimension = frame.dimension_by_key(key.split(".")[1])
            if dimension is not None:
                return dimension.name
        return key

    @staticmethod
    def _show(frame: Frame, key: str, value: str) -> str:
        if key.startswith("costs.") and value:
            return amounts.shown_figure(key.split(".", 1)[1], value, amount_unit=frame.amount_unit)
        if key.startswith("ratings.") and not key.endswith(".reason") and value:
            dimension = frame.dimension_by_key(key.split(".", 1)[1])
            level = frame.level_by_code(dimension, value) if dimension else None
            return template.rating_choice(level) if level else value
        return value

    def apply(self, preview: Preview, *, actor: Any) -> ApplyResult:
        rows: list[_Row] = preview.payload or []
        try:
            services.entries_save([(row.entry, row.data, row.expected_version) for row in rows], actor=actor)
        except ReviewError as error:
            details = "; ".join(f"{k}: {', '.join(v)}" for k, v in error.field_errors.items())
            preview.problems.append(
                Problem(Where(file=preview.file), f"{error}{' ' + details if details else ''}")
            )
            raise ImportRefused(preview) from error
        return ApplyResult(
            summary=_("%(count)s entries saved as drafts from %(file)s.")
            % {"count": len(rows), "file": preview.file},
            counts={"changed": len(rows), "unchanged": preview.count(RowStatus.UNCHANGED)},
        )


def _refused(refusal: XlsxRefused, filename: str) -> Problem:
    """The reader's refusal, where it stands in the file."""
    where = Where(file=filename, sheet=refusal.sheet, row=refusal.row, column=refusal.column)
    return Problem(where, refusal.message)


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def _quote(value: str, limit: int = 40) -> str:
    flat = value.replace("\n", " ")
    return f"「{flat if len(flat) <= limit else flat[: limit - 1] + '…'}」"
