"""E-mail notices of the review cycle, sent with Django's mail framework once the
change that causes them is committed (``robust``: a mail failure is logged, never
undoes or hides the change). Mails are written in the site's language."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from shinchoku import fiscal
from shinchoku.accounts.models import StaffRole
from shinchoku.accounts.permissions import node_editor_ids
from shinchoku.jobs.mail import mail_send
from shinchoku.plans.models import Node
from shinchoku.review.models import Entry, Round

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrPromise

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


def _schedule(
    addresses: list[str], subject: StrPromise, body: StrPromise, facts: Mapping[str, object], link: str = ""
) -> None:
    """Send one mail to each address after the current transaction commits: ``subject``
    and ``body`` in the site's language filled in with ``facts``, the body ended by ``link``."""
    if not addresses:
        return

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject_text, body_text = str(subject) % facts, str(body) % facts + link
        # A worker sends them (shinchoku.jobs.mail): the mail server never holds the request up.
        mail_send.enqueue([(subject_text, body_text, None, [address]) for address in addresses])
        logger.info("queued %r to %d recipients", subject_text, len(addresses))

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


def _tell_editors(entry: Entry, subject: StrPromise, body: StrPromise, **facts: str) -> None:
    """Mail the editors of the entry's node about it, with a link to the entry."""
    addresses = _addresses(node_editors(entry.node))
    _schedule(addresses, subject, body, {**_entry_facts(entry), **facts}, _entry_link(entry))


def entry_returned(entry: Entry, *, actor: User, comment: str) -> None:
    _tell_editors(
        entry,
        gettext_lazy("[Shinchoku] Returned for revision: %(node)s, %(year)s"),
        gettext_lazy(
            "%(actor)s returned the entry for %(node)s (%(plan)s, %(year)s) with this comment:\n\n"
            "%(comment)s\n\nPlease revise it and submit it again."
        ),
        actor=actor.get_username(),
        comment=comment,
    )


def entry_approved(entry: Entry, *, actor: User) -> None:
    _tell_editors(
        entry,
        gettext_lazy("[Shinchoku] Approved: %(node)s, %(year)s"),
        gettext_lazy(
            "%(actor)s approved the entry for %(node)s (%(plan)s, %(year)s). "
            "It becomes public when the round is published."
        ),
        actor=actor.get_username(),
    )


def round_published(round_: Round, *, count: int) -> None:
    _schedule(
        _addresses(staff_members()),
        gettext_lazy("[Shinchoku] Published: %(plan)s, %(year)s"),
        gettext_lazy(
            "%(count)s entries of the %(year)s round of %(plan)s have been published. "
            "The public pages, the report and the open data now show them."
        ),
        {"plan": round_.plan.title, "year": fiscal.both_labels(round_.fiscal_year), "count": count},
    )


def deadline_near(round_: Round, recipient: User, entries: list[Entry]) -> None:
    facts = {
        "plan": round_.plan.title,
        "year": fiscal.both_labels(round_.fiscal_year),
        "deadline": round_.deadline.isoformat(),
        "entries": "\n".join(f"- {entry.node.code} {entry.node.title}" for entry in entries),
    }
    _schedule(
        _addresses([recipient]),
        gettext_lazy("[Shinchoku] Deadline %(deadline)s: %(plan)s, %(year)s"),
        gettext_lazy(
            "The deadline of the %(year)s round of %(plan)s is %(deadline)s. "
            "These entries of your section are not submitted yet:\n\n%(entries)s"
        ),
        facts,
        _link(reverse("staff:home")),
    )
