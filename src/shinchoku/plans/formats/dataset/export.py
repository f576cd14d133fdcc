"""The dataset as JSON (docs/open-data.md describes every key).

Identifiers are natural keys, stable across databases: a plan is its code, a node
is ``<plan code>:<node code>``. Lists are sorted, so the same data always gives
the same bytes. The number of queries does not depend on the size of the data.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
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
from shinchoku.text import decimal_text

SCHEMA_VERSION = "1.0"


def node_key(plan_code: str, node_code: str) -> str:
    return f"{plan_code}:{node_code}"


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
    return decimal_text(value) if isinstance(value, Decimal) else value


def _year_fields(year: int) -> dict[str, Any]:
    return {
        "fiscal_year": year,
        "fiscal_year_label": fiscal.western_label(year),
        "wareki": fiscal.wareki_label(year),
    }


#: The dataset's lists of rows that belong to a node, in the order the dataset holds them;
#: every other key is small (the plans, their vocabulary, the units).
NODE_LISTS = ("nodes", "targets", "results", "indicators", "costs")
#: In a part of the dataset (``dataset_parts``), the nodes outside it that are ancestors of
#: its nodes (``id``, ``code``, ``parent_id``): what the path of a node is made of.
ANCESTORS = "ancestors"
#: Nodes read at a time: each part of the dataset holds this many nodes and their rows.
CHUNK = 500


def export_dataset(plans: Iterable[Plan] | None = None) -> dict[str, Any]:
    """Everything about the given plans (default: all) as plain, JSON-ready data, whole in
    memory; ``dataset_parts`` gives the same data a few hundred nodes at a time."""
    parts = dataset_parts(plans)
    data = {key: value for key, value in next(parts).items() if key != ANCESTORS}
    for key in NODE_LISTS:
        data[key] = list(data[key])
    for part in parts:
        for key in NODE_LISTS:
            data[key].extend(part[key])
    return data


def dataset_parts(
    plans: Iterable[Plan] | None = None, *, chunk: int | None = None
) -> Iterator[dict[str, Any]]:
    """The dataset of the given plans (default: all) in parts, at least one: each has every
    key of the dataset, the small ones whole and in ``NODE_LISTS`` the rows of ``chunk``
    nodes (default ``CHUNK``), taken in the dataset's order of nodes, so that the parts' lists one after the
    other are the dataset's. Each part also says the ancestors of its nodes (``ANCESTORS``).
    A part is read in a dozen queries, whatever the size of the plans."""
    plan_list = list(plans if plans is not None else Plan.objects.order_by("code"))
    plan_ids = [plan.pk for plan in plan_list]
    plan_codes = {plan.pk: plan.code for plan in plan_list}
    levels = list(Level.objects.filter(plan_id__in=plan_ids).order_by("plan__code", "depth"))
    head = _head(plan_list, levels)
    index = {
        pk: (node_key(plan_codes[plan_id], code), code, parent_id)
        for pk, plan_id, code, parent_id in Node.objects.filter(plan_id__in=plan_ids).values_list(
            "pk", "plan_id", "code", "parent_id"
        )
    }
    ordered = sorted(index, key=lambda pk: index[pk][0])
    reader = _NodeRows(plan_codes, {key: entry[0] for key, entry in index.items()}, levels)
    size = chunk or CHUNK
    for start in range(0, max(len(ordered), 1), size):
        ids = ordered[start : start + size]
        inside = set(ids)
        ancestors: dict[int, dict[str, Any]] = {}
        for pk in ids:
            parent = index[pk][2]
            while parent is not None and parent not in inside and parent not in ancestors:
                key, code, grandparent = index[parent]
                ancestors[parent] = {
                    "id": key,
                    "code": code,
                    "parent_id": index[grandparent][0] if grandparent is not None else None,
                }
                parent = grandparent
        yield {**head, **reader.rows(ids), ANCESTORS: list(ancestors.values())}


def _head(plan_list: list[Plan], levels: list[Level]) -> dict[str, Any]:
    """The dataset's keys that do not hold rows of nodes: its version, the plans with their
    levels, judgements, markers, sections and staff rates, the scales and the units."""
    plan_ids = [plan.pk for plan in plan_list]
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
    unit_ids = set(
        NodeUnit.objects.filter(node__plan_id__in=plan_ids).values_list("unit_id", flat=True).distinct()
    )
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
        "units": _with_ancestors(unit_ids),
    }


class _NodeRows:
    """The rows of ``NODE_LISTS`` of some nodes of the plans, each list sorted as the
    dataset sorts it (by node first, so that the rows of nodes taken in order follow
    each other in order)."""

    def __init__(self, plan_codes: dict[int, str], node_keys: dict[int, str], levels: list[Level]) -> None:
        self.plan_codes = plan_codes
        self.node_keys = node_keys
        self.level_kinds = {level.pk: level.kind for level in levels}
        self.level_keys = {level.pk: level.key for level in levels}

    def rows(self, ids: list[int]) -> dict[str, list[dict[str, Any]]]:
        return {
            "nodes": self.nodes(ids),
            "targets": self.targets(ids),
            "results": self.results(ids),
            "indicators": self.indicators(ids),
            "costs": self.costs(ids),
        }

    def nodes(self, ids: list[int]) -> list[dict[str, Any]]:
        node_keys = self.node_keys
        nodes = Node.objects.in_bulk(ids)
        markers: dict[int, list[str]] = defaultdict(list)
        for node_id, symbol in (
            Node.markers.through.objects.filter(node_id__in=ids)
            .order_by("marker__position", "marker__symbol")
            .values_list("node_id", "marker__symbol")
        ):
            markers[node_id].append(symbol)
        roles: dict[int, list[dict[str, str]]] = defaultdict(list)
        for role in (
            NodeUnit.objects.filter(node_id__in=ids).select_related("unit").order_by("role", "unit__code")
        ):
            roles[role.node_id].append({"unit": role.unit.code, "role": role.role})
        texts = _texts(
            NodeSectionText.objects.filter(node_id__in=ids).select_related("section").order_by(*_TEXT_ORDER),
            "node",
        )
        return [
            {
                "id": node_keys[node.pk],
                "plan": self.plan_codes[node.plan_id],
                "parent_id": node_keys.get(node.parent_id) if node.parent_id else None,
                "level": self.level_kinds[node.level_id],
                "level_key": self.level_keys[node.level_id],
                "code": node.code,
                "label": node.label,
                "position": node.position,
                "title": node.title,
                "summary": node.summary,
                "baseline": node.baseline,
                "note": node.note,
                "markers": markers.get(node.pk, []),
                "units": roles.get(node.pk, []),
                "sections": texts.get(node.pk, {}),
            }
            for node in (nodes[pk] for pk in ids)
        ]

    def targets(self, ids: list[int]) -> list[dict[str, Any]]:
        rows = [
            {
                "node_id": self.node_keys[target.node_id],
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
            for target in Target.objects.filter(node_id__in=ids).order_by("node_id", "row", "position")
        ]
        # Rows of one node may share row and position: their content decides, not the database.
        rows.sort(key=lambda row: (row["node_id"], row["row"], row["position"], _content(row)))
        return rows

    def results(self, ids: list[int]) -> list[dict[str, Any]]:
        ratings_by_result: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for result_id, *rating in (
            Rating.objects.filter(result__node_id__in=ids)
            .order_by("dimension__position", "dimension__key")
            .values_list("result_id", *_RATING_FIELDS.values())
        ):
            ratings_by_result[result_id].append(dict(zip(_RATING_FIELDS, rating, strict=True)))
        texts = _texts(
            ResultSectionText.objects.filter(result__node_id__in=ids)
            .select_related("section")
            .order_by(*_TEXT_ORDER),
            "result",
        )
        rows = []
        for result in Result.objects.filter(node_id__in=ids):
            ratings = ratings_by_result.get(result.pk, [])
            primary = next((rating for rating in ratings if rating["primary"]), None)
            rows.append(
                {
                    "node_id": self.node_keys[result.node_id],
                    **_year_fields(result.fiscal_year),
                    "text": result.text,
                    "rating": _rating_object(primary),
                    "ratings": [_rating_object(rating) for rating in ratings],
                    "context_change": result.context_change,
                    "response": result.response,
                    "highlight": result.highlight,
                    "note": result.note,
                    "sections": texts.get(result.pk, {}),
                }
            )
        rows.sort(key=lambda row: (row["node_id"], row["fiscal_year"]))
        return rows

    def indicators(self, ids: list[int]) -> list[dict[str, Any]]:
        values_by_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
        for value in IndicatorValue.objects.filter(indicator__node_id__in=ids).order_by("fiscal_year"):
            values_by_indicator[value.indicator_id].append(value)
        rows = [
            {
                "node_id": self.node_keys[indicator.node_id],
                "position": indicator.position,
                "name": indicator.name,
                "kind": indicator.kind,
                "unit": indicator.unit,
                "direction": indicator.direction,
                "baseline_value": decimal_text(indicator.baseline_value),
                "baseline_year": indicator.baseline_year,
                "values": [
                    {
                        **_year_fields(value.fiscal_year),
                        "target": decimal_text(value.target),
                        "actual": decimal_text(value.actual),
                        "achievement_rate": decimal_text(
                            achievement_rate(indicator.direction, value.target, value.actual)
                        ),
                    }
                    for value in values_by_indicator.get(indicator.pk, [])
                ],
            }
            for indicator in Indicator.objects.filter(node_id__in=ids).order_by("node_id", "position")
        ]
        rows.sort(key=lambda row: (row["node_id"], row["position"], _content(row)))
        return rows

    def costs(self, ids: list[int]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = [
            {
                "node_id": self.node_keys[cost.node_id],
                "fiscal_year": cost.fiscal_year,
                "basis": cost.basis,
                **{name: _cost_value(getattr(cost, name)) for name in COST_KEYS},
            }
            for cost in Cost.objects.filter(node_id__in=ids)
        ]
        # The whole period's cost (no year) first, then by year; the bases in their order.
        rows.sort(key=lambda row: (row["node_id"], row["fiscal_year"] or 0, _BASES[row["basis"]]))
        return rows


_TEXT_ORDER = ("section__position", "section__key")
#: A rating's keys in the dataset (before ``_rating_object`` leaves out ``primary``), and
#: where each is read.
_RATING_FIELDS = {
    "dimension": "dimension__key",
    "dimension_name": "dimension__name",
    "primary": "dimension__primary",
    "scale": "dimension__scale__code",
    "code": "level__code",
    "label": "level__label",
    "reason": "reason",
}
_BASES = {basis: index for index, basis in enumerate(Cost.Basis.values)}


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
