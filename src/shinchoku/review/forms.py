"""Forms of the staff pages. They only read and check what was posted; the services
decide what may change. Field names map to the snapshot keys of
``shinchoku.review.content`` (``rating_<dimension id>`` ↔ ``ratings.<key>``,
``reason_<dimension id>`` ↔ ``ratings.<key>.reason``, ``section_<key>`` ↔ ``sections.<key>``,
``cost_<figure>`` ↔ ``costs.<figure>``, ``target_<id>_revised`` / ``_reason`` ↔
``targets.<id>.revised_text`` / ``.revision_reason``) so that a service's field errors land
beside the right field. The cost figures are posted as typed and read by the services
(``progress.amounts``), as the entry workbook's are."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinchoku import text as text_utils
from shinchoku.plans.models import Plan
from shinchoku.plans.names import shown_label, shown_name
from shinchoku.progress import amounts
from shinchoku.review.content import (
    RATING_REQUIREMENT,
    TEXT_FIELDS,
    EntryData,
    Frame,
    Requirement,
    Snapshot,
    TextSlot,
    cost_key,
    rating_parts,
    rating_reason_key,
    target_keys,
)
from shinchoku.review.errors import Conflict
from shinchoku.review.models import Entry, Round

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TEXT_HELP = {
    "text": _(
        "What the section did in the fiscal year. Start each item on a new line; ・ or ● bullets are kept."
    ),
    "context_change": _("Required when a rating is on the scale's adverse side."),
    "response": _("Required when a rating is on the scale's adverse side."),
    "highlight": _("One or two sentences for the plan area's list of main results; may stay empty."),
}
TEXTAREA_ROWS = {"text": 8, "context_change": 4, "response": 4, "highlight": 3}
#: The longest text a field of an entry takes.
TEXT_MAX_LENGTH = 20000


def _text_field(
    label: StrOrPromise, rows: int, initial: str, *, disabled: bool, help_text: StrOrPromise = ""
) -> forms.CharField:
    """A text of the entry, ``rows`` lines high. The form never requires it: what a
    submission needs is the services' to say (``review.content.TEXT_REQUIREMENTS``)."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
        initial=initial,
        disabled=disabled,
    )


class RatingSelect(forms.RadioSelect):
    """Radio buttons for a scale's levels; an adverse level carries ``data-adverse`` so
    that the page can mark the explanations it requires."""

    def __init__(self, adverse: set[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.adverse = adverse

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.adverse:
            option["attrs"]["data-adverse"] = "true"
            option["adverse"] = True
        return option


@dataclass(frozen=True)
class FieldRow:
    """A field of the entry form with what a submission needs of it
    (``content.TEXT_REQUIREMENTS``): the page marks it by this, never by its name."""

    field: forms.BoundField
    requirement: Requirement
    #: A rating's reason field, shown below it.
    reason: forms.BoundField | None = None

    @property
    def always_required(self) -> bool:
        return self.requirement == Requirement.ALWAYS

    @property
    def required_when_adverse(self) -> bool:
        """Required once a rating on its scale's adverse side is chosen."""
        return self.requirement == Requirement.ADVERSE


def rating_field_name(dimension_id: int) -> str:
    return f"rating_{dimension_id}"


def target_field_names(target_id: int) -> tuple[str, str]:
    return f"target_{target_id}_revised", f"target_{target_id}_reason"


def reason_field_name(dimension_id: int) -> str:
    return f"reason_{dimension_id}"


def slot_field_name(slot: TextSlot) -> str:
    """A builtin text's field is named as the text; a section of the plan's own
    ``section_<key>``."""
    return slot.builtin or f"section_{slot.key.split('.', 1)[1]}"


def cost_field_name(figure: str) -> str:
    return f"cost_{figure}"


#: The help beside the cost figures that a person may leave empty to have computed.
COST_HELP = {
    "staff_cost": _("Leave empty to price the staff hours at the plan's hourly staff cost of the year."),
    "staff_count": _("Up to two decimals."),
    "staff_hours": _("Up to two decimals."),
}


class EntryForm(forms.Form):
    """An entry's content. Fields outside ``editable`` (content groups: ``text``,
    ``ratings``, ``targets``…) are shown disabled and never taken from the post."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        *args: Any,
        entry: Entry,
        frame: Frame,
        snapshot: Snapshot,
        editable: frozenset[str],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", entry.version)
        super().__init__(*args, **kwargs)
        self.entry = entry
        self.frame = frame
        self.snapshot = snapshot
        self.editable = editable
        self.kind = entry.round.kind
        if self.kind == Round.Kind.RESULTS:
            # In the order of the page (ratings, then the texts): the error summary lists
            # the fields' problems in this order.
            for dimension in frame.dimensions.values():
                levels = sorted(
                    (lv for lv in frame.levels.values() if lv.scale_id == dimension.scale_id),
                    key=lambda lv: lv.position,
                )
                code = snapshot.get(f"ratings.{dimension.key}")
                chosen = next((lv.pk for lv in levels if lv.code == code), "")
                self.fields[rating_field_name(dimension.pk)] = forms.ChoiceField(
                    label=shown_name(dimension),
                    choices=[
                        ("", _("not rated yet")),
                        *((str(lv.pk), f"{lv.code}　{shown_label(lv)}") for lv in levels),
                    ],
                    required=False,
                    widget=RatingSelect({str(lv.pk) for lv in levels if lv.adverse}),
                    initial=str(chosen),
                    disabled="ratings" not in editable,
                )
                self.fields[reason_field_name(dimension.pk)] = _text_field(
                    _("Reason for the rating on %(dimension)s") % {"dimension": shown_name(dimension)},
                    2,
                    snapshot.get(rating_reason_key(dimension.key), ""),
                    disabled="ratings" not in editable,
                )
            self.slots = frame.text_slots()
            for slot in self.slots:
                group = slot.builtin or "sections"
                self.fields[slot_field_name(slot)] = _text_field(
                    slot.label,
                    TEXTAREA_ROWS.get(slot.builtin, 4),
                    snapshot.get(slot.key, ""),
                    disabled=group not in editable,
                    help_text=TEXT_HELP.get(slot.builtin, ""),
                )
            unit = amounts.unit_label(frame.amount_unit)
            for figure in amounts.ENTERED_FIELDS:
                label = amounts.field_label(figure)
                self.fields[cost_field_name(figure)] = forms.CharField(
                    label=label if figure in amounts.STAFF_FIELDS else f"{label}（{unit}）",
                    help_text=COST_HELP.get(figure, ""),
                    required=False,
                    max_length=40,
                    initial=amounts.shown_figure(
                        figure, snapshot.get(cost_key(figure), ""), amount_unit=frame.amount_unit
                    ),
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 16}),
                    disabled="costs" not in editable,
                )
        else:
            for target_id, target in frame.targets.items():
                text_key, reason_key = target_keys(target_id)
                revised_name, reason_name = target_field_names(target_id)
                self.fields[revised_name] = _text_field(
                    _("Revised target"),
                    3,
                    snapshot.get(text_key, target.revised_text),
                    disabled="targets" not in editable,
                )
                self.fields[reason_name] = _text_field(
                    _("Reason for the revision"),
                    2,
                    snapshot.get(reason_key, target.revision_reason),
                    disabled="targets" not in editable,
                )

    # ----------------------------------------------------------------- reading

    def text_fields(self) -> list[FieldRow]:
        """The texts in the plan's order (its sections' names when it defines them)."""
        if self.kind != Round.Kind.RESULTS:
            return []
        return [FieldRow(self[slot_field_name(slot)], slot.requirement) for slot in self.slots]

    def rating_fields(self) -> list[FieldRow]:
        dimensions = self.frame.dimensions.values()
        return [
            FieldRow(self[rating_field_name(d.pk)], RATING_REQUIREMENT, self[reason_field_name(d.pk)])
            for d in dimensions
        ]

    def cost_fields(self) -> list[forms.BoundField]:
        if self.kind != Round.Kind.RESULTS:
            return []
        return [self[cost_field_name(figure)] for figure in amounts.ENTERED_FIELDS]

    def target_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        rows = []
        for target_id, target in self.frame.targets.items():
            revised_name, reason_name = target_field_names(target_id)
            rows.append((target, self[revised_name], self[reason_name]))
        return rows

    def entry_data(self) -> EntryData:
        """The posted content of the editable fields, for ``services.entry_save``."""
        data: dict[str, Any] = {}
        cleaned = self.cleaned_data
        if self.kind == Round.Kind.RESULTS:
            for slot in self.slots:
                if slot.builtin and slot.builtin in self.editable:
                    data[slot.builtin] = cleaned.get(slot.builtin, "")
            if "ratings" in self.editable:
                data["ratings"] = {
                    d.pk: (cleaned.get(rating_field_name(d.pk)) or None)
                    for d in self.frame.dimensions.values()
                }
                data["rating_reasons"] = {
                    d.pk: cleaned.get(reason_field_name(d.pk), "") for d in self.frame.dimensions.values()
                }
            if "sections" in self.editable:
                data["sections"] = {
                    slot.key.split(".", 1)[1]: cleaned.get(slot_field_name(slot), "")
                    for slot in self.slots
                    if not slot.builtin
                }
            if "costs" in self.editable:
                data["costs"] = {
                    figure: cleaned.get(cost_field_name(figure), "") for figure in amounts.ENTERED_FIELDS
                }
        elif "targets" in self.editable:
            proposals: dict[int, Any] = {}
            for target_id, target in self.frame.targets.items():
                revised_name, reason_name = target_field_names(target_id)
                revised = cleaned.get(revised_name, "")
                reason = cleaned.get(reason_name, "")
                # The fields start from the target's revision as it stands: left so, they
                # propose nothing; emptied, they propose to clear it.
                unchanged = [text_utils.normalize(v) for v in (revised, reason)] == [
                    text_utils.normalize(v) for v in (target.revised_text, target.revision_reason)
                ]
                proposals[target_id] = (
                    None if unchanged else {"revised_text": revised, "revision_reason": reason}
                )
            data["targets"] = proposals
        return data  # type: ignore[return-value]

    def add_service_errors(self, errors: Mapping[str, list[str]]) -> None:
        """Put a service's field errors (snapshot keys) beside the form's fields."""
        for key, messages in errors.items():
            name = self._field_for(key)
            for message in messages:
                if name is None or name not in self.fields:
                    self.add_error(None, message)
                else:
                    self.add_error(name, message)

    def merged_with(self, conflicts: Iterable[Conflict], current_version: int) -> QueryDict:
        """The posted data to show again after a stale_version refusal: at the current
        version, with the other person's value in every field this person had left as
        it was, and this person's value where both changed it (a three-way merge)."""
        data = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        data["version"] = str(current_version)
        for conflict in conflicts:
            name = self._field_for(conflict.field)
            if name is None or name not in self.fields or self.fields[name].disabled:
                continue
            if self._as_snapshot(conflict.field, data.get(name, "")) == self._shown(
                conflict.field, conflict.before
            ):
                data[name] = self._as_posted(conflict.field, self._shown(conflict.field, conflict.after))
        return data

    def _shown(self, key: str, value: str | None) -> str:
        """What the form shows for a snapshot value: a target proposal that does not exist
        shows the target's revision as it stands (the fields start from it), else empty."""
        if value is not None:
            return value
        parts = key.split(".")
        if parts[0] == "targets" and len(parts) == 3 and parts[1].isdigit():
            target = self.frame.targets.get(int(parts[1]))
            if target is not None:
                shown = target.revised_text if parts[2] == "revised_text" else target.revision_reason
                return text_utils.normalize(shown)
        return ""

    def _as_snapshot(self, key: str, posted: str) -> str:
        """A posted value as the snapshot holds it (a rating as its level's code, a cost
        figure as ``amounts.figure_text`` writes it)."""
        parts = rating_parts(key)
        if parts is not None and not parts[1]:
            level = self.frame.levels.get(int(posted)) if posted.isdigit() else None
            return level.code if level is not None else ""
        if key.startswith("costs."):
            try:
                value = amounts.read_figure(key[6:], posted, amount_unit=self.frame.amount_unit)
            except amounts.FigureError:
                return posted
            return "" if value is None else amounts.figure_text(value)
        return text_utils.normalize(posted)

    def _as_posted(self, key: str, value: str) -> str:
        if key.startswith("costs."):
            return amounts.shown_figure(key[6:], value, amount_unit=self.frame.amount_unit)
        parts = rating_parts(key)
        if parts is not None and not parts[1]:
            dimension = self.frame.dimension_by_key(key.split(".", 1)[1])
            level = self.frame.level_by_code(dimension, value) if dimension and value else None
            return str(level.pk) if level is not None else ""
        return value

    def _field_for(self, key: str) -> str | None:
        parts = key.split(".")
        rating = rating_parts(key)
        if rating is not None:
            dimension = self.frame.dimension_by_key(rating[0])
            if dimension is None:
                return None
            return reason_field_name(dimension.pk) if rating[1] else rating_field_name(dimension.pk)
        if parts[0] == "sections" and len(parts) == 2:
            return f"section_{parts[1]}"
        if parts[0] == "costs" and len(parts) == 2:
            return cost_field_name(parts[1])
        if parts[0] == "targets" and len(parts) == 3 and parts[1].isdigit():
            revised_name, reason_name = target_field_names(int(parts[1]))
            return revised_name if parts[2] == "revised_text" else reason_name
        if key in TEXT_FIELDS:
            return key
        return None


class ActionForm(forms.Form):
    """A reviewer's or the administrator's action on an entry, with its comment."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    action = forms.ChoiceField(
        choices=[(a, a) for a in ("submit", "return", "approve", "reopen")], widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RestoreForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class RoundOpenForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.order_by("code"), empty_label=None)
    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=1900, max_value=2200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Round.Kind.choices, widget=forms.RadioSelect)
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = Round.Kind.RESULTS
        self.fields["deadline"].initial = timezone.localdate() + timedelta(days=30)
        plan = self.fields["plan"].queryset.first()  # type: ignore[attr-defined]
        if plan is not None:
            self.fields["fiscal_year"].initial = min(timezone.localdate().year - 1, plan.last_year)


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"}))


class PublishForm(forms.Form):
    """The confirmation of publishing a round: the number of approved entries the person
    was shown, so that a publication never carries entries they did not see."""

    entries = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReasonForm(forms.Form):
    """A confirmation, e.g. closing a round."""

    confirm = forms.BooleanField(label=_("I understand that this cannot be undone."), required=True)
