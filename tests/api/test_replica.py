"""The API reads published data from the read replica when there is one (docs/deploy.md,
"A read replica"), as the public pages do: every query of the plan's tables goes there,
none to the primary. On PostgreSQL (the replica is an alias of the same test database)."""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shinchoku.replica import REPLICA
from tests.test_replica_postgresql import plan_tables, replica_alias  # noqa: F401 (a fixture)

from .conftest import PLAN, make_api_plan

ADDRESSES = [
    "/api/v1/plans",
    f"/api/v1/plans/{PLAN}",
    f"/api/v1/plans/{PLAN}/nodes",
    f"/api/v1/plans/{PLAN}/nodes/9-1-1/results",
    f"/api/v1/plans/{PLAN}/aggregates/ratings?node=9",
    "/api/v1/search?q=協働",
]


@pytest.mark.usefixtures("replica_alias")
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_the_api_reads_the_plan_from_the_replica() -> None:
    make_api_plan()
    client = Client()
    for address in ADDRESSES:
        with (
            CaptureQueriesContext(connections[REPLICA]) as replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        ):
            response = client.get(address)
        assert response.status_code == 200, address
        assert plan_tables(replica.captured_queries), address
        assert plan_tables(primary.captured_queries) == [], address
