"""A job's page in a real browser: the administrator publishes, lands at once on the
job's page, which says the job waits for a worker; a worker runs it and the page,
without being reloaded, says it is done (its status region is aria-live) and links to
the round. A job that failed says why and is retried with its button. Each page is
checked with axe-core and the Nu HTML Checker; screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext
from playwright.sync_api import Browser, Page, expect

from shinchoku.jobs.models import Job
from tests.browser import ARTIFACTS
from tests.checkers import PageChecker, missing_tools
from tests.jobs.conftest import work_off
from tests.review import test_browser_flow as flow
from tests.review.conftest import Cycle
from tests.review.test_browser_flow import sign_in

people = flow.people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ja(message: str, context: str = "") -> str:
    with translation.override("ja"):
        return pgettext(context, message) if context else gettext(message)


def label(state: Job.State) -> str:
    with translation.override("ja"):
        return str(state.label)


@pytest.fixture
def queued(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_publish_job_is_followed_on_its_page_and_a_failed_one_is_retried(
    people: Cycle, browser: Browser, live_server: Any, queued: None, tmp_path: Any
) -> None:
    missing = missing_tools()
    if missing:
        pytest.fail(missing)
    checker = PageChecker(ARTIFACTS / "checked-jobs")
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    checker.watch(context)
    page: Page = context.new_page()
    base = live_server.url
    sign_in(page, base, people.admin)

    # A job that fails: publishing asked for with nothing approved (as by another page).
    from shinchoku.jobs import services
    from shinchoku.jobs.work import publish

    failing = services.job_start(
        publish.KIND, publish.publish_params(people.round, entries=1), actor=people.admin
    )
    work_off()
    page.goto(f"{base}/staff/jobs/{failing.pk}/")
    status = page.locator("#job-status")
    expect(status).to_contain_text(label(Job.State.FAILED))
    expect(status).to_contain_text(ja("No entry of this round is approved: there is nothing to publish."))
    checker.check(page, "failed job")
    page.screenshot(path=ARTIFACTS / "jobs-failed.png", full_page=True)

    # The entry is approved; publishing from the round's page leads to the job at once.
    people.approved()
    page.goto(f"{base}/staff/rounds/{people.round.pk}/publish/")
    page.get_by_role("button", name="1件を公開する").click()
    job = Job.objects.exclude(pk=failing.pk).get()
    expect(page).to_have_url(f"{base}/staff/jobs/{job.pk}/")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text(label(Job.State.QUEUED))
    checker.check(page, "queued job")
    page.screenshot(path=ARTIFACTS / "jobs-queued.png", full_page=True)

    # A worker runs it; the page shows it done without being reloaded.
    page.evaluate("window.notReloaded = true")
    work_off()
    expect(status).to_contain_text(label(Job.State.SUCCEEDED), timeout=15000)
    expect(status.get_by_role("link", name=ja("The round"))).to_have_attribute(
        "href", f"/staff/rounds/{people.round.pk}/"
    )
    expect(status.locator("progress")).to_have_attribute("value", "1")
    assert page.evaluate("window.notReloaded") is True
    page.screenshot(path=ARTIFACTS / "jobs-done.png", full_page=True)

    # The failed job is retried with its button: now it publishes nothing more and is done.
    page.goto(f"{base}/staff/jobs/{failing.pk}/")
    page.get_by_role("button", name=ja("Retry the job", "job")).click()
    expect(page).to_have_url(f"{base}/staff/jobs/{failing.pk}/")
    expect(page.locator(".messages").get_by_role("status")).to_have_text(ja("The job was queued again."))
    checker.check(page, "retried job")
    assert Job.objects.get(pk=failing.pk).state == Job.State.QUEUED

    page.goto(f"{base}/staff/jobs/")
    expect(page.get_by_role("table")).to_contain_text(label(Job.State.SUCCEEDED))
    checker.check(page, "jobs")
    page.screenshot(path=ARTIFACTS / "jobs-list.png", full_page=True)

    context.close()
    assert checker.findings() == []
    assert checker.markup() == []
