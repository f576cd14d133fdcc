"""One decision per action: may this person take this action on this entry (or round)
now, and if not, why.

``entry_decision`` answers, for a person, an entry and an action, either the
``Transition`` the action makes or a ``Refusal`` with a code (``shinchoku.errors.ErrorCode``)
and a message in the person's language. It is the only place that weighs, in this order:

1. the round's state: a closed round takes no change (``workflow.ROUND_STATES_TAKING_CHANGES``);
2. the person's roles *on this entry* (``permissions.entry_roles``: an editor only for
   the measures of their unit or of a unit under it);
3. the transition table for the entry's state (``workflow.TRANSITIONS``);
4. the deadline: a deadline-bound transition is refused after the round's deadline,
   unless the entry was submitted before;
5. the round's kind and the transition's frozen fields, for the content ``fields`` the
   action would change (``fields_refusal``; the fields open to it: ``open_fields``).

The services raise its refusal, the selectors build what a page offers from it (the
buttons, whether the form is editable and the reason shown when it is not), and the
workbook import asks it for every row it would save. Nobody else tests states, roles,
round states or the deadline to decide whether an entry may change.

``round_decision`` does the same for the administrator's actions on a round.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from shinchoku import fiscal
from shinchoku.accounts.models import Role
from shinchoku.errors import ErrorCode
from shinchoku.review.models import Action, Entry, Round
from shinchoku.review.permissions import can_manage_rounds, entry_roles
from shinchoku.review.workflow import (
    CONTENT_FIELDS,
    FIELDS_BY_KIND,
    ROUND_STATES_TAKING_CHANGES,
    TRANSITIONS,
    RoundAction,
    RoundTransition,
    Transition,
    round_allowed,
    state_label,
    transition_for,
)


class Reason(StrEnum):
    """Which rule refused; finer than the code, for the pages that word what they show."""

    #: The round is closed.
    ROUND_CLOSED = "round_closed"
    #: The person holds no role on this entry (not their unit's measure).
    NO_ROLE = "no_role"
    #: None of the person's roles ever takes this action.
    ROLE = "role"
    #: The person's roles take this action, but not in the entry's present state.
    STATE = "state"
    #: The deadline has passed and the entry was never submitted.
    PAST_DEADLINE = "past_deadline"
    #: Fields that are not part of the round's kind.
    KIND = "kind"
    #: Fields the action may not change (e.g. the text of an approved entry).
    FROZEN = "frozen"


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused: ``code`` for programs, ``message`` for the person."""

    code: ErrorCode
    reason: Reason
    message: str

    def __str__(self) -> str:
        return self.message

    @property
    def settled_before_the_version(self) -> bool:
        """A refusal that holds whatever version the person read (the round is closed;
        they hold no role on the entry). The services check the version the person read
        after these and before the others, so that a change made meanwhile is reported
        as such rather than as a refusal of the state it led to."""
        return self.reason in {Reason.ROUND_CLOSED, Reason.NO_ROLE}


Decision = Transition | Refusal


def _round_closed(round_: Round) -> Refusal:
    return Refusal(
        ErrorCode.ROUND_CLOSED,
        Reason.ROUND_CLOSED,
        gettext("The round of %(round)s is closed: its entries cannot change.") % {"round": round_},
    )


def _decide(
    roles: frozenset[Role],
    entry: Entry,
    action: Action | str,
    *,
    today: date,
    fields: Collection[str] = (),
) -> Decision:
    """The decision for someone holding ``roles`` on ``entry`` (the rules, in order)."""
    action = Action(action)
    round_ = entry.round
    if round_.state not in ROUND_STATES_TAKING_CHANGES:
        return _round_closed(round_)
    if not roles:
        return Refusal(
            ErrorCode.NOT_ALLOWED,
            Reason.NO_ROLE,
            gettext("You hold no role on this entry: it is not one of your unit's measures."),
        )
    transition = transition_for(entry.state, action, roles)
    if transition is None:
        if not any(t.action == action and t.role in roles for t in TRANSITIONS):
            return Refusal(
                ErrorCode.NOT_ALLOWED,
                Reason.ROLE,
                gettext("Your role does not allow you to %(action)s entries.") % {"action": action.label},
            )
        return Refusal(
            ErrorCode.NOT_ALLOWED,
            Reason.STATE,
            gettext("You cannot %(action)s an entry that is %(state)s.")
            % {"action": action.label, "state": state_label(entry.state, entry.version)},
        )
    if transition.deadline_bound and entry.submitted_at is None and round_.past_deadline(today):
        return Refusal(
            ErrorCode.PAST_DEADLINE,
            Reason.PAST_DEADLINE,
            gettext("The deadline of this round, %(deadline)s, has passed: ask the planning division.")
            % {"deadline": fiscal.date_label(round_.deadline)},
        )
    return fields_refusal(entry, transition, fields) or transition


def entry_decision(
    person: Any,
    entry: Entry,
    action: Action | str,
    *,
    fields: Collection[str] = (),
    today: date | None = None,
) -> Decision:
    """The transition ``person`` makes with ``action`` on ``entry`` now, or why not.
    ``fields`` are the content groups (``text``, ``ratings``, ``targets`` …) the action
    would change, when the caller knows them; ``today`` defaults to the site's date."""
    return _decide(
        entry_roles(person, entry), entry, action, today=today or timezone.localdate(), fields=fields
    )


def entry_decisions(person: Any, entry: Entry, *, today: date | None = None) -> dict[Action, Decision]:
    """``entry_decision`` for every action, the person's roles looked up once: what a page
    offers."""
    roles = entry_roles(person, entry)
    day = today or timezone.localdate()
    return {action: _decide(roles, entry, action, today=day) for action in Action}


def open_fields(entry: Entry, transition: Transition) -> frozenset[str]:
    """The content groups ``transition`` may change in ``entry``'s round: those of the
    round's kind that the transition does not freeze."""
    return frozenset(FIELDS_BY_KIND[entry.round.kind]) & (CONTENT_FIELDS - transition.frozen_fields)


def fields_refusal(
    entry: Entry, transition: Transition, fields: Collection[str] = (), *, asked: Collection[str] = ()
) -> Refusal | None:
    """Why ``transition`` may not change the content groups ``fields``, if it may not:
    a group that is not part of the round's kind, or one the transition freezes.
    ``asked`` are groups a person sent without changing them yet: only the kind is
    checked for those."""
    kind_fields = set(FIELDS_BY_KIND[entry.round.kind])
    outside = sorted((set(fields) | set(asked)) - kind_fields)
    if outside:
        return Refusal(
            ErrorCode.INVALID,
            Reason.KIND,
            gettext("These fields are not part of a %(kind)s round: %(fields)s.")
            % {"kind": entry.round.get_kind_display(), "fields": ", ".join(outside)},
        )
    frozen = sorted(set(fields) & transition.frozen_fields)
    if frozen:
        return Refusal(
            ErrorCode.NOT_ALLOWED,
            Reason.FROZEN,
            gettext("These fields cannot be changed now: %(fields)s.") % {"fields": ", ".join(frozen)},
        )
    return None


# ----------------------------------------------------------------------- the round


def administrator_refusal(person: Any) -> Refusal | None:
    """Why ``person`` may not manage rounds (open, publish, close them, change their
    deadline), if they may not: only the planning administrator does."""
    if can_manage_rounds(person):
        return None
    return Refusal(ErrorCode.NOT_ALLOWED, Reason.ROLE, gettext("Only a planning administrator may do this."))


def round_decision(person: Any, round_: Round, action: RoundAction | str) -> RoundTransition | Refusal:
    """The transition ``person`` makes with ``action`` on ``round_``, or why not: only the
    planning administrator manages rounds, and a closed round changes no more."""
    refusal = administrator_refusal(person)
    if refusal is not None:
        return refusal
    transition = round_allowed(round_.state, action)
    if transition is None:
        return Refusal(
            ErrorCode.ROUND_CLOSED,
            Reason.ROUND_CLOSED,
            gettext("The round of %(round)s is %(state)s: it cannot be changed.")
            % {"round": round_, "state": round_.get_state_display()},
        )
    return transition


def round_decisions(person: Any, round_: Round) -> dict[RoundAction, RoundTransition | Refusal]:
    """``round_decision`` for every action on the round: what its page offers."""
    return {action: round_decision(person, round_, action) for action in RoundAction}
