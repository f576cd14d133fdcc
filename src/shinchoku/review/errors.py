"""The one error type of the review services. Views map it to a message once:
``code`` says what kind of refusal it is, ``message`` says it to the person, and
``field_errors`` / ``conflicts`` carry what a form shows beside its fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise


class ReviewErrorCode(StrEnum):
    #: The actor's roles, or the entry's state, do not allow the action.
    NOT_ALLOWED = "not_allowed"
    #: The round no longer takes changes (closed), or does not take this one.
    ROUND_CLOSED = "round_closed"
    #: The round's deadline has passed for a first submission.
    PAST_DEADLINE = "past_deadline"
    #: Someone changed the entry since the actor read it; ``conflicts`` says what.
    STALE_VERSION = "stale_version"
    #: The input is refused; ``field_errors`` says why, per field.
    INVALID = "invalid"


@dataclass(frozen=True)
class Conflict:
    """A field someone else changed after the version the actor read."""

    field: str
    before: Any
    after: Any
    #: User names of those who changed it, in order.
    by: tuple[str, ...]
    at: datetime


class ReviewError(Exception):
    def __init__(
        self,
        code: ReviewErrorCode,
        message: str | Promise,
        *,
        field_errors: Mapping[str, Sequence[str | Promise]] | None = None,
        conflicts: Sequence[Conflict] = (),
        current_version: int | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field_errors = {
            field: [str(m) for m in messages] for field, messages in (field_errors or {}).items()
        }
        self.conflicts = tuple(conflicts)
        self.current_version = current_version

    def __str__(self) -> str:
        return str(self.message)
