"""The database in a backup: which tables, in what order, and each row as one line of JSON.

Every model of every installed app is carried (``apps.get_models``, with the tables of
many-to-many fields), so that an app added later comes along without a change here. Left
out are the tables whose rows must not outlive the instance they were made in
(``LEFT_OUT``), and any table that refers to one of them, since its rows would point at
nothing.

A row is written field by field as the database gives it (a time with its microseconds
and offset, a decimal as its digits, JSON as JSON), keyed by column, and read back with
the field's own conversion: the dump is the same whichever engine wrote it and restores
on either. Rows are inserted as stored, ids included, without running any model code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from graphlib import CycleError, TopologicalSorter
from typing import Any, Protocol
from uuid import UUID

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Field, Model
from django.utils.encoding import is_protected_type

from shinchoku.errors import ErrorCode, Refusal
from shinchoku.published import changes as published

#: Tables whose rows a backup does not carry, and why (the manifest repeats it).
#: Apps whose tables hold only what is derived from the published data: a restore makes
#: them again from the rows it restores (``shinchoku.published.changes.rebuild``).
DERIVED_APPS = published.DERIVED_APPS
DERIVED_WHY = "derived from the published data: the restore makes it again"

LEFT_OUT: dict[str, str] = {
    "sessions.session": "sign-ins: everyone signs in again after a restore",
    "django_tasks_database.dbtaskresult": (
        "background jobs: a queued job restored would run again on the restored data "
        "(a publish, a notice); the restore empties the queue and whoever asked queues it again"
    ),
    "jobs.job": (
        "background jobs as people follow them: their runs are not carried, so a restored job "
        "would never end; what a finished job changed is in the data and its audit rows"
    ),
    "jobs.workerbeat": "workers' signs of life: the workers of the restored instance write their own",
}
#: Tables that ``migrate`` fills in every instance: an instance with rows only there is empty.
MADE_BY_MIGRATE = frozenset({"contenttypes.contenttype", "auth.permission"})
#: Rows read or written at a time.
CHUNK = 2000


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


class BackupError(Refusal):
    """A backup cannot be made or restored; the message says what and why, and nothing changed."""

    code = ErrorCode.INVALID


@dataclass(frozen=True)
class Table:
    model: type[Model]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def member(self) -> str:
        """Its member in the backup's ZIP file."""
        return f"database/{self.label}.jsonl"

    @property
    def fields(self) -> list[Field[Any, Any]]:
        return list(self.model._meta.local_concrete_fields)

    @property
    def columns(self) -> list[str]:
        return [field.attname for field in self.fields]


def _stored_models() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]


def _refers_to(model: type[Model]) -> set[str]:
    return {
        related._meta.label_lower
        for field in model._meta.local_concrete_fields
        if isinstance(related := field.related_model, type) and related is not model
    }


def tables() -> tuple[list[Table], dict[str, str]]:
    """The tables a backup carries, each after those it refers to, and those it leaves
    out with why."""
    models = {model._meta.label_lower: model for model in _stored_models()}
    left_out = {label: why for label, why in LEFT_OUT.items() if label in models}
    left_out.update(
        {
            label: DERIVED_WHY
            for label, model in models.items()
            if model._meta.app_label in DERIVED_APPS and label not in left_out
        }
    )
    changed = True
    while changed:
        changed = False
        for label, model in models.items():
            refused = sorted(_refers_to(model) & set(left_out))
            if label not in left_out and refused:
                left_out[label] = f"refers to {refused[0]}, which is left out"
                changed = True
    graph = {label: _refers_to(model) & set(models) for label, model in sorted(models.items())}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError:
        # The foreign keys are checked when the restore commits, so an order is a courtesy.
        order = sorted(graph)
    return [Table(models[label]) for label in order if label not in left_out], left_out


def every_stored_model() -> list[type[Model]]:
    """Every table of the instance, carried or not: what a restore empties."""
    return _stored_models()


def _encode(value: object) -> object:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"cannot write a {type(value).__name__} in a backup")


def _value(obj: Model, field: Field[Any, Any]) -> object:
    value = field.value_from_object(obj)
    return value if is_protected_type(value) else field.value_to_string(obj)


def table_write(table: Table, stream: Writable, *, using: str) -> int:
    """Write every row of ``table`` to ``stream``, one JSON object a line, in id order,
    reading ``CHUNK`` rows at a time; how many."""
    fields = table.fields
    rows = 0
    for obj in table.model._base_manager.using(using).order_by("pk").iterator(chunk_size=CHUNK):
        row = {field.attname: _value(obj, field) for field in fields}
        line = json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=_encode)
        stream.write(line.encode("utf-8") + b"\n")
        rows += 1
    return rows


def _row(table: Table, number: int, line: bytes, connection: BaseDatabaseWrapper) -> list[Any]:
    """The values of a row of the dump, as the database stores them."""
    where = f"{table.member}, line {number}"
    try:
        data = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{where}: not a row of JSON ({error})") from error
    fields = table.fields
    if not isinstance(data, dict) or set(data) != {field.attname for field in fields}:
        raise BackupError(f"{where}: its columns are not those of the table {table.model._meta.db_table}")
    values = []
    for field in fields:
        try:
            values.append(field.get_db_prep_save(field.to_python(data[field.attname]), connection))
        except (ValidationError, ValueError, TypeError) as error:
            said = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise BackupError(f"{where}: {field.attname}: {said}") from error
    return values


def table_load(table: Table, lines: Iterable[bytes], *, using: str) -> int:
    """Insert the rows of ``lines`` into ``table`` as they were stored (ids, times set on
    creation and all), ``CHUNK`` at a time, with no model code run; how many."""
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in table.fields)
    marks = ", ".join(["%s"] * len(table.fields))
    sql = f"INSERT INTO {quote(table.model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    batch: list[list[Any]] = []
    rows = 0
    with connection.cursor() as cursor:
        for number, line in enumerate(lines, start=1):
            batch.append(_row(table, number, line, connection))
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                rows += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            rows += len(batch)
    return rows


def tables_empty(models: Iterable[type[Model]], *, using: str) -> None:
    """Delete every row of ``models`` with plain SQL: no model code, no cascade, no
    signal; the foreign keys are checked when the transaction commits."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def sequences_reset(models: list[type[Model]], *, using: str) -> None:
    """Let new rows take ids after the restored ones (PostgreSQL's sequences; SQLite
    follows the largest id by itself)."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def rows_present(tables_: Iterable[Table], *, using: str) -> Iterator[tuple[str, int]]:
    """The tables holding rows that ``migrate`` does not make, with how many."""
    for table in tables_:
        if table.label in MADE_BY_MIGRATE:
            continue
        count = table.model._base_manager.using(using).count()
        if count:
            yield table.label, count


def migrations_applied(*, using: str) -> dict[str, list[str]]:
    """The migrations applied to the database, per app."""
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def migrations_known(*, using: str) -> set[tuple[str, str]]:
    """The migrations this code has."""
    return set(MigrationLoader(connections[using], ignore_no_migrations=True).graph.nodes)
