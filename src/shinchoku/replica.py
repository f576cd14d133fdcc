"""A PostgreSQL read replica for the public pages (docs/deploy.md, "A read replica").

With ``DATABASE_REPLICA_URL`` set, settings.py adds a second database alias, ``replica``,
and installs ``ReplicaRouter``. The public pages, the report downloads and the open data
are read all year by anyone, and the staff's few busy weeks must not wait behind them: a
view marked ``@reads_from_replica`` reads the site's published data from the replica.

Everything else uses the primary: the staff pages, every write, reads inside a
transaction, and, even inside a public view, the tables that are not the plan's data
(users, sessions, the sign-in lockout, the cache, the job queue). A replica runs a moment
behind the primary; a person who has just saved, signed in or been counted by the search
rate limit must never be looked up on a copy that has not seen it yet.

The flag is request-scoped (a context variable, set for the duration of the view), so it
holds for the thread or task serving that request only. Without ``DATABASE_REPLICA_URL``
there is no router and nothing here runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

#: The alias of the replica in ``DATABASES``.
REPLICA = "replica"

#: The package whose apps hold the published data (``shinchoku.plans`` …); Django's own
#: apps and third-party ones (auth, sessions, axes, the cache table, the task queue) are
#: never read from the replica.
DATA_PACKAGE = "shinchoku."

_public_read: ContextVar[bool] = ContextVar("shinchoku_public_read", default=False)

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def public_reads() -> Iterator[None]:
    """While inside, reads of published data may go to the replica."""
    token = _public_read.set(True)
    try:
        yield
    finally:
        _public_read.reset(token)


def reads_from_replica(view: Callable[P, R]) -> Callable[P, R]:
    """Marks a public, read-only view: while it runs (its template rendered inside it),
    the plan's data is read from the replica when there is one."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with public_reads():
            return view(*args, **kwargs)

    return wrapped


def _is_published_data(model: type[Model]) -> bool:
    config = getattr(model._meta, "app_config", None)
    return config is not None and config.name.startswith(DATA_PACKAGE)


class ReplicaRouter:
    """Sends reads of published data inside a public view to ``replica``, every other
    query to ``default``; migrations run on ``default`` only (the replica receives them
    by replication)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if not _public_read.get() or not _is_published_data(model):
            return DEFAULT_DB_ALIAS
        # Inside a transaction the view reads what it may have just written.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The two aliases hold the same database: an object read from one may point to one
        # read from the other.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def replica_database(url: str, primary: Mapping[str, Any]) -> dj_database_url.DBConfig:
    """The ``DATABASES`` entry of the replica at ``url`` beside the ``primary`` entry.

    The replica must be PostgreSQL, as the primary: a SQLite file has no replica. Its
    connections are opened read-only, so that a write sent there by mistake fails
    instead of going unnoticed. In the test suite it mirrors the primary's test database
    (``TEST["MIRROR"]``) instead of getting one of its own."""
    try:
        config = dj_database_url.parse(
            url,
            conn_max_age=primary.get("CONN_MAX_AGE", 0),
            conn_health_checks=primary.get("CONN_HEALTH_CHECKS", False),
        )
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL is not a database URL: {error}") from error
    engine = config.get("ENGINE", "")
    if "postgresql" not in engine or primary.get("ENGINE") != engine:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL must name a PostgreSQL database, and DATABASE_URL a PostgreSQL "
            f"primary (DATABASE_URL is {primary.get('ENGINE')}, "
            f"DATABASE_REPLICA_URL is {engine or 'unknown'})"
        )
    options = dict(config.get("OPTIONS") or {})
    options["options"] = " ".join(
        part for part in (options.get("options", ""), "-c default_transaction_read_only=on") if part
    )
    config["OPTIONS"] = options
    config["TEST"] = {"MIRROR": DEFAULT_DB_ALIAS}
    return config
