"""The services of a report draft: stored as recognised, corrected (each value checked for
its place), discarded, accepted through the dataset import (the plan written, its audit
row linked), refused whole when the corrected dataset has problems; only the planning
administrator works on drafts."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from shinchoku.accounts.models import Role
from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.errors import ErrorCode
from shinchoku.interchange.models import ReportDraft, ReportDraftCorrection
from shinchoku.interchange.preview import ImportRefused, RowStatus
from shinchoku.interchange.reportdrafts import draft_accept, draft_correct, draft_discard, store_draft
from shinchoku.interchange.reportdrafts.corrections import BASELINE, CorrectionRefused, typed_value
from shinchoku.interchange.reportdrafts.services import (
    DraftRefused,
    draft_accept_preview,
    draft_corrected,
    draft_of,
    plan_exists,
)
from shinchoku.plans.formats.report.draft import Draft
from shinchoku.plans.models import Node, Plan
from shinchoku.progress.models import Result, Target
from tests.factories import make_staff, make_unit
from tests.interchange.report_drafts import PLAN, flagged_index, make_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db: None) -> User:
    return make_staff(Role.ADMINISTRATOR, username="kikaku")


@pytest.fixture
def stored(admin: User) -> ReportDraft:
    return store_draft(make_draft(3), admin)


def test_a_draft_is_kept_as_recognised_with_who_and_when(admin: User) -> None:
    draft = make_draft(3)
    stored = store_draft(draft, admin)
    assert stored.status == ReportDraft.Status.DRAFT
    assert (stored.file_name, stored.sha256) == (draft.source.name, draft.source.sha256)
    assert (stored.plan_code, stored.measures, stored.flagged) == (PLAN, 3, 4)
    assert stored.created_by == admin and stored.created_by_name == "kikaku" and stored.created_at
    assert Draft.from_json(ReportDraft.objects.get().draft) == draft
    assert not Plan.objects.exists()  # nothing of the plan is written


def test_the_console_stores_a_draft_as_nobody(db: None) -> None:
    assert store_draft(make_draft(1), None).created_by is None


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER])
def test_only_the_planning_administrator_works_on_drafts(role: str, stored: ReportDraft) -> None:
    other = make_staff(
        role, unit=make_unit(code="shimin", name="市民協働推進課") if role == Role.EDITOR else None
    )
    with pytest.raises(DraftRefused) as refused:
        store_draft(make_draft(1), other)
    assert refused.value.code == ErrorCode.NOT_ALLOWED
    for attempt in (
        lambda: draft_correct(stored, 0, "x", actor=other),
        lambda: draft_discard(stored, actor=other),
        lambda: draft_accept(stored, actor=other),
    ):
        with pytest.raises(DraftRefused):
            attempt()
    assert ReportDraft.objects.count() == 1 and not ReportDraftCorrection.objects.exists()
    assert ReportDraft.objects.get().status == ReportDraft.Status.DRAFT


def test_a_flagged_result_year_is_corrected_and_the_correction_kept_apart(
    admin: User, stored: ReportDraft
) -> None:
    draft = draft_of(stored)
    index = flagged_index(draft, "result_year")
    pointer = draft.decisions[index].pointer
    correction = draft_correct(stored, index, 2017, actor=admin, expected_version=1)
    assert (correction.pointer, correction.value, correction.made_by) == (pointer, 2017, admin)
    stored.refresh_from_db()
    assert stored.version == 2
    result = int(pointer.split("/")[2])
    corrected = draft_corrected(stored).dataset
    assert corrected["results"][result]["fiscal_year"] == 2017
    assert corrected["results"][result]["wareki"] == "平成29年度"
    # The draft itself is kept as it was recognised.
    assert draft_of(stored).dataset["results"][result]["fiscal_year"] == 2018


@pytest.mark.parametrize("value", [2019, 2015, "2017", True, None])
def test_a_year_outside_the_period_or_not_a_year_is_refused(
    admin: User, stored: ReportDraft, value: object
) -> None:
    index = flagged_index(draft_of(stored), "result_year")
    with pytest.raises(CorrectionRefused, match="not a fiscal year of the plan's period"):
        draft_correct(stored, index, value, actor=admin)
    assert not ReportDraftCorrection.objects.exists() and ReportDraft.objects.get().version == 1


def test_a_year_is_read_as_written(stored: ReportDraft) -> None:
    draft = draft_of(stored)
    decision = draft.decisions[flagged_index(draft, "result_year")]
    for written in ("2017", "２０１７年度", "平成29年度", "2017(平成29)年度"):
        assert typed_value(draft.dataset, decision, written) == 2017
    with pytest.raises(CorrectionRefused, match="is not a fiscal year"):
        typed_value(draft.dataset, decision, "来年")


def test_a_target_is_moved_to_another_measure_named_by_its_code(admin: User, stored: ReportDraft) -> None:
    draft = draft_of(stored)
    index = flagged_index(draft, "target_measure")
    decision = draft.decisions[index]
    assert typed_value(draft.dataset, decision, "１-２-１") == f"{PLAN}:1-2-1"
    with pytest.raises(CorrectionRefused, match="not a node of this draft"):
        typed_value(draft.dataset, decision, "9-9-9")
    with pytest.raises(CorrectionRefused, match="not a measure"):
        typed_value(draft.dataset, decision, "1-1")
    draft_correct(stored, index, f"{PLAN}:1-2-1", actor=admin)
    target = int(decision.pointer.split("/")[2])
    assert draft_corrected(stored).dataset["targets"][target]["node_id"] == f"{PLAN}:1-2-1"


def test_a_rating_is_a_level_of_the_scale_or_none(admin: User, stored: ReportDraft) -> None:
    draft = draft_of(stored)
    index = flagged_index(draft, "rating")
    result = int(draft.decisions[index].pointer.split("/")[2])
    with pytest.raises(CorrectionRefused, match="not a level of the rating scale"):
        draft_correct(stored, index, "7", actor=admin)
    draft_correct(stored, index, "4", actor=admin)
    item = draft_corrected(stored).dataset["results"][result]
    assert [rating["code"] for rating in item["ratings"]] == ["4"] and item["rating"]["label"] == "未着手"
    draft_correct(stored, index, None, actor=admin)
    item = draft_corrected(stored).dataset["results"][result]
    assert item["ratings"] == [] and item["rating"] is None


def test_a_baseline_becomes_a_target_and_a_target_a_baseline(admin: User, stored: ReportDraft) -> None:
    draft = draft_of(stored)
    index = flagged_index(draft, "baseline")
    node = int(draft.decisions[index].pointer.split("/")[2])
    text = draft.dataset["nodes"][node]["baseline"]
    draft_correct(stored, index, 2016, actor=admin)
    dataset = draft_corrected(stored).dataset
    assert dataset["nodes"][node]["baseline"] == ""
    added = dataset["targets"][-1]
    assert (added["node_id"], added["text"], added["start_year"], added["end_year"]) == (
        dataset["nodes"][node]["id"],
        text,
        2016,
        2016,
    )
    # Back to the baseline: the last correction of a place counts.
    draft_correct(stored, index, BASELINE, actor=admin)
    dataset = draft_corrected(stored).dataset
    assert dataset["nodes"][node]["baseline"] == text and len(dataset["targets"]) == len(
        draft.dataset["targets"]
    )


def test_a_correction_made_on_an_older_version_is_refused(admin: User, stored: ReportDraft) -> None:
    draft = draft_of(stored)
    draft_correct(stored, flagged_index(draft, "rating"), "1", actor=admin, expected_version=1)
    with pytest.raises(DraftRefused) as refused:
        draft_correct(stored, flagged_index(draft, "result_year"), 2017, actor=admin, expected_version=1)
    assert refused.value.code == ErrorCode.STALE_VERSION
    assert ReportDraftCorrection.objects.count() == 1


def test_accepting_imports_the_corrected_plan_with_its_audit_row(admin: User, stored: ReportDraft) -> None:
    draft = draft_of(stored)
    draft_correct(stored, flagged_index(draft, "result_year"), 2017, actor=admin)
    stored.refresh_from_db()
    preview = draft_accept_preview(stored, actor=admin)
    assert preview.ok and preview.count(RowStatus.NEW) > 0 and not plan_exists(stored)
    accepted = draft_accept(stored, actor=admin, expected_version=stored.version)
    assert "Dataset imported: 1 of 1 plans written" in accepted.result.summary
    done = ReportDraft.objects.get()
    assert done.status == ReportDraft.Status.ACCEPTED and done.decided_by == admin and done.decided_at
    event = done.audit_event
    assert event is not None and event.event_type == EventType.PLAN_IMPORTED and event.actor == admin
    assert event.subject == Plan.objects.get(code=PLAN) and event.details["file"] == stored.file_name
    years = sorted(
        Result.objects.filter(node__code="1-1-1", node__plan__code=PLAN).values_list("fiscal_year", flat=True)
    )
    assert years == [2016, 2017]
    assert (
        Node.objects.filter(plan__code=PLAN).count() == 6
        and Target.objects.filter(node__plan__code=PLAN).count() == 9
    )
    # Decided: no further correction, discard or acceptance.
    for attempt in (
        lambda: draft_correct(done, 0, "x", actor=admin),
        lambda: draft_discard(done, actor=admin),
        lambda: draft_accept(done, actor=admin),
    ):
        with pytest.raises(DraftRefused, match="no longer changed"):
            attempt()


def test_a_corrected_dataset_with_problems_is_refused_and_nothing_written(admin: User) -> None:
    draft = make_draft(2)
    draft.dataset["results"][0]["fiscal_year"] = 2030  # a year the recogniser should never have given
    stored = store_draft(draft, admin)
    events = AuditEvent.objects.count()
    assert not draft_accept_preview(stored, actor=admin).ok
    with pytest.raises(ImportRefused) as refused:
        draft_accept(stored, actor=admin)
    assert any("2030" in str(problem) for problem in refused.value.preview.all_problems)
    assert not Plan.objects.exists() and AuditEvent.objects.count() == events
    assert ReportDraft.objects.get().status == ReportDraft.Status.DRAFT


def test_accepting_a_draft_of_a_plan_already_here_replaces_its_data(admin: User) -> None:
    draft_accept(store_draft(make_draft(4), admin), actor=admin)
    smaller = store_draft(make_draft(2), admin)
    assert plan_exists(smaller)
    preview = draft_accept_preview(smaller, actor=admin)
    assert preview.ok and preview.count(RowStatus.REMOVED) > 0
    draft_accept(smaller, actor=admin)
    assert sorted(
        Node.objects.filter(plan__code=PLAN, level__key="measure").values_list("code", flat=True)
    ) == [
        "1-1-1",
        "1-2-1",
    ]


def test_a_discarded_draft_is_kept_and_imports_nothing(admin: User, stored: ReportDraft) -> None:
    draft_discard(stored, actor=admin)
    done = ReportDraft.objects.get()
    assert done.status == ReportDraft.Status.DISCARDED and done.decided_by == admin
    with pytest.raises(DraftRefused):
        draft_accept(done, actor=admin)
    assert not Plan.objects.exists()
