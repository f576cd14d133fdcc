"""The fault tests need PostgreSQL: on the SQLite pass of the test command they are skipped,
on the PostgreSQL pass (DATABASE_URL names the server) they make their own databases beside
the test database and drop them after."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.faults.postgres import Database, Server


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    found = Server.from_env()
    if found is None:
        pytest.skip("the fault tests need PostgreSQL (DATABASE_URL names none)")
    try:
        yield found
    finally:
        found.drop_all()


@pytest.fixture(scope="session")
def base(server: Server) -> Database:
    """A database migrated, with the planning administrator: the template of the others."""
    database = server.create(f"shinchoku_faults_base_{os.getpid()}")
    database.run("scenario", "base")
    return database
