"""The id of the request being answered, for every log record written while it is.

The id comes from the request's ``X-Request-ID`` header when a proxy in front set a sane
one (so that its log and ours can be joined), else it is made here; it is kept in a
context variable for the time of the request and added to each log record by
``RequestIdFilter``. This module imports nothing of Django: gunicorn's master process
loads the same logging configuration before Django is set up.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

#: The header a proxy in front may set, and that every response carries.
HEADER = "X-Request-ID"
#: What an id taken from a request may look like: letters, digits and ``-_.:``, at most
#: 128 characters. Anything else (a line break that would forge a log line, a kilobyte of
#: text) is replaced by an id made here.
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

_current: ContextVar[str | None] = ContextVar("shinchoku_request_id", default=None)


def request_id_from(header: str | None) -> str:
    """The id for a request that came with ``header`` as its X-Request-ID: the header when
    it is sane, else a new random one (32 hexadecimal digits)."""
    if header and SANE_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request being answered in this thread, or None outside a request."""
    return _current.get()


def set_request_id(value: str | None) -> object:
    """Makes ``value`` the current request id; returns the token that ``reset_request_id``
    takes to restore the one before."""
    return _current.set(value)


def reset_request_id(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (None outside a request) to every record that passes, so that
    the JSON logs carry it and the text format can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True
