"""The entry workbook's staff page: a unit's workbook of a results round to download,
at /staff/workbooks/<round>/<unit>.xlsx (the filled workbook comes back through the
import pages of ``interchange``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shinchoku.accounts.access import deny, staff_required
from shinchoku.errors import http_status
from shinchoku.plans.models import OrgUnit
from shinchoku.review.models import Round
from shinchoku.review.permissions import can_download_workbook
from shinchoku.review.workbook.writer import WorkbookError, build_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_safe
@staff_required
def workbook_download(request: HttpRequest, round_id: int, unit_code: str) -> HttpResponse:
    """The entry workbook of a unit for a results round: for the unit's editors (and those
    of the units above it) and the planning administrator. A workbook that cannot be made
    is a page saying what is wrong and where, answered as its error's code says."""
    round_ = Round.objects.select_related("plan").filter(pk=round_id).first()
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if round_ is None or unit is None:
        raise Http404(_("No such round or unit."))
    if not can_download_workbook(request.user, unit):
        raise deny(request, _("This is not one of your units."))
    try:
        workbook = build_workbook(round_, unit)
    except WorkbookError as error:
        return render(
            request,
            "staff/workbook_refused.html",
            {"reason": str(error), "unit": unit},
            status=http_status(error),
        )
    response = HttpResponse(workbook.content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{workbook.filename}"'
    return response
