"""The browser-side defences every response carries (shinchoku.headers, settings.py):
the Content-Security-Policy, the Permissions-Policy, and ``Cache-Control: no-store`` on
the staff side and for signed-in people while public pages stay cacheable for anonymous
readers. Then, in Chromium, that no page of any kind breaks the policy: public pages, the
HTML report, the staff pages, the sign-in page and the Django admin."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page

from shinchoku.headers import UNUSED_FEATURES
from shinchoku.review.workbook import writer as template
from tests.browser import ARTIFACTS
from tests.review.conftest import Cycle, make_cycle

PLAN = "plan9"
REPORT = f"/plans/{PLAN}/report/2012.html"
PUBLIC = ["/", f"/plans/{PLAN}/", f"/plans/{PLAN}/nodes/9/", f"/plans/{PLAN}/nodes/9-1/"]
PUBLIC += [f"/plans/{PLAN}/nodes/9-1-1/", "/search/?q=協働", "/en/search/?q=kyodo"]


def policy(response: Any) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [values]}."""
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {name: values for name, *values in directives}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_private(response: Any) -> None:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]
    assert "public" not in directives


def assert_cacheable(response: Any) -> None:
    assert "no-store" not in response.get("Cache-Control", ""), response["Cache-Control"]


@pytest.fixture
def cycle(db: None) -> Cycle:
    return make_cycle()


# ------------------------------------------------------------------- the policy


@pytest.mark.django_db
def test_the_policy_is_strict_on_every_kind_of_response(cycle: Cycle, admin_user: User) -> None:
    responses = [
        Client().get("/"),
        Client().get("/staff/login/"),
        Client().get("/no-such-page/"),
        signed_in(cycle.editor).get(reverse("staff:entry", args=[cycle.entry.pk])),
        signed_in(admin_user).get("/admin/"),
        signed_in(admin_user).get(reverse("admin:plans_node_change", args=[cycle.sample.measure.pk])),
    ]
    for response in responses:
        assert policy(response) == {
            "default-src": ["'none'"],
            "script-src": ["'self'"],
            "style-src": ["'self'"],
            "img-src": ["'self'"],
            "font-src": ["'self'"],
            "connect-src": ["'self'"],
            "form-action": ["'self'"],
            "frame-ancestors": ["'none'"],
            "base-uri": ["'none'"],
            "object-src": ["'none'"],
        }, response.wsgi_request.path
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_html_report_allows_exactly_its_own_stylesheet(cycle: Cycle) -> None:
    response = Client().get(REPORT)
    assert response.status_code == 200
    (css,) = re.findall(r"<style>(.*?)</style>", response.content.decode(), re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    directives = policy(response)
    assert directives["style-src"] == ["'self'", f"'sha256-{digest}'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert directives["default-src"] == ["'none'"] and directives["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_every_response_turns_off_the_unused_browser_features(cycle: Cycle, admin_user: User) -> None:
    for response in [
        Client().get("/"),
        Client().get(REPORT),
        Client().get("/staff/login/"),
        signed_in(cycle.editor).get("/staff/"),
        signed_in(admin_user).get("/admin/"),
    ]:
        features = dict(part.strip().split("=") for part in response["Permissions-Policy"].split(","))
        assert {"camera", "microphone", "geolocation", "payment", "usb"} <= set(features)
        assert set(features) == set(UNUSED_FEATURES)
        assert set(features.values()) == {"()"}


# -------------------------------------------------------------------- caching


@pytest.mark.django_db
def test_staff_and_admin_responses_are_never_stored(cycle: Cycle, admin_user: User) -> None:
    editor = signed_in(cycle.editor)
    workbook = editor.get(reverse("staff:workbook", args=[cycle.round.pk, cycle.unit.code]))
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.content))
    sheet = book[template.ENTRY_SHEET]
    column = next(cell.column for cell in sheet[1] if cell.value == "実施結果")
    sheet.cell(row=2, column=column, value="・取り込む記述")
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "filled.xlsx"
    uploaded = editor.post(reverse("interchange:import"), {"file": upload})
    anonymous_csrf = Client(enforce_csrf_checks=True)
    responses = {
        "login": Client().get("/staff/login/"),
        "login in English": Client().get("/en/staff/login/"),
        "a failed sign-in": Client().post("/staff/login/", {"username": "x", "password": "y"}),
        "the CSRF refusal": anonymous_csrf.post("/staff/login/", {"username": "x", "password": "y"}),
        "redirect to sign in": Client().get("/staff/"),
        "staff home": editor.get("/staff/"),
        "entry": editor.get(reverse("staff:entry", args=[cycle.entry.pk])),
        "entry workbook": workbook,
        "import page": editor.get(reverse("interchange:import")),
        "upload": uploaded,
        "import preview": editor.get(uploaded["Location"]),
        "staff 404": editor.get("/staff/entries/999999/"),
        "staff 403": signed_in(cycle.other_editor).get(reverse("staff:entry", args=[cycle.entry.pk])),
        "unknown staff address": Client().get("/staff/no-such-page/"),
        "admin login": Client().get("/admin/login/"),
        "admin": signed_in(admin_user).get("/admin/"),
        "admin change form": signed_in(admin_user).get(
            reverse("admin:plans_node_change", args=[cycle.sample.measure.pk])
        ),
    }
    assert responses["the CSRF refusal"].status_code == 403
    assert responses["import preview"].status_code == 200
    assert responses["staff 404"].status_code == 404
    assert responses["staff 403"].status_code == 403
    for name, response in responses.items():
        assert "Cache-Control" in response, name
        assert_private(response)


@pytest.mark.django_db
def test_a_signed_in_person_s_public_pages_are_never_stored(cycle: Cycle) -> None:
    editor = signed_in(cycle.editor)
    for path in [*PUBLIC, REPORT, f"/plans/{PLAN}/opendata.zip"]:
        response = editor.get(path)
        assert response.status_code == 200, path
        assert_private(response)


@pytest.mark.django_db
def test_public_pages_stay_cacheable_for_anonymous_readers(cycle: Cycle) -> None:
    for path in [*PUBLIC, REPORT, f"/plans/{PLAN}/opendata.zip", "/no-such-page/"]:
        assert_cacheable(Client().get(path))
    zipped = Client().get(f"/plans/{PLAN}/opendata.zip")
    assert Client().get(f"/plans/{PLAN}/opendata.zip", HTTP_IF_NONE_MATCH=zipped["ETag"]).status_code == 304


# ------------------------------------------------------------- in a browser

WATCH_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


class Watched:
    """A page whose CSP violations (the DOM event and the console's reports) are kept."""

    def __init__(self, browser: Browser, base: str, user: User | None) -> None:
        self.context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
        if user is not None:
            session = signed_in(user).cookies[settings.SESSION_COOKIE_NAME].value
            self.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
        self.context.add_init_script(WATCH_VIOLATIONS)
        self.page: Page = self.context.new_page()
        self.console: list[str] = []
        self.page.on(
            "console",
            lambda message: (
                self.console.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        self.base = base

    def open(self, path: str) -> Page:
        self.console.clear()
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def violations(self) -> list[str]:
        return [*self.page.evaluate("window.cspViolations"), *self.console]


@pytest.fixture
def people(transactional_db: None, django_user_model: Any) -> tuple[Cycle, User]:
    cycle = make_cycle()
    admin = django_user_model.objects.create_superuser("kanri", "kanri@example.org", None)
    return cycle, admin


@pytest.mark.browser
@pytest.mark.one_database  # the pages in a browser: once, in one pass
@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_policy_in_chromium(
    people: tuple[Cycle, User], browser: Browser, live_server: Any
) -> None:
    cycle, admin = people
    base = live_server.url
    entry = reverse("staff:entry", args=[cycle.entry.pk])
    visits: dict[User | None, list[str]] = {
        None: [*PUBLIC, REPORT, "/staff/login/", "/admin/login/"],
        cycle.editor: ["/staff/", entry, reverse("staff:history", args=[cycle.entry.pk]), "/staff/import/"],
        cycle.reviewer: [reverse("staff:queue")],
        cycle.admin: ["/staff/rounds/", reverse("staff:round", args=[cycle.round.pk]), "/staff/rounds/new/"],
        admin: ["/admin/", "/admin/plans/node/", "/admin/auth/user/"],
    }
    found: dict[str, list[str]] = {}
    for user, paths in visits.items():
        watched = Watched(browser, base, user)
        for path in paths:
            watched.open(path)
            if path == REPORT:
                # the inline stylesheet applies: the cover is laid out by it
                assert watched.page.evaluate("getComputedStyle(document.body).maxWidth") != "none"
            found.update({path: watched.violations()} if watched.violations() else {})
        watched.context.close()

    # The admin's scripts run: the node form's autocomplete asks the server and lists.
    watched = Watched(browser, base, admin)
    page = watched.open(reverse("admin:plans_node_change", args=[cycle.sample.measure.pk]))
    page.locator(".field-parent .select2-selection").click()
    page.locator(".select2-results__option", has_text="9-1").first.wait_for()
    page.screenshot(path=ARTIFACTS / "csp-admin-autocomplete.png")
    if watched.violations():
        found["admin autocomplete"] = watched.violations()

    # The watch itself sees a violation when there is one.
    watched.page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<img src=\"https://example.invalid/x.png\">')"
    )
    watched.page.wait_for_function("window.cspViolations.length > 0")
    assert "img-src https://example.invalid/x.png" in watched.violations()[0]
    watched.context.close()

    assert found == {}
