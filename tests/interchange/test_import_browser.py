"""The import pages in a real browser: the planning administrator uploads a plan structure
saved from Excel as 「Unicode テキスト」 and sees its preview; then a workbook with a cell
far beyond the rows read, and sees the refusal named by sheet, row and column, in Japanese.
Screenshots go to test-artifacts/ (git-ignored)."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from shinchoku.interchange.sheets.xlsxparts import MAX_ROWS
from tests.browser import ARTIFACTS
from tests.interchange.test_csv_encodings import text_file
from tests.interchange.xlsx_samples import huge_dimension_rows, write_xlsx
from tests.plans.formats.structure.test_plan_structure import example_rows
from tests.review import test_browser_flow as flow
from tests.review.conftest import Cycle
from tests.review.test_browser_flow import ja, sign_in

# A page of its own per person, and the people of the round with their passwords (the
# browser is the suite's, tests/conftest.py).
new_page = flow.new_page
people = flow.people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def upload(page: Page, base: str, path: Path) -> None:
    page.goto(base + "/staff/import/")
    page.get_by_label(ja("File")).set_input_files(str(path))
    page.get_by_role("button", name=ja("Upload and preview")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Preview of the import"))


def test_the_administrator_uploads_excel_text_and_a_workbook_too_large_to_read(
    people: Cycle, new_page: Callable[[], Page], live_server: Any, tmp_path: Path
) -> None:
    page = new_page()
    sign_in(page, live_server.url, people.admin)

    unicode_text = tmp_path / "構造.txt"
    unicode_text.write_bytes(text_file(example_rows(), "utf-16-le", "\t", codecs.BOM_UTF16_LE))
    upload(page, live_server.url, unicode_text)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_role("table", name=ja("Rows of the file"))).to_contain_text("9-3-5")
    expect(page.get_by_role("button", name=ja("Import"))).to_be_visible()
    page.screenshot(path=ARTIFACTS / "import-unicode-text.png")  # the top: title, counts, first rows

    far = write_xlsx(tmp_path / "far.xlsx", [("構造", huge_dimension_rows(far_cell=True))])
    upload(page, live_server.url, far)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("far.xlsx, シート「構造」, 1048576行目, XFD列")
    expect(alert).to_contain_text(
        ja(
            "This cell is below row %(rows)s: at most %(rows)s rows are read. Delete the rows below it, "
            "or split the file.",
            rows=f"{MAX_ROWS:,}",
        )
    )
    expect(page.get_by_role("button", name=ja("Import"))).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "import-refused-far-cell.png", full_page=True)
