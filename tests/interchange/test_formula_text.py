"""A text that a spreadsheet program would run as a formula (one beginning with = + - @, a
tab or a carriage return) stays text in every file Shinchoku writes for spreadsheets: the
escape of the CSV files meant for spreadsheets is undone exactly, and the plan structure
sheet, as xlsx and as CSV, shows such texts as written in a spreadsheet application and
brings them back to the plan unchanged. (The open data and the entry workbook have their
own tests in test_opendata.py and test_entry_workbook.py.)"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from shinchoku.interchange.importing import import_apply, import_preview
from shinchoku.interchange.sheets.spreadsheet_text import (
    BOM,
    FORMULA_STARTS,
    csv_escape,
    csv_unescape,
    spreadsheet_csv,
)
from shinchoku.plans.formats.planfile import load_plan_file
from shinchoku.plans.formats.structure.export import plan_rows, to_csv, to_xlsx
from shinchoku.plans.models import Node, Plan
from shinchoku.progress.models import Target
from tests.interchange.office import needs_office, sheet_as_csv

SEED = Path(__file__).parents[2] / "data/seeds/kawasaki-plan9.yaml"

# ---------------------------------------------------------------- the escape of CSV cells


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://example.com","x")', '\'=HYPERLINK("http://example.com","x")'),
        ("+81-3", "'+81-3"),
        ("-5件", "'-5件"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        # A text that already begins with apostrophes before such a character gets one
        # more, so that removing one always gives the text back.
        ("'=1+1", "''=1+1"),
        ("''-5", "'''-5"),
        # Anything else is left as it is.
        ("'quoted'", "'quoted'"),
        ("・説明会を開催しました。", "・説明会を開催しました。"),
        ("9-1-1", "9-1-1"),
        ("1+1=2", "1+1=2"),
        ("＝１", "＝１"),
        ("'", "'"),
        ("", ""),
    ],
)
def test_a_cell_is_escaped_when_it_begins_like_a_formula(text: str, escaped: str) -> None:
    assert csv_escape(text) == escaped
    assert csv_unescape(escaped) == text


@given(st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "a", "・", " "])))
def test_removing_the_escape_gives_back_every_text(text: str) -> None:
    escaped = csv_escape(text)
    assert csv_unescape(escaped) == text
    # What a spreadsheet program sees first is never a character that starts a formula.
    assert escaped[:1] not in FORMULA_STARTS


CELLS = st.text(alphabet=st.sampled_from(["'", "=", "-", "@", "\t", "\r", "\n", ",", '"', " ", "a", "件"]))


@given(st.lists(st.lists(CELLS, min_size=1, max_size=4), max_size=4))
def test_the_csv_for_spreadsheets_reads_back_and_differs_from_plain_csv_only_by_its_escapes(
    rows: list[list[str]],
) -> None:
    data = spreadsheet_csv(rows)
    assert data.startswith(BOM)
    read = list(csv.reader(io.StringIO(data.decode("utf-8").removeprefix("\ufeff"), newline="")))
    assert [[csv_unescape(cell) for cell in row] for row in read] == rows
    # With no column escaped, the bytes are those of the csv module, after the mark.
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    assert spreadsheet_csv(rows, texts=()) == BOM + buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------- the plan structure sheet

#: The texts put on a measure of the seed: (node field, text).
NODE_TEXTS = {
    "title": "=1+1",
    "summary": '=HYPERLINK("http://example.com","x")',
    "baseline": "-5件の削減",
}
TARGET_TEXT = "@SUM(A1:A2)"
SECOND_TARGET_TEXT = "+81-3-1234-5678"


def seed_with_formula_texts() -> Plan:
    """The seed with texts beginning with = + - @ on a measure and on two targets that each
    fill a cell of their own (the items of one cell share it)."""
    load_plan_file(SEED)
    plan = Plan.objects.get()
    measure = Node.objects.filter(plan=plan, level__rated=True).order_by("path").first()
    assert measure is not None
    Node.objects.filter(pk=measure.pk).update(**NODE_TEXTS)
    targets = list(Target.objects.filter(node__plan=plan).order_by("node__path", "row", "start_year", "pk"))
    cells = Counter((t.node_id, t.row, t.start_year, t.end_year, t.open_end) for t in targets)
    alone = [t for t in targets if cells[(t.node_id, t.row, t.start_year, t.end_year, t.open_end)] == 1]
    Target.objects.filter(pk=alone[0].pk).update(text=TARGET_TEXT)
    Target.objects.filter(pk=alone[-1].pk).update(text=SECOND_TARGET_TEXT)
    return plan


def texts(plan_code: str) -> list[tuple[str, ...]]:
    """The texts of every node and target of the plan."""
    nodes = Node.objects.filter(plan__code=plan_code).order_by("code")
    return [
        *((node.code, node.title, node.summary, node.baseline) for node in nodes),
        *sorted(
            (code, str(row), str(start), text)
            for code, row, start, text in Target.objects.filter(node__plan__code=plan_code).values_list(
                "node__code", "row", "start_year", "text"
            )
        ),
    ]


@pytest.mark.django_db
def test_the_structure_xlsx_writes_every_text_as_a_text_cell(tmp_path: Path) -> None:
    plan = seed_with_formula_texts()
    path = tmp_path / "structure.xlsx"
    path.write_bytes(to_xlsx(plan_rows(plan)))
    sheet = load_workbook(path).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [cell.coordinate for cell in cells if cell.data_type != "s"] == []
    values = {cell.value for cell in cells}
    assert {*NODE_TEXTS.values(), TARGET_TEXT, SECOND_TARGET_TEXT} <= values


@pytest.mark.django_db
@needs_office
def test_a_spreadsheet_application_shows_the_structure_xlsx_texts_as_written(tmp_path: Path) -> None:
    plan = seed_with_formula_texts()
    path = tmp_path / "structure.xlsx"
    path.write_bytes(to_xlsx(plan_rows(plan)))
    shown = {cell for row in sheet_as_csv(path, 1, tmp_path) for cell in row}
    assert {*NODE_TEXTS.values(), TARGET_TEXT, SECOND_TARGET_TEXT} <= shown


@pytest.mark.django_db
def test_the_structure_csv_escapes_such_texts_for_spreadsheets() -> None:
    plan = seed_with_formula_texts()
    data = to_csv(plan_rows(plan))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    cells = {cell for row in rows for cell in row}
    assert {"'=1+1", '\'=HYPERLINK("http://example.com","x")', "'-5件の削減", "'@SUM(A1:A2)"} <= cells
    assert not {cell for cell in cells if cell[:1] in FORMULA_STARTS}
    # The escaped cells are quoted, so that no delimiter of another locale splits them.
    assert b'"\'=1+1"' in data and b"\"'-5\xe4\xbb\xb6" in data


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "write"), [("structure.csv", to_csv), ("structure.xlsx", to_xlsx)])
def test_the_structure_sheet_brings_such_texts_back_exactly(name: str, write) -> None:
    plan = seed_with_formula_texts()
    before = texts(plan.code)
    data = write(plan_rows(plan))
    preview = import_preview(data, name, actor=None)
    assert preview.ok, [str(problem) for problem in preview.all_problems]
    assert not preview.changed
    # Into a database without the plan: the same texts.
    Plan.objects.all().delete()
    import_apply(data, name, actor=None)
    assert texts(plan.code) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "reason"),
    [("●事業\x0bの推進", r"a control character \(U\+000B\)"), ("●" + "あ" * 32_767, "32,768 characters")],
)
def test_the_structure_xlsx_refuses_a_text_no_cell_holds_exactly(
    tmp_path: Path, text: str, reason: str
) -> None:
    plan = seed_with_formula_texts()
    Node.objects.filter(plan=plan, code="9-1").update(summary=text)
    output = tmp_path / "structure.xlsx"
    with translation.override("en"), pytest.raises(CommandError, match=reason) as refused:
        call_command("structure", "--plan", plan.code, "--output", str(output))
    assert "構造!" in str(refused.value) and "(概要)" in str(refused.value)
    assert not output.exists()
    # A CSV file holds it as it is.
    call_command("structure", "--plan", plan.code, "--output", str(tmp_path / "structure.csv"))
