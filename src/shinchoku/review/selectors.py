"""Reads for the staff pages: a section's to-do list, the reviewer's queue, the
administrator's dashboard and overdue list, an entry with its history. Each read that
names one entry checks that the user may see it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from shinchoku.accounts.permissions import editable_nodes, is_reviewer
from shinchoku.audit.models import AuditEvent
from shinchoku.audit.selectors import audit_history
from shinchoku.plans.models import Dimension, NodeUnit, OrgUnit, Plan, ScaleLevel
from shinchoku.progress.models import Target
from shinchoku.review.errors import ReviewError, ReviewErrorCode
from shinchoku.review.models import Comment, Entry, Round
from shinchoku.review.permissions import can_view_entry, entry_roles
from shinchoku.review.workflow import OUTSTANDING_STATES, ROUND_STATES_TAKING_CHANGES, Transition, actions_for


def round_list(plan: Plan | None = None) -> QuerySet[Round]:
    rounds = Round.objects.select_related("plan")
    return rounds.filter(plan=plan) if plan is not None else rounds


def _entries() -> QuerySet[Entry]:
    return Entry.objects.select_related("round__plan", "node__level", "updated_by")


def entry_get(user: Any, entry_id: int) -> Entry:
    """The entry, if ``user`` holds a role on it; Entry.DoesNotExist or a not_allowed
    ReviewError otherwise."""
    entry = _entries().get(pk=entry_id)
    if not can_view_entry(user, entry):
        raise ReviewError(
            ReviewErrorCode.NOT_ALLOWED,
            _("You hold no role on this entry: it is not one of your unit's measures."),
        )
    return entry


def entry_actions(user: Any, entry: Entry) -> list[Transition]:
    """The actions ``user`` may take on ``entry`` now, by the transition table (the round
    and the deadline are checked again when the action is taken)."""
    if entry.round.state not in ROUND_STATES_TAKING_CHANGES:
        return []
    return actions_for(entry.state, entry_roles(user, entry))


def editor_todo(user: Any) -> list[Entry]:
    """The entries ``user``'s units still have to write or fix, in rounds taking changes,
    with their comments; soonest deadline first."""
    return list(
        _entries()
        .filter(
            node__in=editable_nodes(user),
            state__in=OUTSTANDING_STATES,
            round__state__in=ROUND_STATES_TAKING_CHANGES,
        )
        .prefetch_related(Prefetch("comments", queryset=Comment.objects.select_related("author")))
        .order_by("round__deadline", "round__plan__code", "node__path")
    )


def review_queue(user: Any) -> list[Entry]:
    """Submitted entries waiting for a reviewer, longest waiting first; empty for others."""
    if not is_reviewer(user):
        return []
    return list(
        _entries()
        .filter(state=Entry.State.SUBMITTED, round__state__in=ROUND_STATES_TAKING_CHANGES)
        .order_by("submitted_at", "node__path")
    )


@dataclass(frozen=True)
class UnitProgress:
    """How far one responsible unit's entries of a round are (``unit`` None: nodes
    without a responsible unit). A node with two responsible units counts for each."""

    unit: OrgUnit | None
    not_started: int
    draft: int
    submitted: int
    returned: int
    approved: int
    published: int

    @property
    def total(self) -> int:
        return self.not_started + self.draft + self.submitted + self.returned + self.approved + self.published


def round_dashboard(round_: Round) -> list[UnitProgress]:
    """Per responsible unit, the counts of not started (a draft never changed) / draft /
    submitted / returned / approved / published entries. Three queries."""
    entries = list(Entry.objects.filter(round=round_).values_list("node_id", "state", "version"))
    units_of: dict[int, list[int | None]] = {}
    for node_id, unit_id in NodeUnit.objects.filter(
        node__entries__round=round_, role=NodeUnit.Role.RESPONSIBLE
    ).values_list("node_id", "unit_id"):
        units_of.setdefault(node_id, []).append(unit_id)
    counts: dict[int | None, Counter[str]] = {}
    for node_id, state, version in entries:
        column = "not_started" if state == Entry.State.DRAFT and version == 1 else state
        for owner in units_of.get(node_id, [None]):
            counts.setdefault(owner, Counter())[column] += 1
    units = OrgUnit.objects.in_bulk([unit_id for unit_id in counts if unit_id is not None])
    rows = [
        UnitProgress(
            unit=units.get(unit_id) if unit_id is not None else None,
            not_started=counter["not_started"],
            draft=counter[Entry.State.DRAFT],
            submitted=counter[Entry.State.SUBMITTED],
            returned=counter[Entry.State.RETURNED],
            approved=counter[Entry.State.APPROVED],
            published=counter[Entry.State.PUBLISHED],
        )
        for unit_id, counter in counts.items()
    ]
    return sorted(rows, key=lambda row: (row.unit is None, row.unit.code if row.unit else ""))


def overdue_entries(round_: Round, *, today: date) -> list[Entry]:
    """Entries still to be submitted (draft or returned) once the deadline has passed."""
    if not round_.past_deadline(today):
        return []
    return list(_entries().filter(round=round_, state__in=OUTSTANDING_STATES).order_by("node__path"))


# ------------------------------------------------------------------- history


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryItem:
    event: AuditEvent
    version: int | None
    actor: str
    at: datetime
    changes: list[FieldChange]
    #: The content could be restored from this event.
    restorable: bool


def _verbose_name(model: type[models.Model], name: str) -> str:
    """A field's name as a person reads it; the name itself for a field that no longer exists."""
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


class _Labels:
    """Names and values of an entry's fields as a person reads them."""

    def __init__(self, entry: Entry) -> None:
        node = entry.node
        self.dimensions = {
            d.key: d for d in Dimension.objects.filter(plan_id=node.plan_id, level_id=node.level_id)
        }
        self.levels = {
            (level.scale_id, level.code): level
            for level in ScaleLevel.objects.filter(
                scale_id__in={d.scale_id for d in self.dimensions.values()}
            )
        }
        self.targets = {str(t.pk): t for t in Target.objects.filter(node_id=node.pk)}

    def label(self, key: str) -> str:
        parts = key.split(".")
        if parts[0] == "ratings" and parts[1] in self.dimensions:
            return str(self.dimensions[parts[1]].name)
        if parts[0] == "targets" and len(parts) == 3 and parts[1] in self.targets:
            target = self.targets[parts[1]]
            return f"{target.period_label} {target.text[:30]} · {_verbose_name(Target, parts[2])}"
        return _verbose_name(Entry, key)

    def value(self, key: str, value: object) -> str:
        if value is None:
            return ""
        parts = key.split(".")
        if key == "state" and value in Entry.State.values:
            return str(Entry.State(str(value)).label)
        if parts[0] == "ratings" and parts[1] in self.dimensions:
            level = self.levels.get((self.dimensions[parts[1]].scale_id, str(value)))
            return str(level) if level is not None else str(value)
        return str(value)


def _field_changes(labels: _Labels, changes: dict[str, dict[str, Any]]) -> list[FieldChange]:
    return [
        FieldChange(
            field=key,
            label=labels.label(key),
            before=labels.value(key, change.get("before")),
            after=labels.value(key, change.get("after")),
        )
        for key, change in changes.items()
    ]


def field_changes(entry: Entry, changes: dict[str, dict[str, Any]]) -> list[FieldChange]:
    """``changes`` (of an audit row or a stale_version error's conflicts) as a person reads them."""
    return _field_changes(_Labels(entry), changes)


def conflict_changes(entry: Entry, error: ReviewError) -> list[FieldChange]:
    """What the other person changed, from a stale_version error, as a person reads it."""
    return field_changes(entry, {c.field: {"before": c.before, "after": c.after} for c in error.conflicts})


def entry_history(entry: Entry) -> list[HistoryItem]:
    """The entry's changes, oldest first, each with its field diff."""
    labels = _Labels(entry)
    return [
        HistoryItem(
            event=event,
            version=event.subject_version,
            actor=event.actor_name,
            at=event.created_at,
            changes=_field_changes(labels, event.changes),
            restorable=event.snapshot is not None,
        )
        for event in audit_history(entry)
    ]
