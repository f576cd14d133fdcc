"""Whether this web process can serve: the database answers a real query.

Read by the load balancer, the container runtime and the service manager through
``/healthz`` (``shinchoku.ops.middleware.HealthCheckMiddleware``)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    ok: bool
    #: Seconds the database took to answer (or to fail).
    seconds: float
    #: Why the site cannot serve, in a line that names no host, user or file; empty when ok.
    reason: str = ""

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "status": "ok" if self.ok else "unavailable",
            "database": "ok" if self.ok else "unavailable",
            "database_ms": round(self.seconds * 1000, 1),
        }
        if self.reason:
            body["reason"] = self.reason
        return body


def database_health(alias: str = "default") -> Health:
    """Connects to the database afresh and reads one row of the table every installed
    database has (the applied migrations). A fresh connection, not the one this process
    kept from its last request: the question is whether the next request can be served,
    and a kept SQLite connection would go on answering from its page cache after the file
    became unreadable. A connection that holds a transaction is never closed (there is
    none in a request to /healthz; there is in a test). The full error goes to the log;
    the answer names only its kind."""
    connection = connections[alias]
    fresh = not connection.in_atomic_block
    started = time.monotonic()
    try:
        if fresh:
            connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM django_migrations LIMIT 1")
            row = cursor.fetchone()
        if row is None:
            return Health(False, time.monotonic() - started, "the database has no applied migrations")
    except DatabaseError as error:
        logger.error("health check: the database %r does not answer: %s", alias, error)
        return Health(
            False, time.monotonic() - started, f"the database does not answer ({type(error).__name__})"
        )
    finally:
        # The next request opens its own connection; nothing is kept half-used.
        if fresh:
            _close_quietly(alias)
    return Health(True, time.monotonic() - started)


def _close_quietly(alias: str) -> None:
    try:
        connections[alias].close()
    except DatabaseError:
        # Closing a connection to a database that went away: nothing left to close.
        logger.debug("closing the connection to %r after the health check failed", alias)
