"""Finding the runs whose worker was lost, and running them again.

The database queue marks a run RUNNING when a worker takes it and never looks at it
again: a worker killed mid-run (out of memory, a server restarted, ``kill -9``) leaves
it running for ever. Workers started by ``shinchoku jobs_worker`` say they live
(``WorkerBeat``); a run is lost when its worker was last heard from (or, for a worker
that never said, the run started) longer than ``JOBS_LEASE_SECONDS`` ago. A lost run
goes back to waiting, and the next worker runs it again, from the start: its work was
one transaction that the lost worker never committed, or, committed, is found done
(publishing checks it). After ``JOBS_MAX_ATTEMPTS`` runs it is failed instead, with the
reason, and its job can be retried by hand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from shinchoku.jobs.models import Job, WorkerBeat

logger = logging.getLogger("shinchoku.jobs")


class WorkerLost(Exception):
    """The worker running a task stopped without a word, too many times."""


@dataclass
class Swept:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def worker_beat(worker_id: str, *, host: str = "", pid: int | None = None) -> None:
    """Record that worker ``worker_id`` lives, now."""
    now = timezone.now()
    updated = WorkerBeat.objects.filter(pk=worker_id).update(beat_at=now)
    if not updated:
        WorkerBeat.objects.create(worker_id=worker_id, host=host[:255], pid=pid, started_at=now, beat_at=now)


def worker_gone(worker_id: str) -> None:
    """A worker that stops cleanly says so: its runs are ended, none is left running."""
    WorkerBeat.objects.filter(pk=worker_id).delete()


def jobs_sweep(*, now: datetime | None = None) -> Swept:
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOBS_LEASE_SECONDS)
    beats = dict(WorkerBeat.objects.values_list("worker_id", "beat_at"))
    swept = Swept()
    for run in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
        "id", "started_at", "worker_ids"
    ):
        worker = run.worker_ids[-1] if run.worker_ids else ""
        last_heard = beats.get(worker) or run.started_at
        if last_heard is not None and last_heard >= cutoff:
            continue
        _give_back(run, now, swept)
    _log(swept)
    WorkerBeat.objects.filter(beat_at__lt=now - timedelta(days=1)).delete()
    return swept


def jobs_give_back(run_id: UUID | str, *, worker_id: str) -> Swept:
    """Run ``run_id``, which worker ``worker_id`` was running when the database went away
    under it, again, as a lost one: its work was rolled back with its connection, and the
    worker, which lives on, would otherwise keep it running for ever
    (``shinchoku.jobs.worker.SteadyWorker``). A run that ended meanwhile, or that another
    worker took, is left alone."""
    swept = Swept()
    run = (
        DBTaskResult.objects.filter(pk=run_id, status=TaskResultStatus.RUNNING)
        .only("id", "started_at", "worker_ids")
        .first()
    )
    if run is not None and run.worker_ids and run.worker_ids[-1] == worker_id:
        _give_back(run, timezone.now(), swept)
    _log(swept)
    return swept


def _give_back(run: DBTaskResult, now: datetime, swept: Swept) -> None:
    """The lost ``run`` waiting again, or failed after ``JOBS_MAX_ATTEMPTS`` runs."""
    task_id = str(run.id)
    with transaction.atomic():
        still = DBTaskResult.objects.filter(
            pk=run.pk, status=TaskResultStatus.RUNNING, started_at=run.started_at
        )
        if len(run.worker_ids) >= settings.JOBS_MAX_ATTEMPTS:
            reason = _(
                "The worker running this job stopped without finishing it %(count)s times; "
                "it is not run again by itself. Retry it once the cause is found."
            ) % {"count": len(run.worker_ids)}
            if still.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{__name__}.WorkerLost",
                traceback=f"{__name__}.WorkerLost: {reason}",
            ):
                Job.objects.filter(task_id=task_id, state=Job.State.RUNNING).update(
                    state=Job.State.FAILED, finished_at=now, error=reason, lost=F("lost") + 1
                )
                swept.failed.append(task_id)
        elif still.update(status=TaskResultStatus.READY, started_at=None):
            Job.objects.filter(task_id=task_id, state=Job.State.RUNNING).update(
                state=Job.State.QUEUED, lost=F("lost") + 1
            )
            swept.requeued.append(task_id)


def _log(swept: Swept) -> None:
    if swept.requeued or swept.failed:
        logger.warning(
            "lost workers: runs %s waiting again, runs %s failed", swept.requeued or "-", swept.failed or "-"
        )
