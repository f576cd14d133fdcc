"""The open data as CSV tables and a ZIP with datapackage.json: made from the JSON dataset
and parsing back to it, described column by column and valid as a Frictionless Data
Package, the same bytes for the same data, limited to a year on request, written by
``shinchoku export`` and downloaded from the plan page with nothing but published data."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from frictionless import Package
from openpyxl import load_workbook

from shinchoku.interchange.sheets.spreadsheet_text import csv_unescape
from shinchoku.opendata import files as opendata_files
from shinchoku.opendata.columns import Table
from shinchoku.opendata.package import license_descriptor
from shinchoku.opendata.reference import columns_markdown
from shinchoku.opendata.tables import TABLES
from shinchoku.plans.formats.dataset.export import COST_KEYS, export_dataset
from shinchoku.plans.formats.planfile import load_plan_file
from shinchoku.plans.models import Marker, Node, Plan
from shinchoku.progress.models import Indicator, IndicatorValue, Result, Target
from shinchoku.published import changes
from shinchoku.review import services
from tests.factories import EveryTable, Sample, add_cost, make_every_table, make_sample
from tests.interchange.office import csv_as_workbook, needs_office
from tests.plans.formats.planfile.test_planfile import GOOD, write
from tests.portal.html import parse
from tests.review.conftest import make_cycle

pytestmark = pytest.mark.django_db

DOC = Path(__file__).parents[2] / "docs/open-data.md"
BOM = b"\xef\xbb\xbf"
NAMES = [
    "plans",
    "levels",
    "markers",
    "dimensions",
    "scales",
    "scale_levels",
    "units",
    "nodes",
    "node_markers",
    "node_units",
    "targets",
    "results",
    "ratings",
    "indicators",
    "indicator_values",
    "sections",
    "node_sections",
    "result_sections",
    "staff_rates",
    "costs",
]


def read(data: bytes) -> list[dict[str, str]]:
    """A CSV file as rows of cells by column name: the header is its first row."""
    text = data.decode("utf-8")
    assert not text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_copy(data: bytes) -> list[dict[str, str]]:
    """A table of csv-bom/ as rows of cells by column name, as they are written there."""
    assert data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8").removeprefix("\ufeff"), newline="")))


def unescaped(table: Table, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows of csv-bom/ with their text cells as csv/ holds them, as docs/open-data.md says to read them."""
    texts = {column.name for column in table.columns if column.type == "string"}
    return [
        {name: csv_unescape(cell) if name in texts else cell for name, cell in row.items()} for row in rows
    ]


def header(data: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def tables(dataset: dict[str, Any] | None = None) -> dict[str, list[dict[str, str]]]:
    files = opendata_files.csv_tables(dataset if dataset is not None else export_dataset())
    return {name.removesuffix(".csv"): read(data) for name, data in files.items()}


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return {info.filename: bundle.read(info) for info in bundle.infolist()}


# ------------------------------------------------------------------ tables and values


def test_there_is_a_file_for_every_table_with_its_header() -> None:
    make_every_table()
    files = opendata_files.csv_tables(export_dataset())
    assert list(files) == [f"{name}.csv" for name in NAMES]
    assert header(files["plans.csv"]) == [
        "plan_code",
        "title",
        "period_label",
        "first_year",
        "first_year_wareki",
        "last_year",
        "last_year_wareki",
        "onwards",
        "description",
        "note",
        "amount_unit",
    ]
    assert header(files["nodes.csv"]) == [
        "node_id",
        "plan_code",
        "code",
        "parent_id",
        "path",
        "level_key",
        "level_kind",
        "label",
        "position",
        "title",
        "summary",
        "baseline",
        "note",
    ]
    assert header(files["targets.csv"]) == [
        "node_id",
        "target_no",
        "row",
        "position",
        "fiscal_year",
        "fiscal_year_wareki",
        "start_year",
        "start_year_wareki",
        "end_year",
        "end_year_wareki",
        "open_end",
        "period_label",
        "text",
        "revised_text",
        "revision_reason",
        "note",
    ]
    assert header(files["results.csv"]) == [
        "node_id",
        "fiscal_year",
        "fiscal_year_wareki",
        "rating_code",
        "rating_label",
        "text",
        "context_change",
        "response",
        "highlight",
        "note",
    ]
    assert header(files["ratings.csv"]) == [
        "node_id",
        "fiscal_year",
        "fiscal_year_wareki",
        "plan_code",
        "level_key",
        "dimension_key",
        "dimension_name",
        "primary",
        "scale_code",
        "rating_code",
        "rating_label",
        "reason",
    ]
    assert header(files["levels.csv"]) == [
        "plan_code",
        "level_key",
        "depth",
        "kind",
        "name",
        "name_en",
        "rated",
    ]
    assert header(files["scale_levels.csv"]) == [
        "scale_code",
        "level_code",
        "position",
        "label",
        "label_en",
        "adverse",
        "row_label",
        "column_label",
    ]
    assert header(files["costs.csv"]) == [
        "node_id",
        "cost_no",
        "fiscal_year",
        "fiscal_year_wareki",
        "basis",
        "national",
        "prefectural",
        "bonds",
        "other",
        "general",
        "project_cost",
        "staff_count",
        "staff_hours",
        "staff_cost",
        "total_cost",
    ]
    assert header(files["sections.csv"]) == [
        "plan_code",
        "level_key",
        "section_key",
        "position",
        "name",
        "name_en",
        "scope",
        "builtin",
    ]
    for name in ("markers.csv", "dimensions.csv", "scales.csv"):
        names = header(files[name])
        assert names[names.index("name") + 1] == "name_en", name
    assert header(files["indicator_values.csv"]) == [
        "node_id",
        "indicator_no",
        "fiscal_year",
        "fiscal_year_wareki",
        "target",
        "actual",
        "achievement_rate",
    ]
    for table in TABLES:
        assert header(files[table.filename]) == [column.name for column in table.columns]
        # One header row, unique names of letters, digits and underscores.
        names = header(files[table.filename])
        assert len(set(names)) == len(names)
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", name) for name in names)


def test_every_table_holds_the_rows_of_the_world() -> None:
    world: EveryTable = make_every_table()
    data = tables()
    plan = world.plan.code
    measure = f"{plan}:{world.measure.code}"
    assert {name: len(rows) for name, rows in data.items()} == {
        "plans": 1,
        "levels": 4,
        "markers": 2,
        "dimensions": 1,
        "scales": 1,
        "scale_levels": 5,
        "units": 2,
        "nodes": 4,
        "node_markers": 1,
        "node_units": 1,
        "targets": 1,
        "results": 1,
        "ratings": 1,
        "indicators": 1,
        "indicator_values": 1,
        "sections": 4,
        "node_sections": 1,
        "result_sections": 1,
        "staff_rates": 1,
        "costs": 1,
    }
    (plan_row,) = data["plans"]
    assert plan_row["first_year"] == "2011" and plan_row["first_year_wareki"] == "平成23年度"
    assert plan_row["last_year"] == "2013" and plan_row["last_year_wareki"] == "平成25年度"
    assert plan_row["onwards"] == "true"
    # Levels in the order of the tree, whatever their keys.
    assert [row["depth"] for row in data["levels"]] == ["0", "1", "2", "3"]
    assert [row["rated"] for row in data["levels"]] == ["false", "false", "true", "false"]
    # The ○ marker's meaning is not stated: an empty cell.
    assert data["markers"][0]["symbol"] == "○" and data["markers"][0]["meaning"] == ""
    assert data["markers"][1]["meaning"] == "重点的に取り組む施策"
    # English names beside the plan's own, an empty cell where the plan gives none.
    assert [row["name_en"] for row in data["levels"]] == ["", "", "Measure", ""]
    assert [row["name_en"] for row in data["markers"]] == ["", "Priority measure"]
    assert [row["name_en"] for row in (*data["dimensions"], *data["scales"])] == ["Achievement status"] * 2
    assert data["scale_levels"][2]["label"] == "目標をほぼ達成"
    assert data["scale_levels"][2]["label_en"] == "Mostly achieved the target"
    project = next(row for row in data["nodes"] if row["title"] == "協働型事業のルールの運用")
    assert project["parent_id"] == measure
    assert project["path"] == "/".join(
        node.code for node in (world.area, world.programme, world.measure, world.project)
    )
    top = next(row for row in data["nodes"] if row["node_id"] == f"{plan}:{world.area.code}")
    assert top["parent_id"] == ""
    assert data["node_markers"] == [{"node_id": measure, "plan_code": plan, "symbol": "○"}]
    assert data["node_units"] == [{"node_id": measure, "unit_code": world.unit.code, "role": "responsible"}]
    parent = next(row for row in data["units"] if row["unit_code"] == world.unit.code)["parent_code"]
    assert next(row for row in data["units"] if row["unit_code"] == parent)["parent_code"] == ""
    (rating,) = data["ratings"]
    assert rating == {
        "node_id": measure,
        "fiscal_year": "2011",
        "fiscal_year_wareki": "平成23年度",
        "plan_code": plan,
        "level_key": world.measure_level.key,
        "dimension_key": "achievement",
        "dimension_name": "達成状況区分",
        "primary": "true",
        "scale_code": world.scale.code,
        "rating_code": "3",
        "rating_label": "目標をほぼ達成",
        "reason": "庁内調査を予定どおり実施した",
    }
    (value,) = data["indicator_values"]
    assert value == {
        "node_id": measure,
        "indicator_no": "1",
        "fiscal_year": "2011",
        "fiscal_year_wareki": "平成23年度",
        "target": "100",
        "actual": "80",
        "achievement_rate": "80",
    }
    # The cost: B is its 120.5 hours at the year's 4,000 yen; the total A + B.
    assert data["costs"] == [
        {
            "node_id": measure,
            "cost_no": "1",
            "fiscal_year": "2011",
            "fiscal_year_wareki": "平成23年度",
            "basis": "actual",
            "national": "1000000",
            "prefectural": "",
            "bonds": "",
            "other": "",
            "general": "2500000",
            "project_cost": "3500000",
            "staff_count": "1.5",
            "staff_hours": "120.5",
            "staff_cost": "482000",
            "total_cost": "3982000",
        }
    ]
    assert data["staff_rates"] == [
        {"plan_code": plan, "fiscal_year": "2011", "fiscal_year_wareki": "平成23年度", "hourly_cost": "4000"}
    ]
    assert [(row["section_key"], row["scope"], row["builtin"]) for row in data["sections"]] == [
        ("purpose", "node", "summary"),
        ("target-group", "node", ""),
        ("result", "year", "text"),
        ("issues", "year", ""),
    ]
    assert data["node_sections"] == [
        {
            "node_id": measure,
            "plan_code": plan,
            "level_key": world.measure_level.key,
            "section_key": "target-group",
            "text": "市民活動団体",
        }
    ]
    assert [
        (row["node_id"], row["fiscal_year"], row["section_key"], row["text"])
        for row in data["result_sections"]
    ] == [(measure, "2011", "issues", "周知の不足")]


def test_the_sample_reads_as_printed() -> None:
    sample: Sample = make_sample()
    data = tables()
    targets = [row for row in data["targets"] if row["node_id"] == "plan9:9-1-1"]
    assert [
        (row["target_no"], row["row"], row["fiscal_year"], row["start_year"], row["end_year"], row["text"])
        for row in targets
    ] == [
        ("1", "1", "2011", "2011", "2011", "●ガイドラインの作成"),
        ("2", "1", "2011", "2011", "2011", "●説明会の開催"),
        ("3", "1", "", "2012", "2013", "●ルールに基づく拡充"),
        ("4", "1", "", "2014", "2014", "事業推進"),
        ("5", "2", "2012", "2012", "2012", "●モデル事業の実施"),
    ]
    spanning, onwards, revised = targets[2], targets[3], targets[4]
    assert spanning["fiscal_year_wareki"] == "" and spanning["end_year_wareki"] == "平成25年度"
    assert spanning["period_label"] == "2012年度〜2013年度" and spanning["open_end"] == "false"
    assert onwards["open_end"] == "true" and onwards["period_label"] == "2014年度以降"
    assert (revised["revised_text"], revised["revision_reason"]) == (
        "●モデル事業の検証",
        "補助制度を見直したため",
    )

    first, second = (row for row in data["results"] if row["node_id"] == "plan9:9-1-1")
    # A line break inside a cell is kept; the cell stays one datum.
    assert first["text"] == "・庁内調査を平成23年4月に実施しました。\n・説明会を5月及び1月に開催しました。"
    assert (first["fiscal_year"], first["fiscal_year_wareki"]) == ("2011", "平成23年度")
    assert (second["rating_code"], second["rating_label"]) == ("4", "目標を下回った")
    assert (second["context_change"], second["response"]) == (
        "・相談件数が増加しています。",
        "・相談窓口を拡充します。",
    )
    baseline = next(row for row in data["nodes"] if row["node_id"] == "plan9:9-1-1")["baseline"]
    assert baseline == sample.measure.baseline
    assert [row["label"] for row in data["nodes"] if row["code"] == "9"] == ["プラン９"]
    (indicator,) = data["indicators"]
    assert (indicator["baseline_value"], indicator["baseline_year"], indicator["baseline_year_wareki"]) == (
        "8",
        "2010",
        "平成22年度",
    )
    assert [row["achievement_rate"] for row in data["indicator_values"]] == ["120", "75"]


def test_records_end_with_crlf_and_a_line_break_in_a_cell_is_quoted() -> None:
    make_sample()
    files = opendata_files.csv_tables(export_dataset())
    results = files["results.csv"]
    assert results.endswith(b"\r\n")
    assert results.startswith(b"node_id,fiscal_year,")
    assert (
        '"・庁内調査を平成23年4月に実施しました。\n・説明会を5月及び1月に開催しました。"'.encode() in results
    )
    # Every line break outside a quoted cell is CRLF: the records are as many as the rows.
    assert results.count(b"\r\n") == 1 + 4


# ------------------------------------------------------------------ one path: the JSON


def typed(table: Table, row: dict[str, str]) -> dict[str, Any]:
    """A CSV row read by its schema: an empty cell is None, numbers and booleans typed."""
    values: dict[str, Any] = {}
    for column in table.columns:
        cell = row[column.name]
        if cell == "":
            values[column.name] = None
        elif column.type == "integer":
            values[column.name] = int(cell)
        elif column.type == "boolean":
            assert cell in {"true", "false"}
            values[column.name] = cell == "true"
        else:
            values[column.name] = cell
    return values


def text(value: Any) -> str:
    return "" if value is None else value


def dataset_from_csv(files: dict[str, bytes]) -> dict[str, Any]:
    """The JSON dataset rebuilt from the CSV tables alone."""
    rows = {table.name: [typed(table, row) for row in read(files[table.filename])] for table in TABLES}
    dimensions = rows["dimensions"]
    dimension_position = {
        (d["plan_code"], d["level_key"], d["dimension_key"]): d["position"] for d in dimensions
    }
    marker_position = {(m["plan_code"], m["symbol"]): m["position"] for m in rows["markers"]}
    section_position = {
        (s["plan_code"], s["level_key"], s["section_key"]): s["position"] for s in rows["sections"]
    }
    level_depth = {(level["plan_code"], level["level_key"]): level["depth"] for level in rows["levels"]}

    def rating(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "dimension": row["dimension_key"],
            "dimension_name": row["dimension_name"],
            "scale": row["scale_code"],
            "code": row["rating_code"],
            "label": row["rating_label"],
            "reason": text(row["reason"]),
        }

    def texts(found: list[dict[str, Any]]) -> dict[str, str]:
        """Section texts as the JSON holds them: by key, in the sections' order."""
        ordered = sorted(
            found,
            key=lambda t: (
                section_position[(t["plan_code"], t["level_key"], t["section_key"])],
                t["section_key"],
            ),
        )
        return {t["section_key"]: t["text"] for t in ordered}

    results = []
    for result in rows["results"]:
        ratings = sorted(
            (
                r
                for r in rows["ratings"]
                if (r["node_id"], r["fiscal_year"]) == (result["node_id"], result["fiscal_year"])
            ),
            key=lambda r: dimension_position[(r["plan_code"], r["level_key"], r["dimension_key"])],
        )
        primary = next((rating(r) for r in ratings if r["primary"]), None)
        assert (primary or {}).get("code") == result["rating_code"]
        assert (primary or {}).get("label") == result["rating_label"]
        year = result["fiscal_year"]
        results.append(
            {
                "node_id": result["node_id"],
                "fiscal_year": year,
                "fiscal_year_label": f"{year}年度",
                "wareki": result["fiscal_year_wareki"],
                "text": text(result["text"]),
                "rating": primary,
                "ratings": [rating(r) for r in ratings],
                "context_change": text(result["context_change"]),
                "response": text(result["response"]),
                "highlight": text(result["highlight"]),
                "note": text(result["note"]),
                "sections": texts(
                    [
                        t
                        for t in rows["result_sections"]
                        if (t["node_id"], t["fiscal_year"]) == (result["node_id"], year)
                    ]
                ),
            }
        )
    return {
        "schema_version": "1.0",
        "plans": [
            {
                "code": plan["plan_code"],
                "title": plan["title"],
                "period_label": text(plan["period_label"]),
                "first_year": plan["first_year"],
                "last_year": plan["last_year"],
                "onwards": plan["onwards"],
                "description": text(plan["description"]),
                "note": text(plan["note"]),
                "levels": [
                    {
                        "key": level["level_key"],
                        "kind": level["kind"],
                        "name": level["name"],
                        "name_en": text(level["name_en"]),
                        "depth": level["depth"],
                        "rated": level["rated"],
                    }
                    for level in rows["levels"]
                    if level["plan_code"] == plan["plan_code"]
                ],
                "dimensions": [
                    {
                        "key": d["dimension_key"],
                        "name": d["name"],
                        "name_en": text(d["name_en"]),
                        "level": d["level_key"],
                        "scale": d["scale_code"],
                        "primary": d["primary"],
                    }
                    for d in dimensions
                    if d["plan_code"] == plan["plan_code"]
                ],
                "markers": [
                    {
                        "symbol": m["symbol"],
                        "name": m["name"],
                        "name_en": text(m["name_en"]),
                        "meaning": m["meaning"],
                        "note": text(m["note"]),
                    }
                    for m in rows["markers"]
                    if m["plan_code"] == plan["plan_code"]
                ],
                "amount_unit": plan["amount_unit"],
                "sections": [
                    {
                        "key": s["section_key"],
                        "name": s["name"],
                        "name_en": text(s["name_en"]),
                        "level": s["level_key"],
                        "scope": s["scope"],
                        "builtin": text(s["builtin"]),
                    }
                    for s in sorted(
                        rows["sections"],
                        key=lambda s: (level_depth[(s["plan_code"], s["level_key"])], s["position"]),
                    )
                    if s["plan_code"] == plan["plan_code"]
                ],
                "staff_rates": [
                    {"fiscal_year": r["fiscal_year"], "hourly_cost": r["hourly_cost"]}
                    for r in rows["staff_rates"]
                    if r["plan_code"] == plan["plan_code"]
                ],
            }
            for plan in rows["plans"]
        ],
        "scales": [
            {
                "code": scale["scale_code"],
                "name": scale["name"],
                "name_en": text(scale["name_en"]),
                "good_end": scale["good_end"],
                "description": text(scale["description"]),
                "levels": [
                    {
                        "code": level["level_code"],
                        "label": level["label"],
                        "label_en": text(level["label_en"]),
                        "position": level["position"],
                        "adverse": level["adverse"],
                        "row_label": text(level["row_label"]),
                        "column_label": text(level["column_label"]),
                    }
                    for level in rows["scale_levels"]
                    if level["scale_code"] == scale["scale_code"]
                ],
            }
            for scale in rows["scales"]
        ],
        "units": [
            {"code": u["unit_code"], "name": u["name"], "kind": u["kind"], "parent": u["parent_code"]}
            for u in rows["units"]
        ],
        "nodes": [
            {
                "id": node["node_id"],
                "plan": node["plan_code"],
                "parent_id": node["parent_id"],
                "level": node["level_kind"],
                "level_key": node["level_key"],
                "code": node["code"],
                "label": text(node["label"]),
                "position": node["position"],
                "title": node["title"],
                "summary": text(node["summary"]),
                "baseline": text(node["baseline"]),
                "note": text(node["note"]),
                "markers": [
                    m["symbol"]
                    for m in sorted(
                        (m for m in rows["node_markers"] if m["node_id"] == node["node_id"]),
                        key=lambda m: (marker_position[(m["plan_code"], m["symbol"])], m["symbol"]),
                    )
                ],
                "units": [
                    {"unit": u["unit_code"], "role": u["role"]}
                    for u in sorted(
                        (u for u in rows["node_units"] if u["node_id"] == node["node_id"]),
                        key=lambda u: (u["role"], u["unit_code"]),
                    )
                ],
                "sections": texts([t for t in rows["node_sections"] if t["node_id"] == node["node_id"]]),
            }
            for node in rows["nodes"]
        ],
        "targets": [
            {
                "node_id": t["node_id"],
                "row": t["row"],
                "position": t["position"],
                "fiscal_year": t["fiscal_year"],
                "start_year": t["start_year"],
                "end_year": t["end_year"],
                "open_end": t["open_end"],
                "period_label": t["period_label"],
                "text": t["text"],
                "revised_text": text(t["revised_text"]),
                "revision_reason": text(t["revision_reason"]),
                "note": text(t["note"]),
            }
            for t in rows["targets"]
        ],
        "results": results,
        "indicators": [
            {
                "node_id": i["node_id"],
                "position": i["position"],
                "name": i["name"],
                "kind": i["kind"],
                "unit": text(i["unit"]),
                "direction": i["direction"],
                "baseline_value": i["baseline_value"],
                "baseline_year": i["baseline_year"],
                "values": [
                    {
                        "fiscal_year": v["fiscal_year"],
                        "fiscal_year_label": f"{v['fiscal_year']}年度",
                        "wareki": v["fiscal_year_wareki"],
                        "target": v["target"],
                        "actual": v["actual"],
                        "achievement_rate": v["achievement_rate"],
                    }
                    for v in rows["indicator_values"]
                    if (v["node_id"], v["indicator_no"]) == (i["node_id"], i["indicator_no"])
                ],
            }
            for i in rows["indicators"]
        ],
        "costs": [
            {
                "node_id": c["node_id"],
                "fiscal_year": c["fiscal_year"],
                "basis": c["basis"],
                **{key: c[key] for key in COST_KEYS},
            }
            for c in rows["costs"]
        ],
    }


def comparable(dataset: dict[str, Any]) -> dict[str, Any]:
    """The dataset with the targets in one order (the JSON leaves ties of row and
    position in the database's order)."""
    return {
        **dataset,
        "targets": sorted(
            dataset["targets"], key=lambda t: json.dumps(t, sort_keys=True, ensure_ascii=False)
        ),
    }


@pytest.mark.parametrize("bom", [False, True])
def test_the_csv_tables_parse_back_to_the_json_dataset(tmp_path: Path, bom: bool) -> None:
    plant_formulas(make_sample())
    make_every_table()
    load_plan_file(write(tmp_path, GOOD))
    dataset = export_dataset()
    files = opendata_files.csv_tables(dataset, bom=bom)
    if bom:
        # The copies for spreadsheets, their texts read back as docs/open-data.md says.
        files = {
            table.filename: plain_csv(table, unescaped(table, read_copy(files[table.filename])))
            for table in TABLES
        }
    assert comparable(dataset_from_csv(files)) == comparable(dataset)


def plain_csv(table: Table, rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, [column.name for column in table.columns], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_a_year_keeps_its_results_and_the_targets_covering_it() -> None:
    sample = make_sample()
    for year in (2011, 2012):
        add_cost(sample.measure, year, project_cost=year)
    add_cost(sample.measure, None, "plan", project_cost=1)
    dataset = opendata_files.for_year(export_dataset(), 2012)
    # The costs of that year only (not the whole period's).
    assert [(cost["fiscal_year"], cost["project_cost"]) for cost in dataset["costs"]] == [(2012, 2012)]
    data = tables(dataset)
    assert {row["fiscal_year"] for row in data["results"]} == {"2012"}
    assert len(data["results"]) == 3
    assert {row["fiscal_year"] for row in data["ratings"]} == {"2012"}
    assert [row["fiscal_year"] for row in data["indicator_values"]] == ["2012"]
    assert [row["text"] for row in data["targets"]] == ["●ルールに基づく拡充", "●モデル事業の実施"]
    # The plan, its tree and the indicators themselves stay whole.
    assert len(data["nodes"]) == 6 and len(data["indicators"]) == 1
    assert dataset_from_csv(opendata_files.csv_tables(dataset))["results"] == dataset["results"]


# ------------------------------------------------------------------ the data package


def test_the_datapackage_describes_every_column_of_every_csv_and_nothing_else() -> None:
    make_every_table()
    bundle = unzip(opendata_files.zip_bundle(export_dataset()))
    descriptor = json.loads(bundle["datapackage.json"])
    assert descriptor["profile"] == "tabular-data-package"
    described = {resource["path"]: resource for resource in descriptor["resources"]}
    assert sorted(described) == sorted(name for name in bundle if name.endswith(".csv"))
    names = {path: resource["name"] for path, resource in described.items()}
    for path, resource in described.items():
        fields = resource["schema"]["fields"]
        assert [field["name"] for field in fields] == header(bundle[path])
        copy = path.startswith("csv-bom/")
        assert resource["name"] == Path(path).stem + ("-bom" if copy else "")
        assert resource["encoding"] == "utf-8"
        assert resource["dialect"]["lineTerminator"] == "\r\n" and resource["dialect"]["header"] is True
        for field in fields:
            assert field["title"] and field["description"]
            assert field["type"] in {"string", "integer", "number", "boolean"}
            assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", field["title"]), field
        columns = {field["name"] for field in fields}
        assert set(resource["schema"]["primaryKey"]) <= columns
        for key in resource["schema"].get("foreignKeys", []):
            assert set(key["fields"]) <= columns
            other = key["reference"]["resource"] or resource["name"]
            # A copy for spreadsheets refers to the other copies for spreadsheets.
            (referred,) = (p for p, name in names.items() if name == other)
            assert referred.startswith("csv-bom/") is copy
            assert set(key["reference"]["fields"]) <= {
                field["name"] for field in described[referred]["schema"]["fields"]
            }
        # Only the copies for spreadsheets say how their texts are escaped, so that a
        # program can undo it.
        assert ("formulaEscape" in resource) is copy
        if copy:
            assert resource["formulaEscape"]["prefix"] == "'"
            assert resource["formulaEscape"]["fieldTypes"] == ["string"]
            assert "apostrophe" in resource["description"] and "（表計算ソフト用）" in resource["title"]
    # The copies with a byte order mark are the same tables, their texts read back.
    for table in TABLES:
        copy = unescaped(table, read_copy(bundle[f"csv-bom/{table.filename}"]))
        assert copy == read(bundle[f"csv/{table.filename}"])


def test_the_licence_is_the_setting(settings) -> None:
    make_sample()
    descriptor = json.loads(unzip(opendata_files.zip_bundle(export_dataset()))["datapackage.json"])
    assert descriptor["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "title": "Creative Commons Attribution 4.0 International",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        }
    ]
    settings.OPEN_DATA_LICENSE = "city-terms-2.0"
    settings.OPEN_DATA_LICENSE_URL = "https://www.city.example.lg.jp/opendata/terms.html"
    assert license_descriptor() == {
        "name": "city-terms-2.0",
        "title": "city-terms-2.0",
        "path": "https://www.city.example.lg.jp/opendata/terms.html",
    }


def validate(folder: Path) -> None:
    report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "note", "message"])


def test_the_zip_is_a_valid_data_package(tmp_path: Path) -> None:
    plant_formulas(make_sample())
    make_every_table()
    for year in (None, 2012):
        dataset = export_dataset()
        if year:
            dataset = opendata_files.for_year(dataset, year)
        folder = tmp_path / str(year)
        with zipfile.ZipFile(io.BytesIO(opendata_files.zip_bundle(dataset, year=year))) as bundle:
            bundle.extractall(folder)
        validate(folder)


def test_the_validation_sees_a_broken_table(tmp_path: Path) -> None:
    make_sample()
    with zipfile.ZipFile(io.BytesIO(opendata_files.zip_bundle(export_dataset()))) as bundle:
        bundle.extractall(tmp_path)
    ratings = tmp_path / "csv" / "ratings.csv"
    ratings.write_bytes(ratings.read_bytes().replace(b"plan9:9-3-1", b"plan9:9-9-9"))
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert not report.valid
    assert {"foreign-key", "hash-count"} <= {error[0] for error in report.flatten(["type"])}


@pytest.mark.parametrize("bom", [False, True])
def test_the_csv_folder_is_a_valid_data_package(tmp_path: Path, bom: bool) -> None:
    plant_formulas(make_sample())
    args = ["export", "--format", "csv", "--output", str(tmp_path / "out")]
    call_command(*args, *(["--bom"] if bom else []), stdout=io.StringIO())
    files = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert files == sorted([f"{name}.csv" for name in NAMES] + ["datapackage.json"])
    nodes = (tmp_path / "out" / "nodes.csv").read_bytes()
    assert nodes.startswith(BOM) is bom
    assert (b"\"'=HYPERLINK(" in nodes) is bom  # the copy for spreadsheets escapes formulas
    validate(tmp_path / "out")


# ------------------------------------------------------------------ texts that look like formulas

#: Texts of a node that a spreadsheet program would run if they were formulas.
FORMULA_LIKE = {
    "title": '=HYPERLINK("http://example.com","x")',
    "summary": "+81-3-1234-5678",
    "baseline": "-5件",
    "note": "@SUM(A1:A2)",
}


def plant_formulas(sample: Sample) -> Sample:
    """Texts beginning with = + - @, a tab, a carriage return and an apostrophe, a marker
    that is a plus sign, and an indicator whose numbers are negative."""
    Node.objects.filter(pk=sample.measure.pk).update(**FORMULA_LIKE)
    Target.objects.filter(node=sample.measure, text="●説明会の開催").update(text="\t=1+1")
    Result.objects.filter(node=sample.measure, fiscal_year=2012).update(text="\r=1+1", response="'=1+1")
    Marker.objects.filter(pk=sample.priority.pk).update(symbol="+")
    Indicator.objects.filter(node=sample.measure).update(baseline_value=Decimal(-5))
    IndicatorValue.objects.filter(indicator__node=sample.measure, fiscal_year=2011).update(target=Decimal(-5))
    return sample


def test_the_copies_for_spreadsheets_put_an_apostrophe_before_a_text_that_would_run() -> None:
    plant_formulas(make_sample())
    bundle = unzip(opendata_files.zip_bundle(export_dataset()))

    def cells(folder: str, table: str, key: str, value: str, *columns: str) -> list[str]:
        data = bundle[f"{folder}/{table}.csv"]
        rows = read(data) if folder == "csv" else read_copy(data)
        return [cell for row in rows if row[key] == value for cell in (row[c] for c in columns)]

    # csv/ holds the texts exactly, for programs.
    assert cells("csv", "nodes", "code", "9-1-1", *FORMULA_LIKE) == list(FORMULA_LIKE.values())
    assert "\t=1+1" in cells("csv", "targets", "node_id", "plan9:9-1-1", "text")
    assert cells("csv", "results", "fiscal_year", "2012", "text", "response")[:2] == ["\r=1+1", "'=1+1"]
    # csv-bom/, for spreadsheet programs, puts an apostrophe in front of each.
    assert cells("csv-bom", "nodes", "code", "9-1-1", *FORMULA_LIKE) == [
        f"'{text}" for text in FORMULA_LIKE.values()
    ]
    assert "'\t=1+1" in cells("csv-bom", "targets", "node_id", "plan9:9-1-1", "text")
    assert cells("csv-bom", "results", "fiscal_year", "2012", "text", "response")[:2] == ["'\r=1+1", "''=1+1"]
    # A key is escaped alike wherever it stands, so the copies' keys still match.
    assert cells("csv-bom", "markers", "name", "重点施策", "symbol") == ["'+"]
    assert cells("csv-bom", "node_markers", "node_id", "plan9:9-1-2", "symbol") == ["'+"]
    # Numbers stay numbers, a negative one too.
    for folder in ("csv", "csv-bom"):
        assert cells(folder, "indicators", "node_id", "plan9:9-1-1", "baseline_value") == ["-5"]
        assert cells(folder, "indicator_values", "fiscal_year", "2011", "target") == ["-5"]
    # An escaped cell is quoted, so that no delimiter of another locale splits it.
    nodes = bundle["csv-bom/nodes.csv"].decode("utf-8")
    assert (
        ',"\'=HYPERLINK(""http://example.com"",""x"")","\'+81-3-1234-5678","\'-5件","\'@SUM(A1:A2)"' in nodes
    )
    assert ",-5," in bundle["csv-bom/indicators.csv"].decode("utf-8")
    # Where nothing needs escaping, the copy is the same bytes, a byte order mark in front.
    assert bundle["csv-bom/plans.csv"] == BOM + bundle["csv/plans.csv"]


@needs_office
def test_a_spreadsheet_application_runs_no_formula_from_the_copies_for_spreadsheets(tmp_path: Path) -> None:
    plant_formulas(make_sample())
    bundle = unzip(opendata_files.zip_bundle(export_dataset()))
    opened = {}
    for folder in ("csv", "csv-bom"):
        path = tmp_path / folder / "nodes.csv"
        path.parent.mkdir()
        path.write_bytes(bundle[f"{folder}/nodes.csv"])
        sheet = load_workbook(csv_as_workbook(path, tmp_path)).active
        opened[folder] = {cell.value: cell.data_type for row in sheet.iter_rows() for cell in row}
    # Opened as it is, the exact copy for programs would run the formula ...
    assert opened["csv"][FORMULA_LIKE["title"]] == "f"
    # ... the copy for spreadsheets shows every text as text.
    assert "f" not in opened["csv-bom"].values()
    assert opened["csv-bom"]["'" + FORMULA_LIKE["title"]] == "s"


# ------------------------------------------------------------------ the same bytes


def test_the_same_data_gives_the_same_zip(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, GOOD))
    call_command("export", "--format", "zip", "--output", str(tmp_path / "a.zip"))
    load_plan_file(write(tmp_path, GOOD))  # the same data again, under new database ids
    call_command("export", "--format", "zip", "--output", str(tmp_path / "b.zip"))
    first = (tmp_path / "a.zip").read_bytes()
    assert first == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as bundle:
        infos = bundle.infolist()
    assert [info.filename for info in infos] == [
        "datapackage.json",
        *(f"csv/{name}.csv" for name in NAMES),
        *(f"csv-bom/{name}.csv" for name in NAMES),
    ]
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}


# ------------------------------------------------------------------ the command


def test_the_command_filters_by_plan_and_year(tmp_path: Path) -> None:
    make_sample()
    make_every_table()
    call_command(
        "export", "--format", "zip", "--plan", "plan9", "--year", "2011", "--output", str(tmp_path / "x.zip")
    )
    bundle = unzip((tmp_path / "x.zip").read_bytes())
    assert [row["plan_code"] for row in read(bundle["csv/plans.csv"])] == ["plan9"]
    assert [(row["node_id"], row["fiscal_year"]) for row in read(bundle["csv/results.csv"])] == [
        ("plan9:9-1-1", "2011")
    ]
    descriptor = json.loads(bundle["datapackage.json"])
    assert descriptor["name"] == "plan9-2011" and "2011年度" in descriptor["title"]
    # The JSON takes the same year.
    call_command("export", "--plan", "plan9", "--year", "2011", "--output", str(tmp_path / "x.json"))
    data = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert data == opendata_files.for_year(export_dataset(data_plans()), 2011)


def data_plans() -> list[Plan]:
    return list(Plan.objects.filter(code="plan9"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv"], "need --output FOLDER"),
        (["--format", "zip", "-o", "-"], "needs --output FILE"),
        (["--format", "zip", "--year", "2020", "-o", "{tmp}/x.zip"], "outside the period"),
        (["--format", "zip", "--plan", "nope", "-o", "{tmp}/x.zip"], "no plan with the code nope"),
        (["--format", "zip", "-o", "{tmp}/missing/x.zip"], "does not exist"),
        (["--format", "csv", "-o", "{tmp}/missing/out"], "cannot be made here"),
        (["--format", "csv", "-o", "{tmp}/file"], "not a folder"),
    ],
)
def test_the_command_refuses_what_it_cannot_write(tmp_path: Path, args: list[str], message: str) -> None:
    make_sample()
    (tmp_path / "file").write_text("a file")
    with pytest.raises(CommandError, match=message):
        call_command("export", *[arg.format(tmp=tmp_path) for arg in args])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["file"]


# ------------------------------------------------------------------ the documentation


def test_the_documentation_lists_every_column() -> None:
    """docs/open-data.md carries the column reference made from the table definitions; after
    a change, paste the output of ``shinchoku.opendata.reference.columns_markdown()``
    between its markers."""
    doc = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- columns:start -->\n(.*)<!-- columns:end -->", doc, re.S)
    assert found, "docs/open-data.md has no column reference between its markers"
    assert found.group(1) == columns_markdown()
    for table in TABLES:
        for column in table.columns:
            assert f"| `{column.name}` |" in found.group(1)


# ------------------------------------------------------------------ the public site


def opendata_url(plan: str = "plan9", year: int | None = None, lang: str = "ja") -> str:
    with translation.override(lang):
        if year is None:
            return reverse("portal:opendata", args=[plan])
        return reverse("portal:opendata_year", args=[plan, year])


@pytest.fixture
def cache(settings, tmp_path: Path) -> Path:
    settings.REPORT_CACHE_DIR = tmp_path / "cache"
    return settings.REPORT_CACHE_DIR


def test_the_urls_read_as_the_plan_and_the_year() -> None:
    assert opendata_url() == "/plans/plan9/opendata.zip"
    assert opendata_url(year=2012) == "/plans/plan9/opendata/2012.zip"
    assert opendata_url(year=2012, lang="en") == "/en/plans/plan9/opendata/2012.zip"


def body(response: Any) -> bytes:
    """The bytes of a download, served from a file or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_download_is_the_zip_of_the_plan(client: Client, cache: Path) -> None:
    make_sample()
    make_every_table()  # another plan, not in this one's file
    response = client.get(opendata_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="plan9-opendata.zip"'
    plan = data_plans()
    content = body(response)
    assert content == opendata_files.zip_bundle(export_dataset(plan))
    assert response["Content-Length"] == str(len(content))
    bundle = unzip(content)
    assert [row["plan_code"] for row in read(bundle["csv/plans.csv"])] == ["plan9"]

    year = client.get(opendata_url(year=2011))
    assert year.status_code == 200
    assert year["Content-Disposition"] == 'attachment; filename="plan9-opendata-2011.zip"'
    assert body(year) == opendata_files.zip_bundle(
        opendata_files.for_year(export_dataset(plan), 2011), year=2011
    )
    assert client.get(opendata_url(year=2012, lang="en")).status_code == 200


@pytest.mark.parametrize(("plan", "year"), [("nope", None), ("nope", 2012), ("plan9", 2010), ("plan9", 2014)])
def test_a_plan_or_year_that_is_not_there_is_not_found(client: Client, plan: str, year: int | None) -> None:
    make_sample()
    assert client.get(opendata_url(plan, year)).status_code == 404


def test_the_zip_is_made_once_per_data_version_and_not_sent_again(
    client: Client, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = make_sample()
    made: list[int | None] = []
    real = opendata_files.write_zip

    def counted(parts: Any, out: Any, *, year: int | None = None) -> None:
        made.append(year)
        real(parts, out, year=year)

    monkeypatch.setattr(opendata_files, "write_zip", counted)
    first = client.get(opendata_url(year=2012))
    second = client.get(opendata_url(year=2012))
    assert body(first) == body(second) and made == [2012]
    etag = first["ETag"]
    assert etag.startswith('"') and etag == second["ETag"]
    not_modified = client.get(opendata_url(year=2012), headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    # Published data changes: another file, another tag.
    result = sample.measure.results.get(fiscal_year=2012)
    result.text = "・書き換えた実施結果"
    result.save()
    changed = client.get(opendata_url(year=2012), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "・書き換えた実施結果" in read(unzip(body(changed))["csv/results.csv"])[0]["text"]
    assert made == [2012, 2012]


def test_the_plan_page_links_to_the_open_data(client: Client) -> None:
    make_sample()
    with translation.override("en"):
        address = reverse("portal:plan", args=["plan9"])
    doc = parse(client.get(address).content)
    section = doc.find("section", aria_labelledby="opendata-heading")
    assert section.find("h2").text == "Open data"
    links = [(a.attrs["href"], a.attrs["type"], a.text) for a in section.find_all("a")[:3]]
    assert links == [
        ("/en/plans/plan9/opendata.zip", "application/zip", "Open data of all years: ZIP"),
        (
            "/en/plans/plan9/opendata/2011.zip",
            "application/zip",
            "Open data for FY2011: ZIP",
        ),
        (
            "/en/plans/plan9/opendata/2012.zip",
            "application/zip",
            "Open data for FY2012: ZIP",
        ),
    ]
    assert [a.shown_text for a in section.find_all("a")[:3]] == ["ZIP", "ZIP", "ZIP"]
    for href, _type, _label in links:
        assert client.get(href).status_code == 200
    help_text = section.find("details").text
    assert "csv-bom" in help_text and "Creative Commons Attribution 4.0 International" in help_text
    assert all(f"{name}.csv" in help_text for name in NAMES)
    licence = next(a for a in section.find_all("a") if a.attrs.get("rel") == "license")
    assert licence.attrs["href"] == "https://creativecommons.org/licenses/by/4.0/"


def test_a_plan_without_results_still_offers_its_structure(client: Client) -> None:
    world = make_every_table()
    with changes.batch():  # a delete is said by who deletes (shinchoku.published.changes)
        changes.row_written(world.result, deleting=True)
        world.result.delete()
    with translation.override("ja"):
        address = reverse("portal:plan", args=[world.plan.code])
    doc = parse(client.get(address).content)
    section = doc.find("section", aria_labelledby="opendata-heading")
    assert [a.attrs["href"] for a in section.find_all("a", type="application/zip")] == [
        f"/plans/{world.plan.code}/opendata.zip"
    ]


SENTINEL = "SENTINEL-opendata-5d1e"


def test_a_draft_is_not_in_the_open_data_until_published(client: Client, cache: Path) -> None:
    cycle = make_cycle(year=2012)
    entry = cycle.written(
        text=f"・{SENTINEL}", code="2", highlight=f"・{SENTINEL}の要約", context_change=f"・{SENTINEL}"
    )

    def public() -> str:
        found = []
        for url in (opendata_url(), opendata_url(year=2012)):
            response = client.get(url)
            assert response.status_code == 200
            found += [data.decode("utf-8-sig") for data in unzip(body(response)).values()]
        return "\n".join(found)

    published_before = "・事業一覧を9月に公表しました。"
    assert SENTINEL not in public() and published_before in public()
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    entry = services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    assert SENTINEL not in public()
    services.round_publish(cycle.round, actor=cycle.admin)
    assert SENTINEL in public() and published_before not in public()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reader_downloads_the_open_data_from_the_plan_page(browser, live_server, tmp_path: Path) -> None:
    """In Chromium: the section beside the reports, its help opened, a year's ZIP saved.
    The screenshot goes to test-artifacts/ for a person to look at."""
    from playwright.sync_api import expect

    from tests.browser import ARTIFACTS

    make_sample()
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    try:
        page = context.new_page()
        page.goto(live_server.url + "/plans/plan9/")
        section = page.locator("section[aria-labelledby=opendata-heading]")
        expect(section.get_by_role("heading", level=2)).to_be_visible()
        section.locator("summary").click()
        expect(section.locator("details table")).to_be_visible()
        # The help says which folder is exact and which is escaped for Excel.
        expect(section.locator("details")).to_contain_text("値をそのまま収めています")
        expect(section.locator("details")).to_contain_text("「'」（アポストロフィ）を付けて")
        section.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "opendata-plan.png", full_page=True)
        with page.expect_download() as download_info:
            section.locator("a[href$='/opendata/2012.zip']").click()
        download = download_info.value
        assert download.suggested_filename == "plan9-opendata-2012.zip"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        bundle = unzip(saved.read_bytes())
        assert {row["fiscal_year"] for row in read(bundle["csv/results.csv"])} == {"2012"}
    finally:
        context.close()
