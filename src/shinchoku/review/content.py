"""An entry's content as a flat *snapshot*, the form the services compare, audit and
restore:

- ``text``, ``context_change``, ``response``, ``highlight`` (results rounds);
- ``ratings.<dimension key>`` → the code of a level of that dimension's scale;
- ``targets.<target id>.revised_text`` / ``.revision_reason`` (targets rounds).

A ``Frame`` is what an entry may hold (its node's dimensions and scale levels, and in a
targets round the node's targets for the year). The functions here read, change, check
and store snapshots; they return errors rather than raise, and know nothing of roles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypedDict

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shinchoku import text as text_utils
from shinchoku.memo import memo
from shinchoku.plans.models import Dimension, ScaleLevel
from shinchoku.plans.names import shown_label, shown_name
from shinchoku.progress.models import Target
from shinchoku.review.models import Entry, EntryRating, EntryTarget, Round
from shinchoku.review.workflow import FIELDS_BY_KIND

TEXT_FIELDS = ("text", "context_change", "response", "highlight")


class Requirement(StrEnum):
    """When a submission needs a text field."""

    #: Always (the result itself).
    ALWAYS = "always"
    #: When a rating on one of the entry's dimensions is on its scale's adverse side.
    ADVERSE = "adverse"
    #: Never: it may stay empty.
    OPTIONAL = "optional"


#: What a submission needs of each text field: ``incomplete`` refuses by it, and the
#: entry form marks the fields by it. A rating on every dimension is always needed.
TEXT_REQUIREMENTS: dict[str, Requirement] = {
    "text": Requirement.ALWAYS,
    "context_change": Requirement.ADVERSE,
    "response": Requirement.ADVERSE,
    "highlight": Requirement.OPTIONAL,
}
#: What a submission needs of the rating on each dimension of the entry's level.
RATING_REQUIREMENT = Requirement.ALWAYS

#: The text fields' names as the entry page, its history and its diffs give them.
TEXT_LABELS = {
    "text": _("Result (what was done)"),
    "context_change": _("Changes in circumstances and issues"),
    "response": _("Response to new issues"),
    "highlight": _("Main result (主な実施結果)"),
}

Snapshot = dict[str, str]
FieldErrors = dict[str, list[str | Promise]]


class TargetProposal(TypedDict):
    revised_text: str
    revision_reason: str


class EntryData(TypedDict, total=False):
    """What a save may change; a key left out is left as it is."""

    text: str
    context_change: str
    response: str
    highlight: str
    #: dimension id → scale level id, or None to remove the rating
    ratings: Mapping[int, int | None]
    #: target id → proposed revision, or None to withdraw the proposal (targets rounds)
    targets: Mapping[int, TargetProposal | None]


@dataclass
class Frame:
    """What an entry may hold: the dimensions of its node's level with their scales'
    levels, and (in a targets round) the node's targets for the round's year."""

    dimensions: dict[int, Dimension]
    levels: dict[int, ScaleLevel]
    targets: dict[int, Target] = field(default_factory=dict)

    def dimension_by_key(self, key: str) -> Dimension | None:
        return next((d for d in self.dimensions.values() if d.key == key), None)

    def level_by_code(self, dimension: Dimension, code: str) -> ScaleLevel | None:
        return next(
            (lv for lv in self.levels.values() if lv.scale_id == dimension.scale_id and lv.code == code), None
        )


def frame_for(
    entry: Entry, cache: dict[int, tuple[dict[int, Dimension], dict[int, ScaleLevel]]] | None = None
) -> Frame:
    node = entry.node
    cache = memo(("frames",), dict) if cache is None else cache
    if node.level_id not in cache:
        dimensions = {
            d.pk: d
            for d in Dimension.objects.filter(plan_id=node.plan_id, level_id=node.level_id)
            .select_related("scale")
            .order_by("position", "key")
        }
        levels = {
            lv.pk: lv
            for lv in ScaleLevel.objects.filter(scale_id__in={d.scale_id for d in dimensions.values()})
        }
        cache[node.level_id] = (dimensions, levels)
    dimensions, levels = cache[node.level_id]
    targets: dict[int, Target] = {}
    if entry.round.kind == Round.Kind.TARGETS:
        year = entry.round.fiscal_year
        targets = {t.pk: t for t in Target.objects.filter(node_id=node.pk).covering(year)}
    return Frame(dimensions=dimensions, levels=levels, targets=targets)


def target_keys(target_id: int) -> tuple[str, str]:
    return f"targets.{target_id}.revised_text", f"targets.{target_id}.revision_reason"


def field_group(key: str) -> str:
    """``ratings.achievement`` → ``ratings``; ``targets.7.revised_text`` → ``targets``."""
    return key.split(".", 1)[0]


def snapshot_of(entry: Entry, frame: Frame) -> Snapshot:
    """The entry's content as stored now."""
    snapshot: Snapshot = {
        name: getattr(entry, name) for name in FIELDS_BY_KIND[entry.round.kind] if name in TEXT_FIELDS
    }
    for rating in EntryRating.objects.filter(entry=entry):
        dimension = frame.dimensions.get(rating.dimension_id)
        level = frame.levels.get(rating.level_id)
        if dimension is not None and level is not None:
            snapshot[f"ratings.{dimension.key}"] = level.code
    for proposal in EntryTarget.objects.filter(entry=entry):
        text_key, reason_key = target_keys(proposal.target_id)
        snapshot[text_key] = proposal.revised_text
        snapshot[reason_key] = proposal.revision_reason
    return snapshot


def snapshots_of(entries: list[Entry]) -> dict[int, Snapshot]:
    """``snapshot_of`` for many entries at once, in two queries."""
    snapshots: dict[int, Snapshot] = {
        entry.pk: {
            name: getattr(entry, name) for name in FIELDS_BY_KIND[entry.round.kind] if name in TEXT_FIELDS
        }
        for entry in entries
    }
    for rating in EntryRating.objects.filter(entry__in=entries).select_related("dimension", "level"):
        snapshots[rating.entry_id][f"ratings.{rating.dimension.key}"] = rating.level.code
    for proposal in EntryTarget.objects.filter(entry__in=entries):
        text_key, reason_key = target_keys(proposal.target_id)
        snapshots[proposal.entry_id][text_key] = proposal.revised_text
        snapshots[proposal.entry_id][reason_key] = proposal.revision_reason
    return snapshots


def as_id(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def apply_data(
    entry: Entry, before: Snapshot, data: Mapping[str, Any], frame: Frame
) -> tuple[Snapshot, FieldErrors]:
    """The snapshot after ``data``, and the errors that refuse it. Which fields the
    round's kind has, and which the action may change, is ``review.decisions``' to say
    (the services ask it first)."""
    after = dict(before)
    errors: FieldErrors = {}
    kind_fields = FIELDS_BY_KIND[entry.round.kind]
    for name in TEXT_FIELDS:
        if name in data and name in kind_fields:
            value = data[name]
            if not isinstance(value, str):
                errors[name] = [_("Enter text.")]
            else:
                after[name] = text_utils.normalize(value)
    ratings = data.get("ratings") or {}
    targets = data.get("targets") or {}
    if not isinstance(ratings, Mapping):
        errors["ratings"] = [_("Choose a rating for each dimension.")]
        ratings = {}
    if not isinstance(targets, Mapping):
        errors["targets"] = [_("This target is not one of the measure's targets for the round's year.")]
        targets = {}
    for dimension_id, level_id in ratings.items():
        dimension = frame.dimensions.get(as_id(dimension_id) or 0)
        if dimension is None:
            errors.setdefault("ratings", []).append(_("This dimension does not apply to the node's level."))
            continue
        key = f"ratings.{dimension.key}"
        if level_id is None or level_id == "":
            after.pop(key, None)
            continue
        level = frame.levels.get(as_id(level_id) or 0)
        if level is None or level.scale_id != dimension.scale_id:
            errors[key] = [
                _("The rating is not a level of the scale %(scale)s of %(dimension)s.")
                % {"scale": shown_name(dimension.scale), "dimension": shown_name(dimension)}
            ]
            continue
        after[key] = level.code
    for target_id, proposal in targets.items():
        target = frame.targets.get(as_id(target_id) or 0)
        if target is None:
            errors.setdefault("targets", []).append(
                _("This target is not one of the measure's targets for the round's year.")
            )
            continue
        text_key, reason_key = target_keys(target.pk)
        if proposal is None:
            after.pop(text_key, None)
            after.pop(reason_key, None)
            continue
        revised = proposal.get("revised_text", "") if isinstance(proposal, Mapping) else None
        reason = proposal.get("revision_reason", "") if isinstance(proposal, Mapping) else None
        if not isinstance(revised, str) or not isinstance(reason, str):
            errors[text_key] = [_("Enter text.")]
            continue
        after[text_key] = text_utils.normalize(revised)
        after[reason_key] = text_utils.normalize(reason)
    return after, errors


def from_snapshot(entry: Entry, snapshot: Mapping[str, Any], frame: Frame) -> tuple[Snapshot, FieldErrors]:
    """An earlier snapshot, checked against what the entry may hold today."""
    restored: Snapshot = {}
    errors: FieldErrors = {}
    kind_fields = FIELDS_BY_KIND[entry.round.kind]
    for key, value in snapshot.items():
        group = field_group(key)
        if group not in kind_fields:
            continue
        if group == "ratings":
            dimension = frame.dimension_by_key(key.split(".", 1)[1])
            if dimension is None or frame.level_by_code(dimension, value) is None:
                errors.setdefault("ratings", []).append(
                    _("The earlier version's rating %(rating)s no longer fits the node's dimensions.")
                    % {"rating": f"{key.split('.', 1)[1]}={value}"}
                )
                continue
        elif group == "targets" and (as_id(key.split(".")[1]) or 0) not in frame.targets:
            errors.setdefault("targets", []).append(
                _("This target is not one of the measure's targets for the round's year.")
            )
            continue
        restored[key] = value
    for name in TEXT_FIELDS:
        if name in kind_fields:
            restored.setdefault(name, "")
    return restored, errors


def incomplete(entry: Entry, snapshot: Snapshot, frame: Frame) -> FieldErrors:
    """What a submission still lacks: a rating on every dimension, and each text field
    its ``TEXT_REQUIREMENTS`` asks for; in a targets round, a reason for every revision."""
    errors: FieldErrors = {}
    if entry.round.kind == Round.Kind.RESULTS:
        for name in TEXT_FIELDS:
            if TEXT_REQUIREMENTS[name] == Requirement.ALWAYS and not snapshot.get(name, "").strip():
                errors[name] = [_("The result is required.")]
        adverse: list[str] = []
        for dimension in frame.dimensions.values():
            code = snapshot.get(f"ratings.{dimension.key}")
            if code is None:
                if RATING_REQUIREMENT != Requirement.ALWAYS:
                    continue
                errors[f"ratings.{dimension.key}"] = [
                    _("A rating on %(dimension)s is required.") % {"dimension": shown_name(dimension)}
                ]
                continue
            level = frame.level_by_code(dimension, code)
            if level is not None and level.adverse:
                adverse.append(f"{shown_name(dimension)} {level.code} {shown_label(level)}")
        if adverse:
            for name in TEXT_FIELDS:
                if TEXT_REQUIREMENTS[name] == Requirement.ADVERSE and not snapshot.get(name, "").strip():
                    errors[name] = [
                        _("Required when a rating is on the scale's adverse side (%(ratings)s).")
                        % {"ratings": ", ".join(adverse)}
                    ]
    else:
        for target_id in frame.targets:
            text_key, reason_key = target_keys(target_id)
            if snapshot.get(text_key, "").strip() and not snapshot.get(reason_key, "").strip():
                errors[reason_key] = [_("A revised target needs its reason.")]
    return errors


def store(entry: Entry, before: Snapshot, after: Snapshot, frame: Frame) -> None:
    """Write the ratings and target proposals that differ (the text fields go with the
    entry's conditional update)."""
    for dimension in frame.dimensions.values():
        key = f"ratings.{dimension.key}"
        if before.get(key) == after.get(key):
            continue
        code = after.get(key)
        level = frame.level_by_code(dimension, code) if code is not None else None
        if level is None:
            EntryRating.objects.filter(entry=entry, dimension=dimension).delete()
        else:
            EntryRating.objects.update_or_create(entry=entry, dimension=dimension, defaults={"level": level})
    for target_id in frame.targets:
        text_key, reason_key = target_keys(target_id)
        if (before.get(text_key), before.get(reason_key)) == (after.get(text_key), after.get(reason_key)):
            continue
        if text_key not in after:
            EntryTarget.objects.filter(entry=entry, target_id=target_id).delete()
        else:
            EntryTarget.objects.update_or_create(
                entry=entry,
                target_id=target_id,
                defaults={"revised_text": after[text_key], "revision_reason": after.get(reason_key, "")},
            )
