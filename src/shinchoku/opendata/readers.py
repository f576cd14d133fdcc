"""The row readers of the open data's tables: each reads one table's rows from the JSON
dataset (``shinchoku.plans.formats.dataset.export``) and from nothing else, so that the
JSON and the CSV never disagree."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from shinchoku.opendata.columns import Row, wareki
from shinchoku.plans.formats.dataset.export import ANCESTORS


def _same(item: dict[str, Any], *names: str) -> Row:
    """The columns named as the dataset's fields, with their values."""
    return {name: item[name] for name in names}


def _results_with_nodes(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], Row]]:
    """Each result with the columns that place a row of it: its node, year, plan and level."""
    nodes = {node["id"]: node for node in data["nodes"]}
    for result in data["results"]:
        node = nodes[result["node_id"]]
        yield (
            result,
            {
                "node_id": result["node_id"],
                "fiscal_year": result["fiscal_year"],
                "fiscal_year_wareki": result["wareki"],
                "plan_code": node["plan"],
                "level_key": node["level_key"],
            },
        )


def plans(data: dict[str, Any]) -> Iterator[Row]:
    for plan in data["plans"]:
        yield {
            "plan_code": plan["code"],
            **_same(plan, "title", "period_label", "first_year"),
            "first_year_wareki": wareki(plan["first_year"]),
            "last_year": plan["last_year"],
            "last_year_wareki": wareki(plan["last_year"]),
            **_same(plan, "onwards", "description", "note", "amount_unit"),
        }


def levels(data: dict[str, Any]) -> Iterator[Row]:
    for plan in data["plans"]:
        for level in plan["levels"]:
            yield {
                "plan_code": plan["code"],
                "level_key": level["key"],
                **_same(level, "depth", "kind", "name", "name_en", "rated"),
            }


def markers(data: dict[str, Any]) -> Iterator[Row]:
    for plan in data["plans"]:
        for position, marker in enumerate(plan["markers"]):
            yield {
                "plan_code": plan["code"],
                "symbol": marker["symbol"],
                "position": position,
                **_same(marker, "name", "name_en", "meaning", "note"),
            }


def dimensions(data: dict[str, Any]) -> Iterator[Row]:
    for plan in data["plans"]:
        for position, dimension in enumerate(plan["dimensions"]):
            yield {
                "plan_code": plan["code"],
                "level_key": dimension["level"],
                "dimension_key": dimension["key"],
                "position": position,
                **_same(dimension, "name", "name_en"),
                "scale_code": dimension["scale"],
                "primary": dimension["primary"],
            }


def scales(data: dict[str, Any]) -> Iterator[Row]:
    for scale in data["scales"]:
        yield {
            "scale_code": scale["code"],
            **_same(scale, "name", "name_en", "good_end", "description"),
        }


def scale_levels(data: dict[str, Any]) -> Iterator[Row]:
    for scale in data["scales"]:
        for level in scale["levels"]:
            yield {
                "scale_code": scale["code"],
                "level_code": level["code"],
                **_same(level, "position", "label", "label_en", "adverse", "row_label", "column_label"),
            }


def units(data: dict[str, Any]) -> Iterator[Row]:
    for unit in data["units"]:
        yield {
            "unit_code": unit["code"],
            "name": unit["name"],
            "kind": unit["kind"],
            "parent_code": unit["parent"],
        }


def nodes(data: dict[str, Any]) -> Iterator[Row]:
    # A part of the dataset says the ancestors of its nodes that are in other parts.
    by_id = {node["id"]: node for node in (*data.get(ANCESTORS, ()), *data["nodes"])}

    def path(node: dict[str, Any]) -> str:
        codes = [node["code"]]
        parent = node["parent_id"]
        while parent is not None and parent in by_id:
            codes.append(by_id[parent]["code"])
            parent = by_id[parent]["parent_id"]
        return "/".join(reversed(codes))

    for node in data["nodes"]:
        yield {
            "node_id": node["id"],
            "plan_code": node["plan"],
            "code": node["code"],
            "parent_id": node["parent_id"],
            "path": path(node),
            "level_key": node["level_key"],
            "level_kind": node["level"],
            **_same(node, "label", "position", "title", "summary", "baseline", "note"),
        }


def node_markers(data: dict[str, Any]) -> Iterator[Row]:
    for node in data["nodes"]:
        for symbol in node["markers"]:
            yield {"node_id": node["id"], "plan_code": node["plan"], "symbol": symbol}


def node_units(data: dict[str, Any]) -> Iterator[Row]:
    for node in data["nodes"]:
        for role in node["units"]:
            yield {"node_id": node["id"], "unit_code": role["unit"], "role": role["role"]}


def _numbered(rows: list[Row], name: str, order: Callable[[Row], tuple[Any, ...]]) -> list[Row]:
    """Number the rows of each node 1, 2 … in ``order``, into the column ``name``."""
    rows = sorted(rows, key=lambda row: (row["node_id"], *order(row)))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["node_id"]] = counts.get(row["node_id"], 0) + 1
        row[name] = counts[row["node_id"]]
    return rows


def _target_order(target: dict[str, Any]) -> tuple[Any, ...]:
    return (
        target["row"],
        target["start_year"],
        target["position"],
        target["end_year"],
        target["open_end"],
        target["text"],
        target["revised_text"],
        target["revision_reason"],
        target["note"],
    )


def targets(data: dict[str, Any]) -> Iterator[Row]:
    for target in _numbered([dict(target) for target in data["targets"]], "target_no", _target_order):
        yield {
            **_same(target, "node_id", "target_no", "row", "position", "fiscal_year"),
            "fiscal_year_wareki": wareki(target["fiscal_year"]),
            "start_year": target["start_year"],
            "start_year_wareki": wareki(target["start_year"]),
            "end_year": target["end_year"],
            "end_year_wareki": wareki(target["end_year"]),
            **_same(target, "open_end", "period_label", "text", "revised_text", "revision_reason", "note"),
        }


def results(data: dict[str, Any]) -> Iterator[Row]:
    for result in data["results"]:
        rating = result["rating"] or {}
        yield {
            "node_id": result["node_id"],
            "fiscal_year": result["fiscal_year"],
            "fiscal_year_wareki": result["wareki"],
            "rating_code": rating.get("code"),
            "rating_label": rating.get("label"),
            **_same(result, "text", "context_change", "response", "highlight", "note"),
        }


def ratings(data: dict[str, Any]) -> Iterator[Row]:
    primary = {
        (plan["code"], dimension["level"], dimension["key"]): dimension["primary"]
        for plan in data["plans"]
        for dimension in plan["dimensions"]
    }
    for result, placed in _results_with_nodes(data):
        for rating in result["ratings"]:
            yield {
                **placed,
                "dimension_key": rating["dimension"],
                "dimension_name": rating["dimension_name"],
                "primary": primary.get(
                    (placed["plan_code"], placed["level_key"], rating["dimension"]), False
                ),
                "scale_code": rating["scale"],
                "rating_code": rating["code"],
                "rating_label": rating["label"],
                "reason": rating["reason"],
            }


def _indicator_order(indicator: dict[str, Any]) -> tuple[Any, ...]:
    return (
        indicator["position"],
        indicator["name"],
        indicator["kind"],
        indicator["unit"],
        indicator["direction"],
        indicator["baseline_value"] or "",
        indicator["baseline_year"] or 0,
        json.dumps(indicator["values"], sort_keys=True),
    )


def _numbered_indicators(data: dict[str, Any]) -> list[Row]:
    return _numbered([dict(indicator) for indicator in data["indicators"]], "indicator_no", _indicator_order)


def indicators(data: dict[str, Any]) -> Iterator[Row]:
    for indicator in _numbered_indicators(data):
        yield {
            **_same(
                indicator,
                "node_id",
                "indicator_no",
                "position",
                "name",
                "kind",
                "unit",
                "direction",
                "baseline_value",
                "baseline_year",
            ),
            "baseline_year_wareki": wareki(indicator["baseline_year"]),
        }


def indicator_values(data: dict[str, Any]) -> Iterator[Row]:
    for indicator in _numbered_indicators(data):
        for value in indicator["values"]:
            yield {
                "node_id": indicator["node_id"],
                "indicator_no": indicator["indicator_no"],
                "fiscal_year": value["fiscal_year"],
                "fiscal_year_wareki": value["wareki"],
                **_same(value, "target", "actual", "achievement_rate"),
            }


def sections(data: dict[str, Any]) -> Iterator[Row]:
    for plan in data["plans"]:
        positions: dict[str, int] = {}
        for section in plan["sections"]:
            position = positions[section["level"]] = positions.get(section["level"], -1) + 1
            yield {
                "plan_code": plan["code"],
                "level_key": section["level"],
                "section_key": section["key"],
                "position": position,
                **_same(section, "name", "name_en", "scope"),
                "builtin": section["builtin"] or None,
            }


def node_sections(data: dict[str, Any]) -> Iterator[Row]:
    for node in data["nodes"]:
        for key, text in node["sections"].items():
            yield {
                "node_id": node["id"],
                "plan_code": node["plan"],
                "level_key": node["level_key"],
                "section_key": key,
                "text": text,
            }


def result_sections(data: dict[str, Any]) -> Iterator[Row]:
    for result, placed in _results_with_nodes(data):
        for key, text in result["sections"].items():
            yield {**placed, "section_key": key, "text": text}


def staff_rates(data: dict[str, Any]) -> Iterator[Row]:
    for plan in data["plans"]:
        for rate in plan["staff_rates"]:
            yield {
                "plan_code": plan["code"],
                "fiscal_year": rate["fiscal_year"],
                "fiscal_year_wareki": wareki(rate["fiscal_year"]),
                "hourly_cost": rate["hourly_cost"],
            }


def costs(data: dict[str, Any]) -> Iterator[Row]:
    """The dataset's costs, numbered within their node in the dataset's order (the whole
    period first, then by year and basis)."""
    counts: dict[str, int] = {}
    for cost in data["costs"]:
        counts[cost["node_id"]] = number = counts.get(cost["node_id"], 0) + 1
        yield {
            "node_id": cost["node_id"],
            "cost_no": number,
            **{key: value for key, value in cost.items() if key != "node_id"},
            "fiscal_year_wareki": wareki(cost["fiscal_year"]),
        }
