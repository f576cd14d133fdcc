"""Reading the audit log."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

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
