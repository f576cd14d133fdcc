"""A person's corrections of a report draft: which values a decision may take, how a
value typed or chosen is checked, and the draft's dataset with the corrections laid over it.

A decision names a place of the dataset (a JSON pointer) and its kind. What a correction
may put there follows the kind:

- ``result_year``: a fiscal year of the plan's period (a result reports on one year);
- ``baseline``, ``target_years``: whether the cell is the measure's 現状 (``BASELINE``) or
  the target of a fiscal year of the period (or of the onwards column); moving a cell from
  one to the other moves its text;
- ``target_measure``, ``programme_assignment``: a node of the draft (a measure of a rated
  level for a target, a node of the level above for an assignment), by its id or code;
- ``rating``: a level of the dimension's scale, or ``None`` for no rating;
- every other kind: text.

The corrections are kept apart from the draft (``ReportDraftCorrection``): the last one
of a place counts. ``corrected`` lays them over a copy of the dataset; a target moved into
a 現状 stays in the list (so that every pointer still names what it named) until ``final``
takes it out.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from shinchoku.errors import ErrorCode, Refusal
from shinchoku.fiscal import both_labels, parse_year, wareki_label, western_label
from shinchoku.plans.formats.report.draft import Decision, assign, resolve
from shinchoku.text import normalize

#: The value that says a cell is the measure's 現状, not a year's target.
BASELINE = "baseline"

YEAR_KINDS = frozenset({"result_year"})
CELL_KINDS = frozenset({"baseline", "target_years"})
NODE_KINDS = frozenset({"target_measure", "programme_assignment"})
RATING_KINDS = frozenset({"rating"})


class CorrectionRefused(Refusal):
    """The value does not fit the place it is meant for; nothing was stored."""

    code = ErrorCode.INVALID


@dataclass(frozen=True)
class Choice:
    """A value a decision may be corrected to, as the review page offers it."""

    value: Any
    label: str
    #: The recogniser named it among its alternatives.
    alternative: bool = False


# ------------------------------------------------------------ the dataset's parts


def the_plan(dataset: dict[str, Any]) -> dict[str, Any]:
    plans = dataset.get("plans") or [{}]
    return plans[0] if isinstance(plans[0], dict) else {}


def plan_years(dataset: dict[str, Any]) -> list[int]:
    """The fiscal years of the draft's plan period."""
    plan = the_plan(dataset)
    first, last = plan.get("first_year"), plan.get("last_year")
    if not isinstance(first, int) or not isinstance(last, int) or last < first or last - first > 50:
        return []
    return list(range(first, last + 1))


def target_years(dataset: dict[str, Any]) -> list[int]:
    """The years a target may be set for: the period, and the onwards column after it."""
    years = plan_years(dataset)
    if years and the_plan(dataset).get("onwards"):
        years.append(years[-1] + 1)
    return years


def nodes_by_id(dataset: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["id"]: node for node in dataset.get("nodes", ()) if isinstance(node, dict) and "id" in node}


def level_depths(dataset: dict[str, Any]) -> dict[str, int]:
    return {level["key"]: int(level.get("depth", 0)) for level in the_plan(dataset).get("levels", ())}


def rated_levels(dataset: dict[str, Any]) -> set[str]:
    return {level["key"] for level in the_plan(dataset).get("levels", ()) if level.get("rated")}


def node_name(node: dict[str, Any]) -> str:
    return " ".join(
        part for part in (node.get("label") or node.get("code", ""), node.get("title", "")) if part
    )


def _index(pointer: str, section: str) -> int | None:
    """The index in ``section`` ("results", "targets", "nodes") a pointer starts in."""
    parts = pointer.split("/")
    if len(parts) >= 3 and parts[1] == section and parts[2].isdigit():
        return int(parts[2])
    return None


def scale_of(dataset: dict[str, Any], dimension: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The key of ``dimension`` (the plan's primary one when None) and its scale's levels."""
    dimensions = the_plan(dataset).get("dimensions", ())
    chosen = next(
        (item for item in dimensions if (item.get("key") == dimension if dimension else item.get("primary"))),
        dimensions[0] if dimensions else None,
    )
    if chosen is None:
        return "", []
    scale: dict[str, Any] = next(
        (item for item in dataset.get("scales", ()) if item.get("code") == chosen.get("scale")), {}
    )
    return str(chosen.get("key", "")), list(scale.get("levels", ()))


def _rating_dimension(dataset: dict[str, Any], pointer: str) -> str | None:
    """The dimension a rating decision is about: the rating's own at ``…/ratings/K``."""
    parts = pointer.split("/")
    if len(parts) >= 5 and parts[3] == "ratings" and parts[4].isdigit():
        try:
            return str(resolve(dataset, "/".join(parts[:5]))["dimension"])
        except (KeyError, IndexError, TypeError, ValueError):
            return None
    return None


# ------------------------------------------------------------ what a decision may take


def current_value(dataset: dict[str, Any], decision: Decision) -> Any:
    """What the place of ``decision`` holds now, in the terms its choices use."""
    try:
        value = resolve(dataset, decision.pointer)
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if decision.kind in RATING_KINDS:
        return _rating_code(dataset, decision.pointer)
    if decision.kind in CELL_KINDS:
        target = _index(decision.pointer, "targets")
        if target is None:
            return BASELINE
        return dataset["targets"][target].get("start_year")
    if isinstance(value, dict):
        for key in ("fiscal_year", "node_id", "parent_id", "text", "title"):
            if key in value:
                return value[key]
    return value


def _rating_code(dataset: dict[str, Any], pointer: str) -> str | None:
    result = _index(pointer, "results")
    if result is None:
        return None
    dimension, _levels = scale_of(dataset, _rating_dimension(dataset, pointer))
    for rating in dataset["results"][result].get("ratings") or ():
        if rating.get("dimension") == dimension:
            return str(rating.get("code"))
    return None


def choices(dataset: dict[str, Any], decision: Decision) -> list[Choice]:
    """The values the review page offers for ``decision``: every year for a year, every
    level of the scale for a rating, the recogniser's alternatives for the others."""
    alternatives = list(decision.alternatives)
    if decision.kind in YEAR_KINDS:
        return [Choice(year, both_labels(year), year in alternatives) for year in plan_years(dataset)]
    if decision.kind in CELL_KINDS:
        years = target_years(dataset)
        last = plan_years(dataset)[-1] if years else None
        offered = [
            Choice(BASELINE, _("the baseline (the state when the plan was made)"), BASELINE in alternatives)
        ]
        for year in years:
            label = _("target of %(year)s") % {
                "year": f"{both_labels(year)}以降" if last is not None and year > last else both_labels(year)
            }
            offered.append(Choice(year, label, year in alternatives))
        return offered
    if decision.kind in RATING_KINDS:
        _dimension, levels = scale_of(dataset, _rating_dimension(dataset, decision.pointer))
        offered = [
            Choice(
                str(level["code"]), f"{level['code']} {level.get('label', '')}", level["code"] in alternatives
            )
            for level in levels
        ]
        return [*offered, Choice(None, _("no rating"), None in alternatives)]
    if decision.kind in NODE_KINDS:
        nodes = nodes_by_id(dataset)
        current = current_value(dataset, decision)
        values = [current, *(value for value in alternatives if value != current)]
        return [
            Choice(value, node_name(nodes[value]) if value in nodes else str(value), value in alternatives)
            for value in values
            if isinstance(value, str)
        ]
    return [Choice(value, str(value), True) for value in alternatives if isinstance(value, str)]


def typed_value(dataset: dict[str, Any], decision: Decision, typed: str) -> Any:
    """A value typed into the review page's field, read for ``decision``'s kind and
    checked (``checked_value``). CorrectionRefused when it does not fit."""
    text = typed.strip()
    if decision.kind in YEAR_KINDS | CELL_KINDS:
        year = parse_year(text)
        if year is None:
            raise CorrectionRefused(
                _("“%(text)s” is not a fiscal year: write it as 2012, 2012年度 or 平成24年度.")
                % {"text": text}
            )
        return checked_value(dataset, decision, year)
    if decision.kind in NODE_KINDS:
        plan = the_plan(dataset).get("code", "")
        nodes = nodes_by_id(dataset)
        code = normalize(text)
        value = code if code in nodes else f"{plan}:{code}"
        return checked_value(dataset, decision, value)
    if decision.kind in RATING_KINDS:
        return checked_value(dataset, decision, normalize(text) or None)
    return checked_value(dataset, decision, typed.replace("\r\n", "\n"))


def checked_value(dataset: dict[str, Any], decision: Decision, value: Any) -> Any:
    """``value`` if ``decision``'s place may hold it; CorrectionRefused saying why not."""
    if decision.kind in YEAR_KINDS | CELL_KINDS:
        allowed: list[Any] = plan_years(dataset) if decision.kind in YEAR_KINDS else target_years(dataset)
        if decision.kind in CELL_KINDS and value == BASELINE:
            return value
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            raise CorrectionRefused(
                _("%(value)s is not a fiscal year of the plan's period (%(first)s to %(last)s).")
                % {
                    "value": value,
                    "first": western_label(allowed[0]) if allowed else "?",
                    "last": western_label(allowed[-1]) if allowed else "?",
                }
            )
        return value
    if decision.kind in NODE_KINDS:
        return _checked_node(dataset, decision, value)
    if decision.kind in RATING_KINDS:
        _dimension, levels = scale_of(dataset, _rating_dimension(dataset, decision.pointer))
        codes = [str(level["code"]) for level in levels]
        if value is not None and str(value) not in codes:
            raise CorrectionRefused(
                _("%(value)s is not a level of the rating scale (%(codes)s).")
                % {"value": value, "codes": ", ".join(codes)}
            )
        return None if value is None else str(value)
    if not isinstance(value, str):
        raise CorrectionRefused(_("Give a text."))
    return normalize(value)


def _example(dataset: dict[str, Any]) -> str:
    """The code of the draft's first measure, to show how a node is named."""
    rated = rated_levels(dataset)
    nodes = [node for node in dataset.get("nodes", ()) if not rated or node.get("level_key") in rated]
    return str(nodes[0].get("code", "")) if nodes else ""


def _checked_node(dataset: dict[str, Any], decision: Decision, value: Any) -> str:
    nodes = nodes_by_id(dataset)
    if not isinstance(value, str) or value not in nodes:
        raise CorrectionRefused(
            _(
                "%(value)s is not a node of this draft: give the code of one of its measures, "
                "e.g. %(example)s."
            )
            % {"value": value, "example": _example(dataset)}
        )
    node, depths = nodes[value], level_depths(dataset)
    if decision.kind == "target_measure":
        rated = rated_levels(dataset)
        if rated and node.get("level_key") not in rated:
            raise CorrectionRefused(
                _("%(node)s is not a measure: targets belong to a node of a rated level.")
                % {"node": node_name(node)}
            )
        return value
    child = _index(decision.pointer, "nodes")
    if child is not None:
        own = dataset["nodes"][child]
        if depths.get(node.get("level_key", ""), -1) != depths.get(own.get("level_key", ""), 0) - 1:
            raise CorrectionRefused(
                _("%(node)s is not of the level above %(child)s.")
                % {"node": node_name(node), "child": node_name(own)}
            )
    return value


# ------------------------------------------------------------ the dataset corrected


@dataclass
class Corrected:
    """The draft's dataset with the corrections laid over it. ``moved`` holds the indexes
    of the targets that became a 現状; they are still in the list."""

    dataset: dict[str, Any]
    moved: set[int] = field(default_factory=set)
    #: The pointers a correction set, with the corrected value.
    values: dict[str, Any] = field(default_factory=dict)

    def final(self) -> dict[str, Any]:
        """The dataset to import: the moved targets taken out."""
        final = copy.deepcopy(self.dataset)
        final["targets"] = [
            target for index, target in enumerate(final.get("targets", ())) if index not in self.moved
        ]
        return final


def corrected(dataset: dict[str, Any], corrections: Iterable[tuple[str, str, Any]]) -> Corrected:
    """``dataset`` with ``corrections`` ((pointer, kind, value), oldest first; the last of a
    place counts) laid over a copy of it."""
    last: dict[str, tuple[str, Any]] = {}
    for pointer, kind, value in corrections:
        last.pop(pointer, None)
        last[pointer] = (kind, value)
    result = Corrected(copy.deepcopy(dataset))
    for pointer, (kind, value) in last.items():
        try:
            _apply(result, pointer, kind, value)
        except (KeyError, IndexError, TypeError, ValueError):
            continue  # a place the dataset does not hold: the import's preview names what is wrong
        result.values[pointer] = value
    return result


def _apply(result: Corrected, pointer: str, kind: str, value: Any) -> None:
    dataset = result.dataset
    held = resolve(dataset, pointer)
    if kind in RATING_KINDS:
        _set_rating(dataset, pointer, value)
    elif kind in CELL_KINDS:
        _set_cell(result, pointer, value)
    elif kind in YEAR_KINDS:
        if isinstance(held, dict):
            held["fiscal_year"] = value
        else:
            assign(dataset, pointer, value)
        _relabel_result(dataset, pointer)
    elif isinstance(held, dict):
        key = {"target_measure": "node_id", "programme_assignment": "parent_id"}.get(kind)
        key = key or ("text" if "text" in held else "title")
        held[key] = value
    else:
        assign(dataset, pointer, value)


def _relabel_result(dataset: dict[str, Any], pointer: str) -> None:
    """A result's year labels follow its year (the import derives them again anyway)."""
    index = _index(pointer, "results")
    if index is not None:
        item = dataset["results"][index]
        item["fiscal_year_label"] = western_label(item["fiscal_year"])
        item["wareki"] = wareki_label(item["fiscal_year"])


def _set_rating(dataset: dict[str, Any], pointer: str, code: str | None) -> None:
    index = _index(pointer, "results")
    if index is None:
        raise ValueError(pointer)
    item = dataset["results"][index]
    dimension, levels = scale_of(dataset, _rating_dimension(dataset, pointer))
    ratings = [rating for rating in item.get("ratings") or () if rating.get("dimension") != dimension]
    if code is not None:
        level = next(level for level in levels if str(level["code"]) == code)
        existing: dict[str, Any] = next(
            (r for r in item.get("ratings") or () if r.get("dimension") == dimension), {}
        )
        rating = {**existing, "dimension": dimension, "code": code, "label": level.get("label", "")}
        rating.setdefault("reason", "")
        ratings.append(rating)
    order = [dim.get("key") for dim in the_plan(dataset).get("dimensions", ())]
    ratings.sort(key=lambda rating: order.index(rating["dimension"]) if rating["dimension"] in order else 99)
    item["ratings"] = ratings
    primary = next(
        (dim.get("key") for dim in the_plan(dataset).get("dimensions", ()) if dim.get("primary")), None
    )
    item["rating"] = next((rating for rating in ratings if rating["dimension"] == primary), None)


def _set_cell(result: Corrected, pointer: str, value: Any) -> None:
    """A cell is a 現状 or a year's target: its text goes where the value says."""
    dataset = result.dataset
    target_index = _index(pointer, "targets")
    if target_index is not None:
        target = dataset["targets"][target_index]
        node = nodes_by_id(dataset)[target["node_id"]]
        if value == BASELINE:
            node["baseline"] = "\n".join(part for part in (node.get("baseline", ""), target["text"]) if part)
            result.moved.add(target_index)
        else:
            _set_target_years(dataset, target, value)
        return
    node_index = _index(pointer, "nodes")
    if node_index is None or value == BASELINE:
        return
    node = dataset["nodes"][node_index]
    text = resolve(dataset, pointer)
    if not isinstance(text, str) or not text:
        return
    assign(dataset, pointer, "")
    positions = [t.get("position", 0) for t in dataset["targets"] if t.get("node_id") == node["id"]]
    target = {
        "node_id": node["id"],
        "row": 1,
        "position": max(positions, default=-1) + 1,
        "text": text,
        "revised_text": "",
        "revision_reason": "",
        "note": "",
    }
    _set_target_years(dataset, target, value)
    dataset["targets"].append(target)


def _set_target_years(dataset: dict[str, Any], target: dict[str, Any], year: int) -> None:
    years = plan_years(dataset)
    onwards = bool(years) and year > years[-1]
    target.update(
        fiscal_year=None if onwards else year,
        start_year=year,
        end_year=year,
        open_end=onwards,
        period_label=f"{western_label(year)}以降" if onwards else western_label(year),
    )
