"""The public pages that compare fiscal years (docs/comparison.md): a measure's years side
by side, its texts of two years as a diff, and a plan area's (or programme's) ratings of
a year against the year before. Each reads one view-model from ``plans.selectors``,
published data only, from the read replica when there is one, kept whole by the plan's
data version (``plan_page``). An address that names a node, a year or a text the page
is not offered for is not found."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from shinchoku.plans import selectors
from shinchoku.plans.models import Node
from shinchoku.published.pagecache import plan_page
from shinchoku.replica import reads_from_replica


def _node(plan_code: str, node_code: str, *, rated: bool) -> Node:
    """The node the address names: a measure (``rated``) or a node above the measures."""
    try:
        node = selectors.node_get(plan_code, node_code)
    except Node.DoesNotExist as error:
        raise Http404("No such node in this plan.") from error
    if node.level.rated != rated:
        raise Http404("This page is not made for a node of this level.")
    return node


@reads_from_replica
@require_safe
@plan_page
def node_years(request: HttpRequest, plan_code: str, node_code: str) -> HttpResponse:
    """A measure's targets and results of every fiscal year side by side."""
    years = selectors.measure_years(_node(plan_code, node_code, rated=True))
    return render(request, "portal/years.html", {"years": years, "plan": years.plan})


@reads_from_replica
@require_safe
@plan_page
def node_compare(request: HttpRequest, plan_code: str, node_code: str) -> HttpResponse:
    """A measure's texts of two fiscal years compared: ``?from=2012&to=2013``, and
    ``&field=<section key or targets>`` for one text only. An address without the years
    is sent on to the one with the latest two."""
    node = _node(plan_code, node_code, rated=True)
    params = request.GET
    try:
        comparison = selectors.year_comparison(
            node, from_year=params.get("from"), to_year=params.get("to"), field=params.get("field")
        )
    except selectors.NoComparison as error:
        raise Http404("No such year or text to compare.") from error
    if comparison.redirect is not None:
        return redirect(f"{request.path}?{urlencode(comparison.redirect)}")
    return render(request, "portal/compare.html", {"comparison": comparison, "plan": comparison.plan})


@reads_from_replica
@require_safe
@plan_page
def node_changes(request: HttpRequest, plan_code: str, node_code: str, year: int) -> HttpResponse:
    """A plan area's or programme's ratings of fiscal ``year`` against the year before;
    ``?dimension=<key>`` for another dimension than the primary one."""
    node = _node(plan_code, node_code, rated=False)
    try:
        changes = selectors.rating_changes(node, year, dimension=request.GET.get("dimension"))
    except selectors.NoChanges as error:
        raise Http404("No comparison of ratings for this year.") from error
    return render(request, "portal/changes.html", {"changes": changes, "plan": changes.plan})
