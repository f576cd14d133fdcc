"""Audit rows are made here and only here, by the services that change the data.

Values in ``changes`` and ``snapshot`` are JSON-ready (strings, numbers, None); the
caller turns dates and model instances into such values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from shinchoku.audit.models import AuditEvent, EventType

Changes = dict[str, dict[str, Any]]


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """``{field: {"before": …, "after": …}}`` for every field whose value differs;
    a field missing on one side counts as None."""
    return {
        field: {"before": before.get(field), "after": after.get(field)}
        for field in sorted(set(before) | set(after))
        if before.get(field) != after.get(field)
    }


def _event(
    *,
    actor: Any,
    event_type: EventType,
    subject: models.Model,
    changes: Changes,
    snapshot: Mapping[str, Any] | None,
    version: int | None,
    reason: str,
    details: Mapping[str, Any] | None = None,
    part_of: models.Model | None = None,
) -> AuditEvent:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent(
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated else "",
        event_type=event_type,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        part_of_type=ContentType.objects.get_for_model(part_of) if part_of is not None else None,
        part_of_id=part_of.pk if part_of is not None else None,
        subject_version=version,
        changes=changes,
        snapshot=dict(snapshot) if snapshot is not None else None,
        reason=reason,
        details=dict(details or {}),
    )


def audit_record(
    *,
    actor: Any,
    event_type: EventType,
    subject: models.Model,
    changes: Changes,
    snapshot: Mapping[str, Any] | None = None,
    version: int | None = None,
    reason: str = "",
    details: Mapping[str, Any] | None = None,
    part_of: models.Model | None = None,
) -> AuditEvent:
    """Record one change to ``subject``, made by ``actor`` (None for the system);
    ``part_of`` is the object whose history also lists it (a target's node)."""
    event = _event(
        actor=actor,
        event_type=event_type,
        subject=subject,
        changes=changes,
        snapshot=snapshot,
        version=version,
        reason=reason,
        details=details,
        part_of=part_of,
    )
    event.save()
    return event


def audit_record_many(
    *,
    actor: Any,
    event_type: EventType,
    items: Iterable[tuple[models.Model, Changes, Mapping[str, Any] | None, int | None]],
    reason: str = "",
) -> list[AuditEvent]:
    """Record the same kind of change to many subjects at once: one row each, one query.
    ``items`` are (subject, changes, snapshot, version)."""
    return AuditEvent.objects.bulk_create(
        [
            _event(
                actor=actor,
                event_type=event_type,
                subject=subject,
                changes=changes,
                snapshot=snapshot,
                version=version,
                reason=reason,
            )
            for subject, changes, snapshot, version in items
        ]
    )
