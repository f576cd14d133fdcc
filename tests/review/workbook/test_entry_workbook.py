"""The entry workbook: made for a section and a year, filled in offline, imported back
with a preview first. Every refusal is tested with a real malformed file, and none
writes anything."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from shinchoku.audit.models import AuditEvent
from shinchoku.audit.selectors import audit_history
from shinchoku.interchange.importing import import_apply, import_preview
from shinchoku.interchange.preview import RowStatus
from shinchoku.review.models import Entry, Round
from shinchoku.review.workbook import writer as template
from tests.interchange.office import needs_office, sheet_as_csv
from tests.review.conftest import Cycle, make_cycle

pytestmark = pytest.mark.django_db

TEXT_COLUMN = "実施結果"
RATING_COLUMN = "達成状況区分"


def make(cycle: Cycle, tmp_path: Path, unit: Any = None) -> Path:
    path = tmp_path / "entries.xlsx"
    call_command(
        "workbook",
        f"--unit={(unit or cycle.bureau).code}",
        f"--year={cycle.round.fiscal_year}",
        f"--output={path}",
    )
    return path


def column_of(sheet: Any, heading: str) -> int:
    for cell in sheet[1]:
        if cell.value == heading:
            return int(cell.column)
    raise AssertionError(f"no column {heading}")


def edit(path: Path, changes: dict[tuple[int, str], Any], out: Path | None = None) -> Path:
    """Write ``changes`` ({(row, heading): value}) into the 記入票 sheet, as a person
    would in a spreadsheet program, and save it (to ``out`` or over ``path``)."""
    book = load_workbook(path)
    sheet = book[template.ENTRY_SHEET]
    for (row, heading), value in changes.items():
        sheet.cell(row=row, column=column_of(sheet, heading), value=value)
    target = out or path
    book.save(target)
    return target


def state(cycle: Cycle) -> tuple[Any, ...]:
    return (
        tuple(Entry.objects.order_by("pk").values_list("version", "text", "state")),
        AuditEvent.objects.count(),
    )


def preview_of(path: Path, actor: Any) -> Any:
    return import_preview(path.read_bytes(), path.name, actor=actor)


def problems_of(path: Path, actor: Any) -> list[str]:
    return [str(problem) for problem in preview_of(path, actor).all_problems]


# ------------------------------------------------------------------ the file


def test_the_workbook_has_one_row_per_measure_with_locked_reference_columns(
    cycle: Cycle, tmp_path: Path
) -> None:
    cycle.written(text="・説明会を開催しました。", code="3")
    book = load_workbook(make(cycle, tmp_path))
    assert book.sheetnames[:2] == [template.HELP_SHEET, template.ENTRY_SHEET]
    assert book[template.MARKER_SHEET].sheet_state == "veryHidden"
    sheet = book[template.ENTRY_SHEET]
    headings = [cell.value for cell in sheet[1]]
    assert headings[:8] == [heading for _key, heading, _width in template.LOCKED_COLUMNS]
    assert headings[8:] == [
        RATING_COLUMN,
        f"{RATING_COLUMN}の理由",
        "実施結果",
        "環境等の変化・課題等",
        "新たな課題等への対応",
        "主な実施結果",
        *(template.cost_heading(figure, "yen") for figure in template.COST_HEADINGS),
    ]
    assert sheet.max_row == 2  # the bureau's one measure, 9-1-1
    row = {heading: sheet.cell(row=2, column=index).value for index, heading in enumerate(headings, start=1)}
    assert row["施策コード"] == "9-1-1"
    assert "ルールに基づく拡充" in row["当年度の目標"]
    assert row["前年度の実施結果"].startswith("・事業一覧を9月に公表しました。")
    assert row["前年度の評価"] == "4 目標を下回った"
    assert row[RATING_COLUMN] == "3 目標をほぼ達成"
    assert row["実施結果"] == "・説明会を開催しました。"
    assert sheet.protection.sheet
    assert sheet.cell(row=2, column=1).protection.locked
    assert not sheet.cell(row=2, column=column_of(sheet, TEXT_COLUMN)).protection.locked
    assert sheet.cell(row=2, column=column_of(sheet, TEXT_COLUMN)).alignment.wrap_text
    (validation,) = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert str(validation.sqref) == "I2"  # the cost columns have validations of their own
    choices = book[template.CHOICES_SHEET]
    assert [choices.cell(row=r, column=1).value for r in range(2, 7)][2] == "3 目標をほぼ達成"


def test_a_section_gets_only_its_measures(cycle: Cycle, tmp_path: Path) -> None:
    sheet = load_workbook(make(cycle, tmp_path, cycle.other_unit))[template.ENTRY_SHEET]
    assert [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)] == ["9-1-2"]


def test_no_round_for_the_year_is_a_one_line_error(cycle: Cycle, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no results round for 2012年度"):
        call_command(
            "workbook",
            f"--unit={cycle.unit.code}",
            "--year=2012",
            f"--output={tmp_path / 'x.xlsx'}",
        )
    assert not (tmp_path / "x.xlsx").exists()


def test_the_command_says_what_is_missing_and_writes_nothing(cycle: Cycle, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    year = f"--year={cycle.round.fiscal_year}"
    with pytest.raises(CommandError, match="no unit with the code nope"):
        call_command("workbook", "--unit=nope", year, f"--output={out}")
    with pytest.raises(CommandError, match="no results round for 2013年度 of other-plan"):
        call_command("workbook", f"--unit={cycle.unit.code}", year, "--plan=other-plan", f"--output={out}")
    with pytest.raises(CommandError, match="needs --output FILE"):
        call_command("workbook", f"--unit={cycle.unit.code}", year, "--output=-")
    with pytest.raises(CommandError, match=r"the folder .* does not exist"):
        call_command("workbook", f"--unit={cycle.unit.code}", year, f"--output={tmp_path / 'no' / 'x.xlsx'}")
    with pytest.raises(CommandError, match="--unit"):
        call_command("workbook", year, f"--output={out}")
    assert list(tmp_path.iterdir()) == []


def test_the_entry_workbook_is_not_an_open_data_export(cycle: Cycle, tmp_path: Path) -> None:
    """The open data's command makes no entry workbook: that is the round's command."""
    with pytest.raises(CommandError, match="invalid choice: 'xlsx'"):
        call_command(
            "export", "--format=xlsx", f"--year={cycle.round.fiscal_year}", f"--output={tmp_path / 'x.xlsx'}"
        )
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------- round trips


def test_an_untouched_workbook_imports_as_no_change(cycle: Cycle, tmp_path: Path, capsys: Any) -> None:
    cycle.written(text="・説明会を開催しました。", code="3")
    path = make(cycle, tmp_path)
    preview = preview_of(path, cycle.editor)
    assert preview.ok and not preview.changed
    assert [row.status for row in preview.rows] == [RowStatus.UNCHANGED]
    call_command("import", str(path), f"--user={cycle.editor.username}")
    assert "can be imported" in capsys.readouterr().out


def test_a_filled_workbook_is_previewed_then_saved_as_the_uploader(
    cycle: Cycle, tmp_path: Path, capsys: Any
) -> None:
    path = edit(
        make(cycle, tmp_path),
        {
            (2, TEXT_COLUMN): "・説明会を2回開催しました。\n・参加者は40人。",
            (2, RATING_COLUMN): "2 目標を上回って達成",
        },
    )
    before = state(cycle)
    call_command("import", str(path), f"--user={cycle.editor.username}")
    out = capsys.readouterr().out
    assert "changed 1" in out and "・説明会を2回開催しました。" in out
    assert state(cycle) == before  # a preview writes nothing
    call_command("import", str(path), "--apply", f"--user={cycle.editor.username}")
    entry = cycle.fresh()
    assert entry.text == "・説明会を2回開催しました。\n・参加者は40人。"
    assert entry.ratings.get().level.code == "2"
    assert entry.state == Entry.State.DRAFT
    event = audit_history(entry).last()
    assert event.actor == cycle.editor and event.event_type == "entry.saved"
    assert set(event.changes) == {"text", "ratings.achievement"}
    # The same file again: nothing left to change.
    assert not preview_of(path, cycle.editor).changed


def test_the_rating_may_be_typed_as_its_code(cycle: Cycle, tmp_path: Path) -> None:
    path = edit(make(cycle, tmp_path), {(2, RATING_COLUMN): "２"})  # full-width, as typed
    (row,) = preview_of(path, cycle.editor).rows
    assert row.status == RowStatus.CHANGED
    assert row.changes[0].after == "2 目標を上回って達成"


def test_a_change_made_on_the_web_since_is_kept(cycle: Cycle, tmp_path: Path) -> None:
    path = edit(make(cycle, tmp_path), {(2, TEXT_COLUMN): "・ワークブックの記述"})
    entry = cycle.fresh()
    from shinchoku.review import services

    services.entry_save(
        entry, {"highlight": "・Webで書いた要約"}, actor=cycle.editor, expected_version=entry.version
    )
    import_apply(path.read_bytes(), path.name, actor=cycle.editor)
    entry = cycle.fresh()
    assert entry.text == "・ワークブックの記述" and entry.highlight == "・Webで書いた要約"


# ---------------------------------------------------------------- refusals


def refused(cycle: Cycle, path: Path, actor: Any, *expected: str) -> list[str]:
    """Importing ``path`` is refused by the command with each ``expected`` text among the
    problems, and writes nothing."""
    before = state(cycle)
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", str(path), "--apply", f"--user={actor.username}")
    assert state(cycle) == before
    problems = problems_of(path, actor)
    for text in expected:
        assert any(text in problem for problem in problems), (text, problems)
    return problems


def test_an_edited_locked_column_is_refused_by_sheet_row_and_column(cycle: Cycle, tmp_path: Path) -> None:
    path = edit(make(cycle, tmp_path), {(2, "当年度の目標"): "●目標を書き換えた", (2, TEXT_COLUMN): "・記述"})
    (problem,) = refused(cycle, path, cycle.editor, "must not be changed")
    assert f"sheet {template.ENTRY_SHEET}, row 2, column D (当年度の目標)" in problem


def test_a_formula_where_text_is_expected_is_refused(cycle: Cycle, tmp_path: Path) -> None:
    path = edit(make(cycle, tmp_path), {(2, TEXT_COLUMN): '=HYPERLINK("http://example.com","x")'})
    refused(cycle, path, cycle.editor, "a formula where text is expected", "column K (実施結果)")


def test_a_rating_not_on_the_scale_is_refused(cycle: Cycle, tmp_path: Path) -> None:
    path = edit(make(cycle, tmp_path), {(2, RATING_COLUMN): "6 とても良い", (2, TEXT_COLUMN): "・記述"})
    refused(cycle, path, cycle.editor, "is not a level of the scale of 達成状況区分", "column I")


def test_measures_outside_the_uploaders_unit_are_refused(cycle: Cycle, tmp_path: Path) -> None:
    path = edit(make(cycle, tmp_path), {(2, TEXT_COLUMN): "・他課が書いた"})
    refused(cycle, path, cycle.other_editor, "not one of your unit's")


def test_a_submitted_entry_is_not_changed_by_a_workbook(cycle: Cycle, tmp_path: Path) -> None:
    entry = cycle.written()
    path = edit(make(cycle, tmp_path), {(2, TEXT_COLUMN): "・後から書いた"})
    from shinchoku.review import services

    services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    refused(cycle, path, cycle.editor, "You cannot save an entry that is submitted.")


def test_a_field_changed_in_both_places_is_refused(cycle: Cycle, tmp_path: Path) -> None:
    path = edit(make(cycle, tmp_path), {(2, TEXT_COLUMN): "・ワークブックの記述"})
    cycle.written(text="・Webの記述")
    refused(cycle, path, cycle.editor, "Changed both in the workbook and")
    assert cycle.fresh().text == "・Webの記述"


def test_added_rows_are_refused(cycle: Cycle, tmp_path: Path) -> None:
    path = edit(make(cycle, tmp_path), {(3, TEXT_COLUMN): "・追加した行"})
    refused(cycle, path, cycle.editor, "rows must not be added")


def test_a_workbook_of_another_template_version_is_refused(cycle: Cycle, tmp_path: Path) -> None:
    book = load_workbook(make(cycle, tmp_path))
    book[template.MARKER_SHEET].cell(row=1, column=2, value=template.VERSION + 1)
    book.save(tmp_path / "old.xlsx")
    refused(cycle, tmp_path / "old.xlsx", cycle.editor, "another version of the template")


def test_a_tampered_hidden_sheet_is_refused(cycle: Cycle, tmp_path: Path) -> None:
    book = load_workbook(make(cycle, tmp_path))
    marker = book[template.MARKER_SHEET]
    marker.cell(
        row=2,
        column=1,
        value=str(marker.cell(row=2, column=1).value).replace('"version": "1"', '"version": "9"'),
    )
    book.save(tmp_path / "tampered.xlsx")
    refused(cycle, tmp_path / "tampered.xlsx", cycle.editor, "was changed or does not come from this site")


def test_a_file_that_is_not_xlsx_whatever_its_name_is_refused(cycle: Cycle, tmp_path: Path) -> None:
    path = tmp_path / "entries.xlsx"
    path.write_text("施策コード,実施結果\n9-1-1,・書いた\n", encoding="utf-8")
    refused(cycle, path, cycle.editor, "not a file Shinchoku can import")
    pdf = tmp_path / "report.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n" + b"0" * 100)
    refused(cycle, pdf, cycle.editor, "not a file Shinchoku can import")


def test_a_workbook_with_macros_is_refused(cycle: Cycle, tmp_path: Path) -> None:
    source = make(cycle, tmp_path).read_bytes()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in original.infolist():
            copy.writestr(item, original.read(item.filename))
        copy.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 512)
    path = tmp_path / "macro.xlsx"
    path.write_bytes(out.getvalue())
    refused(cycle, path, cycle.editor, "contains macros")


def test_a_zip_bomb_is_refused(cycle: Cycle, tmp_path: Path) -> None:
    source = make(cycle, tmp_path).read_bytes()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in original.infolist():
            copy.writestr(item, original.read(item.filename))
        copy.writestr("xl/media/padding.bin", b"\0" * (300 * 1024 * 1024))
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(out.getvalue())
    assert path.stat().st_size < 2 * 1024 * 1024
    refused(cycle, path, cycle.editor, "refused as unsafe")


def test_a_file_over_10_mb_is_refused(cycle: Cycle, tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    path.write_bytes(make(cycle, tmp_path).read_bytes() + b"\0" * (10 * 1024 * 1024))
    refused(cycle, path, cycle.editor, "at most 10 MB")


def test_the_console_import_of_a_workbook_names_its_user(cycle: Cycle, tmp_path: Path) -> None:
    path = edit(make(cycle, tmp_path), {(2, TEXT_COLUMN): "・記述"})
    with pytest.raises(CommandError):
        call_command("import", str(path), "--apply")
    assert any("--user" in problem for problem in problems_of(path, None))


def test_a_closed_round_takes_no_workbook(cycle: Cycle, tmp_path: Path) -> None:
    path = edit(make(cycle, tmp_path), {(2, TEXT_COLUMN): "・記述"})
    Round.objects.filter(pk=cycle.round.pk).update(state=Round.State.CLOSED)
    refused(cycle, path, cycle.editor, "is closed: its entries cannot change.")


@pytest.fixture
def cycle(db: None) -> Cycle:
    return make_cycle()


SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (Debian libreoffice-calc) is installed by bin/setup")
def test_libreoffice_reads_the_workbook(cycle: Cycle, tmp_path: Path) -> None:
    """A real spreadsheet application opens the file: LibreOffice turns its 記入票 sheet
    into CSV holding what the database holds."""
    cycle.written(
        text="・説明会を開催しました。\n・参加者は40人でした。", code="4", context_change="・相談が増えた"
    )
    path = make(cycle, tmp_path)
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            # UTF-8 (76), comma-separated, quoted, the second sheet (記入票).
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2",
            "--outdir",
            str(tmp_path / "out"),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (converted,) = (tmp_path / "out").glob("*.csv")
    rows = list(csv.DictReader(converted.open(encoding="utf-8")))
    assert [row["施策コード"] for row in rows] == ["9-1-1"]
    assert rows[0]["実施結果"] == "・説明会を開催しました。\n・参加者は40人でした。"
    assert rows[0][RATING_COLUMN] == "4 目標を下回った"
    assert rows[0]["環境等の変化・課題等"] == "・相談が増えた"
    assert rows[0]["前年度の評価"] == "4 目標を下回った"


def test_problems_are_reported_in_japanese_by_default_and_in_english_on_request(
    cycle: Cycle, tmp_path: Path, capsys: Any
) -> None:
    path = edit(make(cycle, tmp_path), {(2, "当年度の目標"): "●書き換えた"})
    with translation.override("ja"), pytest.raises(CommandError):
        call_command("import", str(path), f"--user={cycle.editor.username}")
    japanese = capsys.readouterr().out
    assert "シート「記入票」, 2行目, D列 (当年度の目標)" in japanese and "変更しないでください" in japanese
    with translation.override("ja"), pytest.raises(CommandError):
        call_command("import", str(path), f"--user={cycle.editor.username}", "--language=en")
    assert "sheet 記入票, row 2, column D (当年度の目標)" in capsys.readouterr().out


# ---------------------------------------------------------------- texts that look like formulas

#: Texts a section may write that a spreadsheet program would run if they were formulas.
FORMULA_LIKE = {
    "text": '=HYPERLINK("http://example.com","x")',
    "context_change": "+81-3-1234-5678 に相談窓口を設けました。",
    "response": "-5件を目標とします。",
    "highlight": "@SUM(A1:A2)",
}
FORMULA_HEADINGS = {
    "text": "実施結果",
    "context_change": "環境等の変化・課題等",
    "response": "新たな課題等への対応",
    "highlight": "主な実施結果",
}


def write_formula_like(cycle: Cycle) -> None:
    """The entry holds texts beginning with = + - @, and the measure's title is one too."""
    cycle.written(code="3", **FORMULA_LIKE)
    measure = cycle.sample.measure
    measure.title = "=1+1"
    measure.save(update_fields=["title"])


def test_texts_that_begin_like_formulas_are_written_as_text_cells(cycle: Cycle, tmp_path: Path) -> None:
    write_formula_like(cycle)
    book = load_workbook(make(cycle, tmp_path))
    formulas = [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    sheet = book[template.ENTRY_SHEET]
    for key, heading in FORMULA_HEADINGS.items():
        cell = sheet.cell(row=2, column=column_of(sheet, heading))
        assert (cell.value, cell.data_type) == (FORMULA_LIKE[key], "s")
        # Marked as typed with a leading apostrophe: edited in Excel, it stays text.
        assert cell.quotePrefix and cell.number_format == "@"
    title = sheet.cell(row=2, column=column_of(sheet, "施策名"))
    assert (title.value, title.data_type) == ("=1+1", "s")


@needs_office
def test_a_spreadsheet_application_shows_such_texts_as_written(cycle: Cycle, tmp_path: Path) -> None:
    write_formula_like(cycle)
    head, *rows = sheet_as_csv(make(cycle, tmp_path), 2, tmp_path)  # sheet 2: 記入票
    row = dict(zip(head, rows[0], strict=True))
    assert row["施策名"] == "=1+1"
    assert {key: row[heading] for key, heading in FORMULA_HEADINGS.items()} == FORMULA_LIKE


def test_such_texts_come_back_unchanged_from_the_workbook(cycle: Cycle, tmp_path: Path) -> None:
    write_formula_like(cycle)
    path = make(cycle, tmp_path)
    preview = preview_of(path, cycle.editor)
    assert preview.ok, [str(problem) for problem in preview.all_problems]
    assert not preview.changed
    # A section writes another field in the workbook: the others stay exactly as they were.
    edit(path, {(2, "主な実施結果"): "-3件の減少"})
    import_apply(path.read_bytes(), path.name, actor=cycle.editor)
    entry = cycle.fresh()
    assert {key: getattr(entry, key) for key in FORMULA_LIKE} == {**FORMULA_LIKE, "highlight": "-3件の減少"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("・説明会を開催\x07しました。", r"a control character \(U\+0007\)"),
        ("・" + "あ" * 32_767, "32,768 characters, more than the 32,767"),
    ],
)
def test_a_text_no_cell_holds_exactly_is_refused_naming_the_measure_and_column(
    cycle: Cycle, tmp_path: Path, text: str, reason: str
) -> None:
    """Never a crash, never a text cut short in the workbook (which the import would then
    take for the section's edit): the workbook is not made, and the message says where.
    (Saving on the site drops control characters; a text stored before that still may hold one.)"""
    cycle.written()
    Entry.objects.filter(pk=cycle.entry.pk).update(text=text)
    with translation.override("en"), pytest.raises(CommandError, match=reason) as refused:
        make(cycle, tmp_path)
    assert "(9-1-1 実施結果)" in str(refused.value)
    assert not (tmp_path / "entries.xlsx").exists()


def test_a_workbook_that_cannot_be_made_is_explained_on_its_download_page(client: Any, cycle: Cycle) -> None:
    """The download link answers with what is wrong and where (not a missing page), and
    makes nothing."""
    cycle.written()
    Entry.objects.filter(pk=cycle.entry.pk).update(text="・説明会を開催\x07しました。")
    client.force_login(cycle.editor)
    url = reverse("staff:workbook", args=[cycle.round.pk, cycle.unit.code])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "(9-1-1 実施結果)" in page
    assert "U+0007" in page
