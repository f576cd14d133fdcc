"""The entry workbook: a section's entries of a results round as an Excel workbook, to
fill in offline and import back (``review/workbook/importer.py``).

Sheet 記入票 has one row per measure of the section (and of the units under it), in the
plan's printed order. The first columns are for reference and locked: the measure, its
targets for the year, last year's result and rating, the entry's state and version when
the workbook was made. The columns after them are what the section writes: a rating per
evaluation dimension (a drop-down of the scale's levels), the result, the context change,
the response and the 主な実施結果. Sheet 説明 explains how to fill it in. Every cell is written by
``spreadsheet_text.put_cell``: a text is a text cell, so a result beginning with ``=`` is
shown as written and never runs as a formula in Excel.

A very hidden sheet ``shinchoku`` carries the template's format and version, the round,
the unit, and for each row the locked values and the values of the editable cells as
exported, signed with the site's secret key: the import names any locked cell that was
edited, and tells a change made in the workbook from one made on the web since.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from shinchoku import fiscal
from shinchoku.errors import ErrorCode, Refusal
from shinchoku.interchange.sheets.spreadsheet_text import CellRefused, put_cell
from shinchoku.interchange.sheets.xlsxfile import ENTRY_WORKBOOK_SHEET
from shinchoku.plans.models import Dimension, NodeUnit, OrgUnit, Plan, ScaleLevel
from shinchoku.progress import amounts
from shinchoku.progress.models import Rating, Result, Target
from shinchoku.review.content import (
    TEXT_FIELDS,
    LevelFrame,
    frame_for,
    rating_reason_key,
    section_key,
    snapshots_of,
)
from shinchoku.review.models import Entry, Round
from shinchoku.review.selectors import DOCUMENT_ORDER
from shinchoku.review.workflow import state_label

FORMAT = "shinchoku-entry-workbook"
VERSION = 1
MARKER_SHEET = ENTRY_WORKBOOK_SHEET
ENTRY_SHEET = "記入票"
HELP_SHEET = "説明"
CHOICES_SHEET = "選択肢"

#: The locked reference columns: key, heading, width.
LOCKED_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("code", "施策コード", 10),
    ("title", "施策名", 28),
    ("units", "所管課", 16),
    ("targets", "当年度の目標", 40),
    ("previous_text", "前年度の実施結果", 45),
    ("previous_rating", "前年度の評価", 16),
    ("state", "状態", 10),
    ("version", "版", 6),
)
TEXT_HEADINGS = {
    "text": ("実施結果", 50),
    "context_change": ("環境等の変化・課題等", 36),
    "response": ("新たな課題等への対応", 36),
    "highlight": ("主な実施結果", 36),
}

#: The cost figures' headings (the amounts' with the plan's unit after them).
COST_HEADINGS = {
    "national": "国庫支出金",
    "prefectural": "都道府県支出金",
    "bonds": "地方債",
    "other": "その他",
    "general": "一般財源",
    "project_cost": "事業費（A）",
    "staff_count": "正規職員従事人数（人）",
    "staff_hours": "延べ業務時間（時間）",
    "staff_cost": "人件費（B）",
}
UNIT_HEADINGS = {"yen": "円", "thousand": "千円"}


def cost_heading(figure: str, amount_unit: str) -> str:
    heading = COST_HEADINGS[figure]
    if figure in amounts.STAFF_FIELDS:
        return heading
    return f"{heading}（{UNIT_HEADINGS.get(amount_unit, '円')}）"


def reason_heading(dimension: Dimension) -> str:
    return f"{dimension.name}の理由"


def text_columns(entries: list[Entry]) -> list[tuple[str, str, int]]:
    """The text columns of the entries' levels (key, heading, width), each once, in the
    plans' order: under the plan's section names when it defines its sections, else the
    four builtin texts under their usual headings."""
    cache: dict[int, LevelFrame] = {}
    columns: dict[str, tuple[str, str, int]] = {}
    for entry in entries:
        if entry.node.level_id in cache:
            continue
        frame = frame_for(entry, cache)
        if not frame.defines_sections:
            for name in TEXT_FIELDS:
                columns.setdefault(name, (name, *TEXT_HEADINGS[name]))
            continue
        for section in frame.sections:
            key = section.builtin if section.builtin in TEXT_FIELDS else section_key(section.key)
            width = TEXT_HEADINGS[section.builtin][1] if section.builtin in TEXT_HEADINGS else 36
            columns.setdefault(key, (key, section.name, width))
    if not entries:
        return [(name, *TEXT_HEADINGS[name]) for name in TEXT_FIELDS]
    return list(columns.values())


HEADER_FILL = PatternFill("solid", fgColor="0C3A6B")
LOCKED_FILL = PatternFill("solid", fgColor="EEF1F5")
EDIT_FILL = PatternFill("solid", fgColor="FFFDF0")
THIN = Side(style="thin", color="9AA5B1")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


class WorkbookError(Refusal):
    """The workbook cannot be made: the message says why, in one line. Of the data as
    it is (a text no cell holds, a round of another kind) unless raised otherwise."""

    code = ErrorCode.CONFLICT


@dataclass(frozen=True)
class EntryWorkbook:
    content: bytes
    filename: str
    rows: int
    unit: str
    year_label: str


def sign(payload: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), payload.encode(), hashlib.sha256).hexdigest()


def rating_choice(level: ScaleLevel) -> str:
    """A level as the drop-down offers it: "3 目標をほぼ達成"."""
    return f"{level.code} {level.label}"


def unit_subtree(unit: OrgUnit) -> set[int]:
    """The unit and every unit under it."""
    parents = dict(OrgUnit.objects.values_list("id", "parent_id"))
    found = {unit.pk}
    changed = True
    while changed:
        changed = False
        for child, parent in parents.items():
            if parent in found and child not in found:
                found.add(child)
                changed = True
    return found


def workbook_entries(round_: Round, unit: OrgUnit) -> list[Entry]:
    """The round's entries of the measures ``unit`` (or a unit under it) is responsible for."""
    return list(
        Entry.objects.filter(
            round=round_,
            node__unit_roles__role=NodeUnit.Role.RESPONSIBLE,
            node__unit_roles__unit_id__in=unit_subtree(unit),
        )
        .select_related("round__plan", "node__level")
        .distinct()
        .order_by(*DOCUMENT_ORDER)
    )


def find_round(*, plan_code: str | None, year: int) -> Round:
    rounds = Round.objects.select_related("plan").filter(fiscal_year=year, kind=Round.Kind.RESULTS)
    if plan_code:
        rounds = rounds.filter(plan__code=plan_code)
    found = list(rounds)
    if not found:
        raise WorkbookError(
            f"no results round for {fiscal.western_label(year)}" + (f" of {plan_code}" if plan_code else ""),
            code=ErrorCode.NOT_FOUND,
        )
    if len(found) > 1:
        raise WorkbookError(
            f"several plans have a results round for {year}: give --plan", code=ErrorCode.INVALID
        )
    return found[0]


def entry_workbook(*, unit_code: str, year: int, plan_code: str | None = None) -> EntryWorkbook:
    """The entry workbook of unit ``unit_code`` for the results round of ``year``."""
    try:
        unit = OrgUnit.objects.get(code=unit_code)
    except OrgUnit.DoesNotExist as error:
        raise WorkbookError(f"no unit with the code {unit_code}", code=ErrorCode.NOT_FOUND) from error
    return build_workbook(find_round(plan_code=plan_code, year=year), unit)


def _reference(entries: list[Entry], round_: Round) -> dict[int, dict[str, str]]:
    """The locked columns of each entry, in a fixed number of queries."""
    year = round_.fiscal_year
    node_ids = [entry.node_id for entry in entries]
    targets: dict[int, list[str]] = {}
    for target in (
        Target.objects.filter(node_id__in=node_ids)
        .covering(year)
        .order_by("node_id", "row", "start_year", "position", "pk")
    ):
        text = target.revised_text or target.text
        period = fiscal.period_label(
            target.start_year, target.end_year, onwards=target.open_end, language="ja"
        )
        targets.setdefault(target.node_id, []).append(f"【{period}】\n{text}")
    units: dict[int, list[str]] = {}
    for node_id, name in (
        NodeUnit.objects.filter(node_id__in=node_ids, role=NodeUnit.Role.RESPONSIBLE)
        .order_by("unit__code")
        .values_list("node_id", "unit__name")
    ):
        units.setdefault(node_id, []).append(name)
    previous = {
        result.node_id: result for result in Result.objects.filter(node_id__in=node_ids, fiscal_year=year - 1)
    }
    ratings: dict[int, list[str]] = {}
    for rating in (
        Rating.objects.filter(result__in=previous.values())
        .select_related("level", "dimension", "result")
        .order_by("dimension__position")
    ):
        ratings.setdefault(rating.result.node_id, []).append(rating_choice(rating.level))
    return {
        entry.pk: {
            "code": entry.node.code,
            "title": entry.node.title,
            "units": "、".join(units.get(entry.node_id, [])),
            "targets": "\n".join(targets.get(entry.node_id, [])),
            "previous_text": previous[entry.node_id].text if entry.node_id in previous else "",
            "previous_rating": "\n".join(ratings.get(entry.node_id, [])),
            "state": state_label(entry.state, entry.version),
            "version": str(entry.version),
        }
        for entry in entries
    }


def build_workbook(round_: Round, unit: OrgUnit) -> EntryWorkbook:
    """The entry workbook of ``unit`` for ``round_``; WorkbookError when it cannot be made,
    e.g. a text no spreadsheet cell holds exactly (``spreadsheet_text.put_cell``)."""
    try:
        return _build(round_, unit)
    except CellRefused as refusal:
        raise WorkbookError(
            _("The workbook cannot be made (%(where)s): %(reason)s Correct it, then make the workbook again.")
            % {"where": refusal.where, "reason": refusal.reason}
        ) from refusal


def _build(round_: Round, unit: OrgUnit) -> EntryWorkbook:
    if round_.kind != Round.Kind.RESULTS:
        raise WorkbookError("entry workbooks are made for results rounds")
    entries = workbook_entries(round_, unit)
    plan: Plan = round_.plan
    dimensions = list(
        Dimension.objects.filter(plan=plan, level__rated=True)
        .select_related("scale")
        .order_by("position", "key")
    )
    levels = {
        d.pk: list(ScaleLevel.objects.filter(scale_id=d.scale_id).order_by("position")) for d in dimensions
    }
    reference = _reference(entries, round_)
    snapshots = snapshots_of(entries)

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = ENTRY_SHEET
    amount_unit = plan.amount_unit
    editable = [
        *(
            column
            for d in dimensions
            for column in (
                (f"ratings.{d.key}", d.name, 18),
                (rating_reason_key(d.key), reason_heading(d), 30),
            )
        ),
        *text_columns(entries),
        *((f"costs.{figure}", cost_heading(figure, amount_unit), 14) for figure in amounts.ENTERED_FIELDS),
    ]
    headings = [(key, heading, width, True) for key, heading, width in LOCKED_COLUMNS] + [
        (key, heading, width, False) for key, heading, width in editable
    ]
    for column, (_key, heading, width, _locked) in enumerate(headings, start=1):
        cell = put_cell(sheet, 1, column, heading)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = BORDER
        cell.protection = Protection(locked=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[1].height = 30

    rows: list[dict[str, Any]] = []
    for row_number, entry in enumerate(entries, start=2):
        values = {
            **reference[entry.pk],
            **{key: snapshots[entry.pk].get(key, "") for key, _h, _w in editable},
        }
        for key, _h, _w in editable:
            if key.startswith("ratings.") and not key.endswith(".reason"):
                dimension = next(d for d in dimensions if f"ratings.{d.key}" == key)
                code = snapshots[entry.pk].get(key)
                level = next((lv for lv in levels[dimension.pk] if lv.code == code), None)
                values[key] = rating_choice(level) if level else ""
        for column, (key, heading, _width, locked) in enumerate(headings, start=1):
            if key.startswith("costs."):
                cell = _figure_cell(sheet, row_number, column, key.split(".", 1)[1], values[key], amount_unit)
            else:
                try:
                    cell = put_cell(sheet, row_number, column, values[key] or None)
                except CellRefused as refusal:
                    raise CellRefused(f"{entry.node.code} {heading}", refusal.reason) from refusal
                cell.number_format = "@"
            cell.alignment = WRAP
            cell.border = BORDER
            cell.fill = LOCKED_FILL if locked else EDIT_FILL
            cell.protection = Protection(locked=locked)
        longest = max(
            (str(values[key]).count("\n") + len(str(values[key])) // 40 + 1) for key, *_ in headings
        )
        sheet.row_dimensions[row_number].height = min(max(30, 15 * longest), 400)
        rows.append(
            {
                "row": row_number,
                "entry": entry.pk,
                "locked": {key: reference[entry.pk][key] for key, _h, _w in LOCKED_COLUMNS},
                "exported": {key: values[key] for key, _h, _w in editable},
            }
        )

    # The rating drop-downs read their levels from a hidden sheet (labels may hold commas).
    choices = workbook.create_sheet(CHOICES_SHEET)
    for index, dimension in enumerate(dimensions):
        column = len(LOCKED_COLUMNS) + 1 + index
        letter = get_column_letter(index + 1)
        put_cell(choices, 1, index + 1, dimension.name)
        for offset, level in enumerate(levels[dimension.pk], start=2):
            put_cell(choices, offset, index + 1, rating_choice(level))
        last = len(levels[dimension.pk]) + 1
        validation = DataValidation(
            type="list",
            formula1=f"'{CHOICES_SHEET}'!${letter}$2:${letter}${last}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="評価",
            error=f"{dimension.name}は一覧から選んでください。",
            promptTitle=dimension.name,
            prompt="一覧から選んでください。",
            showInputMessage=True,
        )
        sheet.add_data_validation(validation)
        if entries:
            target = get_column_letter(column)
            validation.add(f"{target}2:{target}{len(entries) + 1}")
    _figure_validations(sheet, headings, len(entries))
    choices.sheet_state = "hidden"
    choices.protection.sheet = True

    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{max(len(entries) + 1, 1)}"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False
    sheet.protection.sort = True
    # Printed on A3 landscape, as sections print their sheets, the heading row on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "1:1"

    year_label = fiscal.western_label(round_.fiscal_year)
    _help_sheet(workbook, round_, unit, dimensions, levels, len(entries))

    marker = workbook.create_sheet(MARKER_SHEET)
    payload = json.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "plan": plan.code,
            "round": round_.pk,
            "fiscal_year": round_.fiscal_year,
            "unit": unit.code,
            "columns": [key for key, *_ in headings],
            "headings": {key: heading for key, heading, _w in editable},
            "made_at": timezone.now().isoformat(timespec="seconds"),
            "rows": rows,
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    # A cell holds at most 32,767 characters: the payload is cut into cells of column A.
    chunks = [payload[i : i + 30000] for i in range(0, len(payload), 30000)] or [""]
    put_cell(marker, 1, 1, FORMAT)
    put_cell(marker, 1, 2, VERSION)
    put_cell(marker, 1, 3, sign(payload))
    for index, chunk in enumerate(chunks, start=2):
        put_cell(marker, index, 1, chunk)
    marker.sheet_state = "veryHidden"
    marker.protection.sheet = True

    workbook.properties.title = f"{plan.title} {year_label} 記入票 {unit.name}"
    workbook.properties.creator = "Shinchoku"
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return EntryWorkbook(
        content=buffer.getvalue(),
        filename=f"{plan.code}-{round_.fiscal_year}-{unit.code}.xlsx",
        rows=len(entries),
        unit=unit.name,
        year_label=year_label,
    )


def _figure_cell(sheet: Worksheet, row: int, column: int, figure: str, text: str, unit: str) -> Any:
    """A cost figure as a number in the plan's unit (so that Excel's validation and sums
    work), formatted with thousands separators; empty when not given."""
    cell = sheet.cell(row=row, column=column)
    if text:
        number = (
            Decimal(text) if figure in amounts.STAFF_FIELDS else Decimal(text) / amounts.unit_factor(unit)
        )
        cell.value = int(number) if number == number.to_integral_value() else number
    cell.number_format = "#,##0.###" if figure not in amounts.STAFF_FIELDS else "0.##"
    return cell


def _figure_validations(sheet: Worksheet, headings: list[tuple[str, str, int, bool]], count: int) -> None:
    """Excel's own check of the cost columns: a number not below zero (the import checks
    again, with the decimals)."""
    if not count:
        return
    for column, (key, heading, _width, _locked) in enumerate(headings, start=1):
        if not key.startswith("costs."):
            continue
        validation = DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="金額・人数",
            error=f"{heading}は0以上の数値で入力してください。",
        )
        sheet.add_data_validation(validation)
        letter = get_column_letter(column)
        validation.add(f"{letter}2:{letter}{count + 1}")


def _help_sheet(
    workbook: Workbook,
    round_: Round,
    unit: OrgUnit,
    dimensions: list[Dimension],
    levels: dict[int, list[ScaleLevel]],
    count: int,
) -> Worksheet:
    sheet = workbook.create_sheet(HELP_SHEET, 0)
    lines = [
        (
            f"{round_.plan.title}　{fiscal.western_label(round_.fiscal_year)}"
            f"（{fiscal.wareki_label(round_.fiscal_year)}）実施結果 記入票",
            True,
        ),
        (f"所管：{unit.name}　施策数：{count}　締切：{round_.deadline.isoformat()}", False),
        ("", False),
        ("記入のしかた", True),
        (
            f"・「{ENTRY_SHEET}」シートの黄色の列に記入してください。"
            "灰色の列は参考のためのもので、変更できません。",
            False,
        ),
        (
            "・評価の列は、セルを選ぶと表示される一覧から選んでください。評価の理由は、その右の列に記入してください。",
            False,
        ),
        (
            "・事業費などの金額は"
            f"{UNIT_HEADINGS.get(round_.plan.amount_unit, '円')}単位の数値で記入してください"
            "（0以上。全角数字や桁区切りのカンマも読み取ります）。人数・時間は小数第2位まで記入できます。"
            "人件費（B）を空欄にすると、延べ業務時間×時間当たり人件費で計算されます。トータルコストは自動で計算されるため、記入欄はありません。",
            False,
        ),
        (
            "・評価が不十分側（例：4・5）の場合は、「環境等の変化・課題等」と「新たな課題等への対応」も記入してください（提出の際に必須です）。",
            False,
        ),
        (
            "・セル内で改行するときは Alt+Enter（Mac は Option+Return）を押してください。"
            "項目ごとに改行し、「・」で始めてください。",
            False,
        ),
        (
            "・数式やマクロは使えません。文字だけを入力してください。"
            "行・列・シートの追加や削除、並べ替えはしないでください。",
            False,
        ),
        (
            "・記入が終わったら、職員用ページの「記入票の取り込み」からこのファイルをアップロードしてください。"
            "取り込む前に、変更点と誤りが一覧で表示されます。",
            False,
        ),
        ("・取り込みでは下書きとして保存されます。審査への提出は職員用ページで行ってください。", False),
        (
            "・このファイルを作った後にWeb上で同じ記入票が変更されていた場合、"
            "同じ項目を両方で変更していると取り込めません（Web上の変更は失われません）。",
            False,
        ),
        ("", False),
        ("評価の区分", True),
    ]
    for dimension in dimensions:
        lines.append((f"{dimension.name}", False))
        lines.extend(
            (f"　{rating_choice(level)}{'（不十分側）' if level.adverse else ''}", False)
            for level in levels[dimension.pk]
        )
    for row, (text, bold) in enumerate(lines, start=1):
        cell = put_cell(sheet, row, 1, text or None)
        cell.font = Font(bold=bold, size=14 if row == 1 else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 100
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.protection.sheet = True
    return sheet
