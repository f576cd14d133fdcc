"""Writes of following: what a round's publication made public, recorded as it happens
(``publications``), and the e-mail follow of a citizen, from the request to the
unsubscribe (``subscriptions``)."""

from shinchoku.follow.services.publications import publication_record, publication_recorded
from shinchoku.follow.services.subscriptions import (
    Confirmation,
    FollowError,
    confirmation_read,
    confirmation_token,
    follow_by_mail,
    follow_confirm,
    follow_end,
    follow_request,
)

__all__ = [
    "Confirmation",
    "FollowError",
    "confirmation_read",
    "confirmation_token",
    "follow_by_mail",
    "follow_confirm",
    "follow_end",
    "follow_request",
    "publication_record",
    "publication_recorded",
]
