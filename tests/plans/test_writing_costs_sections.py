"""Costs, hourly staff costs, sections and their texts, the reasons of ratings, a scale's
matrix and the plan's unit of amounts, through the one writer (``shinchoku.plans.writing``)
from every format: the plan data file and the JSON dataset carry them and write them in
place (each change before → after in the preview and the audit row), a file read again
changes nothing, the structure sheet (which does not carry them) leaves them as they
are, and what their rules refuse is named where it stands in the file."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import translation

from shinchoku.audit.models import AuditEvent
from shinchoku.interchange.importing import import_apply, import_preview
from shinchoku.interchange.preview import RowStatus
from shinchoku.plans.formats.dataset.export import dumps, export_dataset
from shinchoku.plans.formats.planfile import PlanFileError, load_plan_file, preview_plan_file
from shinchoku.plans.formats.structure.export import plan_rows, to_csv
from shinchoku.plans.models import NodeSectionText, Plan, ScaleLevel, Section
from shinchoku.progress.models import Cost, Rating, ResultSectionText, StaffRate
from tests.plans.formats.planfile.test_planfile import GOOD, the_measure

pytestmark = pytest.mark.django_db


def full() -> dict[str, Any]:
    """The test plan with every new field given."""
    data = copy.deepcopy(GOOD)
    data["plan"]["amount_unit"] = "thousand"
    data["scales"].append(
        {
            "code": "t-verdict",
            "name": "点検結果",
            "levels": [
                {"code": "A", "label": "目標どおり・拡大", "row_label": "目標どおり", "column_label": "拡大"},
                {
                    "code": "E",
                    "label": "変更・拡大",
                    "row_label": "変更",
                    "column_label": "拡大",
                    "adverse": True,
                },
            ],
        }
    )
    data["dimensions"].append(
        {"key": "verdict", "name": "点検結果", "level": "measure", "scale": "t-verdict"}
    )
    data["sections"] = [
        {"key": "purpose", "name": "目的", "level": "measure", "builtin": "summary"},
        {"key": "target-group", "name": "対象", "name_en": "Target group", "level": "measure"},
        {"key": "result", "name": "実施結果", "level": "measure", "scope": "year", "builtin": "text"},
        {"key": "issues", "name": "課題", "level": "measure", "scope": "year"},
    ]
    data["staff_rates"] = [{"year": 2011, "hourly_cost": 4001}, {"year": 2012, "hourly_cost": 4100}]
    measure = the_measure(data)
    measure["sections"] = {"target-group": "市民活動団体"}
    measure["results"][0]["ratings"] = {
        "achievement": {"code": 3, "reason": "予定どおり実施した"},
        "verdict": {"code": "A", "reason": "拡大して継続する"},
    }
    measure["results"][0]["sections"] = {"issues": "周知の不足"}
    measure["costs"] = [
        {"basis": "plan", "project_cost": 30_000_000},
        {
            "year": 2011,
            "basis": "actual",
            "national": 1_000_000,
            "general": 2_500_000,
            "project_cost": 3_500_000,
            "staff_count": 1.5,
            "staff_hours": 120.5,
        },
        {"year": 2012, "basis": "actual", "project_cost": 4_000_000, "staff_cost": 500_000},
        {"year": 2014, "basis": "budget", "general": 4_200_000, "project_cost": 4_200_000},
    ]
    return data


def load(tmp_path: Path, data: dict[str, Any], name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    load_plan_file(path)
    return path


def costs() -> dict[tuple[int | None, str], Cost]:
    return {(cost.fiscal_year, cost.basis): cost for cost in Cost.objects.all()}


def test_the_plan_file_writes_every_new_field(tmp_path: Path) -> None:
    load(tmp_path, full())

    plan = Plan.objects.get(code="t")
    assert plan.amount_unit == "thousand"
    assert list(StaffRate.objects.values_list("fiscal_year", "hourly_cost")) == [(2011, 4001), (2012, 4100)]
    assert [(s.key, s.scope, s.builtin, s.position) for s in Section.objects.order_by("position")] == [
        ("purpose", "node", "summary", 0),
        ("target-group", "node", "", 1),
        ("result", "year", "text", 2),
        ("issues", "year", "", 3),
    ]
    assert ScaleLevel.objects.get(scale__code="t-verdict", code="E").column_label == "拡大"
    (node_text,) = NodeSectionText.objects.all()
    assert (node_text.node.code, node_text.section.key, node_text.text) == (
        "9-1-1",
        "target-group",
        "市民活動団体",
    )
    (result_text,) = ResultSectionText.objects.all()
    assert (result_text.result.fiscal_year, result_text.text) == (2011, "周知の不足")
    reasons = dict(Rating.objects.filter(result__fiscal_year=2011).values_list("dimension__key", "reason"))
    assert reasons == {"achievement": "予定どおり実施した", "verdict": "拡大して継続する"}
    found = costs()
    # B priced from the hours at the year's rate, rounded half up: 120.5 × 4001 = 482120.5.
    actual = found[(2011, "actual")]
    assert (actual.staff_count, actual.staff_hours, actual.staff_cost) == (
        Decimal("1.5"),
        Decimal("120.5"),
        482121,
    )
    assert actual.total_cost == 3_500_000 + 482121
    assert (found[(2012, "actual")].staff_cost, found[(2012, "actual")].total_cost) == (500_000, 4_500_000)
    assert found[(None, "plan")].total_cost == 30_000_000 and found[(None, "plan")].staff_cost is None
    assert found[(2014, "budget")].total_cost == 4_200_000


def test_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    path = load(tmp_path, full())
    events = AuditEvent.objects.count()

    preview = preview_plan_file(path)
    assert not [row for row in preview.rows if row.status != RowStatus.UNCHANGED]
    summary = load_plan_file(path)
    assert not summary.written and AuditEvent.objects.count() == events


def changed_rows(preview: Any) -> dict[str, list[tuple[str, str, str]]]:
    return {
        row.subject: [(change.field, change.before, change.after) for change in row.changes]
        for row in preview.rows
        if row.status == RowStatus.CHANGED
    }


def test_changes_are_previewed_before_and_after_and_written_in_place(tmp_path: Path) -> None:
    load(tmp_path, full())
    ids = {
        "cost": costs()[(2011, "actual")].pk,
        "section": Section.objects.get(key="target-group").pk,
        "text": NodeSectionText.objects.get().pk,
    }
    data = full()
    measure = the_measure(data)
    measure["costs"][1]["national"] = 1_200_000
    measure["sections"]["target-group"] = "市民活動団体と町内会"
    measure["results"][0]["ratings"]["verdict"]["reason"] = "規模を広げる"
    data["sections"][1]["name"] = "対象者"
    data["staff_rates"][0]["hourly_cost"] = 4000  # reprices the 2011 cost, whose B is not given
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    with translation.override("en"):
        rows = changed_rows(preview_plan_file(path))
    assert rows["cost of t:9-1-1 for 2011 (actual)"] == [
        ("national", "1000000", "1200000"),
        ("staff_cost", "482121", "482000"),
        ("total_cost", "3982121", "3982000"),
    ]
    assert rows["hourly staff cost of the plan t for 2011"] == [("hourly_cost", "4001", "4000")]
    assert rows["section target-group of the level measure of the plan t"] == [("name", "対象", "対象者")]
    assert rows["node t:9-1-1 協働型事業の推進"] == [
        ("sections", "target-group: 市民活動団体", "target-group: 市民活動団体と町内会")
    ]
    assert rows["result of t:9-1-1 for 2011"] == [
        (
            "reasons",
            "achievement: 予定どおり実施した\nverdict: 拡大して継続する",
            "achievement: 予定どおり実施した\nverdict: 規模を広げる",
        )
    ]

    with translation.override("en"):
        load_plan_file(path)
    cost = costs()[(2011, "actual")]
    assert (cost.pk, cost.national, cost.staff_cost, cost.total_cost) == (
        ids["cost"],
        1_200_000,
        482000,
        3_982_000,
    )
    assert Section.objects.get(pk=ids["section"]).name == "対象者"
    assert NodeSectionText.objects.get(pk=ids["text"]).text == "市民活動団体と町内会"
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None
    assert event.changes["cost of t:9-1-1 for 2011 (actual): national"] == {
        "before": "1000000",
        "after": "1200000",
    }


def test_what_the_file_no_longer_holds_is_removed(tmp_path: Path) -> None:
    load(tmp_path, full())
    data = full()
    measure = the_measure(data)
    del measure["costs"][3]
    del measure["sections"]
    del measure["results"][0]["sections"]
    data["sections"] = data["sections"][:2]
    data["staff_rates"] = []
    load(tmp_path, data, "less.yaml")

    assert set(costs()) == {(None, "plan"), (2011, "actual"), (2012, "actual")}
    assert not NodeSectionText.objects.exists() and not ResultSectionText.objects.exists()
    assert list(Section.objects.values_list("key", flat=True)) == ["purpose", "target-group"]
    assert not StaffRate.objects.exists()
    # The 2011 cost's B was priced at the rate now gone: it is no longer given.
    assert costs()[(2011, "actual")].staff_cost is None


def carried(data: bytes) -> dict[str, Any]:
    """What a dataset holds of the costs, sections, reasons, matrix and unit of amounts."""
    document = json.loads(data)
    return {
        "costs": document["costs"],
        "plans": [
            {key: plan[key] for key in ("amount_unit", "sections", "staff_rates")}
            for plan in document["plans"]
        ],
        "scales": document["scales"],
        "nodes": {node["id"]: node["sections"] for node in document["nodes"]},
        "results": [
            (result["node_id"], result["fiscal_year"], result["sections"], result["ratings"])
            for result in document["results"]
        ],
    }


def dataset(change: Callable[[dict[str, Any]], None] = lambda _d: None) -> bytes:
    data = export_dataset()
    change(data)
    return dumps(data).encode()


def test_the_dataset_carries_them_and_writes_a_change_in_place(tmp_path: Path) -> None:
    load(tmp_path, full())
    first = dataset()
    assert not import_preview(first, "dataset.json", actor=None).changed
    cost_id = costs()[(2012, "actual")].pk

    def change(data: dict[str, Any]) -> None:
        cost = next(c for c in data["costs"] if (c["fiscal_year"], c["basis"]) == (2012, "actual"))
        cost.update(other=300_000, total_cost=1)  # the total is not read
        result = next(r for r in data["results"] if r["fiscal_year"] == 2011)
        result["sections"]["issues"] = "周知の不足と担い手の不足"
        data["plans"][0]["staff_rates"].append({"fiscal_year": 2013, "hourly_cost": 4200})

    import_apply(dataset(change), "dataset.json", actor=None)
    cost = costs()[(2012, "actual")]
    assert (cost.pk, cost.other, cost.total_cost) == (cost_id, 300_000, 4_500_000)
    assert ResultSectionText.objects.get().text == "周知の不足と担い手の不足"
    assert StaffRate.objects.filter(fiscal_year=2013, hourly_cost=4200).exists()


def test_a_dataset_without_costs_leaves_costs_and_staff_rates_as_they_are(tmp_path: Path) -> None:
    load(tmp_path, full())
    before = {key: cost.total_cost for key, cost in costs().items()}

    def older(data: dict[str, Any]) -> None:
        del data["costs"]
        for plan in data["plans"]:
            del plan["staff_rates"]

    preview = import_preview(dataset(older), "dataset.json", actor=None)
    assert preview.ok and not preview.changed
    import_apply(dataset(older), "dataset.json", actor=None)
    assert {key: cost.total_cost for key, cost in costs().items()} == before
    assert StaffRate.objects.count() == 2


def test_a_file_without_costs_may_not_drop_a_node_that_has_some(tmp_path: Path) -> None:
    load(tmp_path, full())

    def drop(data: dict[str, Any]) -> None:
        del data["costs"]
        data["nodes"] = [node for node in data["nodes"] if node["code"] != "9-1-1"]
        data["results"] = [r for r in data["results"] if r["node_id"] != "t:9-1-1"]
        data["targets"] = [t for t in data["targets"] if t["node_id"] != "t:9-1-1"]
        data["indicators"] = [i for i in data["indicators"] if i["node_id"] != "t:9-1-1"]

    preview = import_preview(dataset(drop), "dataset.json", actor=None)
    assert [str(problem) for problem in preview.all_problems] == [
        "dataset.json, $.nodes: the file drops the node '9-1-1', but it holds costs, which this file does "
        "not carry: they would be lost"
    ]
    assert len(costs()) == 4


def test_the_structure_sheet_leaves_them_as_they_are(tmp_path: Path) -> None:
    load(tmp_path, full())
    before = dataset()
    rows = plan_rows(Plan.objects.get(code="t"))
    sheet = to_csv(rows)

    preview = import_preview(sheet, "structure.csv", actor=None)
    assert preview.ok, [str(problem) for problem in preview.all_problems]
    assert not preview.changed
    # A sheet that changes a title is written whole: what it does not carry stays.
    row = next(row for row in rows if "協働型事業の推進" in row)
    row[row.index("協働型事業の推進")] = "協働型事業の推進と拡充"
    import_apply(to_csv(rows), "structure.csv", actor=None)
    assert Plan.objects.get(code="t").nodes.filter(title="協働型事業の推進と拡充").exists()
    assert carried(dataset()) == carried(before)


def plan_file_problems(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> list[str]:
    data = full()
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(PlanFileError) as refused:
        load_plan_file(path)
    assert not Plan.objects.exists()
    return [problem.render(path.name).split(", ", 2)[-1] for problem in refused.value.problems]


def cost_of(data: dict[str, Any], index: int = 1) -> dict[str, Any]:
    return the_measure(data)["costs"][index]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: cost_of(d).update(national=-1),
            ["nodes[0].children[0].children[0].costs[1].national: an amount is never negative"],
        ),
        (
            lambda d: cost_of(d).update(staff_count=-0.5),
            ["nodes[0].children[0].children[0].costs[1].staff_count: must not be negative"],
        ),
        (
            lambda d: cost_of(d).update(staff_count=1.255),
            [
                "nodes[0].children[0].children[0].costs[1].staff_count: 1.255 is too precise: "
                "at most 2 digits after the decimal point"
            ],
        ),
        (
            lambda d: cost_of(d).update(general="多い"),
            ["nodes[0].children[0].children[0].costs[1].general: expected a whole number, found text"],
        ),
        (
            lambda d: cost_of(d).update(total_cost=3_982_121),
            [
                "nodes[0].children[0].children[0].costs[1].total_cost: the total is computed (A + B): leave it out"
            ],
        ),
        (
            lambda d: cost_of(d).update(year=2014),
            [
                "nodes[0].children[0].children[0].costs[1].year: 2014 is outside the years 2011–2013 it may name"
            ],
        ),
        (
            lambda d: the_measure(d)["costs"].append({"year": 2011, "basis": "actual"}),
            ["nodes[0].children[0].children[0].costs[4]: a second actual cost for 2011"],
        ),
        (
            lambda d: d["nodes"][0]["children"][0].update(costs=[{"year": 2011, "basis": "actual"}]),
            ["nodes[0].children[0].costs: the node's level is not rated; costs attach to rated levels"],
        ),
        (
            lambda d: the_measure(d).update(sections={"purpose": "目的の文"}),
            [
                "nodes[0].children[0].children[0].sections.purpose: the section 'purpose' is kept in "
                "'summary': write it there"
            ],
        ),
        (
            lambda d: the_measure(d).update(sections={"issues": "課題の文"}),
            [
                "nodes[0].children[0].children[0].sections.issues: the section 'issues' is about each fiscal year"
            ],
        ),
        (
            lambda d: the_measure(d)["results"][0].update(sections={"nothing": "文"}),
            [
                "nodes[0].children[0].children[0].results[0].sections.nothing: no section 'nothing' is "
                "defined for the level 'measure'"
            ],
        ),
        (
            lambda d: d["sections"].append(
                {"key": "extra", "name": "追加", "level": "programme", "scope": "year"}
            ),
            ["sections[4].scope: the level 'programme' is not rated: it has no years"],
        ),
        (
            lambda d: d["sections"].append(
                {"key": "more", "name": "別", "level": "measure", "builtin": "summary"}
            ),
            ["sections[4].builtin: another section of the level is kept in 'summary'"],
        ),
        (
            lambda d: d["staff_rates"].append({"year": 2011, "hourly_cost": 1}),
            ["staff_rates[2].year: a second hourly staff cost for 2011"],
        ),
        (
            lambda d: d["plan"].update(amount_unit="man-yen"),
            ["plan.amount_unit: must be one of yen, thousand; found 'man-yen'"],
        ),
    ],
)
def test_what_the_rules_refuse_is_named_where_it_stands(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], expected: list[str]
) -> None:
    assert plan_file_problems(tmp_path, change) == expected


def test_a_negative_cost_in_the_dataset_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    load(tmp_path, full())

    def negative(data: dict[str, Any]) -> None:
        data["costs"][1]["bonds"] = -5

    preview = import_preview(dataset(negative), "dataset.json", actor=None)
    assert [str(problem) for problem in preview.all_problems] == [
        "dataset.json, $.costs[1].bonds: -5 is less than the minimum of 0"
    ]
    assert costs()[(2011, "actual")].bonds is None


def test_the_dataset_schema_holds_every_export(tmp_path: Path) -> None:
    import jsonschema

    from shinchoku.plans.formats.dataset.document import SCHEMA_FILE

    load(tmp_path, full())
    jsonschema.validate(export_dataset(), json.loads(SCHEMA_FILE.read_text()))
