"""What a worker does beside running tasks: say it lives, sweep for lost runs, and outlive
the database going away.

A thread of its own does both every ``JOBS_HEARTBEAT_SECONDS``, so a worker busy with a
long job still says it lives, and an idle one still finds the runs another worker lost.
It has its own database connection; a write that finds the database busy (SQLite lets
one writer in at a time) is tried again at the next beat.

django-tasks-db's worker loop stops the process at the first error of the database other
than SQLite's "locked": a database restarted, or a network cut for a moment, would leave
the queue with no worker until someone started one. ``SteadyWorker`` waits and tries
again instead, every ``RECONNECT_SECONDS``, saying so in the log, and gives the run it had
in hand back to the queue (tests/faults/test_outage.py).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from shinchoku.jobs.sweep import jobs_give_back, jobs_sweep, worker_beat

logger = logging.getLogger("shinchoku.jobs")

#: Seconds between attempts to reach a database that went away.
RECONNECT_SECONDS = 2.0


def beat_and_sweep(worker_id: str) -> None:
    worker_beat(worker_id, host=socket.gethostname(), pid=os.getpid())
    jobs_sweep()


class Keeper(threading.Thread):
    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"jobs-keeper-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(settings.JOBS_HEARTBEAT_SECONDS):
                close_old_connections()
                try:
                    beat_and_sweep(self.worker_id)
                except DatabaseError as error:
                    logger.warning("worker %s could not beat or sweep: %s", self.worker_id, error)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=settings.JOBS_HEARTBEAT_SECONDS + 30)


class SteadyWorker(Worker):
    """The queue's worker, which outlives the database going away: a connection that fails
    is closed, and the loop starts again once the database answers. A run in hand when it
    failed (its work rolled back with the connection) is given back to the queue then, as
    a lost worker's would be. Stopping (SIGTERM, SIGINT) works as before, also while it
    waits."""

    in_hand: DBTaskResult | None = None

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # Left set when the run ends on an error of the database (it cannot even be marked
        # failed): ``run`` gives it back once the database answers again.
        self.in_hand = db_task_result
        super().run_task(db_task_result)
        self.in_hand = None

    def run(self) -> None:
        while True:
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as error:
                lines = str(error).strip().splitlines()
                logger.warning(
                    "worker %s: the database does not answer (%s); trying again every %s s",
                    self.worker_id,
                    lines[0] if lines else type(error).__name__,
                    RECONNECT_SECONDS,
                )
                close_quietly()
                self.wait_for_database()
                lost, self.in_hand = self.in_hand, None
                if lost is not None:
                    jobs_give_back(lost.pk, worker_id=self.worker_id)

    def wait_for_database(self) -> None:
        while self.running:
            time.sleep(RECONNECT_SECONDS)
            try:
                connection.ensure_connection()
            except (OperationalError, InterfaceError):
                close_quietly()
                continue
            logger.warning("worker %s: the database answers again", self.worker_id)
            return


def close_quietly() -> None:
    try:
        connection.close()
    except DatabaseError:
        logger.debug("closing a connection to a database that went away")
