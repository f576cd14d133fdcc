"""Comparing a dataset with the database: the rows of the file and of the database's own
export, by natural key, with the fields an import carries (what the export derives is left
out), and what writing a plan anew takes from the review rounds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from shinchoku.interchange.preview import RowPreview, RowStatus, Where
from shinchoku.plans.formats.dataset.document import JsonPath
from shinchoku.plans.formats.dataset.export import scale_object
from shinchoku.plans.formats.matching import UnitRef, match_units
from shinchoku.plans.models import Scale


@dataclass
class Row:
    where: JsonPath | None
    subject: str
    fields: dict[str, str]


def review_losses(plan_codes: list[str], file: str) -> list[RowPreview]:
    """What writing these plans takes from the review rounds: the writer writes a plan's
    targets anew, and proposed revisions of them go with the old rows."""
    from shinchoku.review.models import EntryTarget

    rows = []
    for code in plan_codes:
        count = EntryTarget.objects.filter(target__node__plan__code=code).count()
        if count:
            rows.append(
                RowPreview(
                    Where(file=file),
                    _(
                        "plan %(plan)s: %(count)s proposed target revisions of review rounds (the plan's "
                        "targets are written anew)"
                    )
                    % {"plan": code, "count": count},
                    RowStatus.REMOVED,
                )
            )
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(value: str | None) -> str:
    """A decimal as the export writes it, so that "1.50" and "1.5" compare equal."""
    if value is None:
        return ""
    number = Decimal(value)
    return format(number.normalize(), "f") if number else "0"  # no database keeps -0


def _fields(item: dict, names: Iterable[str]) -> dict[str, str]:
    return {name: _text(item.get(name)) for name in names}


def rows_by_key(data: dict[str, Any], *, with_paths: bool) -> dict[tuple, Row]:
    """The rows of a dataset (the file, or the database's export) by natural key, with
    the fields an import carries (what the export derives is left out)."""
    rows: dict[tuple, Row] = {}

    def add(key: tuple, path: JsonPath, subject: str, fields: dict[str, str]) -> None:
        rows[key] = Row(path if with_paths else None, subject, fields)

    for index, plan in enumerate(data["plans"]):
        code = plan["code"]
        path: JsonPath = ("plans", index)
        add(
            ("plan", code),
            path,
            _("plan %(code)s %(title)s") % {"code": code, "title": plan["title"]},
            _fields(
                plan, ("title", "period_label", "first_year", "last_year", "onwards", "description", "note")
            ),
        )
        for number, level in enumerate(plan["levels"]):
            add(
                ("level", code, level["key"]),
                (*path, "levels", number),
                _("level %(key)s of the plan %(plan)s") % {"key": level["key"], "plan": code},
                _fields(level, ("kind", "name", "name_en", "depth", "rated")),
            )
        ranks: dict[str, int] = defaultdict(int)  # the order among the dimensions of a level
        for number, dimension in enumerate(plan["dimensions"]):
            rank = ranks[dimension["level"]]
            ranks[dimension["level"]] += 1
            add(
                ("dimension", code, dimension["level"], dimension["key"]),
                (*path, "dimensions", number),
                _("dimension %(key)s of the plan %(plan)s") % {"key": dimension["key"], "plan": code},
                {**_fields(dimension, ("name", "name_en", "scale", "primary")), "order": str(rank)},
            )
        for number, marker in enumerate(plan["markers"]):
            add(
                ("marker", code, marker["symbol"]),
                (*path, "markers", number),
                _("marker %(symbol)s of the plan %(plan)s") % {"symbol": marker["symbol"], "plan": code},
                {**_fields(marker, ("name", "name_en", "meaning", "note")), "order": str(number)},
            )
    for index, scale in enumerate(data["scales"]):
        add(
            ("scale", scale["code"]),
            ("scales", index),
            _("scale %(code)s") % {"code": scale["code"]},
            _scale_fields(scale),
        )
    for index, unit in enumerate(data["units"]):
        add(
            ("unit", unit["code"]),
            ("units", index),
            _("unit %(code)s %(name)s") % {"code": unit["code"], "name": unit["name"]},
            _fields(unit, ("name", "kind", "parent")),
        )
    for index, node in enumerate(data["nodes"]):
        add(
            ("node", node["plan"], node["id"]),
            ("nodes", index),
            _("node %(id)s %(title)s") % {"id": node["id"], "title": node["title"]},
            {
                **_fields(
                    node,
                    ("parent_id", "level_key", "label", "position", "title", "summary", "baseline", "note"),
                ),
                # The export orders these lists itself (markers as the plan orders them,
                # units by role and code): the file's order is not carried, so not compared.
                "markers": " ".join(sorted(node["markers"])),
                "units": ", ".join(sorted(f"{role['unit']} ({role['role']})" for role in node["units"])),
            },
        )
    target_rows = [
        (
            index,
            (target["node_id"], target["row"], target["position"]),
            _("target of %(id)s, row %(row)s, position %(position)s")
            % {"id": target["node_id"], "row": target["row"], "position": target["position"]},
            _fields(
                target,
                ("start_year", "end_year", "open_end", "text", "revised_text", "revision_reason", "note"),
            ),
        )
        for index, target in enumerate(data["targets"])
    ]
    for kind, place, path, subject, fields in _numbered("target", target_rows):
        add((kind, _plan_of(place[0]), *place), path, subject, fields)
    for index, result in enumerate(data["results"]):
        add(
            ("result", _plan_of(result["node_id"]), result["node_id"], result["fiscal_year"]),
            ("results", index),
            _("result of %(id)s for %(year)s") % {"id": result["node_id"], "year": result["fiscal_year"]},
            {
                **_fields(result, ("text", "context_change", "response", "highlight", "note")),
                "ratings": ", ".join(
                    sorted(f"{rating['dimension']}: {rating['code']}" for rating in result["ratings"])
                ),
            },
        )
    indicator_rows = [
        (
            index,
            (indicator["node_id"], indicator["position"]),
            _("indicator %(name)s of %(id)s") % {"name": indicator["name"], "id": indicator["node_id"]},
            {
                **_fields(indicator, ("name", "kind", "unit", "direction", "baseline_year")),
                "baseline_value": _number(indicator["baseline_value"]),
                "values": "; ".join(
                    f"{value['fiscal_year']}: {_number(value['target'])} / {_number(value['actual'])}"
                    for value in sorted(indicator["values"], key=lambda value: value["fiscal_year"])
                ),
            },
        )
        for index, indicator in enumerate(data["indicators"])
    ]
    for kind, place, path, subject, fields in _numbered("indicator", indicator_rows):
        add((kind, _plan_of(place[0]), *place), path, subject, fields)
    return rows


def _numbered(
    kind: str, rows: list[tuple[int, tuple, str, dict[str, str]]]
) -> Iterable[tuple[str, tuple, JsonPath, str, dict[str, str]]]:
    """Targets and indicators have no key of their own: (node, row, position) may be
    shared. Rows sharing one are numbered in the order of their content, as the export
    orders them, so that a file and the database pair them alike."""
    seen: dict[tuple, int] = defaultdict(int)
    for index, place, subject, fields in sorted(rows, key=lambda row: (row[1], tuple(row[3].values()))):
        number = seen[place]
        seen[place] += 1
        yield kind, (*place, number), (f"{kind}s", index), subject, fields


def _plan_of(node_id: str) -> str:
    return node_id.split(":", 1)[0]


def _scale_fields(scale: dict) -> dict[str, str]:
    return {
        **_fields(scale, ("name", "name_en", "good_end", "description")),
        "levels": "; ".join(
            f"{level['position']} {level['code']} {level['label']}"
            + (f" / {level['label_en']}" if level.get("label_en") else "")
            + (" (adverse)" if level["adverse"] else "")
            for level in sorted(scale["levels"], key=lambda level: level["position"])
        ),
    }


def stored_shared(data: dict[str, Any]) -> dict[tuple, Row]:
    """The stored scales and units of the codes the file names, whether or not the
    plans in the database use them."""
    rows: dict[tuple, Row] = {}
    scale_codes = [scale["code"] for scale in data["scales"]]
    for scale in Scale.objects.filter(code__in=scale_codes).prefetch_related("levels"):
        item = scale_object(scale, sorted(scale.levels.all(), key=lambda level: level.position))
        rows[("scale", scale.code)] = Row(None, "", _scale_fields(item))
    for match in match_units([UnitRef(code=unit["code"]) for unit in data["units"]]):
        unit = match.unit
        if unit is None:
            continue
        rows[("unit", unit.code)] = Row(
            None,
            "",
            {"name": unit.name, "kind": unit.kind, "parent": unit.parent.code if unit.parent else ""},
        )
    return rows
