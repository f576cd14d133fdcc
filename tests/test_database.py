"""Database connections are kept between requests (DATABASE_CONN_MAX_AGE) and checked
before a request reuses one, so that a database restarted between two requests costs a
reconnection, not an error page.

On PostgreSQL this is shown against a server that handles its requests one after another
on one thread, as a production worker does (the test suite's live server closes its
connections after each request, so it cannot show this): the server's connection is
ended from the database side between two requests, and the second still answers 200.
On SQLite (a file, nothing to restart) the settings are what is checked."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connection, connections


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def one_thread_server(transactional_db: None) -> Iterator[str]:
    """The site served by one thread that keeps its database connection between
    requests, as a production worker does; its address."""
    server: WSGIServer = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler)

    def serve() -> None:
        try:
            server.serve_forever()
        finally:
            connections.close_all()

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=30)
        server.server_close()


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def server_backends() -> list[int]:
    """The PostgreSQL backends serving other connections to the test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return [pid for (pid,) in cursor.fetchall()]


def test_connections_are_kept_and_checked() -> None:
    settings_dict = connections["default"].settings_dict
    assert settings_dict["CONN_MAX_AGE"] == 60
    assert settings_dict["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db(transaction=True)
def test_a_database_restarted_between_two_requests_costs_no_error(request: pytest.FixtureRequest) -> None:
    if connection.vendor != "postgresql":
        # SQLite: a file opened by each connection; what there is to check is the settings.
        assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
        return
    site = request.getfixturevalue("one_thread_server")
    assert status_of(site + "/") == 200
    (backend,) = server_backends()
    assert status_of(site + "/") == 200
    assert server_backends() == [backend]  # the same connection served the second request

    with connection.cursor() as cursor:  # the database ends it, as a restart does
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    assert status_of(site + "/") == 200
    (reconnected,) = server_backends()
    assert reconnected != backend
