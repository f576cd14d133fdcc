"""Staff pages of the interchange: a section's entry workbook to download, and the
import of a file — upload, preview, import — under /staff/."""

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
from shinchoku.accounts.permissions import editor_units, is_administrator
from shinchoku.interchange import uploads
from shinchoku.interchange.importing import MAX_FILE_BYTES, import_apply, import_preview
from shinchoku.interchange.preview import ImportRefused, RowStatus
from shinchoku.plans.models import OrgUnit
from shinchoku.review.models import Round
from shinchoku.review.permissions import can_import_files
from shinchoku.review.workbook.writer import WorkbookError, build_workbook

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _user(request: HttpRequest) -> User:
    return cast("User", request.user)


@require_safe
@staff_required
def workbook_download(request: HttpRequest, round_id: int, unit_code: str) -> HttpResponse:
    """The entry workbook of a unit for a results round: for the unit's editors (and those
    of the units above it) and the planning administrator."""
    round_ = Round.objects.select_related("plan").filter(pk=round_id).first()
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if round_ is None or unit is None:
        raise Http404(_("No such round or unit."))
    if not is_administrator(request.user) and unit.pk not in editor_units(request.user):
        raise deny(request, _("This is not one of your units."))
    try:
        workbook = build_workbook(round_, unit)
    except WorkbookError as error:
        # The data holds something no workbook can carry (a text over a cell's size, a
        # control character): say what and where, rather than a page that is not there.
        return render(
            request,
            "interchange/workbook_refused.html",
            {"reason": str(error), "unit": unit},
            status=409,
        )
    response = HttpResponse(
        workbook.content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{workbook.filename}"'
    return response


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
        if upload.size > MAX_FILE_BYTES:
            form.add_error(
                "file",
                _("The file is %(size)s MB; at most %(max)s MB can be imported.")
                % {"size": f"{upload.size / 1024 / 1024:.1f}", "max": MAX_FILE_BYTES // 1024 // 1024},
            )
        else:
            token = uploads.upload_keep(upload.read(), upload.name, user_id=_user(request).pk)
            return redirect("interchange:import_preview", token=token)
    return render(request, "interchange/upload.html", {"form": form}, status=400 if form.errors else 200)


@require_safe
@staff_required
def import_preview_page(request: HttpRequest, token: str) -> HttpResponse:
    upload = uploads.upload_get(token, user_id=_user(request).pk)
    if upload is None:
        raise Http404(_("The uploaded file is no longer kept: upload it again."))
    preview = import_preview(
        upload.data, upload.filename, actor=_user(request), kept=uploads.upload_reading(upload)
    )
    counts = [(status, preview.count(status)) for status in RowStatus if preview.count(status)]
    return render(
        request,
        "interchange/preview.html",
        {"preview": preview, "token": token, "counts": counts, "statuses": RowStatus},
        status=200 if preview.ok else 400,
    )


@require_POST
@staff_required
def import_apply_page(request: HttpRequest, token: str) -> HttpResponse:
    upload = uploads.upload_get(token, user_id=_user(request).pk)
    if upload is None:
        raise Http404(_("The uploaded file is no longer kept: upload it again."))
    try:
        result = import_apply(
            upload.data, upload.filename, actor=_user(request), kept=uploads.upload_reading(upload)
        )
    except ImportRefused:
        messages.error(request, _("Nothing was imported: the file has problems. They are listed below."))
        return redirect("interchange:import_preview", token=token)
    uploads.upload_discard(token)
    messages.success(request, result.summary)
    return redirect("staff:home")
