"""Reads of following: the feeds of a plan and of a node (the latest ``FEED_LENGTH``
publications, newest first), the page that offers the e-mail follow, and what each
publication entry says, in the words the feeds and the mails share.

Each reader is a fixed number of indexed queries whatever the size of the plan: the
plan or node (with its data version), then its rows of ``PublicationEntry``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shinchoku import fiscal
from shinchoku.follow.models import Follow, PublicationEntry, Subscriber
from shinchoku.plans.models import Node, Plan
from shinchoku.plans.selectors.common import NodeRef, PlanHeader, node_ref, plan_header

#: The entries a feed holds at most: the newest.
FEED_LENGTH = 50

Kind = PublicationEntry.Kind


@dataclass(frozen=True)
class FeedItem:
    #: Unique and for good: the feed entry's id is made of it.
    key: str
    title: str
    summary: str
    #: The page it is about (a path, with the part of the page when there is one).
    url: str
    published_at: datetime


@dataclass(frozen=True)
class FeedView:
    title: str
    subtitle: str
    #: The page the feed is of, and the feed itself (paths).
    page_url: str
    feed_url: str
    items: tuple[FeedItem, ...]
    #: When the plan's published data last changed: the feed's time when it holds nothing.
    changed_at: datetime | None


@dataclass(frozen=True)
class FollowPage:
    """A node's page to follow it by e-mail."""

    plan: PlanHeader
    node: NodeRef
    feed_url: str


def what_was_published(kind: str, *, count: int, fiscal_year: int, one_node: bool) -> str:
    """What a publication entry says happened, in the active language: of one node
    (``one_node``: a measure's own feed or mail line) or of ``count`` nodes under it."""
    year = fiscal.year_label(fiscal_year)
    if one_node and count == 1:
        return {
            Kind.RESULT: _("Result of %(year)s published"),
            Kind.CORRECTION: _("Result of %(year)s corrected"),
            Kind.TARGETS: _("Revised targets published (%(year)s)"),
        }[Kind(kind)] % {"year": year}
    many = {
        Kind.RESULT: ngettext(
            "Results of %(year)s published for %(count)s measure",
            "Results of %(year)s published for %(count)s measures",
            count,
        ),
        Kind.CORRECTION: ngettext(
            "Results of %(year)s corrected for %(count)s measure",
            "Results of %(year)s corrected for %(count)s measures",
            count,
        ),
        Kind.TARGETS: ngettext(
            "Revised targets of %(count)s measure published (%(year)s)",
            "Revised targets of %(count)s measures published (%(year)s)",
            count,
        ),
    }
    return many[Kind(kind)] % {"year": year, "count": count}


def part_of_page(kind: str, fiscal_year: int) -> str:
    """The part of a measure's page an entry is about: the year's result, or the targets."""
    return "#targets-heading" if kind == Kind.TARGETS else f"#result-{fiscal_year}"


def _items(rows: list[PublicationEntry], page_url: str, name: str, *, rated: bool) -> tuple[FeedItem, ...]:
    items = []
    for row in rows:
        publication = row.publication
        year = publication.fiscal_year
        what = what_was_published(row.kind, count=row.count, fiscal_year=year, one_node=rated)
        items.append(
            FeedItem(
                key=f"publication-entry/{row.pk}",
                title=what,
                summary=_("%(name)s: %(what)s.") % {"name": name, "what": what},
                url=page_url + (part_of_page(row.kind, year) if rated else ""),
                published_at=publication.published_at,
            )
        )
    return tuple(items)


def _changed_at(plan: Plan) -> datetime | None:
    version = getattr(plan, "data_version", None)
    return version.changed_at if version is not None else None


def plan_feed(plan_code: str) -> FeedView:
    """The feed of a whole plan. Raises Plan.DoesNotExist. Two queries."""
    plan = Plan.objects.select_related("data_version").get(code=plan_code)
    rows = list(
        PublicationEntry.objects.filter(plan=plan, node__isnull=True)
        .select_related("publication")
        .order_by("-id")[:FEED_LENGTH]
    )
    page_url = reverse("portal:plan", args=[plan.code])
    return FeedView(
        title=_("Published: %(name)s") % {"name": plan.title},
        subtitle=_(
            "What the city publishes for this plan: results of each fiscal year, corrections and "
            "revised targets."
        ),
        page_url=page_url,
        feed_url=reverse("follow:plan_feed", args=[plan.code]),
        items=_items(rows, page_url, plan.title, rated=False),
        changed_at=_changed_at(plan),
    )


def node_feed(plan_code: str, node_code: str) -> FeedView:
    """The feed of a node: a plan area's or programme's counts what was published under
    it, a measure's its own. Raises Node.DoesNotExist. Two queries."""
    nodes = Node.objects.select_related("plan__data_version", "level")
    node = nodes.get(plan__code=plan_code, code=node_code)
    rows = list(
        PublicationEntry.objects.filter(node=node).select_related("publication").order_by("-id")[:FEED_LENGTH]
    )
    ref = node_ref(node)
    page_url = reverse("portal:node", args=[plan_code, node.code])
    return FeedView(
        title=_("Published: %(name)s") % {"name": ref.name},
        subtitle=_(
            "What the city publishes for %(name)s (%(plan)s): results of each fiscal year, "
            "corrections and revised targets."
        )
        % {"name": ref.name, "plan": node.plan.title},
        page_url=page_url,
        feed_url=reverse("follow:node_feed", args=[plan_code, node.code]),
        items=_items(rows, page_url, ref.name, rated=ref.rated),
        changed_at=_changed_at(node.plan),
    )


def follow_page(plan_code: str, node_code: str) -> tuple[Node, FollowPage]:
    """The node and the view-model of its page to follow it by e-mail. Raises
    Node.DoesNotExist. One query."""
    node = Node.objects.select_related("plan", "level").get(plan__code=plan_code, code=node_code)
    return node, FollowPage(
        plan=plan_header(node.plan),
        node=node_ref(node),
        feed_url=reverse("follow:node_feed", args=[plan_code, node.code]),
    )


@dataclass(frozen=True)
class ConfirmPage:
    """The page a confirmation link opens: who would follow what."""

    address: str
    plan: PlanHeader
    node: NodeRef


def confirm_page(address: str, node: Node) -> ConfirmPage:
    """The view-model of a confirmation link's page (the node read with its plan and level)."""
    return ConfirmPage(address=address, plan=plan_header(node.plan), node=node_ref(node))


@dataclass(frozen=True)
class Followed:
    plan_title: str
    node: NodeRef
    url: str


@dataclass(frozen=True)
class UnsubscribePage:
    """The page of an unsubscribe link: the address and what it follows."""

    address: str
    follows: tuple[Followed, ...]


def unsubscribe_page(key: str) -> UnsubscribePage | None:
    """What the address of unsubscribe key ``key`` follows; None when no address has it
    (unsubscribed already). Two queries."""
    subscriber = Subscriber.objects.filter(key=key).first() if key else None
    if subscriber is None:
        return None
    follows = (
        Follow.objects.filter(subscriber=subscriber)
        .select_related("node__plan", "node__level")
        .order_by("node__plan__code", "node__path")
    )
    return UnsubscribePage(
        address=subscriber.address,
        follows=tuple(
            Followed(
                plan_title=follow.node.plan.title,
                node=node_ref(follow.node),
                url=reverse("portal:node", args=[follow.node.plan.code, follow.node.code]),
            )
            for follow in follows
        ),
    )
