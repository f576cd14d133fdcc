"""The jobs' pages: a job's state, progress and result (refreshed by a small script
while it runs), the list of a person's jobs, and retrying a failed one."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shinchoku.accounts.access import deny, staff_required
from shinchoku.errors import http_status
from shinchoku.jobs import selectors, services
from shinchoku.jobs.models import Job


def _job(request: HttpRequest, job_id: int) -> Job:
    job = selectors.job_for(request.user, job_id)
    if job is None:
        raise deny(request, _("This job is not yours, or it does not exist."))
    return job


@require_safe
@staff_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    view = selectors.job_view(_job(request, job_id), request.user)
    return render(request, "jobs/job.html", {"view": view})


@require_POST
@staff_required
def job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    try:
        services.job_retry(job, actor=request.user)  # type: ignore[arg-type]
    except services.JobRefusal as error:
        messages.error(request, str(error))
        view = selectors.job_view(Job.objects.get(pk=job.pk), request.user)
        return render(request, "jobs/job.html", {"view": view}, status=http_status(error))
    messages.success(request, _("The job was queued again."))
    return redirect("jobs:job", job_id=job.pk)


@require_safe
@staff_required
def job_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.job_list(request.user), 50).get_page(request.GET.get("page"))
    views = [selectors.job_view(job, request.user) for job in page]
    return render(request, "jobs/jobs.html", {"page": page, "views": views})
