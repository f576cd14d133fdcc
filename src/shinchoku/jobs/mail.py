"""Mail sent by the queue: a request that causes a notice only queues it, and a worker
talks to the mail server, so a slow or absent server never holds a page up. A mail the
server refuses fails its run, which the log and the queue's admin page show."""

from __future__ import annotations

import logging

from django.core.mail import send_mass_mail
from django_tasks import task

logger = logging.getLogger("shinchoku.jobs")


@task()
def mail_send(messages: list[tuple[str, str, str | None, list[str]]]) -> int:
    """Send ``messages`` (subject, body, sender or None for the default, recipients), each
    on its own; the number sent."""
    sent = send_mass_mail([(subject, body, sender, list(to)) for subject, body, sender, to in messages])
    logger.info("sent %d of %d mails", sent, len(messages))
    return sent
