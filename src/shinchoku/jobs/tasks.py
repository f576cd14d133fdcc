"""The one task every job runs as, and the run itself.

A job is queued as a run of ``run_job`` with its id. The run claims the job (only a job
waiting for a worker can be claimed, so a second copy of a run does nothing), does its
kind's work, writes its progress as it goes, and ends it as done, with its result and
the jobs it asks for next, or as failed, with the reason. Every write after the claim
names the attempt it belongs to: a run taken for lost and started again cannot end the
new attempt's job.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskContext, task

from shinchoku.errors import ApplicationError
from shinchoku.jobs.kinds import KINDS
from shinchoku.jobs.models import Job
from shinchoku.jobs.progress import JobError

logger = logging.getLogger("shinchoku.jobs")


@task(takes_context=True)
def run_job(context: TaskContext, job_id: int) -> dict[str, Any]:
    return job_run(job_id, task_id=str(context.task_result.id))


def job_create(kind: str, params: dict[str, Any], *, requested_by_id: int | None) -> Job:
    """Write a job waiting for a worker and queue its run, in the caller's transaction:
    with the database queue, the job and its run are written together or not at all."""
    if kind not in KINDS:
        raise ValueError(f"no job kind {kind!r}")
    with transaction.atomic():
        job = Job.objects.create(kind=kind, params=params, requested_by_id=requested_by_id)
        job_enqueue(job)
    job.refresh_from_db()
    return job


def job_enqueue(job: Job) -> None:
    """Queue a run of ``job``, which waits for a worker (with the immediate backend,
    runs now)."""
    run_job.enqueue(job.pk)


class _Progress:
    def __init__(self, job: Job) -> None:
        self.job = job

    def _mine(self) -> Any:
        return Job.objects.filter(pk=self.job.pk, attempts=self.job.attempts, state=Job.State.RUNNING)

    def total(self, steps: int) -> None:
        self._mine().update(progress_total=steps, progress_done=0)

    def step(self, done: int) -> None:
        self._mine().update(progress_done=done)


def job_run(job_id: int, *, task_id: str) -> dict[str, Any]:
    """Run job ``job_id`` as the queue's run ``task_id``; see the module's docstring."""
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING,
        task_id=task_id,
        attempts=F("attempts") + 1,
        started_at=timezone.now(),
        finished_at=None,
        progress_done=0,
        progress_total=None,
        error="",
    )
    if not claimed:
        logger.info("job %s is not waiting for a worker: run %s does nothing", job_id, task_id)
        return {"job": job_id, "skipped": True}
    job = Job.objects.get(pk=job_id)
    mine = Job.objects.filter(pk=job.pk, attempts=job.attempts, state=Job.State.RUNNING)
    try:
        outcome = KINDS[job.kind].run(job, _Progress(job))
    except Exception as error:
        if isinstance(error, (JobError, ApplicationError)):
            reason = str(error)
        else:
            reason = _(
                "The job stopped on an unexpected error (%(error)s). It has been recorded in the "
                "server's log: try again, and if it fails again, tell the system administrator."
            ) % {"error": type(error).__name__}
        mine.update(state=Job.State.FAILED, finished_at=timezone.now(), error=reason)
        logger.warning("job %s (%s) failed: %s", job.pk, job.kind, reason)
        raise
    with transaction.atomic():
        ended = mine.update(state=Job.State.SUCCEEDED, finished_at=timezone.now(), result=outcome.result)
        if ended:
            for kind, params in outcome.then:
                job_create(kind, params, requested_by_id=job.requested_by_id)
    return {"job": job.pk, **outcome.result}
