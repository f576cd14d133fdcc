"""Writes of the jobs: start one for a person, retry a failed one (audited), queue the
building of the open data after a write."""

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
from shinchoku.opendata.bundles import KIND as BUNDLES_KIND

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


def opendata_builds_queue(sender: object, plan_ids: list[int], **kwargs: Any) -> None:
    """Queue the job that builds the open data ZIPs of each plan of ``plan_ids``
    (``opendata.bundles.build_wanted``), unless one waits for a worker already: it reads
    the plan's newest version when it runs. Nobody asked: the site did."""
    for plan_id in plan_ids:
        if not Job.objects.filter(kind=BUNDLES_KIND, state=Job.State.QUEUED, params__plan=plan_id).exists():
            job_create(BUNDLES_KIND, {"plan": plan_id}, requested_by_id=None)
