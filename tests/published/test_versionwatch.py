"""Data versions remembered by a process while PostgreSQL says none changed
(``shinchoku.published.versionwatch``): read once, then without a query until a commit
anywhere writes the versions' table; never remembered past a broken listening
connection, inside a transaction, or a write of this process."""

from __future__ import annotations

import select
import threading
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from shinchoku.published import changes, versions, versionwatch
from tests.factories import make_world

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def watching(settings) -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("the versions are watched on PostgreSQL only")
    settings.DATA_VERSION_WATCH = True
    versionwatch.close()
    yield
    versionwatch.close()


def _elsewhere(sql: str, params: list[object] | None = None) -> None:
    """Run ``sql`` on a connection of its own, committed: another process's write."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute(sql, params or [])


def _delivered() -> None:
    """Wait until what the server sends the listening connection has reached it: the
    notification of a commit follows the commit's answer to its writer by microseconds."""
    watch = versionwatch.watching("default")
    assert watch is not None and watch.listener is not None
    select.select([watch.listener.pgconn.socket], [], [], 5)


def _read_counting() -> tuple[int | None, int]:
    with CaptureQueriesContext(connection) as queries:
        version = versions.plan_version("plan-a")
    return version, len(queries)


def test_a_version_is_read_once_then_remembered_until_another_process_commits_a_write() -> None:
    world = make_world(code="plan-a")
    first, queries = _read_counting()
    assert first is not None and queries == 1
    assert _read_counting() == (first, 0)

    _elsewhere("UPDATE published_dataversion SET version = version + 5 WHERE plan_id = %s", [world.plan.pk])
    _delivered()

    assert _read_counting() == (first + 5, 1)
    assert _read_counting() == (first + 5, 0)


def test_a_write_still_uncommitted_elsewhere_is_not_heard_and_its_rollback_changes_nothing() -> None:
    world = make_world(code="plan-a")
    first, _ = _read_counting()
    with psycopg.connect(**connection.get_connection_params()) as other:
        other.execute(
            "UPDATE published_dataversion SET version = version + 5 WHERE plan_id = %s", [world.plan.pk]
        )
        assert _read_counting() == (first, 0)
        other.rollback()
    assert _read_counting() == (first, 0)


def test_this_processs_own_write_is_seen_at_once() -> None:
    world = make_world(code="plan-a")
    first, _ = _read_counting()
    with transaction.atomic():
        changes.plan_changed(world.plan.pk)
        inside, queries = _read_counting()
        assert queries == 1  # inside a transaction the database is asked
    after, queries = _read_counting()
    assert after is not None and first is not None and after > first
    assert inside == after and queries == 1


def test_a_broken_listening_connection_is_noticed_before_a_stale_version_is_answered() -> None:
    world = make_world(code="plan-a")
    first, _ = _read_counting()
    watch = versionwatch.watching("default")
    assert watch is not None and watch.listener is not None
    _elsewhere("SELECT pg_terminate_backend(%s)", [watch.listener.info.backend_pid])
    _delivered()
    # Written while nobody listens: no notification will ever come.
    _elsewhere("UPDATE published_dataversion SET version = version + 5 WHERE plan_id = %s", [world.plan.pk])

    assert _read_counting() == (first + 5, 1)
    # Listening again afterwards (at once here: RETRY_AFTER is for a database away).
    watch.failed_at = float("-inf")
    assert _read_counting() == (first + 5, 1)
    assert _read_counting() == (first + 5, 0)


def test_a_version_read_before_a_notification_another_thread_heard_is_not_remembered() -> None:
    make_world(code="plan-a")
    watch = versionwatch.watching("default")
    assert watch is not None
    _remembered, generation = watch.get(("plan", "plan-a"))
    # Meanwhile another thread of the process hears of a write.
    other = threading.Thread(target=watch.forget)
    other.start()
    other.join()
    watch.put(("plan", "plan-a"), 1, generation)
    assert watch.get(("plan", "plan-a"))[0] is versionwatch.UNKNOWN


def test_off_every_version_is_read(settings) -> None:
    settings.DATA_VERSION_WATCH = False
    make_world(code="plan-a")
    assert _read_counting()[1] == 1
    assert _read_counting()[1] == 1
