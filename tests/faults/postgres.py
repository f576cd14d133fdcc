"""The PostgreSQL server the tests run on (DATABASE_URL), as the fault tests use it: databases
of their own made beside the test database (one migrated once, the others copied from it as
templates), queries from outside the processes under test, and a look at what a process is
doing inside its transaction (``pg_stat_activity``, ``pg_locks``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass
class Server:
    host: str
    port: int
    user: str
    password: str | None
    made: list[str] = field(default_factory=list)

    @classmethod
    def from_env(cls) -> Server | None:
        base = os.environ.get("DATABASE_URL", "")
        if not base.startswith("postgres"):
            return None
        config = dj_database_url.parse(base)
        return cls(
            host=config["HOST"] or "127.0.0.1",
            port=int(config["PORT"] or 5432),
            user=config["USER"] or "postgres",
            password=config["PASSWORD"] or None,
        )

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[Any]:
        return psycopg.connect(
            dbname=dbname,
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            autocommit=True,
        )

    def create(self, name: str, *, template: str | None = None) -> Database:
        with self.connect() as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
            statement = sql.SQL("create database {}").format(sql.Identifier(name))
            if template:
                statement += sql.SQL(" template {}").format(sql.Identifier(template))
            admin.execute(statement)
        self.made.append(name)
        return Database(self, name)

    def drop_all(self) -> None:
        with self.connect() as admin:
            for name in self.made:
                admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        self.made.clear()

    def url(self, name: str, *, host: str | None = None, port: int | None = None) -> str:
        password = f":{self.password}" if self.password else ""
        return f"postgres://{self.user}{password}@{host or self.host}:{port or self.port}/{name}"


@dataclass
class Database:
    server: Server
    name: str

    @property
    def url(self) -> str:
        return self.server.url(self.name)

    def query(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        with self.server.connect(self.name) as connection:
            return list(connection.execute(statement, params or None).fetchall())  # type: ignore[arg-type]

    def counts(self) -> dict[str, int]:
        """The number of rows in every table."""
        with self.server.connect(self.name) as connection:
            tables = [
                row[0]
                for row in connection.execute(
                    "select tablename from pg_tables where schemaname = 'public' order by tablename"
                )
            ]
            return {
                table: int(
                    connection.execute(
                        sql.SQL("select count(*) from {}").format(sql.Identifier(table))
                    ).fetchone()[0]
                )  # type: ignore[index]
                for table in tables
            }

    def env(self, url: str | None = None, **more: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": url or self.url,
            "DJANGO_SETTINGS_MODULE": "shinchoku.test_settings",
            "PYTHONPATH": str(ROOT),
            **more,
        }

    def run(self, *args: str, ok: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
        """``shinchoku ARGS`` or, when the first is ``scenario``, a step of tests.faults.scenario;
        ``env`` adds to the environment."""
        command = (
            [sys.executable, "-m", "tests.faults.scenario", *args[1:]]
            if args[0] == "scenario"
            else [str(BIN / "shinchoku"), *args]
        )
        done = subprocess.run(
            command, cwd=ROOT, env=self.env(**env), capture_output=True, text=True, timeout=300
        )
        if ok:
            assert done.returncode == 0, done.stderr[-4000:]
        return done

    def export(self, folder: Path) -> bytes:
        output = folder / f"{self.name}.json"
        self.run("export", "--format", "json", "--output", str(output))
        return output.read_bytes()


def wait_for(
    condition: Callable[[], Any], what: str, *, seconds: float = 60, also: Callable[[], str] = str
) -> Any:
    """Polls ``condition`` until it gives something true, and returns that."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what} {also()}")
