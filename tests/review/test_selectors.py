"""What the staff pages will read: to-do list, queue, dashboard, overdue list, history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shinchoku.review import selectors, services
from shinchoku.review.errors import ReviewError
from shinchoku.review.models import Action, Entry

from .conftest import Cycle

pytestmark = pytest.mark.django_db


def test_a_sections_todo_list_shows_returned_entries_with_their_comments(cycle: Cycle) -> None:
    assert [e.node.code for e in selectors.editor_todo(cycle.editor)] == ["9-1-1"]
    assert [e.node.code for e in selectors.editor_todo(cycle.other_editor)] == ["9-1-2"]
    assert selectors.editor_todo(cycle.reviewer) == []
    entry = cycle.submitted()
    assert selectors.editor_todo(cycle.editor) == []
    services.entry_transition(
        entry, "return", actor=cycle.reviewer, expected_version=entry.version, comment="根拠を追記"
    )
    (todo,) = selectors.editor_todo(cycle.editor)
    assert todo.state == Entry.State.RETURNED
    assert [c.text for c in todo.comments.all()] == ["根拠を追記"]


def test_the_reviewers_queue(cycle: Cycle) -> None:
    assert selectors.review_queue(cycle.reviewer) == []
    entry = cycle.submitted()
    assert selectors.review_queue(cycle.reviewer) == [entry]
    assert selectors.review_queue(cycle.editor) == []


def test_the_dashboard_counts_per_unit(cycle: Cycle) -> None:
    cycle.submitted()
    services.entry_save(cycle.other_entry, {"text": "・途中"}, actor=cycle.other_editor, expected_version=1)
    rows = {(row.unit.code if row.unit else None): row for row in selectors.round_dashboard(cycle.round)}
    assert set(rows) == {"shimin", "katsudo", None}
    assert (rows["shimin"].submitted, rows["shimin"].total) == (1, 1)
    assert (rows["katsudo"].draft, rows["katsudo"].not_started) == (1, 0)
    assert (rows[None].not_started, rows[None].total) == (1, 1)


def test_the_overdue_list(cycle: Cycle) -> None:
    cycle.submitted()
    today = timezone.localdate()
    assert selectors.overdue_entries(cycle.round, today=today) == []
    late = cycle.round.deadline + timedelta(days=1)
    assert [e.node.code for e in selectors.overdue_entries(cycle.round, today=late)] == ["9-1-2", "9-3-1"]


def test_an_entry_is_read_only_by_those_with_a_role_on_it(cycle: Cycle) -> None:
    assert selectors.entry_get(cycle.editor, cycle.entry.pk) == cycle.entry
    with pytest.raises(ReviewError):
        selectors.entry_get(cycle.other_editor, cycle.entry.pk)
    assert [t.action for t in selectors.entry_offer(cycle.editor, cycle.entry).transitions] == [
        Action.SAVE,
        Action.SUBMIT,
    ]
    assert [t.action for t in selectors.entry_offer(cycle.admin, cycle.entry).transitions] == [Action.RESTORE]


def test_the_history_shows_each_change_as_a_person_reads_it(cycle: Cycle) -> None:
    entry = cycle.submitted(code="2")
    history = selectors.entry_history(entry)
    assert [item.version for item in history] == [1, 2, 3]
    saved = {change.field: change for change in history[1].changes}
    assert saved["ratings.achievement"].label == "達成状況区分"
    assert saved["ratings.achievement"].after == "2 目標を上回って達成"
    assert saved["text"].before == "" and saved["text"].after == "・説明会を開催しました。"
    (state,) = history[2].changes
    assert (state.label, state.before, state.after) == (
        str(Entry._meta.get_field("state").verbose_name),
        str(Entry.State.DRAFT.label),
        str(Entry.State.SUBMITTED.label),
    )
    assert history[2].actor == "tanto" and all(item.restorable for item in history)


def test_a_stale_version_is_shown_as_a_person_reads_it(cycle: Cycle) -> None:
    cycle.written(text="・先に保存", code="5")
    with pytest.raises(ReviewError) as raised:
        services.entry_save(cycle.entry, {"text": "・後から"}, actor=cycle.bureau_editor, expected_version=1)
    shown = {change.field: change for change in selectors.conflict_changes(cycle.entry, raised.value)}
    assert shown["ratings.achievement"].after == "5 目標を大きく下回った"
    assert (shown["text"].before, shown["text"].after) == ("", "・先に保存")
