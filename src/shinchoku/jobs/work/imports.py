"""Importing an uploaded file as a job: ``interchange.importing.import_apply`` run by a
worker, for the person who confirmed the preview.

The import is one transaction that previews the file again and writes it only if it is
still clean: a run cut short wrote nothing. The kept upload is discarded once it is
imported; a job run again after that says the file is no longer kept, and nothing is
imported twice.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from shinchoku.interchange import uploads
from shinchoku.interchange.importing import import_apply
from shinchoku.jobs.models import Job
from shinchoku.jobs.progress import JobError, Outcome, Progress

KIND = "import.apply"


def import_params(token: str, filename: str) -> dict[str, str]:
    return {"token": token, "filename": filename}


def import_run(job: Job, progress: Progress) -> Outcome:
    actor = (
        get_user_model().objects.filter(pk=job.requested_by_id, is_active=True).first()
        if job.requested_by_id is not None
        else None
    )
    if actor is None:
        raise JobError(_("The person who asked for the import can no longer sign in: ask again."))
    token = str(job.params["token"])
    upload = uploads.upload_get(token, user_id=actor.pk)
    if upload is None:
        raise JobError(_("The uploaded file is no longer kept: upload it again."))
    progress.total(1)
    result = import_apply(upload.data, upload.filename, actor=actor, kept=uploads.upload_reading(upload))
    uploads.upload_discard(token)
    progress.step(1)
    return Outcome({"summary": str(result.summary), "filename": upload.filename})
