"""Staff roles in the Django admin: the planning division assigns who writes, reviews
and administers."""

from django.contrib import admin

from shinchoku.accounts.models import StaffRole


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role", "unit__kind"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "user__last_name", "user__first_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
