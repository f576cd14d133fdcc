"""The mails of a publication to the addresses that follow what it made public.

One job per publication (queued when its transaction commits,
``shinchoku.follow.services.publications``), and one mail per address: an address
that follows several of the nodes a round published gets one mail that lists them all.
Each mail carries its address's unsubscribe link, visible in the text and as the
``List-Unsubscribe`` header with ``List-Unsubscribe-Post`` (RFC 8058), so that a mail
program can offer a one-click unsubscribe.

A publication's mails are sent once: the job first marks the publication notified, and a
second run of it finds it so and sends nothing. A mail server that fails the job leaves
the rest unsent (the log says so); a publication is news of the day, not worth a second
mail to those who had the first.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from shinchoku.follow.links import one_line, site_link, unsubscribe_link
from shinchoku.follow.models import Follow, Publication, PublicationEntry
from shinchoku.follow.selectors import part_of_page, what_was_published

logger = logging.getLogger("shinchoku.follow")

#: Mails handed to the mail server per connection call.
BATCH = 100


def _line(row: PublicationEntry, publication: Publication) -> str:
    node = row.node
    assert node is not None
    name = f"{node.label} {node.title}" if node.label else node.title
    rated = node.level.rated
    what = what_was_published(row.kind, count=row.count, fiscal_year=publication.fiscal_year, one_node=rated)
    path = reverse("portal:node", args=[publication.plan.code, node.code])
    if rated:
        path += part_of_page(row.kind, publication.fiscal_year)
    return f"・{name}\n  {what}\n  {site_link(path)}"


def _in_print(row: PublicationEntry) -> tuple[int, tuple[tuple[int, str], ...]]:
    """Where a row's node comes in a list: plan areas first, then programmes, then
    measures, each level by code, its numbers compared as numbers (9-2 before 9-10)."""
    node = row.node
    assert node is not None
    parts = re.split(r"(\d+)", node.code)
    return node.level.depth, tuple((int(part), "") if part.isdigit() else (-1, part) for part in parts)


def _mail(publication: Publication, key: str, address: str, lines: list[str]) -> EmailMessage:
    link = unsubscribe_link(key)
    facts = {"plan": publication.plan.title, "site": settings.SITE_URL, "unsubscribe": link}
    subject = one_line(_("[Shinchoku] Newly published: %(plan)s") % facts)
    intro = _("The city has published something new in %(plan)s for the pages you follow:") % facts
    footer = _(
        "You get this mail because you confirmed following these pages on %(site)s. "
        "To stop all these mails and have your address deleted, open this link and press "
        "the button:\n%(unsubscribe)s"
    )
    # The footer after the signature separator ("-- " on a line of its own).
    body = "\n\n".join([intro, *lines]) + "\n\n-- \n" + footer % facts
    return EmailMessage(
        subject,
        body,
        to=[address],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def notifications(publication: Publication) -> Iterator[EmailMessage]:
    """One mail for each address that follows a node the publication lists, in the
    site's language (to be called with it active). Reads the followed rows once, then the
    follows in chunks."""
    followed = Follow.objects.values("node_id")
    rows: defaultdict[int, list[PublicationEntry]] = defaultdict(list)
    for row in (
        PublicationEntry.objects.filter(publication=publication, node_id__in=followed)
        .select_related("node__level")
        .order_by("kind")
    ):
        assert row.node_id is not None
        rows[row.node_id].append(row)
    follows = (
        Follow.objects.filter(node_id__in=list(rows))
        .select_related("subscriber")
        .order_by("subscriber_id")
        .iterator(chunk_size=2000)
    )
    for _subscriber, theirs in itertools.groupby(follows, key=lambda follow: follow.subscriber_id):
        mine = sorted(theirs, key=lambda follow: _in_print(rows[follow.node_id][0]))
        subscriber = mine[0].subscriber
        lines = [_line(row, publication) for follow in mine for row in rows[follow.node_id]]
        yield _mail(publication, subscriber.key, subscriber.address, lines)


def _batches(mails: Iterable[EmailMessage]) -> Iterator[list[EmailMessage]]:
    iterator = iter(mails)
    while batch := list(itertools.islice(iterator, BATCH)):
        yield batch


def notifications_send(publication_id: int) -> int:
    """Send the mails of publication ``publication_id``, once; the number sent."""
    claimed = Publication.objects.filter(pk=publication_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        logger.info("publication %s: its mails were sent already, or it is gone", publication_id)
        return 0
    publication = Publication.objects.select_related("plan").get(pk=publication_id)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE), get_connection() as connection:
        for batch in _batches(notifications(publication)):
            sent += connection.send_messages(batch) or 0
    logger.info("publication %s: %d notification mails sent", publication_id, sent)
    return sent


@task()
def publication_notify(publication_id: int) -> int:
    return notifications_send(publication_id)
