"""Posting admin pages as a browser would: the data of the rendered forms,
inlines and management forms included, changed only where a test says so."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

if TYPE_CHECKING:
    from tests.factories import EveryTable


class PageData(dict):
    """Form data, and the values a new inline row starts with (its "empty form")."""

    def __init__(self) -> None:
        super().__init__()
        self.new_rows: dict[str, dict[str, Any]] = {}


def bound_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in form:
        if field.field.disabled:
            continue
        value = field.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple):
            value = [str(item) for item in value]
        values[field.name] = value
    return values


def form_data(response: HttpResponse) -> PageData:
    """The data an add or change page posts back when nothing is changed."""
    context = response.context
    data = PageData()
    forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        forms.append(formset.management_form)
        forms.extend(formset.forms)
        data.new_rows[formset.prefix] = bound_values(formset.empty_form)
    for form in forms:
        data.update({form.add_prefix(name): value for name, value in bound_values(form).items()})
    return data


def page_data(client: Client, url: str) -> PageData:
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response)


def new_measure_data(client: Client, world: EveryTable, **fields: Any) -> PageData:
    """The node add page's data for a new measure coded "new" under the world's
    programme, changed where ``fields`` says."""
    data = page_data(client, reverse("admin:plans_node_add"))
    data.update(
        plan=world.plan.pk,
        level=world.measure_level.pk,
        parent=world.programme.pk,
        code="new",
        title="新しい施策",
    )
    data.update(fields)
    return data


def add_row(data: PageData, prefix: str, **fields: Any) -> None:
    """Fill one more row of an inline, as the "add another" link does: the new
    row's initial values, changed where ``fields`` says."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in {**data.new_rows[prefix], **fields}.items():
        data[f"{prefix}-{index}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)


def message(text: str, **params: Any) -> str:
    """A model's error message as the Japanese page shows it (escaped)."""
    with translation.override("ja"):
        translated = translation.gettext(text)
    return escape(translated % params if params else translated)


def assert_refused(response: HttpResponse, expected: str) -> None:
    """The page came back (not a redirect) showing the error."""
    assert response.status_code == 200, "the form was accepted"
    assert expected in response.content.decode()
