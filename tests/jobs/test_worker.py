"""The database queue with real workers, each a process of its own, on a SQLite file and
on PostgreSQL (when the tests run on it): a worker publishes a round queued as a job; a
worker killed in the middle of publishing (SIGKILL, inside the publishing transaction)
leaves nothing written, and the next worker finds the run lost, runs it again and
publishes once: the data whole, not doubled, one audit row per change."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Database:
    url: str
    query: Callable[[str], list[tuple[Any, ...]]]


def _postgres(tmp_path: Path) -> Iterator[Database]:
    import psycopg

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        pytest.skip("the tests run on SQLite (DATABASE_URL names no PostgreSQL)")
    config = dj_database_url.parse(base)
    name = f"shinchoku_jobs_worker_{os.getpid()}"
    server = {
        "host": config["HOST"] or "127.0.0.1",
        "port": int(config["PORT"] or 5432),
        "user": config["USER"] or "postgres",
        "password": config["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'drop database if exists "{name}"')
        admin.execute(f'create database "{name}"')

    def query(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(dbname=name, autocommit=True, **server) as connection:
            return list(connection.execute(sql).fetchall())

    port = f":{server['port']}"
    password = f":{server['password']}" if server["password"] else ""
    yield Database(f"postgres://{server['user']}{password}@{server['host']}{port}/{name}", query)
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')


def _sqlite(tmp_path: Path) -> Iterator[Database]:
    if connection.vendor != "sqlite":
        pytest.skip("a worker on SQLite is tested in the SQLite run of the suite")
    path = tmp_path / "jobs.sqlite3"

    def query(sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(path, timeout=30) as connection:
            return list(connection.execute(sql).fetchall())

    yield Database(f"sqlite:///{path}", query)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    yield from (_sqlite if request.param == "sqlite" else _postgres)(tmp_path)


def _env(database: Database, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database.url,
        "DJANGO_SETTINGS_MODULE": "tests.jobs.worker_settings",
        "PYTHONPATH": str(ROOT),
        "JOBS_LEASE_SECONDS": "2",
        "JOBS_HEARTBEAT_SECONDS": "1",
        **more,
    }


def step(database: Database, *args: str) -> Any:
    run = subprocess.run(
        [sys.executable, "-m", "tests.jobs.scenario", *args],
        cwd=ROOT,
        env=_env(database),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return json.loads(run.stdout.strip().splitlines()[-1]) if args[0] != "worker" else None


def worker(database: Database, log: Path, **env: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.jobs.scenario",
                "worker",
                "--no-startup-delay",
                "--interval",
                "0.2",
            ],
            cwd=ROOT,
            env=_env(database, **env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for(condition: Callable[[], bool], what: str, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}; worker log:\n{log.read_text()[-4000:]}")


def job_state(database: Database) -> str:
    return str(database.query("select state from jobs_job order by id desc limit 1")[0][0])


WHOLE = {
    "round_state": "published",
    "published": 1,
    "results": 1,
    "entry_published_rows": 1,
    "round_published_rows": 1,
}


def test_a_worker_publishes_the_round_queued_as_a_job(database: Database, tmp_path: Path) -> None:
    step(database, "setup", "round.publish")
    before = step(database, "check")
    assert before["job"]["state"] == "queued" and before["published"] == 0
    runs = "select task_path, status from django_tasks_database_dbtaskresult order by task_path"
    # The publishing, and the notice of the approval, sent by mail through the queue too.
    assert database.query(runs) == [
        ("shinchoku.jobs.mail.mail_send", "READY"),
        ("shinchoku.jobs.tasks.run_job", "READY"),
    ]

    step(database, "worker", "--batch", "--no-startup-delay")

    after = step(database, "check")
    assert after["job"] == {"state": "succeeded", "attempts": 1, "lost": 0, "error": ""}
    assert {key: after[key] for key in WHOLE} == WHOLE
    assert {status for _path, status in database.query(runs)} == {"SUCCESSFUL"}
    # A worker that stops cleanly leaves no sign of life behind.
    assert database.query("select count(*) from jobs_workerbeat") == [(0,)]


def test_a_job_whose_worker_was_killed_is_run_again_and_publishes_once(
    database: Database, tmp_path: Path
) -> None:
    step(database, "setup", "test.slow_publish")
    marker, log = tmp_path / "inside", tmp_path / "worker.log"

    first = worker(database, log, JOBS_TEST_MARKER=str(marker))
    try:
        wait_for(marker.exists, "the first worker to publish inside its transaction", log)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        first.kill()
    killed = step(database, "check")
    assert killed["job"]["state"] == "running"
    assert killed["published"] == killed["results"] == killed["entry_published_rows"] == 0

    second = worker(database, log, JOBS_TEST_MARKER=str(marker))
    try:
        wait_for(lambda: job_state(database) in {"succeeded", "failed"}, "the job to be run again", log)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
    after = step(database, "check")
    assert after["job"] == {"state": "succeeded", "attempts": 2, "lost": 1, "error": ""}, log.read_text()[
        -3000:
    ]
    assert {key: after[key] for key in WHOLE} == WHOLE
    assert "lost workers" in log.read_text()
