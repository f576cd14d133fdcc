"""Staff editing of a plan's structure in the Django admin.

Every save, inline row and deletion goes through ``plans.services`` (and
``progress.services`` for a node's targets and costs and a plan's hourly staff costs)
as the signed-in person, each recording its
audit row (``shinchoku.audit.audited_admin``); a node's history page lists them. A node
is saved by ``services.node_save``, so a move in the admin moves its subtree's paths
too. A city has up to 100,000 nodes: forms pick a node by autocomplete, never from a
<select> of all nodes, and the lists do not count the whole table.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shinchoku.audit.audited_admin import AuditedInline, AuditedInlineFormSet, AuditedModelAdmin, Writes
from shinchoku.plans import services
from shinchoku.plans.models import (
    Dimension,
    Level,
    Marker,
    Node,
    NodeSectionText,
    NodeUnit,
    OrgUnit,
    Plan,
    Scale,
    ScaleLevel,
    Section,
    primary_clashes,
)
from shinchoku.progress.admin import (
    SMALL_TEXTAREA,
    CostInline,
    LabelledChoiceField,
    LabelledMultipleChoiceField,
    NodeResultInline,
    StaffRateInline,
    TargetInline,
    form_field,
)
from shinchoku.progress.models import Indicator, Result


def plan_qualified(obj: Level | Marker) -> str:
    """A level's or marker's name with its plan's code: names repeat from plan to plan."""
    return f"{obj.plan.code}: {obj}"


class PlanQualifiedListFilter(admin.RelatedFieldListFilter):
    """A filter over a plan's own rows (levels, markers), each named with its plan."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        rows = field.related_model._default_manager.select_related("plan")
        return [(row.pk, plan_qualified(row)) for row in rows]


# Plans ----------------------------------------------------------------------


class LevelInline(AuditedInline, admin.TabularInline):
    model = Level
    writes = Writes(services.level_create, services.level_update, services.level_delete)
    fields = ["depth", "key", "kind", "name", "name_en", "rated"]
    extra = 0


class MarkerInline(AuditedInline, admin.TabularInline):
    model = Marker
    writes = Writes(services.marker_create, services.marker_update, services.marker_delete)
    fields = ["position", "symbol", "name", "name_en", "meaning", "note"]
    formfield_overrides = SMALL_TEXTAREA
    extra = 0


class DimensionInlineFormSet(AuditedInlineFormSet):
    """The plan's dimensions: at most one primary per level (a conditional
    constraint, which model validation leaves to the database)."""

    def clean(self) -> None:
        super().clean()
        marked = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            kept = not data.get("DELETE") and data.get("level") is not None
            marked.append((data["level"].pk if kept else None, kept and bool(data.get("primary"))))
        for index in primary_clashes(marked):
            self.forms[index].add_error("primary", _("Only one dimension per level can be primary."))


class DimensionInline(AuditedInline, admin.TabularInline):
    model = Dimension
    formset = DimensionInlineFormSet
    writes = Writes(services.dimension_create, services.dimension_update, services.dimension_delete)
    fields = ["position", "key", "name", "name_en", "level", "scale", "primary"]
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Plan | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        level_field = form_field(formset.form.base_fields, "level", forms.ModelChoiceField)
        # The plan's own levels only; a new plan has none until it is saved.
        level_field.queryset = Level.objects.filter(plan=obj) if obj is not None else Level.objects.none()
        return formset


class SectionInline(AuditedInline, admin.TabularInline):
    model = Section
    writes = Writes(services.section_create, services.section_update, services.section_delete)
    fields = ["position", "key", "name", "name_en", "level", "scope", "builtin"]
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Plan | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        level_field = form_field(formset.form.base_fields, "level", forms.ModelChoiceField)
        level_field.queryset = Level.objects.filter(plan=obj) if obj is not None else Level.objects.none()
        return formset


@admin.register(Plan)
class PlanAdmin(AuditedModelAdmin):
    writes = Writes(services.plan_create, services.plan_update, services.plan_delete)
    list_display = ["code", "title", "period_label", "first_year", "last_year", "onwards"]
    search_fields = ["code", "title"]
    inlines = [LevelInline, MarkerInline, DimensionInline, SectionInline, StaffRateInline]


# Scales ---------------------------------------------------------------------


class ScaleLevelInline(AuditedInline, admin.TabularInline):
    model = ScaleLevel
    writes = Writes(services.scale_level_create, services.scale_level_update, services.scale_level_delete)
    fields = ["position", "code", "label", "label_en", "adverse", "row_label", "column_label"]
    extra = 0


@admin.register(Scale)
class ScaleAdmin(AuditedModelAdmin):
    writes = Writes(services.scale_create, services.scale_update, services.scale_delete)
    list_display = ["code", "name", "good_end"]
    search_fields = ["code", "name"]
    inlines = [ScaleLevelInline]


# Organisation units ---------------------------------------------------------


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedModelAdmin):
    writes = Writes(services.org_unit_create, services.org_unit_update, services.org_unit_delete)
    list_display = ["code", "name", "kind", "parent"]
    list_select_related = ["parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


# Nodes ----------------------------------------------------------------------


class NodeAdminForm(forms.ModelForm):
    """A node's plan is fixed once it exists (its levels, markers and subtree belong
    to that plan); the level and marker choices are then the plan's own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each field may be missing: a staff member who may only view the node gets a form without fields.
        fields = self.fields
        plan_field = fields.get("plan")
        level_field = form_field(fields, "level", LabelledChoiceField) if "level" in fields else None
        marker_field = form_field(fields, "markers", LabelledChoiceField) if "markers" in fields else None
        if self.instance.pk:
            if plan_field is not None:
                plan_field.disabled = True
            if level_field is not None:
                level_field.queryset = Level.objects.filter(plan_id=self.instance.plan_id)
            if marker_field is not None:
                marker_field.queryset = Marker.objects.filter(plan_id=self.instance.plan_id)
        else:
            for field in (level_field, marker_field):
                if field is not None and field.queryset is not None:
                    field.queryset = field.queryset.select_related("plan")
                    field.labeller = plan_qualified

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        plan = cleaned.get("plan")
        try:
            services.node_markers_check(plan.pk if plan is not None else None, cleaned.get("markers") or ())
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class NodeUnitInline(AuditedInline, admin.TabularInline):
    model = NodeUnit
    writes = Writes(services.node_unit_create, services.node_unit_update, services.node_unit_delete)
    fields = ["unit", "role"]
    autocomplete_fields = ["unit"]
    extra = 0


class NodeSectionTextInlineFormSet(AuditedInlineFormSet):
    """A node's texts of its level's sections about the node that have no field of their own."""

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        section_field = form_field(form.fields, "section", forms.ModelChoiceField)
        node = self.instance
        section_field.queryset = (
            Section.objects.filter(level_id=node.level_id, scope=Section.Scope.NODE, builtin="")
            if node.pk and node.level_id
            else Section.objects.none()
        )


class NodeSectionTextInline(AuditedInline, admin.TabularInline):
    model = NodeSectionText
    formset = NodeSectionTextInlineFormSet
    writes = Writes(
        services.node_section_text_create,
        services.node_section_text_update,
        services.node_section_text_delete,
    )
    fields = ["section", "text"]
    formfield_overrides = SMALL_TEXTAREA
    extra = 0


@admin.register(Node)
class NodeAdmin(AuditedModelAdmin):
    form = NodeAdminForm
    writes = Writes(services.node_create, services.node_update, services.node_delete)
    list_display = ["code", "title", "level", "plan", "parent"]
    list_select_related = ["plan", "level", "parent"]
    list_filter = [
        "plan",
        ("level", PlanQualifiedListFilter),
        ("markers", PlanQualifiedListFilter),
        "units",
    ]
    search_fields = ["code", "title", "summary", "baseline"]
    show_full_result_count = False
    fields = [
        "plan",
        "level",
        "parent",
        "code",
        "label",
        "position",
        "title",
        "summary",
        "baseline",
        "markers",
        "note",
        "path",
    ]
    readonly_fields = ["path"]
    autocomplete_fields = ["parent"]
    formfield_overrides = {
        models.ForeignKey: {"form_class": LabelledChoiceField},
        models.ManyToManyField: {
            "form_class": LabelledMultipleChoiceField,
            "widget": forms.CheckboxSelectMultiple,
        },
    }
    inlines = [NodeUnitInline, NodeSectionTextInline, TargetInline, NodeResultInline, CostInline]

    def history_parts(self, obj: Node) -> list[QuerySet[Any]]:
        """The node's results and indicators: their ratings and values are in its history."""
        return [Result.objects.filter(node=obj), Indicator.objects.filter(node=obj)]
