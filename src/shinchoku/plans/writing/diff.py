"""What writing a plan's content would do, read from the database and never written:
each object of the content new, changed (each field before → after) or unchanged, and
each stored object the content no longer holds removed (``plan_diff``).

The objects are those a person reads in a preview: the plan, its levels, dimensions,
markers and sections, the scales and units it names (a scale with its levels, a unit
with its parent), each node (with its markers, units and texts of its own sections),
and, where the content carries them, the nodes' targets, results (with their ratings,
their reasons and the texts of the sections of the year), indicators (with their
values) and costs, with the plan's hourly staff costs. Targets and indicators are paired
with the stored ones as the writer pairs them (``pairing``), costs are compared as the
writer writes them (``costs``). Every value is compared as text (``values``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shinchoku.interchange.preview import FieldChange, RowPreview, RowStatus, Where
from shinchoku.plans.content import (
    COSTS,
    INDICATORS,
    RESULTS,
    TARGETS,
    IndicatorContent,
    NodeContent,
    PlanContent,
    ScaleContent,
    Source,
    TargetContent,
    YearResultContent,
)
from shinchoku.plans.models import Dimension, Level, Marker, Node, OrgUnit, Plan, Scale, Section
from shinchoku.plans.sections import own_texts
from shinchoku.plans.writing.costs import (
    by_year_and_basis,
    content_rates,
    cost_fields,
    cost_key,
    cost_subject,
    staff_rate_subject,
    stored_cost_fields,
    stored_rates,
)
from shinchoku.plans.writing.pairing import pair_indicators, pair_targets, ranks
from shinchoku.plans.writing.scope import whole_content
from shinchoku.plans.writing.sections import (
    section_fields,
    section_key,
    section_subject,
    stored_section_fields,
)
from shinchoku.plans.writing.values import Fields, fields_of, text, texts_of
from shinchoku.progress.models import Cost, Indicator, Result, Target


@dataclass(frozen=True)
class ObjectDiff:
    """One object of a plan and what writing the content does to it. ``key`` names it
    within the plan, e.g. ("node", "9-1-1") or ("target", "9-1-1", 1, 2011, 2013, False, 0);
    ``fields`` are its values as the content gives them (as stored, for a removed one)."""

    kind: str
    key: tuple[Any, ...]
    subject: str
    status: RowStatus
    changes: tuple[FieldChange, ...] = ()
    #: Where the content's item stands in its file; None for a removed object.
    source: Source = None
    fields: Fields = field(default_factory=dict)


@dataclass
class PlanDiff:
    """What writing a plan's content would do, object by object: the content's objects in
    its order, then the removed ones."""

    plan: str
    objects: list[ObjectDiff]

    @property
    def changed(self) -> bool:
        return any(item.status != RowStatus.UNCHANGED for item in self.objects)

    def count(self, status: RowStatus) -> int:
        return sum(1 for item in self.objects if item.status == status)

    def counts(self) -> dict[str, int]:
        """The number of objects by status ("new", "changed" …), those of none left out."""
        return {status.value: count for status in RowStatus if (count := self.count(status))}

    def rows(self, where: Callable[[ObjectDiff], Where]) -> list[RowPreview]:
        """The preview's rows, each placed by ``where`` (the converter's: where the
        object stands in its file)."""
        return [RowPreview(where(item), item.subject, item.status, item.changes) for item in self.objects]

    def audit_changes(self) -> dict[str, dict[str, Any]]:
        """The changes as the audit log keeps them: each changed field of each object
        before → after (``"node 9-1-1 …: title"``); a new object by its name, a removed one
        with its values."""
        changes: dict[str, dict[str, Any]] = {}
        for item in self.objects:
            if item.status == RowStatus.CHANGED:
                for change in item.changes:
                    name = _unique(changes, f"{item.subject}: {change.field}")
                    changes[name] = {"before": change.before, "after": change.after}
            elif item.status == RowStatus.NEW:
                changes[_unique(changes, item.subject)] = {"before": None, "after": item.subject}
            elif item.status == RowStatus.REMOVED:
                changes[_unique(changes, item.subject)] = {"before": item.fields, "after": None}
        return changes


def _unique(taken: dict[str, Any], name: str) -> str:
    number, candidate = 2, name
    while candidate in taken:
        candidate, number = f"{name} ({number})", number + 1
    return candidate


_PLAN = ("title", "period_label", "first_year", "last_year", "onwards", "description", "note", "amount_unit")
_LEVEL = ("depth", "kind", "name", "name_en", "rated")
_DIMENSION = ("name", "name_en", "scale", "primary")
_MARKER = ("name", "name_en", "meaning", "note")
_UNIT = ("name", "kind", "parent")
_NODE = (
    "parent",
    "level",
    "label",
    "position",
    "title",
    "summary",
    "baseline",
    "note",
    "markers",
    "units",
    "sections",
)
_TARGET = (
    "row",
    "start_year",
    "end_year",
    "open_end",
    "text",
    "revised_text",
    "revision_reason",
    "note",
    "position",
)
_RESULT = ("text", "context_change", "response", "highlight", "note", "ratings", "reasons", "sections")
_RESULT_TEXTS = _RESULT[:5]
_INDICATOR = ("name", "kind", "unit", "direction", "baseline_value", "baseline_year", "position", "values")


def _scale_levels(levels: Iterable[tuple[int, str, str, str, bool, str, str]]) -> str:
    return "; ".join(
        f"{position} {code} {label}"
        + (f" / {label_en}" if label_en else "")
        + (" (adverse)" if adverse else "")
        + (f" [{row} × {column}]" if row or column else "")
        for position, code, label, label_en, adverse, row, column in sorted(levels)
    )


def _scale_fields(scale: ScaleContent) -> Fields:
    return {
        **fields_of(scale, ("name", "name_en", "good_end", "description")),
        "levels": _scale_levels(
            (
                level["position"],
                level["code"],
                level["label"],
                level["label_en"],
                level["adverse"],
                level["row_label"],
                level["column_label"],
            )
            for level in scale["levels"]
        ),
    }


def _stored_scale_fields(scale: Scale) -> Fields:
    return {
        **fields_of(scale, ("name", "name_en", "good_end", "description")),
        "levels": _scale_levels(
            (
                level.position,
                level.code,
                level.label,
                level.label_en,
                level.adverse,
                level.row_label,
                level.column_label,
            )
            for level in scale.levels.all()
        ),
    }


def _stored_unit_fields(unit: OrgUnit) -> Fields:
    return {**fields_of(unit, ("name", "kind")), "parent": unit.parent.code if unit.parent else ""}


def _node_fields(node: NodeContent, parent: NodeContent | None) -> Fields:
    return {
        **fields_of(node, ("label", "position", "title", "summary", "baseline", "note")),
        "parent": parent.code if parent is not None else "",
        "level": node.level,
        "markers": " ".join(sorted(set(node.markers))),
        "units": ", ".join(sorted({f"{role.unit} ({role.role})" for role in node.units})),
        "sections": texts_of(node.sections),
    }


def _stored_node_fields(node: Node, codes: dict[int, str]) -> Fields:
    return {
        **fields_of(node, ("label", "position", "title", "summary", "baseline", "note")),
        "parent": codes.get(node.parent_id, "") if node.parent_id else "",
        "level": node.level.key,
        "markers": " ".join(sorted(marker.symbol for marker in node.markers.all())),
        "units": ", ".join(sorted(f"{role.unit.code} ({role.role})" for role in node.unit_roles.all())),
        "sections": texts_of(own_texts(node)),
    }


def _result_fields(result: YearResultContent) -> Fields:
    return {
        **fields_of(result, _RESULT_TEXTS),
        "ratings": ", ".join(sorted(f"{rating.dimension}: {rating.level}" for rating in result.ratings)),
        "reasons": texts_of({rating.dimension: rating.reason for rating in result.ratings if rating.reason}),
        "sections": texts_of(result.sections),
    }


def _stored_result_fields(result: Result) -> Fields:
    ratings = result.ratings.all()
    return {
        **fields_of(result, _RESULT_TEXTS),
        "ratings": ", ".join(sorted(f"{rating.dimension.key}: {rating.level.code}" for rating in ratings)),
        "reasons": texts_of({rating.dimension.key: rating.reason for rating in ratings if rating.reason}),
        "sections": texts_of(own_texts(result)),
    }


def _values_text(values: Iterable[tuple[int, Decimal | None, Decimal | None]]) -> str:
    return "; ".join(f"{year}: {text(target)} / {text(actual)}" for year, target, actual in sorted(values))


def _indicator_fields(indicator: IndicatorContent) -> Fields:
    return {
        **fields_of(indicator, _INDICATOR[:-1]),
        "values": _values_text((value.fiscal_year, value.target, value.actual) for value in indicator.values),
    }


def _stored_indicator_fields(indicator: Indicator) -> Fields:
    return {
        **fields_of(indicator, _INDICATOR[:-1]),
        "values": _values_text(
            (value.fiscal_year, value.target, value.actual) for value in indicator.values.all()
        ),
    }


# ------------------------------------------------------------------ the subjects


def _position(item: Any) -> Any:
    return item["position"] if isinstance(item, dict) else item.position


def _ranks_by_level(
    items: list[Any], key: Callable[[Any], tuple[str, str]], position: Callable[[Any], Any]
) -> dict[tuple[str, str], int]:
    """Each dimension's place among those of its level."""
    by_level: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        by_level[key(item)[0]].append(item)
    found: dict[tuple[str, str], int] = {}
    for level_items in by_level.values():
        found.update(ranks(level_items, key, position))  # type: ignore[arg-type]
    return found


def _node_id(plan: str, code: str) -> str:
    return f"{plan}:{code}"


def _target_subject(plan: str, node: str, target: Any) -> str:
    return _("target of %(id)s, row %(row)s, position %(position)s") % {
        "id": _node_id(plan, node),
        "row": target.row,
        "position": target.position + 1,  # counted from 1, as a person counts
    }


def _result_subject(plan: str, node: str, year: int) -> str:
    return _("result of %(id)s for %(year)s") % {"id": _node_id(plan, node), "year": year}


def _indicator_subject(plan: str, node: str, name: str) -> str:
    return _("indicator %(name)s of %(id)s") % {"name": name, "id": _node_id(plan, node)}


def _node_subject(plan: str, code: str, title: str) -> str:
    return _("node %(id)s %(title)s") % {"id": _node_id(plan, code), "title": title}


# ------------------------------------------------------------------ comparing


def _by_code(rows: QuerySet[Any], items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The stored rows (scales, units) that the content's ``items`` name, by code."""
    return {row.code: row for row in rows.filter(code__in=[item["code"] for item in items])}


class _Differ:
    def __init__(self, content: PlanContent) -> None:
        self.content = content
        self.code = content.code
        self.objects: list[ObjectDiff] = []
        self.removed: list[ObjectDiff] = []

    def add(
        self,
        kind: str,
        key: tuple[Any, ...],
        subject: str,
        source: Source,
        after: Fields,
        before: Fields | None,
    ) -> None:
        changes: tuple[FieldChange, ...] = ()
        if before is None:
            status = RowStatus.NEW
        else:
            changes = tuple(
                FieldChange(name, name, before.get(name, ""), value)
                for name, value in after.items()
                if before.get(name, "") != value
            )
            status = RowStatus.CHANGED if changes else RowStatus.UNCHANGED
        self.objects.append(ObjectDiff(kind, key, subject, status, changes, source, after))

    def remove(self, kind: str, key: tuple[Any, ...], subject: str, before: Fields) -> None:
        self.removed.append(ObjectDiff(kind, key, subject, RowStatus.REMOVED, fields=before))

    def diff(self) -> PlanDiff:
        content, code = self.content, self.code
        plan = Plan.objects.filter(code=code).first()
        data = content.plan
        self.add(
            "plan",
            ("plan",),
            _("plan %(code)s %(title)s") % {"code": code, "title": data["title"]},
            data["source"],
            fields_of(data, _PLAN),
            fields_of(plan, _PLAN) if plan is not None else None,
        )
        levels = {level.key: level for level in Level.objects.filter(plan=plan)} if plan else {}
        for level in content.levels:
            stored = levels.pop(level["key"], None)
            self.add(
                "level",
                ("level", level["key"]),
                _("level %(key)s of the plan %(plan)s") % {"key": level["key"], "plan": code},
                level["source"],
                fields_of(level, _LEVEL),
                fields_of(stored, _LEVEL) if stored is not None else None,
            )
        dimensions = (
            {
                (dimension.level.key, dimension.key): dimension
                for dimension in Dimension.objects.filter(plan=plan).select_related("level", "scale")
            }
            if plan
            else {}
        )
        # A dimension's place among those of its level, and a marker's in the plan: their
        # order, not their numbers (a file may give none).
        dimension_order = _ranks_by_level(content.dimensions, lambda d: (d["level"], d["key"]), _position)
        stored_order = _ranks_by_level(list(dimensions.values()), lambda d: (d.level.key, d.key), _position)
        for dimension in content.dimensions:
            stored_dimension = dimensions.pop((dimension["level"], dimension["key"]), None)
            dimension_key = (dimension["level"], dimension["key"])
            self.add(
                "dimension",
                ("dimension", dimension["level"], dimension["key"]),
                _("dimension %(key)s of the plan %(plan)s") % {"key": dimension["key"], "plan": code},
                dimension["source"],
                {**fields_of(dimension, _DIMENSION), "order": text(dimension_order[dimension_key] + 1)},
                {
                    **fields_of(stored_dimension, _DIMENSION),
                    "scale": stored_dimension.scale.code,
                    "order": text(stored_order[dimension_key] + 1),
                }
                if stored_dimension is not None
                else None,
            )
        markers = {marker.symbol: marker for marker in Marker.objects.filter(plan=plan)} if plan else {}
        marker_order = ranks(content.markers, lambda m: m["symbol"], _position)
        stored_marker_order = ranks(list(markers.values()), lambda m: m.symbol, _position)
        for marker in content.markers:
            stored_marker = markers.pop(marker["symbol"], None)
            self.add(
                "marker",
                ("marker", marker["symbol"]),
                _("marker %(symbol)s of the plan %(plan)s") % {"symbol": marker["symbol"], "plan": code},
                marker["source"],
                {**fields_of(marker, _MARKER), "order": text(marker_order[marker["symbol"]] + 1)},
                {
                    **fields_of(stored_marker, _MARKER),
                    "order": text(stored_marker_order[marker["symbol"]] + 1),
                }
                if stored_marker is not None
                else None,
            )
        sections = self.sections(plan)
        self.shared(content)
        if content.carries(COSTS):
            self.staff_rates(plan)
        for key, level_row in levels.items():
            self.remove(
                "level",
                ("level", key),
                _("level %(key)s of the plan %(plan)s") % {"key": key, "plan": code},
                fields_of(level_row, _LEVEL),
            )
        for (level_key, key), dimension_row in dimensions.items():
            self.remove(
                "dimension",
                ("dimension", level_key, key),
                _("dimension %(key)s of the plan %(plan)s") % {"key": key, "plan": code},
                {**fields_of(dimension_row, _DIMENSION), "scale": dimension_row.scale.code},
            )
        for symbol, marker_row in markers.items():
            self.remove(
                "marker",
                ("marker", symbol),
                _("marker %(symbol)s of the plan %(plan)s") % {"symbol": symbol, "plan": code},
                fields_of(marker_row, _MARKER),
            )
        for (level_key, key), section_row in sections.items():
            self.remove(
                "section",
                section_key(level_key, key),
                section_subject(code, level_key, key),
                stored_section_fields(section_row),
            )
        self.nodes(plan)
        return PlanDiff(code, self.objects + self.removed)

    def sections(self, plan: Plan | None) -> dict[tuple[str, str], Section]:
        """The content's sections; the stored ones it does not hold, by level and key."""
        stored = (
            {
                (section.level.key, section.key): section
                for section in Section.objects.filter(plan=plan).select_related("level")
            }
            if plan
            else {}
        )
        for section in self.content.sections:
            before = stored.pop((section["level"], section["key"]), None)
            self.add(
                "section",
                section_key(section["level"], section["key"]),
                section_subject(self.code, section["level"], section["key"]),
                section["source"],
                section_fields(section),
                stored_section_fields(before) if before is not None else None,
            )
        return stored

    def staff_rates(self, plan: Plan | None) -> None:
        stored = stored_rates(plan.pk if plan else None)
        for rate in self.content.staff_rates:
            before = stored.pop(rate["fiscal_year"], None)
            self.add(
                "staff_rate",
                ("staff_rate", rate["fiscal_year"]),
                staff_rate_subject(self.code, rate["fiscal_year"]),
                rate["source"],
                {"hourly_cost": text(rate["hourly_cost"])},
                {"hourly_cost": text(before.hourly_cost)} if before is not None else None,
            )
        for year, row in stored.items():
            self.remove(
                "staff_rate",
                ("staff_rate", year),
                staff_rate_subject(self.code, year),
                {"hourly_cost": text(row.hourly_cost)},
            )

    def shared(self, content: PlanContent) -> None:
        """The scales and units the content names: new, changed or unchanged, never removed."""
        scales = _by_code(Scale.objects.prefetch_related("levels"), content.scales)
        for scale in content.scales:
            stored = scales.get(scale["code"])
            self.add(
                "scale",
                ("scale", scale["code"]),
                _("scale %(code)s") % {"code": scale["code"]},
                scale["source"],
                _scale_fields(scale),
                _stored_scale_fields(stored) if stored is not None else None,
            )
        units = _by_code(OrgUnit.objects.select_related("parent"), content.units)
        for unit in content.units:
            stored_unit = units.get(unit["code"])
            self.add(
                "unit",
                ("unit", unit["code"]),
                _("unit %(code)s %(name)s") % {"code": unit["code"], "name": unit["name"]},
                unit["source"],
                fields_of(unit, _UNIT),
                _stored_unit_fields(stored_unit) if stored_unit is not None else None,
            )

    def nodes(self, plan: Plan | None) -> None:
        content, code = self.content, self.code
        stored_nodes = (
            list(
                Node.objects.filter(plan=plan)
                .select_related("level")
                .prefetch_related("markers", "unit_roles__unit", "section_texts__section")
                .order_by("outline")
            )
            if plan
            else []
        )
        codes = {node.pk: node.code for node in stored_nodes}
        by_code = {node.code: node for node in stored_nodes}
        targets: dict[int, list[Any]] = defaultdict(list)
        results: dict[int, list[Any]] = defaultdict(list)
        indicators: dict[int, list[Any]] = defaultdict(list)
        costs: dict[int, list[Any]] = defaultdict(list)
        if plan is not None and content.carries(TARGETS):
            for target in Target.objects.filter(node__plan=plan):
                targets[target.node_id].append(target)
        if plan is not None and content.carries(RESULTS):
            for result in Result.objects.filter(node__plan=plan).prefetch_related(
                "ratings__dimension", "ratings__level", "section_texts__section"
            ):
                results[result.node_id].append(result)
        if plan is not None and content.carries(INDICATORS):
            for indicator in Indicator.objects.filter(node__plan=plan).prefetch_related("values"):
                indicators[indicator.node_id].append(indicator)
        if plan is not None and content.carries(COSTS):
            for cost in Cost.objects.filter(node__plan=plan):
                costs[cost.node_id].append(cost)

        walked = list(content.walk())
        for node, parent in walked:
            stored = by_code.pop(node.code, None)
            self.add(
                "node",
                ("node", node.code),
                _node_subject(code, node.code, node.title),
                node.source,
                _node_fields(node, parent),
                _stored_node_fields(stored, codes) if stored is not None else None,
            )
        pks = {node.code: node.pk for node in stored_nodes}
        held: tuple[tuple[str, Callable[[NodeContent, list[Any]], None], dict[int, list[Any]]], ...] = (
            (TARGETS, self.targets, targets),
            (RESULTS, self.results, results),
            (INDICATORS, self.indicators, indicators),
            (COSTS, self.costs, costs),
        )
        for part, compare, rows in held:
            if content.carries(part):
                for node, _parent in walked:
                    pk = pks.get(node.code)
                    compare(node, rows.pop(pk, []) if pk is not None else [])
        for removed in by_code.values():
            self.remove(
                "node",
                ("node", removed.code),
                _node_subject(code, removed.code, removed.title),
                _stored_node_fields(removed, codes),
            )
        # What the removed nodes held goes with them.
        for node_id, target_rows in targets.items():
            for target in target_rows:
                self.remove_target(codes[node_id], target)
        for node_id, result_rows in results.items():
            for result in result_rows:
                self.remove_result(codes[node_id], result)
        for node_id, indicator_rows in indicators.items():
            for indicator in indicator_rows:
                self.remove_indicator(codes[node_id], indicator)
        for node_id, cost_rows in costs.items():
            for cost in cost_rows:
                self.remove_cost(codes[node_id], cost)

    def targets(self, node: NodeContent, stored: list[Target]) -> None:
        pairs, left = pair_targets(stored, node.targets)
        numbers: dict[tuple[Any, ...], int] = defaultdict(int)
        for target, wanted in pairs:
            key = _target_key(node.code, wanted, numbers)
            self.add(
                "target",
                key,
                _target_subject(self.code, node.code, wanted),
                wanted.source,
                fields_of(wanted, _TARGET),
                fields_of(target, _TARGET) if target is not None else None,
            )
        for target in left:
            self.remove_target(node.code, target)

    def remove_target(self, node_code: str, target: Target) -> None:
        self.remove(
            "target",
            ("target", node_code, target.row, target.start_year, target.end_year, target.open_end, target.pk),
            _target_subject(self.code, node_code, target),
            fields_of(target, _TARGET),
        )

    def results(self, node: NodeContent, stored: list[Result]) -> None:
        by_year = {result.fiscal_year: result for result in stored}
        for result in node.results:
            before = by_year.pop(result.fiscal_year, None)
            self.add(
                "result",
                ("result", node.code, result.fiscal_year),
                _result_subject(self.code, node.code, result.fiscal_year),
                result.source,
                _result_fields(result),
                _stored_result_fields(before) if before is not None else None,
            )
        for result_row in by_year.values():
            self.remove_result(node.code, result_row)

    def remove_result(self, node_code: str, result: Result) -> None:
        self.remove(
            "result",
            ("result", node_code, result.fiscal_year),
            _result_subject(self.code, node_code, result.fiscal_year),
            _stored_result_fields(result),
        )

    def indicators(self, node: NodeContent, stored: list[Indicator]) -> None:
        pairs, left = pair_indicators(stored, node.indicators)
        for number, (indicator, wanted) in enumerate(pairs):
            self.add(
                "indicator",
                ("indicator", node.code, number),
                _indicator_subject(self.code, node.code, wanted.name),
                wanted.source,
                _indicator_fields(wanted),
                _stored_indicator_fields(indicator) if indicator is not None else None,
            )
        for indicator_row in left:
            self.remove_indicator(node.code, indicator_row)

    def remove_indicator(self, node_code: str, indicator: Indicator) -> None:
        self.remove(
            "indicator",
            ("indicator", node_code, "removed", indicator.pk),
            _indicator_subject(self.code, node_code, indicator.name),
            _stored_indicator_fields(indicator),
        )

    def costs(self, node: NodeContent, stored: list[Cost]) -> None:
        rates = content_rates(self.content)
        by_key = by_year_and_basis(stored)
        for cost in node.costs:
            before = by_key.pop((cost.fiscal_year, cost.basis), None)
            self.add(
                "cost",
                cost_key(node.code, cost.fiscal_year, cost.basis),
                cost_subject(self.code, node.code, cost.fiscal_year, cost.basis),
                cost.source,
                cost_fields(cost, rates),
                stored_cost_fields(before) if before is not None else None,
            )
        for cost_row in by_key.values():
            self.remove_cost(node.code, cost_row)

    def remove_cost(self, node_code: str, cost: Cost) -> None:
        self.remove(
            "cost",
            cost_key(node_code, cost.fiscal_year, cost.basis),
            cost_subject(self.code, node_code, cost.fiscal_year, cost.basis),
            stored_cost_fields(cost),
        )


def _target_key(
    node_code: str, target: TargetContent, numbers: dict[tuple[Any, ...], int]
) -> tuple[Any, ...]:
    """A new or kept target's key: its node, row and years, numbered among those sharing them."""
    place = ("target", node_code, target.row, target.start_year, target.end_year, target.open_end)
    number = numbers[place]
    numbers[place] += 1
    return (*place, number)


def plan_diff(content: PlanContent) -> PlanDiff:
    """What writing ``content`` would do to the database, object by object; writes nothing.
    A content that speaks for some years only is compared as the whole truth it comes to
    (``scope.whole_content``): the stored rows of the other years, unchanged."""
    return _Differ(whole_content(content)).diff()
