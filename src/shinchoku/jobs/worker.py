"""What a worker does beside running tasks: say it lives, and sweep for lost runs.

A thread of its own does both every ``JOBS_HEARTBEAT_SECONDS``, so a worker busy with a
long job still says it lives, and an idle one still finds the runs another worker lost.
It has its own database connection; a write that finds the database busy (SQLite lets
one writer in at a time) is tried again at the next beat.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection

from shinchoku.jobs.sweep import jobs_sweep, worker_beat

logger = logging.getLogger("shinchoku.jobs")


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
