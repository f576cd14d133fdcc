"""The production stack, run for real: gunicorn with the project's configuration serves
the static files compressed under hashed names, answers the health check (and says 503
when the database is gone), writes one JSON log line per request with its id, and
refuses oversized requests with a page, never a 500."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.server import Server, free_port, production_env, shinchoku, start

HEX_ID = re.compile(r"[0-9a-f]{32}")

# The stack brings its own databases (SQLite files, a closed port): run once, with the
# suite on SQLite, not again with the suite on PostgreSQL.
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the production stack's tests bring their own databases; they run with the suite on SQLite",
)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file and the collected static files, made once for the module."""
    folder = tmp_path_factory.mktemp("prepared")
    env = production_env(folder, STATIC_ROOT=str(folder / "static"))
    shinchoku(env, "migrate", "--no-input")
    shinchoku(env, "collectstatic", "--no-input")
    return folder


def serve(prepared: Path, folder: Path, **env: str) -> Server:
    shutil.copy(prepared / "db.sqlite3", folder / "db.sqlite3")
    return start(folder, production_env(folder, STATIC_ROOT=str(prepared / "static"), **env))


@pytest.fixture(scope="module")
def server(prepared: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the tests that leave its database as it was."""
    running = serve(prepared, tmp_path_factory.mktemp("served"))
    yield running
    running.stop()


@pytest.fixture
def own_server(prepared: Path, tmp_path: Path) -> Iterator[Server]:
    """A server of the test's own, on a database file in ``tmp_path``."""
    running = serve(prepared, tmp_path)
    yield running
    running.stop()


# ---------------------------------------------------------------- static files


def test_static_files_are_compressed_with_hashed_names_cached_for_a_year(
    server: Server, prepared: Path
) -> None:
    page = server.get("/")
    assert page.status == 200
    stylesheet = re.search(rb'href="(/static/portal/portal\.([0-9a-f]{12})\.css)"', page.body)
    assert stylesheet, page.body[:2000]
    hashed = stylesheet.group(1).decode()

    answer = server.get(hashed, headers={"Accept-Encoding": "gzip"})
    assert answer.status == 200
    assert answer.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in answer.headers["Vary"]
    cache = answer.headers["Cache-Control"]
    assert "immutable" in cache and "public" in cache
    assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 60 * 60  # type: ignore[union-attr]
    original = (prepared / "static" / hashed.removeprefix("/static/")).read_bytes()
    assert gzip.decompress(answer.body) == original

    # The name without its hash is served too, but not cached for long: it may change.
    plain = server.get("/static/portal/portal.css")
    assert plain.status == 200 and "immutable" not in plain.headers["Cache-Control"]


# ---------------------------------------------------------------- health check


def test_the_health_check_answers_over_plain_http_to_any_host_name(server: Server) -> None:
    # The site itself redirects plain HTTP to HTTPS and refuses unknown host names …
    assert server.get("/", https=False).status == 301
    assert server.get("/", headers={"Host": "10.0.0.5:8000"}).status == 400
    # … but a load balancer probes each server by its address, over plain HTTP.
    answer = server.get("/healthz", https=False, headers={"Host": "10.0.0.5:8000"})
    assert answer.status == 200, answer.body
    assert answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert isinstance(body["database_ms"], float)
    assert "no-store" in answer.headers["Cache-Control"]
    assert "Set-Cookie" not in answer.headers


@pytest.mark.parametrize("damage", ["moved away", "overwritten", "replaced by a folder"])
def test_the_health_check_says_503_when_the_database_file_cannot_be_read(
    own_server: Server, tmp_path: Path, damage: str
) -> None:
    """Tests run as root here, whom a file's permissions do not stop: the file is made
    unreadable as a database instead. Moved away, the worker's kept connection would go
    on reading it; the health check opens a fresh one, as the next request would."""
    server = own_server
    assert server.get("/healthz").status == 200
    assert server.get("/").status == 200  # the one worker keeps its connection
    database = tmp_path / "db.sqlite3"
    if damage == "moved away":
        (tmp_path / "elsewhere").mkdir()
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{database}{suffix}").exists():
                Path(f"{database}{suffix}").rename(tmp_path / "elsewhere" / f"db.sqlite3{suffix}")
    else:
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    if damage == "overwritten":
        database.write_bytes(b"not a database " * 1000)
    elif damage == "replaced by a folder":
        database.unlink()
        database.mkdir()

    answer = server.get("/healthz")
    assert answer.status == 503, answer.body
    body = answer.json()
    assert body["status"] == "unavailable" and body["database"] == "unavailable"
    assert body["reason"].startswith("the database does not answer")
    # The reason names the kind of failure, not the file.
    assert str(tmp_path) not in body["reason"]
    assert "no-store" in answer.headers["Cache-Control"]


def test_the_health_check_says_503_when_the_database_server_is_closed(prepared: Path, tmp_path: Path) -> None:
    closed = free_port()
    running = serve(prepared, tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed}/shinchoku")
    try:
        answer = running.get("/healthz")
        assert answer.status == 503, answer.body
        assert answer.json()["reason"] == "the database does not answer (OperationalError)"
        # The log says more, for the operator, under the request's id.
        error = next(line for line in running.log_lines() if line["logger"] == "shinchoku.ops.health")
        assert str(closed) in error["message"]
        assert error["request_id"] == answer.headers["X-Request-ID"]
    finally:
        running.stop()


# ---------------------------------------------------------------- logs


def test_each_request_writes_one_json_line_with_its_request_id(server: Server) -> None:
    answer = server.get("/search/?q=private+words", headers={"X-Request-ID": "proxy-7f3a.1:2"})
    assert answer.status == 200
    assert answer.headers["X-Request-ID"] == "proxy-7f3a.1:2"

    forged = server.get("/", headers={"X-Request-ID": "x" * 129})
    made = forged.headers["X-Request-ID"]
    assert HEX_ID.fullmatch(made)

    lines = server.log_lines()  # every line of the log is JSON
    access = [line for line in lines if line["logger"] == "shinchoku.access"]
    search = next(line for line in access if line["request_id"] == "proxy-7f3a.1:2")
    assert search["method"] == "GET"
    assert search["path"] == "/search/"  # never the query: it holds what a person searched for
    assert "private" not in search["message"]
    assert search["status"] == 200
    assert isinstance(search["duration_ms"], float) and search["duration_ms"] > 0
    assert search["user_id"] is None
    assert search["level"] == "INFO"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", search["time"])
    assert any(line["request_id"] == made and line["path"] == "/" for line in access)
    # The search was counted in the cache table that `shinchoku migrate` made, shared by
    # every worker.
    database = server.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        keys = [row[0] for row in db.execute("SELECT cache_key FROM shinchoku_cache")]
    assert any(":shinchoku:rate:search:" in key for key in keys), keys
    # gunicorn's own lines are JSON too.
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)


# ---------------------------------------------------------------- limits


def post(
    server: Server, path: str, *, length: int, sent: bytes, content_type: str, cookie: str = ""
) -> tuple[int, bytes]:
    """A POST that announces ``length`` bytes and sends ``sent`` of them, as the proxy
    forwards it over HTTPS; the status and the page."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.putrequest("POST", path, skip_host=True)
    for name, value in {
        "Host": "shinchoku.test",
        "X-Forwarded-Proto": "https",
        "Origin": "https://shinchoku.test",
        "Content-Type": content_type,
        "Content-Length": str(length),
        **({"Cookie": cookie} if cookie else {}),
    }.items():
        connection.putheader(name, value)
    connection.endheaders()
    # The server may answer and close before it has read it all.
    with contextlib.suppress(OSError):
        connection.send(sent)
    answer = connection.getresponse()
    page = answer.read()
    connection.close()
    return answer.status, page


def test_an_oversized_upload_gets_the_413_page_before_it_is_read(server: Server) -> None:
    status, page = post(
        server, "/staff/import/", length=200 * 1024 * 1024, sent=b"x" * (256 * 1024), content_type="text/csv"
    )
    assert status == 413
    assert "<h1>" in page.decode() and "12 MB" in page.decode()
    assert server.get("/healthz").status == 200  # the workers are still there


def test_too_much_form_data_gets_the_413_page_not_a_500(server: Server) -> None:
    """Under the request limit but over what form fields may hold
    (DATA_UPLOAD_MAX_MEMORY_SIZE): refused when the CSRF check reads the form."""
    form = server.get("/staff/login/")
    cookie = form.headers["Set-Cookie"].split(";")[0]
    assert cookie.startswith("csrftoken=")
    body = b"username=a&password=" + b"p" * (3 * 1024 * 1024)
    status, page = post(
        server,
        "/staff/login/",
        length=len(body),
        sent=body,
        content_type="application/x-www-form-urlencoded",
        cookie=cookie,
    )
    assert status == 413, page[:500]
    assert "12 MB" in page.decode()


def test_a_request_line_or_headers_over_the_limits_are_refused_by_gunicorn(server: Server) -> None:
    answer = server.get("/search/?q=" + "a" * 9000)
    assert answer.status == 414
    assert b"Request Line is too large" in answer.body
    crowded = server.get("/", headers={f"X-Filler-{number}": "1" for number in range(120)})
    assert crowded.status == 431
    assert server.get("/healthz").status == 200
