"""What the review round keeps from being deleted, on every path that deletes (the
plan writers, the Django admin, a node deleted with its targets): a target with a
revision pending in an open round. Connected in ``ReviewConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from shinchoku.errors import ErrorCode, Refusal
from shinchoku.progress.models import Target
from shinchoku.review.models import Entry, EntryTarget, Round


class TargetRevisionPending(Refusal):
    """A target cannot be removed: a revision of it is proposed in an open round."""

    code = ErrorCode.NOT_ALLOWED


def pending_revision(target: Target) -> EntryTarget | None:
    """A revision of ``target`` pending in an open round (its entry not published)."""
    return (
        EntryTarget.objects.filter(target=target, entry__round__state=Round.State.OPEN)
        .exclude(entry__state=Entry.State.PUBLISHED)
        .select_related("entry__round__plan")
        .order_by("entry__round__fiscal_year", "entry__round__kind")
        .first()
    )


def refuse_target_with_pending_revision(sender: Any, instance: Target, **kwargs: Any) -> None:
    """``pre_delete`` of a target: refuse when a revision of it is pending in an open round."""
    revision = pending_revision(instance)
    if revision is None:
        return
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
