"""Staff editing of targets, results, ratings, indicators and costs in the Django admin.

Targets, a node's results and its costs appear as inlines of the node, the hourly
staff costs as inlines of the plan (``plans.admin``); results with their ratings and
section texts, and indicators with their values, have their own pages. Every form
picks a node by autocomplete. Every save, inline row and deletion goes through
``progress.services`` as the signed-in person, each recording its audit row
(``shinchoku.audit.audited_admin``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from shinchoku.audit.audited_admin import AuditedInline, AuditedInlineFormSet, AuditedModelAdmin, Writes
from shinchoku.plans.content import COST_FIGURES
from shinchoku.plans.models import Dimension, Node, ScaleLevel, Section
from shinchoku.progress import services
from shinchoku.progress.models import (
    Cost,
    Indicator,
    IndicatorValue,
    Rating,
    Result,
    ResultSectionText,
    StaffRate,
    Target,
)

#: Compact text boxes for the many text fields of inlines (also used by the plans admin).
SMALL_TEXTAREA: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {
    models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}
}


class LabelledChoiceField(forms.ModelChoiceField):
    """A choice of rows that a form may label otherwise than by ``str(row)``: it sets ``labeller``."""

    labeller: Callable[[Any], str] | None = None

    def label_from_instance(self, obj: Any) -> str:
        if self.labeller is None:
            return super().label_from_instance(obj)
        return self.labeller(obj)


class LabelledMultipleChoiceField(LabelledChoiceField, forms.ModelMultipleChoiceField):
    """A choice of several rows, labelled as in ``LabelledChoiceField``."""


_Field = TypeVar("_Field", bound=forms.Field)


def form_field(fields: Mapping[str, forms.Field], name: str, kind: type[_Field]) -> _Field:
    """The form field ``name``, checked to be a ``kind``."""
    field = fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"The form field {name!r} is a {type(field).__name__}, not a {kind.__name__}.")
    return field


def ratings_prefetch() -> Prefetch:
    return Prefetch("ratings", queryset=Rating.objects.select_related("dimension", "level"))


def ratings_label(result: Result) -> str:
    """A result's ratings in one line, e.g. "達成状況区分 3"."""
    return "; ".join(f"{rating.dimension.name} {rating.level.code}" for rating in result.ratings.all())


def scale_qualified(level: ScaleLevel) -> str:
    """A scale level with its scale's name: codes such as 3 or A repeat from scale to scale."""
    return f"{level.scale.name}: {level}"


def dimension_qualified(dimension: Dimension) -> str:
    return f"{dimension.plan.code} {dimension.level.name}: {dimension.name}"


class RatingLevelListFilter(admin.RelatedFieldListFilter):
    """Filter by rating level, each level named with its scale."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        levels = ScaleLevel.objects.select_related("scale").order_by("scale__code", "position")
        return [(level.pk, scale_qualified(level)) for level in levels]


# Targets and results as inlines of a node -----------------------------------


class TargetInline(AuditedInline, admin.TabularInline):
    model = Target
    writes = Writes(services.target_create, services.target_update, services.target_delete)
    fields = [
        "row",
        "position",
        "start_year",
        "end_year",
        "open_end",
        "text",
        "revised_text",
        "revision_reason",
        "note",
    ]
    formfield_overrides = SMALL_TEXTAREA
    extra = 0


class CostInline(AuditedInline, admin.TabularInline):
    """A node's costs, one row per fiscal year and basis; the total is computed."""

    model = Cost
    writes = Writes(services.cost_create, services.cost_update, services.cost_delete)
    fields = ["fiscal_year", "basis", *COST_FIGURES, "total_cost"]
    readonly_fields = ["total_cost"]
    extra = 0


class StaffRateInline(AuditedInline, admin.TabularInline):
    """A plan's hourly staff cost of each fiscal year."""

    model = StaffRate
    writes = Writes(services.staff_rate_create, services.staff_rate_update, services.staff_rate_delete)
    fields = ["fiscal_year", "hourly_cost"]
    extra = 0


RESULT_WRITES = Writes(services.result_create, services.result_update, services.result_delete)


class NodeResultInline(AuditedInline, admin.TabularInline):
    """A node's results, read only here: each row links to the result's own page."""

    model = Result
    writes = RESULT_WRITES
    fields = readonly_fields = ("fiscal_year", "text_excerpt", "rating_summary")
    show_change_link = True
    can_delete = False
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Node | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Result]:
        return super().get_queryset(request).prefetch_related(ratings_prefetch())

    @admin.display(description=_("result (実施結果)"))
    def text_excerpt(self, result: Result) -> str:
        return Truncator(result.text).chars(80)

    @admin.display(description=_("ratings"))
    def rating_summary(self, result: Result) -> str:
        return ratings_label(result)


# Results and their ratings --------------------------------------------------


class RatingInlineFormSet(AuditedInlineFormSet):
    """Ratings of one result. The choices are the dimensions of the result's node
    and the levels of their scales; Rating.clean refuses a level off its
    dimension's scale, also for a result added in the same form."""

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        dimension_field = form_field(form.fields, "dimension", LabelledChoiceField)
        level_field = form_field(form.fields, "level", LabelledChoiceField)
        node: Node | None = getattr(self.instance, "node", None)
        if node is not None and node.plan_id and node.level_id:
            dimensions = Dimension.objects.filter(plan_id=node.plan_id, level_id=node.level_id)
        else:  # a new result: its node is not chosen yet
            dimensions = Dimension.objects.select_related("plan", "level")
            dimension_field.labeller = dimension_qualified
        levels = ScaleLevel.objects.filter(scale__in=dimensions.values("scale")).select_related("scale")
        dimension_field.queryset = dimensions
        level_field.queryset = levels.order_by("scale__code", "position")
        level_field.labeller = scale_qualified


class RatingInline(AuditedInline, admin.TabularInline):
    model = Rating
    formset = RatingInlineFormSet
    writes = Writes(services.rating_create, services.rating_update, services.rating_delete)
    formfield_overrides = {
        models.ForeignKey: {"form_class": LabelledChoiceField},
        **SMALL_TEXTAREA,
    }
    fields = ["dimension", "level", "reason"]
    extra = 0


class ResultSectionTextInlineFormSet(AuditedInlineFormSet):
    """A result's texts of its level's sections of each year that have no field of their own."""

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        section_field = form_field(form.fields, "section", forms.ModelChoiceField)
        node: Node | None = getattr(self.instance, "node", None)
        section_field.queryset = (
            Section.objects.filter(level_id=node.level_id, scope=Section.Scope.YEAR, builtin="")
            if node is not None and node.level_id
            else Section.objects.none()
        )


class ResultSectionTextInline(AuditedInline, admin.TabularInline):
    model = ResultSectionText
    formset = ResultSectionTextInlineFormSet
    writes = Writes(
        services.result_section_text_create,
        services.result_section_text_update,
        services.result_section_text_delete,
    )
    fields = ["section", "text"]
    formfield_overrides = SMALL_TEXTAREA
    extra = 0


@admin.register(Result)
class ResultAdmin(AuditedModelAdmin):
    writes = RESULT_WRITES
    list_display = ["node", "fiscal_year", "plan", "rating_summary"]
    list_select_related = ["node__plan"]
    list_filter = ["fiscal_year", "node__plan", ("ratings__level", RatingLevelListFilter)]
    search_fields = ["text", "context_change", "response", "highlight", "node__code", "node__title"]
    show_full_result_count = False
    fields = ["node", "fiscal_year", "text", "context_change", "response", "highlight", "note"]
    autocomplete_fields = ["node"]
    inlines = [RatingInline, ResultSectionTextInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Result]:
        return super().get_queryset(request).prefetch_related(ratings_prefetch())

    @admin.display(description=_("ratings"))
    def rating_summary(self, result: Result) -> str:
        return ratings_label(result)

    @admin.display(description=_("plan"), ordering="node__plan__code")
    def plan(self, result: Result) -> str:
        return str(result.node.plan)


# Indicators and their values ------------------------------------------------


class IndicatorValueInline(AuditedInline, admin.TabularInline):
    model = IndicatorValue
    writes = Writes(
        services.indicator_value_create, services.indicator_value_update, services.indicator_value_delete
    )
    fields = ["fiscal_year", "target", "actual", "rate"]
    readonly_fields = ["rate"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[IndicatorValue]:
        return super().get_queryset(request).select_related("indicator")

    @admin.display(description=_("achievement rate (%)"))
    def rate(self, value: IndicatorValue) -> Decimal | str:
        if value.target is None or value.actual is None:  # also spares the empty form a query
            return self.get_empty_value_display()
        return value.achievement_rate or Decimal(0)


@admin.register(Indicator)
class IndicatorAdmin(AuditedModelAdmin):
    writes = Writes(services.indicator_create, services.indicator_update, services.indicator_delete)
    list_display = ["name", "node", "kind", "unit", "direction"]
    list_select_related = ["node"]
    list_filter = ["kind", "direction", "node__plan"]
    search_fields = ["name", "node__code", "node__title"]
    show_full_result_count = False
    autocomplete_fields = ["node"]
    inlines = [IndicatorValueInline]
