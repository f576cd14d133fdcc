"""The writes of a report draft: stored, corrected, discarded, accepted.

Only the planning administrator works on drafts (or the console, ``actor`` None: whoever
runs ``shinchoku`` owns the database anyway), as only they import a dataset. A draft is
corrected, discarded or accepted only while it is to be reviewed; a correction or an
acceptance names the version of the draft the person saw (``expected_version``), so that
two people working on one draft never overwrite each other unseen.

Accepting is importing: the dataset with the corrections laid over it goes through the
one import path (``interchange.importing.import_apply``: its preview again, then the
plans written by ``plan_apply``, each with its audit row), and the draft is marked
accepted with a link to that audit row, in the same transaction. A dataset with problems
is refused with its preview; nothing is written then, the draft stays as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shinchoku.accounts.permissions import is_administrator
from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.errors import ErrorCode, Refusal
from shinchoku.interchange.importing import import_apply, import_preview
from shinchoku.interchange.models import ReportDraft, ReportDraftCorrection
from shinchoku.interchange.preview import ApplyResult, Preview
from shinchoku.interchange.reportdrafts.corrections import Corrected, checked_value, corrected, rated_levels
from shinchoku.plans.formats.dataset.importer import NAME as DATASET
from shinchoku.plans.formats.report.draft import Draft
from shinchoku.plans.models import Plan


class DraftRefused(Refusal):
    """The draft cannot be changed so: another person's change came first, it is no longer
    to be reviewed, or the person may not work on drafts. Nothing was changed."""

    code = ErrorCode.CONFLICT


def _check_actor(actor: Any) -> None:
    if actor is not None and not is_administrator(actor):
        raise DraftRefused(
            _("Only the planning administrator reviews report drafts: accepting one imports a whole plan."),
            code=ErrorCode.NOT_ALLOWED,
        )


def _name(actor: Any) -> str:
    return actor.get_username() if actor is not None else ""


def _check_open(report_draft: ReportDraft) -> None:
    if report_draft.status != ReportDraft.Status.DRAFT:
        raise DraftRefused(
            _("This draft was %(status)s already: it is no longer changed.")
            % {"status": report_draft.get_status_display()}
        )


def _check_version(report_draft: ReportDraft, expected_version: int | None) -> None:
    if expected_version is not None and report_draft.version != expected_version:
        raise DraftRefused(
            _(
                "The draft was corrected by someone else since you opened it: look at it again "
                "before you go on."
            ),
            code=ErrorCode.STALE_VERSION,
        )


# ------------------------------------------------------------ reading


def draft_of(report_draft: ReportDraft) -> Draft:
    """The stored draft, read back."""
    return Draft.from_json(report_draft.draft)


def corrections_of(report_draft: ReportDraft) -> list[ReportDraftCorrection]:
    return list(report_draft.corrections.order_by("id"))


def draft_corrected(report_draft: ReportDraft, draft: Draft | None = None) -> Corrected:
    """The draft's dataset with the person's corrections laid over it."""
    draft = draft or draft_of(report_draft)
    return corrected(
        draft.dataset, ((item.pointer, item.kind, item.value) for item in corrections_of(report_draft))
    )


def dataset_bytes(report_draft: ReportDraft, draft: Draft | None = None) -> bytes:
    """The corrected dataset as the file the import reads."""
    return json.dumps(draft_corrected(report_draft, draft).final(), ensure_ascii=False, indent=1).encode()


def plan_exists(report_draft: ReportDraft) -> bool:
    """Whether the draft's plan is in the database already: accepting then replaces its data."""
    return bool(report_draft.plan_code) and Plan.objects.filter(code=report_draft.plan_code).exists()


# ------------------------------------------------------------ writing


def store_draft(draft: Draft, actor: Any) -> ReportDraft:
    """Keep ``draft`` (recognised in a report) for review, as uploaded by ``actor``
    (None: the console). Its file's name and digest are the source's."""
    _check_actor(actor)
    document = draft.to_json()
    dataset = draft.dataset
    plans = dataset.get("plans") or [{}]
    rated = rated_levels(dataset)
    measures = sum(1 for node in dataset.get("nodes", ()) if not rated or node.get("level_key") in rated)
    with transaction.atomic():
        return ReportDraft.objects.create(
            file_name=draft.source.name[:255],
            sha256=draft.source.sha256,
            draft=document,
            plan_code=str(plans[0].get("code", ""))[:100] if isinstance(plans[0], dict) else "",
            measures=measures,
            flagged=len(draft.flagged),
            created_by=actor,
            created_by_name=_name(actor),
        )


def draft_correct(
    report_draft: ReportDraft,
    decision_index: int,
    value: Any,
    *,
    actor: Any,
    expected_version: int | None = None,
    draft: Draft | None = None,
) -> ReportDraftCorrection:
    """Correct the place of the draft's decision ``decision_index`` to ``value``, checked
    for the decision's kind (``corrections.checked_value``). CorrectionRefused when the
    value does not fit; DraftRefused when the draft changed meanwhile or is decided."""
    _check_actor(actor)
    draft = draft or draft_of(report_draft)
    if not 0 <= decision_index < len(draft.decisions):
        raise DraftRefused(_("The draft has no such decision."), code=ErrorCode.NOT_FOUND)
    decision = draft.decisions[decision_index]
    with transaction.atomic():
        locked = ReportDraft.objects.select_for_update().get(pk=report_draft.pk)
        _check_open(locked)
        _check_version(locked, expected_version)
        checked = checked_value(draft_corrected(locked, draft).dataset, decision, value)
        ReportDraft.objects.filter(pk=locked.pk).update(version=F("version") + 1)
        correction = ReportDraftCorrection.objects.create(
            draft=locked,
            pointer=decision.pointer,
            kind=decision.kind,
            value=checked,
            made_by=actor,
            made_by_name=_name(actor),
        )
    report_draft.refresh_from_db(fields=["version"])
    return correction


def draft_discard(report_draft: ReportDraft, *, actor: Any) -> ReportDraft:
    """Set the draft aside: it is kept, as discarded, and nothing is imported."""
    _check_actor(actor)
    with transaction.atomic():
        locked = ReportDraft.objects.select_for_update().get(pk=report_draft.pk)
        _check_open(locked)
        locked.status = ReportDraft.Status.DISCARDED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.decided_by_name = _name(actor)
        locked.save(update_fields=["status", "decided_at", "decided_by", "decided_by_name"])
    return locked


def draft_accept_preview(report_draft: ReportDraft, *, actor: Any) -> Preview:
    """What accepting the draft would import, as every import is previewed; writes nothing."""
    _check_actor(actor)
    return import_preview(dataset_bytes(report_draft), report_draft.file_name, actor=actor, only=(DATASET,))


@dataclass(frozen=True)
class Accepted:
    report_draft: ReportDraft
    result: ApplyResult


def draft_accept(report_draft: ReportDraft, *, actor: Any, expected_version: int | None = None) -> Accepted:
    """Import the corrected dataset and mark the draft accepted, in one transaction.
    ImportRefused (with the preview's problems) when the dataset has any: nothing is
    written then."""
    _check_actor(actor)
    with transaction.atomic():
        locked = ReportDraft.objects.select_for_update().get(pk=report_draft.pk)
        _check_open(locked)
        _check_version(locked, expected_version)
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        result = import_apply(dataset_bytes(locked), locked.file_name, actor=actor, only=(DATASET,))
        locked.status = ReportDraft.Status.ACCEPTED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.decided_by_name = _name(actor)
        locked.audit_event = (
            AuditEvent.objects.filter(
                id__gt=before,
                event_type=EventType.PLAN_IMPORTED,
                subject_type=ContentType.objects.get_for_model(Plan),
                subject_id__in=Plan.objects.filter(code=locked.plan_code).values("pk"),
            )
            .order_by("id")
            .first()
        )
        locked.save(update_fields=["status", "decided_at", "decided_by", "decided_by_name", "audit_event"])
    return Accepted(locked, result)
