"""A node's place in its plan's outline (``Node.outline``) is kept true by every writer of
the tree: the node services (a node added, moved, put elsewhere among its siblings, its
code changed, a node deleted), the plan writers (an import that reorders and moves
nodes), the synthetic plans and the migration that numbered the stored nodes. True
means: the nodes sorted by it are the outline as printed (depth first, siblings by
position, then code: ``plans.selectors.common.children_by_parent``)."""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection

from shinchoku.plans import services
from shinchoku.plans.formats.planfile import load_plan_file
from shinchoku.plans.models import OUTLINE_WIDTH, Node, Plan, outline_keys
from shinchoku.plans.selectors.common import children_by_parent
from tests.factories import EveryTable, make_node
from tests.plans.formats.planfile.test_planfile import GOOD

pytestmark = pytest.mark.django_db


def printed(plan_id: int) -> list[str]:
    """The codes of the plan's nodes as its outline prints them, from the tree itself."""
    children = children_by_parent(Node.objects.filter(plan_id=plan_id))
    codes: list[str] = []

    def walk(parent_id: int | None) -> None:
        for node in children[parent_id]:
            codes.append(node.code)
            walk(node.pk)

    walk(None)
    return codes


def by_outline(plan_id: int) -> list[str]:
    return list(Node.objects.filter(plan_id=plan_id).order_by("outline").values_list("code", flat=True))


def assert_outline_true(plan_id: int) -> None:
    assert by_outline(plan_id) == printed(plan_id)
    # Each key is its parent's and a rank of fixed width: ordered as text in Python too.
    keys = dict(Node.objects.filter(plan_id=plan_id).values_list("pk", "outline"))
    for pk, parent_id in Node.objects.filter(plan_id=plan_id).values_list("pk", "parent_id"):
        parent_key = keys[parent_id] if parent_id is not None else ""
        assert keys[pk].startswith(parent_key) and len(keys[pk]) == len(parent_key) + OUTLINE_WIDTH
    assert sorted(keys.values()) == [keys[pk] for pk in sorted(keys, key=keys.__getitem__)]


def test_the_keys_order_siblings_by_position_then_code_past_ten_of_them() -> None:
    rows = [(pk, None, position, code) for pk, position, code in [(5, 1, "b"), (3, 1, "a"), (9, 0, "z")]]
    rows += [(100 + i, 9, 0, f"9-{i:02d}") for i in range(12)]
    keys = outline_keys(rows)
    assert [pk for pk in sorted(keys, key=keys.__getitem__)][:4] == [9, 100, 101, 102]
    assert keys[111] == "000000000011" and keys[3] == "000001" and keys[5] == "000002"
    # A subtree under a parent not among the rows takes the parent's key as given.
    assert outline_keys([(7, 4, 0, "x")], {4: "000003"}) == {7: "000003000000"}


def test_nodes_added_out_of_order_take_their_places(world: EveryTable) -> None:
    plan_id = world.plan.pk
    # Added last, printed first among the areas; siblings of one position by code.
    make_node(world.area_level, code="0", title="先頭の分野", position=0)
    for code, position in [("9-1-c", 2), ("9-1-a", 1), ("9-1-b", 1), ("9-1-0", 0)]:
        make_node(world.measure_level, world.programme, code=code, position=position)
    assert_outline_true(plan_id)
    assert by_outline(plan_id)[0] == "0"


def test_a_node_put_elsewhere_among_its_siblings_takes_its_subtree_along(
    world: EveryTable, planner: User
) -> None:
    plan_id = world.plan.pk
    first = make_node(world.measure_level, world.programme, code="9-1-0", position=0)
    assert by_outline(plan_id).index("9-1-0") < by_outline(plan_id).index(world.measure.code)
    services.node_update(first, data={"position": 5}, actor=planner)
    assert_outline_true(plan_id)
    codes = by_outline(plan_id)
    # The measure and the project under it now come before the moved node.
    assert codes.index(world.measure.code) < codes.index(world.project.code) < codes.index("9-1-0")


def test_a_new_code_moves_a_node_among_siblings_of_its_position(world: EveryTable, planner: User) -> None:
    plan_id = world.plan.pk
    other = make_node(world.measure_level, world.programme, code="zz", position=world.measure.position)
    services.node_update(other, data={"code": "0-first"}, actor=planner)
    assert_outline_true(plan_id)
    assert by_outline(plan_id).index("0-first") < by_outline(plan_id).index(world.measure.code)


def test_a_moved_subtree_takes_its_new_parents_place(world: EveryTable, planner: User) -> None:
    plan_id = world.plan.pk
    area = make_node(world.area_level, code="0", title="先頭の分野", position=0)
    programme = make_node(world.programme_level, area, code="0-1", title="先頭の政策")
    services.node_update(world.measure, data={"parent": programme}, actor=planner)
    assert_outline_true(plan_id)
    codes = by_outline(plan_id)
    assert codes[:4] == ["0", "0-1", world.measure.code, world.project.code]


def test_a_deleted_node_leaves_a_gap_that_orders_as_well(world: EveryTable, planner: User) -> None:
    plan_id = world.plan.pk
    nodes = [make_node(world.measure_level, world.programme, code=f"9-1-{i}", position=i) for i in range(3)]
    services.node_delete(nodes[1], actor=planner)
    assert_outline_true(plan_id)
    make_node(world.measure_level, world.programme, code="9-1-1b", position=1)
    assert_outline_true(plan_id)


def test_a_stale_node_saved_whole_keeps_the_key_its_sibling_gave_it(world: EveryTable) -> None:
    """A node read before a sibling's save renumbered it, then saved with all its fields
    (as an import saves a node it read at its start), keeps its new key."""
    plan_id = world.plan.pk
    stale = Node.objects.get(pk=world.measure.pk)
    make_node(world.measure_level, world.programme, code="0-first", position=0)
    stale.title = "協働型事業の拡充"
    services.node_save(stale)
    assert_outline_true(plan_id)


def _nodes(area: str, programmes: dict[str, list[str]]) -> dict[str, Any]:
    """A plan area of the plan file with its programmes and their measures, by code."""
    measure = GOOD["nodes"][0]["children"][0]["children"][0]
    return {
        "level": "plan",
        "code": area,
        "title": f"分野{area}",
        "children": [
            {
                "level": "programme",
                "code": programme,
                "title": f"政策{programme}",
                "children": [
                    {**copy.deepcopy(measure), "code": code, "title": f"施策{code}"} for code in measures
                ],
            }
            for programme, measures in programmes.items()
        ],
    }


def _load(tmp_path: Path, nodes: list[dict[str, Any]]) -> int:
    data = {**copy.deepcopy(GOOD), "nodes": nodes}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    load_plan_file(path)
    return Plan.objects.get(code=GOOD["plan"]["code"]).pk


def test_an_import_that_reorders_and_moves_nodes_keeps_the_outline(tmp_path: Path) -> None:
    measures = [f"m{i}" for i in range(12)]
    first = [_nodes("a", {"a-1": measures[:6], "a-2": measures[6:]}), _nodes("b", {"b-1": ["n1"]})]
    plan_id = _load(tmp_path, first)
    assert_outline_true(plan_id)
    assert by_outline(plan_id)[:3] == ["a", "a-1", "m0"]
    # The areas swapped, a programme's measures reversed, one measure moved to b-1, one
    # new programme first in b.
    again = [
        _nodes("b", {"b-0": ["n0"], "b-1": ["m3", "n1"]}),
        _nodes("a", {"a-1": [code for code in reversed(measures[:6]) if code != "m3"], "a-2": measures[6:]}),
    ]
    _load(tmp_path, again)
    assert_outline_true(plan_id)
    assert by_outline(plan_id)[:6] == ["b", "b-0", "n0", "b-1", "m3", "n1"]
    assert by_outline(plan_id)[6:9] == ["a", "a-1", "m5"]


def test_the_migration_numbers_the_stored_nodes(world: EveryTable) -> None:
    make_node(world.measure_level, world.programme, code="9-1-0", position=0)
    Node.objects.update(outline="")
    migration = importlib.import_module("shinchoku.plans.migrations.0006_node_outline")
    migration.number_outlines(apps, SimpleNamespace(connection=connection))
    assert_outline_true(world.plan.pk)


def test_a_synthetic_plan_is_in_the_outlines_order() -> None:
    from shinchoku.devtools.synth import plan_synthesize

    plan = plan_synthesize(measures=40, years=2, seed=3)
    assert_outline_true(plan.pk)
