"""An entry's content as a flat *snapshot*, the form the services compare, audit and
restore:

- ``text``, ``context_change``, ``response``, ``highlight`` (results rounds);
- ``ratings.<dimension key>`` → the code of a level of that dimension's scale, and
  ``ratings.<dimension key>.reason`` → the reason given for it (results rounds);
- ``sections.<section key>`` → the text of one of the level's own sections of each year,
  a section kept in no field of its own (results rounds);
- ``costs.<figure>`` → a figure of what the node cost in the year (決算・実績), as
  ``progress.amounts.figure_text`` writes it: an amount in yen, a staff figure
  (results rounds; the total is never entered, so never here);
- ``targets.<target id>.revised_text`` / ``.revision_reason`` (targets rounds).

A value left empty is no key at all. A ``Frame`` is what an entry may hold (its node's
dimensions and scale levels, its level's sections of each year, the plan's unit of
amounts, and in a targets round the node's targets for the year). The functions here read, change, check
and store snapshots; they return errors rather than raise, and know nothing of roles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypedDict

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shinchoku import text as text_utils
from shinchoku.memo import memo
from shinchoku.plans.models import Dimension, ScaleLevel, Section
from shinchoku.plans.names import shown_label, shown_name
from shinchoku.plans.sections import sections_of
from shinchoku.progress import amounts
from shinchoku.progress.models import STAFF_FIELDS, Target
from shinchoku.review.models import Entry, EntryCost, EntryRating, EntrySectionText, EntryTarget, Round
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
    #: dimension id → the reason for its rating ("" to remove it)
    rating_reasons: Mapping[int, str]
    #: key of one of the level's own sections of each year → its text ("" to remove it)
    sections: Mapping[str, str]
    #: figure of the year's cost (``amounts.ENTERED_FIELDS``) → as typed, an amount in the
    #: plan's unit ("" or None to remove it)
    costs: Mapping[str, str | None]
    #: target id → proposed revision, or None to withdraw the proposal (targets rounds)
    targets: Mapping[int, TargetProposal | None]


@dataclass(frozen=True)
class TextSlot:
    """A text of a results entry as its form, workbook and history show it: a builtin
    field (``text`` …) or one of the level's own sections (``sections.<key>``)."""

    key: str
    label: str
    #: A builtin field's name; "" for a section of its own.
    builtin: str

    @property
    def requirement(self) -> Requirement:
        return TEXT_REQUIREMENTS.get(self.builtin, Requirement.OPTIONAL)


@dataclass
class LevelFrame:
    """What every entry of one level may hold, read once per level."""

    dimensions: dict[int, Dimension]
    levels: dict[int, ScaleLevel]
    #: The level's sections of each year, in the plan's order (the builtin ones when the
    #: plan defines none: ``plans.sections``).
    sections: list[Section]
    amount_unit: str


@dataclass
class Frame:
    """What an entry may hold: the dimensions of its node's level with their scales'
    levels, the level's sections of each year, the plan's unit of amounts, and (in a
    targets round) the node's targets for the round's year."""

    dimensions: dict[int, Dimension]
    levels: dict[int, ScaleLevel]
    targets: dict[int, Target] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    amount_unit: str = "yen"

    def dimension_by_key(self, key: str) -> Dimension | None:
        return next((d for d in self.dimensions.values() if d.key == key), None)

    def level_by_code(self, dimension: Dimension, code: str) -> ScaleLevel | None:
        return next(
            (lv for lv in self.levels.values() if lv.scale_id == dimension.scale_id and lv.code == code), None
        )

    @property
    def own_sections(self) -> dict[str, Section]:
        """The level's sections of each year kept in no field of their own, by key."""
        return {section.key: section for section in self.sections if not section.builtin}

    @property
    def defines_sections(self) -> bool:
        """The plan defines its own sections (else the builtin ones stand, unsaved)."""
        return any(section.pk is not None for section in self.sections)

    def text_slots(self) -> list[TextSlot]:
        """The texts of a results entry, in the plan's order: with the plan's names when it
        defines its sections (and then only the builtin fields it lists), else the four
        builtin fields under their usual names."""
        if not self.defines_sections:
            return [TextSlot(name, str(TEXT_LABELS[name]), name) for name in TEXT_FIELDS]
        return [
            TextSlot(section.builtin, shown_name(section), section.builtin)
            if section.builtin in TEXT_FIELDS
            else TextSlot(section_key(section.key), shown_name(section), "")
            for section in self.sections
        ]


def frame_for(entry: Entry, cache: dict[int, LevelFrame] | None = None) -> Frame:
    """What ``entry`` may hold; ``cache`` (by default the request's memo) keeps what is the
    same for every entry of a level."""
    node = entry.node
    cache = memo(("frames",), dict) if cache is None else cache
    if node.level_id not in cache:
        plan = entry.round.plan
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
        cache[node.level_id] = LevelFrame(
            dimensions, levels, sections_of(plan, node.level, Section.Scope.YEAR), plan.amount_unit
        )
    level = cache[node.level_id]
    targets: dict[int, Target] = {}
    if entry.round.kind == Round.Kind.TARGETS:
        year = entry.round.fiscal_year
        targets = {t.pk: t for t in Target.objects.filter(node_id=node.pk).covering(year)}
    return Frame(
        dimensions=level.dimensions,
        levels=level.levels,
        targets=targets,
        sections=level.sections,
        amount_unit=level.amount_unit,
    )


def target_keys(target_id: int) -> tuple[str, str]:
    return f"targets.{target_id}.revised_text", f"targets.{target_id}.revision_reason"


def rating_reason_key(dimension_key: str) -> str:
    return f"ratings.{dimension_key}.reason"


def section_key(key: str) -> str:
    return f"sections.{key}"


def cost_key(figure: str) -> str:
    return f"costs.{figure}"


def rating_parts(key: str) -> tuple[str, bool] | None:
    """``ratings.achievement`` → ("achievement", False); ``ratings.achievement.reason`` →
    ("achievement", True); None for a key of another group."""
    parts = key.split(".")
    if parts[0] != "ratings" or len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "reason"):
        return None
    return parts[1], len(parts) == 3


#: The content groups of the keys of ``EntryData`` that are not groups themselves.
DATA_GROUPS = {"rating_reasons": "ratings"}


def data_groups(data: Mapping[str, Any]) -> set[str]:
    """The content groups a save's ``data`` asks to change (``workflow.CONTENT_FIELDS``)."""
    return {DATA_GROUPS.get(name, name) for name in data}


def field_group(key: str) -> str:
    """``ratings.achievement`` → ``ratings``; ``targets.7.revised_text`` → ``targets``."""
    return key.split(".", 1)[0]


def snapshot_of(entry: Entry, frame: Frame) -> Snapshot:
    """The entry's content as stored now (asking only for what its round's kind holds)."""
    snapshot: Snapshot = {
        name: getattr(entry, name) for name in FIELDS_BY_KIND[entry.round.kind] if name in TEXT_FIELDS
    }
    if entry.round.kind == Round.Kind.TARGETS:
        for proposal in EntryTarget.objects.filter(entry=entry):
            text_key, reason_key = target_keys(proposal.target_id)
            snapshot[text_key] = proposal.revised_text
            snapshot[reason_key] = proposal.revision_reason
        return snapshot
    for rating in EntryRating.objects.filter(entry=entry):
        dimension = frame.dimensions.get(rating.dimension_id)
        level = frame.levels.get(rating.level_id)
        if dimension is not None and level is not None:
            snapshot[f"ratings.{dimension.key}"] = level.code
            if rating.reason:
                snapshot[rating_reason_key(dimension.key)] = rating.reason
    if frame.own_sections:
        for text in EntrySectionText.objects.filter(entry=entry).select_related("section"):
            snapshot[section_key(text.section.key)] = text.text
    for cost in EntryCost.objects.filter(entry=entry):
        snapshot.update(_cost_snapshot(cost))
    return snapshot


def _cost_snapshot(cost: EntryCost) -> Snapshot:
    return {
        cost_key(name): amounts.figure_text(value)
        for name in amounts.ENTERED_FIELDS
        if (value := getattr(cost, name)) is not None
    }


def snapshots_of(entries: list[Entry]) -> dict[int, Snapshot]:
    """``snapshot_of`` for many entries at once, in four queries."""
    snapshots: dict[int, Snapshot] = {
        entry.pk: {
            name: getattr(entry, name) for name in FIELDS_BY_KIND[entry.round.kind] if name in TEXT_FIELDS
        }
        for entry in entries
    }
    for rating in EntryRating.objects.filter(entry__in=entries).select_related("dimension", "level"):
        snapshots[rating.entry_id][f"ratings.{rating.dimension.key}"] = rating.level.code
        if rating.reason:
            snapshots[rating.entry_id][rating_reason_key(rating.dimension.key)] = rating.reason
    for text in EntrySectionText.objects.filter(entry__in=entries).select_related("section"):
        snapshots[text.entry_id][section_key(text.section.key)] = text.text
    for cost in EntryCost.objects.filter(entry__in=entries):
        snapshots[cost.entry_id].update(_cost_snapshot(cost))
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
    _apply_results_extras(after, errors, data, frame)
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


def _set_text(after: Snapshot, key: str, value: str) -> None:
    """Set a text of ``after``; an empty one is no key."""
    text = text_utils.normalize(value)
    if text:
        after[key] = text
    else:
        after.pop(key, None)


def _apply_results_extras(
    after: Snapshot, errors: FieldErrors, data: Mapping[str, Any], frame: Frame
) -> None:
    """The reasons of the ratings, the level's own sections and the year's cost of
    ``data`` into ``after``; what cannot be taken into ``errors``, by snapshot key."""
    reasons = data.get("rating_reasons") or {}
    sections = data.get("sections") or {}
    costs = data.get("costs") or {}
    for name, given in (("ratings", reasons), ("sections", sections), ("costs", costs)):
        if not isinstance(given, Mapping):
            errors.setdefault(name, []).append(_("Enter text."))
    if isinstance(reasons, Mapping):
        for dimension_id, reason in reasons.items():
            dimension = frame.dimensions.get(as_id(dimension_id) or 0)
            if dimension is None:
                errors.setdefault("ratings", []).append(
                    _("This dimension does not apply to the node's level.")
                )
            elif not isinstance(reason, str):
                errors[rating_reason_key(dimension.key)] = [_("Enter text.")]
            else:
                _set_text(after, rating_reason_key(dimension.key), reason)
    for dimension in frame.dimensions.values():
        key = rating_reason_key(dimension.key)
        if key in after and f"ratings.{dimension.key}" not in after:
            errors[key] = [
                _("A reason is given for %(dimension)s, which is not rated: choose its rating.")
                % {"dimension": shown_name(dimension)}
            ]
    if isinstance(sections, Mapping):
        own = frame.own_sections
        for name, text in sections.items():
            if name not in own:
                errors.setdefault("sections", []).append(
                    _("%(section)s is not one of the sections of the node's level.") % {"section": name}
                )
            elif not isinstance(text, str):
                errors[section_key(name)] = [_("Enter text.")]
            else:
                _set_text(after, section_key(name), text)
    if isinstance(costs, Mapping):
        for name, typed in costs.items():
            if name not in amounts.ENTERED_FIELDS:
                errors.setdefault("costs", []).append(
                    _("%(figure)s is not a figure of a cost that is entered.") % {"figure": name}
                )
                continue
            try:
                value = amounts.read_figure(name, typed, amount_unit=frame.amount_unit)
            except amounts.FigureError as error:
                errors[cost_key(name)] = [str(error)]
                continue
            if value is None:
                after.pop(cost_key(name), None)
            else:
                after[cost_key(name)] = amounts.figure_text(value)


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
            parts = rating_parts(key)
            dimension = frame.dimension_by_key(parts[0]) if parts else None
            if (
                parts is None
                or dimension is None
                or (not parts[1] and frame.level_by_code(dimension, value) is None)
            ):
                errors.setdefault("ratings", []).append(
                    _("The earlier version's rating %(rating)s no longer fits the node's dimensions.")
                    % {"rating": f"{key.split('.', 1)[1]}={value}"}
                )
                continue
        elif group == "sections" and key.split(".", 1)[1] not in frame.own_sections:
            errors.setdefault("sections", []).append(
                _("%(section)s is not one of the sections of the node's level.")
                % {"section": key.split(".", 1)[1]}
            )
            continue
        elif group == "costs" and key.split(".", 1)[1] not in amounts.ENTERED_FIELDS:
            continue  # a figure no longer entered (never a person's text)
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
    its ``TEXT_REQUIREMENTS`` asks for (of those the level has: ``Frame.text_slots``); in
    a targets round, a reason for every revision. The reasons, the plan's own sections
    and the costs may stay empty."""
    errors: FieldErrors = {}
    if entry.round.kind == Round.Kind.RESULTS:
        required = [slot.builtin for slot in frame.text_slots() if slot.builtin]
        for name in required:
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
            for name in required:
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


def cost_figures(snapshot: Mapping[str, str]) -> dict[str, int | Decimal]:
    """The cost figures a snapshot holds, typed as ``progress.Cost`` keeps them."""
    figures: dict[str, int | Decimal] = {}
    for name in amounts.ENTERED_FIELDS:
        text = snapshot.get(cost_key(name))
        if text:
            figures[name] = Decimal(text) if name in STAFF_FIELDS else int(text)
    return figures


def store(entry: Entry, before: Snapshot, after: Snapshot, frame: Frame) -> None:
    """Write the ratings (with their reasons), own sections, cost and target proposals
    that differ (the text fields go with the entry's conditional update)."""
    for dimension in frame.dimensions.values():
        key = f"ratings.{dimension.key}"
        reason = rating_reason_key(dimension.key)
        if (before.get(key), before.get(reason)) == (after.get(key), after.get(reason)):
            continue
        code = after.get(key)
        level = frame.level_by_code(dimension, code) if code is not None else None
        if level is None:
            EntryRating.objects.filter(entry=entry, dimension=dimension).delete()
        else:
            EntryRating.objects.update_or_create(
                entry=entry, dimension=dimension, defaults={"level": level, "reason": after.get(reason, "")}
            )
    for name, section in frame.own_sections.items():
        key = section_key(name)
        if before.get(key) == after.get(key):
            continue
        if key in after:
            EntrySectionText.objects.update_or_create(
                entry=entry, section=section, defaults={"text": after[key]}
            )
        else:
            EntrySectionText.objects.filter(entry=entry, section=section).delete()
    figures = cost_figures(after)
    if figures != cost_figures(before):
        if figures:
            EntryCost.objects.update_or_create(
                entry=entry, defaults={name: figures.get(name) for name in amounts.ENTERED_FIELDS}
            )
        else:
            EntryCost.objects.filter(entry=entry).delete()
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
