"""The PDF is typeset in a process of its own: what Typst keeps stays out of the worker
that asked, and a refusal or a crash of that process is a clear error, never a half file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from shinchoku.errors import ErrorCode
from shinchoku.reports import render
from shinchoku.reports.selectors import ReportError, report_build

# What is checked here does not depend on the database: once, in one pass (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.one_database]


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


def test_a_typesetting_past_its_time_is_killed_and_refused(
    document: render.ReportDocument, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Any
) -> None:
    template = tmp_path / "report.typ"
    # A document that would take minutes to lay out.
    template.write_text("#for i in range(1000000000) { }\n", encoding="utf-8")
    monkeypatch.setattr(render, "TEMPLATE", template)
    settings.REPORT_TYPESET_SECONDS = 2
    started = time.monotonic()
    with pytest.raises(ReportError) as raised:
        render.render_pdf(document)
    assert time.monotonic() - started < 30
    assert str(raised.value) == "Typst が 2 秒以内に報告書を組版し終えませんでした。"
    assert raised.value.code == ErrorCode.UNAVAILABLE


def test_a_typesetting_past_its_memory_is_refused(document: render.ReportDocument, settings: Any) -> None:
    settings.REPORT_TYPESET_MEMORY_MB = 64
    with pytest.raises(ReportError) as raised:
        render.render_pdf(document)
    assert raised.value.code == ErrorCode.UNAVAILABLE
    settings.REPORT_TYPESET_MEMORY_MB = 6144
    assert render.render_pdf(document).startswith(b"%PDF-")


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_the_typesetting_process_dies_with_the_worker_that_started_it(tmp_path: Path) -> None:
    """A web worker killed for its timeout (gunicorn's SIGKILL) leaves no typesetting behind."""
    pid_file = tmp_path / "child.pid"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time\nimport django\ndjango.setup()\n"
            "from shinchoku.reports.render import TypesetLimits\n"
            "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'],"
            " preexec_fn=TypesetLimits(seconds=120, memory_bytes=0).apply)\n"
            f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
            "time.sleep(120)\n",
        ],
    )
    deadline = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text()):
        assert time.monotonic() < deadline, "the worker never started its child"
        time.sleep(0.1)
    child = int(pid_file.read_text())
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    deadline = time.monotonic() + 10
    while _alive(child):
        assert time.monotonic() < deadline, "the typesetting process outlived its worker"
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by init, counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
