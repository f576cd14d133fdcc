"""The dataset as JSON (docs/open-data.md describes every key).

Identifiers are natural keys, stable across databases: a plan is its code, a node
is ``<plan code>:<node code>``. Lists are sorted, so the same data always gives
the same bytes. The number of queries does not depend on the size of the data.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypedDict

from shinchoku import fiscal
from shinchoku.plans.content import COST_FIGURES
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
)
from shinchoku.plans.selectors import marker_symbols
from shinchoku.progress.models import (
    Cost,
    Indicator,
    IndicatorValue,
    Rating,
    Result,
    ResultSectionText,
    StaffRate,
    Target,
    achievement_rate,
)

SCHEMA_VERSION = "1.0"


def node_key(plan_code: str, node_code: str) -> str:
    return f"{plan_code}:{node_code}"


def _number(value: Decimal | None) -> str | None:
    """Decimals as strings, so that no precision is lost on the way through JSON."""
    if value is None:
        return None
    return format(value.normalize(), "f")


def _texts(rows: Iterable[NodeSectionText | ResultSectionText], owner: str) -> dict[int, dict[str, str]]:
    """The section texts of each node or result (``owner``: the field naming it), by its
    id, each a mapping of the section's key to the text in the sections' order."""
    texts: dict[int, dict[str, str]] = defaultdict(dict)
    for row in rows:
        texts[getattr(row, f"{owner}_id")][row.section.key] = row.text
    return texts


#: A cost's fields in the dataset, after its node, year and basis: exactly these.
COST_KEYS = (*COST_FIGURES, "total_cost")


def _cost_value(value: int | Decimal | None) -> int | str | None:
    return _number(value) if isinstance(value, Decimal) else value


def _year_fields(year: int) -> dict[str, Any]:
    return {
        "fiscal_year": year,
        "fiscal_year_label": fiscal.western_label(year),
        "wareki": fiscal.wareki_label(year),
    }


def export_dataset(plans: Iterable[Plan] | None = None) -> dict[str, Any]:
    """Everything about the given plans (default: all) as plain, JSON-ready data."""
    plan_list = list(plans if plans is not None else Plan.objects.order_by("code"))
    plan_ids = [plan.pk for plan in plan_list]
    plan_codes = {plan.pk: plan.code for plan in plan_list}

    levels = list(Level.objects.filter(plan_id__in=plan_ids).order_by("plan__code", "depth"))
    level_kinds = {level.pk: level.kind for level in levels}
    level_keys = {level.pk: level.key for level in levels}
    dimensions = list(
        Dimension.objects.filter(plan_id__in=plan_ids)
        .select_related("scale", "level")
        .order_by("plan__code", "level__depth", "position", "key")
    )
    scale_ids = {dimension.scale_id for dimension in dimensions}
    scales = list(Scale.objects.filter(pk__in=scale_ids).prefetch_related("levels").order_by("code"))
    markers = list(Marker.objects.filter(plan_id__in=plan_ids).order_by("plan__code", "position", "symbol"))
    sections = list(
        Section.objects.filter(plan_id__in=plan_ids)
        .select_related("level")
        .order_by("plan__code", "level__depth", "position", "key")
    )
    rates = list(StaffRate.objects.filter(plan_id__in=plan_ids).order_by("plan__code", "fiscal_year"))
    text_order = ("section__position", "section__key")

    nodes = list(Node.objects.filter(plan_id__in=plan_ids).order_by("plan__code", "path"))
    node_keys = {node.pk: node_key(plan_codes[node.plan_id], node.code) for node in nodes}
    node_markers = marker_symbols(plan_ids)
    roles: dict[int, list[dict[str, str]]] = defaultdict(list)
    for role in (
        NodeUnit.objects.filter(node__plan_id__in=plan_ids)
        .select_related("unit")
        .order_by("role", "unit__code")
    ):
        roles[role.node_id].append({"unit": role.unit.code, "role": role.role})
    unit_ids = set(NodeUnit.objects.filter(node__plan_id__in=plan_ids).values_list("unit_id", flat=True))
    units = _with_ancestors(unit_ids)
    node_texts = _texts(
        NodeSectionText.objects.filter(node__plan_id__in=plan_ids)
        .select_related("section")
        .order_by(*text_order),
        "node",
    )

    node_rows = []
    ordered_nodes = sorted(nodes, key=lambda node: node_keys[node.pk])
    for node in ordered_nodes:
        node_rows.append(
            {
                "id": node_keys[node.pk],
                "plan": plan_codes[node.plan_id],
                "parent_id": node_keys.get(node.parent_id) if node.parent_id else None,
                "level": level_kinds[node.level_id],
                "level_key": level_keys[node.level_id],
                "code": node.code,
                "label": node.label,
                "position": node.position,
                "title": node.title,
                "summary": node.summary,
                "baseline": node.baseline,
                "note": node.note,
                "markers": node_markers.get(node.pk, []),
                "units": roles.get(node.pk, []),
                "sections": node_texts.get(node.pk, {}),
            }
        )

    target_rows = [
        {
            "node_id": node_keys[target.node_id],
            "row": target.row,
            "position": target.position,
            "fiscal_year": target.fiscal_year,
            "start_year": target.start_year,
            "end_year": target.end_year,
            "open_end": target.open_end,
            # The dataset speaks the plan's language whatever the reader's: Japanese.
            "period_label": fiscal.period_label(
                target.start_year, target.end_year, onwards=target.open_end, language="ja"
            ),
            "text": target.text,
            "revised_text": target.revised_text,
            "revision_reason": target.revision_reason,
            "note": target.note,
        }
        for target in Target.objects.filter(node__plan_id__in=plan_ids).order_by("node_id", "row", "position")
    ]
    # Rows of one node may share row and position: their content decides, not the database.
    target_rows.sort(key=lambda row: (row["node_id"], row["row"], row["position"], _content(row)))

    ratings_by_result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for rating in (
        Rating.objects.filter(result__node__plan_id__in=plan_ids)
        .select_related("dimension__scale", "level")
        .order_by("dimension__position", "dimension__key")
    ):
        ratings_by_result[rating.result_id].append(
            {
                "dimension": rating.dimension.key,
                "dimension_name": rating.dimension.name,
                "primary": rating.dimension.primary,
                "scale": rating.dimension.scale.code,
                "code": rating.level.code,
                "label": rating.level.label,
                "reason": rating.reason,
            }
        )
    result_texts = _texts(
        ResultSectionText.objects.filter(result__node__plan_id__in=plan_ids)
        .select_related("section")
        .order_by(*text_order),
        "result",
    )
    result_rows = []
    for result in Result.objects.filter(node__plan_id__in=plan_ids):
        ratings = ratings_by_result.get(result.pk, [])
        primary = next((rating for rating in ratings if rating["primary"]), None)
        result_rows.append(
            {
                "node_id": node_keys[result.node_id],
                **_year_fields(result.fiscal_year),
                "text": result.text,
                "rating": _rating_object(primary),
                "ratings": [_rating_object(rating) for rating in ratings],
                "context_change": result.context_change,
                "response": result.response,
                "highlight": result.highlight,
                "note": result.note,
                "sections": result_texts.get(result.pk, {}),
            }
        )
    result_rows.sort(key=lambda row: (row["node_id"], row["fiscal_year"]))

    values_by_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in IndicatorValue.objects.filter(indicator__node__plan_id__in=plan_ids).order_by("fiscal_year"):
        values_by_indicator[value.indicator_id].append(value)
    indicator_rows = []
    for indicator in Indicator.objects.filter(node__plan_id__in=plan_ids).order_by("node_id", "position"):
        indicator_rows.append(
            {
                "node_id": node_keys[indicator.node_id],
                "position": indicator.position,
                "name": indicator.name,
                "kind": indicator.kind,
                "unit": indicator.unit,
                "direction": indicator.direction,
                "baseline_value": _number(indicator.baseline_value),
                "baseline_year": indicator.baseline_year,
                "values": [
                    {
                        **_year_fields(value.fiscal_year),
                        "target": _number(value.target),
                        "actual": _number(value.actual),
                        "achievement_rate": _number(
                            achievement_rate(indicator.direction, value.target, value.actual)
                        ),
                    }
                    for value in values_by_indicator.get(indicator.pk, [])
                ],
            }
        )
    indicator_rows.sort(key=lambda row: (row["node_id"], row["position"], _content(row)))

    cost_rows: list[dict[str, Any]] = [
        {
            "node_id": node_keys[cost.node_id],
            "fiscal_year": cost.fiscal_year,
            "basis": cost.basis,
            **{name: _cost_value(getattr(cost, name)) for name in COST_KEYS},
        }
        for cost in Cost.objects.filter(node__plan_id__in=plan_ids)
    ]
    # The whole period's cost (no year) first, then by year; the bases in their order.
    bases = {basis: index for index, basis in enumerate(Cost.Basis.values)}
    cost_rows.sort(key=lambda row: (row["node_id"], row["fiscal_year"] or 0, bases[row["basis"]]))

    return {
        "schema_version": SCHEMA_VERSION,
        "plans": [
            {
                "code": plan.code,
                "title": plan.title,
                "period_label": plan.period_label,
                "first_year": plan.first_year,
                "last_year": plan.last_year,
                "onwards": plan.onwards,
                "description": plan.description,
                "note": plan.note,
                "amount_unit": plan.amount_unit,
                "levels": [_level_object(level) for level in levels if level.plan_id == plan.pk],
                "dimensions": [
                    _dimension_object(dimension) for dimension in dimensions if dimension.plan_id == plan.pk
                ],
                "markers": [_marker_object(marker) for marker in markers if marker.plan_id == plan.pk],
                "sections": [_section_object(section) for section in sections if section.plan_id == plan.pk],
                "staff_rates": [
                    {"fiscal_year": rate.fiscal_year, "hourly_cost": rate.hourly_cost}
                    for rate in rates
                    if rate.plan_id == plan.pk
                ],
            }
            for plan in plan_list
        ],
        "scales": [scale_object(scale, scale.levels.all()) for scale in scales],
        "units": units,
        "nodes": node_rows,
        "targets": target_rows,
        "results": result_rows,
        "indicators": indicator_rows,
        "costs": cost_rows,
    }


def _level_object(level: Level) -> dict[str, Any]:
    return {
        "key": level.key,
        "kind": level.kind,
        "name": level.name,
        "name_en": level.name_en,
        "depth": level.depth,
        "rated": level.rated,
    }


def _dimension_object(dimension: Dimension) -> dict[str, Any]:
    return {
        "key": dimension.key,
        "name": dimension.name,
        "name_en": dimension.name_en,
        "level": dimension.level.key,
        "scale": dimension.scale.code,
        "primary": dimension.primary,
    }


def _section_object(section: Section) -> dict[str, Any]:
    return {
        "key": section.key,
        "name": section.name,
        "name_en": section.name_en,
        "level": section.level.key,
        "scope": section.scope,
        "builtin": section.builtin,
    }


def _marker_object(marker: Marker) -> dict[str, Any]:
    return {
        "symbol": marker.symbol,
        "name": marker.name,
        "name_en": marker.name_en,
        "meaning": marker.meaning or None,
        "note": marker.note,
    }


def _content(row: dict[str, Any]) -> str:
    """A row's whole content as text: the last key of a sort, so that rows the sort's
    other keys cannot tell apart come in the same order on every database."""
    return json.dumps(row, ensure_ascii=False, sort_keys=True)


def _rating_object(rating: dict[str, Any] | None) -> dict[str, Any] | None:
    if rating is None:
        return None
    return {
        "dimension": rating["dimension"],
        "dimension_name": rating["dimension_name"],
        "scale": rating["scale"],
        "code": rating["code"],
        "label": rating["label"],
        "reason": rating["reason"],
    }


class UnitRow(TypedDict):
    """An organisation unit of the dataset's ``units``."""

    code: str
    name: str
    kind: str
    parent: str | None


def _with_ancestors(unit_ids: set[int]) -> list[UnitRow]:
    """The units used, with their parents, sorted by code (one query: units are few)."""
    all_units = {unit.pk: unit for unit in OrgUnit.objects.all()}
    wanted: set[int] = set()
    for unit_id in unit_ids:
        current: int | None = unit_id
        while current is not None and current not in wanted:
            wanted.add(current)
            current = all_units[current].parent_id

    def row(unit: OrgUnit) -> UnitRow:
        return {
            "code": unit.code,
            "name": unit.name,
            "kind": unit.kind,
            "parent": all_units[unit.parent_id].code if unit.parent_id else None,
        }

    return sorted((row(all_units[pk]) for pk in wanted), key=lambda unit: unit["code"])


def scale_object(scale: Scale, levels: Iterable[ScaleLevel]) -> dict[str, Any]:
    """A scale as the dataset holds it, its levels in the order given."""
    return {
        "code": scale.code,
        "name": scale.name,
        "name_en": scale.name_en,
        "good_end": scale.good_end,
        "description": scale.description,
        "levels": [
            {
                "code": level.code,
                "label": level.label,
                "label_en": level.label_en,
                "position": level.position,
                "adverse": level.adverse,
                "row_label": level.row_label,
                "column_label": level.column_label,
            }
            for level in levels
        ],
    }


def dumps(data: dict[str, Any]) -> str:
    """Stable text: UTF-8 Japanese as is, two-space indent, a final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
