"""Every kind of job: its work, what its page calls it, and where its result is.

A kind's ``run`` does the work with the person's own services, so a job checks and
records exactly what the same action taken on a page would. ``title`` and ``result``
read the job's parameters and result to say what it is and link to what it made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from shinchoku import fiscal
from shinchoku.jobs.models import Job
from shinchoku.jobs.progress import Outcome, Progress
from shinchoku.jobs.work import imports, opendata, publish, reports
from shinchoku.plans.models import Plan
from shinchoku.review.models import Round


@dataclass(frozen=True)
class Link:
    url: str
    label: str


@dataclass(frozen=True)
class JobKind:
    run: Callable[[Job, Progress], Outcome]
    title: Callable[[Job], str]
    result: Callable[[Job], Link | None]


def _publish_title(job: Job) -> str:
    round_ = Round.objects.select_related("plan").filter(pk=job.params.get("round")).first()
    if round_ is None:
        return _("Publishing a round that no longer exists")
    return _("Publishing %(round)s of %(plan)s") % {"round": round_.label, "plan": round_.plan.title}


def _publish_result(job: Job) -> Link | None:
    round_id = job.result.get("round") or job.params.get("round")
    if not Round.objects.filter(pk=round_id).exists():
        return None
    return Link(reverse("staff:round", kwargs={"round_id": round_id}), _("The round"))


def _reports_title(job: Job) -> str:
    plan = Plan.objects.filter(code=job.params.get("plan")).first()
    year = fiscal.both_labels(int(job.params.get("year", 0))) if job.params.get("year") else ""
    name = plan.title if plan is not None else job.params.get("plan", "")
    return _("Rendering the reports of %(year)s of %(plan)s") % {"year": year, "plan": name}


def _reports_result(job: Job) -> Link | None:
    if not job.result:
        return None
    url = reverse("portal:report_pdf", kwargs={"plan_code": job.result["plan"], "year": job.result["year"]})
    return Link(url, _("The report (PDF)"))


def _import_title(job: Job) -> str:
    return _("Importing %(file)s") % {"file": job.params.get("filename", "")}


def _import_result(job: Job) -> Link | None:
    summary = job.result.get("summary")
    return Link(reverse("staff:home"), str(summary)) if summary else None


def _opendata_title(job: Job) -> str:
    plan = Plan.objects.filter(pk=job.params.get("plan")).first()
    if plan is None:
        return _("Building the open data of a plan that no longer exists")
    return _("Building the open data of %(plan)s") % {"plan": plan.title}


def _opendata_result(job: Job) -> Link | None:
    code = job.result.get("plan")
    if not code:
        return None
    return Link(reverse("portal:opendata", kwargs={"plan_code": code}), _("The open data (ZIP)"))


KINDS: dict[str, JobKind] = {
    publish.KIND: JobKind(publish.publish_run, _publish_title, _publish_result),
    reports.KIND: JobKind(reports.reports_run, _reports_title, _reports_result),
    imports.KIND: JobKind(imports.import_run, _import_title, _import_result),
    opendata.KIND: JobKind(opendata.opendata_run, _opendata_title, _opendata_result),
}
