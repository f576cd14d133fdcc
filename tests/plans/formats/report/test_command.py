"""``shinchoku import-report``: the draft written with --output and nothing else; bad input
refused with exit status 1 and nothing written."""

from __future__ import annotations

import dataclasses
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shinchoku.plans.formats.report.draft import DRAFT_FORMAT, Draft
from shinchoku.plans.formats.report.recognise import recognise
from shinchoku.plans.formats.report.source import read_text
from shinchoku.plans.models import Plan

from .seed import SEED_TEXT


@pytest.mark.django_db
def test_the_draft_is_written_and_the_database_left_alone(tmp_path: Path) -> None:
    output = tmp_path / "draft.json"
    call_command("import-report", str(SEED_TEXT), "--output", str(output), "--plan", "imported")
    data = json.loads(output.read_text(encoding="utf-8"))
    assert data["format"] == DRAFT_FORMAT and set(data) >= {"dataset", "decisions", "source"}
    draft = Draft.from_json(data)
    assert draft.dataset["plans"][0]["code"] == "imported"
    assert len([n for n in draft.dataset["nodes"] if n["level"] == "measure"]) == 8
    assert not Plan.objects.exists()


@pytest.mark.one_database
def test_a_file_that_is_no_report_exits_1_with_its_message(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("今日は良い天気です。\n", encoding="utf-8")
    output = tmp_path / "draft.json"
    done = subprocess.run(
        [
            Path(sys.executable).parent / "shinchoku",
            "import-report",
            str(source),
            "-o",
            str(output),
            "--language",
            "en",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "notes.txt: this does not read as a progress report" in done.stderr
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [source]


@pytest.mark.one_database
def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "empty.pdf"
    source.write_bytes(b"")
    with pytest.raises(CommandError, match=r"empty\.pdf: the file is empty"):
        call_command("import-report", str(source), "--output", str(tmp_path / "draft.json"))
    assert list(tmp_path.iterdir()) == [source]


@pytest.mark.django_db
def test_the_summary_warns_of_pages_left_out_for_want_of_text() -> None:
    command = importlib.import_module("shinchoku.interchange.management.commands.import-report")
    draft = recognise(read_text(SEED_TEXT.read_bytes(), SEED_TEXT.name))
    assert "hold no text" not in command._summary(draft)
    source = dataclasses.replace(draft.source, kind="pdf", pages_without_text=(3, 9))
    summary = command._summary(dataclasses.replace(draft, source=source))
    assert "2 page(s) of the PDF hold no text and were left out (page 3, 9)" in summary
    assert "run OCR" in summary
