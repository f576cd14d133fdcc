"""The database going away and coming back, between the processes and PostgreSQL: a TCP
proxy (tests/faults/proxy.py) that the test cuts and restores, the shared server left
alone. gunicorn with two workers, production settings, ``DATABASE_URL`` through the proxy:

- a database restarted between two requests costs nothing: each worker's kept connection
  is checked before it is used again (``CONN_HEALTH_CHECKS``), so the next request is 200;
- while the database is away, a request gets the error page at once, and ``/healthz``
  says 503; while it takes connections and never answers, within ``connect_timeout``;
- once it is back, the very next requests are 200, with no restart.

The job worker (``shinchoku jobs_worker``) outlives a cut while it idles, and runs a job
queued after the database came back."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.faults.postgres import BIN, ROOT, Database, Server, wait_for
from tests.faults.proxy import Proxy
from tests.ops import server as web
from tests.ops.server import production_env

ERROR_PAGE = "ただいまページを表示できません".encode()
CONNECT_TIMEOUT = 2


@pytest.fixture(scope="module")
def static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("static")
    web.shinchoku(production_env(folder, STATIC_ROOT=str(folder / "static")), "collectstatic", "--no-input")
    return folder / "static"


@pytest.fixture
def proxy(server: Server) -> Iterator[Proxy]:
    with Proxy((server.host, server.port)) as running:
        yield running


def start_site(folder: Path, database_url: str, static: Path) -> web.Server:
    """gunicorn with two workers, as ``tests.ops.server.start`` starts one."""
    port = web.free_port()
    log = folder / "gunicorn.log"
    env = production_env(
        folder,
        DATABASE_URL=database_url,
        STATIC_ROOT=str(static),
        DATABASE_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
    )
    with log.open("wb") as err:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "python:shinchoku.ops.gunicorn_conf"],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    site = web.Server(process, port, log, env)
    wait_for(
        lambda: process.poll() is not None or (_listening(port) and site.get("/healthz").status == 200),
        "gunicorn to answer",
    )
    assert process.poll() is None, log.read_text()[-3000:]
    return site


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def kept(database: Database) -> int:
    """Connections to the database other than the test's own: the web workers' kept ones."""
    return int(
        database.query(
            "select count(*) from pg_stat_activity where datname = current_database()"
            " and backend_type = 'client backend' and pid <> pg_backend_pid()"
        )[0][0]
    )


def timed(site: web.Server, path: str) -> tuple[web.Response, float]:
    started = time.monotonic()
    answer = site.get(path)
    return answer, time.monotonic() - started


def test_the_site_answers_again_after_the_database_came_back_without_a_restart(
    server: Server, base: Database, proxy: Proxy, static: Path, tmp_path: Path
) -> None:
    database = server.create(f"shinchoku_faults_site_{os.getpid()}", template=base.name)
    site = start_site(tmp_path, server.url(database.name, host="127.0.0.1", port=proxy.port), static)
    try:
        assert site.get("/").status == 200

        # Both workers keep a connection, as after a while of serving.
        def both_connected() -> bool:
            with ThreadPoolExecutor(4) as pool:
                assert {answer.status for answer in pool.map(site.get, ["/"] * 4)} == {200}
            return kept(database) >= 2

        wait_for(both_connected, "both web workers to keep a connection")

        # The database restarts between two requests: the kept connections are dead.
        proxy.cut()
        wait_for(lambda: kept(database) == 0, "the kept connections to end")
        proxy.restore()
        assert [site.get("/").status for _ in range(6)] == [200] * 6

        # The database is away: the error page at once, and the health check says so.
        proxy.cut()
        for _ in range(4):
            page, seconds = timed(site, "/")
            assert (page.status, ERROR_PAGE in page.body) == (500, True) and seconds < 3, (
                page.status,
                seconds,
            )
        health, seconds = timed(site, "/healthz")
        assert health.status == 503 and health.json()["status"] == "unavailable" and seconds < 3

        # The database takes connections and never answers: connect_timeout ends the wait.
        proxy.cut(silent=True)
        page, seconds = timed(site, "/")
        assert page.status == 500 and seconds < CONNECT_TIMEOUT + 3, (page.status, seconds)
        health, seconds = timed(site, "/healthz")
        assert health.status == 503 and seconds < CONNECT_TIMEOUT + 3

        # Back: the very next requests are served, by the same server.
        proxy.restore()
        assert [site.get("/").status for _ in range(6)] == [200] * 6
        assert site.get("/healthz").status == 200
        assert site.process.poll() is None
    finally:
        site.stop()


QUEUE = "tests.jobs.worker_settings"
PUBLISHED = """
    select (select count(*) from review_entry where state = 'published'),
           (select count(*) from audit_auditevent where event_type = 'entry.published'),
           (select count(*) from audit_auditevent where event_type = 'round.published'),
           (select state from review_round)
"""


def start_worker(
    database: Database, proxy: Proxy, log: Path, *, wait: bool = True
) -> subprocess.Popen[bytes]:
    """``shinchoku jobs_worker`` with the database queue, its database through the proxy;
    with ``wait``, once it has said it lives."""
    env = database.env(
        database.server.url(database.name, host="127.0.0.1", port=proxy.port),
        DJANGO_SETTINGS_MODULE=QUEUE,
        JOBS_HEARTBEAT_SECONDS="1",
    )
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [str(BIN / "shinchoku"), "jobs_worker", "--interval", "0.2", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    if wait:
        wait_for(
            lambda: database.query("select count(*) from jobs_workerbeat") == [(1,)], "the worker to start"
        )
    return worker


def wait_for_log(worker: subprocess.Popen[bytes], log: Path, words: str) -> None:
    wait_for(
        lambda: words in log.read_text() or worker.poll() is not None,
        f"the worker to log {words!r}",
        also=lambda: "; its log ends:\n" + log.read_text()[-3000:],
    )
    assert worker.poll() is None, log.read_text()[-3000:]


def stop(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def test_the_job_worker_outlives_the_database_going_away_and_runs_the_next_job(
    server: Server, base: Database, proxy: Proxy, tmp_path: Path
) -> None:
    database = server.create(f"shinchoku_faults_worker_{os.getpid()}", template=base.name)
    database.run("scenario", "round", "3")
    log = tmp_path / "worker.log"
    worker = start_worker(database, proxy, log)
    try:
        # Its loop started: a cut while it still sweeps at start is the start's outage
        # (``test_a_job_worker_started_while_the_database_is_away_waits_for_it``), whose loop never
        # sees the database go.
        wait_for_log(worker, log, "Starting worker")
        proxy.cut()
        wait_for_log(worker, log, "the database does not answer (")
        proxy.restore()
        wait_for_log(worker, log, "the database answers again")

        database.run("scenario", "enqueue", DJANGO_SETTINGS_MODULE=QUEUE)
        wait_for(
            lambda: database.query("select state, attempts, lost from jobs_job") == [("succeeded", 1, 0)],
            "the job queued after the outage to be run",
            also=lambda: log.read_text()[-3000:],
        )
        assert database.query(PUBLISHED) == [(3, 3, 1, "published")]
    finally:
        stop(worker)


def test_a_job_in_hand_when_the_database_went_away_is_run_again_once_it_is_back(
    server: Server, base: Database, proxy: Proxy, tmp_path: Path
) -> None:
    database = server.create(f"shinchoku_faults_in_hand_{os.getpid()}", template=base.name)
    database.run("scenario", "round", "3")
    database.run("scenario", "enqueue", DJANGO_SETTINGS_MODULE=QUEUE)
    log = tmp_path / "worker.log"
    # The publishing waits, inside its transaction, to write the round's new state.
    # (pg_stat_activity is read outside the lock's transaction, which would see it as it was.)
    with (
        server.connect(database.name) as holder,
        server.connect(database.name) as watcher,
        holder.transaction(),
    ):
        holder.execute("lock table review_round in share mode")
        worker = start_worker(database, proxy, log)
        try:
            wait_for(
                lambda: watcher.execute(
                    "select 1 from pg_stat_activity where datname = current_database()"
                    " and wait_event_type = 'Lock' and query like 'UPDATE \"review_round\"%%'"
                ).fetchone(),
                "the worker to publish inside its transaction",
                also=lambda: log.read_text()[-3000:],
            )
            proxy.cut()
            wait_for_log(worker, log, "the database does not answer")
        except BaseException:
            stop(worker)
            raise
    try:
        assert database.query("select state from jobs_job") == [("running",)]
        proxy.restore()
        wait_for(
            lambda: database.query("select state, attempts, lost from jobs_job") == [("succeeded", 2, 1)],
            "the job to be run again",
            also=lambda: log.read_text()[-3000:],
        )
        assert database.query(PUBLISHED) == [(3, 3, 1, "published")]
    finally:
        stop(worker)


def test_a_job_worker_started_while_the_database_is_away_waits_for_it(
    server: Server, base: Database, proxy: Proxy, tmp_path: Path
) -> None:
    database = server.create(f"shinchoku_faults_early_{os.getpid()}", template=base.name)
    database.run("scenario", "round", "3")
    log = tmp_path / "worker.log"
    proxy.cut()
    worker = start_worker(database, proxy, log, wait=False)
    try:
        wait_for_log(worker, log, "the database does not answer at start")
        proxy.restore()
        wait_for(
            lambda: database.query("select count(*) from jobs_workerbeat") == [(1,)], "the worker to beat"
        )
        database.run("scenario", "enqueue", DJANGO_SETTINGS_MODULE=QUEUE)
        wait_for(
            lambda: database.query("select state, attempts, lost from jobs_job") == [("succeeded", 1, 0)],
            "the job queued once the database answered to be run",
            also=lambda: log.read_text()[-3000:],
        )
        assert worker.poll() is None
    finally:
        stop(worker)
