"""What the review round keeps from being deleted, on every path that deletes (the
plan writers, the Django admin, a node deleted with its targets): a target with a
revision pending in an open round. Connected in ``ReviewConfig.ready``.

Django sends ``pre_delete`` once for each target a delete takes (a plan replaced takes
thousands): the targets with a pending revision are looked up once for the whole delete
(its ``origin``, the object or queryset deleted) and each target is checked against them
without a query; only a refused one is read further, for the message.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shinchoku.errors import ErrorCode, Refusal
from shinchoku.progress.models import Target
from shinchoku.review.models import Entry, EntryTarget, Round


class TargetRevisionPending(Refusal):
    """A target cannot be removed: a revision of it is proposed in an open round."""

    code = ErrorCode.NOT_ALLOWED


def _pending() -> QuerySet[EntryTarget]:
    """The revisions pending in an open round (their entry not published)."""
    return EntryTarget.objects.filter(entry__round__state=Round.State.OPEN).exclude(
        entry__state=Entry.State.PUBLISHED
    )


def pending_revision(target: Target) -> EntryTarget | None:
    """A revision of ``target`` pending in an open round (its entry not published)."""
    return (
        _pending()
        .filter(target=target)
        .select_related("entry__round__plan")
        .order_by("entry__round__fiscal_year", "entry__round__kind")
        .first()
    )


class _Delete(threading.local):
    """The delete under way in this thread: its ``origin``, the ids of the targets with a
    pending revision when it began, and the targets it has asked about so far. A target
    asked about twice under one origin is a new delete of the same object (the first one
    refused or failed): the ids are read again."""

    origin: object = None
    pending: frozenset[int] = frozenset()
    seen: set[int]

    def __init__(self) -> None:
        self.seen = set()


_delete = _Delete()


def _has_pending_revision(target: Target, origin: object) -> bool:
    """Whether ``target`` has a revision pending in an open round: one query per delete."""
    if origin is None or _delete.origin is not origin or target.pk in _delete.seen:
        _delete.pending = frozenset(_pending().values_list("target_id", flat=True))
        _delete.origin = origin
        _delete.seen = set()
    _delete.seen.add(target.pk)
    return target.pk in _delete.pending


def refuse_target_with_pending_revision(sender: Any, instance: Target, **kwargs: Any) -> None:
    """``pre_delete`` of a target: refuse when a revision of it is pending in an open round."""
    if not _has_pending_revision(instance, kwargs.get("origin")):
        return
    revision = pending_revision(instance)
    if revision is None:
        return
    _delete.origin = None  # refused: the next delete reads the pending revisions again
    round_ = revision.entry.round
    raise TargetRevisionPending(
        _(
            "The target %(period)s “%(text)s” of %(node)s has a revision proposed in the open round "
            "%(round)s of the plan %(plan)s: it cannot be removed until that round is closed or the "
            "entry is published."
        )
        % {
            "period": instance.period_label,
            "text": instance.text[:40],
            "node": instance.node.code,
            "round": round_.label,
            "plan": round_.plan.title,
        }
    )
