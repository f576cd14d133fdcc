"""Staff roles, users and groups in the Django admin.

The planning division assigns who writes, reviews and administers. Every role given,
changed or taken goes through ``accounts.services`` as the signed-in person and is
recorded in the audit log; the role's history page lists it
(``shinchoku.audit.audited_admin``).

Users and groups are Django's own pages, with two things put right: a permission is
named in the page's language (Django stores the names of its default permissions in
English, "Can add plan"), and the password page's warning is translated and written as
valid HTML. django-axes's pages of the lockout (access attempts and logs) are its own;
``accounts.lockout_names`` gives them Japanese.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, Permission, User
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from shinchoku.accounts import services
from shinchoku.accounts.models import StaffRole
from shinchoku.audit.audited_admin import AuditedModelAdmin, Writes


@admin.register(StaffRole)
class StaffRoleAdmin(AuditedModelAdmin):
    writes = Writes(services.staff_role_grant, services.staff_role_update, services.staff_role_revoke)
    list_display = ["user", "role", "unit"]
    list_filter = ["role", "unit__kind"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "user__last_name", "user__first_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]


#: What each of Django's default permissions allows, for any model.
PERMISSION_ACTIONS = {
    "add": gettext_lazy("Can add %(model)s"),
    "change": gettext_lazy("Can change %(model)s"),
    "delete": gettext_lazy("Can delete %(model)s"),
    "view": gettext_lazy("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """A permission as the lists of a user's and a group's permissions show it: its model's
    app and name, then what it allows ("計画の構成 | 計画 | 計画を追加できる"), in the page's
    language. A permission a model declares itself keeps the name it was given."""
    content_type = permission.content_type
    model = content_type.model_class()
    action, _, model_name = permission.codename.partition("_")
    if (
        model is not None
        and model_name == model._meta.model_name
        and action in model._meta.default_permissions
    ):
        allows = str(PERMISSION_ACTIONS[action]) % {"model": model._meta.verbose_name}
    else:
        allows = permission.name
    return f"{content_type} | {allows}"


class PermissionChoices(forms.ModelMultipleChoiceField):
    """A choice of permissions, each named by ``permission_label``."""

    def label_from_instance(self, obj: Permission) -> str:
        return permission_label(obj)


class PermissionsNamed(admin.ModelAdmin):
    """An admin whose many-to-many fields of permissions are ``PermissionChoices``."""

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.remote_field.model is Permission:
            kwargs.setdefault("queryset", Permission.objects.select_related("content_type"))
            kwargs.setdefault("form_class", PermissionChoices)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PasswordChangeForm(AdminPasswordChangeForm):
    """Django's form of a user's password page, its help text valid inside the paragraph
    the page writes it in, and translated: Django writes the warning that turning
    password sign-in off loses the password in a list, which a paragraph cannot hold, and
    in English only. The warning keeps its id, which Django's page shows and hides."""

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        if user.has_usable_password():
            self.fields["usable_password"].help_text = format_html(
                '{} <strong id="id_unusable_warning" class="messagelist">{}</strong>',
                SetUnusablePasswordMixin.usable_password_help_text,
                gettext("If disabled, the current password for this user will be lost."),
            )


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class StaffUserAdmin(PermissionsNamed, UserAdmin):
    change_password_form = PasswordChangeForm


@admin.register(Group)
class StaffGroupAdmin(PermissionsNamed, GroupAdmin):
    pass
