"""The review of a report's draft in a real browser: the planning administrator uploads a
report, sees the decisions to check beside the report's lines, corrects the year of a
result the reader was unsure of, previews the import, accepts it, and finds the result
under the corrected year on the measure's public page. Screenshots go to test-artifacts/
(git-ignored)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from shinchoku.interchange.models import ReportDraft
from shinchoku.progress.models import Result
from tests.browser import ARTIFACTS
from tests.interchange.report_drafts import PLAN
from tests.interchange.test_report_draft_pages import hand_recogniser  # noqa: F401 - a fixture
from tests.review import test_browser_flow as flow
from tests.review.conftest import Cycle
from tests.review.test_browser_flow import ja, sign_in

new_page = flow.new_page
people = flow.people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_administrator_corrects_a_result_year_and_accepts_the_draft(
    people: Cycle,
    new_page: Callable[[], Page],
    live_server: Any,
    tmp_path: Path,
    hand_recogniser: list[Any],  # noqa: F811
) -> None:
    base = live_server.url
    page = new_page()
    sign_in(page, base, people.admin)
    page.get_by_role("link", name=ja("Published reports")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Published reports brought in"))

    report = tmp_path / "みらい報告書.txt"
    report.write_text("施策計画名 1-1-1 見守り活動の充実\n実施結果\n", encoding="utf-8")
    page.get_by_label(ja("Report"), exact=True).set_input_files(str(report))
    page.get_by_role("button", name=ja("Upload and recognise")).click()
    expect(page).to_have_url(re.compile(r"/staff/report-drafts/\d+/$"))
    expect(page.locator(".decision--flagged")).to_have_count(4)
    page.screenshot(path=ARTIFACTS / "report-draft-review.png", full_page=True)

    # The flagged result year: its evidence shown in the report, then corrected to 2017.
    decision = page.locator(".decision").filter(has_text="no year stands beside the result")
    decision.locator(".decision__evidence a").first.click()
    selected = page.locator(".decision--selected")
    expect(selected).to_contain_text("no year stands beside the result")
    expect(page.locator(".source-line--selected")).to_contain_text(
        "・見守り活動を2017年度に13回実施しました。"
    )
    page.screenshot(path=ARTIFACTS / "report-draft-evidence.png", full_page=False)
    selected.get_by_role("radio", name=re.compile("2017")).check()
    selected.get_by_role("button", name=ja("Keep this value")).click()
    expect(page.get_by_role("status")).to_contain_text(
        ja("The correction was kept. It is imported when you accept the draft.")
    )
    expect(page.locator(".decision--selected .decision__current")).to_contain_text("2017")
    page.screenshot(path=ARTIFACTS / "report-draft-corrected.png", full_page=True)

    page.get_by_role("link", name=ja("Preview the import and accept")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Preview of the import"))
    expect(page.get_by_role("table", name=ja("Rows of the file"))).to_contain_text("1-1-1")
    page.screenshot(path=ARTIFACTS / "report-draft-accept.png", full_page=False)
    page.get_by_role("button", name=ja("Accept and import")).click()
    expect(page.get_by_role("status")).to_contain_text(
        ja(
            "Dataset imported: %(written)s of %(plans)s plans written; %(new)s new, %(changed)s changed, %(removed)s removed, %(unchanged)s unchanged."
        ).split("%")[0]
    )
    expect(page.get_by_text(ja("This draft was accepted: its plan was imported."))).to_be_visible()
    assert ReportDraft.objects.get().status == ReportDraft.Status.ACCEPTED

    assert sorted(
        Result.objects.filter(node__plan__code=PLAN, node__code="1-1-1").values_list("fiscal_year", flat=True)
    ) == [2016, 2017]
    page.goto(f"{base}/plans/{PLAN}/nodes/1-1-1/years/")
    year = (
        page.locator("section, article, div")
        .filter(has_text=re.compile("2017年度"))
        .filter(has_text="・見守り活動を2017年度に13回実施しました。")
    )
    expect(year.first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "report-draft-measure-years.png", full_page=True)
