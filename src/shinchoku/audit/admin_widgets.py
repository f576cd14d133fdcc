"""The Django admin's form fields, named for assistive technology, marked with their
language and written as valid HTML.

- A text in another language than the page's (an English note on the Japanese admin) is
  marked with its own: ``LanguageMarkedField`` gives its widget a ``lang``.
- A tabular inline shows each field's label once, in its column's header, and nothing
  beside the field itself: ``RowLabelledField`` names each field of a row by its column
  and row ("深さ（1行目）"), the "delete" box included.
- An autocomplete field (select2) is a ``<select>`` that Django writes with an empty
  ``<option>`` when the field is optional, and none when it is required:
  ``AutocompleteWithBlank`` always starts it with the blank choice, labelled as a plain
  select's is.

``NamedFieldsAdmin`` and ``NamedFieldsInline`` put these on a ModelAdmin's or an inline's
forms. The admin's stylesheet and script (``audit/admin.css``, ``audit/admin.js``, loaded
by ``templates/admin/base_site.html``) do the rest: target sizes, underlined breadcrumbs,
select2's combobox named by its label, the search icons of a two-list choice (a group's
permissions) named as images; ``templates/admin/edit_inline/tabular.html`` names the
inline table's header cells. Beyond the forms' fields, the data the admin writes (an
object's name, a list's cells, a read-only value) is marked with its language by
``templatetags/admin_languages.py``, and Django's widget templates overridden in
``templates/admin/widgets/`` and ``templates/auth/widgets/`` (drawn through the
``FORM_RENDERER`` setting) name a date's and a time's boxes and keep a password's summary
valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models
from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms import BoundField, Textarea, TextInput, Widget
from django.http import HttpRequest
from django.utils.translation import get_language, gettext

from shinchoku.text import text_language

#: What a formset puts at the end of the prefix of the row a person adds on the page
#: (the page copies that row and numbers it).
NEW_ROW = "__prefix__"


def page_language() -> str:
    """The language the admin's page is in (its ``<html lang>``), "ja" or "en"."""
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def row_label(label: str, prefix: str) -> str:
    """The name of the field ``label`` in the inline row whose form has ``prefix``: a
    formset numbers its forms' prefixes from 0 (``levels-0``, ``levels-1`` …)."""
    index = prefix.rpartition("-")[2]
    if index.isdigit():
        return gettext("%(field)s, row %(row)s") % {"field": label, "row": int(index) + 1}
    if index == NEW_ROW:
        return gettext("%(field)s, new row") % {"field": label}
    return label


class LanguageMarkedField(BoundField):
    """A field of an admin form: when the text in its box is written in another language
    than the page's, the box says which (``lang``), so that it is read out in that
    language. (A choice's value is a code, whatever its label's language.)"""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        value = self.value()
        if isinstance(value, str) and isinstance(widget or self.field.widget, Textarea | TextInput):
            page = page_language()
            language = text_language(value, default=page)
            if language != page:
                attrs.setdefault("lang", language)
        return attrs


class RowLabelledField(LanguageMarkedField):
    """A field of a tabular inline's row: its widget is named by the field's label and the
    row's number (an ``aria-label``), as its column's header and its row say visually."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        if not (widget or self.field.widget).is_hidden and self.form.prefix:
            attrs.setdefault("aria-label", row_label(str(self.label), self.form.prefix))
        return attrs


class AutocompleteWithBlank(AutocompleteSelect):
    """An autocomplete select whose first option is always the blank choice ("---------"),
    required or not, chosen when nothing else is, so that its HTML is valid whatever is
    chosen; select2 shows it as an empty box, as before."""

    def optgroups(
        self, name: str, value: Sequence[str], attr: dict[str, Any] | None = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        groups = super().optgroups(name, value, attr)
        options = groups[0][1]
        if options and options[0]["value"] == "":
            options.pop(0)
        chosen = any(option["selected"] for option in options)
        options.insert(0, self.create_option(name, "", str(BLANK_CHOICE_DASH[0][1]), not chosen, 0))
        return groups


def autocomplete_with_blank(
    model_admin: admin.options.BaseModelAdmin,
    db_field: models.Field[Any, Any],
    request: HttpRequest,
    kwargs: dict[str, Any],
) -> None:
    """Draw ``db_field`` with ``AutocompleteWithBlank`` where ``model_admin`` would draw it
    with Django's autocomplete select."""
    if "widget" not in kwargs and db_field.name in model_admin.get_autocomplete_fields(request):
        kwargs["widget"] = AutocompleteWithBlank(db_field, model_admin.admin_site, using=kwargs.get("using"))


class NamedFieldsAdmin(admin.ModelAdmin):
    """A ModelAdmin whose form's fields are marked with their language and whose
    autocomplete fields are drawn by ``AutocompleteWithBlank``."""

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        form.bound_field_class = LanguageMarkedField
        return form

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        autocomplete_with_blank(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class NamedFieldsInline(admin.options.InlineModelAdmin):
    """An inline whose fields are marked with their language, in a table (a TabularInline)
    named by their column and row too, and whose autocomplete fields are drawn by
    ``AutocompleteWithBlank``."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        tabular = isinstance(self, admin.TabularInline)
        formset.form.bound_field_class = RowLabelledField if tabular else LanguageMarkedField
        return formset

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        autocomplete_with_blank(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
