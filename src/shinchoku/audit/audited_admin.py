"""The Django admin's writes through the services, and its history pages from the audit log.

A ModelAdmin of plan, progress or account data (the staff roles) derives from
``AuditedModelAdmin`` and names its services in ``writes``; each of its inlines derives
from ``AuditedInline`` and names its own. Every save of the page, every inline row
added, changed or deleted, a deletion and the bulk "delete selected" action then go
through a service as the signed-in person, and each service records its audit row: one
row per object changed, the inline rows recorded as part of the page's object. Nothing
in these admins writes a row itself. The other admins of the project's data (rounds,
entries, the audit log) are read-only.

The "history" page of an object lists the audit rows of it and of its parts (a node's
targets, results and their ratings …), each changed field before → after, instead of
Django's own log of admin actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.apps import apps as django_apps
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.paginator import Paginator
from django.db import models, router, transaction
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.text import capfirst

from shinchoku.audit.admin_widgets import NamedFieldsAdmin, NamedFieldsInline
from shinchoku.audit.selectors import audit_history_with_parts, history_rows
from shinchoku.errors import ApplicationError
from shinchoku.published import changes as published

#: Rows shown on one history page.
HISTORY_PAGE_SIZE = 100


@dataclass(frozen=True)
class Writes:
    """The services that add, change and delete one model's rows:
    ``create(row, *, actor, **many_to_many)``, ``update(row, *, data, actor)``,
    ``delete(row, *, actor)``."""

    create: Callable[..., models.Model]
    update: Callable[..., models.Model]
    delete: Callable[..., None]


def acting_user(request: HttpRequest) -> User:
    """The signed-in person a change is recorded as."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def form_changes(form: forms.ModelForm) -> dict[str, Any]:
    """What the person changed in ``form``, by field name of its model (a many-to-many
    field with the rows chosen)."""
    opts = form.instance._meta
    fields = {field.name for field in opts.get_fields() if not field.auto_created} - {opts.pk.name}
    return {
        name: form.cleaned_data[name]
        for name in form.changed_data
        if name in fields and name in form.cleaned_data
    }


def form_many_to_many(form: forms.ModelForm) -> dict[str, Any]:
    """The rows chosen in ``form`` for its model's many-to-many fields, by field name."""
    return {
        field.name: form.cleaned_data[field.name]
        for field in form.instance._meta.many_to_many
        if field.name in form.cleaned_data
    }


class AuditedInlineFormSet(BaseInlineFormSet):
    """An inline's rows, written through ``writes`` as ``actor``: the inline sets the
    one, the admin the other just before it saves. Without them it refuses to save."""

    writes: ClassVar[Writes | None] = None
    actor: User | None = None

    def _through(self, commit: bool) -> tuple[Writes, User]:
        if self.writes is None or self.actor is None or not commit:
            raise ImproperlyConfigured(
                f"The rows of {self.model._meta.label} are saved only through their services, as a person."
            )
        return self.writes, self.actor

    def save_new(self, form: forms.ModelForm, commit: bool = True) -> models.Model:
        writes, actor = self._through(commit)
        # The parent may have been saved after the form was made (a new node with targets).
        setattr(form.instance, self.fk.name, self.instance)
        return writes.create(form.instance, actor=actor, **form_many_to_many(form))

    def save_existing(self, form: forms.ModelForm, obj: models.Model, commit: bool = True) -> models.Model:
        writes, actor = self._through(commit)
        return writes.update(obj, data=form_changes(form), actor=actor)

    def delete_existing(self, obj: models.Model, commit: bool = True) -> None:
        writes, actor = self._through(commit)
        writes.delete(obj, actor=actor)


class AuditedInline(NamedFieldsInline):
    """An inline whose rows are written through its services, ``writes``."""

    writes: ClassVar[Writes]
    formset = AuditedInlineFormSet

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        if not issubclass(formset, AuditedInlineFormSet):
            raise ImproperlyConfigured(f"{type(self).__name__}.formset must be an AuditedInlineFormSet.")
        formset.writes = self.writes
        return formset


class AuditedModelAdmin(NamedFieldsAdmin):
    """A model's admin whose every write goes through its services, ``writes``, as the
    signed-in person; its history page reads the audit log."""

    writes: ClassVar[Writes]
    object_history_template = "audit/object_history.html"

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """What a deletion takes, as the confirmation page lists it: the city's data only,
        not what is derived from it (search documents, kept counts), which goes with it."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        derived = [
            model for model in django_apps.get_models() if model._meta.app_label in published.DERIVED_APPS
        ]
        prefixes = tuple(f"{capfirst(model._meta.verbose_name)}: " for model in derived)
        plurals = {str(model._meta.verbose_name_plural) for model in derived}
        return (
            _without_derived(to_delete, prefixes),
            {name: count for name, count in model_count.items() if str(name) not in plurals},
            perms_needed,
            protected,
        )

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        if change:
            self.writes.update(obj, data=form_changes(form), actor=acting_user(request))
        else:
            self.writes.create(obj, actor=acting_user(request), **form_many_to_many(form))

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        # The many-to-many fields were saved with the object (save_model), not by form.save_m2m.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool) -> None:
        if not isinstance(formset, AuditedInlineFormSet):
            raise ImproperlyConfigured(f"The inline of {formset.model._meta.label} is not audited.")
        formset.actor = acting_user(request)
        formset.save()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.writes.delete(obj, actor=acting_user(request))

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refusals_shown(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refusals_shown(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refusals_shown(request, super().changelist_view, *args, **kwargs)

    def _refusals_shown(
        self, request: HttpRequest, view: Callable[..., HttpResponse], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        """A write an application rule refuses (a target whose revision is pending in an open
        round, deleted with its node) changes nothing (the view's transaction is taken back)
        and is told on the page it was asked from."""
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """The "delete selected" action: each row through the service, all or none."""
        actor = acting_user(request)
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in queryset:
                # A row may have gone with one deleted before it (a node under another).
                if type(obj)._default_manager.filter(pk=obj.pk).exists():
                    self.writes.delete(obj, actor=actor)

    def history_parts(self, obj: Any) -> list[QuerySet[Any]]:
        """The rows that are parts of ``obj`` now and have parts of their own, whose
        changes ``obj``'s history lists too (a node's results, with their ratings)."""
        return []

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Django's history page, listing the object's audit rows and its parts'."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            return super().history_view(request, object_id, extra_context)  # refuses
        events = audit_history_with_parts(obj, part_rows=self.history_parts(obj))
        paginator = Paginator(events, HISTORY_PAGE_SIZE)
        page = paginator.get_page(request.GET.get(PAGE_VAR, 1))
        context = {
            **(extra_context or {}),
            "action_list": page,
            "audit_rows": history_rows(page.object_list),
            "page_range": paginator.get_elided_page_range(page.number),
            "pagination_required": paginator.num_pages > 1,
        }
        return super().history_view(request, object_id, context)


def _without_derived(items: list[Any], prefixes: tuple[str, ...]) -> list[Any]:
    """The nested list of the admin's deletion page without the entries of derived rows."""
    kept: list[Any] = []
    for item in items:
        if isinstance(item, list):
            nested = _without_derived(item, prefixes)
            if nested:
                kept.append(nested)
        elif not str(item).startswith(prefixes):
            kept.append(item)
    return kept
