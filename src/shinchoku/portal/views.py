"""Public pages. Each view reads one view-model from ``plans.selectors`` and renders it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from shinchoku.plans import selectors
from shinchoku.plans.models import Node, Plan


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"plans": selectors.plan_list()})


@require_safe
def plan_detail(request: HttpRequest, plan_code: str) -> HttpResponse:
    try:
        outline = selectors.plan_outline(plan_code)
    except Plan.DoesNotExist as error:
        raise Http404("No such plan.") from error
    return render(request, "portal/plan.html", {"outline": outline, "plan": outline.plan})


@require_safe
def node_detail(request: HttpRequest, plan_code: str, node_code: str) -> HttpResponse:
    try:
        node = selectors.node_get(plan_code, node_code)
    except Node.DoesNotExist as error:
        raise Http404("No such node in this plan.") from error
    if node.level.rated:
        sheet = selectors.measure_sheet(node)
        return render(request, "portal/measure.html", {"sheet": sheet, "plan": sheet.plan})
    overview = selectors.node_overview(node, page=request.GET.get("page"))
    return render(request, "portal/node.html", {"overview": overview, "plan": overview.plan})
