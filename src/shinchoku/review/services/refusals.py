"""The errors the review services raise: made here, and logged on the ``shinchoku.review``
logger (who was refused what, and why) as they are made."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shinchoku.audit.selectors import audit_history
from shinchoku.errors import ErrorCode
from shinchoku.review.decisions import Refusal
from shinchoku.review.errors import Conflict, ReviewError
from shinchoku.review.models import Action, Entry

logger = logging.getLogger("shinchoku.review")


def refuse(
    code: ErrorCode,
    message: str | Promise,
    *,
    actor: Any,
    subject: object,
    field_errors: Mapping[str, list[str | Promise]] | None = None,
    conflicts: tuple[Conflict, ...] = (),
    current_version: int | None = None,
) -> ReviewError:
    """The error to raise, logged: who was refused what, and why."""
    error = ReviewError(
        code, message, field_errors=field_errors, conflicts=conflicts, current_version=current_version
    )
    logger.warning(
        "refused %s on %s by %s: %s%s",
        code,
        subject,
        actor.get_username() if getattr(actor, "is_authenticated", False) else "anonymous",
        error,
        f" {error.field_errors}" if error.field_errors else "",
        extra={"review_error_code": str(code)},
    )
    return error


def refused(refusal: Refusal, *, actor: Any, subject: object) -> ReviewError:
    """The error to raise for a refusal of ``review.decisions``, logged."""
    return refuse(refusal.code, refusal.message, actor=actor, subject=subject)


def stale(entry: Entry, expected_version: int, *, actor: Any) -> ReviewError:
    """A stale_version error naming what was changed after ``expected_version``."""
    merged: dict[str, list[Any]] = {}
    for event in audit_history(entry).filter(subject_version__gt=expected_version):
        for name, change in event.changes.items():
            if name not in merged:
                merged[name] = [change.get("before"), change.get("after"), [], event.created_at]
            item = merged[name]
            item[1] = change.get("after")
            item[3] = event.created_at
            if event.actor_name not in item[2]:
                item[2].append(event.actor_name)
    conflicts = tuple(
        Conflict(field=name, before=before, after=after, by=tuple(by), at=at)
        for name, (before, after, by, at) in merged.items()
        if before != after
    )
    current = Entry.objects.filter(pk=entry.pk).values_list("version", flat=True).first()
    return refuse(
        ErrorCode.STALE_VERSION,
        _(
            "Someone else changed this entry after you opened it (you had version %(yours)s; "
            "it is now version %(current)s). Nothing of yours was saved: look at their "
            "changes, then make yours again."
        )
        % {"yours": expected_version, "current": current},
        actor=actor,
        subject=entry,
        conflicts=conflicts,
        current_version=current,
    )


#: What a refusal of invalid input says, by the action refused: the action that failed,
#: not only that the entry could not be saved.
INVALID_MESSAGES: dict[Action, Promise] = {
    Action.SAVE: _("The entry could not be saved: see the marked fields."),
    Action.SUBMIT: _("The entry could not be submitted: see the marked fields."),
    Action.RETURN: _("The entry could not be returned to the section: see the marked fields."),
    Action.APPROVE: _("The entry could not be approved: see the marked fields."),
    Action.REOPEN: _("The entry could not be reopened: see the marked fields."),
    Action.RESTORE: _("The earlier version could not be restored:"),
}


def invalid(
    errors: Mapping[str, list[str | Promise]], *, action: Action, actor: Any, subject: object
) -> ReviewError:
    return refuse(
        ErrorCode.INVALID,
        INVALID_MESSAGES[action],
        actor=actor,
        subject=subject,
        field_errors=errors,
    )
