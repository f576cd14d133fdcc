"""A draft stays private in the API too: a string written into an entry of an evaluation
round, and the rating it gives, are in no answer of any operation — about any node of the
plan, the plan's lists and counts, the search — until the round is published; then they
are (tests/review/test_sentinel.py does the same for the pages, the report and the
export)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from shinchoku.review import services
from tests.review.conftest import Cycle, make_cycle

pytestmark = pytest.mark.django_db

SENTINEL = "SENTINEL-api-draft-5d1e"


def everything(client: Client, plan: str) -> dict[str, str]:
    """Every answer the API gives about the plan: each operation, each node's."""
    base = f"/api/v1/plans/{plan}"
    addresses = [
        "/api/v1/plans",
        base,
        f"{base}/ratings?limit=200",
        f"{base}/aggregates/ratings",
        f"{base}/aggregates/costs",
        f"{base}/aggregates/years",
        f"/api/v1/search?q={SENTINEL}",
    ]
    nodes = client.get(f"{base}/nodes?limit=200").json()
    assert not nodes["next_cursor"]
    for node in nodes["items"]:
        addresses += [
            node["url"],
            *(f"{node['url']}/{part}" for part in ("results", "targets", "indicators", "costs")),
        ]
    answers = {}
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200, address
        answers[address] = response.content.decode()
    # The search repeats the query: only what it found counts.
    search = f"/api/v1/search?q={SENTINEL}"
    answers[search] = json.dumps(json.loads(answers[search])["items"], ensure_ascii=False)
    return answers


def holding(answers: dict[str, str]) -> list[str]:
    return [address for address, text in answers.items() if SENTINEL in text]


def test_a_draft_is_in_no_answer_until_its_round_is_published(db: None) -> None:
    cycle: Cycle = make_cycle(year=2012)
    client = Client()
    plan = cycle.sample.plan.code
    before = everything(client, plan)
    counts = before[f"/api/v1/plans/{plan}/aggregates/ratings"]

    entry = cycle.written(
        text=f"・{SENTINEL}", code="1", highlight=f"・{SENTINEL}の要約", context_change=f"・{SENTINEL}"
    )
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    entry = services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    drafted = everything(client, plan)
    assert holding(drafted) == []
    assert drafted[f"/api/v1/plans/{plan}/aggregates/ratings"] == counts

    services.round_publish(cycle.round, actor=cycle.admin)
    published = everything(client, plan)
    node = f"/api/v1/plans/{plan}/nodes/9-1-1"
    assert {f"{node}/results", f"/api/v1/search?q={SENTINEL}"} <= set(holding(published))
    assert published[f"/api/v1/plans/{plan}/aggregates/ratings"] != counts
