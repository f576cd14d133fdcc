"""Writes of one entry: save, submit, return, approve, reopen, restore.

Each asks ``review.decisions.entry_decision`` whether the actor may take the action now
and raises its refusal; checks the version the actor read; validates; and writes the
change as one new version with one audit row."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinchoku import text as text_utils
from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.audit.services import Changes, audit_record, diff
from shinchoku.errors import ErrorCode
from shinchoku.review import notices
from shinchoku.review.content import (
    TEXT_FIELDS,
    EntryData,
    Frame,
    Snapshot,
    apply_data,
    data_groups,
    field_group,
    frame_for,
    from_snapshot,
    incomplete,
    snapshot_of,
    snapshots_of,
    store,
)
from shinchoku.review.decisions import Refusal, entry_decision, fields_refusal
from shinchoku.review.errors import ReviewError
from shinchoku.review.models import Action, Comment, Entry
from shinchoku.review.services.refusals import INVALID_MESSAGES, invalid, refused, stale
from shinchoku.review.workflow import CONTENT_FIELDS, FIELDS_BY_KIND, Transition

if TYPE_CHECKING:
    from django.contrib.auth.models import User

EVENT_TYPES: dict[str, EventType] = {
    Action.SAVE: EventType.ENTRY_SAVED,
    Action.SUBMIT: EventType.ENTRY_SUBMITTED,
    Action.RETURN: EventType.ENTRY_RETURNED,
    Action.APPROVE: EventType.ENTRY_APPROVED,
    Action.REOPEN: EventType.ENTRY_REOPENED,
    Action.RESTORE: EventType.ENTRY_RESTORED,
    Action.PUBLISH: EventType.ENTRY_PUBLISHED,
}


# ------------------------------------------------------------------ internals


def load(entry_id: int) -> Entry:
    return Entry.objects.select_related("round__plan", "node__level").get(pk=entry_id)


def authorise(
    entry: Entry,
    action: Action,
    *,
    actor: Any,
    expected_version: int | None,
    asked: Collection[str] = (),
) -> Transition:
    """The transition ``actor`` makes with ``action``, or the decision's refusal raised.
    A change made since ``expected_version`` is reported as such (stale_version) before
    any refusal that depends on the entry's state; ``asked`` are the content groups the
    actor sent, which must be part of the round's kind."""
    decision = entry_decision(actor, entry, action)
    if isinstance(decision, Refusal) and decision.settled_before_the_version:
        raise refused(decision, actor=actor, subject=entry)
    if expected_version is not None and entry.version != expected_version:
        raise stale(entry, expected_version, actor=actor)
    if isinstance(decision, Refusal):
        raise refused(decision, actor=actor, subject=entry)
    refusal = fields_refusal(entry, decision, asked=asked)
    if refusal is not None:
        raise refused(refusal, actor=actor, subject=entry)
    return decision


def claim(entry: Entry, expected_version: int, *, actor: Any, **values: Any) -> int:
    """Write ``values`` and the next version, only if the entry is still at
    ``expected_version``. The new version; stale_version if another change came first."""
    updated = Entry.objects.filter(pk=entry.pk, version=expected_version).update(
        version=F("version") + 1, updated_by=actor, updated_at=timezone.now(), **values
    )
    if updated != 1:
        raise stale(entry, expected_version, actor=actor)
    return expected_version + 1


def with_state(changes: Changes, entry: Entry, transition: Transition) -> Changes:
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
    changes = with_state(diff(before, after), entry, transition)
    if not changes:
        return None
    changed = {field_group(name) for name in changes} & CONTENT_FIELDS
    refusal = fields_refusal(entry, transition, changed)
    if refusal is not None:
        raise refused(refusal, actor=actor, subject=entry)
    text_values = {
        name: after.get(name, "") for name in TEXT_FIELDS if name in FIELDS_BY_KIND[entry.round.kind]
    }
    version = claim(
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
    return load(entry.pk) if reload else entry


# -------------------------------------------------------------------- services


@transaction.atomic
def entry_save(
    entry: Entry, data: EntryData | Mapping[str, Any], *, actor: User, expected_version: int
) -> Entry:
    """Save changes to an entry's content (the keys of ``data``; others stay). An editor
    saves a draft or a returned entry (which becomes a draft again); the administrator may
    change an approved entry's highlight. Saving nothing new writes nothing."""
    current = load(entry.pk)
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
    transition = authorise(
        current, Action.SAVE, actor=actor, expected_version=expected_version, asked=data_groups(data)
    )
    frame = frame_for(current)
    if before is None:
        before = snapshot_of(current, frame)
    after, errors = apply_data(current, before, data, frame)
    if errors:
        raise invalid(errors, action=Action.SAVE, actor=actor, subject=current)
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
    current = load(entry.pk)
    transition = authorise(current, action, actor=actor, expected_version=expected_version)
    comment = text_utils.normalize(comment)
    if transition.comment_required and not comment:
        message = _("A reason is required.") if action == Action.REOPEN else _("A comment is required.")
        raise invalid({"comment": [message]}, action=action, actor=actor, subject=current)
    frame = frame_for(current)
    snapshot = snapshot_of(current, frame)
    if transition.requires_complete:
        errors = incomplete(current, snapshot, frame)
        if errors:
            raise invalid(errors, action=action, actor=actor, subject=current)
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
        if error.code != ErrorCode.INVALID:
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
    current = load(entry.pk)
    transition = authorise(current, Action.RESTORE, actor=actor, expected_version=expected_version)
    if (
        event.subject_type_id != ContentType.objects.get_for_model(Entry).pk
        or event.subject_id != current.pk
        or event.snapshot is None
    ):
        raise invalid(
            {"event": [_("This is not an earlier version of the entry.")]},
            action=Action.RESTORE,
            actor=actor,
            subject=current,
        )
    frame = frame_for(current)
    before = snapshot_of(current, frame)
    after, errors = from_snapshot(current, event.snapshot, frame)
    if errors:
        raise invalid(errors, action=Action.RESTORE, actor=actor, subject=current)
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
