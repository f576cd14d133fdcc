"""Who may see a job and retry it: the person who asked for it, and the planning
administrator, who asks for most jobs and answers for all of them."""

from __future__ import annotations

from typing import Any

from shinchoku.accounts.permissions import is_administrator
from shinchoku.jobs.models import Job


def may_see_job(user: Any, job: Job) -> bool:
    return bool(user.is_authenticated) and (job.requested_by_id == user.pk or is_administrator(user))


def may_retry_job(user: Any, job: Job) -> bool:
    return job.state == Job.State.FAILED and may_see_job(user, job)
