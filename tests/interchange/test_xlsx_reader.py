"""The bounded reader reads what a cell holds as openpyxl does (the reading the importers
were built on): texts, numbers, booleans, dates in both date systems, formulas (shared and
array ones too), merged cells, rich and phonetic texts; for any grid of values."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.worksheet.formula import ArrayFormula

from shinchoku.interchange.sheets.xlsxfile import Formula, open_xlsx
from tests.interchange.xlsx_samples import write_xlsx


def as_openpyxl_reads(data: bytes) -> dict[str, dict[tuple[int, int], Any]]:
    book = load_workbook(io.BytesIO(data), data_only=False)
    cells: dict[str, dict[tuple[int, int], Any]] = {}
    for sheet in book.worksheets:
        found = cells.setdefault(sheet.title, {})
        for row in sheet.iter_rows():
            for cell in row:
                value = None if isinstance(cell, MergedCell) else cell.value
                if isinstance(value, ArrayFormula):
                    value = value.text
                if value is not None:
                    found[(cell.row, cell.column)] = value
    return cells


def as_read(data: bytes) -> dict[str, dict[tuple[int, int], Any]]:
    book = open_xlsx(data)
    cells: dict[str, dict[tuple[int, int], Any]] = {}
    for title in book.worksheets:
        sheet = book.sheet(title)
        found = cells.setdefault(title, {})
        for number, row in sheet.rows.items():
            for column, value in enumerate(row, start=1):
                if value is not None:
                    found[(number, column)] = str(value) if isinstance(value, Formula) else value
    return cells


def saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_every_kind_of_value_reads_as_openpyxl_reads_it() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "構造"
    sheet.append(["計画コード", "1+1", " 空白 ", "行1\n行2", 12, -3.25, 1e-7, True, False])
    sheet.append([datetime.date(2025, 9, 1), datetime.datetime(2013, 4, 1, 9, 30), datetime.time(12, 15)])  # noqa: DTZ001 (cells are naive)
    sheet["A3"] = "=SUM(E1:F1)"
    sheet["B3"] = ArrayFormula("B3:B4", "=E1:E2*2")
    sheet["C3"] = 'CONCATENATE("協働","型")'
    sheet["A5"] = "結合"
    sheet["B5"] = "hidden by the merge"
    sheet.merge_cells("A5:C6")
    book.create_sheet("二枚目")["D4"] = "２枚目の値"
    data = saved(book)
    assert as_read(data) == as_openpyxl_reads(data)
    cells = open_xlsx(data).sheet("構造")
    assert isinstance(cells.value(3, 1), Formula) and str(cells.value(3, 1)) == "=SUM(E1:F1)"
    assert cells.value(3, 3) == 'CONCATENATE("協働","型")'  # text, not a formula
    assert cells.value(5, 2) is None and cells.merged == [(5, 1, 6, 3)]


def test_the_1904_date_system() -> None:
    book = Workbook()
    book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = datetime.date(2013, 4, 1)
    data = saved(book)
    assert as_read(data) == as_openpyxl_reads(data)


def test_shared_formulas_and_phonetic_guides(tmp_path: Path) -> None:
    """As Excel writes them: a formula shared down a column, and a shared text with its
    reading (ルビ), which is not part of the text."""
    strings = [
        "<si><t>協働推進課</t><rPh sb='0' eb='2'><t>キョウドウ</t></rPh><phoneticPr fontId='1'/></si>".encode(),
        "<si><r><t>太</t></r><r><rPr><b/></rPr><t xml:space='preserve'>字 </t></r></si>".encode(),
    ]
    rows = [
        b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        b'<c r="C1"><v>3</v></c></row>'
        b'<row r="2"><c r="A2"><f t="shared" ref="A2:A4" si="0">C1*2</f><v>6</v></c></row>'
        b'<row r="3"><c r="A3"><f t="shared" si="0"/><v>0</v></c></row>'
        b'<row r="4"><c r="A4"><f t="shared" si="0"/><v>0</v></c><c r="B4" t="e"><v>#N/A</v></c></row>'
        b"</sheetData>"
    ]
    data = write_xlsx(tmp_path / "excel.xlsx", [("構造", rows)], strings).read_bytes()
    read = as_read(data)
    assert read == as_openpyxl_reads(data)
    assert read["構造"][(1, 1)] == "協働推進課" and read["構造"][(1, 2)] == "太字 "
    assert read["構造"][(3, 1)] == "=C2*2" and read["構造"][(4, 1)] == "=C3*2"


VALUES = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=20),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2200, 12, 31)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(VALUES, max_size=8), max_size=8))
def test_any_grid_reads_as_openpyxl_reads_it(grid: list[list[Any]]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in grid:
        sheet.append(row)
    data = saved(book)
    assert as_read(data) == as_openpyxl_reads(data)
