"""Every kind of page, public and staff, as each kind of person sees it, passes the page
checkers (tests/checkers.py): no axe-core violation of WCAG 2.x A and AA or of axe's
best practices, nothing on the browser console, and no error of the Nu HTML Checker.

The people are those of ``conftest.make_cycle``: an anonymous reader, the section editor
``tanto``, the reviewer ``shinsa`` and the administrator ``kikaku``, each in a browser
context of their own. The plan names part of its vocabulary in English (the measure level,
the scale and its levels, the dimension), so that the English pages show English names
beside Japanese ones. Every public page is checked in both languages; of the staff pages,
one per role in English too (the editor's home, the reviewer's entry, the round
dashboard). The administrator works in the Django admin (/admin/) too: its index, a list
with a filter chosen, the forms of a plan, a node and a result with their inlines, an add
form, a history page, Django's user and group pages, the audit log and an entry of it,
django-axes's lockout pages, and pages of the English admin showing the Japanese plan (a
list, a form, an audit entry). The Nu checker runs once over all
the pages, on SQLite only (the markup does not depend on the database; the run takes its
time).

Screenshots of some pages go to test-artifacts/ (git-ignored) for a person to look at, and
the pages' HTML to test-artifacts/checked-pages/, numbered in the order of the findings'
list, to open at the line the Nu checker names.
"""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from shinchoku.audit.models import AuditEvent
from shinchoku.interchange.reportdrafts import store_draft
from shinchoku.plans.models import Node, NodeUnit
from shinchoku.progress.models import Result, Target
from shinchoku.review import services
from shinchoku.review.models import Round
from shinchoku.review.workbook import writer as workbook
from tests.browser import ARTIFACTS
from tests.checkers import PageChecker, missing_tools
from tests.factories import name_in_english
from tests.interchange.report_drafts import flagged_index, make_draft
from tests.review.conftest import Cycle, make_cycle

# What is checked here does not depend on the database: once, in one pass (tests/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.one_database]

PASSWORD = "kakunin-no-tame-no-pasuwado-2013"
#: Transcription notes as imported data has them: English, quoting the Japanese source.
NOTES = {
    "node": "Measure code 9-1-1 is invented in printed order; the table header reads アクションプログラム：協働のまちづくりの推進.",
    "target": "Read as one cell spanning 2012-2013: the results of both years report rule-based expansion.",
    "result": "FY2011 because the text dates the survey 平成23年4月 and lists 平成23年度 projects.",
}


def ja(message: str) -> str:
    with translation.override("ja"):
        return gettext(message)


def ja_label(model: type[Model], field: str) -> str:
    """The Japanese label of a model's field, as the admin's forms write it."""
    with translation.override("ja"):
        return str(capfirst(model._meta.get_field(field).verbose_name))


@pytest.fixture
def checker() -> PageChecker:
    missing = missing_tools()
    if missing:
        pytest.fail(missing)
    return PageChecker(ARTIFACTS / "checked-pages")


def prepare() -> Cycle:
    """The round of make_cycle with transcription notes on 9-1-1, and a real password."""
    cycle = make_cycle()
    name_in_english(cycle.sample)
    measure = cycle.sample.measure
    Node.objects.filter(pk=measure.pk).update(note=NOTES["node"])
    Target.objects.filter(node=measure, start_year=2012, end_year=2013).update(note=NOTES["target"])
    Result.objects.filter(node=measure, fiscal_year=2011).update(note=NOTES["result"])
    for user in (cycle.editor, cycle.reviewer, cycle.admin):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return cycle


def person(browser: Browser, checker: PageChecker, base: str, user: User | None) -> Page:
    """A page in a browser context of its own, signed in as ``user`` (anonymous if None)."""
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    checker.watch(context)
    return context.new_page()


def visit(page: Page, checker: PageChecker, url: str, name: str, *, status: int = 200) -> None:
    page.goto(url)
    checker.check(page, name, status=status)


def workbook_with_unknown_row(cycle: Cycle) -> bytes:
    """The section's entry workbook with a row for a measure that does not exist."""
    client = Client()
    client.force_login(cycle.editor)
    response = client.get(reverse("staff:workbook", args=[cycle.round.pk, cycle.unit.code]))
    book = load_workbook(io.BytesIO(response.content))
    book[workbook.ENTRY_SHEET]["A2"] = "9-9-9"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def public_pages(page: Page, checker: PageChecker, base: str, cycle: Cycle, prefix: str) -> None:
    plan = cycle.sample.plan.code
    label = f"public {prefix or '/ja'}"
    for path, name in [
        ("/", "home"),
        (f"/plans/{plan}/", "plan"),
        (f"/plans/{plan}/nodes/9/", "plan area"),
        (f"/plans/{plan}/nodes/9-1/", "programme"),
        (f"/plans/{plan}/nodes/9-1-1/", "measure"),
        (f"/plans/{plan}/nodes/9-1-1/years/", "measure's years"),
        (f"/plans/{plan}/nodes/9-1-1/compare/?from=2011&to=2012", "measure's texts compared"),
        (f"/plans/{plan}/nodes/9/changes/2012/", "plan area's changes"),
        (f"/plans/{plan}/units/shimin/", "unit"),
        ("/search/", "search"),
        ("/search/?q=説明会", "search with results"),
        ("/search/?q=見つからない言葉", "search with no results"),
        (f"/search/?q=協働&plan={plan}&year=2012&kind=results", "search with filters"),
    ]:
        visit(page, checker, base + prefix + path, f"{label} {name}")
    visit(page, checker, base + prefix + "/plans/no-such-plan/", f"{label} 404", status=404)


def the_admin(browser: Browser, checker: PageChecker, base: str, cycle: Cycle) -> None:
    """The administrator in the Django admin, a superuser there as in the demonstration."""
    sample, admin = cycle.sample, base + "/admin"
    visit(person(browser, checker, base, None), checker, admin + "/", "admin: sign-in")
    User.objects.filter(pk=cycle.admin.pk).update(is_staff=True, is_superuser=True)
    page = person(browser, checker, base, cycle.admin)
    visit(page, checker, admin + "/", "admin: index")
    visit(
        page,
        checker,
        f"{admin}/plans/node/?level__id__exact={sample.measure_level.pk}",
        "admin: node list, filtered by level",
    )
    visit(page, checker, f"{admin}/plans/plan/{sample.plan.pk}/change/", "admin: plan (levels, markers …)")
    node = f"{admin}/plans/node/{sample.measure.pk}/"
    visit(page, checker, node + "change/", "admin: node (autocomplete; units, targets, results)")
    page.screenshot(path=ARTIFACTS / "checked-admin-node.png", full_page=True)
    # select2's comboboxes are named by their field's label, in a table row by column and row.
    expect(page.get_by_role("combobox", name=ja_label(Node, "parent"))).to_be_visible()
    unit = ja_label(NodeUnit, "unit")
    expect(
        page.get_by_role("combobox", name=ja("%(field)s, row %(row)s") % {"field": unit, "row": 1})
    ).to_be_visible()
    page.locator("#unit_roles-group .add-row a").click()
    expect(page.get_by_role("combobox", name=ja("%(field)s, new row") % {"field": unit})).to_be_visible()
    page.locator("#unit_roles-group .inline-deletelink").click()
    page.get_by_label(ja_label(Node, "summary"), exact=False).first.fill(
        "協働型事業のルールに基づき拡充します。"
    )
    page.locator("input[name=_save]").click()
    expect(page).to_have_url(re.compile(r"/admin/plans/node/$"))
    checker.check(page, "admin: node list after saving a node")
    visit(page, checker, node + "history/", "admin: node history")
    result = Result.objects.get(node=sample.measure, fiscal_year=2011)
    visit(page, checker, f"{admin}/progress/result/{result.pk}/change/", "admin: result (ratings)")
    visit(page, checker, f"{admin}/plans/node/add/", "admin: new node")
    visit(page, checker, f"{base}/en/admin/accounts/staffrole/add/", "admin: new staff role (English)")
    admin_people_and_logs(page, checker, base, cycle)


def admin_people_and_logs(page: Page, checker: PageChecker, base: str, cycle: Cycle) -> None:
    """The administrator's further pages of the Django admin: Django's users and groups, the
    audit log, django-axes's lockout, and the English admin showing the Japanese plan."""
    admin, users = base + "/admin", base + "/admin/auth/user/"
    visit(page, checker, users, "admin: user list")
    visit(page, checker, f"{users}{cycle.editor.pk}/change/", "admin: user (groups, permissions, dates)")
    visit(page, checker, f"{users}{cycle.editor.pk}/password/", "admin: a user's password")
    visit(page, checker, users + "add/", "admin: new user")
    visit(page, checker, f"{admin}/auth/group/add/", "admin: new group (permissions)")
    # The audit log, and the change of the node saved above.
    visit(page, checker, f"{admin}/audit/auditevent/", "admin: audit log")
    event = AuditEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(Node), subject_id=cycle.sample.measure.pk
    ).latest("id")
    visit(page, checker, f"{admin}/audit/auditevent/{event.pk}/change/", "admin: audit entry")
    # The lockout: the failed sign-ins of shinsa above, and the sign-ins logged.
    attempt = AccessAttempt.objects.get(username="shinsa")
    visit(page, checker, f"{admin}/axes/accessattempt/", "admin: sign-in attempts")
    visit(page, checker, f"{admin}/axes/accessattempt/{attempt.pk}/change/", "admin: a sign-in attempt")
    visit(page, checker, f"{admin}/axes/accesslog/", "admin: sign-in log")
    visit(page, checker, f"{admin}/axes/accessfailurelog/", "admin: sign-in failures")
    # The English admin: the plan's Japanese titles in lists, headings and choices.
    english = base + "/en/admin"
    visit(page, checker, f"{english}/plans/node/", "admin: node list (English)")
    result = Result.objects.get(node=cycle.sample.measure, fiscal_year=2011)
    visit(page, checker, f"{english}/progress/result/{result.pk}/change/", "admin: result (English)")
    visit(page, checker, f"{english}/audit/auditevent/{event.pk}/change/", "admin: audit entry (English)")


def report_drafts(page: Page, checker: PageChecker, base: str, cycle: Cycle) -> None:
    """The administrator's pages of a report's draft: the list with its upload form (and a
    report refused), the review (a decision selected, a correction refused), the preview of
    the import."""
    stored = store_draft(make_draft(3), cycle.admin)
    visit(page, checker, base + "/staff/report-drafts/", "administrator: report drafts")
    page.locator("input[type=file]").set_input_files(
        {"name": "empty.txt", "mimeType": "text/plain", "buffer": b""}
    )
    page.get_by_role("button", name=ja("Upload and recognise")).click()
    checker.check(page, "administrator: report upload refused (empty file)", status=400)
    review = f"{base}/staff/report-drafts/{stored.pk}/"
    visit(page, checker, review, "administrator: report draft review")
    index = flagged_index(make_draft(3), "target_measure")
    visit(page, checker, f"{review}?decision={index}", "administrator: report draft, a decision selected")
    decision = page.locator(f"#decision-{index}")
    decision.get_by_role("radio", name=ja("Another value, written below")).check()
    decision.get_by_role("textbox").fill("9-9-9")
    decision.get_by_role("button", name=ja("Keep this value")).click()
    checker.check(page, "administrator: report draft, a correction refused", status=400)
    page.screenshot(path=ARTIFACTS / "checked-report-draft-refused.png", full_page=True)
    visit(page, checker, f"{review}accept/", "administrator: report draft, the import's preview")
    visit(
        page, checker, f"{base}/en/staff/report-drafts/{stored.pk}/", "administrator: report draft (English)"
    )


def test_every_page_passes_the_checkers(browser: Browser, checker: PageChecker, live_server: Any) -> None:
    cycle, base = prepare(), live_server.url
    plan = cycle.sample.plan.code

    # ------------------------------------------------------------ an anonymous reader
    reader = person(browser, checker, base, None)
    public_pages(reader, checker, base, cycle, "")
    reader.goto(f"{base}/plans/{plan}/nodes/9-1-1/")
    reader.locator(".sheet__notes summary").click()
    reader.screenshot(path=ARTIFACTS / "checked-measure.png", full_page=True)
    reader.goto(f"{base}/plans/{plan}/")
    reader.screenshot(path=ARTIFACTS / "checked-plan.png", full_page=True)
    visit(reader, checker, f"{base}/plans/{plan}/report/2012.html", "annual report (HTML)")
    visit(reader, checker, f"{base}/plans/{plan}/report/2012.html?area=9", "plan area report (HTML)")
    public_pages(reader, checker, base, cycle, "/en")
    reader.goto(f"{base}/en/plans/{plan}/nodes/9-1-1/")
    reader.locator(".sheet__notes summary").click()
    reader.screenshot(path=ARTIFACTS / "checked-measure-en.png", full_page=True)
    # A form sent without its CSRF cookie: the refusal page (403).
    reader.goto(f"{base}/staff/login/")
    reader.context.clear_cookies()
    reader.get_by_role("button", name="ログイン").click()
    checker.check(reader, "403 (form refused)", status=403)

    visit(reader, checker, base + "/staff/login/", "staff login")
    # Five failures lock the name out on this address; the next attempt shows the lockout page.
    for _ in range(5):
        Client().post("/staff/login/", {"username": "shinsa", "password": "wrong"})
    with translation.override("ja"):
        form = AuthenticationForm()
        username_label, password_label = (
            str(form.fields["username"].label),
            str(form.fields["password"].label),
        )
    reader.get_by_label(username_label, exact=True).fill("shinsa")
    reader.get_by_label(password_label, exact=True).fill(PASSWORD)
    reader.get_by_role("button", name=ja("Sign in")).click()
    checker.check(reader, "staff lockout", status=429)

    # ------------------------------------------------------------ the section editor
    editor = person(browser, checker, base, cycle.editor)
    entry_url = f"{base}/staff/entries/{cycle.entry.pk}/"
    visit(editor, checker, base + "/staff/", "editor: home")
    visit(editor, checker, base + "/staff/password/", "editor: password change")
    visit(editor, checker, entry_url, "editor: entry (draft)")
    editor.get_by_role("radio", name="目標を下回った").check()
    editor.get_by_role("button", name=ja("Save and submit for review")).click()
    expect(editor.locator(".field.has-error").first).to_be_visible()
    checker.check(editor, "editor: entry refused (validation errors)", status=400)
    editor.screenshot(path=ARTIFACTS / "checked-entry-errors.png", full_page=True)
    editor.get_by_role("radio", name="目標をほぼ達成").check()
    editor.locator("textarea[name=text]").fill("・説明会を開催しました。")
    editor.get_by_role("button", name=ja("Save and submit for review")).click()
    expect(editor).to_have_url(base + "/staff/")
    checker.check(editor, "editor: home after submitting")
    visit(editor, checker, entry_url, "editor: entry (submitted)")
    visit(editor, checker, entry_url + "history/", "editor: history")
    visit(editor, checker, base + "/staff/review/", "editor: 403 (review queue)", status=403)
    visit(editor, checker, base + "/en/staff/", "editor: home (English)")
    visit(editor, checker, base + "/staff/import/", "editor: import upload")
    editor.get_by_role("button", name=ja("Upload and preview")).click()
    checker.check(editor, "editor: import upload refused (no file)", status=400)
    editor.locator("input[type=file]").set_input_files(
        {
            "name": "filled.xlsx",
            "mimeType": "application/octet-stream",
            "buffer": workbook_with_unknown_row(cycle),
        }
    )
    editor.get_by_role("button", name=ja("Upload and preview")).click()
    checker.check(editor, "editor: import preview (with an error)", status=400)

    # ------------------------------------------------------------ the reviewer
    reviewer = person(browser, checker, base, cycle.reviewer)
    visit(reviewer, checker, base + "/staff/", "reviewer: home")
    visit(reviewer, checker, base + "/staff/review/", "reviewer: review queue")
    visit(reviewer, checker, entry_url, "reviewer: entry (reviewing)")
    visit(reviewer, checker, f"{base}/en/staff/entries/{cycle.entry.pk}/", "reviewer: entry (English)")

    # ------------------------------------------------------------ the administrator
    other = cycle.other_entry
    other = services.entry_save(
        other,
        {"text": "・講座を開催しました。", "ratings": cycle.rating("3")},
        actor=cycle.other_editor,
        expected_version=other.version,
    )
    other = services.entry_transition(
        other, "submit", actor=cycle.other_editor, expected_version=other.version
    )
    other = services.entry_transition(
        other,
        "return",
        actor=cycle.reviewer,
        expected_version=other.version,
        comment="回数を書いてください。",
    )
    other = services.entry_transition(
        other, "submit", actor=cycle.other_editor, expected_version=other.version
    )
    other = services.entry_transition(other, "approve", actor=cycle.reviewer, expected_version=other.version)
    targets = services.round_open(
        cycle.sample.plan,
        2014,
        Round.Kind.TARGETS,
        timezone.localdate() + timedelta(days=7),
        actor=cycle.admin,
    )
    targets_entry = targets.entries.get(node=cycle.sample.measure)

    admin = person(browser, checker, base, cycle.admin)
    visit(admin, checker, base + "/staff/", "administrator: home")
    visit(admin, checker, f"{base}/staff/entries/{other.pk}/", "administrator: entry (approved, commented)")
    visit(admin, checker, f"{base}/staff/entries/{other.pk}/history/", "administrator: history")
    visit(admin, checker, f"{base}/staff/entries/{targets_entry.pk}/", "administrator: targets round entry")
    visit(admin, checker, base + "/staff/rounds/", "administrator: round list")
    visit(admin, checker, f"{base}/staff/rounds/{cycle.round.pk}/", "administrator: round dashboard")
    admin.screenshot(path=ARTIFACTS / "checked-round.png", full_page=True)
    visit(
        admin,
        checker,
        f"{base}/en/staff/rounds/{cycle.round.pk}/",
        "administrator: round dashboard (English)",
    )
    visit(admin, checker, base + "/staff/rounds/new/", "administrator: open-round form")
    admin.get_by_role("button", name=ja("Open the round")).click()
    checker.check(admin, "administrator: open-round form refused", status=400)

    report_drafts(admin, checker, base, cycle)

    the_admin(browser, checker, base, cycle)

    findings = checker.findings()
    if os.environ.get("DATABASE_URL", "").startswith("sqlite"):
        findings += checker.markup()
    assert not findings, f"{len(findings)} findings on {len(checker.pages)} pages:\n" + "\n".join(findings)
