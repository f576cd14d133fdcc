"""E-mail notices of the review cycle, sent with Django's mail framework once the
change that causes them is committed (``robust``: a mail failure is logged, never
undoes or hides the change). Mails are written in the site's language."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from shinchoku import fiscal
from shinchoku.accounts.models import StaffRole
from shinchoku.accounts.permissions import node_editor_ids
from shinchoku.plans.models import Node
from shinchoku.review.models import Entry, Round

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger("shinchoku.review")


def _addresses(users: Iterable[User]) -> list[str]:
    return sorted({user.email for user in users if user.is_active and user.email})


def node_editors(node: Node) -> list[User]:
    """Active users who may write ``node``: editors of a responsible unit or of a unit above it."""
    ids = node_editor_ids([node.pk]).get(node.pk, set())
    return list(get_user_model().objects.filter(pk__in=ids))


def users(ids: Iterable[int]) -> list[User]:
    return list(get_user_model().objects.filter(pk__in=list(ids), is_active=True))


def staff_members() -> list[User]:
    return list(
        get_user_model().objects.filter(is_active=True, staff_roles__in=StaffRole.objects.all()).distinct()
    )


def _schedule(addresses: list[str], compose: Callable[[], tuple[str, str]]) -> None:
    """Send one mail to each address after the current transaction commits."""
    if not addresses:
        return

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = compose()
        send_mass_mail([(subject, body, None, [address]) for address in addresses])
        logger.info("sent %r to %d recipients", subject, len(addresses))

    transaction.on_commit(send, robust=True)


def _link(path: str) -> str:
    """The address of a page as a line to end a mail with; empty without ``SITE_URL``."""
    return f"\n\n{settings.SITE_URL}{path}" if settings.SITE_URL else ""


def _entry_link(entry: Entry) -> str:
    return _link(reverse("staff:entry", kwargs={"entry_id": entry.pk}))


def _entry_facts(entry: Entry) -> dict[str, str]:
    return {
        "node": f"{entry.node.code} {entry.node.title}",
        "plan": entry.round.plan.title,
        "year": fiscal.both_labels(entry.round.fiscal_year),
    }


def entry_returned(entry: Entry, *, actor: User, comment: str) -> None:
    facts = {**_entry_facts(entry), "actor": actor.get_username(), "comment": comment}
    link = _entry_link(entry)

    def compose() -> tuple[str, str]:
        return (
            gettext("[Shinchoku] Returned for revision: %(node)s, %(year)s") % facts,
            gettext(
                "%(actor)s returned the entry for %(node)s (%(plan)s, %(year)s) with this comment:\n\n"
                "%(comment)s\n\nPlease revise it and submit it again."
            )
            % facts
            + link,
        )

    _schedule(_addresses(node_editors(entry.node)), compose)


def entry_approved(entry: Entry, *, actor: User) -> None:
    facts = {**_entry_facts(entry), "actor": actor.get_username()}
    link = _entry_link(entry)

    def compose() -> tuple[str, str]:
        return (
            gettext("[Shinchoku] Approved: %(node)s, %(year)s") % facts,
            gettext(
                "%(actor)s approved the entry for %(node)s (%(plan)s, %(year)s). "
                "It becomes public when the round is published."
            )
            % facts
            + link,
        )

    _schedule(_addresses(node_editors(entry.node)), compose)


def round_published(round_: Round, *, count: int) -> None:
    facts = {
        "plan": round_.plan.title,
        "year": fiscal.both_labels(round_.fiscal_year),
        "count": count,
    }

    def compose() -> tuple[str, str]:
        return (
            gettext("[Shinchoku] Published: %(plan)s, %(year)s") % facts,
            gettext(
                "%(count)s entries of the %(year)s round of %(plan)s have been published. "
                "The public pages, the report and the open data now show them."
            )
            % facts,
        )

    _schedule(_addresses(staff_members()), compose)


def deadline_near(round_: Round, recipient: User, entries: list[Entry]) -> None:
    facts = {
        "plan": round_.plan.title,
        "year": fiscal.both_labels(round_.fiscal_year),
        "deadline": round_.deadline.isoformat(),
        "entries": "\n".join(f"- {entry.node.code} {entry.node.title}" for entry in entries),
    }
    link = _link(reverse("staff:home"))

    def compose() -> tuple[str, str]:
        return (
            gettext("[Shinchoku] Deadline %(deadline)s: %(plan)s, %(year)s") % facts,
            gettext(
                "The deadline of the %(year)s round of %(plan)s is %(deadline)s. "
                "These entries of your section are not submitted yet:\n\n%(entries)s"
            )
            % facts
            + link,
        )

    _schedule(_addresses([recipient]), compose)
