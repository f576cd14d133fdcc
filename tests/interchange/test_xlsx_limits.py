"""Hostile workbooks that pass the ZIP checks (small files, each part under the unpacked
limits) are refused while they are read, early, in little memory, naming the sheet, row and
column; an honest workbook of 2,000 rows × 250 columns is read and previewed; what the staff
pages read from an upload is kept with it and not read again."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook

from shinchoku.interchange.importing import import_preview
from shinchoku.interchange.preview import RowStatus
from shinchoku.interchange.sheets import xlsxfile
from shinchoku.interchange.sheets.xlsxfile import MAX_RATIO, MAX_UNPACKED_BYTES
from shinchoku.plans.formats.structure.export import to_xlsx
from shinchoku.plans.models import Node, Plan
from shinchoku.review.workbook import writer as template
from tests.interchange.test_import_pages import download, signed_in, upload
from tests.interchange.xlsx_samples import (
    cell_bomb_rows,
    huge_dimension_rows,
    inline_text_rows,
    preview_in_a_process,
    shared_heading_row,
    shared_string_bomb,
    structure_workbook,
    wide_row,
    write_xlsx,
)
from tests.plans.formats.structure.test_plan_structure import example_rows
from tests.review.conftest import Cycle, make_cycle

pytestmark = pytest.mark.django_db

#: The peak resident memory a whole process may reach while refusing any of them.
PEAK_MIB = 200

HOSTILE = {
    # 12.85 million cells of 16 bytes: a 184 MB sheet packed into 3 MB.
    "cell bomb": (
        lambda path: write_xlsx(path, [("構造", cell_bomb_rows(12_850_000))]),
        "cells.xlsx: The part xl/worksheets/sheet1.xml of the workbook unpacks to more than 64 MB",
    ),
    # 4 million cells: a sheet just under the part's limit, so its cells are counted.
    "cell bomb under the part limit": (
        lambda path: write_xlsx(path, [("構造", cell_bomb_rows(4_000_000))]),
        "cells.xlsx, sheet 構造, row 1997, column SD: The sheets read hold more than 1,000,000 cells",
    ),
    # 1.1 million short inline texts, each its own object: the memory held is counted.
    "inline texts": (
        lambda path: write_xlsx(path, [("構造", inline_text_rows(1_100_000))]),
        "cells.xlsx, sheet 構造, row ",
    ),
    "shared texts": (
        lambda path: write_xlsx(path, [("構造", shared_heading_row())], shared_string_bomb(1_500_000)),
        "cells.xlsx: The workbook holds more than 1,000,000 different texts",
    ),
    "a cell at the end of a huge dimension": (
        lambda path: write_xlsx(path, [("構造", huge_dimension_rows(far_cell=True))]),
        "cells.xlsx, sheet 構造, row 1048576, column XFD: This cell is below row 50,000",
    ),
    "a row of 16,384 columns": (
        lambda path: write_xlsx(path, [("構造", wide_row(16_384))]),
        "cells.xlsx, sheet 構造, row 2, column SG: This cell is right of column SF",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
@pytest.mark.one_database  # reading a file: once, in one pass
def test_a_hostile_workbook_is_refused_early_in_little_memory(tmp_path: Path, case: str) -> None:
    make, expected = HOSTILE[case]
    path = make(tmp_path / "cells.xlsx")
    # Each passes the checks made on the whole file: under 10 MB, its parts unpack to less
    # than 200 MB and at less than 200 times their packed size.
    assert path.stat().st_size < 10 * 1024 * 1024
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(item.file_size for item in archive.infolist())
        packed = sum(item.compress_size for item in archive.infolist())
    assert unpacked <= MAX_UNPACKED_BYTES and unpacked / packed <= MAX_RATIO

    result = preview_in_a_process(path)
    assert result["importer"] == "plan-structure" and not result["ok"]
    problems = result["problems"]
    assert isinstance(problems, list) and len(problems) == 1
    assert problems[0].startswith(expected), problems
    assert float(result["peak_mib"]) < PEAK_MIB, result  # type: ignore[arg-type]


@pytest.mark.one_database  # reading a file: once, in one pass
def test_a_huge_dimension_alone_is_no_reason_to_refuse(tmp_path: Path) -> None:
    """A sheet may claim A1:XFD1048576 and hold two cells: only what is written counts."""
    path = write_xlsx(tmp_path / "claims.xlsx", [("構造", huge_dimension_rows(far_cell=False))])
    book = xlsxfile.open_xlsx(path.read_bytes())
    sheet = book.sheet("構造")
    assert (sheet.max_row, sheet.max_column) == (1, 6)


@pytest.mark.one_database  # reading a file: once, in one pass
def test_the_refusal_is_in_japanese_by_default(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "far.xlsx", [("構造", huge_dimension_rows(far_cell=True))])
    (problem,) = preview_in_a_process(path, language="ja")["problems"]  # type: ignore[misc]
    assert problem.startswith("far.xlsx, シート「構造」, 1048576行目, XFD列: ")
    assert "50,000行目より下" in problem


@pytest.mark.one_database  # reading a file: once, in one pass
def test_a_structure_of_2000_rows_and_250_columns_is_read(tmp_path: Path) -> None:
    """Every cell filled (a plan of 236 years, each target spanning them all with 同左)."""
    data = structure_workbook(tmp_path / "large.xlsx", rows=2000, columns=250).read_bytes()
    sheet = xlsxfile.open_xlsx(data).sheet("構造")
    assert (sheet.max_row, sheet.max_column) == (2000, 250)
    preview = import_preview(data, "large.xlsx", actor=None)
    assert preview.importer == "plan-structure" and preview.ok, [str(p) for p in preview.all_problems[:5]]
    assert preview.count(RowStatus.NEW) > 1999 and Node.objects.count() == 0


# ---------------------------------------------------------------- an entry workbook


@pytest.fixture
def cycle(db: None) -> Cycle:
    return make_cycle()


def test_a_far_cell_in_an_entry_workbook_is_refused_at_once(cycle: Cycle) -> None:
    """One cell at XFD1048576 of a real entry workbook: nothing is read a million rows long."""
    editor = signed_in(cycle.editor)
    book = load_workbook(io.BytesIO(download(editor, cycle, cycle.unit)))
    book[template.ENTRY_SHEET].cell(row=1_048_576, column=16_384, value="x")
    out = io.BytesIO()
    book.save(out)
    response = upload(editor, out.getvalue(), "far.xlsx")
    preview = editor.get(response["Location"])
    assert preview.status_code == 400
    assert "far.xlsx, sheet 記入票, row 1048576, column XFD: This cell is below row 50,000" in (
        preview.content.decode()
    )
    assert cycle.fresh().version == 1


# ---------------------------------------------------------------- kept with the upload


def page(response) -> str:
    """The page without its form tokens (new on every request)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def structure_upload(client: Client) -> str:
    response = upload(client, to_xlsx(example_rows()), "structure.xlsx")
    assert response.status_code == 302
    return str(response["Location"])


@pytest.fixture
def imports(settings, tmp_path: Path) -> Path:
    """A folder of kept uploads of this test's own."""
    settings.IMPORT_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


def test_the_upload_is_read_once_and_the_reading_kept(cycle: Cycle, monkeypatch, imports: Path) -> None:
    admin = signed_in(cycle.admin)
    location = structure_upload(admin)
    first = admin.get(location)
    assert first.status_code == 200
    kept = list(imports.glob("*.reading.json"))
    assert len(kept) == 1

    def read_again(*args: object) -> None:
        raise AssertionError("the workbook was read again")

    monkeypatch.setattr(xlsxfile, "read_sheet", read_again)
    monkeypatch.setattr(xlsxfile, "read_layout", read_again)
    again = admin.get(location)
    assert again.status_code == 200 and page(again) == page(first)
    # The import takes the same reading, and the reading goes with the file.
    assert admin.post(location + "apply/").status_code == 302
    assert Plan.objects.filter(code="kawasaki-frontier-3").exists()
    assert not list(imports.glob("*.reading.json"))


def test_a_refusal_is_kept_too(cycle: Cycle, monkeypatch, tmp_path: Path, imports: Path) -> None:
    admin = signed_in(cycle.admin)
    path = write_xlsx(tmp_path / "far.xlsx", [("構造", huge_dimension_rows(far_cell=True))])
    location = str(upload(admin, path.read_bytes(), "far.xlsx")["Location"])
    first = admin.get(location)
    assert first.status_code == 400 and "row 1048576, column XFD" in first.content.decode()

    def read_again(*args: object) -> None:
        raise AssertionError("the workbook was read again")

    monkeypatch.setattr(xlsxfile, "read_sheet", read_again)
    monkeypatch.setattr(xlsxfile, "read_layout", read_again)
    again = admin.get(location)
    assert again.status_code == 400 and page(again) == page(first)


def test_a_reading_kept_for_other_bytes_or_another_person_is_not_used(cycle: Cycle, imports: Path) -> None:
    admin = signed_in(cycle.admin)
    location = structure_upload(admin)
    assert admin.get(location).status_code == 200
    (kept,) = imports.glob("*.reading.json")
    original = kept.read_text()
    # A reading that claims to be of other bytes is read again, not believed.
    kept.write_text(original.replace('"digest": "', '"digest": "other-'))
    assert admin.get(location).status_code == 200
    assert '"digest": "other-' not in kept.read_text()
    # One kept for another account is not used either.
    kept.write_text(original.replace(f'"user": {cycle.admin.pk}', '"user": 0'))
    assert admin.get(location).status_code == 200
    assert f'"user": {cycle.admin.pk}' in kept.read_text()
