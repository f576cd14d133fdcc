"""No lost updates, under real concurrency: two people save the same entry at the same
moment, each from the version they read, on their own database connection. Exactly one
save wins; the other is refused with stale_version naming the winner's change; the stored
text is the winner's. PostgreSQL only: SQLite lets one writer in at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from shinchoku.audit.selectors import audit_history
from shinchoku.review import services
from shinchoku.review.errors import ReviewError, ReviewErrorCode
from shinchoku.review.models import Entry

from .conftest import make_cycle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (DATABASE_URL=postgres://…)")


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread (so on its own connection), all released at once
    by a barrier; each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a writer hung"
    return outcomes


def check_one_winner(outcomes: list[Any], texts: dict[str, str], entry: Entry) -> None:
    winners = [o for o in outcomes if isinstance(o, Entry)]
    losers = [o for o in outcomes if isinstance(o, ReviewError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    (loser,) = losers
    assert loser.code == ReviewErrorCode.STALE_VERSION
    assert loser.current_version == 2
    (conflict,) = loser.conflicts
    winner_name = conflict.by[0]
    assert conflict.field == "text" and conflict.after == texts[winner_name]

    stored = Entry.objects.get(pk=entry.pk)
    assert stored.version == 2
    assert stored.text == texts[winner_name] == winners[0].text
    assert stored.updated_by.username == winner_name
    saved = [e for e in audit_history(stored) if e.event_type == "entry.saved"]
    assert [(e.actor_name, e.changes["text"]["after"]) for e in saved] == [(winner_name, stored.text)]


def test_two_people_save_the_same_version_at_once() -> None:
    cycle = make_cycle()
    texts = {"tanto": "・担当者の記述", "kyoku": "・局の記述"}
    outcomes = race(
        lambda: services.entry_save(
            cycle.entry, {"text": texts["tanto"]}, actor=cycle.editor, expected_version=1
        ),
        lambda: services.entry_save(
            cycle.entry, {"text": texts["kyoku"]}, actor=cycle.bureau_editor, expected_version=1
        ),
    )
    check_one_winner(outcomes, texts, cycle.entry)


def test_both_pass_every_check_before_either_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worst case: both have read version 1 and validated before either writes, so
    only the conditional UPDATE can tell them apart (the loser's UPDATE waits for the
    winner's commit, then matches no row)."""
    cycle = make_cycle()
    claim = services._claim
    at_the_write = threading.Barrier(2)

    def claim_together(*args: Any, **kwargs: Any) -> int:
        at_the_write.wait(timeout=10)
        return claim(*args, **kwargs)

    monkeypatch.setattr(services, "_claim", claim_together)
    texts = {"tanto": "・担当者の記述", "kyoku": "・局の記述"}
    outcomes = race(
        lambda: services.entry_save(
            cycle.entry, {"text": texts["tanto"]}, actor=cycle.editor, expected_version=1
        ),
        lambda: services.entry_save(
            cycle.entry, {"text": texts["kyoku"]}, actor=cycle.bureau_editor, expected_version=1
        ),
    )
    check_one_winner(outcomes, texts, cycle.entry)
