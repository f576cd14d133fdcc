"""What every read of the API shares: finding a plan or a node by its code (or saying it
is not there), naming nodes as the open data does, writing decimals, and the addresses
an answer links to."""

from __future__ import annotations

from django.urls import reverse

from shinchoku.api.document import NAMESPACE
from shinchoku.errors import ErrorCode, Refusal
from shinchoku.plans.formats.dataset.export import node_key
from shinchoku.plans.models import Node, Plan
from shinchoku.portal.paths import node_page_path


class NotFound(Refusal):
    """What the address names is not there (or not published)."""

    code = ErrorCode.NOT_FOUND


def plan_get(plan_code: str) -> Plan:
    """The plan whose code is ``plan_code``. One query; raises NotFound."""
    try:
        return Plan.objects.get(code=plan_code)
    except Plan.DoesNotExist as error:
        raise NotFound(f"計画 {plan_code} はありません / There is no plan {plan_code}.") from error


def node_get(plan_code: str, node_code: str) -> Node:
    """The node ``node_code`` of the plan ``plan_code``, with its plan, level and parent.
    One query; raises NotFound."""
    try:
        return Node.objects.select_related("plan", "level", "parent").get(
            plan__code=plan_code, code=node_code
        )
    except Node.DoesNotExist as error:
        raise NotFound(
            f"計画 {plan_code} にノード {node_code} はありません / "
            f"The plan {plan_code} has no node {node_code}."
        ) from error


def node_id(plan_code: str, node_code: str) -> str:
    """A node's id across plans, as the open data names it: ``<plan code>:<node code>``."""
    return node_key(plan_code, node_code)


def api_path(name: str, **kwargs: str) -> str:
    """The path of the API's operation ``name`` (``views``) for these parameters."""
    return reverse(f"{NAMESPACE}:{name}", kwargs=kwargs)


def node_path(plan_code: str, node_code: str) -> str:
    return api_path("node", plan_code=plan_code, node_code=node_code)


def page_path(plan_code: str, node_code: str | None = None) -> str:
    """The public page of a plan or of one of its nodes."""
    if node_code is None:
        return reverse("portal:plan", args=[plan_code])
    return node_page_path(plan_code, node_code)
