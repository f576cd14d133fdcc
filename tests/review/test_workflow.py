"""The transition table: every state × action × role is either allowed, leading to the
state written here, or refused. The expectations are written out by hand, so that a
change to the table shows up as a failing test to be read."""

from __future__ import annotations

import itertools

import pytest

from shinchoku.accounts.models import Role
from shinchoku.review.models import Action, Entry, Round
from shinchoku.review.workflow import (
    CONTENT_FIELDS,
    OUTSTANDING_STATES,
    ROUND_STATES_TAKING_CHANGES,
    ROUND_TRANSITIONS,
    TRANSITIONS,
    RoundAction,
    actions_for,
    allowed,
    round_allowed,
    transition_for,
)

S = Entry.State
A = Action
R = Role

#: (state, action, role) → next state. Everything else is refused.
EXPECTED = {
    (S.DRAFT, A.SAVE, R.EDITOR): S.DRAFT,
    (S.RETURNED, A.SAVE, R.EDITOR): S.DRAFT,
    (S.DRAFT, A.SUBMIT, R.EDITOR): S.SUBMITTED,
    (S.RETURNED, A.SUBMIT, R.EDITOR): S.SUBMITTED,
    (S.SUBMITTED, A.RETURN, R.REVIEWER): S.RETURNED,
    (S.SUBMITTED, A.APPROVE, R.REVIEWER): S.APPROVED,
    (S.APPROVED, A.SAVE, R.ADMINISTRATOR): S.APPROVED,
    (S.APPROVED, A.PUBLISH, R.ADMINISTRATOR): S.PUBLISHED,
    (S.APPROVED, A.REOPEN, R.ADMINISTRATOR): S.DRAFT,
    (S.PUBLISHED, A.REOPEN, R.ADMINISTRATOR): S.DRAFT,
    (S.DRAFT, A.RESTORE, R.ADMINISTRATOR): S.DRAFT,
    (S.RETURNED, A.RESTORE, R.ADMINISTRATOR): S.DRAFT,
}

EVERY_CASE = list(itertools.product(S, A, R))


def test_the_matrix_covers_every_combination() -> None:
    assert len(EVERY_CASE) == len(S) * len(A) * len(R) == 5 * 7 * 3


@pytest.mark.parametrize(("state", "action", "role"), EVERY_CASE, ids=lambda v: str(v))
def test_each_state_action_and_role_is_allowed_or_refused(state: str, action: str, role: str) -> None:
    transition = allowed(state, action, role)
    expected = EXPECTED.get((state, action, role))
    if expected is None:
        assert transition is None
    else:
        assert transition is not None
        assert transition.next_state == expected


def test_the_table_has_one_row_per_state_action_and_role() -> None:
    keys = [(t.state, t.action, t.role) for t in TRANSITIONS]
    assert len(keys) == len(set(keys)) == len(EXPECTED)


def test_only_edits_unfreeze_content() -> None:
    """Editors' saves and restores may change every field; the administrator's save of an
    approved entry only the highlight; every other action none."""
    for transition in TRANSITIONS:
        if transition.action == A.RESTORE or (transition.action == A.SAVE and transition.role == R.EDITOR):
            assert transition.frozen_fields == frozenset()
        elif transition.action == A.SAVE:
            assert CONTENT_FIELDS - transition.frozen_fields == {"highlight"}
        else:
            assert transition.frozen_fields == CONTENT_FIELDS


def test_returns_and_reopenings_need_words_submissions_need_a_complete_entry() -> None:
    assert {t.action for t in TRANSITIONS if t.comment_required} == {A.RETURN, A.REOPEN}
    assert {t.action for t in TRANSITIONS if t.requires_complete} == {A.SUBMIT}
    assert {(t.action, t.role) for t in TRANSITIONS if t.deadline_bound} == {
        (A.SAVE, R.EDITOR),
        (A.SUBMIT, R.EDITOR),
    }


def test_a_person_with_several_roles_gets_each_roles_transitions() -> None:
    both = frozenset({R.EDITOR, R.REVIEWER})
    assert [t.action for t in actions_for(S.DRAFT, both)] == [A.SAVE, A.SUBMIT]
    assert [t.action for t in actions_for(S.SUBMITTED, both)] == [A.RETURN, A.APPROVE]
    assert actions_for(S.SUBMITTED, frozenset({R.EDITOR})) == []
    assert transition_for(S.APPROVED, A.SAVE, frozenset({R.EDITOR})) is None
    assert transition_for(S.APPROVED, A.SAVE, frozenset({R.EDITOR, R.ADMINISTRATOR})).role == R.ADMINISTRATOR


def test_outstanding_states_are_those_a_section_submits_from() -> None:
    assert frozenset({S.DRAFT, S.RETURNED}) == OUTSTANDING_STATES


ROUND_EXPECTED = {
    (Round.State.OPEN, RoundAction.PUBLISH): Round.State.PUBLISHED,
    (Round.State.PUBLISHED, RoundAction.PUBLISH): Round.State.PUBLISHED,
    (Round.State.OPEN, RoundAction.SET_DEADLINE): Round.State.OPEN,
    (Round.State.PUBLISHED, RoundAction.SET_DEADLINE): Round.State.PUBLISHED,
    (Round.State.OPEN, RoundAction.CLOSE): Round.State.CLOSED,
    (Round.State.PUBLISHED, RoundAction.CLOSE): Round.State.CLOSED,
}


@pytest.mark.parametrize(
    ("state", "action"), list(itertools.product(Round.State, RoundAction)), ids=lambda v: str(v)
)
def test_each_round_state_and_action(state: str, action: RoundAction) -> None:
    transition = round_allowed(state, action)
    expected = ROUND_EXPECTED.get((state, action))
    assert (transition.next_state if transition else None) == expected


def test_a_closed_round_takes_no_changes() -> None:
    assert len(ROUND_TRANSITIONS) == len(ROUND_EXPECTED)
    assert frozenset({Round.State.OPEN, Round.State.PUBLISHED}) == ROUND_STATES_TAKING_CHANGES
