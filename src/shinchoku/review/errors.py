"""The error of the review services: an ``ApplicationError`` (``shinchoku.errors``) that
also carries what the entry page shows beside its fields. ``code`` says what kind of
refusal it is (one of ``ErrorCode``), ``message`` says it to the person, and
``field_errors`` / ``conflicts`` / ``current_version`` carry what a form shows beside its
fields. The views turn the code into an HTTP status with ``shinchoku.errors.http_status``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.functional import Promise

from shinchoku.errors import ApplicationError, ErrorCode


@dataclass(frozen=True)
class Conflict:
    """A field someone else changed after the version the actor read."""

    field: str
    before: Any
    after: Any
    #: User names of those who changed it, in order.
    by: tuple[str, ...]
    at: datetime


class ReviewError(ApplicationError):
    """A refusal of the review's services; raised with the code that says which."""

    code = ErrorCode.NOT_ALLOWED

    def __init__(
        self,
        code: ErrorCode,
        message: str | Promise,
        *,
        field_errors: Mapping[str, Sequence[str | Promise]] | None = None,
        conflicts: Sequence[Conflict] = (),
        current_version: int | None = None,
    ) -> None:
        super().__init__(code, message)
        self.field_errors = {
            field: [str(m) for m in messages] for field, messages in (field_errors or {}).items()
        }
        self.conflicts = tuple(conflicts)
        self.current_version = current_version
