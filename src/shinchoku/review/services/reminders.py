"""The deadline reminders: a system job, run daily."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import transaction

from shinchoku.accounts.permissions import node_editor_ids
from shinchoku.review import notices
from shinchoku.review.models import DeadlineNotice, Entry, Round
from shinchoku.review.workflow import OUTSTANDING_STATES, ROUND_STATES_TAKING_CHANGES

logger = logging.getLogger("shinchoku.review")

#: Days before the deadline from which the reminder is sent.
DEADLINE_NOTICE_DAYS = 3


@transaction.atomic
def deadline_notices_send(*, today: date) -> list[DeadlineNotice]:
    """Remind each editor whose entries are still to be submitted, once per round, when
    the round's deadline is at most ``DEADLINE_NOTICE_DAYS`` days away. What was sent is
    recorded, so running this again (the same day or later) sends nothing twice. A system
    job: no actor."""
    rounds = Round.objects.filter(
        state__in=ROUND_STATES_TAKING_CHANGES,
        deadline__gte=today,
        deadline__lte=today + timedelta(days=DEADLINE_NOTICE_DAYS),
    ).select_related("plan")
    sent: list[DeadlineNotice] = []
    for round_ in rounds:
        outstanding = list(
            Entry.objects.filter(round=round_, state__in=OUTSTANDING_STATES)
            .select_related("node")
            .order_by("node__path")
        )
        editors = node_editor_ids(entry.node_id for entry in outstanding)
        by_user: dict[int, list[Entry]] = {}
        for entry in outstanding:
            for user_id in editors.get(entry.node_id, set()):
                by_user.setdefault(user_id, []).append(entry)
        already = set(DeadlineNotice.objects.filter(round=round_).values_list("recipient_id", flat=True))
        users = {user.pk: user for user in notices.users(by_user.keys() - already)}
        for user_id, user in sorted(users.items()):
            if not user.email:
                logger.warning("no deadline notice for %s: the account has no e-mail address", user)
                continue
            entries = by_user[user_id]
            sent.append(
                DeadlineNotice.objects.create(
                    round=round_, recipient=user, sent_on=today, entries=len(entries)
                )
            )
            notices.deadline_near(round_, user, entries)
    return sent
