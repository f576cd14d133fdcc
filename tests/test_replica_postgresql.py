"""The read replica on PostgreSQL (docs/deploy.md, "A read replica"; shinchoku.replica).

A second alias, ``replica``, points at the same server and test database as ``default``
(``TEST["MIRROR"]``), as a replica holds the same rows; the queries each alias receives are
captured while a reader opens the public pages and while staff open theirs."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache.backends.db import DatabaseCache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from shinchoku.accounts.models import Role
from shinchoku.plans.models import Plan
from shinchoku.replica import REPLICA, public_reads, replica_database
from tests.factories import make_sample, make_staff

ROUTER = "shinchoku.replica.ReplicaRouter"
POSTGRES = "django.db.backends.postgresql"


@pytest.fixture(scope="module")
def replica_alias() -> Iterator[None]:
    """A ``replica`` alias on the same server and database as ``default``, and the
    router. Added before the test database is set up when this module runs first (Django
    then makes it a mirror), or pointed at the test database already set up."""
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    if primary["ENGINE"] != POSTGRES:
        pytest.skip("a read replica needs PostgreSQL")
    url = "postgres://{user}:{password}@{host}:{port}/{name}".format(
        user=quote(primary["USER"] or "", safe=""),
        password=quote(primary["PASSWORD"] or "", safe=""),
        host=primary["HOST"] or "localhost",
        port=primary["PORT"] or 5432,
        name=quote(primary["NAME"], safe=""),
    )
    configured = connections.configure_settings(
        {DEFAULT_DB_ALIAS: dict(primary), REPLICA: replica_database(url, primary)}
    )
    connections.settings[REPLICA] = configured[REPLICA]
    try:
        with override_settings(DATABASE_ROUTERS=[ROUTER]):
            yield
    finally:
        connections[REPLICA].close()
        if hasattr(connections._connections, REPLICA):
            del connections[REPLICA]
        del connections.settings[REPLICA]


def plan_tables(queries: list[dict[str, str]]) -> list[str]:
    return [q["sql"] for q in queries if '"plans_' in q["sql"] or '"progress_' in q["sql"]]


def public_pages() -> list[str]:
    return [
        reverse("portal:home"),
        reverse("portal:plan", args=["plan9"]),
        reverse("portal:node", args=["plan9", "9-1"]),
        reverse("portal:node", args=["plan9", "9-1-1"]),
        reverse("portal:search") + "?q=協働",
        reverse("portal:report_html", args=["plan9", 2012]),
        reverse("portal:opendata", args=["plan9"]),
    ]


@pytest.mark.parametrize("signed_in", [False, True], ids=["reader", "staff reading"])
@pytest.mark.usefixtures("replica_alias")
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_public_pages_read_the_plan_from_the_replica(signed_in: bool) -> None:
    make_sample()
    client = Client()
    if signed_in:
        client.force_login(make_staff(Role.ADMINISTRATOR))
    for address in public_pages():
        with (
            CaptureQueriesContext(connections[REPLICA]) as replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        ):
            response = client.get(address)
        assert response.status_code == 200, address
        assert plan_tables(replica.captured_queries), address
        assert plan_tables(primary.captured_queries) == [], address
        if signed_in:
            # The session and the user are read from the primary, which saw the sign-in.
            assert any('"django_session"' in q["sql"] for q in primary.captured_queries)
            assert not any('"auth_user"' in q["sql"] for q in replica.captured_queries)


@pytest.mark.usefixtures("replica_alias")
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_staff_pages_read_and_write_the_primary_only() -> None:
    make_sample()
    administrator = make_staff(Role.ADMINISTRATOR)
    User.objects.filter(pk=administrator.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(administrator)
    # A public page first, in the same thread: its flag must not outlive it.
    assert client.get(reverse("portal:plan", args=["plan9"])).status_code == 200
    pages = [reverse("staff:home"), reverse("staff:rounds"), reverse("admin:plans_plan_changelist")]
    for address in pages:
        with (
            CaptureQueriesContext(connections[REPLICA]) as replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        ):
            response = client.get(address)
        assert response.status_code == 200, address
        assert replica.captured_queries == [], address
        assert primary.captured_queries, address


@pytest.mark.usefixtures("replica_alias")
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_writes_and_reads_in_a_transaction_use_the_primary_even_in_a_public_view() -> None:
    sample = make_sample()
    with public_reads():
        with CaptureQueriesContext(connections[REPLICA]) as replica, transaction.atomic():
            Plan.objects.filter(pk=sample.plan.pk).update(title="改めた名前")
            # Read inside the transaction: the primary, which holds the change.
            assert Plan.objects.get(pk=sample.plan.pk).title == "改めた名前"
        assert replica.captured_queries == []
        # Outside it, the replica (here the same database) is read.
        with CaptureQueriesContext(connections[REPLICA]) as replica:
            assert Plan.objects.get(pk=sample.plan.pk).title == "改めた名前"
        assert len(replica.captured_queries) == 1


@pytest.mark.usefixtures("replica_alias")
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_the_replica_connection_refuses_writes() -> None:
    sample = make_sample()
    with pytest.raises(DatabaseError, match="read-only"):
        Plan.objects.using(REPLICA).filter(pk=sample.plan.pk).update(title="x")
    assert Plan.objects.get(pk=sample.plan.pk).title == sample.plan.title


@pytest.mark.usefixtures("replica_alias")
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_the_cache_table_is_read_on_the_primary_even_in_a_public_view() -> None:
    """The search rate limit counts in the cache: a count read from a replica that lags
    would let a client past it."""
    cache = DatabaseCache(settings.CACHES["default"].get("LOCATION", "shinchoku_cache"), {})
    with (
        public_reads(),
        CaptureQueriesContext(connections[REPLICA]) as replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
    ):
        assert cache.get("searches:203.0.113.9") is None
    assert replica.captured_queries == []
    assert any("shinchoku_cache" in q["sql"] for q in primary.captured_queries)
