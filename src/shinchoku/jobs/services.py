"""Writes of the jobs: start one for a person, retry a failed one (audited)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shinchoku.audit.models import EventType
from shinchoku.audit.services import audit_record, diff
from shinchoku.errors import ErrorCode, Refusal
from shinchoku.jobs.models import Job
from shinchoku.jobs.permissions import may_see_job
from shinchoku.jobs.tasks import job_create, job_enqueue

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class JobRefusal(Refusal):
    code = ErrorCode.NOT_ALLOWED


def job_start(kind: str, params: dict[str, Any], *, actor: User) -> Job:
    """Queue ``kind`` of work on ``params`` for ``actor``, who sees it on the job's page.
    The work itself checks, as its own service does, that ``actor`` may do it."""
    return job_create(kind, params, requested_by_id=actor.pk)


def job_retry(job: Job, *, actor: User) -> Job:
    """Run a failed job again, from the start; one audit row says who asked."""
    with transaction.atomic():
        current = Job.objects.select_for_update().get(pk=job.pk)
        if not may_see_job(actor, current):
            raise JobRefusal(_("Only the person who asked for this job or an administrator may retry it."))
        if current.state != Job.State.FAILED:
            raise JobRefusal(_("Only a failed job can be retried."), code=ErrorCode.CONFLICT)
        before = {"state": current.state, "error": current.error}
        current.state = Job.State.QUEUED
        current.error = ""
        current.finished_at = None
        current.save(update_fields=["state", "error", "finished_at"])
        audit_record(
            actor=actor,
            event_type=EventType.OBJECT_CHANGED,
            subject=current,
            changes=diff(before, {"state": current.state, "error": ""}),
            details={"action": "retry", "kind": current.kind, "attempts": current.attempts},
        )
        job_enqueue(current)
    current.refresh_from_db()
    return current
