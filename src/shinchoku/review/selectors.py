"""Reads for the staff pages: a section's to-do list, the reviewer's queue, the
administrator's dashboard and overdue list, an entry with its history. Each read that
names one entry checks that the user may see it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shinchoku.accounts.models import Role
from shinchoku.accounts.permissions import editable_nodes, is_reviewer
from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.audit.selectors import audit_history
from shinchoku.errors import ErrorCode
from shinchoku.plans.models import Dimension, NodeUnit, OrgUnit, Plan
from shinchoku.plans.names import shown_label, shown_name
from shinchoku.plans.selectors import RatingView
from shinchoku.plans.selectors.common import rating_view
from shinchoku.progress import amounts
from shinchoku.progress.models import Cost, Rating, Result, Target
from shinchoku.review.content import (
    TEXT_FIELDS,
    TEXT_LABELS,
    Frame,
    frame_for,
    rating_parts,
    snapshot_of,
)
from shinchoku.review.decisions import (
    Reason,
    Refusal,
    entry_decisions,
    open_fields,
    round_decisions,
)
from shinchoku.review.diff import Side, text_diff
from shinchoku.review.errors import ReviewError
from shinchoku.review.models import NOT_STARTED, Action, Comment, Entry, Round
from shinchoku.review.permissions import can_view_entry
from shinchoku.review.workflow import (
    OUTSTANDING_STATES,
    ROUND_STATES_TAKING_CHANGES,
    RoundAction,
    Transition,
    progress_label,
    state_label,
)

#: Entries in the order the plan prints its measures: by each ancestor's order and code,
#: from the top (exact for measures up to three levels down, as plans are built).
DOCUMENT_ORDER: tuple[str, ...] = (
    "node__parent__parent__position",
    "node__parent__parent__code",
    "node__parent__position",
    "node__parent__code",
    "node__position",
    "node__code",
)


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
            ErrorCode.NOT_ALLOWED,
            _("You hold no role on this entry: it is not one of your unit's measures."),
        )
    return entry


#: The actions of the review form, in the order of its buttons.
REVIEW_ACTIONS: tuple[Action, ...] = (Action.RETURN, Action.APPROVE, Action.REOPEN)


@dataclass(frozen=True)
class EntryOffer:
    """What the entry page offers a person now, as ``decisions.entry_decisions`` answers
    it: the actions (its buttons), the content groups its form lets them change (none:
    the form is read only), and why they cannot save it. The page shows this and
    decides nothing; the services ask the same decision again when the action is taken."""

    transitions: tuple[Transition, ...]
    #: Content groups the form lets the person change (``text``, ``ratings``, ``targets`` …).
    editable: frozenset[str]
    #: Why the person cannot save the entry now; None when they can.
    save_refusal: Refusal | None

    @property
    def actions(self) -> frozenset[Action]:
        return frozenset(transition.action for transition in self.transitions)

    @property
    def can_submit(self) -> bool:
        return Action.SUBMIT in self.actions

    @property
    def can_restore(self) -> bool:
        return Action.RESTORE in self.actions

    @property
    def review_actions(self) -> list[Action]:
        return [action for action in REVIEW_ACTIONS if action in self.actions]

    @property
    def highlight_only(self) -> bool:
        """The planning division edits only the 主な実施結果 of an approved entry."""
        return self.editable == frozenset({"highlight"})

    @property
    def notice(self) -> Refusal | None:
        """The reason the page gives for its read-only form: the refusal to save, unless
        the person's role never writes entries (a reviewer reads them: nothing to explain)."""
        refusal = self.save_refusal
        return refusal if refusal is not None and refusal.reason != Reason.ROLE else None


def entry_offer(user: Any, entry: Entry, *, today: date | None = None) -> EntryOffer:
    """What ``user`` may do with ``entry`` now, for its page."""
    decisions = entry_decisions(user, entry, today=today)
    transitions = tuple(d for d in decisions.values() if isinstance(d, Transition))
    save = decisions[Action.SAVE]
    return EntryOffer(
        transitions=transitions,
        editable=open_fields(entry, save) if isinstance(save, Transition) else frozenset(),
        save_refusal=save if isinstance(save, Refusal) else None,
    )


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
        .order_by("round__deadline", "round__plan__code", *DOCUMENT_ORDER)
    )


def review_queue(user: Any) -> list[Entry]:
    """Submitted entries waiting for a reviewer, longest waiting first; empty for others."""
    if not is_reviewer(user):
        return []
    return list(
        _entries()
        .filter(state=Entry.State.SUBMITTED, round__state__in=ROUND_STATES_TAKING_CHANGES)
        .order_by("submitted_at", *DOCUMENT_ORDER)
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
        column = Entry.progress_of(state, version)
        for owner in units_of.get(node_id, [None]):
            counts.setdefault(owner, Counter())[column] += 1
    units = OrgUnit.objects.in_bulk([unit_id for unit_id in counts if unit_id is not None])
    rows = [
        UnitProgress(
            unit=units.get(unit_id) if unit_id is not None else None,
            not_started=counter[NOT_STARTED],
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
    return list(_entries().filter(round=round_, state__in=OUTSTANDING_STATES).order_by(*DOCUMENT_ORDER))


# ------------------------------------------------------------------- history


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str

    @property
    def lines(self) -> tuple[Side, Side]:
        """Before and after line by line, what differs marked by sentence and, inside a
        rewritten sentence, by character (``review.diff``)."""
        return text_diff(self.before, self.after)


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
        self.frame = frame_for(entry)
        self.dimensions = {d.key: d for d in self.frame.dimensions.values()}
        self.levels = {(level.scale_id, level.code): level for level in self.frame.levels.values()}
        self.targets = {str(t.pk): t for t in Target.objects.filter(node_id=node.pk)}
        self.slots = {slot.key: slot.label for slot in self.frame.text_slots()}
        self.unit = amounts.unit_label(self.frame.amount_unit)

    def label(self, key: str) -> str:
        parts = key.split(".")
        rating = rating_parts(key)
        if rating is not None and rating[0] in self.dimensions:
            name = shown_name(self.dimensions[rating[0]])
            return (
                gettext("Reason for the rating on %(dimension)s") % {"dimension": name} if rating[1] else name
            )
        if key in self.slots:
            return self.slots[key]
        if parts[0] == "sections":
            return parts[1]
        if parts[0] == "costs" and len(parts) == 2:
            label = _verbose_name(Cost, parts[1])
            return label if parts[1] in amounts.STAFF_FIELDS else f"{label}（{self.unit}）"
        if parts[0] == "targets" and len(parts) == 3 and parts[1] in self.targets:
            target = self.targets[parts[1]]
            return f"{target.period_label} {target.text[:30]} · {_verbose_name(Target, parts[2])}"
        if key in TEXT_LABELS:
            return str(TEXT_LABELS[key])
        return _verbose_name(Entry, key)

    def value(self, key: str, value: object, version: int | None = None) -> str:
        """``value`` of field ``key`` as a person reads it; a state is named as the pages
        name it at ``version`` (version 1 of a draft is "not started")."""
        if value is None:
            return ""
        parts = key.split(".")
        if key == "state" and value in Entry.State.values:
            return state_label(str(value), version) if version is not None else progress_label(str(value))
        if parts[0] == "costs" and len(parts) == 2 and value:
            return amounts.shown_figure(parts[1], str(value), amount_unit=self.frame.amount_unit)
        if parts[0] == "ratings" and len(parts) == 2 and parts[1] in self.dimensions:
            level = self.levels.get((self.dimensions[parts[1]].scale_id, str(value)))
            return f"{level.code} {shown_label(level)}" if level is not None else str(value)
        return str(value)


def _field_changes(
    labels: _Labels, changes: dict[str, dict[str, Any]], version: int | None = None
) -> list[FieldChange]:
    """The changes as a person reads them, made as ``version``; a change from nothing to an
    empty text is none."""
    found = [
        FieldChange(
            field=key,
            label=labels.label(key),
            before=labels.value(key, change.get("before"), version - 1 if version else None),
            after=labels.value(key, change.get("after"), version),
        )
        for key, change in changes.items()
    ]
    return [change for change in found if change.before != change.after]


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
            changes=_field_changes(labels, event.changes, event.subject_version),
            restorable=event.snapshot is not None,
        )
        for event in audit_history(entry)
    ]


@dataclass(frozen=True)
class SinceReturn:
    """What the section changed in an entry since a reviewer returned it."""

    #: The return: who, when, the version returned and the comment (its ``reason``).
    event: AuditEvent
    changes: list[FieldChange]


#: The events after which an entry goes back to the section; the latest of them says
#: whether the entry now in review comes back from a return.
_SENT_BACK = (EventType.ENTRY_RETURNED, EventType.ENTRY_REOPENED, EventType.ENTRY_APPROVED)


def _page_order(frame: Frame) -> Callable[[str], tuple[int, int, str]]:
    """Sort key of snapshot keys in the order the entry page shows the fields: the
    ratings by dimension, the texts, then the target revisions."""
    dimensions = {d.key: d.position for d in frame.dimensions.values()}
    slots = [slot.key for slot in frame.text_slots()]

    def key(name: str) -> tuple[int, int, str]:
        rating = rating_parts(name)
        if rating is not None:
            return 0, dimensions.get(rating[0], 0), name
        if name in slots:
            return 1, slots.index(name), name
        if name in TEXT_FIELDS:
            return 1, len(slots) + TEXT_FIELDS.index(name), name
        if name.startswith("costs."):
            figure = name.split(".", 1)[1]
            order = amounts.ENTERED_FIELDS
            return 2, order.index(figure) if figure in order else len(order), name
        return 3, 0, name

    return key


def changes_since_return(entry: Entry) -> SinceReturn | None:
    """For a submitted entry that a reviewer had returned (and that was not approved or
    reopened since): each field changed since the return, content as returned → as
    submitted, in the order of the page. None for any other entry. Four queries."""
    if entry.state != Entry.State.SUBMITTED:
        return None
    event = audit_history(entry).filter(event_type__in=_SENT_BACK).last()
    if event is None or event.event_type != EventType.ENTRY_RETURNED or event.snapshot is None:
        return None
    frame = frame_for(entry)
    returned: dict[str, Any] = dict(event.snapshot)
    now = snapshot_of(entry, frame)
    keys = sorted(returned.keys() | now.keys(), key=_page_order(frame))
    changes = {name: {"before": returned.get(name), "after": now.get(name)} for name in keys}
    return SinceReturn(event=event, changes=field_changes(entry, changes))


# ------------------------------------------------------------- staff pages


def editor_waiting(user: Any) -> list[Entry]:
    """The entries of ``user``'s units that are with the reviewers or approved, in rounds
    still taking changes: what the section has handed in."""
    return list(
        _entries()
        .filter(
            node__in=editable_nodes(user),
            state__in=[Entry.State.SUBMITTED, Entry.State.APPROVED],
            round__state__in=ROUND_STATES_TAKING_CHANGES,
        )
        .order_by("round__deadline", "round__plan__code", *DOCUMENT_ORDER)
    )


class RoundStatusKey(StrEnum):
    """What a round's state badge says, from the round and its entries."""

    OPEN = "open"
    PARTLY_PUBLISHED = "partly_published"
    PUBLISHED = "published"
    CLOSED = "closed"


@dataclass(frozen=True)
class RoundStatus:
    """A round's state as the pages show it: a round of which only some entries are
    published says so, with how many, rather than "published"."""

    key: RoundStatusKey
    label: str
    published: int
    total: int
    not_started: int
    #: Approved entries, ready to publish.
    approved: int


def round_status(round_: Round, counts: Mapping[str, int]) -> RoundStatus:
    """The status of ``round_`` whose entries are counted by column (``Entry.progress_of``)."""
    total = sum(counts.values())
    published = counts.get(Entry.State.PUBLISHED, 0)
    if round_.state == Round.State.CLOSED:
        key, label = RoundStatusKey.CLOSED, str(Round.State.CLOSED.label)
    elif published and published == total:
        key, label = RoundStatusKey.PUBLISHED, str(Round.State.PUBLISHED.label)
    elif published:
        key = RoundStatusKey.PARTLY_PUBLISHED
        label = gettext("partly published (%(published)s of %(total)s)") % {
            "published": published,
            "total": total,
        }
    else:
        key, label = RoundStatusKey.OPEN, str(Round.State.OPEN.label)
    return RoundStatus(
        key=key,
        label=label,
        published=published,
        total=total,
        not_started=counts.get(NOT_STARTED, 0),
        approved=counts.get(Entry.State.APPROVED, 0),
    )


@dataclass(frozen=True)
class RoundSummary:
    round: Round
    #: Entry counts by column: not_started, draft, submitted, returned, approved, published.
    counts: dict[str, int]
    total: int
    overdue: int
    status: RoundStatus


def _round_counts(rounds: list[Round]) -> dict[int, Counter[str]]:
    """The entries of each round counted by column (``Entry.progress_of``). One query."""
    counts: dict[int, Counter[str]] = {round_.pk: Counter() for round_ in rounds}
    for round_id, state, changed, number in (
        Entry.objects.filter(round__in=rounds)
        .annotate(changed=models.Case(models.When(version=1, then=False), default=True))
        .values_list("round_id", "state", "changed")
        .annotate(number=models.Count("id"))
        .order_by()
    ):
        column = Entry.progress_of(state, 2 if changed else 1)
        counts[round_id][column] += number
    return counts


def _round_summary(round_: Round, counts: Counter[str], today: date) -> RoundSummary:
    return RoundSummary(
        round=round_,
        counts=dict(counts),
        total=sum(counts.values()),
        overdue=(
            sum(counts[state] for state in (NOT_STARTED, *OUTSTANDING_STATES))
            if round_.past_deadline(today) and round_.state in ROUND_STATES_TAKING_CHANGES
            else 0
        ),
        status=round_status(round_, counts),
    )


def round_summaries(*, today: date) -> list[RoundSummary]:
    """Every round with the count of its entries per state; newest first. Two queries."""
    rounds = list(Round.objects.select_related("plan").order_by("-fiscal_year", "plan__code", "kind"))
    counts = _round_counts(rounds)
    return [_round_summary(round_, counts[round_.pk], today) for round_ in rounds]


def round_summary(round_: Round, *, today: date) -> RoundSummary:
    """One round with the count of its entries per state. One query."""
    return _round_summary(round_, _round_counts([round_])[round_.pk], today)


@dataclass(frozen=True)
class PublishPreview:
    """What publishing a round would do: the approved entries it would publish, and the
    round's entries as they stand."""

    summary: RoundSummary
    entries: list[Entry]

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def left(self) -> int:
        """Entries publishing leaves as they are (not approved, or published before)."""
        return self.summary.total - self.summary.counts.get(Entry.State.PUBLISHED, 0) - self.count


def publish_preview(round_: Round, *, today: date) -> PublishPreview:
    """The approved entries of ``round_`` in plan order, with the round's counts."""
    return PublishPreview(
        summary=round_summary(round_, today=today),
        entries=list(_entries().filter(round=round_, state=Entry.State.APPROVED).order_by(*DOCUMENT_ORDER)),
    )


def round_get(round_id: int) -> Round:
    return Round.objects.select_related("plan", "opened_by").get(pk=round_id)


def round_offers(user: Any, round_: Round) -> frozenset[RoundAction]:
    """The actions on ``round_`` its page offers ``user`` (``decisions.round_decisions``)."""
    return frozenset(
        action
        for action, decision in round_decisions(user, round_).items()
        if not isinstance(decision, Refusal)
    )


#: The filters of a round's entry list: "not_started" and the entry states.
ENTRY_FILTERS: tuple[str, ...] = (NOT_STARTED, *Entry.State.values)


def round_entries(round_: Round, *, state: str = "", unit_id: int | None = None) -> QuerySet[Entry]:
    """A round's entries in plan order, optionally only those in ``state`` (or
    "not_started") and those a unit is responsible for."""
    entries = _entries().filter(round=round_).order_by(*DOCUMENT_ORDER)
    if state == NOT_STARTED:
        entries = entries.filter(state=Entry.State.DRAFT, version=1)
    elif state == Entry.State.DRAFT:
        entries = entries.filter(state=state, version__gt=1)
    elif state in Entry.State.values:
        entries = entries.filter(state=state)
    if unit_id is not None:
        entries = entries.filter(
            node__unit_roles__unit_id=unit_id, node__unit_roles__role=NodeUnit.Role.RESPONSIBLE
        )
    return entries


def unit_choices(round_: Round) -> list[OrgUnit]:
    """The units responsible for some entry of the round."""
    return list(
        OrgUnit.objects.filter(
            node_roles__role=NodeUnit.Role.RESPONSIBLE, node_roles__node__entries__round=round_
        )
        .distinct()
        .order_by("code")
    )


@dataclass(frozen=True)
class YearTarget:
    """A target of the measure that covers the round's year."""

    target: Target
    period_label: str


@dataclass(frozen=True)
class PreviousResult:
    """The measure's published result of the year before the round's."""

    fiscal_year: int
    result: Result | None
    #: One per dimension of the measure's level, in their order; not rated ones too.
    ratings: tuple[RatingView, ...]


@dataclass(frozen=True)
class EntryPage:
    """What the entry page shows beside the form."""

    entry: Entry
    units: list[str]
    targets: list[YearTarget]
    previous: PreviousResult
    comments: list[Comment]
    #: The published result of the round's year, when one was published before this
    #: round (the entry started from it) or by it.
    published: Result | None


def entry_page(entry: Entry) -> EntryPage:
    node = entry.node
    year = entry.round.fiscal_year
    targets = [
        YearTarget(target=target, period_label=target.period_label)
        for target in Target.objects.filter(node=node)
        .covering(year)
        .order_by("row", "start_year", "position", "pk")
    ]
    dimensions = list(
        Dimension.objects.filter(plan_id=node.plan_id, level_id=node.level_id)
        .select_related("scale")
        .order_by("position", "key")
    )
    results = {
        result.fiscal_year: result
        for result in Result.objects.filter(node=node, fiscal_year__in=[year - 1, year]).prefetch_related(
            Prefetch("ratings", queryset=Rating.objects.select_related("level"))
        )
    }
    previous = results.get(year - 1)
    by_dimension = {rating.dimension_id: rating for rating in previous.ratings.all()} if previous else {}
    units = [
        role.unit.name
        for role in NodeUnit.objects.filter(node=node, role=NodeUnit.Role.RESPONSIBLE)
        .select_related("unit")
        .order_by("unit__code")
    ]
    return EntryPage(
        entry=entry,
        units=units,
        targets=targets,
        previous=PreviousResult(
            fiscal_year=year - 1,
            result=previous,
            ratings=tuple(rating_view(dimension, by_dimension.get(dimension.pk)) for dimension in dimensions),
        ),
        comments=list(entry.comments.select_related("author").order_by("created_at", "id")),
        published=results.get(year) if entry.round.kind == Round.Kind.RESULTS else None,
    )


def history_event(entry: Entry, event_id: int) -> AuditEvent:
    """One of the entry's audit rows; AuditEvent.DoesNotExist if it is not the entry's."""
    return audit_history(entry).get(pk=event_id)


def workbook_choices(user: Any) -> list[tuple[Round, OrgUnit]]:
    """The entry workbooks ``user`` may download: each results round taking changes, for
    each unit they are an editor of."""
    units = list(
        OrgUnit.objects.filter(staff_roles__user=user, staff_roles__role=Role.EDITOR)
        .distinct()
        .order_by("code")
    )
    if not units:
        return []
    rounds = Round.objects.filter(
        state__in=ROUND_STATES_TAKING_CHANGES, kind=Round.Kind.RESULTS
    ).select_related("plan")
    return [(round_, unit) for round_ in rounds.order_by("-fiscal_year", "plan__code") for unit in units]
