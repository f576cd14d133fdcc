"""The one base of the errors the application raises to refuse what a person asked for.

An error says *what kind* of refusal it is (``code``, one of ``ErrorCode``) and says it
to the person (``message``); it never decides how the web answers. ``http_status`` is
the one place that turns a code into an HTTP status, for every view alike.

Each domain subclasses ``ApplicationError`` and names in its class body the kind of
refusal it is (``code = ErrorCode.…``); one error may be raised with another code where
it says something else (a workbook of a unit that does not exist is ``NOT_FOUND``). An
error that is said in its message alone derives from ``Refusal``. The review's errors
also carry their field errors and conflicts, an import's its preview.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise


class ErrorCode(StrEnum):
    #: The person's roles, the object's state, or the rules do not allow the action.
    NOT_ALLOWED = "not_allowed"
    #: The round no longer takes changes (closed), or does not take this one.
    ROUND_CLOSED = "round_closed"
    #: The round's deadline has passed for a first submission.
    PAST_DEADLINE = "past_deadline"
    #: Someone changed the object since the person read it.
    STALE_VERSION = "stale_version"
    #: The input is refused; the error says why, per field or per place in a file.
    INVALID = "invalid"
    #: The object asked for does not exist (or is not visible to the person).
    NOT_FOUND = "not_found"
    #: The data holds something the operation cannot carry (e.g. a text no spreadsheet
    #: cell holds); nothing was changed.
    CONFLICT = "conflict"
    #: The installation cannot do it now: a file cannot be written, a program or font it
    #: needs is missing. Nothing the person asked for is wrong.
    UNAVAILABLE = "unavailable"


#: How the web answers each code.
HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID: 400,
    ErrorCode.NOT_ALLOWED: 403,
    ErrorCode.PAST_DEADLINE: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.ROUND_CLOSED: 409,
    ErrorCode.STALE_VERSION: 409,
    ErrorCode.CONFLICT: 409,
    ErrorCode.UNAVAILABLE: 503,
}


class ApplicationError(Exception):
    """A refusal: ``code`` for programs, ``message`` for people. A subclass names its
    kind of refusal in ``code``; ``tests/test_errors.py`` checks that each does and that
    ``HTTP_STATUS`` answers it."""

    #: The kind of refusal an error of this class is, unless it is raised with another;
    #: each subclass sets it.
    code: ErrorCode

    def __init__(self, code: ErrorCode, message: str | Promise) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class Refusal(ApplicationError):
    """An application error said in its message alone, of its class's ``code`` unless
    raised with another (``code=``)."""

    def __init__(self, message: str | Promise, *, code: ErrorCode | None = None) -> None:
        super().__init__(code or type(self).code, message)


def http_status(error: ApplicationError) -> int:
    """The HTTP status a view answers ``error`` with."""
    return HTTP_STATUS[error.code]
