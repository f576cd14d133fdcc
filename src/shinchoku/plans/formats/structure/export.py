"""A plan's structure as a spreadsheet, in the layout the ``plan-structure`` importer reads
(docs/plan-file.md, "Plan structure from a spreadsheet"): filled from a stored plan, or an
empty template for a new one. ``shinchoku structure`` writes it as CSV or xlsx.

Exporting a plan and importing the file again changes nothing, with two exceptions the
layout cannot express: a target row whose cells overlap (two cells of one row covering
the same year) is split over further rows, and the items of one cell are joined by line
breaks, so that an item after the first that does not start with ● joins the item
before it.
"""

from __future__ import annotations

import io
from collections import defaultdict

from django.core.validators import slug_re
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from shinchoku.interchange.sheets.spreadsheet_text import CellRefused, put_cell, spreadsheet_csv
from shinchoku.plans.formats.structure.vocabulary import (
    HEADINGS,
    LIST_SPLIT,
    NO_SCALE,
    NODE_KINDS,
    PLAN_KINDS,
    SHEET_NAME,
    SPAN_TEXT,
    level_headings,
    onwards_heading,
    rated_mark,
    year_heading,
)
from shinchoku.plans.models import Dimension, Level, Node, NodeUnit, OrgUnit, Plan
from shinchoku.plans.selectors import marker_symbols
from shinchoku.progress.models import Target

#: Levels of an empty template: name and whether rated.
TEMPLATE_LEVELS = (("プラン", False), ("アクションプログラム", False), ("施策計画", True))

Row = list[str]


def header(levels: list[tuple[str, str]], first_year: int, last_year: int, onwards: bool) -> Row:
    """The heading row: ``levels`` are (name, mark) with mark "" or a rated mark."""
    cells = [HEADINGS[kind] for kind in PLAN_KINDS]
    for number, (name, mark) in enumerate(levels, start=1):
        cells += level_headings(number, name, mark)
    cells += [HEADINGS[kind] for kind in NODE_KINDS]
    cells += [year_heading(year) for year in range(first_year, last_year + 1)]
    if onwards:
        cells.append(onwards_heading(last_year + 1))
    return cells


def template_rows(first_year: int, last_year: int, *, onwards: bool = True) -> list[Row]:
    """An empty structure sheet for a new plan of these years."""
    levels = [(name, rated_mark() if rated else "") for name, rated in TEMPLATE_LEVELS]
    return [header(levels, first_year, last_year, onwards)]


def _rated_mark(level: Level, dimensions: list[Dimension]) -> str:
    if not level.rated:
        return ""
    primary = next((d for d in dimensions if d.primary), None)
    if primary is not None:
        return rated_mark(primary.scale.code)
    return rated_mark() if dimensions else rated_mark(NO_SCALE)


def plan_rows(plan: Plan) -> list[Row]:
    """The structure of a stored plan, one row per node in printed order (and a row per
    further row of targets)."""
    levels = list(plan.levels.order_by("depth"))
    dimensions: dict[int, list[Dimension]] = defaultdict(list)
    for dimension in plan.dimensions.select_related("scale"):
        dimensions[dimension.level_id].append(dimension)
    head = header(
        [(level.name, _rated_mark(level, dimensions[level.pk])) for level in levels],
        plan.first_year,
        plan.last_year,
        plan.onwards,
    )
    depth_of = {level.pk: level.depth for level in levels}
    nodes = list(Node.objects.filter(plan=plan).order_by("position", "pk"))
    children: dict[int | None, list[Node]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    targets: dict[int, list[Target]] = defaultdict(list)
    for target in Target.objects.filter(node__plan=plan).order_by("row", "start_year", "position", "pk"):
        targets[target.node_id].append(target)
    units: dict[int, list[str]] = defaultdict(list)
    unit_names = _unit_names()
    for role in NodeUnit.objects.filter(node__plan=plan, role=NodeUnit.Role.RESPONSIBLE).select_related(
        "unit"
    ):
        units[role.node_id].append(_unit_token(role.unit, unit_names))
    markers = marker_symbols([plan.pk])

    years = [*range(plan.first_year, plan.last_year + 1)]
    onwards_year = plan.onwards_year
    year_columns = {year: head.index(year_heading(year)) for year in years}
    if onwards_year is not None:
        year_columns[onwards_year] = head.index(onwards_heading(onwards_year))
    first_level_column = len(PLAN_KINDS)
    width = len(head)
    rows: list[Row] = [head]

    def walk(node: Node, ancestors: list[tuple[int, str]]) -> None:
        depth = depth_of[node.level_id]
        row = [""] * width
        if len(rows) == 1:
            row[0:first_level_column] = [
                plan.code,
                plan.title,
                plan.period_label,
                str(plan.first_year),
                str(plan.last_year),
            ]
        for ancestor_depth, code in ancestors:
            row[first_level_column + 2 * ancestor_depth] = code
        row[first_level_column + 2 * depth] = node.code
        row[first_level_column + 2 * depth + 1] = node.title
        base = first_level_column + 2 * len(levels)
        row[base : base + len(NODE_KINDS)] = [
            node.label,
            node.summary,
            node.baseline,
            "、".join(units[node.pk]),
            " ".join(markers[node.pk]),
        ]
        lines = _target_lines(targets[node.pk], year_columns, width)
        if lines:
            for column, text in enumerate(lines[0]):
                if text:
                    row[column] = text
        rows.append(row)
        rows.extend(lines[1:])
        for child in children[node.pk]:
            walk(child, [*ancestors, (depth, node.code)])

    for top in children[None]:
        walk(top, [])
    return rows


def _target_lines(targets: list[Target], columns: dict[int, int], width: int) -> list[Row]:
    """The year cells of a node's targets, one line per target row (more when cells overlap)."""
    lines: list[Row] = []
    by_row: dict[int, list[Target]] = defaultdict(list)
    for target in targets:
        by_row[target.row].append(target)
    for number in sorted(by_row):
        # Each line: year → (end, open_end, items), and the years it covers.
        grids: list[dict[int, tuple[int, bool, list[str]]]] = []
        for target in by_row[number]:
            span = range(target.start_year, target.end_year + 1)
            for grid in grids:
                cell = grid.get(target.start_year)
                if cell is not None and cell[0] == target.end_year and cell[1] == target.open_end:
                    cell[2].append(target.text)
                    break
                covered = {year for start, (end, _o, _i) in grid.items() for year in range(start, end + 1)}
                if not covered & set(span):
                    grid[target.start_year] = (target.end_year, target.open_end, [target.text])
                    break
            else:
                grids.append({target.start_year: (target.end_year, target.open_end, [target.text])})
        for grid in grids:
            line = [""] * width
            for start, (end, _open_end, items) in grid.items():
                if start not in columns:
                    continue
                line[columns[start]] = "\n".join(items)
                for year in range(start + 1, end + 1):
                    if year in columns:
                        line[columns[year]] = SPAN_TEXT
            lines.append(line)
    return lines


def _unit_names() -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for name in OrgUnit.objects.values_list("name", flat=True):
        counts[name] += 1
    return counts


def _unit_token(unit: OrgUnit, names: dict[str, int]) -> str:
    """A unit as the sheet names it: by its name when that is unambiguous, else its code."""
    name = unit.name
    if (
        names.get(name) == 1
        and not slug_re.match(name)
        and not LIST_SPLIT.search(name)
        and name == name.strip()
    ):
        return name
    return unit.code


def to_csv(rows: list[Row]) -> bytes:
    """UTF-8 with a byte order mark and CRLF line ends, as Excel opens it; a text that
    Excel would run as a formula (``=…``, ``-…``) has an apostrophe in front, which the
    importer removes (``spreadsheet_text``)."""
    return spreadsheet_csv(rows)


def to_xlsx(rows: list[Row]) -> bytes:
    """One sheet named 構造; every cell a text cell, formatted as text (so that Excel does
    not read a code such as 9-1 as a date, nor a text beginning with = as a formula),
    headings bold, long texts wrapped. CellRefused names the cell and its heading when a
    text is one no cell holds exactly."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_NAME
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value == "":
                continue
            try:
                put_cell(sheet, number, column, value)
            except CellRefused as refusal:
                raise CellRefused(f"{refusal.where} ({rows[0][column - 1]})", refusal.reason) from refusal
    width = len(rows[0]) if rows else 0
    for column in range(1, width + 1):
        letter = get_column_letter(column)
        heading = rows[0][column - 1]
        long_text = heading in (HEADINGS["summary"], HEADINGS["baseline"]) or heading.endswith(
            ("目標", "以降")
        )
        sheet.column_dimensions[letter].width = 40 if long_text else 16
        sheet.column_dimensions[letter].number_format = "@"
        for cell in sheet[letter]:
            cell.number_format = "@"
            if long_text:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
