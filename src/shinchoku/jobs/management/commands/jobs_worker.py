"""``shinchoku jobs_worker``: run the background jobs (docs/jobs.md).

django-tasks-db's ``db_worker`` with what it lacks: the worker says it lives while it
runs, and sweeps for runs whose worker was lost, when it starts and at every beat.
It takes ``db_worker``'s options; it never reloads on code changes (a reloaded worker
would be another worker, and its parent's beat would cover nothing)."""

from __future__ import annotations

import os
import socket
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from shinchoku.jobs.sweep import jobs_sweep, worker_beat, worker_gone
from shinchoku.jobs.worker import Keeper


class Command(DbWorkerCommand):
    help = (
        "Run the background jobs (publishing, reports, imports, mail) queued in the database, and run "
        "again the jobs of workers that were lost. Stops after the job in hand on SIGTERM or Ctrl-C."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        options["reload"] = False
        worker_id = str(options["worker_id"])
        worker_beat(worker_id, host=socket.gethostname(), pid=os.getpid())
        jobs_sweep()
        keeper = Keeper(worker_id)
        keeper.start()
        try:
            super().handle(*args, **options)
        finally:
            keeper.stop()
            worker_gone(worker_id)
