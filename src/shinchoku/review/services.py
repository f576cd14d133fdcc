"""Writes of the evaluation round: open, write, review, publish, reopen, restore.

Every function takes the acting user as the keyword ``actor``, runs in one
transaction, checks the actor's role and the transition table
(``workflow.TRANSITIONS``), validates, writes one audit row per changed object
(``shinchoku.audit``), and sends its mail only once the transaction commits. A refusal
raises ``ReviewError``, is logged on the ``shinchoku.review`` logger, and changes nothing.

Entries are made up front: opening a round makes a draft entry for every node of a
rated level, filled in from the year's published result if there is one, so that the
dashboard can count "not started" entries and every entry's history starts at version 1.

No lost updates: each change to an entry is one conditional UPDATE
``… SET version = version + 1 WHERE id = … AND version = <the version the writer
read>``. Of two people who read the same version, the second one's UPDATE matches no
row (PostgreSQL re-checks the condition after the first commits), and they get a
``stale_version`` error naming the fields the other changed.

An entry's content is handled as a flat *snapshot* (``shinchoku.review.content``).
The audit rows keep the snapshot after each change, which is what the history shows
and ``entry_restore`` restores.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shinchoku import fiscal
from shinchoku import text as text_utils
from shinchoku.accounts.models import Role
from shinchoku.accounts.permissions import node_editor_ids
from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.audit.selectors import audit_history
from shinchoku.audit.services import Changes, audit_record, audit_record_many, diff
from shinchoku.plans.models import Dimension, Node, Plan, ScaleLevel
from shinchoku.progress.models import Rating, Result
from shinchoku.review import notices
from shinchoku.review.content import (
    TEXT_FIELDS,
    EntryData,
    FieldErrors,
    Frame,
    Snapshot,
    apply_data,
    field_group,
    frame_for,
    from_snapshot,
    incomplete,
    snapshot_of,
    snapshots_of,
    store,
    target_keys,
)
from shinchoku.review.errors import Conflict, ReviewError, ReviewErrorCode
from shinchoku.review.models import Action, Comment, DeadlineNotice, Entry, EntryRating, Round
from shinchoku.review.permissions import can_manage_rounds, entry_roles
from shinchoku.review.workflow import (
    FIELDS_BY_KIND,
    OUTSTANDING_STATES,
    ROUND_STATES_TAKING_CHANGES,
    RoundAction,
    Transition,
    allowed,
    round_allowed,
    state_label,
    transition_for,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger("shinchoku.review")

#: Days before the deadline from which the reminder is sent.
DEADLINE_NOTICE_DAYS = 3

EVENT_TYPES: dict[str, EventType] = {
    Action.SAVE: EventType.ENTRY_SAVED,
    Action.SUBMIT: EventType.ENTRY_SUBMITTED,
    Action.RETURN: EventType.ENTRY_RETURNED,
    Action.APPROVE: EventType.ENTRY_APPROVED,
    Action.REOPEN: EventType.ENTRY_REOPENED,
    Action.RESTORE: EventType.ENTRY_RESTORED,
    Action.PUBLISH: EventType.ENTRY_PUBLISHED,
}


# ------------------------------------------------------------------ refusals


def _refuse(
    code: ReviewErrorCode,
    message: str | Promise,
    *,
    actor: Any,
    subject: object,
    field_errors: Mapping[str, list[str | Promise]] | None = None,
    conflicts: tuple[Conflict, ...] = (),
    current_version: int | None = None,
) -> ReviewError:
    """The error to raise, logged: who was refused what, and why."""
    error = ReviewError(
        code, message, field_errors=field_errors, conflicts=conflicts, current_version=current_version
    )
    logger.warning(
        "refused %s on %s by %s: %s%s",
        code,
        subject,
        actor.get_username() if getattr(actor, "is_authenticated", False) else "anonymous",
        error,
        f" {error.field_errors}" if error.field_errors else "",
        extra={"review_error_code": str(code)},
    )
    return error


def _stale(entry: Entry, expected_version: int, *, actor: Any) -> ReviewError:
    """A stale_version error naming what was changed after ``expected_version``."""
    merged: dict[str, list[Any]] = {}
    for event in audit_history(entry).filter(subject_version__gt=expected_version):
        for name, change in event.changes.items():
            if name not in merged:
                merged[name] = [change.get("before"), change.get("after"), [], event.created_at]
            item = merged[name]
            item[1] = change.get("after")
            item[3] = event.created_at
            if event.actor_name not in item[2]:
                item[2].append(event.actor_name)
    conflicts = tuple(
        Conflict(field=name, before=before, after=after, by=tuple(by), at=at)
        for name, (before, after, by, at) in merged.items()
        if before != after
    )
    current = Entry.objects.filter(pk=entry.pk).values_list("version", flat=True).first()
    return _refuse(
        ReviewErrorCode.STALE_VERSION,
        _(
            "Someone else changed this entry after you opened it (you had version %(yours)s; "
            "it is now version %(current)s). Nothing of yours was saved: look at their "
            "changes, then make yours again."
        )
        % {"yours": expected_version, "current": current},
        actor=actor,
        subject=entry,
        conflicts=conflicts,
        current_version=current,
    )


#: What a refusal of invalid input says, by the action refused: the action that failed,
#: not only that the entry could not be saved.
INVALID_MESSAGES: dict[Action, Promise] = {
    Action.SAVE: _("The entry could not be saved: see the marked fields."),
    Action.SUBMIT: _("The entry could not be submitted: see the marked fields."),
    Action.RETURN: _("The entry could not be returned to the section: see the marked fields."),
    Action.APPROVE: _("The entry could not be approved: see the marked fields."),
    Action.REOPEN: _("The entry could not be reopened: see the marked fields."),
    Action.RESTORE: _("The earlier version could not be restored:"),
}


def _invalid(
    errors: Mapping[str, list[str | Promise]], *, action: Action, actor: Any, subject: object
) -> ReviewError:
    return _refuse(
        ReviewErrorCode.INVALID,
        INVALID_MESSAGES[action],
        actor=actor,
        subject=subject,
        field_errors=errors,
    )


# ------------------------------------------------------------ entry internals


def _load(entry_id: int) -> Entry:
    return Entry.objects.select_related("round__plan", "node__level").get(pk=entry_id)


def _authorise(entry: Entry, action: Action, *, actor: Any, expected_version: int | None) -> Transition:
    """The transition ``actor`` makes with ``action``, or a refusal: the round no longer
    takes changes; no role on the entry; a stale version; the table does not allow it;
    past the deadline."""
    if entry.round.state not in ROUND_STATES_TAKING_CHANGES:
        raise _refuse(
            ReviewErrorCode.ROUND_CLOSED,
            _("The round of %(round)s is closed: its entries cannot change.") % {"round": entry.round},
            actor=actor,
            subject=entry,
        )
    roles = entry_roles(actor, entry)
    if not roles:
        raise _refuse(
            ReviewErrorCode.NOT_ALLOWED,
            _("You hold no role on this entry: it is not one of your unit's measures."),
            actor=actor,
            subject=entry,
        )
    if expected_version is not None and entry.version != expected_version:
        raise _stale(entry, expected_version, actor=actor)
    transition = transition_for(entry.state, action, roles)
    if transition is None:
        raise _refuse(
            ReviewErrorCode.NOT_ALLOWED,
            _("You cannot %(action)s an entry that is %(state)s.")
            % {"action": Action(action).label, "state": state_label(entry.state, entry.version)},
            actor=actor,
            subject=entry,
        )
    if (
        transition.deadline_bound
        and entry.submitted_at is None
        and entry.round.past_deadline(timezone.localdate())
    ):
        raise _refuse(
            ReviewErrorCode.PAST_DEADLINE,
            _("The deadline of this round, %(deadline)s, has passed: ask the planning division.")
            % {"deadline": fiscal.date_label(entry.round.deadline)},
            actor=actor,
            subject=entry,
        )
    return transition


def _claim(entry: Entry, expected_version: int, *, actor: Any, **values: Any) -> int:
    """Write ``values`` and the next version, only if the entry is still at
    ``expected_version``. The new version; stale_version if another change came first."""
    updated = Entry.objects.filter(pk=entry.pk, version=expected_version).update(
        version=F("version") + 1, updated_by=actor, updated_at=timezone.now(), **values
    )
    if updated != 1:
        raise _stale(entry, expected_version, actor=actor)
    return expected_version + 1


def _with_state(changes: Changes, entry: Entry, transition: Transition) -> Changes:
    if entry.state != transition.next_state:
        changes = {**changes, "state": {"before": entry.state, "after": str(transition.next_state)}}
    return changes


def _write(
    entry: Entry,
    transition: Transition,
    *,
    actor: Any,
    expected_version: int,
    before: Snapshot,
    after: Snapshot,
    frame: Frame,
    reason: str = "",
    details: Mapping[str, Any] | None = None,
    values: Mapping[str, Any] | None = None,
    reload: bool = True,
) -> Entry | None:
    """Write a change of content and state as one new version with its audit row; None
    (and nothing written) when nothing would change. The entry as written is read back
    unless ``reload`` is false (then the entry given is returned)."""
    changes = _with_state(diff(before, after), entry, transition)
    if not changes:
        return None
    frozen = sorted({field_group(name) for name in changes} & transition.frozen_fields)
    if frozen:
        raise _refuse(
            ReviewErrorCode.NOT_ALLOWED,
            _("These fields cannot be changed now: %(fields)s.") % {"fields": ", ".join(frozen)},
            actor=actor,
            subject=entry,
        )
    text_values = {
        name: after.get(name, "") for name in TEXT_FIELDS if name in FIELDS_BY_KIND[entry.round.kind]
    }
    version = _claim(
        entry, expected_version, actor=actor, state=transition.next_state, **text_values, **(values or {})
    )
    store(entry, before, after, frame)
    audit_record(
        actor=actor,
        event_type=EVENT_TYPES[transition.action],
        subject=entry,
        changes=changes,
        snapshot=after,
        version=version,
        reason=reason,
        details=details,
    )
    return _load(entry.pk) if reload else entry


# ------------------------------------------------------------------- entries


@transaction.atomic
def entry_save(
    entry: Entry, data: EntryData | Mapping[str, Any], *, actor: User, expected_version: int
) -> Entry:
    """Save changes to an entry's content (the keys of ``data``; others stay). An editor
    saves a draft or a returned entry (which becomes a draft again); the administrator may
    change an approved entry's highlight. Saving nothing new writes nothing."""
    current = _load(entry.pk)
    written = _save(current, data, actor=actor, expected_version=expected_version, before=None, reload=True)
    return written or current


def _save(
    current: Entry,
    data: EntryData | Mapping[str, Any],
    *,
    actor: Any,
    expected_version: int,
    before: Snapshot | None,
    reload: bool,
) -> Entry | None:
    """Check and write one save of ``current`` (as read in this transaction); ``before``
    is its snapshot when the caller has it already."""
    transition = _authorise(current, Action.SAVE, actor=actor, expected_version=expected_version)
    frame = frame_for(current)
    if before is None:
        before = snapshot_of(current, frame)
    after, errors = apply_data(current, before, data, frame)
    if errors:
        raise _invalid(errors, action=Action.SAVE, actor=actor, subject=current)
    return _write(
        current,
        transition,
        actor=actor,
        expected_version=expected_version,
        before=before,
        after=after,
        frame=frame,
        reload=reload,
    )


@transaction.atomic
def entry_transition(
    entry: Entry,
    action: Action | str,
    *,
    actor: User,
    expected_version: int,
    comment: str = "",
) -> Entry:
    """Submit, return, approve or reopen an entry, as the transition table allows.
    A return needs a comment, a reopening a reason; a submission needs a complete entry
    (the result, a rating on every dimension, the context change and the response when
    a rating is on its scale's adverse side, a reason for every revised target)."""
    action = Action(action)
    if action not in {Action.SUBMIT, Action.RETURN, Action.APPROVE, Action.REOPEN}:
        raise ValueError(f"{action} has its own service")
    current = _load(entry.pk)
    transition = _authorise(current, action, actor=actor, expected_version=expected_version)
    comment = text_utils.normalize(comment)
    if transition.comment_required and not comment:
        message = _("A reason is required.") if action == Action.REOPEN else _("A comment is required.")
        raise _invalid({"comment": [message]}, action=action, actor=actor, subject=current)
    frame = frame_for(current)
    snapshot = snapshot_of(current, frame)
    if transition.requires_complete:
        errors = incomplete(current, snapshot, frame)
        if errors:
            raise _invalid(errors, action=action, actor=actor, subject=current)
    now = timezone.now()
    values = {"submitted_at": now} if action == Action.SUBMIT else {}
    written = _write(
        current,
        transition,
        actor=actor,
        expected_version=expected_version,
        before=snapshot,
        after=snapshot,
        frame=frame,
        reason=comment,
        values=values,
    )
    assert written is not None  # every one of these actions changes the state
    if comment:
        Comment.objects.create(entry=written, author=actor, action=action, text=comment, created_at=now)
    if action == Action.RETURN:
        notices.entry_returned(written, actor=actor, comment=comment)
    elif action == Action.APPROVE:
        notices.entry_approved(written, actor=actor)
    return written


@transaction.atomic
def entries_save(items: Sequence[tuple[Entry, EntryData | Mapping[str, Any], int]], *, actor: User) -> int:
    """``entry_save`` for many entries at once (an imported workbook): each item is an
    entry, its data and the version the writer read. The same checks, each refusal
    undoing them all; the entries are read and compared in a fixed number of queries,
    so that each save costs its own writes only. The number of entries changed."""
    ids = [entry.pk for entry, _data, _version in items]
    current = {
        entry.pk: entry
        for entry in Entry.objects.select_related("round__plan", "node__level").filter(pk__in=ids)
    }
    snapshots = snapshots_of(list(current.values()))
    changed = 0
    for entry, data, expected_version in items:
        found = current[entry.pk]
        written = _save(
            found,
            data,
            actor=actor,
            expected_version=expected_version,
            before=snapshots[found.pk],
            reload=False,
        )
        changed += written is not None
    return changed


@transaction.atomic
def entry_save_and_submit(
    entry: Entry,
    data: EntryData | Mapping[str, Any],
    *,
    actor: User,
    expected_version: int,
    comment: str = "",
) -> Entry:
    """Save the form and submit it, as one change: if the submission is refused (an
    incomplete entry), the save is not kept either, and the person keeps their text.
    Input refused by the save is refused as a submission, the action the person took."""
    try:
        saved = entry_save(entry, data, actor=actor, expected_version=expected_version)
    except ReviewError as error:
        if error.code != ReviewErrorCode.INVALID:
            raise
        raise ReviewError(
            error.code, INVALID_MESSAGES[Action.SUBMIT], field_errors=error.field_errors
        ) from error
    return entry_transition(
        saved, Action.SUBMIT, actor=actor, expected_version=saved.version, comment=comment
    )


@transaction.atomic
def entry_restore(
    entry: Entry, event: AuditEvent, *, actor: User, expected_version: int, reason: str = ""
) -> Entry:
    """Restore the content an entry had after ``event`` (one of its audit rows), as a
    new version. The administrator restores into a draft or returned entry; an approved
    or published one is reopened first."""
    current = _load(entry.pk)
    transition = _authorise(current, Action.RESTORE, actor=actor, expected_version=expected_version)
    if (
        event.subject_type_id != ContentType.objects.get_for_model(Entry).pk
        or event.subject_id != current.pk
        or event.snapshot is None
    ):
        raise _invalid(
            {"event": [_("This is not an earlier version of the entry.")]},
            action=Action.RESTORE,
            actor=actor,
            subject=current,
        )
    frame = frame_for(current)
    before = snapshot_of(current, frame)
    after, errors = from_snapshot(current, event.snapshot, frame)
    if errors:
        raise _invalid(errors, action=Action.RESTORE, actor=actor, subject=current)
    written = _write(
        current,
        transition,
        actor=actor,
        expected_version=expected_version,
        before=before,
        after=after,
        frame=frame,
        reason=text_utils.normalize(reason),
        details={"restored_version": event.subject_version, "restored_event": event.pk},
    )
    return written or current


# -------------------------------------------------------------------- rounds


def _require_administrator(actor: Any, subject: object) -> None:
    if not can_manage_rounds(actor):
        raise _refuse(
            ReviewErrorCode.NOT_ALLOWED,
            _("Only a planning administrator may do this."),
            actor=actor,
            subject=subject,
        )


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
    _require_administrator(actor, plan)
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
    nodes = list(Node.objects.filter(plan=plan, level__rated=True).order_by("path"))
    if not nodes:
        errors.setdefault("__all__", []).append(_("The plan has no rated nodes: there is nothing to write."))
    if errors:
        raise _refuse(
            ReviewErrorCode.INVALID,
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
                "ratings__dimension", "ratings__level"
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
    EntryRating.objects.bulk_create(
        [
            EntryRating(entry=entry, dimension_id=rating.dimension_id, level_id=rating.level_id)
            for entry in entries
            if entry.node_id in results
            for rating in results[entry.node_id].ratings.all()
        ]
    )
    audit_record(
        actor=actor,
        event_type=EventType.ROUND_OPENED,
        subject=round_,
        changes=diff({}, _round_fields(round_)),
        details={"entries": len(entries)},
    )
    snapshots = []
    for entry in entries:
        snapshot: Snapshot = {
            name: getattr(entry, name) for name in FIELDS_BY_KIND[round_.kind] if name in TEXT_FIELDS
        }
        if entry.node_id in results:
            for rating in results[entry.node_id].ratings.all():
                snapshot[f"ratings.{rating.dimension.key}"] = rating.level.code
        changes = diff({}, {**snapshot, "state": entry.state})
        snapshots.append((entry, changes, snapshot, entry.version))
    audit_record_many(actor=actor, event_type=EventType.ENTRY_CREATED, items=snapshots)
    return round_


def _lock_round(round_: Round, action: RoundAction, *, actor: Any) -> tuple[Round, Round.State]:
    current = Round.objects.select_for_update(of=("self",)).select_related("plan").get(pk=round_.pk)
    _require_administrator(actor, current)
    transition = round_allowed(current.state, action)
    if transition is None:
        raise _refuse(
            ReviewErrorCode.ROUND_CLOSED,
            _("The round of %(round)s is %(state)s: it cannot be changed.")
            % {"round": current, "state": current.get_state_display()},
            actor=actor,
            subject=current,
        )
    return current, transition.next_state


@transaction.atomic
def round_set_deadline(round_: Round, deadline: date, *, actor: User) -> Round:
    current, next_state = _lock_round(round_, RoundAction.SET_DEADLINE, actor=actor)
    if deadline < timezone.localdate():
        raise _refuse(
            ReviewErrorCode.INVALID,
            _("The deadline must not be in the past."),
            actor=actor,
            subject=current,
            field_errors={"deadline": [_("The deadline must not be in the past.")]},
        )
    if deadline == current.deadline:
        return current
    before = _round_fields(current)
    current.deadline = deadline
    current.state = next_state
    current.save(update_fields=["deadline", "state"])
    audit_record(
        actor=actor,
        event_type=EventType.ROUND_DEADLINE_CHANGED,
        subject=current,
        changes=diff(before, _round_fields(current)),
    )
    return current


@transaction.atomic
def round_close(round_: Round, *, actor: User) -> Round:
    """Close a round for good: its entries no longer change; what is published stays."""
    current, next_state = _lock_round(round_, RoundAction.CLOSE, actor=actor)
    before = _round_fields(current)
    current.state = next_state
    current.save(update_fields=["state"])
    audit_record(
        actor=actor,
        event_type=EventType.ROUND_CLOSED,
        subject=current,
        changes=diff(before, _round_fields(current)),
    )
    return current


def _publish_results(entry: Entry, snapshot: Snapshot, frame: Frame) -> None:
    """Make the entry the node's published result and ratings for the round's year."""
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
        level = frame.level_by_code(dimension, code) if code is not None else None
        rating = existing.get(dimension.pk)
        if level is None:
            if rating is not None:
                rating.delete()
        elif rating is None:
            Rating.objects.create(result=result, dimension=dimension, level=level)
        elif rating.level_id != level.pk:
            rating.level = level
            rating.save(update_fields=["level"])


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
        raise _refuse(
            ReviewErrorCode.INVALID,
            _("No entry of this round is approved: there is nothing to publish."),
            actor=actor,
            subject=current,
        )
    cache: dict[int, tuple[dict[int, Dimension], dict[int, ScaleLevel]]] = {}
    publish = _publish_results if current.kind == Round.Kind.RESULTS else _publish_targets
    for entry in entries:
        transition = allowed(entry.state, Action.PUBLISH, Role.ADMINISTRATOR)
        assert transition is not None  # approved entries are published by the administrator
        frame = frame_for(entry, cache)
        snapshot = snapshot_of(entry, frame)
        try:
            publish(entry, snapshot, frame)
        except ValidationError as error:
            raise _refuse(
                ReviewErrorCode.INVALID,
                _("%(node)s cannot be published: %(errors)s")
                % {"node": entry.node.code, "errors": "; ".join(error.messages)},
                actor=actor,
                subject=entry,
            ) from error
        version = _claim(
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
            changes=_with_state({}, entry, transition),
            snapshot=snapshot,
            version=version,
        )
    before = _round_fields(current)
    current.state = next_state
    current.published_at = timezone.now()
    current.save(update_fields=["state", "published_at"])
    audit_record(
        actor=actor,
        event_type=EventType.ROUND_PUBLISHED,
        subject=current,
        changes=diff(before, _round_fields(current)),
        details={"entries": len(entries), "nodes": [entry.node.code for entry in entries]},
    )
    notices.round_published(current, count=len(entries))
    return current


# ----------------------------------------------------------------- reminders


@transaction.atomic
def deadline_notices_send(*, today: date) -> list[DeadlineNotice]:
    """Remind each editor whose entries are still to be submitted, once per round, when
    the round's deadline is at most ``DEADLINE_NOTICE_DAYS`` days away. What was sent is
    recorded, so running this again (the same day or later) sends nothing twice. A system
    job: no actor."""
    rounds = Round.objects.filter(
        state__in=ROUND_STATES_TAKING_CHANGES,
        deadline__gte=today,
        deadline__lte=today + timedelta(days=DEADLINE_NOTICE_DAYS),
    ).select_related("plan")
    sent: list[DeadlineNotice] = []
    for round_ in rounds:
        outstanding = list(
            Entry.objects.filter(round=round_, state__in=OUTSTANDING_STATES)
            .select_related("node")
            .order_by("node__path")
        )
        editors = node_editor_ids(entry.node_id for entry in outstanding)
        by_user: dict[int, list[Entry]] = {}
        for entry in outstanding:
            for user_id in editors.get(entry.node_id, set()):
                by_user.setdefault(user_id, []).append(entry)
        already = set(DeadlineNotice.objects.filter(round=round_).values_list("recipient_id", flat=True))
        users = {user.pk: user for user in notices.users(by_user.keys() - already)}
        for user_id, user in sorted(users.items()):
            if not user.email:
                logger.warning("no deadline notice for %s: the account has no e-mail address", user)
                continue
            entries = by_user[user_id]
            sent.append(
                DeadlineNotice.objects.create(
                    round=round_, recipient=user, sent_on=today, entries=len(entries)
                )
            )
            notices.deadline_near(round_, user, entries)
    return sent
