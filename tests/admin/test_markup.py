"""The admin's forms as assistive technology and the HTML checker read them: each field of
an inline's table named by its column and row, every header cell of the table named, an
autocomplete select valid HTML whether anything is chosen or not, and a text in another
language than the page's marked with its own, in a form's box and wherever the admin
writes data (the Japanese plan on the English admin, English on the Japanese one).
(tests/test_checked_pages.py runs axe-core and the Nu HTML Checker over the admin's pages
in a browser.)"""

from __future__ import annotations

import re

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from shinchoku.accounts.models import StaffRole
from shinchoku.audit.admin_widgets import row_label
from shinchoku.audit.models import EventType
from shinchoku.audit.services import audit_record
from shinchoku.audit.templatetags.admin_languages import mark_languages
from shinchoku.plans.models import Level, Node, NodeUnit
from shinchoku.progress.admin import NodeResultInline
from shinchoku.progress.models import Result
from tests.factories import EveryTable

NOTE = "Code 9-1-1 is invented in printed order; the heading reads 協働のまちづくりの推進."


def label(model: type[Model], field: str) -> str:
    with translation.override("ja"):
        return str(capfirst(model._meta.get_field(field).verbose_name))


def control(page: str, name: str) -> str:
    """The opening tag of the form control named ``name`` on ``page``."""
    found = re.search(rf'<(?:input|select|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    assert found, f"no control named {name}"
    return found.group()


def options(page: str, name: str) -> list[str]:
    """The <option> tags and labels of the select named ``name`` on ``page``."""
    found = re.search(rf'<select\b[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert found, f"no select named {name}"
    return [" ".join(option.split()) for option in re.findall(r"<option\b.*?</option>", found.group(1), re.S)]


def get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_each_field_of_an_inline_row_is_named_by_its_column_and_row(admin_client: Client, world: EveryTable):
    page = get(admin_client, reverse("admin:plans_plan_change", args=[world.plan.pk]))
    depth, kind = label(Level, "depth"), label(Level, "kind")
    assert f'aria-label="{depth}（1行目）"' in control(page, "levels-0-depth")
    assert f'aria-label="{kind}（2行目）"' in control(page, "levels-1-kind")
    assert 'aria-label="削除（1行目）"' in control(page, "levels-0-DELETE")
    # The row the page copies when a person adds one.
    assert f'aria-label="{depth}（新しい行）"' in control(page, "levels-__prefix__-depth")
    # A hidden field has no name to say; the form above the inlines has its labels.
    assert "aria-label" not in control(page, "levels-0-id")
    assert "aria-label" not in control(page, "code")


def test_an_autocomplete_in_an_inline_row_is_named_too(admin_client: Client, world: EveryTable):
    page = get(admin_client, reverse("admin:plans_node_change", args=[world.measure.pk]))
    assert f'aria-label="{label(NodeUnit, "unit")}（1行目）"' in control(page, "unit_roles-0-unit")


@pytest.mark.parametrize(
    ("url_name", "attr"), [("admin:plans_plan_change", "plan"), ("admin:plans_node_change", "measure")]
)
def test_every_header_cell_of_an_inline_table_says_what_its_column_holds(
    admin_client: Client, world: EveryTable, url_name: str, attr: str
):
    page = get(admin_client, reverse(url_name, args=[getattr(world, attr).pk]))
    headers = re.findall(r"<thead>(.*?)</thead>", page, re.S)
    assert headers
    for header in headers:
        for cell in re.findall(r"<th\b[^>]*>(.*?)</th>", header, re.S):
            assert re.sub(r"<[^>]*>", "", cell).strip(), f"an empty header cell in {header}"


def test_the_saved_rows_column_is_headed_by_what_they_are(admin_client: Client, world: EveryTable):
    page = get(admin_client, reverse("admin:plans_node_change", args=[world.measure.pk]))
    with translation.override("ja"):
        results = str(capfirst(Result._meta.verbose_name))
    assert f'<th class="original"><span class="visually-hidden">{results}</span></th>' in page


@pytest.mark.parametrize(
    ("addable", "last"),
    [(False, "<td></td>"), (True, '<th><span class="visually-hidden">削除しますか?</span></th>')],
)
def test_a_last_column_without_delete_boxes_is_named_when_a_new_row_can_be_removed_there(
    admin_client: Client, world: EveryTable, monkeypatch: pytest.MonkeyPatch, addable: bool, last: str
):
    """A node's results are read only there: no saved row can be deleted. Their last column
    is empty, without a header, unless a row could be added on the page (its "remove" link
    stands there): then it is named for screen readers."""
    monkeypatch.setattr(NodeResultInline, "has_add_permission", lambda *args: addable)
    page = get(admin_client, reverse("admin:plans_node_change", args=[world.measure.pk]))
    header = re.search(r'id="results-group".*?<thead>(.*?)</thead>', page, re.S)
    assert header
    assert re.sub(r"\s+", "", header.group(1)).endswith(re.sub(r"\s+", "", last) + "</tr>")


def test_an_autocomplete_select_starts_with_the_blank_choice(admin_client: Client, world: EveryTable):
    # Optional, something chosen: the blank choice, then the one chosen.
    page = get(admin_client, reverse("admin:plans_node_change", args=[world.measure.pk]))
    assert options(page, "parent") == [
        '<option value="">---------</option>',
        f'<option value="{world.programme.pk}" selected>{world.programme}</option>',
    ]
    # Required, something chosen (a result's node).
    page = get(admin_client, reverse("admin:progress_result_change", args=[world.result.pk]))
    assert options(page, "node")[0] == '<option value="">---------</option>'
    assert options(page, "node")[1].endswith(f"selected>{world.measure}</option>")
    # Required, nothing chosen yet: the blank choice, chosen.
    page = get(admin_client, reverse("admin:accounts_staffrole_add"))
    assert "required" in control(page, "user")
    assert options(page, "user") == ['<option value="" selected>---------</option>']
    assert options(page, "unit") == ['<option value="" selected>---------</option>']
    assert StaffRole.objects.count() == 0


def test_a_text_in_another_language_than_the_page_is_marked_with_its_own(
    admin_client: Client, world: EveryTable
):
    Node.objects.filter(pk=world.measure.pk).update(note=NOTE)
    url = reverse("admin:plans_node_change", args=[world.measure.pk])
    page = get(admin_client, url)
    assert 'lang="en"' in control(page, "note")
    assert "lang=" not in control(page, "title")
    assert "lang=" not in control(page, "summary")
    # A choice's value is a code, whatever the language of its label.
    assert "lang=" not in control(page, "unit_roles-0-role")
    with translation.override("en"):
        english = get(admin_client, reverse("admin:plans_node_change", args=[world.measure.pk]))
    assert english.startswith("<!DOCTYPE html>") and '<html lang="en"' in english
    assert 'lang="ja"' in control(english, "title")
    assert "lang=" not in control(english, "note")


def test_a_row_name_without_a_row_number_is_the_fields_label():
    with translation.override("ja"):
        assert row_label("深さ", "levels-3") == "深さ（4行目）"
        assert row_label("深さ", "levels-__prefix__") == "深さ（新しい行）"
        assert row_label("深さ", "levels") == "深さ"
    with translation.override("en"):
        assert row_label("Depth", "levels-0") == "Depth, row 1"


# ------------------------------------------------------------------ data in its own language


def test_a_run_of_text_in_another_language_than_the_page_is_marked():
    assert (
        mark_languages("9 市民自治と区役所機能の拡充", "en")
        == '9 <span lang="ja">市民自治と区役所機能の拡充</span>'
    )
    assert (
        mark_languages("Access Log for admin @ 2026", "ja")
        == '<span lang="en">Access Log for admin</span> @ 2026'
    )
    # Text in the page's language, or in none, is left as it is; a plain string is escaped.
    assert mark_languages("協働のまちづくり", "ja") == "協働のまちづくり"
    assert mark_languages("<b>9-1-1</b>", "en") == "&lt;b&gt;9-1-1&lt;/b&gt;"


def test_markup_is_marked_in_its_text_only():
    cell = mark_safe(
        '<td class="field-title"><a href="/admin/plans/node/1/" title="計画">協働 &amp; 推進</a></td>'
    )
    assert mark_languages(cell, "en") == (
        '<td class="field-title"><a href="/admin/plans/node/1/" title="計画">'
        '<span lang="ja">協働</span> &amp; <span lang="ja">推進</span></a></td>'
    )


def test_text_stands_in_the_language_of_its_element():
    """Text inside an element with a lang is in that language; a box's lang (a void
    element) does not reach the text after it."""
    marked_html = mark_languages(
        mark_safe('<p lang="ja">協働 <span>推進</span></p> 協働 <input lang="ja" value="x"> 推進'), "en"
    )
    assert marked_html == (
        '<p lang="ja">協働 <span>推進</span></p> <span lang="ja">協働</span> '
        '<input lang="ja" value="x"> <span lang="ja">推進</span>'
    )


def test_a_choice_in_another_language_is_marked_whole_and_a_box_left_alone():
    select = mark_safe(
        '<select><option value="">---------</option><option value="1" selected>川崎 第3期</option>'
        '<option value="2">Measure</option></select><textarea>協働の推進</textarea>'
    )
    assert mark_languages(select, "en") == (
        '<select><option value="">---------</option><option lang="ja" value="1" selected>川崎 第3期</option>'
        '<option value="2">Measure</option></select><textarea>協働の推進</textarea>'
    )


def test_the_english_admin_marks_japanese_data(admin_client: Client, world: EveryTable):
    event = audit_record(
        actor=None,
        event_type=EventType.OBJECT_CHANGED,
        subject=world.measure,
        changes={"title": {"before": "協働型事業", "after": world.measure.title}},
    )
    with translation.override("en"):
        entry = get(admin_client, reverse("admin:audit_auditevent_change", args=[event.pk]))
        listing = get(admin_client, reverse("admin:plans_node_changelist"))
        change = get(admin_client, reverse("admin:plans_node_change", args=[world.measure.pk]))
        result = get(admin_client, reverse("admin:progress_result_change", args=[world.result.pk]))
        deletion = get(admin_client, reverse("admin:plans_node_delete", args=[world.project.pk]))
        history = get(admin_client, reverse("admin:plans_node_history", args=[world.measure.pk]))
        selected = admin_client.post(
            reverse("admin:plans_node_changelist"),
            {"action": "delete_selected", "_selected_action": [world.project.pk]},
        ).content.decode()
    # A list's cells and its filters' choices.
    assert '<td class="field-title"><span lang="ja">協働型事業の推進</span></td>' in listing
    assert f'>{world.plan.code}: <span lang="ja">施策計画</span></a>' in listing
    # The object's name in the breadcrumbs and the heading.
    title = f'<span lang="ja">{world.measure.title}</span>'
    assert re.search(rf"&rsaquo; {world.measure.code} {re.escape(title)}\s*</div>", change)
    assert f"<h2>{world.measure.code} {title}</h2>" in change
    assert re.search(rf"<h1>[^<]*: {world.measure.code} {re.escape(title)}</h1>", history)
    # A select's choices; the text of a box is marked on the box.
    assert re.search(r'<option lang="ja" value="\d+" selected>施策計画</option>', change)
    assert 'lang="ja"' in control(change, "title")
    # A read-only field; an inline row's name.
    assert '&quot;before&quot;: &quot;<span lang="ja">協働型事業</span>&quot;' in entry
    assert re.search(
        r'<p>\s*<span lang="ja">達成状況区分</span>: 3 <span lang="ja">目標をほぼ達成</span>', result
    )
    # The objects a deletion would take.
    item = f'{world.project.code} <span lang="ja">{world.project.title}</span></a></li>'
    assert item in deletion and item in selected


def test_a_message_naming_an_object_marks_its_name(admin_client: Client, world: EveryTable):
    with translation.override("en"):
        url = reverse("admin:plans_node_delete", args=[world.project.pk])
        response = admin_client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert not Node.objects.filter(pk=world.project.pk).exists()
    message = re.search(r'<ul class="messagelist">(.*?)</ul>', response.content.decode(), re.S)
    assert message, "no message"
    assert f'<span lang="ja">{world.project.title}</span>' in message.group(1)


def test_the_japanese_admin_marks_english_data(admin_client: Client, world: EveryTable):
    Node.objects.filter(pk=world.measure.pk).update(title="Promotion of collaborative projects")
    listing = get(admin_client, reverse("admin:plans_node_changelist"))
    assert '<span lang="en">Promotion of collaborative projects</span>' in listing
