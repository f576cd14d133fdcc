"""The dataset as plans' contents: what the schema cannot say (unique codes, references
between the sections, no cycles, numbers within the models' limits) is checked, and each
plan of the file becomes a ``PlanContent`` (``shinchoku.plans.content``) whose items'
sources are their JSON paths (``("nodes", 3)`` for ``$.nodes[3]``), which
``shinchoku.plans.writing`` compares and writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.db import models
from django.utils.translation import gettext as _

from shinchoku.interchange.preview import Problem
from shinchoku.plans.content import (
    COSTS,
    PARTS,
    DimensionContent,
    IndicatorContent,
    IndicatorValueContent,
    LevelContent,
    MarkerContent,
    NodeContent,
    PlanContent,
    PlanFields,
    RatingContent,
    ScaleContent,
    ScaleLevelContent,
    TargetContent,
    UnitContent,
    UnitRoleContent,
    YearResultContent,
)
from shinchoku.plans.formats.dataset import extras
from shinchoku.plans.formats.dataset.document import JsonPath, json_path, short
from shinchoku.plans.formats.planfile.values import ValueChecker, field_decimal_limits, field_int_range
from shinchoku.plans.formats.planfile.yamlsource import Located
from shinchoku.plans.models import AmountUnit, Level, Node, Plan, ScaleLevel, Section, primary_clashes
from shinchoku.progress.models import Indicator, IndicatorValue, Result, Target


class ProblemLog(Protocol):
    """Where the problems of a reading go (the importer's reader)."""

    problems: list[Problem]

    def fail(self, path: JsonPath, message: str) -> None: ...


@dataclass
class PlanPart:
    """One plan of the file: its place in ``plans`` and its content."""

    index: int
    code: str
    content: PlanContent


class Builder:
    """Checks what the schema cannot say and turns each plan into a PlanContent."""

    def __init__(self, data: dict[str, Any], reader: ProblemLog) -> None:
        self.reader = reader
        self.data = data
        self.values = ValueChecker(Located(self.data, {}))

    def fail(self, path: JsonPath, message: str) -> None:
        self.reader.fail(path, message)

    def whole(
        self, value: Any, path: JsonPath, model: type[models.Model], name: str, year: bool = False
    ) -> int:
        """An integer within the range the model's field holds on every database."""
        if value is None:
            return 0
        low, high = field_int_range(model, name, year=year)
        if not isinstance(value, int):
            self.fail(path, _("expected a whole number, found %(value)s") % {"value": value})
            return 0
        if not low <= value <= high:
            self.fail(
                path,
                _("%(value)s is out of range: must be from %(low)s to %(high)s")
                % {"value": short(str(value), 40), "low": low, "high": high},
            )
            return 0
        return value

    def decimal(
        self, holder: dict, key: str, path: JsonPath, model: type[models.Model], name: str
    ) -> Decimal | None:
        self.values.problems = []
        number = self.values.decimal(holder, key, path, field_decimal_limits(model, name))
        for problem in self.values.problems:
            self.fail(problem.path, problem.message)
        return number

    def once(self, seen: dict[Any, JsonPath], key: Any, path: JsonPath, message: str) -> bool:
        """Refuse a second ``key``; True the first time."""
        if key in seen:
            self.fail(path, message % {"other": json_path(seen[key])})
            return False
        seen[key] = path
        return True

    # -- the sections

    def build(self) -> list[PlanPart]:
        scales = self.scales()
        units = self.units()
        plans: dict[str, PlanPart] = {}
        seen: dict[Any, JsonPath] = {}
        for index, plan in enumerate(self.data["plans"]):
            path: JsonPath = ("plans", index)
            if self.once(
                seen, plan["code"], (*path, "code"), _("the plan code appears twice (also at %(other)s)")
            ):
                plans[plan["code"]] = self.plan(index, plan, scales, units)
        for part in plans.values():  # one dataset rewrites the scales its plans share
            part.content.writes_with = frozenset(plans) - {part.code}
        nodes = self.nodes(plans)
        self.targets(nodes)
        self.results(nodes, plans, scales)
        self.indicators(nodes)
        extras.costs(self, self.data, nodes)
        return list(plans.values())

    def scales(self) -> dict[str, ScaleContent]:
        scales: dict[str, ScaleContent] = {}
        seen: dict[Any, JsonPath] = {}
        for index, scale in enumerate(self.data["scales"]):
            path: JsonPath = ("scales", index)
            if not self.once(
                seen, scale["code"], (*path, "code"), _("the scale code appears twice (also at %(other)s)")
            ):
                continue
            levels: list[ScaleLevelContent] = []
            codes: dict[Any, JsonPath] = {}
            positions: dict[Any, JsonPath] = {}
            for level_index, level in enumerate(scale["levels"]):
                level_path: JsonPath = (*path, "levels", level_index)
                self.once(
                    codes,
                    level["code"],
                    (*level_path, "code"),
                    _("the code appears twice on this scale (also at %(other)s)"),
                )
                position = self.whole(level["position"], (*level_path, "position"), ScaleLevel, "position")
                self.once(
                    positions,
                    position,
                    (*level_path, "position"),
                    _("the position appears twice on this scale (also at %(other)s)"),
                )
                levels.append(
                    {
                        "code": level["code"],
                        "label": level["label"],
                        "label_en": level.get("label_en", ""),
                        "adverse": level["adverse"],
                        "position": position,
                        "row_label": level.get("row_label", ""),
                        "column_label": level.get("column_label", ""),
                        "source": level_path,
                    }
                )
            scales[scale["code"]] = {
                "code": scale["code"],
                "name": scale["name"],
                "name_en": scale.get("name_en", ""),
                "good_end": scale["good_end"],
                "description": scale["description"],
                "levels": levels,
                "source": path,
            }
        return scales

    def units(self) -> list[UnitContent]:
        """Every unit, each after its parent (the writer sets a parent written before)."""
        by_code: dict[str, tuple[int, dict]] = {}
        seen: dict[Any, JsonPath] = {}
        for index, unit in enumerate(self.data["units"]):
            if self.once(
                seen,
                unit["code"],
                ("units", index, "code"),
                _("the unit code appears twice (also at %(other)s)"),
            ):
                by_code[unit["code"]] = (index, unit)
        ordered: list[UnitContent] = []
        placed: set[str] = set()
        for index, unit in by_code.values():
            chain: list[tuple[int, dict]] = []
            current: tuple[int, dict] | None = (index, unit)
            while current is not None and current[1]["code"] not in placed:
                if any(current[1]["code"] == other["code"] for _i, other in chain):
                    self.fail(("units", index, "parent"), _("the unit is its own ancestor"))
                    return []
                chain.append(current)
                parent = current[1]["parent"]
                if parent is None:
                    current = None
                elif parent in by_code:
                    current = by_code[parent]
                else:
                    self.fail(
                        ("units", current[0], "parent"),
                        _("no unit %(code)r is in the file's units") % {"code": parent},
                    )
                    return []
            for unit_index, item in reversed(chain):
                placed.add(item["code"])
                ordered.append(
                    {
                        "code": item["code"],
                        "name": item["name"],
                        "kind": item["kind"],
                        "parent": item["parent"] or "",
                        "source": ("units", unit_index),
                    }
                )
        return ordered

    def plan(
        self, index: int, plan: dict, scales: dict[str, ScaleContent], units: list[UnitContent]
    ) -> PlanPart:
        path: JsonPath = ("plans", index)
        data: PlanFields = {
            "code": plan["code"],
            "title": plan["title"],
            "period_label": plan["period_label"],
            "first_year": self.whole(
                plan["first_year"], (*path, "first_year"), Plan, "first_year", year=True
            ),
            "last_year": self.whole(plan["last_year"], (*path, "last_year"), Plan, "last_year", year=True),
            "onwards": plan["onwards"],
            "description": plan["description"],
            "note": plan["note"],
            "amount_unit": plan.get("amount_unit", AmountUnit.YEN),
            "source": path,
        }
        levels: list[LevelContent] = []
        keys: dict[Any, JsonPath] = {}
        depths: dict[Any, JsonPath] = {}
        for level_index, level in enumerate(plan["levels"]):
            level_path: JsonPath = (*path, "levels", level_index)
            self.once(
                keys, level["key"], (*level_path, "key"), _("the level key appears twice (also at %(other)s)")
            )
            depth = self.whole(level["depth"], (*level_path, "depth"), Level, "depth")
            self.once(depths, depth, (*level_path, "depth"), _("the depth appears twice (also at %(other)s)"))
            levels.append(
                {
                    "depth": depth,
                    "key": level["key"],
                    "kind": level["kind"],
                    "name": level["name"],
                    "name_en": level.get("name_en", ""),
                    "rated": level["rated"],
                    "source": level_path,
                }
            )
        dimensions: list[DimensionContent] = []
        dimension_keys: dict[Any, JsonPath] = {}
        for position, dimension in enumerate(plan["dimensions"]):
            dimension_path: JsonPath = (*path, "dimensions", position)
            if dimension["level"] not in keys:
                self.fail(
                    (*dimension_path, "level"),
                    _("no level %(key)r is in this plan's levels") % {"key": dimension["level"]},
                )
            if dimension["scale"] not in scales:
                self.fail(
                    (*dimension_path, "scale"),
                    _("no scale %(code)r is in the file's scales") % {"code": dimension["scale"]},
                )
            self.once(
                dimension_keys,
                (dimension["level"], dimension["key"]),
                (*dimension_path, "key"),
                _("the dimension appears twice for its level (also at %(other)s)"),
            )
            dimensions.append(
                {
                    "key": dimension["key"],
                    "name": dimension["name"],
                    "name_en": dimension.get("name_en", ""),
                    "level": dimension["level"],
                    "scale": dimension["scale"],
                    "primary": dimension["primary"],
                    "position": position,
                    "source": dimension_path,
                }
            )
        for index, first in primary_clashes((d["level"], d["primary"]) for d in dimensions).items():
            self.fail(
                (*dimensions[index]["source"], "primary"),
                _("a level has at most one primary dimension (another at %(other)s)")
                % {"other": json_path((*dimensions[first]["source"], "primary"))},
            )
        markers: list[MarkerContent] = []
        symbols: dict[Any, JsonPath] = {}
        for position, marker in enumerate(plan["markers"]):
            marker_path: JsonPath = (*path, "markers", position)
            self.once(
                symbols,
                marker["symbol"],
                (*marker_path, "symbol"),
                _("the marker appears twice (also at %(other)s)"),
            )
            markers.append(
                {
                    "symbol": marker["symbol"],
                    "name": marker["name"],
                    "name_en": marker.get("name_en", ""),
                    "meaning": marker["meaning"] or "",
                    "note": marker["note"],
                    "position": position,
                    "source": marker_path,
                }
            )
        # A dataset without costs (from before they were kept) leaves the stored ones alone.
        parts = PARTS if "costs" in self.data else PARTS - {COSTS}
        content = PlanContent(
            plan=data,
            levels=levels,
            # Every scale and unit of the file, with each plan: a scale or unit that no
            # plan uses is written too, and rewriting one with the same data changes nothing.
            scales=list(scales.values()),
            dimensions=dimensions,
            markers=markers,
            units=units,
            nodes=[],
            parts=parts,
            sections=extras.plan_sections(self, plan, path, set(keys)),
            staff_rates=extras.staff_rates(self, plan, path) if COSTS in parts else [],
            places={
                **{
                    section: (*path, section)
                    for section in ("levels", "dimensions", "markers", "sections", "staff_rates")
                },
                "nodes": ("nodes",),
            },
        )
        return PlanPart(index=index, code=plan["code"], content=content)

    def nodes(self, plans: dict[str, PlanPart]) -> dict[str, tuple[PlanPart, NodeContent]]:
        """The nodes by id, each hung under its parent in its plan's content."""
        found: dict[str, tuple[int, PlanPart, NodeContent, str | None]] = {}
        seen: dict[Any, JsonPath] = {}
        unit_codes = {unit["code"] for unit in self.data["units"]}
        for index, node in enumerate(self.data["nodes"]):
            path: JsonPath = ("nodes", index)
            if not self.once(
                seen, node["id"], (*path, "id"), _("the node id appears twice (also at %(other)s)")
            ):
                continue
            part = plans.get(node["plan"])
            if part is None:
                self.fail(
                    (*path, "plan"), _("no plan %(code)r is in the file's plans") % {"code": node["plan"]}
                )
                continue
            if node["id"] != f"{node['plan']}:{node['code']}":
                self.fail(
                    (*path, "id"),
                    _("the id must be the plan's code and the node's code: %(id)r")
                    % {"id": f"{node['plan']}:{node['code']}"},
                )
                continue
            content = part.content
            if not any(level["key"] == node["level_key"] for level in content.levels):
                self.fail(
                    (*path, "level_key"),
                    _("no level %(key)r is in the plan's levels") % {"key": node["level_key"]},
                )
            symbols = {marker["symbol"] for marker in content.markers}
            for marker_index, symbol in enumerate(node["markers"]):
                if symbol not in symbols:
                    self.fail(
                        (*path, "markers", marker_index),
                        _("no marker %(symbol)r is in the plan's markers") % {"symbol": symbol},
                    )
                elif symbol in node["markers"][:marker_index]:
                    self.fail((*path, "markers", marker_index), _("the marker appears twice"))
            roles = []
            for role_index, role in enumerate(node["units"]):
                role_path: JsonPath = (*path, "units", role_index)
                if role["unit"] not in unit_codes:
                    self.fail(
                        (*role_path, "unit"),
                        _("no unit %(code)r is in the file's units") % {"code": role["unit"]},
                    )
                elif role in node["units"][:role_index]:
                    self.fail(role_path, _("the unit appears twice in this role"))
                roles.append(UnitRoleContent(role["unit"], role["role"], source=role_path))
            position = self.whole(node["position"], (*path, "position"), Node, "position")
            found[node["id"]] = (
                index,
                part,
                NodeContent(
                    level=node["level_key"],
                    code=node["code"],
                    title=node["title"],
                    label=node["label"],
                    summary=node["summary"],
                    baseline=node["baseline"],
                    note=node["note"],
                    markers=list(node["markers"]),
                    units=roles,
                    targets=[],
                    results=[],
                    indicators=[],
                    sections=extras.section_texts(
                        self,
                        node.get("sections", {}),
                        (*path, "sections"),
                        part,
                        node["level_key"],
                        Section.Scope.NODE,
                    ),
                    position=position,
                    source=path,
                ),
                node["parent_id"],
            )
        children: dict[str, list[str]] = defaultdict(list)
        for node_id, (index, part, node_spec, parent_id) in found.items():
            if parent_id is None:
                part.content.nodes.append(node_spec)
                continue
            parent = found.get(parent_id)
            if parent is None or parent[1] is not part:
                self.fail(
                    ("nodes", index, "parent_id"),
                    _("no node %(id)r of the same plan is in the file's nodes") % {"id": parent_id},
                )
                continue
            children[parent_id].append(node_id)
        # A node that no top node reaches stands in (or under) a loop of parents.
        reached = [node_id for node_id, item in found.items() if item[3] is None]
        for node_id in reached:  # grows while it is walked
            reached.extend(children.get(node_id, ()))
        seen_ids = set(reached)
        for node_id, (index, _part, _spec, parent_id) in found.items():
            if node_id not in seen_ids and parent_id in found and found[parent_id][1] is found[node_id][1]:
                self.fail(
                    ("nodes", index, "parent_id"),
                    _("the node's parents form a loop: no top node is above it"),
                )
        if self.reader.problems:
            return {}
        for parent_id, child_ids in children.items():
            found[parent_id][2].children.extend(found[child_id][2] for child_id in child_ids)
        return {node_id: (part, spec) for node_id, (_index, part, spec, _parent) in found.items()}

    def node_of(
        self, nodes: dict[str, tuple[PlanPart, NodeContent]], item: dict, path: JsonPath
    ) -> tuple[PlanPart, NodeContent] | None:
        found = nodes.get(item["node_id"])
        if found is None:
            self.fail(
                (*path, "node_id"), _("no node %(id)r is in the file's nodes") % {"id": item["node_id"]}
            )
        return found

    def targets(self, nodes: dict[str, tuple[PlanPart, NodeContent]]) -> None:
        for index, target in enumerate(self.data["targets"]):
            path: JsonPath = ("targets", index)
            found = self.node_of(nodes, target, path)
            row = self.whole(target["row"], (*path, "row"), Target, "row")
            position = self.whole(target["position"], (*path, "position"), Target, "position")
            if found is None:
                continue
            _part, node = found
            node.targets.append(
                TargetContent(
                    row=row,
                    start_year=self.whole(
                        target["start_year"], (*path, "start_year"), Target, "start_year", True
                    ),
                    end_year=self.whole(target["end_year"], (*path, "end_year"), Target, "end_year", True),
                    open_end=target["open_end"],
                    text=target["text"],
                    revised_text=target["revised_text"],
                    revision_reason=target["revision_reason"],
                    note=target["note"],
                    position=position,
                    source=path,
                )
            )

    def results(
        self,
        nodes: dict[str, tuple[PlanPart, NodeContent]],
        plans: dict[str, PlanPart],
        scales: dict[str, ScaleContent],
    ) -> None:
        seen: dict[Any, JsonPath] = {}
        for index, result in enumerate(self.data["results"]):
            path: JsonPath = ("results", index)
            found = self.node_of(nodes, result, path)
            if found is None:
                continue
            part, node = found
            self.once(
                seen,
                (result["node_id"], result["fiscal_year"]),
                (*path, "fiscal_year"),
                _("a second result of the node for this year (the first at %(other)s)"),
            )
            dimensions = {
                dimension["key"]: dimension
                for dimension in part.content.dimensions
                if dimension["level"] == node.level
            }
            ratings: dict[str, RatingContent] = {}
            for rating_index, rating in enumerate(result["ratings"]):
                rating_path: JsonPath = (*path, "ratings", rating_index)
                dimension = dimensions.get(rating["dimension"])
                if dimension is None:
                    self.fail(
                        (*rating_path, "dimension"),
                        _("no dimension %(key)r is in the plan's dimensions for the level %(level)r")
                        % {"key": rating["dimension"], "level": node.level},
                    )
                    continue
                if rating["dimension"] in ratings:
                    self.fail((*rating_path, "dimension"), _("a second rating on this dimension"))
                    continue
                scale = scales.get(dimension["scale"])
                codes = [level["code"] for level in scale["levels"]] if scale else []
                if rating["code"] not in codes:
                    self.fail(
                        (*rating_path, "code"),
                        _("%(code)r is not on the scale %(scale)r (%(codes)s)")
                        % {"code": rating["code"], "scale": dimension["scale"], "codes": ", ".join(codes)},
                    )
                    continue
                ratings[rating["dimension"]] = RatingContent(
                    rating["dimension"], rating["code"], rating_path, reason=rating.get("reason", "")
                )
            node.results.append(
                YearResultContent(
                    fiscal_year=self.whole(
                        result["fiscal_year"], (*path, "fiscal_year"), Result, "fiscal_year", True
                    ),
                    text=result["text"],
                    ratings=list(ratings.values()),
                    context_change=result["context_change"],
                    response=result["response"],
                    highlight=result["highlight"],
                    note=result["note"],
                    sections=extras.section_texts(
                        self,
                        result.get("sections", {}),
                        (*path, "sections"),
                        part,
                        node.level,
                        Section.Scope.YEAR,
                    ),
                    source=path,
                )
            )

    def indicators(self, nodes: dict[str, tuple[PlanPart, NodeContent]]) -> None:
        for index, indicator in enumerate(self.data["indicators"]):
            path: JsonPath = ("indicators", index)
            found = self.node_of(nodes, indicator, path)
            position = self.whole(indicator["position"], (*path, "position"), Indicator, "position")
            baseline_value = self.decimal(indicator, "baseline_value", path, Indicator, "baseline_value")
            baseline_year = self.whole(
                indicator["baseline_year"], (*path, "baseline_year"), Indicator, "baseline_year", year=True
            )
            values: list[IndicatorValueContent] = []
            years: dict[Any, JsonPath] = {}
            for value_index, value in enumerate(indicator["values"]):
                value_path: JsonPath = (*path, "values", value_index)
                self.once(
                    years,
                    value["fiscal_year"],
                    (*value_path, "fiscal_year"),
                    _("a second value for this year (the first at %(other)s)"),
                )
                values.append(
                    IndicatorValueContent(
                        fiscal_year=self.whole(
                            value["fiscal_year"],
                            (*value_path, "fiscal_year"),
                            IndicatorValue,
                            "fiscal_year",
                            True,
                        ),
                        target=self.decimal(value, "target", value_path, IndicatorValue, "target"),
                        actual=self.decimal(value, "actual", value_path, IndicatorValue, "actual"),
                        source=value_path,
                    )
                )
            if found is None:
                continue
            _part, node = found
            node.indicators.append(
                IndicatorContent(
                    name=indicator["name"],
                    kind=indicator["kind"],
                    unit=indicator["unit"],
                    direction=indicator["direction"],
                    baseline_value=baseline_value,
                    baseline_year=baseline_year if indicator["baseline_year"] is not None else None,
                    values=values,
                    position=position,
                    source=path,
                )
            )
