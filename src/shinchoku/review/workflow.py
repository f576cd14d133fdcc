"""The review workflow, declared as data.

``TRANSITIONS`` lists every action a role may take on an entry in a given state, the
state it leads to, and which content fields the action may not change. Whatever is not
in the table is refused. ``ROUND_TRANSITIONS`` does the same for the round. The table
is read by ``review.decisions``, which adds what it cannot say alone (the person's
roles on the entry, a closed round, the deadline, the round's kind); the services, the
pages and the workbook import ask the decision and never test states themselves.

    draft ──submit──▶ submitted ──approve──▶ approved ──publish──▶ published
      ▲ │save            │ return                │ reopen            │ reopen
      │ ▼                ▼                       ▼                   ▼
    draft ◀──save── returned ──submit──▶ submitted (a resubmission)   draft
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext

from shinchoku.accounts.models import Role
from shinchoku.review.models import NOT_STARTED, Action, Entry, Round

State = Entry.State

#: Everything an entry holds that a person writes; ratings (with their reasons), the
#: plan's own sections, the costs and target revisions count as one field each here
#: (``ratings.<dimension>``, ``sections.<key>``, ``costs.<figure>``, ``targets.<id>…`` in
#: the audit).
CONTENT_FIELDS: frozenset[str] = frozenset(
    {"text", "context_change", "response", "highlight", "ratings", "sections", "costs", "targets"}
)

#: The content fields of each kind of round; other fields are refused.
FIELDS_BY_KIND: dict[str, tuple[str, ...]] = {
    Round.Kind.RESULTS: ("text", "context_change", "response", "highlight", "ratings", "sections", "costs"),
    Round.Kind.TARGETS: ("targets",),
}


@dataclass(frozen=True)
class Transition:
    state: Entry.State
    action: Action
    role: Role
    next_state: Entry.State
    #: Content fields the action may not change (all of them for an action that is not an edit).
    frozen_fields: frozenset[str] = CONTENT_FIELDS
    #: The action needs a comment (a return) or a reason (a reopening).
    comment_required: bool = False
    #: The entry must be complete: required fields, ratings, explanations of adverse ratings.
    requires_complete: bool = False
    #: Refused after the round's deadline, unless the entry has been submitted before
    #: (a returned or reopened entry may be fixed after the deadline).
    deadline_bound: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    # The section writes and submits.
    Transition(State.DRAFT, Action.SAVE, Role.EDITOR, State.DRAFT, frozenset(), deadline_bound=True),
    Transition(State.RETURNED, Action.SAVE, Role.EDITOR, State.DRAFT, frozenset(), deadline_bound=True),
    Transition(
        State.DRAFT, Action.SUBMIT, Role.EDITOR, State.SUBMITTED, requires_complete=True, deadline_bound=True
    ),
    Transition(
        State.RETURNED,
        Action.SUBMIT,
        Role.EDITOR,
        State.SUBMITTED,
        requires_complete=True,
        deadline_bound=True,
    ),
    # The reviewer returns with a comment, or approves; never changes the text.
    Transition(State.SUBMITTED, Action.RETURN, Role.REVIEWER, State.RETURNED, comment_required=True),
    Transition(State.SUBMITTED, Action.APPROVE, Role.REVIEWER, State.APPROVED),
    # The planning division edits the highlight (主な実施結果) of an approved entry before
    # publishing it; everything else stays as approved.
    Transition(
        State.APPROVED, Action.SAVE, Role.ADMINISTRATOR, State.APPROVED, CONTENT_FIELDS - {"highlight"}
    ),
    # The planning division publishes, reopens (with a reason), and restores earlier
    # versions into an entry that is being written.
    Transition(State.APPROVED, Action.PUBLISH, Role.ADMINISTRATOR, State.PUBLISHED),
    Transition(State.APPROVED, Action.REOPEN, Role.ADMINISTRATOR, State.DRAFT, comment_required=True),
    Transition(State.PUBLISHED, Action.REOPEN, Role.ADMINISTRATOR, State.DRAFT, comment_required=True),
    Transition(State.DRAFT, Action.RESTORE, Role.ADMINISTRATOR, State.DRAFT, frozenset()),
    Transition(State.RETURNED, Action.RESTORE, Role.ADMINISTRATOR, State.DRAFT, frozenset()),
)

_BY_KEY: dict[tuple[str, str, str], Transition] = {
    (transition.state, transition.action, transition.role): transition for transition in TRANSITIONS
}


#: States in which the section still has to act: those it can submit from.
OUTSTANDING_STATES: frozenset[str] = frozenset(
    transition.state for transition in TRANSITIONS if transition.action == Action.SUBMIT
)


def progress_label(progress: str) -> str:
    """The name of an entry's progress (``Entry.progress_of``) as every page, list and the
    history say it: "not started" for a draft never changed since its round opened, else
    the state's name."""
    return gettext("not started") if progress == NOT_STARTED else str(Entry.State(progress).label)


def state_label(state: str, version: int) -> str:
    """The name of an entry's state at ``version``: version 1 of a draft is "not started"."""
    return progress_label(Entry.progress_of(state, version))


def allowed(state: str, action: str, role: str) -> Transition | None:
    """The transition a ``role`` may make with ``action`` on an entry in ``state``, if any."""
    return _BY_KEY.get((state, action, role))


def transition_for(state: str, action: str, roles: frozenset[str]) -> Transition | None:
    """The transition open to someone holding ``roles``; roles are tried in the order of
    ``Role`` so that the answer never depends on set order."""
    for role in Role:
        if role in roles and (transition := allowed(state, action, role)) is not None:
            return transition
    return None


def actions_for(state: str, roles: frozenset[str]) -> list[Transition]:
    """Every transition open to someone holding ``roles`` on an entry in ``state``
    (the buttons a page shows), in the order of ``Action``."""
    found = [transition_for(state, action, roles) for action in Action]
    return [transition for transition in found if transition is not None]


# ----------------------------------------------------------------------- the round

RoundState = Round.State


class RoundAction(StrEnum):
    PUBLISH = "publish"
    CLOSE = "close"
    SET_DEADLINE = "set_deadline"


@dataclass(frozen=True)
class RoundTransition:
    """An administrator's action on a round."""

    state: Round.State
    action: RoundAction
    next_state: Round.State


ROUND_TRANSITIONS: tuple[RoundTransition, ...] = (
    # Publishing again carries the entries approved since the last publication.
    RoundTransition(RoundState.OPEN, RoundAction.PUBLISH, RoundState.PUBLISHED),
    RoundTransition(RoundState.PUBLISHED, RoundAction.PUBLISH, RoundState.PUBLISHED),
    RoundTransition(RoundState.OPEN, RoundAction.SET_DEADLINE, RoundState.OPEN),
    RoundTransition(RoundState.PUBLISHED, RoundAction.SET_DEADLINE, RoundState.PUBLISHED),
    RoundTransition(RoundState.OPEN, RoundAction.CLOSE, RoundState.CLOSED),
    RoundTransition(RoundState.PUBLISHED, RoundAction.CLOSE, RoundState.CLOSED),
)

#: Round states in which entries may change (be written, reviewed, reopened). A closed
#: round is final.
ROUND_STATES_TAKING_CHANGES: frozenset[str] = frozenset({RoundState.OPEN, RoundState.PUBLISHED})

_ROUND_BY_KEY: dict[tuple[str, str], RoundTransition] = {
    (transition.state, transition.action): transition for transition in ROUND_TRANSITIONS
}


def round_allowed(state: str, action: str) -> RoundTransition | None:
    return _ROUND_BY_KEY.get((state, action))
