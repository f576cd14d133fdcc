"""Making a backup and restoring one (docs/backup.md).

``backup_write`` reads the database in one snapshot (PostgreSQL: a read-only
repeatable-read transaction; SQLite: a read transaction, which in WAL mode keeps no
writer waiting) and streams each table into the ZIP, then the files, then the manifest;
the file is written under a temporary name and renamed, so it is whole or absent.

``backup_restore`` refuses before it changes anything: the file is read whole and every
member's checksum checked, the backup's migrations must be this instance's, and the
instance must be empty (only what ``migrate`` makes) unless ``replace``. Then the files
are written beside their places, the database is emptied and loaded in ONE transaction
(its foreign keys checked before it commits), and the files are renamed into place.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone

from shinchoku.backup import archive, tables, varfiles
from shinchoku.backup.tables import BackupError
from shinchoku.published import changes as published


@dataclass
class Summary:
    path: Path
    tables: int = 0
    rows: int = 0
    files: int = 0
    size: int = 0
    seconds: float = 0.0
    vendor: str = ""
    created_at: str = ""
    left_out: list[str] = field(default_factory=list)


def _version() -> str:
    try:
        return importlib.metadata.version("shinchoku")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@contextlib.contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """Every read inside sees the database as it was at the first one."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        # A deferred transaction takes no write lock, unlike the site's (IMMEDIATE) ones.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            try:
                yield
            finally:
                cursor.execute("ROLLBACK")
        return
    with transaction.atomic(using=using):
        yield


def backup_write(output: Path, *, using: str = DEFAULT_DB_ALIAS) -> Summary:
    """Write the backup of the instance to ``output``."""
    started = time.perf_counter()
    directory = output.parent if str(output.parent) else Path(".")
    if not directory.is_dir():
        raise BackupError(f"{output}: the folder {directory} does not exist")
    if output.is_dir():
        raise BackupError(f"{output}: is a folder; name the backup file to write")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{output.name}.", dir=directory)
    except OSError as error:
        raise BackupError(f"{output}: cannot write here ({error.strerror})") from error
    os.close(handle)
    temporary = Path(name)
    summary = Summary(path=output, vendor=connections[using].vendor)
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zipped:
            writer = archive.ArchiveWriter(zipped)
            manifest = _write_members(writer, summary, using=using, skip=temporary)
            writer.finish(manifest)
        os.chmod(temporary, 0o600)
        os.replace(temporary, output)
    except OSError as error:
        raise BackupError(f"{output}: cannot write ({error.strerror})") from error
    finally:
        temporary.unlink(missing_ok=True)
    summary.size = output.stat().st_size
    summary.seconds = time.perf_counter() - started
    return summary


def _write_members(
    writer: archive.ArchiveWriter, summary: Summary, *, using: str, skip: Path
) -> dict[str, Any]:
    """Write the tables and the files; the manifest without its members. ``skip`` is the
    backup being written, should it be written among the files it carries."""
    carried, left_out = tables.tables()
    listed = []
    with _snapshot(using):
        migrations = tables.migrations_applied(using=using)
        summary.created_at = timezone.now().isoformat()
        for table in carried:
            with writer.member(table.member) as stream:
                rows = tables.table_write(table, stream, using=using)
            listed.append(
                {"model": table.label, "member": table.member, "rows": rows, "columns": table.columns}
            )
            summary.rows += rows
    summary.tables = len(carried)
    summary.left_out = sorted(left_out)
    places = {}
    for place in varfiles.places():
        members = []
        for member, path in varfiles.files_of(place):
            if path == skip:
                continue
            try:
                source = open(path, "rb")  # noqa: SIM115 (closed by the with below)
            except FileNotFoundError:
                continue  # removed since it was listed: an upload pruned after a day
            with source, writer.member(member) as stream:
                while block := source.read(archive.BLOCK):
                    stream.write(block)
            members.append(member)
        places[place.key] = {"present": varfiles.present(place), "members": members}
        summary.files += len(members)
    return {
        "format": archive.FORMAT,
        "format_version": archive.FORMAT_VERSION,
        "created_at": summary.created_at,
        "shinchoku_version": _version(),
        "database": {
            "vendor": summary.vendor,
            "migrations": migrations,
            "tables": listed,
            "left_out": left_out,
        },
        "files": {"places": places, "left_out": varfiles.left_out()},
    }


def _check_schema(path: Path, manifest: dict[str, Any], *, using: str) -> None:
    """The backup's migrations are exactly those applied here, which are all this code has."""
    known = tables.migrations_known(using=using)
    applied = {(app, name) for app, names in tables.migrations_applied(using=using).items() for name in names}
    backed_up = {(app, name) for app, names in manifest["database"]["migrations"].items() for name in names}
    if unknown := sorted(backed_up - known - applied):
        app, name = unknown[0]
        raise BackupError(
            f"{path}: made by a newer version of Shinchoku ({manifest['shinchoku_version']}): its database "
            f"has the migration {app}.{name}, which this version does not know; install that version or a "
            "later one, then restore"
        )
    if missing := sorted(known - applied):
        app, name = missing[0]
        raise BackupError(
            f"this instance is not migrated (the migration {app}.{name} is not applied): run "
            "`shinchoku migrate` first, then restore"
        )
    if older := sorted(applied - backed_up):
        app, name = older[0]
        raise BackupError(
            f"{path}: made by an older version of Shinchoku ({manifest['shinchoku_version']}), before the "
            f"migration {app}.{name}: restore it with that version, then upgrade (`shinchoku migrate`)"
        )


def _check_tables(path: Path, manifest: dict[str, Any], carried: list[tables.Table]) -> None:
    here = {table.label: table for table in carried}
    for listed in manifest["database"]["tables"]:
        table = here.get(listed["model"])
        if table is None or listed["member"] != table.member:
            raise BackupError(
                f"{path}: the table {listed['model']} of the backup is not one this instance keeps"
            )
        if listed["columns"] != table.columns:
            raise BackupError(
                f"{path}: the table {listed['model']} of the backup has the columns "
                f"{', '.join(listed['columns'])}; here it has {', '.join(table.columns)}"
            )
        if listed["member"] not in manifest["members"]:
            raise BackupError(f"{path}: the member {listed['member']} listed in the manifest is missing")


def backup_check(path: Path) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    """Open the backup at ``path`` and check all of it: its manifest and every member."""
    zipped = archive.archive_open(path)
    try:
        manifest = archive.manifest_read(path, zipped)
        archive.archive_verify(path, zipped, manifest)
    except BaseException:
        zipped.close()
        raise
    return zipped, manifest


def backup_restore(path: Path, *, replace: bool = False, using: str = DEFAULT_DB_ALIAS) -> Summary:
    """Restore the backup at ``path`` into this instance (empty, or emptied with ``replace``)."""
    started = time.perf_counter()
    zipped, manifest = backup_check(path)
    with zipped:
        summary = Summary(path=path, vendor=manifest["database"]["vendor"], created_at=manifest["created_at"])
        carried, left_out = tables.tables()
        _check_schema(path, manifest, using=using)
        _check_tables(path, manifest, carried)
        places = {place.key: place for place in varfiles.places()}
        if unknown := sorted(set(manifest["files"]["places"]) - set(places)):
            raise BackupError(f"{path}: files of {unknown[0]}, a place this version does not know")
        if not replace and (held := list(tables.rows_present(carried, using=using))):
            label, count = held[0]
            raise BackupError(
                f"this instance is not empty ({count} rows in {label}"
                + (f" and {len(held) - 1} more tables" if len(held) > 1 else "")
                + "): restore into a new instance, or give --replace to replace all of its data"
            )

        def read(member: str) -> Iterator[bytes]:
            return archive.member_chunks(path, zipped, member, manifest["members"][member])

        staged: list[varfiles.Staged] = []
        try:
            for key, recorded in manifest["files"]["places"].items():
                if recorded["present"]:
                    staged.append(varfiles.stage(places[key], recorded["members"], read))
            summary.rows = _load(path, zipped, manifest, carried, using=using)
        except BaseException:
            for done in staged:
                done.discard()
            raise
    for done in staged:
        done.commit()
    ContentType.objects.clear_cache()
    summary.tables = len(manifest["database"]["tables"])
    summary.files = sum(len(recorded["members"]) for recorded in manifest["files"]["places"].values())
    summary.left_out = sorted(left_out)
    summary.seconds = time.perf_counter() - started
    return summary


def _load(
    path: Path, zipped: zipfile.ZipFile, manifest: dict[str, Any], carried: list[tables.Table], *, using: str
) -> int:
    """Empty every table and load the backup's rows, in one transaction."""
    by_label = {table.label: table for table in carried}
    connection = connections[using]
    rows = 0
    try:
        with transaction.atomic(using=using):
            tables.tables_empty(reversed(tables.every_stored_model()), using=using)
            for listed in manifest["database"]["tables"]:
                table = by_label[listed["model"]]
                lines = archive.member_lines(path, zipped, table.member, manifest["members"][table.member])
                loaded = tables.table_load(table, lines, using=using)
                if loaded != listed["rows"]:
                    raise BackupError(f"{path}: {table.member} holds {loaded} rows, not {listed['rows']}")
                rows += loaded
            tables.sequences_reset([table.model for table in carried], using=using)
            connection.check_constraints()
            # What the public reads is derived again from the rows restored.
            published.rebuild()
    except DatabaseError as error:
        said = " ".join(str(error).split())
        raise BackupError(f"{path}: the database refused the backup's rows ({said})") from error
    return rows
