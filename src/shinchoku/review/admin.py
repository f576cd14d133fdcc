"""Rounds and entries in the Django admin, to look at only: every change goes through
the workflow's services, which check roles, states and versions and write the audit log."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from shinchoku.review.models import Entry, Round


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["plan", "fiscal_year", "kind", "state", "deadline", "opened_at", "published_at"]
    list_filter = ["state", "kind", "plan"]
    list_select_related = ["plan"]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["node", "round", "state", "version", "updated_by", "updated_at"]
    list_filter = ["state", "round__fiscal_year", "round__plan"]
    list_select_related = ["node", "round__plan", "updated_by"]
    search_fields = ["node__code", "node__title", "text"]
    show_full_result_count = False
