"""The import pages: a filled entry workbook (downloaded as a section editor would,
``tests/review/workbook/test_workbook_page.py``) or a plan structure uploaded,
previewed, imported."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.audit.selectors import audit_history
from shinchoku.review.models import Entry
from shinchoku.review.workbook import writer as template
from tests.review.conftest import Cycle, make_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(db: None) -> Cycle:
    return make_cycle()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def download(client: Client, cycle: Cycle, unit) -> bytes:
    response = client.get(reverse("staff:workbook", args=[cycle.round.pk, unit.code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def filled(content: bytes, text: str) -> bytes:
    book = load_workbook(io.BytesIO(content))
    sheet = book[template.ENTRY_SHEET]
    column = next(cell.column for cell in sheet[1] if cell.value == "実施結果")
    sheet.cell(row=2, column=column, value=text)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: Client, data: bytes, name: str = "filled.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("interchange:import"), {"file": file})


def test_the_todo_page_offers_the_import(cycle: Cycle) -> None:
    page = signed_in(cycle.editor).get(reverse("staff:home")).content.decode()
    assert reverse("interchange:import") in page


def test_upload_preview_then_import(cycle: Cycle) -> None:
    editor = signed_in(cycle.editor)
    data = filled(download(editor, cycle, cycle.unit), "・取り込んだ記述")
    response = upload(editor, data)
    assert response.status_code == 302
    preview = editor.get(response["Location"])
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "・取り込んだ記述" in page and "9-1-1" in page
    assert cycle.fresh().text == ""  # nothing yet
    applied = editor.post(response["Location"] + "apply/")
    assert applied.status_code == 302 and applied["Location"] == reverse("staff:home")
    entry = cycle.fresh()
    assert entry.text == "・取り込んだ記述" and entry.state == Entry.State.DRAFT
    assert audit_history(entry).last().actor == cycle.editor
    # The kept file is gone once imported.
    assert editor.get(response["Location"]).status_code == 404


def test_a_file_with_problems_is_shown_and_not_imported(cycle: Cycle) -> None:
    editor = signed_in(cycle.editor)
    book = load_workbook(io.BytesIO(download(editor, cycle, cycle.unit)))
    book[template.ENTRY_SHEET]["A2"] = "9-9-9"
    out = io.BytesIO()
    book.save(out)
    response = upload(editor, out.getvalue())
    preview = editor.get(response["Location"])
    assert preview.status_code == 400
    page = preview.content.decode()
    assert 'role="alert"' in page and "9-9-9" not in page.split('role="alert"')[0]
    version = cycle.fresh().version
    applied = editor.post(response["Location"] + "apply/")
    assert applied.status_code == 302 and applied["Location"] == response["Location"]
    assert cycle.fresh().version == version


def test_an_upload_is_only_its_uploaders(cycle: Cycle) -> None:
    editor = signed_in(cycle.editor)
    response = upload(editor, filled(download(editor, cycle, cycle.unit), "・記述"))
    other = signed_in(cycle.bureau_editor)
    assert other.get(response["Location"]).status_code == 404
    assert other.post(response["Location"] + "apply/").status_code == 404
    assert cycle.fresh().text == ""


def test_a_non_xlsx_upload_is_refused_in_the_preview(cycle: Cycle) -> None:
    editor = signed_in(cycle.editor)
    response = upload(editor, b"MZ\x90\x00" + b"\x00" * 200, "virus.xlsx")
    preview = editor.get(response["Location"])
    assert preview.status_code == 400
    assert "xlsx" in preview.content.decode()


def test_a_file_over_the_limit_is_refused_on_the_upload_form(cycle: Cycle) -> None:
    editor = signed_in(cycle.editor)
    response = upload(editor, b"x" * (10 * 1024 * 1024 + 1), "big.xlsx")
    assert response.status_code == 400
    assert "The file is 10.0 MB; at most 10 MB can be imported." in response.content.decode()


EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "plan-structure.csv"


def test_the_planning_division_imports_a_plan_structure_on_the_same_pages(cycle: Cycle) -> None:
    """The upload page takes a plan structure too (for the administrator only)."""
    from shinchoku.plans.models import Plan

    admin = signed_in(cycle.admin)
    response = upload(admin, EXAMPLE.read_bytes(), "plan-structure.csv")
    preview = admin.get(response["Location"])
    assert preview.status_code == 200, preview.content.decode()[:3000]
    assert "9-3-5" in preview.content.decode()
    assert admin.post(response["Location"] + "apply/").status_code == 302
    plan = Plan.objects.get(code="kawasaki-frontier-3")
    (event,) = audit_history(plan)
    assert event.event_type == "plan.imported" and event.actor == cycle.admin
    assert event.details["file"] == "plan-structure.csv" and event.details["counts"]["new"] > 0
    # A section editor may not.
    editor = signed_in(cycle.editor)
    refused = editor.get(upload(editor, EXAMPLE.read_bytes(), "plan-structure.csv")["Location"])
    assert refused.status_code == 400
