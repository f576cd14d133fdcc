"""The audit log: one row per change to a recorded object, made only through
``shinchoku.audit.services`` by the service that makes the change.

``changes`` maps each changed field to ``{"before": …, "after": …}``; ``snapshot``
(where the subject keeps versions) holds the subject's whole content after the change,
so that an earlier version can be shown and restored.

``part_of`` names the object whose history also lists the change, when the subject is
edited as a part of it: a target's node, a rating's result, a level's plan.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    ROUND_OPENED = "round.opened", _("round opened")
    ROUND_DEADLINE_CHANGED = "round.deadline_changed", _("deadline changed")
    ROUND_PUBLISHED = "round.published", _("round published")
    ROUND_CLOSED = "round.closed", _("round closed")
    ENTRY_CREATED = "entry.created", _("entry created")
    ENTRY_SAVED = "entry.saved", _("entry saved")
    ENTRY_SUBMITTED = "entry.submitted", _("entry submitted")
    ENTRY_RETURNED = "entry.returned", _("entry returned")
    ENTRY_APPROVED = "entry.approved", _("entry approved")
    ENTRY_REOPENED = "entry.reopened", _("entry reopened")
    ENTRY_RESTORED = "entry.restored", _("earlier version restored")
    ENTRY_PUBLISHED = "entry.published", _("entry published")
    PLAN_IMPORTED = "plan.imported", _("plan imported from a file")
    #: A plan data file loaded with ``shinchoku loadplan`` (or the demonstration's
    #: ``loaddemo``): not an import of published data, so a report is not dated by it.
    PLAN_LOADED = "plan.loaded", _("plan loaded from a plan data file")
    #: A row of the plan or its progress added, changed or deleted one at a time (the admin).
    OBJECT_CREATED = "object.created", _("added")
    OBJECT_CHANGED = "object.changed", _("changed")
    OBJECT_DELETED = "object.deleted", _("deleted")


class AuditEvent(models.Model):
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("actor"),
    )
    #: The actor's user name at the time, kept when the account is later removed.
    actor_name = models.CharField(_("actor's name"), max_length=150, blank=True)
    event_type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    subject_type = models.ForeignKey(ContentType, models.PROTECT, verbose_name=_("subject type"))
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    subject = GenericForeignKey("subject_type", "subject_id")
    part_of_type = models.ForeignKey(
        ContentType,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("part of (type)"),
    )
    part_of_id = models.PositiveBigIntegerField(_("part of (id)"), null=True, blank=True)
    part_of = GenericForeignKey("part_of_type", "part_of_id")
    subject_version = models.PositiveIntegerField(
        _("version"), null=True, blank=True, help_text=_("The subject's version after the change.")
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    snapshot = models.JSONField(_("content after the change"), null=True, blank=True)
    reason = models.TextField(_("reason or comment"), blank=True)
    #: Facts of the event beyond the changed fields, e.g. {"restored_version": 3}.
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "id"], name="audit_by_subject"),
            models.Index(fields=["part_of_type", "part_of_id", "id"], name="audit_by_part_of"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_event_type_display()}"
