"""The PDF is typeset in a process of its own: what Typst keeps stays out of the worker
that asked, and a refusal or a crash of that process is a clear error, never a half file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from shinchoku.errors import ErrorCode
from shinchoku.reports import render
from shinchoku.reports.selectors import ReportError, report_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def document() -> render.ReportDocument:
    call_command("loaddemo")
    return report_build("kawasaki-frontier-3", year=2012)


def test_the_worker_that_asks_for_the_pdf_never_loads_typst(
    document: render.ReportDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Typst keeps its layouts for as long as the process that loaded it lives.
    monkeypatch.delitem(sys.modules, "typst", raising=False)
    pdf = render.render_pdf(document)
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-64:]
    assert "typst" not in sys.modules


def test_a_document_typst_refuses_says_why_in_one_line(
    document: render.ReportDocument, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    template = tmp_path / "report.typ"
    template.write_text('#panic("the sheet is broken")\n', encoding="utf-8")
    monkeypatch.setattr(render, "TEMPLATE", template)
    with pytest.raises(ReportError) as raised:
        render.render_pdf(document)
    message = str(raised.value)
    assert message.startswith("Typst could not typeset the report:")
    assert "the sheet is broken" in message and "\n" not in message
    assert raised.value.code == ErrorCode.UNAVAILABLE


@pytest.mark.parametrize(
    ("how", "said"),
    [
        # As the kernel ends a process that runs out of memory.
        ("echo 'out of memory' >&2\nkill -9 $$", r"exit status -9\)\. out of memory"),
        # Python's own failure (exit status 1) is not Typst refusing the document.
        (
            "echo 'Traceback' >&2\necho \"ModuleNotFoundError: No module named 'typst'\" >&2\nexit 1",
            r"exit status 1\)\. ModuleNotFoundError: No module named 'typst'",
        ),
    ],
)
def test_a_typesetting_process_that_fails_is_an_error_not_an_empty_file(
    document: render.ReportDocument, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str, said: str
) -> None:
    failing = tmp_path / "failing"
    failing.write_text(f"#!/bin/sh\n{how}\n", encoding="utf-8")
    failing.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(failing))
    expected = r"^Typst stopped before the report was written \(" + said
    with translation.override("en"), pytest.raises(ReportError, match=expected) as raised:
        render.render_pdf(document)
    assert raised.value.code == ErrorCode.UNAVAILABLE
