"""A backup restored into another, empty instance, as an operator does it: each
instance its own processes, database and var/ folder, the commands run as on a server.
The restored instance exports byte for byte the same JSON, holds the same rows and the
same files; on SQLite always, and from SQLite to PostgreSQL and back when the tests run
on PostgreSQL (the second server's databases are made beside the test database)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.backup.archives import dumped_rows
from tests.backup.world import BUILD_IN_SHELL

ROOT = Path(__file__).resolve().parents[2]
NEW_AUDIT_ROW = (
    "from shinchoku.audit.models import AuditEvent as A; last = A.objects.order_by('pk').last(); "
    "print(A.objects.create(subject_type=last.subject_type, subject_id=1, event_type=last.event_type).pk > last.pk)"
)


@dataclass
class Instance:
    folder: Path
    database_url: str

    @property
    def var(self) -> Path:
        return self.folder / "var"

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "SECRET_KEY", "IMPORT_DIR", "REPORT_CACHE_DIR", "STATIC_ROOT"}
        }
        env |= {
            "DJANGO_SETTINGS_MODULE": "shinchoku.settings",
            "DEBUG": "true",
            "SHINCHOKU_VAR_DIR": str(self.var),
            "DATABASE_URL": self.database_url,
            "PYTHONPATH": str(ROOT),
        }
        done = subprocess.run(
            [sys.executable, "-m", "shinchoku", *args],
            cwd=self.folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if ok:
            assert done.returncode == 0, done.stderr
        return done

    def export(self) -> bytes:
        output = self.folder / "export.json"
        self.run("export", "--format", "json", "--output", str(output))
        return output.read_bytes()

    def files(self) -> dict[str, bytes]:
        return {
            str(path.relative_to(self.var)): path.read_bytes()
            for path in sorted(self.var.rglob("*"))
            if path.is_file() and not path.name.startswith("shinchoku.sqlite3")
        }


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each new instance."""
    folder = tmp_path_factory.mktemp("template")
    Instance(folder, f"sqlite:///{folder / 'template.sqlite3'}").run("migrate", "-v0")
    return folder / "template.sqlite3"


@pytest.fixture
def new_sqlite(migrated_sqlite: Path, tmp_path: Path) -> Iterator[Callable[[str], Instance]]:
    def make(name: str) -> Instance:
        folder = tmp_path / name
        (folder / "var").mkdir(parents=True)
        shutil.copy(migrated_sqlite, folder / "var" / "shinchoku.sqlite3")
        return Instance(folder, f"sqlite:///{folder / 'var' / 'shinchoku.sqlite3'}")

    yield make


def _same(source: Instance, backup: Path, restored: Instance, export: bytes) -> None:
    assert restored.export() == export
    again = restored.folder / "again.zip"
    restored.run("backup", "--output", str(again))
    assert dumped_rows(again) == dumped_rows(backup)
    assert restored.files() == source.files()


def test_a_sqlite_backup_restores_into_an_empty_sqlite_instance(
    new_sqlite: Callable[[str], Instance],
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite instances are tested in the SQLite run of the suite")
    source, target = new_sqlite("source"), new_sqlite("target")
    source.run("shell", "-c", BUILD_IN_SHELL)
    backup = source.folder / "backup.zip"
    source.run("backup", "--output", str(backup))
    export = source.export()
    assert b'"costs"' in export
    target.run("check")  # the target has made its own development key
    assert target.files()["development-secret-key"] != source.files()["development-secret-key"]

    done = target.run("restore", str(backup))

    assert "restored the backup" in done.stdout
    _same(source, backup, target, export)
    refused = target.run("restore", str(backup), ok=False)
    assert refused.returncode != 0
    assert "this instance is not empty" in refused.stderr


@pytest.fixture
def postgres_instances() -> Iterator[Callable[[Path, str], Instance]]:
    """New PostgreSQL databases on the test database's server, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("the tests run on SQLite: PostgreSQL is tried when they run on it")
    params = settings.DATABASES["default"]
    base = f"{connection.settings_dict['NAME']}_restore"
    auth = params["USER"] + (f":{params['PASSWORD']}" if params.get("PASSWORD") else "")
    server = f"postgres://{auth}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    made: list[str] = []

    def admin(statement: str) -> None:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin_connection:
            admin_connection.execute(statement)

    def make(folder: Path, name: str) -> Instance:
        database = f"{base}_{name}"
        admin(f'DROP DATABASE IF EXISTS "{database}"')
        admin(f'CREATE DATABASE "{database}"')
        made.append(database)
        (folder / name / "var").mkdir(parents=True)
        instance = Instance(folder / name, f"{server}/{database}")
        instance.run("migrate", "-v0")
        return instance

    yield make
    for database in made:
        admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.mark.django_db
def test_a_backup_goes_from_sqlite_to_postgresql_and_back(
    new_sqlite: Callable[[str], Instance],
    postgres_instances: Callable[[Path, str], Instance],
    tmp_path: Path,
) -> None:
    source = new_sqlite("source")
    source.run("shell", "-c", BUILD_IN_SHELL)
    backup = source.folder / "backup.zip"
    source.run("backup", "--output", str(backup))
    export = source.export()

    on_postgres = postgres_instances(tmp_path, "pg")
    on_postgres.run("restore", str(backup))
    _same(source, backup, on_postgres, export)

    back = new_sqlite("back")
    back.run("restore", str(on_postgres.folder / "again.zip"))
    _same(source, backup, back, export)
    # And from PostgreSQL into PostgreSQL, replacing what is there.
    on_postgres.run("restore", "--replace", str(on_postgres.folder / "again.zip"))
    assert on_postgres.export() == export
    # New rows take ids after the restored ones: the sequences were moved on.
    made = on_postgres.run("shell", "-c", NEW_AUDIT_ROW)
    assert made.stdout.strip().splitlines()[-1] == "True", made.stderr
