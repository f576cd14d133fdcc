"""Plan data files: a clean file loads, twice gives the same state, and a bad
file is refused with file, line and path, writing nothing."""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from shinchoku.interchange.exporters import dumps, export_dataset
from shinchoku.interchange.planfile import PlanFileError, load_plan_file
from shinchoku.plans.models import Node, Plan
from shinchoku.progress.models import Rating, Result, Target

pytestmark = pytest.mark.django_db

GOOD = {
    "format": "shinchoku-plan/1",
    "plan": {"code": "t", "title": "テスト計画", "first_year": 2011, "last_year": 2013, "onwards": True},
    "levels": [
        {"key": "plan", "name": "プラン"},
        {"key": "programme", "name": "アクションプログラム"},
        {"key": "measure", "name": "施策計画", "rated": True},
    ],
    "scales": [
        {
            "code": "t-five",
            "name": "達成状況区分",
            "levels": [
                {"code": "1", "label": "目標を大きく上回って達成"},
                {"code": "2", "label": "目標を上回って達成"},
                {"code": "3", "label": "目標をほぼ達成"},
                {"code": "4", "label": "目標を下回った", "adverse": True},
                {"code": "5", "label": "目標を大きく下回った", "adverse": True},
            ],
        }
    ],
    "dimensions": [
        {"key": "achievement", "name": "達成状況区分", "level": "measure", "scale": "t-five", "primary": True}
    ],
    "markers": [{"symbol": "○", "meaning": None}],
    "units": [{"code": "shimin", "name": "市民・こども局", "kind": "bureau"}],
    "nodes": [
        {
            "level": "plan",
            "code": "9",
            "label": "プラン９",
            "title": "市民自治と区役所機能の拡充",
            "children": [
                {
                    "level": "programme",
                    "code": "9-1",
                    "title": "協働のまちづくりの推進",
                    "children": [
                        {
                            "level": "measure",
                            "code": "9-1-1",
                            "title": "協働型事業の推進",
                            "summary": "協働型事業の拡充を進めます。",
                            "baseline": "●ルールに基づく拡充",
                            "markers": ["○"],
                            "units": [{"unit": "shimin", "role": "responsible"}],
                            "targets": [
                                {"years": "2011-2013", "text": "●説明会の開催"},
                                {
                                    "row": 2,
                                    "years": 2012,
                                    "text": "●基本計画策定",
                                    "revised": {"text": "●基本計画素案", "reason": "国の動向"},
                                },
                                {"years": "2014-", "text": "事業推進"},
                            ],
                            "results": [
                                {
                                    "year": 2011,
                                    "text": "・平成２３年４月に実施",
                                    "ratings": {"achievement": 3},
                                },
                                {
                                    "year": 2012,
                                    "text": "・実施",
                                    "ratings": {"achievement": "4"},
                                    "context_change": "変化",
                                    "response": "対応",
                                    "highlight": "・要約",
                                },
                            ],
                            "indicators": [
                                {
                                    "name": "参加者数",
                                    "unit": "人",
                                    "direction": "higher",
                                    "baseline": {"value": 100, "year": 2010},
                                    "values": [{"year": 2011, "target": 120, "actual": 90}],
                                },
                            ],
                        }
                    ],
                }
            ],
        }
    ],
}


def write(tmp_path: Path, data: object, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def snapshot() -> str:
    return dumps(export_dataset())


def test_a_good_file_loads(tmp_path: Path) -> None:
    summary = load_plan_file(write(tmp_path, GOOD))
    assert (summary.nodes, summary.targets, summary.results, summary.ratings) == (3, 3, 2, 2)
    measure = Node.objects.get(code="9-1-1")
    assert measure.parent.code == "9-1"
    assert list(measure.markers.values_list("symbol", flat=True)) == ["○"]
    span, row2, onwards = measure.targets.order_by("position")
    assert (span.start_year, span.end_year, span.open_end) == (2011, 2013, False)
    assert (row2.row, row2.revised_text, row2.revision_reason) == (2, "●基本計画素案", "国の動向")
    assert (onwards.start_year, onwards.end_year, onwards.open_end) == (2014, 2014, True)
    first = Result.objects.get(node=measure, fiscal_year=2011)
    assert first.text == "・平成23年4月に実施"  # full-width digits normalised on the way in
    assert first.ratings.get().level.code == "3"


def test_loading_twice_leaves_the_same_state(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    load_plan_file(path)
    ids = sorted(Node.objects.values_list("pk", flat=True))
    before = snapshot()
    load_plan_file(path)
    assert snapshot() == before
    assert sorted(Node.objects.values_list("pk", flat=True)) == ids
    assert (Node.objects.count(), Target.objects.count(), Result.objects.count(), Rating.objects.count()) == (
        3,
        3,
        2,
        2,
    )


def test_a_reload_applies_changes_and_drops_what_is_gone(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, GOOD))
    changed = yaml.safe_load(yaml.safe_dump(GOOD))
    measure = changed["nodes"][0]["children"][0]["children"][0]
    measure["title"] = "協働型事業の推進(改)"
    measure["results"] = measure["results"][:1]
    load_plan_file(write(tmp_path, changed))
    node = Node.objects.get(code="9-1-1")
    assert node.title == "協働型事業の推進(改)"
    assert list(node.results.values_list("fiscal_year", flat=True)) == [2011]


def refused(tmp_path: Path, data: object) -> PlanFileError:
    path = write(tmp_path, data, "bad.yaml")
    with pytest.raises(PlanFileError) as error:
        load_plan_file(path)
    return error.value


def mutate(change) -> dict:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    change(data)
    return data


def the_measure(data: dict) -> dict:
    return data["nodes"][0]["children"][0]["children"][0]


BAD_CASES = {
    "wrong format": (lambda d: d.update(format="other/1"), "format", "must be 'shinchoku-plan/1'"),
    "result year outside the period": (
        lambda d: the_measure(d)["results"][0].update(year=2015),
        "nodes[0].children[0].children[0].results[0].year",
        "outside the plan period",
    ),
    "rating not on the scale": (
        lambda d: the_measure(d)["results"][0]["ratings"].update(achievement="6"),
        "results[0].ratings.achievement",
        "not on the scale",
    ),
    "unknown dimension": (
        lambda d: the_measure(d)["results"][0]["ratings"].update(validity="A"),
        "ratings.validity",
        "no dimension 'validity'",
    ),
    "empty title": (lambda d: the_measure(d).update(title="  "), "children[0].title", "must not be empty"),
    "duplicate code": (
        lambda d: d["nodes"][0]["children"][0]["children"].append(dict(the_measure(d))),
        "children[1].code",
        "used by another node",
    ),
    "target outside the years": (
        lambda d: the_measure(d)["targets"][0].update(years="2010-2012"),
        "targets[0].years",
        "outside the plan's years",
    ),
    "unreadable target years": (
        lambda d: the_measure(d)["targets"][0].update(years="来年"),
        "targets[0].years",
        "expected a year",
    ),
    "unknown marker": (lambda d: the_measure(d).update(markers=["重点"]), "markers[0]", "no marker '重点'"),
    "unknown key": (lambda d: the_measure(d).update(titel="x"), "children[0].titel", "unknown key"),
    "results on an unrated level": (
        lambda d: d["nodes"][0]["children"][0].update(results=[{"year": 2011}]),
        "children[0].results",
        "not rated",
    ),
    "level out of order": (
        lambda d: the_measure(d).update(level="plan"),
        "children[0].level",
        "must be a level below",
    ),
    "period backwards": (
        lambda d: d["plan"].update(last_year=2010),
        "plan.last_year",
        "ends before it starts",
    ),
    "duplicate result year": (
        lambda d: the_measure(d)["results"][1].update(year=2011),
        "results[1].year",
        "a second result for 2011",
    ),
    "a revised target without reason": (
        lambda d: the_measure(d)["targets"][0].update(revised={"text": "x"}),
        "targets[0].revised",
        "'reason' is missing",
    ),
    "text where a list belongs": (
        lambda d: the_measure(d).update(targets="毎年"),
        "targets",
        "expected a list",
    ),
    "missing nodes": (lambda d: d.pop("nodes"), "(document)", "'nodes' is missing"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_a_bad_file_is_refused_with_where_and_why(tmp_path: Path, case: str) -> None:
    change, where, why = BAD_CASES[case]
    error = refused(tmp_path, mutate(change))
    text = str(error)
    assert str(tmp_path / "bad.yaml") in text
    assert where in text, text
    assert why in text, text
    assert ", line " in text
    assert Plan.objects.count() == 0 and Node.objects.count() == 0


def test_a_bad_file_changes_nothing_already_loaded(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, GOOD))
    before = snapshot()
    bad = mutate(
        lambda d: (the_measure(d).update(title="新しい題"), the_measure(d)["results"][0].update(year=1999))
    )
    refused(tmp_path, bad)
    assert snapshot() == before


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    bad = mutate(lambda d: (the_measure(d).update(title=""), the_measure(d)["results"][0].update(year=1999)))
    error = refused(tmp_path, bad)
    assert len(error.problems) == 2


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"format: [unclosed\n", "not valid YAML"),
        (b"", "the file is empty"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"- just\n- a list\n", "expected a mapping"),
        (b"a: 1\na: 2\n", "appears twice"),
    ],
)
def test_unreadable_files_are_refused(tmp_path: Path, content: bytes, why: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_bytes(content)
    with pytest.raises(PlanFileError, match=why):
        load_plan_file(path)
    assert Plan.objects.count() == 0


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="cannot be read"):
        load_plan_file(tmp_path / "none.yaml")


def test_json_files_load_too(tmp_path: Path) -> None:
    import json

    path = tmp_path / "plan.json"
    path.write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    assert load_plan_file(path).nodes == 3


def test_the_command_reports_and_exits_non_zero(tmp_path: Path) -> None:
    path = write(tmp_path, mutate(lambda d: the_measure(d).update(title="")), "bad.yaml")
    with pytest.raises(CommandError, match="nothing was loaded") as error:
        call_command("loadplan", str(path))
    assert "children[0].title: must not be empty" in str(error.value)


def test_a_plan_may_have_any_number_of_levels(tmp_path: Path) -> None:
    """Five levels, two of them programmes: 政策 / 施策 / 基本事業 / 事務事業 / 細事業."""
    data = {
        "format": "shinchoku-plan/1",
        "plan": {"code": "deep", "title": "深い計画", "first_year": 2020, "last_year": 2022},
        "levels": [
            {"key": "seisaku", "kind": "plan", "name": "政策"},
            {"key": "shisaku", "kind": "programme", "name": "施策"},
            {"key": "kihon", "kind": "programme", "name": "基本事業"},
            {"key": "jimu", "kind": "measure", "name": "事務事業", "rated": True},
            {"key": "sai", "name": "細事業", "rated": True},
        ],
        "nodes": [
            {
                "level": "seisaku",
                "code": "1",
                "title": "政策1",
                "children": [
                    {
                        "level": "shisaku",
                        "code": "1-1",
                        "title": "施策1",
                        "children": [
                            {
                                "level": "kihon",
                                "code": "1-1-1",
                                "title": "基本事業1",
                                "children": [
                                    {
                                        "level": "jimu",
                                        "code": "1-1-1-1",
                                        "title": "事務事業1",
                                        "children": [{"level": "sai", "code": "1-1-1-1-1", "title": "細事業1"}],
                                    }
                                ],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    load_plan_file(write(tmp_path, data))
    deepest = Node.objects.get(code="1-1-1-1-1")
    assert len(deepest.ancestor_ids()) == 4
    exported = {node["code"]: node for node in export_dataset()["nodes"]}
    assert exported["1-1-1"]["level"] == "programme" and exported["1-1-1"]["level_key"] == "kihon"
    assert exported["1-1-1-1-1"]["level"] == "other" and exported["1-1-1-1-1"]["level_key"] == "sai"
