"""Plan data files: a clean file loads, twice gives the same state, and a bad
file is refused with file, line and path, writing nothing."""

import copy
import time
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils.translation import gettext

from shinchoku.plans.formats.dataset.export import dumps, export_dataset
from shinchoku.plans.formats.planfile import PlanFileError, load_plan_file
from shinchoku.plans.models import (
    Dimension,
    Level,
    Marker,
    Node,
    NodeUnit,
    OrgUnit,
    Plan,
    Scale,
    ScaleLevel,
    node_code_validator,
)
from shinchoku.plans.writing.apply import PlanWriter
from shinchoku.progress.models import Indicator, IndicatorValue, Rating, Result, Target

pytestmark = pytest.mark.django_db

GOOD = {
    "format": "shinchoku-plan/1",
    "plan": {"code": "t", "title": "テスト計画", "first_year": 2011, "last_year": 2013, "onwards": True},
    "levels": [
        {"key": "plan", "name": "プラン"},
        {"key": "programme", "name": "アクションプログラム"},
        {"key": "measure", "name": "施策計画", "name_en": "Measure", "rated": True},
    ],
    "scales": [
        {
            "code": "t-five",
            "name": "達成状況区分",
            "name_en": "Achievement status",
            "levels": [
                {"code": "1", "label": "目標を大きく上回って達成"},
                {"code": "2", "label": "目標を上回って達成"},
                {"code": "3", "label": "目標をほぼ達成", "label_en": "Mostly achieved the target"},
                {
                    "code": "4",
                    "label": "目標を下回った",
                    "label_en": "Fell short of the target",
                    "adverse": True,
                },
                {"code": "5", "label": "目標を大きく下回った", "adverse": True},
            ],
        }
    ],
    "dimensions": [
        {
            "key": "achievement",
            "name": "達成状況区分",
            "name_en": "Achievement status",
            "level": "measure",
            "scale": "t-five",
            "primary": True,
        }
    ],
    "markers": [{"symbol": "○", "name_en": "Circle", "meaning": None}],
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


WIDE = {
    "format": "shinchoku-plan/1",
    "plan": {"code": "wide", "title": "（テスト）計画", "first_year": 2011, "last_year": 2013},
    "levels": [{"key": "plan", "name": "プラン"}, {"key": "measure", "name": "施策計画", "rated": True}],
    "markers": [{"symbol": "（重点）"}],
    "units": [
        {"code": "demo-community", "name": "（デモ）地域づくり担当課"},
        {"code": "t-ward", "name": "区役所　第２課"},
    ],
    "nodes": [
        {
            "level": "plan",
            "code": "９",
            "title": "市民自治（テスト）",
            "children": [
                {
                    "level": "measure",
                    "code": "９－１",
                    "title": "協働型事業の推進（２０１１年度～）",
                    "markers": ["（重点）"],
                    "units": [{"unit": "demo-community"}, {"unit": "t-ward"}],
                    "targets": [{"years": "2011", "text": "●説明会（２回）"}],
                }
            ],
        }
    ],
}


def test_identities_are_kept_exactly_as_written_and_text_is_normalised(tmp_path: Path) -> None:
    path = write(tmp_path, WIDE)
    load_plan_file(path)
    assert sorted(OrgUnit.objects.values_list("code", "name")) == [
        ("demo-community", "（デモ）地域づくり担当課"),
        ("t-ward", "区役所　第２課"),
    ]
    measure = Node.objects.get(code="９－１")
    assert measure.parent is not None and measure.parent.code == "９"
    assert list(measure.markers.values_list("symbol", flat=True)) == ["（重点）"]
    assert sorted(measure.units.values_list("name", flat=True)) == [
        "区役所　第２課",
        "（デモ）地域づくり担当課",
    ]
    # Text that is not an identity is normalised on the way in.
    assert measure.title == "協働型事業の推進(2011年度~)"
    assert measure.targets.get().text == "●説明会(2回)"
    before = snapshot()
    ids = sorted(OrgUnit.objects.values_list("pk", flat=True))
    load_plan_file(path)
    assert snapshot() == before
    assert sorted(OrgUnit.objects.values_list("pk", flat=True)) == ids


def test_loading_does_not_rename_a_unit_it_names_as_stored(tmp_path: Path) -> None:
    unit = OrgUnit.objects.create(code="demo-community", name="（デモ）地域づくり担当課")
    load_plan_file(write(tmp_path, WIDE))
    unit.refresh_from_db()
    assert unit.name == "（デモ）地域づくり担当課"
    assert [node.code for node in unit.nodes.all()] == ["９－１"]


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
        lambda d: d["nodes"][0]["children"][0]["children"].append(copy.deepcopy(the_measure(d))),
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
    "a unit code in full width": (
        lambda d: d["units"][0].update(code="ｓｈｉｍｉｎ"),
        "units[0].code",
        "may contain only ASCII letters, digits, - and _ (in half-width characters: 'shimin')",
    ),
    "a unit named by its code in full width": (
        lambda d: the_measure(d).update(units=[{"unit": "ｓｈｉｍｉｎ"}]),
        "children[0].units[0].unit",
        "no unit 'ｓｈｉｍｉｎ' is defined under units",
    ),
    "a plan code in full width": (
        lambda d: d["plan"].update(code="ｔ"),
        "plan.code",
        "may contain only ASCII letters, digits, - and _ (in half-width characters: 't')",
    ),
    # Each text is held to its model field's length.
    "a title longer than a node's": (
        lambda d: the_measure(d).update(title="推" * 301),
        "children[0].title",
        "is 301 characters long; at most 300 are allowed",
    ),
    "a plan code longer than a plan's": (
        lambda d: d["plan"].update(code="t" * 65),
        "plan.code",
        "is 65 characters long; at most 64 are allowed",
    ),
    "a scale level's label longer than its field": (
        lambda d: d["scales"][0]["levels"][0].update(label="達" * 201),
        "scales[0].levels[0].label",
        "is 201 characters long; at most 200 are allowed",
    ),
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
                                        "children": [
                                            {"level": "sai", "code": "1-1-1-1-1", "title": "細事業1"}
                                        ],
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


# ---------------------------------------------------------------- YAML constructs and size limits


def refused_text(tmp_path: Path, text: str | bytes) -> PlanFileError:
    path = tmp_path / "bad.yaml"
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    with pytest.raises(PlanFileError) as error:
        load_plan_file(path)
    assert Plan.objects.count() == 0
    return error.value


def good_text() -> str:
    return yaml.safe_dump(GOOD, allow_unicode=True, sort_keys=False)


def test_a_recursive_alias_is_refused_with_its_line(tmp_path: Path) -> None:
    error = refused_text(tmp_path, "format: shinchoku-plan/1\nlevels: &l [*l]\n")
    text = str(error)
    assert "bad.yaml, line 2, levels: YAML anchors and aliases (&name, *name) are not allowed" in text
    assert "levels[0]" in text  # the alias too, with its own path


def test_an_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    lines = ["format: shinchoku-plan/1", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    started = time.monotonic()
    error = refused_text(tmp_path, "\n".join(lines) + "\n")
    assert time.monotonic() - started < 5
    assert all("anchors and aliases" in problem.message for problem in error.problems)
    assert error.problems[0].line == 2
    assert len(error.problems) == 9 + 8 * 9  # every anchor and every alias, each with its line


def test_anchors_in_an_otherwise_good_file_are_refused(tmp_path: Path) -> None:
    text = good_text().replace("plan:\n  code: t", "plan: &p\n  code: t", 1)
    text += "source: *p\n"
    error = refused_text(tmp_path, text)
    rendered = str(error)
    assert "line 2, plan: YAML anchors and aliases" in rendered
    assert ", source: YAML anchors and aliases" in rendered


def test_a_merge_key_is_refused(tmp_path: Path) -> None:
    error = refused_text(tmp_path, "format: shinchoku-plan/1\nplan:\n  <<: {code: t}\n")
    assert "bad.yaml, line 3, plan: YAML merge keys (<<) are not allowed" in str(error)


def test_a_file_over_20_mb_is_refused_before_parsing(tmp_path: Path) -> None:
    padding = ("# " + "x" * 998 + "\n") * 21_000
    started = time.monotonic()
    error = refused_text(tmp_path, good_text() + padding)
    assert time.monotonic() - started < 2
    size = (tmp_path / "bad.yaml").stat().st_size
    assert (
        f"bad.yaml, (document): is {size:,} bytes long; a plan file may be at most 20,000,000 bytes"
        in str(error)
    )


def test_nesting_deeper_than_50_levels_is_refused_with_its_line(tmp_path: Path) -> None:
    deep = "source: " + "{a: " * 60 + "1" + "}" * 60 + "\n"
    error = refused_text(tmp_path, good_text() + deep)
    assert "nested more than 50 levels deep" in str(error)
    assert error.problems[0].line == good_text().count("\n") + 1


def test_very_deep_nesting_ends_in_a_problem_not_a_traceback(tmp_path: Path) -> None:
    error = refused_text(tmp_path, "format: shinchoku-plan/1\nsource: " + "[" * 20_000 + "]" * 20_000 + "\n")
    assert "nested more than 50 levels deep" in str(error)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2012-13-45", "cannot be read as a date"),
        ("!!int abc", "cannot be read as a whole number"),
        ("0x" + "f" * 5000, "cannot be read as a whole number"),
    ],
)
def test_values_yaml_cannot_build_are_refused_with_their_line(tmp_path: Path, value: str, why: str) -> None:
    error = refused_text(tmp_path, f"format: shinchoku-plan/1\nplan:\n  first_year: {value}\n")
    assert error.problems[0].line == 3
    assert why in str(error)


@pytest.mark.parametrize("escape", ["\\0", "\\ud800"])
def test_text_no_database_can_store_is_refused_with_its_line(tmp_path: Path, escape: str) -> None:
    text = good_text().replace("title: テスト計画", f'title: "テスト{escape}計画"', 1)
    error = refused_text(tmp_path, text)
    assert error.problems[0].line == text.splitlines().index(f'  title: "テスト{escape}計画"') + 1
    assert "NUL character or a lone surrogate" in str(error)


# ---------------------------------------------------------------- numbers within the database's range

NUMBER_CASES = {
    "indicator target too large": (
        lambda d: the_measure(d)["indicators"][0]["values"][0].update(target=1e30),
        "indicators[0].values[0].target",
        "at most 16 digits before the decimal point and 4 after",
    ),
    "indicator target written 1e30": (
        lambda d: the_measure(d)["indicators"][0]["values"][0].update(target="1e30"),
        "indicators[0].values[0].target",
        "at most 16 digits before the decimal point",
    ),
    "indicator actual with 17 digits": (
        lambda d: the_measure(d)["indicators"][0]["values"][0].update(actual=10**16),
        "indicators[0].values[0].actual",
        "at most 16 digits before the decimal point",
    ),
    "too many decimals": (
        lambda d: the_measure(d)["indicators"][0]["baseline"].update(value="1.23456"),
        "indicators[0].baseline.value",
        "at most 4 digits after the decimal point",
    ),
    "target row beyond a small integer": (
        lambda d: the_measure(d)["targets"][0].update(row=40000),
        "targets[0].row",
        "must be from 1 to 32767",
    ),
    "target row 0": (
        lambda d: the_measure(d)["targets"][0].update(row=0),
        "targets[0].row",
        "must be from 1 to 32767",
    ),
    "baseline year out of range": (
        lambda d: the_measure(d)["indicators"][0]["baseline"].update(year=40000),
        "indicators[0].baseline.year",
        "must be from 1900 to 2200",
    ),
    "plan year out of range": (
        lambda d: d["plan"].update(first_year=40000),
        "plan.first_year",
        "must be from 1900 to 2200",
    ),
    "result year out of range when the plan years are wrong": (
        lambda d: (d["plan"].update(first_year="x"), the_measure(d)["results"][0].update(year=40000)),
        "results[0].year",
        "must be from 1900 to 2200",
    ),
}


@pytest.mark.parametrize("case", sorted(NUMBER_CASES))
def test_numbers_out_of_the_database_range_are_refused(tmp_path: Path, case: str) -> None:
    change, where, why = NUMBER_CASES[case]
    text = str(refused(tmp_path, mutate(change)))
    assert where in text and why in text and ", line " in text, text
    assert Plan.objects.count() == 0


def test_numbers_at_the_limits_load(tmp_path: Path) -> None:
    def change(data: dict) -> None:
        indicator = the_measure(data)["indicators"][0]
        indicator["baseline"] = {"value": "-99999999999.9999", "year": 2200}
        indicator["values"] = [{"year": 2011, "target": "1234.5678", "actual": "1.50000"}]
        the_measure(data)["targets"][0]["row"] = 32767

    load_plan_file(write(tmp_path, mutate(change)))
    indicator = Indicator.objects.get()
    assert indicator.baseline_value == Decimal("-99999999999.9999")
    assert indicator.baseline_year == 2200
    value = indicator.values.get()
    assert (value.target, value.actual) == (Decimal("1234.5678"), Decimal("1.5"))
    assert Target.objects.filter(row=32767).count() == 1
    snapshot()  # every value reads back


def test_the_largest_decimals_load_where_the_database_holds_them(tmp_path: Path) -> None:
    largest = "9999999999999999.9999"

    def change(data: dict) -> None:
        indicator = the_measure(data)["indicators"][0]
        indicator["baseline"] = {"value": f"-{largest}"}
        indicator["values"] = [{"year": 2011, "target": largest}]

    data = mutate(change)
    if connection.vendor == "sqlite":  # SQLite reads decimals back as floats of 15 digits
        text = str(refused(tmp_path, data))
        assert "indicators[0].baseline.value: -9999999999999999.9999 is out of range: " in text
        assert "(SQLite) keeps 15 significant digits, so a value must stay below 9999999999999995" in text
        return
    load_plan_file(write(tmp_path, data))
    indicator = Indicator.objects.get()
    assert (indicator.baseline_value, indicator.values.get().target) == (-Decimal(largest), Decimal(largest))
    snapshot()


# ---------------------------------------------------------------- the models' own rules


def added_rule(field: str | None = None):
    def clean(self) -> None:
        message = "refused by a rule added to the model"
        raise ValidationError({field: message} if field else message)

    return clean


MEASURE = "nodes[0].children[0].children[0]"
MODEL_RULES = {
    "Plan": (Plan, None, "plan: "),
    "Level": (Level, None, "levels[0]: "),
    "Scale": (Scale, None, "scales[0]: "),
    "ScaleLevel": (ScaleLevel, None, "scales[0].levels[0]: "),
    "Dimension": (Dimension, None, "dimensions[0]: "),
    "Marker": (Marker, None, "markers[0]: "),
    "OrgUnit": (OrgUnit, None, "units[0]: "),
    "Node": (Node, None, "nodes[0]: "),
    "NodeUnit": (NodeUnit, None, f"{MEASURE}.units[0]: "),
    "Target": (Target, None, f"{MEASURE}.targets[0]: "),
    "Result": (Result, None, f"{MEASURE}.results[0]: "),
    "Result year": (Result, "fiscal_year", f"{MEASURE}.results[0].year: "),
    "Rating": (Rating, None, f"{MEASURE}.results[0].ratings.achievement: "),
    "Indicator": (Indicator, None, f"{MEASURE}.indicators[0]: "),
    "Indicator baseline": (Indicator, "baseline_value", f"{MEASURE}.indicators[0].baseline.value: "),
    "IndicatorValue": (IndicatorValue, None, f"{MEASURE}.indicators[0].values[0]: "),
}


@pytest.mark.parametrize("case", sorted(MODEL_RULES))
def test_a_rule_added_to_a_model_is_enforced_for_files(tmp_path: Path, monkeypatch, case: str) -> None:
    model, field, where = MODEL_RULES[case]
    monkeypatch.setattr(model, "clean", added_rule(field))
    error = refused(tmp_path, GOOD)
    text = str(error)
    assert f"{where}refused by a rule added to the model" in text, text
    assert all(problem.line for problem in error.problems), text
    assert Plan.objects.count() == 0 and Node.objects.count() == 0 and Scale.objects.count() == 0


def test_a_rule_of_the_models_refuses_a_reload(tmp_path: Path) -> None:
    """Dimension.clean: once ratings are given, a dimension's scale cannot change."""
    load_plan_file(write(tmp_path, GOOD))
    before = snapshot()

    def change(data: dict) -> None:
        other = yaml.safe_load(yaml.safe_dump(data["scales"][0]))
        other["code"] = "t-other"
        data["scales"].append(other)
        data["dimensions"][0]["scale"] = "t-other"

    text = str(refused(tmp_path, mutate(change)))
    assert "bad.yaml, line " in text
    message = gettext("Ratings have been given on this dimension: its scale cannot change.")
    assert f"dimensions[0].scale: {message}" in text, text
    assert snapshot() == before


def test_a_refusal_by_the_database_is_reported_with_its_path(tmp_path: Path) -> None:
    """A rule only the database knows (here a trigger) is reported readably, all rolled back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW.text = 'boom' THEN "
                "RAISE EXCEPTION 'targets saying boom are refused' USING ERRCODE = '22003'; "
                "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER boom BEFORE INSERT ON progress_target FOR EACH ROW EXECUTE FUNCTION boom()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER boom BEFORE INSERT ON progress_target WHEN NEW.text = 'boom' "
                "BEGIN SELECT RAISE(ABORT, 'targets saying boom are refused'); END"
            )
    error = refused(tmp_path, mutate(lambda d: the_measure(d)["targets"][1].update(text="boom")))
    text = str(error)
    assert f"line {error.problems[0].line}, {MEASURE}.targets[1]: the database refused" in text, text
    assert "targets saying boom are refused" in text
    assert Plan.objects.count() == 0 and Node.objects.count() == 0


def test_rows_that_block_a_drop_are_counted_not_dumped(tmp_path: Path, monkeypatch) -> None:
    """The last line of defence when a drop is blocked: which rows, how many."""
    load_plan_file(write(tmp_path, GOOD))
    other = mutate(
        lambda d: (d["plan"].update(code="u"), the_measure(d)["results"][0]["ratings"].update(achievement=5))
    )
    load_plan_file(write(tmp_path, other, "u.yaml"))
    monkeypatch.setattr(PlanWriter, "check_shared_scales", lambda self: None)
    error = refused(tmp_path, mutate(lambda d: d["scales"][0]["levels"].pop()))
    text = str(error)
    assert (
        "scales[0].levels: the file drops the level '5' of the scale 't-five', but 1 rating still uses it"
        in text
    )
    assert "<Rating" not in text


def test_a_scale_may_drop_a_level_its_own_plan_no_longer_uses(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, GOOD))

    def change(data: dict) -> None:
        data["scales"][0]["levels"] = data["scales"][0]["levels"][:3]
        the_measure(data)["results"][1]["ratings"]["achievement"] = "3"

    load_plan_file(write(tmp_path, mutate(change)))
    assert list(ScaleLevel.objects.values_list("code", flat=True)) == ["1", "2", "3"]
    assert set(Rating.objects.values_list("level__code", flat=True)) == {"3"}


# ---------------------------------------------------------------- node codes, shared scales, keys


@pytest.mark.parametrize("code", ["9/1", "9 1", "9?1", "9#1", "9%1", "9\\1"])
def test_a_node_code_the_model_refuses_is_reported_with_its_line(tmp_path: Path, code: str) -> None:
    text = str(refused(tmp_path, mutate(lambda d: the_measure(d).update(code=code))))
    with pytest.raises(ValidationError) as refusal:
        node_code_validator(code)  # the model's own validator says why
    assert f", {MEASURE}.code: {refusal.value.messages[0]}" in text, text
    assert ", line " in text


def test_a_scale_shared_with_other_plans_cannot_be_changed(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, GOOD))
    second = mutate(lambda d: d["plan"].update(code="u"))
    load_plan_file(write(tmp_path, second, "u.yaml"))  # the same definition: fine
    load_plan_file(write(tmp_path, second, "u.yaml"))  # and again
    before = snapshot()

    def relabel(data: dict) -> None:
        data["plan"]["code"] = "u"
        data["scales"][0]["levels"][0]["label"] = "大きく上回った"

    text = str(refused(tmp_path, mutate(relabel)))
    assert "bad.yaml, line " in text
    assert "scales[0]: the scale 't-five' is also used by the plan 't'" in text, text
    assert "relabels '1'" in text
    for change, why in [
        (lambda d: d["scales"][0]["levels"].pop(), "drops the level '5'"),
        (lambda d: d["scales"][0]["levels"].reverse(), "reorders the levels"),
        (lambda d: d["scales"][0]["levels"][2].update(adverse=True), "makes '3' adverse"),
        (lambda d: d["scales"][0]["levels"].append({"code": "6", "label": "x"}), "adds the level '6'"),
    ]:
        text = str(refused(tmp_path, mutate(lambda d, c=change: (d["plan"].update(code="u"), c(d)))))
        assert why in text, text
    assert snapshot() == before


def test_a_scale_used_by_this_plan_alone_may_change(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, GOOD))
    load_plan_file(
        write(tmp_path, mutate(lambda d: d["scales"][0]["levels"][0].update(label="大きく上回った")))
    )
    assert ScaleLevel.objects.get(code="1").label == "大きく上回った"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["units"][0].update(note="a note that would not be stored"), "units[0].note"),
        (lambda d: d["levels"][0].update(note="x"), "levels[0].note"),
        (lambda d: the_measure(d)["indicators"][0].update(note="x"), "indicators[0].note"),
    ],
)
def test_keys_that_would_not_be_stored_are_refused(tmp_path: Path, change, where: str) -> None:
    text = str(refused(tmp_path, mutate(change)))
    assert f"{where}: unknown key" in text, text


def test_source_and_marker_notes_are_allowed(tmp_path: Path) -> None:
    data = mutate(lambda d: (d.update(source={"file": "x.pdf"}), d["markers"][0].update(note="○ means 新規")))
    load_plan_file(write(tmp_path, data))
    assert Marker.objects.get().note == "○ means 新規"


# ---------------------------------------------------------------- the command: preview, then --apply


def test_the_command_previews_and_writes_only_with_apply(tmp_path: Path) -> None:
    from io import StringIO

    from shinchoku.accounts.models import Role
    from shinchoku.audit.models import AuditEvent, EventType
    from shinchoku.audit.selectors import audit_history
    from tests.factories import make_staff

    path = write(tmp_path, GOOD)
    out = StringIO()
    call_command("loadplan", str(path), stdout=out)
    preview = out.getvalue()
    assert Plan.objects.count() == 0 and AuditEvent.objects.count() == 0
    assert "node t:9-1-1 協働型事業の推進: new" in preview, preview
    assert "run again with --apply" in preview

    admin = make_staff(Role.ADMINISTRATOR, username="kikaku")
    out = StringIO()
    call_command("loadplan", str(path), "--apply", "--user", "kikaku", stdout=out)
    assert "t: 3 nodes, 3 targets, 2 results, 2 ratings, 1 indicators" in out.getvalue()
    (event,) = audit_history(Plan.objects.get(code="t"))
    assert (event.event_type, event.actor) == (EventType.PLAN_LOADED, admin)
    assert event.details["file"] == str(path) and event.details["counts"]["new"] > 0

    changed = mutate(lambda d: the_measure(d).update(title="協働型事業の推進(改)"))
    path = write(tmp_path, changed)
    out = StringIO()
    call_command("loadplan", str(path), stdout=out)
    assert "title: '協働型事業の推進' → '協働型事業の推進(改)'" in out.getvalue(), out.getvalue()
    assert Node.objects.get(code="9-1-1").title == "協働型事業の推進"
    call_command("loadplan", str(path), "--apply", stdout=StringIO())
    event = audit_history(Plan.objects.get(code="t")).last()
    assert event.actor is None  # the console
    assert event.changes == {
        "node t:9-1-1 協働型事業の推進(改): title": {
            "before": "協働型事業の推進",
            "after": "協働型事業の推進(改)",
        }
    }
    out = StringIO()
    call_command("loadplan", str(path), "--apply", stdout=out)  # the same file again
    assert "nothing changed" in out.getvalue()
    assert audit_history(Plan.objects.get(code="t")).count() == 2
    with pytest.raises(CommandError, match="no active account named 'nobody'"):
        call_command("loadplan", str(path), "--apply", "--user", "nobody")
