"""Staff pages of the interchange: the import of a file — upload, preview, import —
under /staff/. (A section's entry workbook is downloaded from the round's pages,
``review.workbook.views``.)"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shinchoku.accounts.access import deny, staff_required
from shinchoku.interchange import uploads
from shinchoku.interchange.importing import import_preview, size_refusal
from shinchoku.interchange.preview import RowStatus, warnings_by_kind
from shinchoku.jobs.models import Job
from shinchoku.jobs.services import job_start
from shinchoku.jobs.work import imports as import_job
from shinchoku.review.permissions import can_import_files

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _user(request: HttpRequest) -> User:
    return cast("User", request.user)


def _kept_upload(request: HttpRequest, token: str) -> uploads.Upload:
    """The file the person uploaded under ``token``; 404 once it is no longer kept."""
    upload = uploads.upload_get(token, user_id=_user(request).pk)
    if upload is None:
        raise Http404(_("The uploaded file is no longer kept: upload it again."))
    return upload


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "An entry workbook filled in (xlsx); for the planning division also a plan structure "
            "(xlsx, CSV, or Unicode text saved from Excel) or a dataset (JSON). At most 10 MB."
        ),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def import_upload(request: HttpRequest) -> HttpResponse:
    if not can_import_files(request.user):
        raise deny(request, _("Only section editors and the planning division import files."))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        too_large = size_refusal(upload.size)
        if too_large:
            form.add_error("file", too_large)
        else:
            token = uploads.upload_keep(upload.read(), upload.name, user_id=_user(request).pk)
            return redirect("interchange:import_preview", token=token)
    return render(request, "interchange/upload.html", {"form": form}, status=400 if form.errors else 200)


@require_safe
@staff_required
def import_preview_page(request: HttpRequest, token: str) -> HttpResponse:
    upload = _kept_upload(request, token)
    preview = import_preview(
        upload.data, upload.filename, actor=_user(request), kept=uploads.upload_reading(upload)
    )
    counts = [(status, preview.count(status)) for status in RowStatus if preview.count(status)]
    return render(
        request,
        "interchange/preview.html",
        {
            "preview": preview,
            "token": token,
            "counts": counts,
            "statuses": RowStatus,
            "warning_groups": warnings_by_kind(preview.warnings),
        },
        status=200 if preview.ok else 400,
    )


@require_POST
@staff_required
def import_apply_page(request: HttpRequest, token: str) -> HttpResponse:
    upload = _kept_upload(request, token)
    # Importing runs as a background job (shinchoku.jobs): the page of the job follows
    # it. Where jobs run at once (no worker), its outcome is said here.
    job = job_start(import_job.KIND, import_job.import_params(token, upload.filename), actor=_user(request))
    if job.state == Job.State.FAILED:
        messages.error(request, _("Nothing was imported: the file has problems. They are listed below."))
        return redirect("interchange:import_preview", token=token)
    if job.state == Job.State.SUCCEEDED:
        messages.success(request, job.result["summary"])
        return redirect("staff:home")
    messages.info(request, _("The import has started: this page follows it."))
    return redirect("jobs:job", job_id=job.pk)
