"""Publishing a round as a job: ``review.services.round_publish`` run by a worker, for
the person who confirmed it.

Run again (a retry, or after its worker was lost) it never publishes twice:
``round_publish`` takes the round's lock and publishes only entries still approved, in
one transaction, so a run cut short wrote nothing, and a run that committed leaves
nothing approved. A run that finds the round published since the job was asked for and
nothing left to publish is done, with the same result.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from shinchoku.jobs.models import Job
from shinchoku.jobs.progress import JobError, Outcome, Progress
from shinchoku.review.models import Entry, Round
from shinchoku.review.services import round_publish

KIND = "round.publish"


def publish_params(round_: Round, *, entries: int) -> dict[str, int]:
    """The job's parameters: the round, and the number of approved entries confirmed."""
    return {"round": round_.pk, "entries": entries}


def publish_run(job: Job, progress: Progress) -> Outcome:
    try:
        round_ = Round.objects.select_related("plan").get(pk=job.params["round"])
    except Round.DoesNotExist as error:
        raise JobError(_("The round no longer exists.")) from error
    actor = (
        get_user_model().objects.filter(pk=job.requested_by_id, is_active=True).first()
        if job.requested_by_id is not None
        else None
    )
    if actor is None:
        raise JobError(_("The person who asked for publishing can no longer sign in: ask again."))
    approved = Entry.objects.filter(round=round_, state=Entry.State.APPROVED).count()
    progress.total(1)
    published_since = round_.published_at is not None and round_.published_at >= job.created_at
    if approved or not published_since:
        round_publish(round_, actor=actor)
    progress.step(1)
    then = []
    if settings.JOBS_REPORTS_AFTER_PUBLISH and round_.kind == Round.Kind.RESULTS:
        then.append(("reports.render", {"plan": round_.plan.code, "year": round_.fiscal_year}))
    return Outcome({"round": round_.pk, "entries": job.params.get("entries", approved)}, then)
