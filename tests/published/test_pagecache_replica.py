"""The page cache beside a read replica (PostgreSQL): the version a page is kept under is
read where the page's data is read, on the replica, so that a page is never kept under a
version whose data the replica has not replayed yet; the kept pages themselves are read
and written on the primary, as every cache."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shinchoku.published import pagecache
from shinchoku.replica import REPLICA
from tests.factories import make_sample
from tests.test_replica_postgresql import replica_alias  # noqa: F401 (the fixture)


@pytest.mark.usefixtures("replica_alias")
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_the_version_is_read_on_the_replica_and_the_page_kept_on_the_primary(settings: Any) -> None:
    settings.PUBLIC_PAGE_CACHE = True
    make_sample()
    address = "/plans/plan9/nodes/9-1-1/"
    for visit in ("rendered and kept", "answered from the cache"):
        pagecache.near.clear()  # each visit as in another process: the shared cache is read
        with (
            CaptureQueriesContext(connections[REPLICA]) as replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        ):
            assert Client().get(address).status_code == 200
        assert any("published_dataversion" in q["sql"] for q in replica.captured_queries), visit
        assert not any("published_dataversion" in q["sql"] for q in primary.captured_queries), visit
        assert any("shinchoku_page_cache" in q["sql"] for q in primary.captured_queries), visit
        assert not any("shinchoku_page_cache" in q["sql"] for q in replica.captured_queries), visit
