"""Django's user and group pages, the audit log's list and django-axes's lockout pages in
the admin, as the HTML checker and a screen reader read them: every box of a form named,
only valid HTML, and the Japanese admin in Japanese. (tests/test_checked_pages.py runs
axe-core and the Nu HTML Checker over them in a browser.)"""

from __future__ import annotations

import re

import axes.admin
import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from shinchoku.accounts import lockout_names
from shinchoku.accounts.admin import permission_label
from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.audit.services import audit_record
from shinchoku.plans.models import Node, Plan
from tests.factories import EveryTable

pytestmark = pytest.mark.django_db

#: An English phrase, as the page checker finds one among Japanese: three words or more.
ENGLISH_PHRASE = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,]+[A-Za-z][A-Za-z'’-]*){2,}")
#: django-axes's models, whose pages the admin shows.
AXES_MODELS: list[type[Model]] = [AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog]


def get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def options(page: str, name: str) -> list[str]:
    """The labels of the options of the select named ``name`` on ``page``."""
    found = re.search(rf'<select\b[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert found, f"no select named {name}"
    return [label.strip() for label in re.findall(r"<option\b[^>]*>(.*?)</option>", found.group(1), re.S)]


# ------------------------------------------------------------------ a user's form


def test_each_date_and_time_box_of_a_user_is_named_by_its_label(admin_client: Client, admin_user: User):
    page = get(admin_client, reverse("admin:auth_user_change", args=[admin_user.pk]))
    with translation.override("ja"):
        date, time = gettext("Date:"), gettext("Time:")
    for field in ("last_login", "date_joined"):
        assert f'<label for="id_{field}_0">{date}</label>' in page
        assert f'<label for="id_{field}_1">{time}</label>' in page
        assert f'id="id_{field}_0"' in page and f'id="id_{field}_1"' in page


def test_the_summary_of_a_users_password_is_not_a_disabled_div(admin_client: Client, admin_user: User):
    """A read-only field's widget is given ``disabled``, which no <div> may have."""
    page = get(admin_client, reverse("admin:auth_user_change", args=[admin_user.pk]))
    summary = re.search(r'<div\b[^>]*\bid="id_password"[^>]*>', page)
    assert summary, "no summary of the password"
    assert "disabled" not in summary.group()
    assert 'aria-describedby="id_password_helptext"' in summary.group()


def test_the_password_page_warns_in_japanese_inside_its_paragraph(admin_client: Client, admin_user: User):
    page = get(admin_client, reverse("admin:auth_user_password_change", args=[admin_user.pk]))
    with translation.override("ja"):
        warning = gettext("If disabled, the current password for this user will be lost.")
    assert warning != "If disabled, the current password for this user will be lost."
    help_text = re.search(r'<div class="help"[^>]*>\s*<p>(.*?)</p>', page, re.S)
    assert help_text, "no help text"
    assert f'<strong id="id_unusable_warning" class="messagelist">{warning}</strong>' in help_text.group(1)
    # Nothing a paragraph cannot hold.
    assert not re.search(r"<(ul|li|div|p)\b", help_text.group(1))
    # A user without a usable password is not warned of losing it.
    admin_user.set_unusable_password()
    admin_user.save()
    admin_client.force_login(admin_user)
    assert "id_unusable_warning" not in get(
        admin_client, reverse("admin:auth_user_password_change", args=[admin_user.pk])
    )


def test_a_password_can_still_be_set_and_turned_off_there(admin_client: Client, admin_user: User):
    url = reverse("admin:auth_user_password_change", args=[admin_user.pk])
    response = admin_client.post(
        url,
        {
            "usable_password": "true",
            "password1": "atarashii-pasuwado-2013",
            "password2": "atarashii-pasuwado-2013",
        },
    )
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.check_password("atarashii-pasuwado-2013")
    response = admin_client.post(
        url, {"usable_password": "false", "password1": "", "password2": "", "unset-password": "1"}
    )
    assert response.status_code == 302, response.content.decode()
    assert response.url == reverse("admin:auth_user_change", args=[admin_user.pk])
    admin_user.refresh_from_db()
    assert not admin_user.has_usable_password()


# ------------------------------------------------------------------ permissions


def test_the_permissions_of_a_group_are_named_in_the_pages_language(admin_client: Client):
    add_plan = Permission.objects.get(codename="add_plan", content_type__app_label="plans")
    with translation.override("ja"):
        plan = str(Plan._meta.verbose_name)
        japanese = f"{add_plan.content_type} | {plan}を追加できる"
        page = get(admin_client, reverse("admin:auth_group_add"))
    assert japanese in options(page, "permissions")
    assert not [label for label in options(page, "permissions") if ENGLISH_PHRASE.search(label)]
    with translation.override("en"):
        english = get(admin_client, reverse("admin:auth_group_add"))
        assert f"{add_plan.content_type} | Can add plan" in options(english, "permissions")


def test_the_permissions_of_a_user_are_named_so_too(admin_client: Client, admin_user: User):
    page = get(admin_client, reverse("admin:auth_user_change", args=[admin_user.pk]))
    labels = options(page, "user_permissions")
    assert len(labels) == Permission.objects.count()
    assert not [label for label in labels if ENGLISH_PHRASE.search(label)]


def test_a_permission_a_model_declares_keeps_its_own_name():
    content_type = ContentType.objects.get_for_model(Plan)
    publish = Permission.objects.create(
        codename="publish_plan", name="Can publish a plan", content_type=content_type
    )
    with translation.override("ja"):
        assert permission_label(publish) == f"{content_type} | Can publish a plan"
        view = Permission.objects.get(codename="view_plan", content_type=content_type)
        assert permission_label(view) == f"{content_type} | {Plan._meta.verbose_name}を閲覧できる"


# ------------------------------------------------------------------ the audit log's list


def test_the_audit_logs_filter_offers_the_kinds_of_subject_it_holds(admin_client: Client, world: EveryTable):
    AuditEvent.objects.all().delete()
    for subject in (world.plan, world.measure):
        audit_record(actor=None, event_type=EventType.OBJECT_CHANGED, subject=subject, changes={})
    page = get(admin_client, reverse("admin:audit_auditevent_changelist"))
    with translation.override("ja"):
        title = str(AuditEvent._meta.get_field("subject_type").verbose_name)
        plan = str(ContentType.objects.get_for_model(Plan))
        node = str(ContentType.objects.get_for_model(Node))
        axes_attempt = str(ContentType.objects.get_for_model(AccessAttempt))
    subject_filter = re.search(rf'<details data-filter-title="{title}"[^>]*>(.*?)</details>', page, re.S)
    assert subject_filter, re.findall(r"<details data-filter-title=[^>]*>", page)
    choices = [
        re.sub(r"<[^>]*>", "", choice).strip()
        for choice in re.findall(r"<a\b.*?</a>", subject_filter.group(1), re.S)
    ]
    assert sorted(choices[1:]) == sorted([plan, node])
    assert axes_attempt not in page


# ------------------------------------------------------------------ django-axes's pages


def axes_words() -> list[str]:
    """Every word django-axes's admin pages take from django-axes: its models' names,
    their fields' names and help, its lists' filter titles, headings and actions."""
    words: list[str] = []
    for model in AXES_MODELS:
        words += [model._meta.verbose_name, model._meta.verbose_name_plural]
        for field in model._meta.get_fields():
            if hasattr(field, "verbose_name"):
                words.append(field.verbose_name)
            if getattr(field, "help_text", ""):
                words.append(field.help_text)
    words.append(axes.admin.IsLockedOutFilter.title)
    for model_admin in (
        axes.admin.AccessAttemptAdmin,
        axes.admin.AccessLogAdmin,
        axes.admin.AccessFailureLogAdmin,
    ):
        words += [name for name, _options in model_admin.fieldsets if name]
    words.append(axes.admin.AccessAttemptAdmin.cleanup_expired_attempts.short_description)
    return [str(word) for word in words]


def test_django_axes_pages_are_in_japanese():
    with translation.override("en"):
        english = axes_words()
    with translation.override("ja"):
        japanese = axes_words()
        missing = [
            word
            for word, translated in zip(english, japanese, strict=True)
            if word == translated and word.lower() not in {"id", "http accept"}
        ]
    assert missing == []
    # The list's status says, after the number, what it counts.
    with translation.override("ja"):
        assert gettext("Attempt Remaining") != "Attempt Remaining"
        assert gettext("Not set") != "Not set"


def test_the_lockouts_japanese_names_only_what_django_axes_writes():
    """Each message the catalogue keeps for django-axes is one django-axes still uses."""
    with translation.override("en"):
        used = set(axes_words()) | {"Attempt Remaining", "Not set"}
    listed = {*lockout_names.MODEL_WORDS, *lockout_names.ADMIN_WORDS}
    assert listed - used == set()
    with translation.override("ja"):
        assert [word for word in listed if gettext(word) == word] == []


def test_django_axes_pages_are_registered_and_show(admin_client: Client, admin_user: User):
    attempt = AccessAttempt.objects.create(
        username="shinsa",
        ip_address="127.0.0.1",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
        http_accept="text/html",
        path_info="/staff/login/",
        get_data="",
        post_data="username=shinsa",
        failures_since_start=5,
    )
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        assert model in admin.site._registry
    page = get(admin_client, reverse("admin:axes_accessattempt_changelist"))
    with translation.override("ja"):
        assert str(capfirst(AccessAttempt._meta.verbose_name_plural)) in page
        assert gettext("Locked Out") in page
    # The browser's name, English among the Japanese, is marked as such.
    assert '(<span lang="en">KHTML, like Gecko</span>)' in page
    page = get(admin_client, reverse("admin:axes_accessattempt_change", args=[attempt.pk]))
    assert (
        '<div class="readonly">Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (<span lang="en">KHTML, like Gecko</span>)</div>'
        in page
    )
