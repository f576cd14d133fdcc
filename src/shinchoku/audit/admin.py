"""The audit log in the Django admin, to read: events are written only by the services."""

from __future__ import annotations

from django.contrib import admin

from shinchoku.audit.models import AuditEvent
from shinchoku.review.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_name", "event_type", "subject_type", "subject_id", "subject_version"]
    #: The kinds of subject offered are those the log holds: every model of the site has a
    #: content type, django-axes's included, and none but the recorded ones has an event.
    list_filter = ["event_type", ("subject_type", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["actor_name", "reason"]
    date_hierarchy = "created_at"
    show_full_result_count = False
