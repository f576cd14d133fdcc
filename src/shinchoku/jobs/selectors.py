"""Reads of the jobs: a job as its page shows it, and the jobs a person may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from shinchoku.accounts.permissions import is_administrator
from shinchoku.jobs.kinds import KINDS, Link
from shinchoku.jobs.models import Job
from shinchoku.jobs.permissions import may_retry_job, may_see_job


@dataclass(frozen=True)
class JobView:
    job: Job
    title: str
    state: str
    state_label: str
    finished: bool
    done: int
    total: int | None
    percent: int | None
    started_at: datetime | None
    finished_at: datetime | None
    error: str
    result: Link | None
    may_retry: bool


def job_view(job: Job, user: Any) -> JobView:
    kind = KINDS.get(job.kind)
    total = job.progress_total
    return JobView(
        job=job,
        title=kind.title(job) if kind else job.kind,
        state=job.state,
        state_label=str(Job.State(job.state).label),
        finished=job.finished,
        done=job.progress_done,
        total=total,
        percent=round(100 * job.progress_done / total) if total else None,
        started_at=job.started_at,
        finished_at=job.finished_at,
        error=job.error,
        result=kind.result(job) if kind and job.state == Job.State.SUCCEEDED else None,
        may_retry=may_retry_job(user, job),
    )


def job_for(user: Any, job_id: int) -> Job | None:
    """Job ``job_id`` if ``user`` may see it, else None."""
    job = Job.objects.filter(pk=job_id).first()
    return job if job is not None and may_see_job(user, job) else None


def job_list(user: Any) -> QuerySet[Job]:
    """The jobs ``user`` may see, newest first: all of them for an administrator."""
    jobs = Job.objects.select_related("requested_by")
    return jobs if is_administrator(user) else jobs.filter(Q(requested_by=user))
