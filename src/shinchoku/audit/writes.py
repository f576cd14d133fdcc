"""Audited writes of one row: the building blocks of the services that add, change and
delete the rows of a plan and of its progress (``plans.services``, ``progress.services``).

Each function validates with the model's own rules (``full_clean``), writes, and records
exactly one audit row (``EventType.OBJECT_CREATED``, ``OBJECT_CHANGED`` or
``OBJECT_DELETED``) whose ``changes`` hold each field before → after: a new row's fields
as "after" only, a deleted row's as "before" only, a changed row's changed fields both
ways. A change that changes nothing writes nothing and records nothing. The services
that call these run them in their transaction and say which object the row is
``part_of`` (a target's node), so that the history of that object lists the change.
A model whose writes have no rule beyond the model's own gets its three services, each
in a transaction of its own, from ``row_services``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.apps import apps
from django.db import models, transaction

from shinchoku.audit.models import EventType
from shinchoku.audit.services import Changes, audit_record, diff
from shinchoku.published import changes as published

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Row = TypeVar("Row", bound=models.Model)
Deleted = TypeVar("Deleted", bound=models.Model, contravariant=True)

#: A row's editable fields as JSON-ready values (``row_values``).
Values = dict[str, Any]


class CreateRow(Protocol[Row]):
    """A service that adds a new, unsaved row: ``create(row, actor=…)``."""

    def __call__(self, row: Row, *, actor: User) -> Row: ...


class UpdateRow(Protocol[Row]):
    """A service that changes a row's fields in ``data``: ``update(row, data=…, actor=…)``."""

    def __call__(self, row: Row, *, data: Mapping[str, Any], actor: User) -> Row: ...


class DeleteRow(Protocol[Deleted]):
    """A service that deletes a row: ``delete(row, actor=…)``."""

    def __call__(self, row: Deleted, *, actor: User) -> None: ...


def json_value(value: Any) -> Any:
    """``value`` as the audit log keeps it: a decimal as its shortest text (so 80 and
    80.0000 are one value), a date as ISO 8601, others as they are."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _plain_many_to_many(row: models.Model) -> list[models.ManyToManyField[Any, Any]]:
    """The many-to-many fields set directly on the row (not through a model of their own)."""
    plain = []
    for field in row._meta.many_to_many:
        through = field.remote_field.through if isinstance(field, models.ManyToManyField) else None
        if isinstance(field, models.ManyToManyField) and through is not None and through._meta.auto_created:
            plain.append(field)
    return plain


def row_values(row: models.Model) -> Values:
    """The row's editable fields as JSON-ready values: a foreign key as the id, a
    many-to-many field as the sorted ids (once the row is saved)."""
    values: Values = {
        field.name: json_value(field.value_from_object(row))
        for field in row._meta.concrete_fields
        if field.editable and not field.primary_key
    }
    if row.pk is not None:
        for field in _plain_many_to_many(row):
            values[field.name] = sorted(getattr(row, field.name).values_list("pk", flat=True))
    return values


def _assign(row: models.Model, data: Mapping[str, Any]) -> dict[str, Iterable[Any]]:
    """Set ``data`` on ``row``; the many-to-many values, to set once the row is saved.
    A name that is not an editable field of the row is a programming error."""
    many: dict[str, Iterable[Any]] = {}
    plain_many = {field.name for field in _plain_many_to_many(row)}
    for name, value in data.items():
        if name in plain_many:
            many[name] = value
            continue
        field = row._meta.get_field(name)
        if not (field.concrete and getattr(field, "editable", False)) or getattr(field, "primary_key", False):
            raise ValueError(f"{name!r} is not an editable field of {row._meta.label}.")
        setattr(row, name, value)
    return many


def _one_way(values: Values, side: str) -> Changes:
    """The non-empty values as changes from nothing ("after") or to nothing ("before")."""
    other = "before" if side == "after" else "after"
    return {name: {other: None, side: value} for name, value in values.items() if value not in (None, "", [])}


def _save(row: models.Model, update_fields: list[str] | None) -> None:
    row.full_clean()
    if update_fields is None:
        row.save()
    elif update_fields:
        row.save(update_fields=update_fields)


def row_create(
    row: Row,
    *,
    actor: User,
    part_of: models.Model | None = None,
    many: Mapping[str, Iterable[Any]] | None = None,
    save: Callable[[Row], object] | None = None,
) -> Row:
    """Validate and save the new ``row`` (``save`` when it is saved otherwise than by
    ``full_clean`` then ``save``), set its many-to-many fields ``many``, and record it."""
    if row.pk is not None:
        raise ValueError(f"{row._meta.label} {row.pk} exists already: change it instead.")
    if save is None:
        _save(row, None)
    else:
        save(row)
    for name, values in (many or {}).items():
        getattr(row, name).set(values)
    audit_record(
        actor=actor,
        event_type=EventType.OBJECT_CREATED,
        subject=row,
        changes=_one_way(row_values(row), "after"),
        part_of=part_of,
        details={"object": str(row)},
    )
    return row


def row_update(
    row: Row,
    data: Mapping[str, Any],
    *,
    actor: User,
    part_of: models.Model | None = None,
    save: Callable[[Row, list[str]], object] | None = None,
) -> Row:
    """Set ``data`` (field name → value; a many-to-many field takes its rows) on the saved
    ``row``, validate, save the fields that changed (``save`` when it is saved otherwise:
    it gets the row and the names of its changed fields), and record the fields that
    changed before → after, compared with the row as stored. Nothing changed, nothing written."""
    stored = type(row)._default_manager.select_for_update().get(pk=row.pk)
    before = row_values(stored)
    many = _assign(row, data)
    # The row's own columns now, compared with the stored ones (many-to-many aside).
    now = {name: value for name, value in row_values(row).items() if name not in many}
    changed = [
        field.name
        for field in row._meta.concrete_fields
        if field.name in now and now[field.name] != before.get(field.name)
    ]
    if save is None:
        _save(row, changed)
    else:
        save(row, changed)
    for name, values in many.items():
        getattr(row, name).set(values)
    changes = diff(before, row_values(row))
    if changes:
        audit_record(
            actor=actor,
            event_type=EventType.OBJECT_CHANGED,
            subject=row,
            changes=changes,
            part_of=part_of,
            details={"object": str(row)},
        )
    return row


def _deleted_with(counts: Mapping[str, int], own_label: str) -> dict[str, int]:
    """What a deletion took with it, by model label: the rows of other models (and other
    rows of the same model, such as a node's subtree), links between rows left out."""
    gone: dict[str, int] = {}
    for label, count in counts.items():
        if label == own_label:
            count -= 1
        model = apps.get_model(label)
        if count > 0 and not model._meta.auto_created and model._meta.app_label not in published.DERIVED_APPS:
            gone[label] = count
    return gone


def row_delete(row: models.Model, *, actor: User, part_of: models.Model | None = None) -> None:
    """Delete ``row`` (and what the database deletes with it) and record its fields as
    they were, with the count of the rows deleted with it (``details["deleted_with"]``).
    A row that others still need (protected) is refused by the database: nothing is
    deleted and nothing recorded."""
    before = row_values(type(row)._default_manager.select_for_update().get(pk=row.pk))
    name = str(row)
    subject = copy.copy(row)  # keeps its id once the row is gone
    with published.batch():
        published.row_written(row, deleting=True)
        _, counts = row.delete()
    audit_record(
        actor=actor,
        event_type=EventType.OBJECT_DELETED,
        subject=subject,
        changes=_one_way(before, "before"),
        part_of=part_of,
        details={"object": name, "deleted_with": _deleted_with(counts, row._meta.label)},
    )


def row_services(
    model: type[Row], *, part_of: str = ""
) -> tuple[CreateRow[Row], UpdateRow[Row], DeleteRow[Row]]:
    """The create, update and delete services of ``model``'s rows, for a model whose
    writes have no rule beyond its own (``full_clean`` and the database's): each runs in
    one transaction and records one audit row, as a part of the object its field
    ``part_of`` names (a level's ``plan``), if any, so that the history of that object
    lists the change."""
    if part_of:
        model._meta.get_field(part_of)  # a name that is not a field fails on import, not on a write

    def whole(row: Row) -> models.Model | None:
        return getattr(row, part_of) if part_of else None

    # Each in one transaction, the public data it changes answered once at its end
    # (``shinchoku.published.changes``): a deletion takes its cascade with it.
    @transaction.atomic
    def create(row: Row, *, actor: User) -> Row:
        with published.batch():
            return row_create(row, actor=actor, part_of=whole(row))

    @transaction.atomic
    def update(row: Row, *, data: Mapping[str, Any], actor: User) -> Row:
        with published.batch():
            return row_update(row, data, actor=actor, part_of=whole(row))

    @transaction.atomic
    def delete(row: Row, *, actor: User) -> None:
        with published.batch():
            row_delete(row, actor=actor, part_of=whole(row))

    return create, update, delete
