"""The round as its people go through it: each service's effect and its audit row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.audit.selectors import audit_history
from shinchoku.progress.models import Rating, Result
from shinchoku.review import services
from shinchoku.review.models import Comment, Entry, EntryRating, Round

from .conftest import Cycle, last_event, make_cycle

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------- opening


def test_opening_a_round_makes_a_draft_for_every_rated_node(cycle: Cycle) -> None:
    entries = Entry.objects.filter(round=cycle.round)
    assert sorted(entries.values_list("node__code", flat=True)) == ["9-1-1", "9-1-2", "9-3-1"]
    assert set(entries.values_list("state", "version")) == {(Entry.State.DRAFT, 1)}
    assert cycle.round.state == Round.State.OPEN
    assert cycle.round.opened_by == cycle.admin

    event = last_event(cycle.round)
    assert event.event_type == EventType.ROUND_OPENED
    assert event.actor == cycle.admin and event.actor_name == "kikaku"
    assert event.changes["fiscal_year"] == {"before": None, "after": 2013}
    assert event.changes["state"] == {"before": None, "after": "open"}
    assert event.details == {"entries": 3}
    created = audit_history(cycle.entry).get()
    assert created.event_type == EventType.ENTRY_CREATED and created.subject_version == 1
    assert created.snapshot == {"text": "", "context_change": "", "response": "", "highlight": ""}


def test_a_round_for_a_year_with_results_starts_from_them(db: None) -> None:
    cycle = make_cycle(year=2012)
    entry = cycle.fresh()
    assert entry.text == "・事業一覧を9月に公表しました。"
    assert entry.context_change == "・相談件数が増加しています。"
    assert entry.ratings.get().level.code == "4"
    assert audit_history(entry).get().snapshot["ratings.achievement"] == "4"


# ------------------------------------------------------------------------ saving


def test_an_editor_saves_a_draft_and_the_change_is_audited(cycle: Cycle) -> None:
    entry = services.entry_save(
        cycle.entry,
        {"text": "・説明会を２回開催しました。", "ratings": cycle.rating("3")},
        actor=cycle.editor,
        expected_version=1,
    )
    assert entry.version == 2 and entry.state == Entry.State.DRAFT
    assert entry.text == "・説明会を2回開催しました。"  # full-width digits normalised on the way in
    assert entry.updated_by == cycle.editor
    assert entry.ratings.get().level == cycle.sample.ratings["3"]

    event = last_event(entry)
    assert event.event_type == EventType.ENTRY_SAVED
    assert event.actor == cycle.editor
    assert event.subject_version == 2
    assert event.changes == {
        "text": {"before": "", "after": "・説明会を2回開催しました。"},
        "ratings.achievement": {"before": None, "after": "3"},
    }
    assert event.snapshot["text"] == "・説明会を2回開催しました。"


def test_saving_only_some_fields_keeps_the_others(cycle: Cycle) -> None:
    entry = cycle.written(text="・結果")
    entry = services.entry_save(entry, {"highlight": "・要約"}, actor=cycle.editor, expected_version=2)
    assert (entry.text, entry.highlight, entry.version) == ("・結果", "・要約", 3)
    assert entry.ratings.count() == 1
    assert set(last_event(entry).changes) == {"highlight"}


def test_saving_nothing_new_writes_nothing(cycle: Cycle) -> None:
    entry = cycle.written(text="・結果")
    events = AuditEvent.objects.count()
    again = services.entry_save(entry, {"text": "・結果"}, actor=cycle.editor, expected_version=2)
    assert again.version == 2
    assert AuditEvent.objects.count() == events


def test_a_rating_can_be_removed(cycle: Cycle) -> None:
    entry = cycle.written()
    entry = services.entry_save(
        entry, {"ratings": {cycle.sample.dimension.pk: None}}, actor=cycle.editor, expected_version=2
    )
    assert not entry.ratings.exists()
    assert last_event(entry).changes == {"ratings.achievement": {"before": "3", "after": None}}


def test_an_editor_of_the_bureau_above_writes_its_sections_measures(cycle: Cycle) -> None:
    entry = services.entry_save(
        cycle.entry, {"text": "・局で記入"}, actor=cycle.bureau_editor, expected_version=1
    )
    assert last_event(entry).actor == cycle.bureau_editor


# -------------------------------------------------------------------- reviewing


def test_submit_return_resubmit_approve(cycle: Cycle, django_capture_on_commit_callbacks) -> None:
    entry = cycle.submitted()
    assert entry.state == Entry.State.SUBMITTED and entry.submitted_at is not None
    submitted = last_event(entry)
    assert submitted.event_type == EventType.ENTRY_SUBMITTED
    assert submitted.changes == {"state": {"before": "draft", "after": "submitted"}}
    assert submitted.snapshot["text"] == entry.text

    with django_capture_on_commit_callbacks(execute=True):
        entry = services.entry_transition(
            entry,
            "return",
            actor=cycle.reviewer,
            expected_version=entry.version,
            comment="件数を記載してください。",
        )
    assert entry.state == Entry.State.RETURNED
    returned = last_event(entry)
    assert (returned.event_type, returned.actor, returned.reason) == (
        EventType.ENTRY_RETURNED,
        cycle.reviewer,
        "件数を記載してください。",
    )
    comment = Comment.objects.get(entry=entry)
    assert (comment.author, comment.action, comment.text) == (
        cycle.reviewer,
        "return",
        "件数を記載してください。",
    )
    assert sorted(message.to[0] for message in mail.outbox) == ["kyoku@example.org", "tanto@example.org"]
    assert "件数を記載してください。" in mail.outbox[0].body and "9-1-1" in mail.outbox[0].subject

    entry = services.entry_save(
        entry, {"text": "・説明会を2回開催しました。"}, actor=cycle.editor, expected_version=entry.version
    )
    assert entry.state == Entry.State.DRAFT  # a returned entry being fixed is a draft again
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    assert entry.state == Entry.State.SUBMITTED

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.entry_transition(
            entry, "approve", actor=cycle.reviewer, expected_version=entry.version
        )
    assert entry.state == Entry.State.APPROVED
    assert last_event(entry).changes == {"state": {"before": "submitted", "after": "approved"}}
    assert len(mail.outbox) == 2 and all("9-1-1" in message.subject for message in mail.outbox)
    assert [e.event_type for e in audit_history(entry)] == [
        EventType.ENTRY_CREATED,
        EventType.ENTRY_SAVED,
        EventType.ENTRY_SUBMITTED,
        EventType.ENTRY_RETURNED,
        EventType.ENTRY_SAVED,
        EventType.ENTRY_SUBMITTED,
        EventType.ENTRY_APPROVED,
    ]
    assert [e.subject_version for e in audit_history(entry)] == [1, 2, 3, 4, 5, 6, 7]


def test_mail_waits_for_the_commit(cycle: Cycle, django_capture_on_commit_callbacks) -> None:
    entry = cycle.submitted()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.entry_transition(
            entry, "return", actor=cycle.reviewer, expected_version=entry.version, comment="再考"
        )
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_the_administrator_edits_an_approved_entrys_highlight(cycle: Cycle) -> None:
    entry = cycle.approved()
    entry = services.entry_save(
        entry, {"highlight": "・説明会を開催しました。"}, actor=cycle.admin, expected_version=entry.version
    )
    assert entry.state == Entry.State.APPROVED and entry.highlight == "・説明会を開催しました。"
    assert last_event(entry).changes == {"highlight": {"before": "", "after": "・説明会を開催しました。"}}


# -------------------------------------------------------------------- publishing


def test_publishing_carries_approved_entries_into_the_published_results(
    db: None, django_capture_on_commit_callbacks
) -> None:
    cycle = make_cycle(year=2012)
    other_before = Result.objects.get(node=cycle.sample.other_measure, fiscal_year=2012)
    other_text = other_before.text
    entry = cycle.approved(
        text="・事業一覧を改訂しました。",
        code="4",
        context_change="・相談が増えました。",
        response="・窓口を増やします。",
        highlight="・改訂",
    )
    # 9-1-2 is written but never approved: the public keeps its published result.
    services.entry_save(cycle.other_entry, {"text": "・下書き"}, actor=cycle.other_editor, expected_version=1)

    with django_capture_on_commit_callbacks(execute=True):
        round_ = services.round_publish(cycle.round, actor=cycle.admin)
    assert round_.state == Round.State.PUBLISHED and round_.published_at is not None

    result = Result.objects.get(node=cycle.sample.measure, fiscal_year=2012)
    assert (result.text, result.context_change, result.response, result.highlight) == (
        "・事業一覧を改訂しました。",
        "・相談が増えました。",
        "・窓口を増やします。",
        "・改訂",
    )
    assert Rating.objects.get(result=result).level.code == "4"
    other_after = Result.objects.get(node=cycle.sample.other_measure, fiscal_year=2012)
    assert other_after.text == other_text == "・講座を実施しました。"
    assert Rating.objects.get(result=other_after).level.code == "3"

    entry = cycle.fresh(entry)
    assert entry.state == Entry.State.PUBLISHED and entry.published_version == entry.version
    assert cycle.fresh(cycle.other_entry).state == Entry.State.DRAFT
    published = last_event(entry)
    assert published.event_type == EventType.ENTRY_PUBLISHED and published.actor == cycle.admin
    assert published.changes == {"state": {"before": "approved", "after": "published"}}
    assert published.snapshot["text"] == "・事業一覧を改訂しました。"
    stored = Round.objects.get(pk=round_.pk)
    assert (stored.state, stored.published_at) == (Round.State.PUBLISHED, round_.published_at)
    round_event = last_event(round_)
    assert round_event.event_type == EventType.ROUND_PUBLISHED
    assert round_event.changes["state"] == {"before": "open", "after": "published"}
    assert round_event.details == {"entries": 1, "nodes": ["9-1-1"]}
    assert {message.to[0] for message in mail.outbox} == {
        "kikaku@example.org",
        "shinsa@example.org",
        "tanto@example.org",
        "kyoku@example.org",
        "betsu@example.org",
    }


def test_a_new_result_is_made_for_a_year_without_one(cycle: Cycle) -> None:
    cycle.approved(text="・2013年度の結果")
    services.round_publish(cycle.round, actor=cycle.admin)
    result = Result.objects.get(node=cycle.sample.measure, fiscal_year=2013)
    assert result.text == "・2013年度の結果"
    assert result.ratings.get().level.code == "3"


def test_publishing_again_carries_the_entries_approved_since(cycle: Cycle) -> None:
    cycle.approved()
    services.round_publish(cycle.round, actor=cycle.admin)
    other = services.entry_save(
        cycle.other_entry,
        {"text": "・後から", "ratings": cycle.rating("2")},
        actor=cycle.other_editor,
        expected_version=1,
    )
    other = services.entry_transition(
        other, "submit", actor=cycle.other_editor, expected_version=other.version
    )
    services.entry_transition(other, "approve", actor=cycle.reviewer, expected_version=other.version)
    services.round_publish(cycle.round, actor=cycle.admin)
    assert Result.objects.get(node=cycle.sample.other_measure, fiscal_year=2013).text == "・後から"
    assert last_event(cycle.round).details["nodes"] == ["9-1-2"]


# --------------------------------------------------------------- reopen, restore


def test_reopening_a_published_entry_keeps_the_published_version(cycle: Cycle) -> None:
    cycle.approved(text="・公表した結果")
    services.round_publish(cycle.round, actor=cycle.admin)
    entry = cycle.fresh()
    published_version = entry.version

    entry = services.entry_transition(
        entry, "reopen", actor=cycle.admin, expected_version=entry.version, comment="数値の誤りを訂正するため"
    )
    assert entry.state == Entry.State.DRAFT
    reopened = last_event(entry)
    assert (reopened.event_type, reopened.reason) == (EventType.ENTRY_REOPENED, "数値の誤りを訂正するため")
    assert reopened.changes == {"state": {"before": "published", "after": "draft"}}
    assert Comment.objects.get(entry=entry, action="reopen").text == "数値の誤りを訂正するため"

    # The section fixes it after the deadline (it had submitted in time).
    Round.objects.filter(pk=cycle.round.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    entry = services.entry_save(
        entry, {"text": "・訂正した結果"}, actor=cycle.editor, expected_version=entry.version
    )

    # The public still reads the published version, and the history keeps it.
    assert Result.objects.get(node=cycle.sample.measure, fiscal_year=2013).text == "・公表した結果"
    assert entry.published_version == published_version
    published = audit_history(entry).get(event_type=EventType.ENTRY_PUBLISHED)
    assert published.subject_version == published_version
    assert published.snapshot["text"] == "・公表した結果"


def test_the_administrator_restores_an_earlier_version(cycle: Cycle) -> None:
    first = cycle.written(text="・最初の記述", code="3")
    version_two = last_event(first)
    entry = services.entry_save(
        first,
        {"text": "・書き換えた記述", "ratings": cycle.rating("5"), "context_change": "・変化"},
        actor=cycle.editor,
        expected_version=2,
    )
    entry = services.entry_restore(
        entry, version_two, actor=cycle.admin, expected_version=entry.version, reason="誤って上書きしたため"
    )
    assert (entry.text, entry.context_change, entry.version) == ("・最初の記述", "", 4)
    assert EntryRating.objects.get(entry=entry).level.code == "3"
    restored = last_event(entry)
    assert restored.event_type == EventType.ENTRY_RESTORED and restored.actor == cycle.admin
    assert restored.details == {"restored_version": 2, "restored_event": version_two.pk}
    assert restored.reason == "誤って上書きしたため"
    assert restored.changes == {
        "text": {"before": "・書き換えた記述", "after": "・最初の記述"},
        "context_change": {"before": "・変化", "after": ""},
        "ratings.achievement": {"before": "5", "after": "3"},
    }


def test_restoring_the_published_version_after_a_reopening(cycle: Cycle) -> None:
    cycle.approved(text="・公表した結果")
    services.round_publish(cycle.round, actor=cycle.admin)
    entry = cycle.fresh()
    entry = services.entry_transition(
        entry, "reopen", actor=cycle.admin, expected_version=entry.version, comment="再確認"
    )
    entry = services.entry_save(
        entry, {"text": "・やり直し"}, actor=cycle.editor, expected_version=entry.version
    )
    published = audit_history(entry).get(event_type=EventType.ENTRY_PUBLISHED)
    entry = services.entry_restore(entry, published, actor=cycle.admin, expected_version=entry.version)
    assert entry.text == "・公表した結果" and entry.state == Entry.State.DRAFT


# ----------------------------------------------------------------------- rounds


def test_changing_the_deadline_and_closing(cycle: Cycle) -> None:
    old = cycle.round.deadline
    new = old + timedelta(days=7)
    round_ = services.round_set_deadline(cycle.round, new, actor=cycle.admin)
    assert round_.deadline == new == Round.objects.get(pk=round_.pk).deadline
    assert last_event(round_).changes == {"deadline": {"before": old.isoformat(), "after": new.isoformat()}}
    round_ = services.round_close(round_, actor=cycle.admin)
    assert round_.state == Round.State.CLOSED == Round.objects.get(pk=round_.pk).state
    assert last_event(round_).changes == {"state": {"before": "open", "after": "closed"}}


# ------------------------------------------------------------- targets rounds


def test_a_targets_round_revises_targets_with_their_reasons(cycle: Cycle) -> None:
    round_ = services.round_open(
        cycle.sample.plan,
        2014,
        Round.Kind.TARGETS,
        timezone.localdate() + timedelta(days=5),
        actor=cycle.admin,
    )
    entry = Entry.objects.get(round=round_, node=cycle.sample.measure)
    onwards = cycle.sample.measure.targets.get(start_year=2014)  # 2014年度以降: 事業推進
    entry = services.entry_save(
        entry,
        {"targets": {onwards.pk: {"revised_text": "●制度の見直し", "revision_reason": "国の制度改正のため"}}},
        actor=cycle.editor,
        expected_version=1,
    )
    assert last_event(entry).changes == {
        f"targets.{onwards.pk}.revised_text": {"before": None, "after": "●制度の見直し"},
        f"targets.{onwards.pk}.revision_reason": {"before": None, "after": "国の制度改正のため"},
    }
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    services.round_publish(round_, actor=cycle.admin)
    onwards.refresh_from_db()
    assert (onwards.text, onwards.revised_text, onwards.revision_reason) == (
        "事業推進",
        "●制度の見直し",
        "国の制度改正のため",
    )
    assert not Result.objects.filter(fiscal_year=2014).exists()
