"""The pages of report drafts: the planning administrator uploads a report, reviews its
draft (the report's lines beside the structure, the decisions to check first), corrects a
decision with a plain form, previews the import and accepts it. Other roles are refused;
a report that cannot be read is told on the form and nothing is kept; a draft of 300
measures is shown a part at a time, in bounded time."""

from __future__ import annotations

import io
import re
import sys
import time
import types
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from shinchoku.accounts.models import Role
from shinchoku.interchange.models import ReportDraft, ReportDraftCorrection
from shinchoku.interchange.reportdrafts import store_draft
from shinchoku.interchange.reportdrafts.review import NODES_PER_PART
from shinchoku.interchange.reportdrafts.services import draft_of
from shinchoku.plans.formats.report.draft import Draft
from shinchoku.plans.formats.report.source import Source
from shinchoku.plans.models import Plan
from shinchoku.progress.models import Result
from tests.factories import make_staff, make_unit
from tests.interchange.report_drafts import PLAN, flagged_index, make_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db: None) -> User:
    return make_staff(Role.ADMINISTRATOR, username="kikaku")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hand_recogniser(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Source]]:
    """A recogniser that returns the hand-made draft (with its own made-up source) for any
    source it is given, and keeps the sources it was given: these tests are about the
    pages, not the recognition."""
    given: list[Source] = []

    def recognise(source: Source) -> Draft:
        given.append(source)
        return make_draft(3, name=source.name)

    module = types.ModuleType("shinchoku.plans.formats.report.recognise")
    module.recognise = recognise  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    yield given


def upload(client: Client, data: bytes, name: str = "report.txt"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("interchange:report_drafts"), {"file": file})


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER])
def test_other_roles_are_refused_every_page(role: str, admin: User) -> None:
    stored = store_draft(make_draft(1), admin)
    other = signed_in(make_staff(role, unit=make_unit(code="shimin") if role == Role.EDITOR else None))
    pk = stored.pk
    for url in (
        reverse("interchange:report_drafts"),
        reverse("interchange:report_draft", args=[pk]),
        reverse("interchange:report_draft_accept", args=[pk]),
    ):
        assert other.get(url).status_code == 403
    for url in (
        reverse("interchange:report_draft_correct", args=[pk, 0]),
        reverse("interchange:report_draft_accept", args=[pk]),
        reverse("interchange:report_draft_discard", args=[pk]),
    ):
        assert other.post(url, {"choice": "2017"}).status_code == 403
    anonymous = Client().get(reverse("interchange:report_draft", args=[pk]))
    assert anonymous.status_code == 302 and "/staff/login/" in anonymous["Location"]
    assert not ReportDraftCorrection.objects.exists() and ReportDraft.objects.get().status == "draft"
    assert "report-drafts" not in other.get(reverse("staff:home")).content.decode()


def test_the_administrator_uploads_a_report_and_lands_on_its_review(
    admin: User, hand_recogniser: list[Source]
) -> None:
    client = signed_in(admin)
    assert reverse("interchange:report_drafts") in client.get(reverse("staff:home")).content.decode()
    response = upload(
        client, "プラン1 くらしの安心をつくる\n施策計画名 1-1-1\f実施結果\n".encode(), "報告書.txt"
    )
    stored = ReportDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "interchange:report_draft", args=[stored.pk]
    )
    assert hand_recogniser[0].pages == 2 and stored.file_name == "報告書.txt" and stored.created_by == admin
    listed = client.get(reverse("interchange:report_drafts")).content.decode()
    assert "報告書.txt" in listed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b"\x00\x01\x02binary\x00", "this is not text"),
        (b"\xff\xfe\xfa", "neither a PDF"),
    ],
)
def test_a_report_that_cannot_be_read_is_told_on_the_form_and_nothing_kept(
    admin: User, hand_recogniser: list[Source], data: bytes, message: str
) -> None:
    response = upload(signed_in(admin), data, "bad.txt")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page and message in page
    assert not ReportDraft.objects.exists() and not hand_recogniser


def test_without_a_recogniser_the_upload_says_so(admin: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "shinchoku.plans.formats.report.recognise", None)
    response = upload(signed_in(admin), "施策計画名\n".encode())
    assert response.status_code == 400 and "cannot be recognised" in response.content.decode()
    assert not ReportDraft.objects.exists()


def test_the_review_shows_the_decisions_to_check_first_and_the_evidence_marked(admin: User) -> None:
    stored = store_draft(make_draft(3), admin)
    draft = draft_of(stored)
    client = signed_in(admin)
    url = reverse("interchange:report_draft", args=[stored.pk])
    page = client.get(url).content.decode()
    flagged = page.index('id="flagged-heading"')
    structure = page.index('id="structure-heading"')
    assert flagged < structure
    assert page.count('class="decision decision--flagged') == 4
    assert "no year stands beside the result" in page  # the reason
    # A decision selected: its evidence line marked in the source, its page shown.
    index = flagged_index(draft, "result_year")
    line = draft.decisions[index].evidence[0].line
    page = client.get(f"{url}?decision={index}").content.decode()
    assert re.search(rf'<li id="line-{line}" class="source-line source-line--selected', page)
    assert 'class="decision decision--flagged decision--selected" id="decision-' + str(index) in page
    # The structure: the plan area, its programmes, measures with targets and results by year.
    # Japanese data on the English page is marked as Japanese (a span of its own).
    for text in ("くらしの安心をつくる", "見守り活動の充実", "FY2016", "FY2018"):
        assert text in page


def test_a_correction_is_posted_and_redirected_back_to_the_decision(admin: User) -> None:
    stored = store_draft(make_draft(3), admin)
    index = flagged_index(draft_of(stored), "result_year")
    client = signed_in(admin)
    url = reverse("interchange:report_draft_correct", args=[stored.pk, index])
    response = client.post(url, {"choice": "2017", "version": "1", "part": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"decision={index}&part=1#decision-{index}")
    page = client.get(response["Location"]).content.decode()
    assert "corrected by kikaku" in page
    # Typed and wrong: the page again, the error at the decision, nothing kept.
    response = client.post(url, {"choice": "typed", "value": "2030年度", "version": "2"})
    assert response.status_code == 400
    assert "not a fiscal year of the plan&#x27;s period" in response.content.decode()
    # A version that is not the draft's: someone corrected it meanwhile.
    response = client.post(url, {"choice": "2016", "version": "1"})
    assert response.status_code == 409
    assert list(ReportDraftCorrection.objects.values_list("value", flat=True)) == [2017]


def test_accepting_previews_then_imports_and_warns_when_the_plan_exists(admin: User) -> None:
    client = signed_in(admin)
    first = store_draft(make_draft(3), admin)
    index = flagged_index(draft_of(first), "result_year")
    client.post(reverse("interchange:report_draft_correct", args=[first.pk, index]), {"choice": "2017"})
    accept = reverse("interchange:report_draft_accept", args=[first.pk])
    preview = client.get(accept)
    assert preview.status_code == 200
    assert (
        "Accept and import" in preview.content.decode()
        and "is in Shinchoku already" not in preview.content.decode()
    )
    response = client.post(accept, {"version": "2"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "accepted" and first.audit_event is not None
    page = client.get(reverse("interchange:report_draft", args=[first.pk])).content.decode()
    assert "This draft was accepted" in page and f"/admin/audit/auditevent/{first.audit_event_id}/" in page
    assert 'action="' + reverse("interchange:report_draft_correct", args=[first.pk, index]) not in page
    assert sorted(Result.objects.filter(node__code="1-1-1").values_list("fiscal_year", flat=True)) == [
        2016,
        2017,
    ]

    second = store_draft(make_draft(2), admin)
    for url in (
        reverse("interchange:report_draft", args=[second.pk]),
        reverse("interchange:report_draft_accept", args=[second.pk]),
    ):
        assert f"The plan {PLAN} is in Shinchoku already." in client.get(url).content.decode()


def test_a_dataset_with_problems_is_refused_on_the_preview(admin: User) -> None:
    draft = make_draft(2)
    draft.dataset["results"][0]["fiscal_year"] = 2030
    stored = store_draft(draft, admin)
    client = signed_in(admin)
    accept = reverse("interchange:report_draft_accept", args=[stored.pk])
    preview = client.get(accept)
    assert preview.status_code == 400 and "2030" in preview.content.decode()
    assert "Accept and import" not in preview.content.decode()
    refused = client.post(accept, {"version": "1"})
    assert refused.status_code == 400 and "Nothing was imported" in refused.content.decode()
    assert not Plan.objects.exists() and ReportDraft.objects.get().status == "draft"


def test_a_discarded_draft_says_so(admin: User) -> None:
    stored = store_draft(make_draft(1), admin)
    client = signed_in(admin)
    response = client.post(reverse("interchange:report_draft_discard", args=[stored.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("interchange:report_drafts")
    page = client.get(reverse("interchange:report_draft", args=[stored.pk])).content.decode()
    assert "This draft was discarded" in page and "Keep this value" not in page


def test_a_draft_of_300_measures_is_shown_a_part_at_a_time(admin: User) -> None:
    started = time.perf_counter()
    stored = store_draft(make_draft(300), admin)
    stored_in = time.perf_counter() - started
    client = signed_in(admin)
    url = reverse("interchange:report_draft", args=[stored.pk])
    client.get(url)  # the first request warms the templates
    timings = []
    for query in ("", "?part=7", "?decision=5&page=40"):
        started = time.perf_counter()
        response = client.get(url + query)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
        page = response.content.decode()
        assert page.count('class="draft-node ') <= NODES_PER_PART
        assert page.count('class="source-line') < 200
        assert len(page) < 400_000
    print(
        f"\n300 measures: stored in {stored_in:.2f} s; review pages in "
        + ", ".join(f"{t:.2f}" for t in timings)
        + " s"
    )
    assert max(timings) < 5


def test_pages_of_the_report_without_text_are_warned_of(admin: User) -> None:
    made = make_draft(3)
    source = Source(
        name=made.source.name,
        kind="pdf",
        sha256=made.source.sha256,
        pages=made.source.pages,
        lines=made.source.lines,
        pages_without_text=(2, 5),
    )
    stored = store_draft(Draft(source=source, dataset=made.dataset, decisions=made.decisions), admin)
    page = signed_in(admin).get(reverse("interchange:report_draft", args=[stored.pk])).content.decode()
    assert "2 pages of the report hold no text and were left out: 2, 5." in page
    assert "run OCR on the report" in page
    # A report whose every page was read says nothing of the kind.
    whole = store_draft(make_draft(3), admin)
    page = signed_in(admin).get(reverse("interchange:report_draft", args=[whole.pk])).content.decode()
    assert "hold no text" not in page
