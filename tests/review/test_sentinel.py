"""A draft stays private: a string written into an entry appears nowhere public — the
measure page, the JSON export, the report — until its round is published; and after a
reopening the public keeps the published text while the new draft is written."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.interchange.exporters import export_dataset
from shinchoku.review import services

from .conftest import Cycle, make_cycle

pytestmark = pytest.mark.django_db

SENTINEL = "SENTINEL-draft-7f3a"
SECOND = "SENTINEL-second-91c2"


def public(client: Client, cycle: Cycle) -> list[str]:
    """What the public reads about the measure: its page, the year's report, the export."""
    plan = cycle.sample.plan.code
    page = client.get(reverse("portal:node", args=[plan, "9-1-1"]))
    report = client.get(reverse("portal:report_html", args=[plan, cycle.round.fiscal_year]))
    assert page.status_code == report.status_code == 200
    return [page.content.decode(), report.content.decode(), json.dumps(export_dataset(), ensure_ascii=False)]


def nowhere(needle: str, parts: list[str]) -> bool:
    return not any(needle in part for part in parts)


def everywhere(needle: str, parts: list[str]) -> bool:
    return all(needle in part for part in parts)


def test_a_draft_is_never_public_until_published(db: None, client: Client) -> None:
    cycle = make_cycle(year=2012)
    published_before = "・事業一覧を9月に公表しました。"
    assert everywhere(published_before, public(client, cycle))

    entry = cycle.written(
        text=f"・{SENTINEL}", code="2", highlight=f"・{SENTINEL}の要約", context_change=f"・{SENTINEL}"
    )
    assert nowhere(SENTINEL, public(client, cycle))
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    assert nowhere(SENTINEL, public(client, cycle))
    entry = services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    parts = public(client, cycle)
    assert nowhere(SENTINEL, parts) and everywhere(published_before, parts)

    services.round_publish(cycle.round, actor=cycle.admin)
    parts = public(client, cycle)
    assert everywhere(SENTINEL, parts) and nowhere(published_before, parts)

    entry = cycle.fresh()
    entry = services.entry_transition(
        entry, "reopen", actor=cycle.admin, expected_version=entry.version, comment="訂正"
    )
    services.entry_save(entry, {"text": f"・{SECOND}"}, actor=cycle.editor, expected_version=entry.version)
    parts = public(client, cycle)
    assert nowhere(SECOND, parts) and everywhere(SENTINEL, parts)
