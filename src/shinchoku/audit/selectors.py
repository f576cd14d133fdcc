"""Reading the audit log: the events of an object, and the history a person reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext

from shinchoku.audit.models import AuditEvent


def audit_history(subject: models.Model) -> QuerySet[AuditEvent]:
    """The events of one subject, oldest first."""
    return (
        AuditEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        )
        .select_related("actor")
        .order_by("id")
    )


def audit_history_with_parts(
    subject: models.Model, *, part_rows: Iterable[QuerySet[Any]] = ()
) -> QuerySet[AuditEvent]:
    """The events of ``subject`` and of its parts, oldest first: the rows recorded as part
    of it (a node's targets, results, indicators …) and the rows recorded as part of
    those (a result's ratings, an indicator's values), deleted ones included. A part with
    no row of its own yet is found among ``part_rows``, the subject's parts as they are
    now (a node's results, whose ratings were changed while the result was not)."""
    subject_type = ContentType.objects.get_for_model(subject)
    parts = AuditEvent.objects.filter(part_of_type=subject_type, part_of_id=subject.pk)
    part_ids: dict[int, set[int]] = defaultdict(set)
    for type_id, subject_id in parts.values_list("subject_type_id", "subject_id").distinct():
        part_ids[type_id].add(subject_id)
    found = [
        Q(subject_type=subject_type, subject_id=subject.pk),
        Q(part_of_type=subject_type, part_of_id=subject.pk),
        *(Q(part_of_type_id=type_id, part_of_id__in=ids) for type_id, ids in part_ids.items()),
        *(
            Q(part_of_type=ContentType.objects.get_for_model(rows.model), part_of_id__in=rows.values("pk"))
            for rows in part_rows
        ),
    ]
    return (
        AuditEvent.objects.filter(reduce(or_, found)).select_related("actor", "subject_type").order_by("id")
    )


@dataclass(frozen=True)
class ChangeLine:
    """One field's change as a person reads it: its name, the value before and after."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    """One audit row as a person reads it."""

    at: datetime
    actor: str
    #: What was done (added, changed, deleted, imported …).
    action: str
    #: To what: the kind of object and its name at the time, e.g. "目標 2011年度: ルールの運用".
    subject: str
    changes: list[ChangeLine]
    #: The rows deleted with the subject, e.g. "目標 (2)".
    deleted_with: list[str]
    reason: str


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _ids(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


class _Names:
    """The names of the rows that the changes of some events refer to (a target's node,
    a node's markers), each table read once."""

    def __init__(self, events: list[AuditEvent]) -> None:
        wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        for event in events:
            model = event.subject_type.model_class()
            for name, change in event.changes.items():
                field = _field(model, name)
                if field is not None and field.is_relation and field.related_model is not None:
                    for side in ("before", "after"):
                        wanted[field.related_model].update(_ids(change.get(side)))
        self.rows = {model: model._default_manager.in_bulk(ids) for model, ids in wanted.items()}

    def name(self, model: type[models.Model], pk: Any) -> str:
        row = self.rows.get(model, {}).get(pk)
        return str(row) if row is not None else f"#{pk}"

    def text(self, field: Any, value: Any) -> str:
        """``value`` of ``field`` (None for a name that is not a field) as a person reads it."""
        if value is None or value == "":
            return ""
        if field is None:
            return str(value)
        if field.is_relation and field.related_model is not None:
            return ", ".join(self.name(field.related_model, pk) for pk in _ids(value))
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        return str(value)


def _deleted_with(event: AuditEvent) -> list[str]:
    rows = []
    for label, count in (event.details.get("deleted_with") or {}).items():
        try:
            name = str(apps.get_model(label)._meta.verbose_name_plural)
        except (LookupError, ValueError):
            name = label
        rows.append(f"{name} ({count})")
    return rows


def _in_field_order(model: type[models.Model] | None, changes: dict[str, Any]) -> list[tuple[str, Any]]:
    """The changes in the order of the model's fields, as its forms show them."""
    order = {field.name: index for index, field in enumerate(model._meta.get_fields())} if model else {}
    return sorted(changes.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def history_rows(events: Iterable[AuditEvent]) -> list[HistoryRow]:
    """``events`` as a person reads them, in the active language: each changed field by its
    name, before → after, a related row by its name, a choice by its label."""
    events = list(events)
    names = _Names(events)
    rows = []
    for event in events:
        model = event.subject_type.model_class()
        kind = capfirst(model._meta.verbose_name) if model is not None else event.subject_type.model
        rows.append(
            HistoryRow(
                at=event.created_at,
                actor=event.actor_name or gettext("the system"),
                action=str(event.get_event_type_display()),
                subject=f"{kind} {event.details.get('object') or f'#{event.subject_id}'}",
                changes=[
                    ChangeLine(
                        label=str(capfirst(getattr(field, "verbose_name", name))),
                        before=names.text(field, change.get("before")),
                        after=names.text(field, change.get("after")),
                    )
                    for name, change in _in_field_order(model, event.changes)
                    for field in [_field(model, name)]
                ],
                deleted_with=_deleted_with(event),
                reason=event.reason,
            )
        )
    return rows
