"""The parts of the public pages that offer to follow them: the feed's
``<link rel="alternate">`` for the page's head (``follow_head``) and the section with
the feed's link and the e-mail form (``follow_box``). A page names its plan and, but
for the plan's own page, its node (the view-models' ``PlanHeader`` and ``NodeRef``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from shinchoku.follow.services import follow_by_mail
from shinchoku.plans.selectors.common import NodeRef, PlanHeader

register = template.Library()


def _feed_url(plan: PlanHeader, node: NodeRef | None) -> str:
    if node is None:
        return reverse("follow:plan_feed", args=[plan.code])
    return reverse("follow:node_feed", args=[plan.code, node.code])


@register.inclusion_tag("follow/_head.html")
def follow_head(plan: PlanHeader, node: NodeRef | None = None) -> dict[str, Any]:
    return {"feed_url": _feed_url(plan, node), "name": node.name if node else plan.title}


@register.inclusion_tag("follow/_box.html", takes_context=True)
def follow_box(context: template.Context, plan: PlanHeader, node: NodeRef | None = None) -> dict[str, Any]:
    by_mail = node is not None and follow_by_mail()
    return {
        "feed_url": _feed_url(plan, node),
        "form_url": reverse("follow:start", args=[plan.code, node.code]) if by_mail and node else "",
        "csrf_token": context.get("csrf_token"),
        "of_plan": node is None,
    }
