"""Writes of a round: open it (with its entries), publish its approved entries, change
its deadline, close it. Each asks ``review.decisions`` whether the actor may, and
writes one audit row per changed object."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinchoku.accounts.permissions import responsible_units_prefetch
from shinchoku.audit.models import EventType
from shinchoku.audit.selectors import audit_history
from shinchoku.audit.services import audit_record, audit_record_many, diff
from shinchoku.errors import ErrorCode
from shinchoku.follow.services import publication_recorded
from shinchoku.memo import memoized
from shinchoku.plans.models import Node, Plan, Section
from shinchoku.progress import amounts
from shinchoku.progress.models import Cost, Rating, Result, ResultSectionText, StaffRate, staff_cost_of
from shinchoku.published import changes as published
from shinchoku.review import notices
from shinchoku.review.content import (
    TEXT_FIELDS,
    FieldErrors,
    Frame,
    LevelFrame,
    Snapshot,
    cost_figures,
    frame_for,
    rating_reason_key,
    section_key,
    snapshot_of,
    snapshots_of,
    target_keys,
)
from shinchoku.review.decisions import Refusal, administrator_refusal, entry_decision, round_decision
from shinchoku.review.models import Action, Entry, EntryCost, EntryRating, EntrySectionText, Round
from shinchoku.review.services.entries import claim, with_state
from shinchoku.review.services.refusals import refuse, refused
from shinchoku.review.workflow import RoundAction

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _round_fields(round_: Round) -> dict[str, Any]:
    return {
        "plan": round_.plan.code,
        "fiscal_year": round_.fiscal_year,
        "kind": round_.kind,
        "deadline": round_.deadline.isoformat(),
        "state": round_.state,
        "published_at": round_.published_at.isoformat() if round_.published_at else None,
    }


@transaction.atomic
def round_open(plan: Plan, fiscal_year: int, kind: Round.Kind | str, deadline: date, *, actor: User) -> Round:
    """Open fiscal year ``fiscal_year``'s round of ``kind`` for ``plan``, with a draft entry
    for every node of a rated level. In a results round the entries start from the
    year's published result and ratings, if any; in a targets round they start empty."""
    refusal = administrator_refusal(actor)
    if refusal is not None:
        raise refused(refusal, actor=actor, subject=plan)
    now = timezone.now()
    round_ = Round(
        plan=plan,
        fiscal_year=fiscal_year,
        kind=kind,
        deadline=deadline,
        state=Round.State.OPEN,
        opened_by=actor,
        opened_at=now,
    )
    errors: FieldErrors = {}
    try:
        round_.full_clean(exclude=["opened_by"])
    except ValidationError as error:
        errors.update({name: list(messages) for name, messages in error.message_dict.items()})
    if isinstance(deadline, date) and deadline < timezone.localdate():
        errors.setdefault("deadline", []).append(_("The deadline must not be in the past."))
    nodes = list(Node.objects.filter(plan=plan, level__rated=True).order_by("outline"))
    if not nodes:
        errors.setdefault("__all__", []).append(_("The plan has no rated nodes: there is nothing to write."))
    if errors:
        raise refuse(
            ErrorCode.INVALID,
            _("The round cannot be opened: see the marked fields."),
            actor=actor,
            subject=plan,
            field_errors=errors,
        )
    round_.save()

    results: dict[int, Result] = {}
    if round_.kind == Round.Kind.RESULTS:
        results = {
            result.node_id: result
            for result in Result.objects.filter(node__in=nodes, fiscal_year=fiscal_year).prefetch_related(
                "ratings", "section_texts"
            )
        }
    entries = Entry.objects.bulk_create(
        [
            Entry(
                round=round_,
                node=node,
                updated_at=now,
                **(
                    {name: getattr(results[node.pk], name) for name in TEXT_FIELDS}
                    if node.pk in results
                    else {}
                ),
            )
            for node in nodes
        ]
    )
    if round_.kind == Round.Kind.RESULTS:
        _start_from_published(round_, entries, results)
    audit_record(
        actor=actor,
        event_type=EventType.ROUND_OPENED,
        subject=round_,
        changes=diff({}, _round_fields(round_)),
        details={"entries": len(entries)},
    )
    snapshots = []
    for entry, snapshot in zip(entries, snapshots_of(entries).values(), strict=True):
        changes = diff({}, {**snapshot, "state": entry.state})
        snapshots.append((entry, changes, snapshot, entry.version))
    audit_record_many(actor=actor, event_type=EventType.ENTRY_CREATED, items=snapshots)
    return round_


def _start_from_published(round_: Round, entries: list[Entry], results: dict[int, Result]) -> None:
    """Fill the new entries of a results round from what is published for the year: the
    ratings with their reasons, the texts of the level's own sections, and the actual
    cost (B only when it was given, not priced from the hours: left empty it is priced
    again when published)."""
    year = round_.fiscal_year
    # The plan's own year sections of its rated levels (a plan without sections of its
    # own has only the builtin ones, kept in the result's fields): one query.
    own_sections = set(
        Section.objects.filter(
            plan=round_.plan, level__rated=True, scope=Section.Scope.YEAR, builtin=Section.Builtin.NONE
        ).values_list("pk", flat=True)
    )
    costs = {
        cost.node_id: cost
        for cost in Cost.objects.filter(
            node_id__in=[entry.node_id for entry in entries], fiscal_year=year, basis=Cost.Basis.ACTUAL
        )
    }
    rate = StaffRate.objects.filter(plan=round_.plan, fiscal_year=year).values_list("hourly_cost", flat=True)
    hourly_cost = rate.first()
    EntryRating.objects.bulk_create(
        [
            EntryRating(
                entry=entry, dimension_id=rating.dimension_id, level_id=rating.level_id, reason=rating.reason
            )
            for entry in entries
            if entry.node_id in results
            for rating in results[entry.node_id].ratings.all()
        ]
    )
    EntrySectionText.objects.bulk_create(
        [
            EntrySectionText(entry=entry, section_id=text.section_id, text=text.text)
            for entry in entries
            if entry.node_id in results
            for text in results[entry.node_id].section_texts.all()
            if text.section_id in own_sections
        ]
    )
    entry_costs = []
    for entry in entries:
        cost = costs.get(entry.node_id)
        if cost is None:
            continue
        figures = {name: getattr(cost, name) for name in amounts.ENTERED_FIELDS}
        if figures["staff_cost"] == staff_cost_of(cost.staff_hours, hourly_cost):
            figures["staff_cost"] = None
        if any(value is not None for value in figures.values()):
            entry_costs.append(EntryCost(entry=entry, **figures))
    EntryCost.objects.bulk_create(entry_costs)


def _lock_round(round_: Round, action: RoundAction, *, actor: Any) -> tuple[Round, Round.State]:
    current = Round.objects.select_for_update(of=("self",)).select_related("plan").get(pk=round_.pk)
    decision = round_decision(actor, current, action)
    if isinstance(decision, Refusal):
        raise refused(decision, actor=actor, subject=current)
    return current, decision.next_state


def _round_change(
    round_: Round,
    values: Mapping[str, Any],
    event_type: EventType,
    *,
    actor: Any,
    details: Mapping[str, Any] | None = None,
) -> Round:
    """Set ``values`` on the locked round, save them and record the change."""
    before = _round_fields(round_)
    for name, value in values.items():
        setattr(round_, name, value)
    round_.save(update_fields=list(values))
    audit_record(
        actor=actor,
        event_type=event_type,
        subject=round_,
        changes=diff(before, _round_fields(round_)),
        details=details,
    )
    return round_


@transaction.atomic
def round_set_deadline(round_: Round, deadline: date, *, actor: User) -> Round:
    current, next_state = _lock_round(round_, RoundAction.SET_DEADLINE, actor=actor)
    if deadline < timezone.localdate():
        raise refuse(
            ErrorCode.INVALID,
            _("The deadline must not be in the past."),
            actor=actor,
            subject=current,
            field_errors={"deadline": [_("The deadline must not be in the past.")]},
        )
    if deadline == current.deadline:
        return current
    return _round_change(
        current, {"deadline": deadline, "state": next_state}, EventType.ROUND_DEADLINE_CHANGED, actor=actor
    )


@transaction.atomic
def round_close(round_: Round, *, actor: User) -> Round:
    """Close a round for good: its entries no longer change; what is published stays."""
    current, next_state = _lock_round(round_, RoundAction.CLOSE, actor=actor)
    return _round_change(current, {"state": next_state}, EventType.ROUND_CLOSED, actor=actor)


def _publish_results(entry: Entry, snapshot: Snapshot, frame: Frame) -> None:
    """Make the entry the node's published result for the round's year: its texts, its
    ratings with their reasons, its texts of the level's own sections, and its cost
    (``_publish_cost``)."""
    year = entry.round.fiscal_year
    result = Result.objects.filter(node_id=entry.node_id, fiscal_year=year).first() or Result(
        node=entry.node, fiscal_year=year
    )
    for name in TEXT_FIELDS:
        setattr(result, name, snapshot.get(name, ""))
    result.full_clean(validate_unique=False, validate_constraints=False)
    result.save()
    existing = {rating.dimension_id: rating for rating in Rating.objects.filter(result=result)}
    for dimension in frame.dimensions.values():
        code = snapshot.get(f"ratings.{dimension.key}")
        reason = snapshot.get(rating_reason_key(dimension.key), "")
        level = frame.level_by_code(dimension, code) if code is not None else None
        rating = existing.get(dimension.pk)
        if level is None:
            if rating is not None:
                rating.delete()
        elif rating is None:
            Rating.objects.create(result=result, dimension=dimension, level=level, reason=reason)
        elif (rating.level_id, rating.reason) != (level.pk, reason):
            rating.level = level
            rating.reason = reason
            rating.save(update_fields=["level", "reason"])
    texts = {text.section_id: text for text in ResultSectionText.objects.filter(result=result)}
    for key, section in frame.own_sections.items():
        written = snapshot.get(section_key(key), "")
        found = texts.get(section.pk)
        if not written:
            if found is not None:
                found.delete()
        elif found is None:
            ResultSectionText.objects.create(result=result, section=section, text=written)
        elif found.text != written:
            found.text = written
            found.save(update_fields=["text"])
    _publish_cost(entry, snapshot)


def _publish_cost(entry: Entry, snapshot: Snapshot) -> None:
    """Make the entry's cost figures the node's actual cost of the year (``Cost``, basis
    actual), B priced from the hours when it was left empty and the total computed.

    The rule for an entry without cost figures: the year's actual cost stays as it is
    (brought in by an import, say, and never part of this entry), unless the entry held
    figures at some version (it started from that cost, or the section entered one) and
    they were emptied since: then the section removed the cost, and it is deleted."""
    year = entry.round.fiscal_year
    figures = cost_figures(snapshot)
    cost = Cost.objects.filter(node_id=entry.node_id, fiscal_year=year, basis=Cost.Basis.ACTUAL).first()
    if not figures:
        if cost is not None and _held_cost(entry):
            cost.delete()
        return
    stored = cost
    cost = Cost(pk=stored.pk if stored else None, node=entry.node, fiscal_year=year, basis=Cost.Basis.ACTUAL)
    for name in amounts.ENTERED_FIELDS:
        setattr(cost, name, figures.get(name))
    cost.full_clean(validate_unique=False, validate_constraints=False)  # prices B, computes the total
    if stored is not None and all(
        getattr(stored, name) == getattr(cost, name) for name in (*amounts.ENTERED_FIELDS, "total_cost")
    ):
        return  # already so: publishing again writes nothing
    cost.save()


def _held_cost(entry: Entry) -> bool:
    """Whether the entry held cost figures at any version (its recorded snapshots)."""
    return any(
        any(key.startswith("costs.") for key in snapshot or {})
        for snapshot in audit_history(entry).values_list("snapshot", flat=True)
    )


def _publish_targets(entry: Entry, snapshot: Snapshot, frame: Frame) -> None:
    """Write the proposed revisions onto the node's targets."""
    for target_id, target in frame.targets.items():
        text_key, reason_key = target_keys(target_id)
        if text_key not in snapshot:
            continue
        target.revised_text = snapshot[text_key]
        target.revision_reason = snapshot.get(reason_key, "")
        target.full_clean()
        target.save(update_fields=["revised_text", "revision_reason"])


def _publish_entries(
    entries: list[Entry],
    decisions: list[Any],
    publish: Callable[[Entry, Snapshot, Frame], None],
    cache: dict[int, LevelFrame],
    *,
    actor: User,
) -> None:
    """Publish each approved entry (``round_publish``), with its audit row."""
    for entry, transition in zip(entries, decisions, strict=True):
        if isinstance(transition, Refusal):
            raise refused(transition, actor=actor, subject=entry)
        frame = frame_for(entry, cache)
        snapshot = snapshot_of(entry, frame)
        try:
            publish(entry, snapshot, frame)
        except ValidationError as error:
            raise refuse(
                ErrorCode.INVALID,
                _("%(node)s cannot be published: %(errors)s")
                % {"node": entry.node.code, "errors": "; ".join(error.messages)},
                actor=actor,
                subject=entry,
            ) from error
        version = claim(
            entry,
            entry.version,
            actor=actor,
            state=transition.next_state,
            published_version=entry.version + 1,
        )
        audit_record(
            actor=actor,
            event_type=EventType.ENTRY_PUBLISHED,
            subject=entry,
            changes=with_state({}, entry, transition),
            snapshot=snapshot,
            version=version,
        )


@transaction.atomic
def round_publish(round_: Round, *, actor: User) -> Round:
    """Publish every approved entry: its content becomes the node's ``Result`` and
    ``Rating`` rows for the year (or, in a targets round, its targets' revisions), which
    the public pages, the report and the exports read. Entries not approved stay as they
    are, and the public keeps seeing the node's last published result. Publishing again
    later carries the entries approved since."""
    current, next_state = _lock_round(round_, RoundAction.PUBLISH, actor=actor)
    entries = list(
        Entry.objects.select_for_update(of=("self",))
        .select_related("round__plan", "node__level")
        .filter(round=current, state=Entry.State.APPROVED)
        .order_by("node__path")
    )
    if not entries:
        raise refuse(
            ErrorCode.INVALID,
            _("No entry of this round is approved: there is nothing to publish."),
            actor=actor,
            subject=current,
        )
    cache: dict[int, LevelFrame] = {}
    publish = _publish_results if current.kind == Round.Kind.RESULTS else _publish_targets
    with memoized():
        responsible_units_prefetch(entry.node_id for entry in entries)
        decisions = [entry_decision(actor, entry, Action.PUBLISH) for entry in entries]
    with published.batch():
        # What the public reads of the published nodes is brought up to date once, here:
        # of a results round, the year's results (with their ratings and texts) and costs,
        # nothing of the other years; of a targets round, the targets.
        nodes = [entry.node_id for entry in entries]
        if current.kind == Round.Kind.RESULTS:
            for model in ("progress.result", "progress.cost"):
                published.plan_changed(current.plan_id, nodes=nodes, model=model, years=[current.fiscal_year])
        else:
            published.plan_changed(current.plan_id, nodes=nodes, model="progress.target")
        # What it makes public is recorded for the feeds and the mails of those who follow it.
        with publication_recorded(current, entries):
            _publish_entries(entries, decisions, publish, cache, actor=actor)
    _round_change(
        current,
        {"state": next_state, "published_at": timezone.now()},
        EventType.ROUND_PUBLISHED,
        actor=actor,
        details={"entries": len(entries), "nodes": [entry.node.code for entry in entries]},
    )
    notices.round_published(current, count=len(entries))
    return current
