"""Rendering a plan's reports of one fiscal year into the report cache, so that the
first reader after publishing gets them at once instead of waiting for the typesetting.

Each report is made as its download makes it (``portal.views.report_download``): the
document in the site's language, the PDF, and the HTML with its trail back to the site
in each language a reader may browse in. One step per file.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from shinchoku.jobs.models import Job
from shinchoku.jobs.progress import JobError, Outcome, Progress
from shinchoku.plans.models import Node, Plan
from shinchoku.reports import cache as report_cache
from shinchoku.reports import links as report_links
from shinchoku.reports import render as report_render
from shinchoku.reports.links import SiteLinks
from shinchoku.reports.selectors import ReportDocument, ReportError, report_build, report_years

KIND = "reports.render"


def _html(document: ReportDocument, links: SiteLinks) -> bytes:
    return report_render.render_html(document, links).encode()


def reports_run(job: Job, progress: Progress) -> Outcome:
    year = int(job.params["year"])
    try:
        plan = Plan.objects.get(code=job.params["plan"])
    except Plan.DoesNotExist as error:
        raise JobError(_("The plan no longer exists.")) from error
    areas: list[str | None] = [None] + [
        area.code
        for area in Node.objects.filter(plan=plan, parent=None).select_related("level").order_by("outline")
        if year in report_years(plan, under=area)
    ]
    readers = [code for code, _name in settings.LANGUAGES]
    files = [
        (area, fmt, reader)
        for area in areas
        for fmt, reader in [("pdf", ""), *[("html", r) for r in readers]]
    ]
    progress.total(len(files))
    language = settings.LANGUAGE_CODE
    made = 0
    with translation.override(language):
        for done, (area, fmt, reader) in enumerate(files, start=1):
            try:
                document = report_build(plan.code, year=year, area_code=area, language=language)
            except ReportError as error:
                raise JobError(str(error)) from error
            if fmt == "pdf":
                report_cache.rendered(document, "pdf", partial(report_render.render_pdf, document))
            else:
                links = report_links.site_links(document, area_code=area, language=reader)
                report_cache.rendered(document, "html", partial(_html, document, links), variant=links.key())
            made += 1
            progress.step(done)
    return Outcome({"plan": plan.code, "year": year, "files": made})
