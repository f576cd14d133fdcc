"""The round of tests.review (one person per role), the database queue instead of the
immediate one, and a worker's work done in the test's own process and transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from tests.review.conftest import Cycle, make_cycle


@pytest.fixture
def cycle(db: None) -> Cycle:
    return make_cycle()


@pytest.fixture
def queue(settings: Any) -> None:
    """Jobs wait in the database for a worker, as on a site."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def work_off(worker_id: str = "test-worker") -> int:
    """Run every run waiting in the queue as a worker does (claim, then run), in this
    process; the number run."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    count = 0
    while (run := DBTaskResult.objects.ready().first()) is not None:
        run.claim(worker_id)
        worker.run_task(run)
        count += 1
    return count


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
