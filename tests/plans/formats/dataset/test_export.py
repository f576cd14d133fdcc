"""The JSON export: its schema, its content, its cost and its refusals."""

import json
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from shinchoku.interchange.importing import import_apply
from shinchoku.plans.formats.dataset.export import dumps, export_dataset
from shinchoku.plans.formats.planfile import load_plan_file
from shinchoku.plans.formats.structure.export import plan_rows
from shinchoku.plans.models import Node, Plan
from shinchoku.progress.models import Result, Target
from tests.factories import make_node, make_sample, make_world
from tests.plans.formats.planfile.test_planfile import GOOD, write

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(__file__).parents[4] / "src/shinchoku/plans/formats/dataset/dataset-1.schema.json").read_text()
)


def with_measures(count: int) -> dict:
    data = json.loads(json.dumps(GOOD))
    programme = data["nodes"][0]["children"][0]
    template = programme["children"][0]
    programme["children"] = []
    for number in range(count):
        measure = json.loads(json.dumps(template))
        measure["code"] = f"9-1-{number + 1}"
        programme["children"].append(measure)
    return data


def test_the_export_follows_its_schema(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, GOOD))
    data = export_dataset()
    jsonschema.validate(data, SCHEMA)


def test_the_export_carries_the_data(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, GOOD))
    data = export_dataset()
    nodes = {node["id"]: node for node in data["nodes"]}
    measure = nodes["t:9-1-1"]
    assert measure["parent_id"] == "t:9-1"
    assert measure["level"] == "measure"
    assert measure["markers"] == ["○"]
    assert measure["units"] == [{"unit": "shimin", "role": "responsible"}]
    assert nodes["t:9"]["parent_id"] is None and nodes["t:9"]["label"] == "プラン9"
    targets = [t for t in data["targets"] if t["node_id"] == "t:9-1-1"]
    assert [(t["fiscal_year"], t["period_label"]) for t in targets] == [
        (None, "2011年度〜2013年度"),
        (None, "2014年度以降"),
        (2012, "2012年度"),  # row 2 comes after row 1
    ]
    assert targets[2]["revised_text"] == "●基本計画素案" and targets[2]["revision_reason"] == "国の動向"
    first, second = (r for r in data["results"] if r["node_id"] == "t:9-1-1")
    assert first["wareki"] == "平成23年度"
    assert first["rating"] == {
        "dimension": "achievement",
        "dimension_name": "達成状況区分",
        "scale": "t-five",
        "code": "3",
        "label": "目標をほぼ達成",
        "reason": "",
    }
    assert second["ratings"] == [second["rating"]]
    assert (second["context_change"], second["response"], second["highlight"]) == ("変化", "対応", "・要約")
    (indicator,) = data["indicators"]
    assert indicator["baseline_value"] == "100"
    assert indicator["values"][0]["achievement_rate"] == "75"
    assert data["units"] == [{"code": "shimin", "name": "市民・こども局", "kind": "bureau", "parent": None}]
    assert data["scales"][0]["levels"][3] == {
        "code": "4",
        "label": "目標を下回った",
        "label_en": "Fell short of the target",
        "position": 3,
        "adverse": True,
        "row_label": "",
        "column_label": "",
    }


def test_the_export_carries_the_english_names_beside_the_plans_own(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, GOOD))
    data = export_dataset()
    (plan,) = data["plans"]
    assert [(level["name"], level["name_en"]) for level in plan["levels"]] == [
        ("プラン", ""),
        ("アクションプログラム", ""),
        ("施策計画", "Measure"),
    ]
    assert [(d["name"], d["name_en"]) for d in plan["dimensions"]] == [("達成状況区分", "Achievement status")]
    assert [(m["name"], m["name_en"]) for m in plan["markers"]] == [("○", "Circle")]
    (scale,) = data["scales"]
    assert (scale["name"], scale["name_en"]) == ("達成状況区分", "Achievement status")
    assert [level["label_en"] for level in scale["levels"]] == [
        "",
        "",
        "Mostly achieved the target",
        "Fell short of the target",
        "",
    ]
    # A rating names its dimension and level as the plan does: the JSON is the city's data.
    first = next(r for r in data["results"] if r["node_id"] == "t:9-1-1")
    assert (first["rating"]["dimension_name"], first["rating"]["label"]) == ("達成状況区分", "目標をほぼ達成")
    # In whichever language it is made.
    with translation.override("en"):
        assert export_dataset() == data


def test_the_number_of_queries_does_not_grow_with_the_data(tmp_path: Path) -> None:
    counts = []
    for size in (1, 25):
        load_plan_file(write(tmp_path, with_measures(size)))
        with CaptureQueriesContext(connection) as queries:
            data = export_dataset()
        assert len([n for n in data["nodes"] if n["level"] == "measure"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_command_writes_the_file(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, GOOD))
    output = tmp_path / "out.json"
    call_command("export", "--format", "json", "--output", str(output))
    assert json.loads(output.read_text(encoding="utf-8")) == export_dataset()
    assert output.read_text(encoding="utf-8").endswith("}\n")


def test_the_same_data_gives_the_same_bytes(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, GOOD))
    call_command("export", "--output", str(tmp_path / "a.json"))
    load_plan_file(write(tmp_path, GOOD))
    call_command("export", "--output", str(tmp_path / "b.json"))
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_an_unwritable_place_is_refused_without_a_partial_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export", "--output", str(tmp_path / "missing" / "out.json"))
    occupied = tmp_path / "out.json"
    occupied.mkdir()  # a folder where the file should go: the final rename fails
    with pytest.raises(CommandError, match="cannot write"):
        call_command("export", "--output", str(occupied))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.json"]
    assert list(occupied.iterdir()) == []


def test_an_unknown_plan_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no plan with the code nope"):
        call_command("export", "--plan", "nope", "--output", str(tmp_path / "x.json"))
    assert not (tmp_path / "x.json").exists()


def test_texts_that_begin_like_formulas_come_back_exactly_from_the_json() -> None:
    """The JSON holds texts as they are: beginning with = + - @, a tab or an apostrophe,
    they are exported, imported into an empty plan and exported again unchanged."""
    sample = make_sample()
    Node.objects.filter(pk=sample.measure.pk).update(
        title='=HYPERLINK("http://example.com","x")', summary="+81-3-1234-5678", baseline="-5件", note="@x"
    )
    Target.objects.filter(node=sample.measure, text="●説明会の開催").update(text="\t=1+1")
    Result.objects.filter(node=sample.measure, fiscal_year=2012).update(text="=1+1", response="'=1+1")
    first = dumps(export_dataset()).encode()
    Plan.objects.all().delete()
    result = import_apply(first, "dataset.json", actor=None)
    assert result.counts["plans_written"] == 1
    assert dumps(export_dataset()).encode() == first
    measure = Node.objects.get(code="9-1-1")
    assert (measure.title, measure.summary, measure.baseline, measure.note) == (
        '=HYPERLINK("http://example.com","x")',
        "+81-3-1234-5678",
        "-5件",
        "@x",
    )
    assert Target.objects.filter(node=measure, text="\t=1+1").exists()
    assert Result.objects.filter(node=measure, text="=1+1", response="'=1+1").exists()


def test_the_export_is_the_same_whatever_language_the_reader_uses(tmp_path: Path) -> None:
    """The dataset holds the plan's own words: an English reader's download is the same file."""
    load_plan_file(write(tmp_path, GOOD))
    with translation.override("en"):
        english = export_dataset()
    with translation.override("ja"):
        japanese = export_dataset()
    assert english == japanese
    assert {target["period_label"] for target in japanese["targets"]} >= {"2011年度〜2013年度"}


def test_a_nodes_markers_come_in_the_order_of_the_plans_markers_in_every_export() -> None:
    world = make_world()
    world.priority.position = 0  # listed before ○, whose symbol sorts first
    world.priority.save(update_fields=["position"])
    node = make_node(world.area_level, title="市民自治と区役所機能の拡充")
    node.markers.add(world.circle, world.priority)

    [row] = [row for row in export_dataset([world.plan])["nodes"] if row["code"] == node.code]
    assert row["markers"] == ["重点", "○"]
    assert any(cell == "重点 ○" for row in plan_rows(world.plan) for cell in row)
