"""A draft stays private: a string written into an entry appears nowhere public — the
measure page, the JSON export, the report — until its round is published; and after a
reopening the public keeps the published text while the new draft is written."""

from __future__ import annotations

import io
import json
import re
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.plans.formats.dataset.export import dataset_parts, export_dataset
from shinchoku.plans.formats.dataset.stream import write_json
from shinchoku.review import services

from .conftest import Cycle, make_cycle

pytestmark = pytest.mark.django_db

SENTINEL = "SENTINEL-draft-7f3a"
SECOND = "SENTINEL-second-91c2"


def pdf_text(content: bytes) -> str:
    """The text of a PDF as a reader's tool extracts it, with line breaks removed (a
    long line of a table cell wraps)."""
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", text.decode())


def public(client: Client, cycle: Cycle, needle: str) -> dict[str, str]:
    """What the public reads about the measure: its page, its plan area's page (the
    主な実施結果), the year's report as HTML and as PDF, the JSON export, and the
    search for ``needle``."""
    plan = cycle.sample.plan.code
    year = cycle.round.fiscal_year
    responses = {
        "measure page": client.get(reverse("portal:node", args=[plan, "9-1-1"])),
        "plan area page": client.get(reverse("portal:node", args=[plan, "9"])),
        "report (HTML)": client.get(reverse("portal:report_html", args=[plan, year])),
        "search": client.get(reverse("portal:search"), {"q": needle}),
        "report (PDF)": client.get(reverse("portal:report_pdf", args=[plan, year])),
    }
    assert all(response.status_code == 200 for response in responses.values())
    parts = {name: response.content.decode() for name, response in responses.items() if "PDF" not in name}
    # The search page repeats the query: only its list of results counts, as text.
    found = re.search(r'<ol class="search-list".*?</ol>', parts["search"], re.S)
    parts["search"] = re.sub(r"<[^>]+>", "", found.group(0)) if found else ""
    parts["report (PDF)"] = pdf_text(responses["report (PDF)"].content)
    parts["export (JSON)"] = json.dumps(export_dataset(), ensure_ascii=False)
    written = io.StringIO()
    write_json(written, dataset_parts(chunk=1))
    parts["export (JSON, written as read)"] = written.getvalue()
    return parts


def nowhere(needle: str, parts: dict[str, str]) -> bool:
    found = [name for name, text in parts.items() if needle in text]
    assert not found, f"{needle} is public in {found}"
    return True


def everywhere(needle: str, parts: dict[str, str], *, but: tuple[str, ...] = ()) -> bool:
    """In every part (but those named: the plan area page shows the 主な実施結果 only)."""
    missing = [name for name, text in parts.items() if name not in but and needle not in text]
    assert not missing, f"{needle} is missing from {missing}"
    return True


RESULT_ONLY = ("plan area page",)


def test_a_draft_is_never_public_until_published(db: None, client: Client) -> None:
    cycle = make_cycle(year=2012)
    published_before = "・事業一覧を9月に公表しました。"
    assert everywhere(published_before, public(client, cycle, published_before), but=RESULT_ONLY)

    entry = cycle.written(
        text=f"・{SENTINEL}", code="2", highlight=f"・{SENTINEL}の要約", context_change=f"・{SENTINEL}"
    )
    assert nowhere(SENTINEL, public(client, cycle, SENTINEL))
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    assert nowhere(SENTINEL, public(client, cycle, SENTINEL))
    entry = services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    assert nowhere(SENTINEL, public(client, cycle, SENTINEL))
    assert everywhere(published_before, public(client, cycle, published_before), but=RESULT_ONLY)

    services.round_publish(cycle.round, actor=cycle.admin)
    assert everywhere(SENTINEL, public(client, cycle, SENTINEL))
    assert nowhere(published_before, public(client, cycle, published_before))

    entry = cycle.fresh()
    entry = services.entry_transition(
        entry, "reopen", actor=cycle.admin, expected_version=entry.version, comment="訂正"
    )
    services.entry_save(entry, {"text": f"・{SECOND}"}, actor=cycle.editor, expected_version=entry.version)
    assert nowhere(SECOND, public(client, cycle, SECOND))
    assert everywhere(SENTINEL, public(client, cycle, SENTINEL))
