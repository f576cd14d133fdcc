"""``shinchoku jobs_worker``: run the background jobs (docs/jobs.md).

django-tasks-db's ``db_worker`` with what it lacks: the worker says it lives while it
runs, and sweeps for runs whose worker was lost, when it starts and at every beat.
It takes ``db_worker``'s options; it never reloads on code changes (a reloaded worker
would be another worker, and its parent's beat would cover nothing). Its loop outlives the
database going away (``shinchoku.jobs.worker.SteadyWorker``), from its first moment: a
database that does not answer as it starts is waited for by the loop."""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from shinchoku.jobs.sweep import jobs_sweep, worker_beat, worker_gone
from shinchoku.jobs.worker import Keeper, SteadyWorker, close_quietly

logger = logging.getLogger("shinchoku.jobs")


class Command(DbWorkerCommand):
    help = (
        "Run the background jobs (publishing, reports, imports, mail) queued in the database, and run "
        "again the jobs of workers that were lost. Stops after the job in hand on SIGTERM or Ctrl-C."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        options["reload"] = False
        worker_id = str(options["worker_id"])
        try:
            worker_beat(worker_id, host=socket.gethostname(), pid=os.getpid())
            jobs_sweep()
        except (OperationalError, InterfaceError) as error:
            # The database went away as the worker started: its loop waits for it, and the
            # keeper says it lives and sweeps at its next beat.
            lines = str(error).strip().splitlines()
            logger.warning(
                "worker %s: the database does not answer at start (%s)",
                worker_id,
                lines[0] if lines else type(error).__name__,
            )
            close_quietly()
        keeper = Keeper(worker_id)
        keeper.start()
        try:
            self.work(**options)
        finally:
            keeper.stop()
            worker_gone(worker_id)

    def work(self, **options: Any) -> None:
        """``db_worker``'s own handling of its options, with the steady worker."""
        self.configure_logging(int(options["verbosity"]))
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        queue_names = str(options["queue_name"]).split(",")
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = SteadyWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=str(options["worker_id"]),
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
