"""The dataset as CSV tables with a Frictionless Data Package (docs/open-data.md).

The tables are made from the JSON dataset (``exporters.export_dataset``) and from nothing
else, so that the JSON and the CSV never disagree: each table below says which columns it
has and how its rows are read from the dataset. The same definitions write the
``datapackage.json`` that describes every column, and the column reference of the
documentation (``columns_markdown``).

The files follow the rules for machine-readable data that Japanese ministries publish for
municipal open data: one table a file, one header row and nothing above or below the data,
no merged cells, one datum a cell (a list becomes a table of its own), numbers written as
numbers, fiscal years as Western-year numbers with the 和暦 in a column of its own.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from shinchoku import fiscal
from shinchoku.interchange import spreadsheet_text
from shinchoku.interchange.spreadsheet_text import FORMULA_STARTS, QUOTE, spreadsheet_csv
from shinchoku.plans.models import Level, NodeUnit, OrgUnit, Scale
from shinchoku.progress.models import Indicator

#: The version of these tables; a change that removes or renames a column raises the major number.
TABLES_VERSION = "1.0"

#: In the ZIP: the tables exactly, for programs, and their copies for spreadsheet programs,
#: with a byte order mark (Excel needs it to read UTF-8) and texts that would run as
#: formulas escaped (``table_csv``). datapackage.json describes both.
CSV_FOLDER = "csv"
BOM_FOLDER = "csv-bom"
#: The name of a table's copy for spreadsheet programs, in datapackage.json.
COPY_SUFFIX = "-bom"
DESCRIPTOR = "datapackage.json"
#: The date of every file in the ZIP (its format starts in 1980): the same data, the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

TRUE, FALSE = "true", "false"
DIALECT = {
    "delimiter": ",",
    "lineTerminator": "\r\n",
    "quoteChar": '"',
    "doubleQuote": True,
    "skipInitialSpace": False,
    "header": True,
}

Row = dict[str, Any]


# ---------------------------------------------------------------------- definitions


@dataclass(frozen=True)
class Column:
    """A column: its name in the header, its Table Schema type (``string``, ``integer``,
    ``number``, ``boolean``), a Japanese title, an English description, whether every row
    has a value, and the values it may take."""

    name: str
    type: str
    title: str
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()

    def descriptor(self) -> dict[str, Any]:
        """The column as a Table Schema field descriptor."""
        descriptor: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "type": self.type,
        }
        if self.type == "boolean":
            descriptor["trueValues"] = [TRUE]
            descriptor["falseValues"] = [FALSE]
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            descriptor["constraints"] = constraints
        return descriptor


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    #: The table referred to; ``""`` for the table itself.
    table: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A CSV file: its name (``<name>.csv``), Japanese title, English description, columns,
    primary key, foreign keys, and the function that reads its rows from the dataset."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    rows: Callable[[dict[str, Any]], Iterable[Row]] = field(repr=False)
    foreign_keys: tuple[ForeignKey, ...] = ()
    #: The columns the rows are sorted by, when not the primary key's (e.g. levels by depth).
    order: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "fields": [column.descriptor() for column in self.columns],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {
                    "fields": list(key.fields),
                    "reference": {"resource": key.table, "fields": list(key.reference)},
                }
                for key in self.foreign_keys
            ]
        return schema

    def sorted_rows(self, dataset: dict[str, Any]) -> list[Row]:
        """The rows, sorted by ``order`` and the primary key (an empty value first)."""

        def key(row: Row) -> tuple[Any, ...]:
            return tuple((row[name] is not None, row[name]) for name in (*self.order, *self.primary_key))

        return sorted(self.rows(dataset), key=key)


# Columns that several tables share.


def _year_columns(name: str, title: str, meaning: str, *, required: bool = True) -> tuple[Column, Column]:
    """A fiscal year as a number and, beside it, its 和暦 label."""
    return (
        Column(
            name,
            "integer",
            title,
            f"{meaning}: the fiscal year (年度), as the Western year in which it starts on 1 April"
            " (2012 is April 2012 to March 2013)",
            required=required,
        ),
        Column(
            f"{name}_wareki",
            "string",
            f"{title}（和暦）",
            "the same fiscal year in the Japanese era, e.g. 平成24年度; FY2019 is 令和元年度",
            required=required,
        ),
    )


def _wareki(year: int | None) -> str | None:
    return fiscal.wareki_label(year) if year is not None else None


PLAN_CODE = Column("plan_code", "string", "計画コード", "the plan's code", required=True)
NODE_ID = Column(
    "node_id",
    "string",
    "ノードID",
    "the node's identifier, <plan code>:<node code>, as in nodes.csv",
    required=True,
)
NOTE = Column("note", "string", "備考", "provenance and editorial decisions (where the data came from)")
NAME_EN = Column("name_en", "string", "英語の名称", "the name on the English pages; empty when none is given")


# Row readers: each reads one table's rows from the dataset.


def _plans(data: dict[str, Any]) -> Iterator[Row]:
    for plan in data["plans"]:
        yield {
            "plan_code": plan["code"],
            "title": plan["title"],
            "period_label": plan["period_label"],
            "first_year": plan["first_year"],
            "first_year_wareki": _wareki(plan["first_year"]),
            "last_year": plan["last_year"],
            "last_year_wareki": _wareki(plan["last_year"]),
            "onwards": plan["onwards"],
            "description": plan["description"],
            "note": plan["note"],
        }


def _levels(data: dict[str, Any]) -> Iterator[Row]:
    for plan in data["plans"]:
        for level in plan["levels"]:
            yield {
                "plan_code": plan["code"],
                "level_key": level["key"],
                "depth": level["depth"],
                "kind": level["kind"],
                "name": level["name"],
                "name_en": level["name_en"],
                "rated": level["rated"],
            }


def _markers(data: dict[str, Any]) -> Iterator[Row]:
    for plan in data["plans"]:
        for position, marker in enumerate(plan["markers"]):
            yield {
                "plan_code": plan["code"],
                "symbol": marker["symbol"],
                "position": position,
                "name": marker["name"],
                "name_en": marker["name_en"],
                "meaning": marker["meaning"],
                "note": marker["note"],
            }


def _dimensions(data: dict[str, Any]) -> Iterator[Row]:
    for plan in data["plans"]:
        for position, dimension in enumerate(plan["dimensions"]):
            yield {
                "plan_code": plan["code"],
                "level_key": dimension["level"],
                "dimension_key": dimension["key"],
                "position": position,
                "name": dimension["name"],
                "name_en": dimension["name_en"],
                "scale_code": dimension["scale"],
                "primary": dimension["primary"],
            }


def _scales(data: dict[str, Any]) -> Iterator[Row]:
    for scale in data["scales"]:
        yield {
            "scale_code": scale["code"],
            "name": scale["name"],
            "name_en": scale["name_en"],
            "good_end": scale["good_end"],
            "description": scale["description"],
        }


def _scale_levels(data: dict[str, Any]) -> Iterator[Row]:
    for scale in data["scales"]:
        for level in scale["levels"]:
            yield {
                "scale_code": scale["code"],
                "level_code": level["code"],
                "position": level["position"],
                "label": level["label"],
                "label_en": level["label_en"],
                "adverse": level["adverse"],
            }


def _units(data: dict[str, Any]) -> Iterator[Row]:
    for unit in data["units"]:
        yield {
            "unit_code": unit["code"],
            "name": unit["name"],
            "kind": unit["kind"],
            "parent_code": unit["parent"],
        }


def _nodes(data: dict[str, Any]) -> Iterator[Row]:
    by_id = {node["id"]: node for node in data["nodes"]}

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
            "label": node["label"],
            "position": node["position"],
            "title": node["title"],
            "summary": node["summary"],
            "baseline": node["baseline"],
            "note": node["note"],
        }


def _node_markers(data: dict[str, Any]) -> Iterator[Row]:
    for node in data["nodes"]:
        for symbol in node["markers"]:
            yield {"node_id": node["id"], "plan_code": node["plan"], "symbol": symbol}


def _node_units(data: dict[str, Any]) -> Iterator[Row]:
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


def _targets(data: dict[str, Any]) -> Iterator[Row]:
    for target in _numbered([dict(target) for target in data["targets"]], "target_no", _target_order):
        yield {
            "node_id": target["node_id"],
            "target_no": target["target_no"],
            "row": target["row"],
            "position": target["position"],
            "fiscal_year": target["fiscal_year"],
            "fiscal_year_wareki": _wareki(target["fiscal_year"]),
            "start_year": target["start_year"],
            "start_year_wareki": _wareki(target["start_year"]),
            "end_year": target["end_year"],
            "end_year_wareki": _wareki(target["end_year"]),
            "open_end": target["open_end"],
            "period_label": target["period_label"],
            "text": target["text"],
            "revised_text": target["revised_text"],
            "revision_reason": target["revision_reason"],
            "note": target["note"],
        }


def _results(data: dict[str, Any]) -> Iterator[Row]:
    for result in data["results"]:
        rating = result["rating"] or {}
        yield {
            "node_id": result["node_id"],
            "fiscal_year": result["fiscal_year"],
            "fiscal_year_wareki": result["wareki"],
            "rating_code": rating.get("code"),
            "rating_label": rating.get("label"),
            "text": result["text"],
            "context_change": result["context_change"],
            "response": result["response"],
            "highlight": result["highlight"],
            "note": result["note"],
        }


def _ratings(data: dict[str, Any]) -> Iterator[Row]:
    nodes = {node["id"]: node for node in data["nodes"]}
    primary = {
        (plan["code"], dimension["level"], dimension["key"]): dimension["primary"]
        for plan in data["plans"]
        for dimension in plan["dimensions"]
    }
    for result in data["results"]:
        node = nodes[result["node_id"]]
        for rating in result["ratings"]:
            yield {
                "node_id": result["node_id"],
                "fiscal_year": result["fiscal_year"],
                "fiscal_year_wareki": result["wareki"],
                "plan_code": node["plan"],
                "level_key": node["level_key"],
                "dimension_key": rating["dimension"],
                "dimension_name": rating["dimension_name"],
                "primary": primary.get((node["plan"], node["level_key"], rating["dimension"]), False),
                "scale_code": rating["scale"],
                "rating_code": rating["code"],
                "rating_label": rating["label"],
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


def _indicators(data: dict[str, Any]) -> Iterator[Row]:
    for indicator in _numbered_indicators(data):
        yield {
            "node_id": indicator["node_id"],
            "indicator_no": indicator["indicator_no"],
            "position": indicator["position"],
            "name": indicator["name"],
            "kind": indicator["kind"],
            "unit": indicator["unit"],
            "direction": indicator["direction"],
            "baseline_value": indicator["baseline_value"],
            "baseline_year": indicator["baseline_year"],
            "baseline_year_wareki": _wareki(indicator["baseline_year"]),
        }


def _indicator_values(data: dict[str, Any]) -> Iterator[Row]:
    for indicator in _numbered_indicators(data):
        for value in indicator["values"]:
            yield {
                "node_id": indicator["node_id"],
                "indicator_no": indicator["indicator_no"],
                "fiscal_year": value["fiscal_year"],
                "fiscal_year_wareki": value["wareki"],
                "target": value["target"],
                "actual": value["actual"],
                "achievement_rate": value["achievement_rate"],
            }


TABLES: tuple[Table, ...] = (
    Table(
        "plans",
        "計画",
        "The plans (periods of a comprehensive plan's implementation programme), one a row.",
        (
            PLAN_CODE,
            Column("title", "string", "計画名", "the plan's title", required=True),
            Column("period_label", "string", "期の名称", "the name of the period, e.g. 第3期実行計画"),
            *_year_columns("first_year", "計画期間の初年度", "the first year of the period"),
            *_year_columns("last_year", "計画期間の最終年度", "the last year of the period"),
            Column(
                "onwards",
                "boolean",
                "以降欄の有無",
                "whether targets have a column for the years after the period (…年度以降)",
                required=True,
            ),
            Column("description", "string", "説明", "free text about the plan"),
            NOTE,
        ),
        ("plan_code",),
        _plans,
    ),
    Table(
        "levels",
        "階層",
        "The levels of each plan's tree, top first (プラン, アクションプログラム, 施策計画, 事務事業 …).",
        (
            PLAN_CODE,
            Column(
                "level_key", "string", "階層キー", "the level's identifier within its plan", required=True
            ),
            Column("depth", "integer", "深さ", "0 for the top level, 1 below it, and so on", required=True),
            Column(
                "kind",
                "string",
                "階層の種類",
                "what the level is in the common vocabulary: plan (plan area), programme, measure,"
                " project or other",
                required=True,
                enum=tuple(Level.Kind.values),
            ),
            Column("name", "string", "階層の名称", "the name the plan gives the level", required=True),
            NAME_EN,
            Column(
                "rated",
                "boolean",
                "評価対象",
                "whether results and ratings attach to the nodes of this level",
                required=True,
            ),
        ),
        ("plan_code", "level_key"),
        _levels,
        (ForeignKey(("plan_code",), "plans", ("plan_code",)),),
        order=("plan_code", "depth"),
    ),
    Table(
        "markers",
        "記号",
        "The symbols a plan prints beside nodes (○, 重点 …) and what they mean.",
        (
            PLAN_CODE,
            Column("symbol", "string", "記号", "the symbol as printed", required=True),
            Column("position", "integer", "順序", "the order of the plan's markers (0 first)", required=True),
            Column("name", "string", "名称", "the marker's name", required=True),
            NAME_EN,
            Column("meaning", "string", "意味", "what the marker means; empty when the source does not say"),
            NOTE,
        ),
        ("plan_code", "symbol"),
        _markers,
        (ForeignKey(("plan_code",), "plans", ("plan_code",)),),
        order=("plan_code", "position"),
    ),
    Table(
        "dimensions",
        "評価の観点",
        "The judgements asked of the nodes of a rated level (達成状況区分, 今後の方向性 …), each on a scale.",
        (
            PLAN_CODE,
            Column(
                "level_key", "string", "階層キー", "the rated level the judgement applies to", required=True
            ),
            Column(
                "dimension_key",
                "string",
                "観点キー",
                "the judgement's identifier within its level",
                required=True,
            ),
            Column(
                "position", "integer", "順序", "the order of the plan's judgements (0 first)", required=True
            ),
            Column("name", "string", "観点の名称", "e.g. 達成状況区分", required=True),
            NAME_EN,
            Column(
                "scale_code", "string", "尺度コード", "the scale the judgement is given on", required=True
            ),
            Column(
                "primary",
                "boolean",
                "主たる観点",
                "the judgement shown first and counted in summaries (one per level)",
                required=True,
            ),
        ),
        ("plan_code", "level_key", "dimension_key"),
        _dimensions,
        (
            ForeignKey(("plan_code", "level_key"), "levels", ("plan_code", "level_key")),
            ForeignKey(("scale_code",), "scales", ("scale_code",)),
        ),
        order=("plan_code", "position"),
    ),
    Table(
        "scales",
        "評価尺度",
        "The rating scales used by the plans' judgements.",
        (
            Column("scale_code", "string", "尺度コード", "the scale's code", required=True),
            Column("name", "string", "尺度の名称", "e.g. 達成状況区分", required=True),
            NAME_EN,
            Column(
                "good_end",
                "string",
                "良い側",
                "first: the first level is the best; last: the last level is",
                required=True,
                enum=tuple(Scale.GoodEnd.values),
            ),
            Column("description", "string", "説明", "free text about the scale"),
        ),
        ("scale_code",),
        _scales,
    ),
    Table(
        "scale_levels",
        "評価区分",
        "The levels of each scale, in order (e.g. 1 目標を大きく上回って達成 … 5 目標を大きく下回った).",
        (
            Column("scale_code", "string", "尺度コード", "the scale", required=True),
            Column(
                "level_code",
                "string",
                "区分コード",
                "the level's code as printed, e.g. 3 or A",
                required=True,
            ),
            Column("position", "integer", "順序", "the level's place in the scale (0 first)", required=True),
            Column("label", "string", "区分の名称", "e.g. 目標をほぼ達成", required=True),
            Column(
                "label_en",
                "string",
                "区分の英語の名称",
                "the label on the English pages, e.g. Mostly achieved the target; empty when none is given",
            ),
            Column(
                "adverse",
                "boolean",
                "不調側",
                "whether the level is on the scale's bad side (e.g. 目標を下回った)",
                required=True,
            ),
        ),
        ("scale_code", "level_code"),
        _scale_levels,
        (ForeignKey(("scale_code",), "scales", ("scale_code",)),),
        order=("scale_code", "position"),
    ),
    Table(
        "units",
        "組織",
        "The organisation units named on nodes (局, 区, 部, 課), with the units above them.",
        (
            Column("unit_code", "string", "組織コード", "the unit's code", required=True),
            Column("name", "string", "組織名", "e.g. 市民・こども局", required=True),
            Column(
                "kind",
                "string",
                "組織の種類",
                "bureau (局), ward (区), department (部), section (課) or other",
                required=True,
                enum=tuple(OrgUnit.Kind.values),
            ),
            Column("parent_code", "string", "上位組織コード", "the unit above, empty for a top unit"),
        ),
        ("unit_code",),
        _units,
        (ForeignKey(("parent_code",), "", ("unit_code",)),),
    ),
    Table(
        "nodes",
        "施策体系",
        "Every node of every plan's tree: plan areas, programmes, measures, projects.",
        (
            NODE_ID,
            PLAN_CODE,
            Column("code", "string", "コード", "the node's code within its plan, e.g. 9-1-1", required=True),
            Column("parent_id", "string", "上位ノードID", "the parent node's node_id, empty for a top node"),
            Column(
                "path",
                "string",
                "コードの経路",
                "the codes from the top node down to this one, separated by /, e.g. 9/9-1/9-1-1",
                required=True,
            ),
            Column("level_key", "string", "階層キー", "the node's level (levels.csv)", required=True),
            Column(
                "level_kind",
                "string",
                "階層の種類",
                "the kind of the node's level: plan (plan area), programme, measure, project or other",
                required=True,
                enum=tuple(Level.Kind.values),
            ),
            Column(
                "label",
                "string",
                "表示名",
                "the label as printed when it differs from the code, e.g. プラン９",
            ),
            Column("position", "integer", "順序", "the order among its siblings (0 first)", required=True),
            Column("title", "string", "名称", "the name, e.g. 協働型事業の推進", required=True),
            Column("summary", "string", "概要", "the purpose printed under the name"),
            Column("baseline", "string", "現状", "the state when the plan was made"),
            NOTE,
        ),
        ("node_id",),
        _nodes,
        (
            ForeignKey(("plan_code",), "plans", ("plan_code",)),
            ForeignKey(("parent_id",), "", ("node_id",)),
            ForeignKey(("plan_code", "level_key"), "levels", ("plan_code", "level_key")),
        ),
    ),
    Table(
        "node_markers",
        "施策の記号",
        "The markers printed beside each node, one a row.",
        (
            NODE_ID,
            PLAN_CODE,
            Column("symbol", "string", "記号", "the marker's symbol (markers.csv)", required=True),
        ),
        ("node_id", "symbol"),
        _node_markers,
        (
            ForeignKey(("node_id",), "nodes", ("node_id",)),
            ForeignKey(("plan_code", "symbol"), "markers", ("plan_code", "symbol")),
        ),
    ),
    Table(
        "node_units",
        "所管組織",
        "The organisation units of each node and their roles (所管 / 作成 / 関係), one a row.",
        (
            NODE_ID,
            Column("unit_code", "string", "組織コード", "the unit (units.csv)", required=True),
            Column(
                "role",
                "string",
                "役割",
                "responsible (所管), authoring (作成) or related (関係)",
                required=True,
                enum=tuple(NodeUnit.Role.values),
            ),
        ),
        ("node_id", "unit_code", "role"),
        _node_units,
        (
            ForeignKey(("node_id",), "nodes", ("node_id",)),
            ForeignKey(("unit_code",), "units", ("unit_code",)),
        ),
    ),
    Table(
        "targets",
        "事業内容・目標",
        "The targets of each node: one item of a cell of 事業内容・目標 (one ● bullet, or 事業推進) a row.",
        (
            NODE_ID,
            Column(
                "target_no",
                "integer",
                "目標番号",
                "the target's number within its node (1, 2 …), in the order row, first year, position",
                required=True,
            ),
            Column(
                "row",
                "integer",
                "行",
                "the table row within the node (1, 2 …): some measures have one row per facility or topic",
                required=True,
            ),
            Column("position", "integer", "順序", "the order within the node as entered", required=True),
            *_year_columns(
                "fiscal_year",
                "年度",
                "the single year the target is for; empty when it spans years or is the onwards column",
                required=False,
            ),
            *_year_columns("start_year", "開始年度", "the first year the target covers"),
            *_year_columns(
                "end_year",
                "終了年度",
                "the last year the target covers; the onwards column counts as the year after the period",
            ),
            Column(
                "open_end",
                "boolean",
                "以降",
                "whether the target is the onwards column (…年度以降) or reaches into it",
                required=True,
            ),
            Column(
                "period_label",
                "string",
                "期間の表示",
                "as printed: 2012年度, 2011年度〜2013年度, 2014年度以降",
                required=True,
            ),
            Column("text", "string", "目標", "the target as first planned", required=True),
            Column(
                "revised_text",
                "string",
                "変更後の目標",
                "the revised target (実行計画と差異のある事業目標), empty if not revised",
            ),
            Column("revision_reason", "string", "変更の理由", "why the target was revised"),
            NOTE,
        ),
        ("node_id", "target_no"),
        _targets,
        (ForeignKey(("node_id",), "nodes", ("node_id",)),),
    ),
    Table(
        "results",
        "実施結果",
        "The yearly results of the rated nodes, one node and fiscal year a row.",
        (
            NODE_ID,
            *_year_columns("fiscal_year", "年度", "the year reported on"),
            Column(
                "rating_code",
                "string",
                "評価区分コード",
                "the rating on the primary judgement (every judgement is in ratings.csv); empty if not rated",
            ),
            Column("rating_label", "string", "評価区分", "the label of that rating, e.g. 目標をほぼ達成"),
            Column("text", "string", "実施結果", "what was done, one bullet a line"),
            Column(
                "context_change", "string", "環境等の変化・課題等", "what changed and the issues it raises"
            ),
            Column("response", "string", "新たな課題等への対応", "what will be done about them"),
            Column("highlight", "string", "主な実施結果", "the digest printed on the summary pages"),
            NOTE,
        ),
        ("node_id", "fiscal_year"),
        _results,
        (ForeignKey(("node_id",), "nodes", ("node_id",)),),
    ),
    Table(
        "ratings",
        "評価",
        "The ratings of each result, one judgement a row.",
        (
            NODE_ID,
            *_year_columns("fiscal_year", "年度", "the year of the result rated"),
            PLAN_CODE,
            Column("level_key", "string", "階層キー", "the level of the node rated", required=True),
            Column("dimension_key", "string", "観点キー", "the judgement (dimensions.csv)", required=True),
            Column("dimension_name", "string", "観点の名称", "e.g. 達成状況区分", required=True),
            Column(
                "primary", "boolean", "主たる観点", "whether the judgement is the primary one", required=True
            ),
            Column("scale_code", "string", "尺度コード", "the judgement's scale", required=True),
            Column("rating_code", "string", "評価区分コード", "the level given, e.g. 3", required=True),
            Column("rating_label", "string", "評価区分", "its label, e.g. 目標をほぼ達成", required=True),
        ),
        ("node_id", "fiscal_year", "dimension_key"),
        _ratings,
        (
            ForeignKey(("node_id", "fiscal_year"), "results", ("node_id", "fiscal_year")),
            ForeignKey(
                ("plan_code", "level_key", "dimension_key"),
                "dimensions",
                ("plan_code", "level_key", "dimension_key"),
            ),
            ForeignKey(("scale_code", "rating_code"), "scale_levels", ("scale_code", "level_code")),
        ),
    ),
    Table(
        "indicators",
        "指標",
        "The indicators of each node (成果指標, 活動指標, 対象指標).",
        (
            NODE_ID,
            Column(
                "indicator_no",
                "integer",
                "指標番号",
                "the indicator's number within its node (1, 2 …), in the order of position",
                required=True,
            ),
            Column("position", "integer", "順序", "the order within the node as entered", required=True),
            Column("name", "string", "指標名", "e.g. 市民活動センター利用者数", required=True),
            Column(
                "kind",
                "string",
                "指標の種類",
                "outcome (成果指標), activity (活動指標) or target_group (対象指標)",
                required=True,
                enum=tuple(Indicator.Kind.values),
            ),
            Column("unit", "string", "単位", "the unit of the values, e.g. 人"),
            Column(
                "direction",
                "string",
                "方向",
                "higher (higher is better) or lower (lower is better)",
                required=True,
                enum=tuple(Indicator.Direction.values),
            ),
            Column("baseline_value", "number", "基準値", "the value when the plan was made"),
            *_year_columns("baseline_year", "基準年度", "the year of the baseline value", required=False),
        ),
        ("node_id", "indicator_no"),
        _indicators,
        (ForeignKey(("node_id",), "nodes", ("node_id",)),),
    ),
    Table(
        "indicator_values",
        "指標の値",
        "Each indicator's target and actual value per fiscal year.",
        (
            NODE_ID,
            Column("indicator_no", "integer", "指標番号", "the indicator (indicators.csv)", required=True),
            *_year_columns("fiscal_year", "年度", "the year of the values"),
            Column("target", "number", "目標値", "the target value"),
            Column("actual", "number", "実績値", "the actual value"),
            Column(
                "achievement_rate",
                "number",
                "達成率",
                "percent, rounded to 0.1, computed from target and actual (see docs/open-data.md);"
                " empty when either is missing",
            ),
        ),
        ("node_id", "indicator_no", "fiscal_year"),
        _indicator_values,
        (ForeignKey(("node_id", "indicator_no"), "indicators", ("node_id", "indicator_no")),),
    ),
)
TABLES_BY_NAME = {table.name: table for table in TABLES}


# ------------------------------------------------------------------------ filtering


def covers(target: dict[str, Any], year: int) -> bool:
    """Whether a target of the dataset is one for fiscal ``year``: the year lies in its
    span, or the target is the onwards column starting at or before it."""
    return target["start_year"] <= year <= target["end_year"] or (
        target["open_end"] and target["start_year"] <= year
    )


def for_year(dataset: dict[str, Any], year: int) -> dict[str, Any]:
    """The dataset limited to fiscal ``year``: the results (with their ratings) and the
    indicator values of that year, and the targets covering it. Plans, trees, units and
    scales stay whole."""
    return {
        **dataset,
        # Marks the file as one year's part of the data: importing it is refused, since
        # for its plans it would remove every other year.
        "fiscal_year": year,
        "targets": [target for target in dataset["targets"] if covers(target, year)],
        "results": [result for result in dataset["results"] if result["fiscal_year"] == year],
        "indicators": [
            {**indicator, "values": [v for v in indicator["values"] if v["fiscal_year"] == year]}
            for indicator in dataset["indicators"]
        ],
    }


# ---------------------------------------------------------------------------- files


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, int | str):
        return str(value)
    raise TypeError(f"no CSV form for {value!r}")


def table_csv(table: Table, rows: Sequence[Row], *, bom: bool = False) -> bytes:
    """The table as CSV (RFC 4180): a header row of the column names, then one row per
    record; CRLF between records, a line break inside a cell kept as it is (the cell quoted).

    With ``bom``, the copy for spreadsheet programs: a byte order mark in front, and the
    cells of the text columns (``string`` in the schema) that a spreadsheet would run as a
    formula escaped with an apostrophe and quoted (``spreadsheet_text``). Numbers, years
    and booleans are never escaped: a negative number stays a number."""
    header = [column.name for column in table.columns]
    records = ([_cell(row[column.name]) for column in table.columns] for row in rows)
    if bom:
        texts = {index for index, column in enumerate(table.columns) if column.type == "string"}
        return spreadsheet_csv([header, *records], texts=texts)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(records)
    return buffer.getvalue().encode("utf-8")


def csv_tables(dataset: dict[str, Any], *, bom: bool = False) -> dict[str, bytes]:
    """Every table as CSV, by file name, in the order of ``TABLES``; with ``bom``, the
    copies for spreadsheet programs (``table_csv``)."""
    return {table.filename: table_csv(table, table.sorted_rows(dataset), bom=bom) for table in TABLES}


# Licences a city may choose, with their titles and addresses.
LICENSES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC0-1.0": ("Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution Share-Alike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "ODC-BY-1.0": (
        "Open Data Commons Attribution License v1.0",
        "https://opendatacommons.org/licenses/by/1-0/",
    ),
    "ODbL-1.0": (
        "Open Data Commons Open Database License v1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
    "PDDL-1.0": (
        "Open Data Commons Public Domain Dedication and License v1.0",
        "https://opendatacommons.org/licenses/pddl/1-0/",
    ),
}
LICENSE_NAME = re.compile(r"^[-a-zA-Z0-9._]+$")


def license_descriptor() -> dict[str, str]:
    """The licence of the open data, from the settings ``OPEN_DATA_LICENSE`` (an identifier
    such as CC-BY-4.0) and ``OPEN_DATA_LICENSE_URL`` (its terms; known identifiers have one)."""
    name = str(getattr(settings, "OPEN_DATA_LICENSE", "") or "CC-BY-4.0").strip()
    url = str(getattr(settings, "OPEN_DATA_LICENSE_URL", "") or "").strip()
    if not LICENSE_NAME.match(name):
        raise ImproperlyConfigured(
            f"OPEN_DATA_LICENSE must be an identifier of letters, digits, '-', '.' and '_', not {name!r}"
        )
    title, known_url = LICENSES.get(name, (name, ""))
    descriptor = {"name": name, "title": title}
    if url or known_url:
        descriptor["path"] = url or known_url
    return descriptor


def _package_name(codes: list[str], year: int | None) -> str:
    base = "-".join(codes) if len(codes) == 1 else "shinchoku"
    name = re.sub(r"[^-a-z0-9._]", "-", base.lower())
    return f"{name}-{year}" if year is not None else name


#: How the copies for spreadsheet programs escape their texts, for the programs that read
#: them (a property of each such resource in datapackage.json).
FORMULA_ESCAPE: dict[str, Any] = {
    "prefix": QUOTE,
    "fieldTypes": ["string"],
    "initialCharacters": sorted(FORMULA_STARTS),
    "description": (
        "A cell of a string field whose text, after any apostrophes it begins with, begins with"
        " one of initialCharacters has one more apostrophe (prefix) in front and is quoted, so"
        " that spreadsheet programs show it as text instead of running it as a formula. Remove"
        " that first apostrophe to read the exact text. Other fields are never escaped."
    ),
}
#: What the package's description says of the escape, in Japanese.
_ESCAPE_NOTE = (
    "表計算ソフトで開いたときに数式として実行されないよう、「=」「+」「-」「@」、タブ文字又は"
    "復帰文字（CR）で始まる文字列の先頭には「'」（アポストロフィ）を付けています（数値の列には付けません）。"
)


def _resource(table: Table, data: bytes, path: str, *, copy: bool, suffix: str = "") -> dict[str, Any]:
    """A table's file as a Tabular Data Resource. ``copy``: the file is the copy for
    spreadsheet programs (``table_csv`` with ``bom``), named with ``suffix``, its foreign
    keys referring to the other tables' copies."""
    schema = table.schema()
    for key in schema.get("foreignKeys", []):
        if key["reference"]["resource"]:
            key["reference"]["resource"] += suffix
    resource: dict[str, Any] = {
        "profile": "tabular-data-resource",
        "name": table.name + suffix,
        "path": path,
        "title": table.title + ("（表計算ソフト用）" if copy else ""),
        "description": table.description
        + (
            " The copy for spreadsheet programs: with a byte order mark, and texts that would run"
            " as formulas escaped with an apostrophe (formulaEscape)."
            if copy
            else ""
        ),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
        "dialect": dict(DIALECT),
        "schema": schema,
    }
    if copy:
        resource["formulaEscape"] = json.loads(json.dumps(FORMULA_ESCAPE))
    return resource


def datapackage(
    dataset: dict[str, Any],
    files: dict[str, bytes],
    *,
    folder: str = "",
    year: int | None = None,
    bom: bool = False,
    copies: dict[str, bytes] | None = None,
) -> dict[str, Any]:
    """The Data Package (Frictionless Data Package v1, tabular) describing ``files``, the
    tables as ``csv_tables`` made them (with ``bom``: the copies for spreadsheet programs),
    kept in ``folder`` beside the descriptor, and ``copies``, when given, the copies for
    spreadsheet programs kept in ``BOM_FOLDER`` (resources named ``<table>-bom``)."""
    plans = dataset["plans"]
    titles = "、".join(plan["title"] for plan in plans) or "計画"
    scope = f"{fiscal.western_label(year)}（{fiscal.wareki_label(year)}）" if year is not None else "全年度"
    description = (
        "総合計画の進行管理のデータ（施策体系、事業内容・目標、実施結果、評価、指標）。"
        f"{scope}。"
        "一つの表を一つのCSVファイル（UTF-8、1行目が項目名）とし、1セルに1データを入れています。"
        "年度は西暦の数値で、和暦は別の列にあります。"
    )
    if year is not None:
        description += (
            f"実施結果・評価・指標の値は{fiscal.western_label(year)}のもの、目標はその年度を含むものです。"
        )
    if bom:
        description += "表計算ソフト向けに、各ファイルをBOM付きとしています。" + _ESCAPE_NOTE
    if copies is not None:
        description += (
            f"{BOM_FOLDER}フォルダには、表計算ソフト向けにBOM付きとした同じ表があります。"
            + _ESCAPE_NOTE
            + f"プログラムで利用する場合は、値をそのまま収めた{CSV_FOLDER}フォルダの表を使ってください。"
        )
    prefix = f"{folder}/" if folder else ""
    resources = [
        _resource(table, files[table.filename], f"{prefix}{table.filename}", copy=bom) for table in TABLES
    ]
    if copies is not None:
        resources += [
            _resource(
                table, copies[table.filename], f"{BOM_FOLDER}/{table.filename}", copy=True, suffix=COPY_SUFFIX
            )
            for table in TABLES
        ]
    return {
        "profile": "tabular-data-package",
        "name": _package_name([plan["code"] for plan in plans], year),
        "title": f"{titles} 進行管理データ"
        + (f"（{fiscal.western_label(year)}）" if year is not None else ""),
        "description": description,
        "version": TABLES_VERSION,
        "keywords": ["総合計画", "進行管理", "行政評価", "施策評価"],
        "licenses": [license_descriptor()],
        "resources": resources,
    }


def descriptor_bytes(descriptor: dict[str, Any]) -> bytes:
    return (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def csv_folder(dataset: dict[str, Any], *, bom: bool = False, year: int | None = None) -> dict[str, bytes]:
    """The files of ``shinchoku export --format csv``: every table and datapackage.json."""
    files = csv_tables(dataset, bom=bom)
    return {**files, DESCRIPTOR: descriptor_bytes(datapackage(dataset, files, year=year, bom=bom))}


def zip_bundle(dataset: dict[str, Any], *, year: int | None = None) -> bytes:
    """The ZIP of the open data: datapackage.json, the tables in csv/ (UTF-8, exact) and
    their copies for spreadsheet programs in csv-bom/ (``table_csv``). The same data gives
    the same bytes: the files are in a fixed order with a fixed date."""
    tables = [(table, table.sorted_rows(dataset)) for table in TABLES]
    plain = {table.filename: table_csv(table, rows) for table, rows in tables}
    with_bom = {table.filename: table_csv(table, rows, bom=True) for table, rows in tables}
    descriptor = datapackage(dataset, plain, folder=CSV_FOLDER, year=year, copies=with_bom)
    members = [
        (DESCRIPTOR, descriptor_bytes(descriptor)),
        *((f"{CSV_FOLDER}/{name}", data) for name, data in plain.items()),
        *((f"{BOM_FOLDER}/{name}", data) for name, data in with_bom.items()),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever system made it
            info.external_attr = 0o644 << 16
            bundle.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


@cache
def _code_digest() -> str:
    """A digest of the modules that decide what a ZIP holds and how it is written."""
    digest = hashlib.sha256()
    for module in (__file__, spreadsheet_text.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()


def bundle_key(dataset: dict[str, Any], *, year: int | None = None) -> str:
    """A digest of everything a ZIP is made of: the dataset, the year, the licence and this
    module's code. The same key, the same ZIP."""
    digest = hashlib.sha256()
    digest.update(_code_digest().encode())
    digest.update(f"\0{year}\0".encode())
    digest.update(json.dumps(license_descriptor(), sort_keys=True).encode())
    digest.update(json.dumps(dataset, ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()


# ---------------------------------------------------------------------- the reference


def _names(columns: Iterable[str]) -> str:
    return ", ".join(f"`{name}`" for name in columns)


def columns_markdown() -> str:
    """The column reference of docs/open-data.md, made from the table definitions."""
    lines: list[str] = []
    for table in TABLES:
        lines += [
            f"### `{table.filename}` ({table.title})",
            "",
            table.description,
            "",
            f"- primary key: {_names(table.primary_key)}",
            f"- rows sorted by {_names(dict.fromkeys((*table.order, *table.primary_key)))}",
        ]
        for key in table.foreign_keys:
            lines.append(
                f"- {_names(key.fields)} refers to {_names(key.reference)} of `{key.table or table.name}.csv`"
            )
        lines += ["", "| column | type | title | meaning |", "|---|---|---|---|"]
        for column in table.columns:
            kind = column.type + (", required" if column.required else "")
            meaning = column.description
            if column.enum:
                meaning += f" (one of {_names(column.enum)})"
            lines.append(f"| `{column.name}` | {kind} | {column.title} | {meaning} |")
        lines.append("")
    return "\n".join(lines)
