"""The rules of a plan's vocabulary answer the same whatever brings the plan in: a code or
key is a slug (Django's ``validate_slug``, as the models' SlugFields hold), and a level has
at most one primary dimension (``plans.models.primary_clashes``, then the database's
``dimension_one_primary``). Each is tried through the plan file, the JSON dataset, the
structure sheet where it names the thing (the admin: tests/admin/test_refusals.py)."""

from __future__ import annotations

import copy
import csv
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.validators import slug_re

from shinchoku.interchange.importing import import_preview
from shinchoku.plans.formats.dataset.export import export_dataset
from shinchoku.plans.formats.planfile import PlanFileError, format_path, read_plan_file
from shinchoku.plans.models import Plan, primary_clashes
from tests.factories import make_node, make_world
from tests.language import english  # noqa: F401  (the messages are read in English)

pytestmark = pytest.mark.django_db

GOOD_CODES = ["plan-9", "Plan_9", "9"]
BAD_CODES = ["プラン9", "plan 9", "plan.9", "plan/9", "ｐｌａｎ９", "plan9\n9"]

PLAN_FILE: dict[str, Any] = {
    "format": "shinchoku-plan/1",
    "plan": {"code": "t", "title": "テスト計画", "first_year": 2011, "last_year": 2013, "onwards": True},
    "levels": [{"key": "plan", "name": "プラン"}, {"key": "measure", "name": "施策計画", "rated": True}],
    "scales": [
        {
            "code": "two",
            "name": "達成",
            "levels": [{"code": "1", "label": "達成"}, {"code": "2", "label": "未達"}],
        }
    ],
    "dimensions": [
        {"key": "achievement", "name": "達成", "level": "measure", "scale": "two", "primary": True}
    ],
    "units": [{"code": "shimin", "name": "市民協働推進課"}],
    "nodes": [
        {
            "level": "plan",
            "code": "1",
            "title": "分野",
            "children": [{"level": "measure", "code": "1-1", "title": "施策", "units": [{"unit": "shimin"}]}],
        }
    ],
}


def problems(data: bytes, name: str) -> list[tuple[str, str]]:
    """(where, message) of each problem of the file's preview."""
    return [
        (str(problem.where), problem.message)
        for problem in import_preview(data, name, actor=None).all_problems
    ]


def plan_file_problems(edit: Any, tmp_path: Path) -> list[tuple[str, str]]:
    """(path, message) of each problem the checker of the plan file finds in it."""
    data = copy.deepcopy(PLAN_FILE)
    edit(data)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    try:
        read_plan_file(path)
    except PlanFileError as refused:
        return [(format_path(problem.path), problem.message) for problem in refused.problems]
    return []


def dataset(edit: Any) -> bytes:
    world = make_world(code="t")
    make_node(world.measure_level, make_node(world.programme_level, make_node(world.area_level)))
    data = export_dataset([world.plan])
    Plan.objects.all().delete()
    edit(data)
    return json.dumps(data, ensure_ascii=False).encode()


def structure_sheet(plan_code: str = "t", scale_mark: str = "（評価）") -> bytes:
    rows = [
        ["計画コード", "計画名", "開始年度", "終了年度", "階層1:分野:コード", "階層1:分野:名称"],
        [plan_code, "テスト計画", "2011", "2013", "1", "分野"],
    ]
    rows[0] += [f"階層2:施策{scale_mark}:コード", "階層2:施策:名称"]
    rows[1] += ["", ""]
    rows.append(["", "", "", "", "1", "", "1-1", "施策"])
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


# ------------------------------------------------------------------------ codes


def set_plan_code(code: str) -> Any:
    def edit(data: dict[str, Any]) -> None:
        data["plan"]["code"] = code

    return edit


def set_dataset_dimension_key(key: str) -> Any:
    def edit(data: dict[str, Any]) -> None:
        data["plans"][0]["dimensions"][0]["key"] = key

    return edit


@pytest.mark.parametrize("code", GOOD_CODES)
def test_a_slug_is_a_code_in_every_format(code: str, tmp_path: Path) -> None:
    assert plan_file_problems(set_plan_code(code), tmp_path) == []
    assert problems(dataset(set_dataset_dimension_key(code)), "plan.json") == []
    assert problems(structure_sheet(plan_code=code), "plan.csv") == []
    assert problems(structure_sheet(scale_mark=f"（評価:{code}）"), "plan.csv") == []


@pytest.mark.parametrize("code", BAD_CODES)
def test_what_is_not_a_slug_is_refused_as_a_code_in_every_format(code: str, tmp_path: Path) -> None:
    (where, message), *_ = plan_file_problems(set_plan_code(code), tmp_path)
    assert where == "plan.code" and message.startswith("may contain only ASCII letters, digits, - and _")
    refused = problems(dataset(set_dataset_dimension_key(code)), "plan.json")
    assert any("$.plans[0].dimensions[0]" in where for where, _ in refused), refused
    if "\n" in code:  # the sheet's cells are read as lines
        return
    assert (
        "plan.csv, row 2, column A (計画コード)",
        "A plan code is at most 64 ASCII letters, digits, - and _.",
    ) in problems(structure_sheet(plan_code=code), "plan.csv")
    if not slug_re.match(unicodedata.normalize("NFKC", code)):  # headings are read after NFKC
        assert any(
            message.endswith("is not a scale code (ASCII letters, digits, - and _).")
            for _, message in problems(structure_sheet(scale_mark=f"（評価:{code}）"), "plan.csv")
        )


# ------------------------------------------------------------ one primary per level


def test_the_clashes_are_the_later_primaries_of_a_level_each_with_the_first() -> None:
    marked = [("a", True), ("b", True), ("a", False), ("a", True), ("b", True), (None, False), ("a", True)]
    assert primary_clashes(marked) == {3: 0, 4: 1, 6: 0}
    assert primary_clashes([("a", True), ("b", True), ("a", False)]) == {}


def second_primary_in_plan_file(data: dict[str, Any]) -> None:
    data["dimensions"].append(
        {"key": "effort", "name": "取組", "level": "measure", "scale": "two", "primary": True}
    )


def second_primary_in_dataset(data: dict[str, Any]) -> None:
    dimensions = data["plans"][0]["dimensions"]
    dimensions.append({**dimensions[0], "key": "effort", "name": "取組"})


def test_a_second_primary_dimension_of_a_level_is_refused_in_every_format(tmp_path: Path) -> None:
    # The admin's refusal: tests/admin/test_refusals.py::test_plan_change_refuses_two_primary_dimensions_on_one_level
    assert plan_file_problems(second_primary_in_plan_file, tmp_path) == [
        ("dimensions[1].primary", "a level has at most one primary dimension")
    ]
    assert (
        "plan.json, $.plans[0].dimensions[1].primary",
        "a level has at most one primary dimension (another at $.plans[0].dimensions[0].primary)",
    ) in problems(dataset(second_primary_in_dataset), "plan.json")
