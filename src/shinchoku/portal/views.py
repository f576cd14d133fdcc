"""Public pages. Each view reads one view-model from ``plans.selectors`` and renders it;
the report downloads read theirs from ``reports.selectors`` and draw it with
``reports.render``; the open data download is made from the JSON dataset
(``shinchoku.opendata``). Every view here only reads published data, so each is marked to
read it from the read replica when there is one (``shinchoku.replica``). The pages are
kept whole by data version, and answered 304 from it to a reader who has them
(``plan_page``, ``site_page``: ``shinchoku.published.pagecache``)."""

from __future__ import annotations

import re
from http import HTTPStatus

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import parse_etags
from django.views.decorators.http import require_safe

from shinchoku.errors import http_status
from shinchoku.headers import allow_inline_styles
from shinchoku.opendata import bundles as opendata_bundles
from shinchoku.opendata.package import license_descriptor
from shinchoku.opendata.tables import TABLES as OPENDATA_TABLES
from shinchoku.ops.ratelimit import rate_limited
from shinchoku.plans import selectors
from shinchoku.plans.models import Node, Plan
from shinchoku.plans.selectors import PlanHeader
from shinchoku.plans.selectors.units import NoSuchUnit, unit_overview
from shinchoku.portal import charts
from shinchoku.published.pagecache import plan_page, site_page
from shinchoku.replica import reads_from_replica
from shinchoku.reports import cache as report_cache
from shinchoku.reports import links as report_links
from shinchoku.reports import render as report_render
from shinchoku.reports.selectors import ReportError, report_build, report_years


def _reports(plan: PlanHeader, under: Node | None = None) -> list[tuple[int, str]]:
    """The fiscal years a report can be downloaded for, each with its label. One query."""
    return [(year, selectors.year_label(year)) for year in report_years(plan, under=under)]


@reads_from_replica
@require_safe
@site_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"plans": selectors.plan_list()})


@rate_limited("search", setting="SEARCH_RATE_LIMIT")
@reads_from_replica
@require_safe
@site_page
def search(request: HttpRequest) -> HttpResponse:
    """The search of published data (docs/search.md). An invalid request (a query too
    long, a plan or year not offered) shows the form with what is wrong, as a 400."""
    params = request.GET
    page = selectors.search_page(
        q=params.get("q", ""),
        plan=params.get("plan", ""),
        year=params.get("year", ""),
        kind=params.get("kind", ""),
        page=params.get("page"),
    )
    return render(request, "portal/search.html", {"search": page}, status=400 if page.errors else 200)


@reads_from_replica
@require_safe
@plan_page
def plan_detail(request: HttpRequest, plan_code: str) -> HttpResponse:
    try:
        outline = selectors.plan_outline(plan_code)
    except Plan.DoesNotExist as error:
        raise Http404("No such plan.") from error
    return render(
        request,
        "portal/plan.html",
        {
            "outline": outline,
            "plan": outline.plan,
            "charts": charts.plan_charts(outline),
            "reports": _reports(outline.plan),
            "opendata_tables": OPENDATA_TABLES,
            "opendata_license": license_descriptor(),
        },
    )


@reads_from_replica
@require_safe
@plan_page
def node_detail(request: HttpRequest, plan_code: str, node_code: str) -> HttpResponse:
    try:
        node = selectors.node_get(plan_code, node_code)
    except Node.DoesNotExist as error:
        raise Http404("No such node in this plan.") from error
    if node.level.rated:
        sheet = selectors.measure_sheet(node)
        return render(
            request,
            "portal/measure.html",
            {"sheet": sheet, "plan": sheet.plan, "charts": charts.measure_charts(node, sheet)},
        )
    overview = selectors.node_overview(node, page=request.GET.get("page"))
    # A plan area (a top-level node) has its own report.
    reports = _reports(overview.plan, under=node) if node.parent_id is None else []
    return render(
        request,
        "portal/node.html",
        {
            "overview": overview,
            "plan": overview.plan,
            "reports": reports,
            "change_links": selectors.change_links(overview),
            "charts": charts.node_charts(node, overview),
        },
    )


@reads_from_replica
@require_safe
@plan_page
def unit_detail(request: HttpRequest, plan_code: str, unit_code: str) -> HttpResponse:
    """The measures of the plan a unit (課) is responsible for, and how they were rated."""
    try:
        unit = unit_overview(plan_code, unit_code, page=request.GET.get("page"))
    except NoSuchUnit as error:
        raise Http404("No such unit in this plan.") from error
    return render(
        request, "portal/unit.html", {"unit": unit, "plan": unit.plan, "chart": charts.unit_chart(unit)}
    )


@reads_from_replica
@require_safe
@plan_page
def report_download(request: HttpRequest, plan_code: str, year: int, fmt: str) -> HttpResponse:
    """The annual report of fiscal ``year``, of the whole plan or of the plan area
    ``?area=<code>``, as PDF (a download) or HTML (shown in the browser). It is the
    document the city publishes, so it is made in the site's default language (Japanese)
    whatever language the reader browses in. Options that make no report are not found."""
    area = request.GET.get("area") or None
    reader = translation.get_language()
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            document = report_build(plan_code, year=year, area_code=area, language=language)
        except ReportError as error:
            # Options that make no report are a page not there (the site's 404 page, with
            # the reason); another refusal is answered as its code says.
            if http_status(error) == HTTPStatus.NOT_FOUND:
                raise Http404(str(error)) from error
            return HttpResponse(
                str(error), status=http_status(error), content_type="text/plain; charset=utf-8"
            )
        if fmt == "pdf":
            pdf = report_cache.rendered(document, "pdf", lambda: report_render.render_pdf(document))
            response = HttpResponse(pdf, content_type="application/pdf")
            disposition = "attachment"
        else:
            # Opens with the trail back to the site, in the language the reader browses it in.
            links = report_links.site_links(document, area_code=area, language=reader)
            html = report_cache.rendered(
                document,
                "html",
                lambda: report_render.render_html(document, links).encode(),
                variant=links.key(),
            )
            # A document that stands alone, its stylesheet inline: allowed by hash.
            response = allow_inline_styles(HttpResponse(html, content_type="text/html; charset=utf-8"))
            disposition = "inline"
    name = "-".join([plan_code, str(year), *([re.sub(r"[^A-Za-z0-9_.-]", "_", area)] if area else [])])
    response["Content-Disposition"] = f'{disposition}; filename="{name}.{fmt}"'
    response["Content-Language"] = document.language
    return response


#: Seconds a reader is asked to wait while a plan's open data is being built.
OPENDATA_RETRY_SECONDS = 30


def opendata_preparing(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: the ZIP of the newest data is being built by a job and no
    earlier one is there to serve meanwhile. Never cached: the next request may find it."""
    response = render(
        request, "portal/opendata_preparing.html", {"seconds": OPENDATA_RETRY_SECONDS}, status=503
    )
    response["Retry-After"] = str(OPENDATA_RETRY_SECONDS)
    add_never_cache_headers(response)
    return response


@reads_from_replica
@require_safe
def opendata_download(request: HttpRequest, plan_code: str, year: int | None = None) -> HttpResponseBase:
    """The plan's open data as a ZIP of CSV tables with datapackage.json
    (docs/open-data.md): of every year, or of fiscal ``year`` of the plan period (its
    results, ratings and indicator values, and the targets covering it). Made from the
    published data only, once per data version of the plan (``opendata.bundles``), served
    from its file; answered 304 from the version alone when the reader has it. With the
    job that builds them (``OPENDATA_BUILD_AFTER_WRITE``), a ZIP not built yet is asked of
    it and the one of the version before is served meanwhile, or, when there is none, the
    reader told to come back (503); without the job, the request builds it."""
    try:
        bundle = opendata_bundles.bundle_for(plan_code, year)
    except opendata_bundles.NoBundle as error:
        raise Http404("No such plan, or the year is outside the plan period.") from error
    if bundle.etag in parse_etags(request.headers.get("If-None-Match", "")):
        response: HttpResponse = HttpResponseNotModified()
        response["ETag"] = bundle.etag
        return response
    if not bundle.path.is_file() and settings.OPENDATA_BUILD_AFTER_WRITE:
        # A job builds it (queued when the write was committed; queued again here if it
        # was lost): a large plan's data takes longer to read than a request may last.
        # Meanwhile the ZIP of the version before is served, under its own tag.
        opendata_bundles.schedule([bundle.plan_id])
        served = bundle if bundle.path.is_file() else opendata_bundles.previous(bundle)
    else:
        # Built now if need be; from newer data if some came meanwhile, with its own tag.
        served = opendata_bundles.built(bundle)
    try:
        stream = served.path.open("rb") if served is not None else None
    except FileNotFoundError:  # the version before removed as the job finished
        stream = None
    if served is None or stream is None:
        return opendata_preparing(request)
    download = FileResponse(
        stream, as_attachment=True, filename=served.filename, content_type="application/zip"
    )
    download["ETag"] = served.etag
    return download
