"""The e-mail follow of a citizen: a double opt-in, with nothing stored before it is
confirmed (docs/follow.md).

1. ``follow_request``: a person gives an address on a node's page. A mail is sent to it
   at once with a confirmation link, whose token (``confirmation_token``) holds the
   address and the node, signed with the site's key and valid ``FOLLOW_CONFIRM_HOURS``.
   Nothing is written: not the address, not that it was asked. The mail is sent by the
   request itself rather than queued, because the job queue keeps the arguments of its
   tasks in a table, and the address must not be kept anywhere before it is confirmed.
   The answer is the same whether the address follows the node already or not.
2. ``confirmation_read``: the link, opened, shows what will be followed and a button; a
   program that fetches the links of a mail to check them (a GET) subscribes no one.
3. ``follow_confirm``: the button (a POST) stores the address (``Subscriber``) and the
   node it follows (``Follow``).
4. ``follow_end``: the unsubscribe link of every mail (a POST, one click: RFC 8058)
   deletes the address and everything it follows.

Nothing here logs an address: a refused mail is logged by the kind of its error only
(an SMTP error's text may name the recipient).
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shinchoku.errors import ErrorCode, Refusal
from shinchoku.follow.links import confirm_link, one_line
from shinchoku.follow.models import Follow, Subscriber
from shinchoku.plans.models import Node

logger = logging.getLogger("shinchoku.follow")

#: What a confirmation token is signed for: no other signed value of the site is one.
SIGNED_FOR = "shinchoku.follow.confirm"


class FollowError(Refusal):
    """A follow that cannot be done: a confirmation link expired or altered, a page that
    no longer exists, a mail that cannot be sent now."""

    code = ErrorCode.INVALID


@dataclass(frozen=True)
class Confirmation:
    """What a valid confirmation link asks: ``address`` to follow ``node``."""

    address: str
    node: Node


def follow_by_mail() -> bool:
    """Whether the site offers the e-mail follow: ``FOLLOW_BY_MAIL``, and ``SITE_URL``
    for the links of the mails."""
    return bool(settings.FOLLOW_BY_MAIL and settings.SITE_URL)


def normalized(address: str) -> str:
    """The address as kept: without surrounding spaces, its domain in lower case."""
    return BaseUserManager.normalize_email(address.strip())


def confirmation_token(address: str, node: Node) -> str:
    """The signed token of a confirmation link: the address and the node's id."""
    return signing.dumps({"a": normalized(address), "n": node.pk}, salt=SIGNED_FOR)


def confirmation_read(token: str) -> Confirmation:
    """What the token of a confirmation link asks, or a ``FollowError`` that says why it
    cannot be used: expired, altered (or not a token), or its page gone."""
    try:
        value = signing.loads(token, salt=SIGNED_FOR, max_age=timedelta(hours=settings.FOLLOW_CONFIRM_HOURS))
    except signing.SignatureExpired as error:
        raise FollowError(
            _("This confirmation link has expired. Ask again from the page you wanted to follow.")
        ) from error
    except signing.BadSignature as error:
        raise FollowError(
            _(
                "This confirmation link is not valid: it may have been cut or changed. Copy the whole link "
                "from the mail, or ask again from the page you wanted to follow."
            )
        ) from error
    if not (isinstance(value, dict) and isinstance(value.get("a"), str) and isinstance(value.get("n"), int)):
        raise FollowError(_("This confirmation link is not valid."))
    node = Node.objects.select_related("plan", "level").filter(pk=value["n"]).first()
    if node is None:
        raise FollowError(_("The page this link would follow no longer exists."), code=ErrorCode.NOT_FOUND)
    return Confirmation(address=value["a"], node=node)


def _node_name(node: Node) -> str:
    return f"{node.label} {node.title}" if node.label else node.title


def follow_request(address: str, node: Node) -> None:
    """Send ``address`` the mail that asks it to confirm following ``node``; store
    nothing. A ``FollowError`` (unavailable) when the mail server does not take it."""
    token = confirmation_token(address, node)
    link = confirm_link(token)
    with translation.override(settings.LANGUAGE_CODE):
        facts = {
            "node": _node_name(node),
            "plan": node.plan.title,
            "hours": settings.FOLLOW_CONFIRM_HOURS,
            "link": link,
            "site": settings.SITE_URL,
        }
        subject = one_line(_("[Shinchoku] Confirm following %(node)s") % facts)
        body = (
            _(
                "Someone, you we hope, asked on %(site)s to be sent a mail at this address when the "
                "city publishes something new for:\n\n  %(node)s (%(plan)s)\n\n"
                "To confirm, open this link within %(hours)s hours and press the button on the page:\n\n"
                "%(link)s\n\n"
                "If you did not ask for it, ignore this mail: the address has not been kept, and "
                "nothing more will be sent to it."
            )
            % facts
        )
    headers = {"Auto-Submitted": "auto-generated"}
    message = EmailMessage(subject, body, to=[normalized(address)], headers=headers)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("a confirmation mail was not sent: %s", type(error).__name__)
        raise FollowError(
            _("The confirmation mail could not be sent just now. Please try again later."),
            code=ErrorCode.UNAVAILABLE,
        ) from error
    logger.info("a confirmation mail was sent for node %s", node.pk)


@transaction.atomic
def follow_confirm(confirmation: Confirmation) -> Follow:
    """Store the address of ``confirmation`` and the node it follows (again: nothing
    changes)."""
    now = timezone.now()
    subscriber, _created = Subscriber.objects.get_or_create(
        address=confirmation.address,
        defaults={"key": secrets.token_urlsafe(32), "confirmed_at": now},
    )
    follow, _created = Follow.objects.get_or_create(
        subscriber=subscriber, node=confirmation.node, defaults={"confirmed_at": now}
    )
    logger.info("a follow of node %s was confirmed", confirmation.node.pk)
    return follow


def follow_end(key: str) -> bool:
    """Delete the address whose unsubscribe key is ``key``, with everything it follows;
    whether there was one."""
    deleted, _rows = Subscriber.objects.filter(key=key).delete() if key else (0, {})
    if deleted:
        logger.info("an address was unsubscribed")
    return bool(deleted)
