"""Importing the JSON dataset: export, import into an empty database, export again gives
the same bytes; a second import changes nothing; a bad file is refused with its JSON
paths and writes nothing, whatever is done to it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from shinchoku.accounts.models import Role
from shinchoku.interchange.importing import import_apply, import_preview
from shinchoku.interchange.preview import ImportRefused, RowStatus
from shinchoku.plans.formats.dataset.export import dumps, export_dataset
from shinchoku.plans.models import Node, OrgUnit, Plan
from shinchoku.progress.models import Result
from tests.factories import make_every_table, make_sample, make_staff
from tests.plans.formats.widths import make_widths_plan
from tests.plans.formats.widths import state as widths_state

pytestmark = pytest.mark.django_db

#: The tables a dataset import writes (or must leave alone when it refuses).
TABLES = [
    "plans.Plan",
    "plans.Level",
    "plans.Marker",
    "plans.OrgUnit",
    "plans.Node",
    "plans.NodeUnit",
    "plans.Scale",
    "plans.ScaleLevel",
    "plans.Dimension",
    "plans.Section",
    "plans.NodeSectionText",
    "progress.Target",
    "progress.Result",
    "progress.Rating",
    "progress.ResultSectionText",
    "progress.Indicator",
    "progress.IndicatorValue",
    "progress.Cost",
    "progress.StaffRate",
]


def row_counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in TABLES}


def export_bytes(tmp_path: Path, name: str) -> bytes:
    path = tmp_path / name
    call_command("export", format="json", output=str(path))
    return path.read_bytes()


def run_import(path: Path, *args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import", str(path), *args, stdout=out)
    return out.getvalue()


def refused(path: Path, *args: str) -> str:
    """The command's output and error of a refused import (exit status 1)."""
    from io import StringIO

    out = StringIO()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import", str(path), *args, stdout=out)
    return out.getvalue() + "\n" + str(caught.value)


def every_kind_of_data() -> None:
    make_every_table()
    make_sample()
    call_command("synth", measures=50, years=3, seed=7, verbosity=0)


# ------------------------------------------------------------------ the round trip


@pytest.mark.django_db(transaction=True)
def test_export_import_into_an_empty_database_export_gives_the_same_bytes(tmp_path: Path) -> None:
    every_kind_of_data()
    first = export_bytes(tmp_path, "first.json")
    data = json.loads(first)
    assert {plan["code"] for plan in data["plans"]} >= {"plan9", "synth-7"}
    for section in ("scales", "units", "nodes", "targets", "results", "indicators", "costs"):
        assert data[section], section
    # Every field of the data model is given somewhere, so that the round trip covers it.
    plans = data["plans"]
    assert any(plan["sections"] for plan in plans) and any(plan["staff_rates"] for plan in plans)
    assert {plan["amount_unit"] for plan in plans} == {"yen", "thousand"}
    levels = [level for scale in data["scales"] for level in scale["levels"]]
    assert any(level["row_label"] and level["column_label"] for level in levels)
    assert any(node["sections"] for node in data["nodes"])
    assert any(result["sections"] for result in data["results"])
    assert any(rating["reason"] for result in data["results"] for rating in result["ratings"])
    for key in ("national", "prefectural", "bonds", "other", "general", "project_cost"):
        assert any(cost[key] for cost in data["costs"]), key
    for key in ("staff_count", "staff_hours", "staff_cost", "total_cost"):
        assert any(cost[key] for cost in data["costs"]), key
    assert {cost["basis"] for cost in data["costs"]} == {"actual", "budget", "plan"}
    assert any(cost["fiscal_year"] is None for cost in data["costs"])
    # Units that no node names are not part of the dataset (docs/open-data.md).
    counts = {**row_counts(), "plans.OrgUnit": len(data["units"])}

    call_command("flush", interactive=False, verbosity=0)
    assert Plan.objects.count() == 0

    output = run_import(tmp_path / "first.json", "--apply")
    assert "Dataset imported" in output
    assert row_counts() == counts
    second = export_bytes(tmp_path, "second.json")
    assert second == first

    # The same file again: nothing changes, nothing is written.
    preview = import_preview(first, "first.json", actor=None)
    assert preview.ok, preview.all_problems
    assert not preview.changed
    assert preview.count(RowStatus.UNCHANGED) == len(preview.rows)
    result = import_apply(first, "first.json", actor=None)
    assert result.counts["plans_written"] == 0
    assert export_bytes(tmp_path, "third.json") == first


def test_importing_over_the_same_data_changes_nothing(tmp_path: Path) -> None:
    make_sample()
    first = dumps(export_dataset()).encode()
    preview = import_preview(first, "dataset.json", actor=None)
    assert preview.ok, [str(p) for p in preview.all_problems]
    assert preview.importer == "dataset"
    assert not preview.changed
    import_apply(first, "dataset.json", actor=None)
    assert dumps(export_dataset()).encode() == first


def test_a_changed_title_is_exactly_the_change_shown_and_written(tmp_path: Path) -> None:
    sample = make_sample()
    data = export_dataset()
    index = next(i for i, node in enumerate(data["nodes"]) if node["id"] == "plan9:9-1-1")
    data["nodes"][index]["title"] = "協働型事業の推進と検証"
    content = dumps(data).encode()

    preview = import_preview(content, "dataset.json", actor=None)
    assert preview.ok
    changed = [row for row in preview.rows if row.status != RowStatus.UNCHANGED]
    assert len(changed) == 1
    (row,) = changed
    assert row.status == RowStatus.CHANGED
    assert row.where.name == f"$.nodes[{index}]"
    assert [(c.field, c.before, c.after) for c in row.changes] == [
        ("title", "協働型事業の推進", "協働型事業の推進と検証")
    ]

    import_apply(content, "dataset.json", actor=None)
    sample.measure.refresh_from_db()
    assert sample.measure.title == "協働型事業の推進と検証"
    assert dumps(export_dataset()).encode() == content


def test_an_unchanged_export_with_full_width_identities_imports_as_no_change() -> None:
    make_widths_plan()
    before = widths_state()
    content = dumps(export_dataset()).encode()

    preview = import_preview(content, "dataset.json", actor=None)
    assert preview.ok, [str(problem) for problem in preview.all_problems]
    assert [
        (row.subject, row.status.value, row.changes)
        for row in preview.rows
        if row.status != RowStatus.UNCHANGED or row.changes
    ] == []
    result = import_apply(content, "dataset.json", actor=None)
    assert result.counts["plans_written"] == 0
    assert widths_state() == before


def test_a_unit_whose_name_differs_only_in_width_stays_another_unit() -> None:
    widths = make_widths_plan()
    data = export_dataset()
    # The file's own unit of that name, under a code of its own: a new unit, as written.
    data["units"].append({"code": "t-general", "name": "（テスト）総務課", "kind": "section", "parent": None})
    existing = OrgUnit.objects.create(code="t-general-ascii", name="(テスト)総務課")
    node = next(node for node in data["nodes"] if node["code"] == "9-1-2")
    node["units"] = [{"unit": "t-general", "role": "responsible"}]
    content = dumps(data).encode()

    preview = import_preview(content, "dataset.json", actor=None)
    assert preview.ok, [str(problem) for problem in preview.all_problems]
    assert [(row.subject, row.status) for row in preview.rows if row.status != RowStatus.UNCHANGED] == [
        ("unit t-general （テスト）総務課", RowStatus.NEW),
        ("node widths:9-1-2 市民活動の支援", RowStatus.CHANGED),
    ]
    import_apply(content, "dataset.json", actor=None)
    assert OrgUnit.objects.get(code="t-general").name == "（テスト）総務課"
    existing.refresh_from_db()
    assert existing.name == "(テスト)総務課"
    assert list(Node.objects.get(code="9-1-2").units.values_list("code", flat=True)) == ["t-general"]
    assert widths.community.nodes.get().code == "９－１－１"


def test_what_the_file_no_longer_holds_of_its_plans_is_removed_and_other_plans_stay(tmp_path: Path) -> None:
    make_sample()
    other = make_every_table()
    data = export_dataset(Plan.objects.filter(code="plan9"))
    data["results"] = [r for r in data["results"] if r["node_id"] != "plan9:9-3-1"]
    preview = import_preview(dumps(data).encode(), "dataset.json", actor=None)
    removed = [row for row in preview.rows if row.status == RowStatus.REMOVED]
    assert [row.subject for row in removed] == ["result of plan9:9-3-1 for 2012"]
    import_apply(dumps(data).encode(), "dataset.json", actor=None)
    assert not Result.objects.filter(node__code="9-3-1").exists()
    assert Plan.objects.filter(code=other.plan.code).exists()
    assert Node.objects.filter(plan=other.plan).count() == 4


# ------------------------------------------------------------------ who may import


def test_only_the_administrator_or_the_console_may_import_a_dataset(tmp_path: Path) -> None:
    make_sample()
    content = dumps(export_dataset()).encode()
    editor = make_staff(Role.REVIEWER)
    preview = import_preview(content, "dataset.json", actor=editor)
    assert not preview.ok
    assert "administrator" in str(preview.problems[0])
    with pytest.raises(ImportRefused):
        import_apply(content, "dataset.json", actor=editor)
    admin = make_staff(Role.ADMINISTRATOR)
    assert import_preview(content, "dataset.json", actor=admin).ok
    path = tmp_path / "dataset.json"
    path.write_bytes(content)
    assert "Only the planning administrator" in refused(path, "--apply", "--user", editor.username)
    run_import(path, "--apply", "--user", admin.username)


# ------------------------------------------------------------------ refusals


def mutated(change: Callable[[dict[str, Any]], None]) -> bytes:
    data = export_dataset()
    change(data)
    return dumps(data).encode()


def node_index(data: dict, node_id: str) -> int:
    return next(i for i, node in enumerate(data["nodes"]) if node["id"] == node_id)


def set_rating(data: dict) -> None:
    result = next(r for r in data["results"] if r["ratings"])
    result["ratings"][0]["code"] = "9"


def duplicate_node(data: dict) -> None:
    data["nodes"].append(copy.deepcopy(data["nodes"][node_index(data, "plan9:9-1-1")]))


def unknown_parent(data: dict) -> None:
    data["nodes"][node_index(data, "plan9:9-1-1")]["parent_id"] = "plan9:nowhere"


def schema_violation(data: dict) -> None:
    data["nodes"][node_index(data, "plan9:9-1-1")]["position"] = "first"


def unknown_unit_parent(data: dict) -> None:
    data["units"][0]["parent"] = "nowhere"


def parent_loop(data: dict) -> None:
    data["nodes"][node_index(data, "plan9:9")]["parent_id"] = "plan9:9-1-1"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            lambda: b'{"schema_version": "1.0",\n "plans": "\xff"}',
            ["not UTF-8 text: the byte at offset 37 (line 2, column 12)"],
        ),
        (lambda: b'{"schema_version": "1.0",\n  "plans": [,]}', ["not valid JSON", "line 2, column 13"]),
        (lambda: b'{"schema_version": "1.0", "schema_version": "1.0"}', ["appears twice"]),
        (
            lambda: mutated(lambda d: d.update(schema_version="2.0")),
            ["$.schema_version", "schema version 1.0"],
        ),
        (lambda: mutated(schema_violation), ["$.nodes[", "].position: 'first' is not of type 'integer'"]),
        (lambda: mutated(lambda d: d.pop("targets")), ["$: 'targets' is a required property"]),
        (lambda: mutated(duplicate_node), ["].id: the node id appears twice (also at $.nodes["]),
        (lambda: mutated(set_rating), ["].ratings[0].code: '9' is not on the scale"]),
        (lambda: mutated(unknown_parent), ["].parent_id: no node 'plan9:nowhere'"]),
        (lambda: mutated(unknown_unit_parent), ["$.units[0].parent: no unit 'nowhere'"]),
        (lambda: mutated(parent_loop), ["parent_id: the node's parents form a loop"]),
        (
            lambda: mutated(lambda d: d["plans"][0].update(title="x" * 201)),
            ["$.plans[0].title: Ensure this value has at most 200 characters"],
        ),
        (
            lambda: mutated(lambda d: d["plans"][0]["levels"][0].update(name_en=5)),
            ["$.plans[0].levels[0].name_en: 5 is not of type 'string'"],
        ),
        (
            lambda: mutated(lambda d: d["scales"][0]["levels"][0].update(label_en="x" * 201)),
            ["$.scales[0].levels[0].label_en: Ensure this value has at most 200 characters"],
        ),
        (
            lambda: mutated(lambda d: d["results"][0].update(fiscal_year=2019)),
            ["$.results[0].fiscal_year: Fiscal year 2019 is outside the plan period"],
        ),
        (
            lambda: mutated(lambda d: d["nodes"][0].update(note="\x00")),
            ["$.nodes[0].note: the text holds a NUL"],
        ),
        (
            lambda: mutated(lambda d: d["nodes"][node_index(d, "plan9:9-1")].update(level_key="plan")),
            ["].level_key: The level must be deeper than the parent's level."],
        ),
        (
            lambda: mutated(lambda d: d["indicators"][0]["values"][0].update(fiscal_year=2030)),
            ["$.indicators[0].values[0].fiscal_year: Fiscal year 2030 is outside"],
        ),
        (
            lambda: mutated(lambda d: d["results"][0]["ratings"][0].update(dimension="nope")),
            ["$.results[0].ratings[0].dimension: no dimension 'nope'"],
        ),
        (lambda: b"[" * 100 + b"]" * 100, []),  # not a dataset at all: unrecognised
        (lambda: json.dumps({"format": "shinchoku-plan/1"}).encode(), ["not a file Shinchoku can import"]),
    ],
)
def test_a_bad_file_is_refused_with_its_paths_and_writes_nothing(
    tmp_path: Path, content: Callable[[], bytes], expected: list[str]
) -> None:
    make_sample()
    before = row_counts()
    stored = dumps(export_dataset())
    path = tmp_path / "bad.json"
    path.write_bytes(content())
    for args in ((), ("--apply",)):
        message = refused(path, *args)
        for part in expected:
            assert part in message, message
        assert "bad.json" in message
    assert row_counts() == before
    assert dumps(export_dataset()) == stored


def test_json_nested_too_deeply_is_refused() -> None:
    content = b'{"schema_version": "1.0", "plans": ' + b"[" * 60 + b"]" * 60 + b"}"
    preview = import_preview(content, "deep.json", actor=None)
    assert preview.importer == "dataset"
    assert any("nested more than 50 levels" in str(problem) for problem in preview.all_problems)
    content = b'{"schema_version": "1.0", "plans": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    preview = import_preview(content, "deeper.json", actor=None)
    assert not preview.ok


# ------------------------------------------------------------------ whatever is done to a file

_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*path, index)))
    return found


def _at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


@st.composite
def mutations(draw: st.DrawFn, base: dict) -> bytes:
    data = copy.deepcopy(base)
    for _step in range(draw(st.integers(1, 3))):
        paths = _paths(data)[1:]
        if draw(st.booleans()):  # half the time, a text is changed: mostly a clean import
            texts = [path for path in paths if isinstance(_at(data, path), str)]
            paths = texts or paths
        path = draw(st.sampled_from(paths)) if paths else ()
        if not path:
            break
        holder = data
        for part in path[:-1]:
            holder = holder[part]
        key = path[-1]
        action = draw(st.sampled_from(["delete", "replace", "text", "number", "copy"]))
        if action == "delete":
            del holder[key]
        elif action == "replace":
            holder[key] = draw(_JSON_VALUES)
        elif action == "text":
            holder[key] = draw(
                st.text(max_size=30) | st.sampled_from(["plan9:9", "plan9:9-1", "3", "measure", ""])
            )
        elif action == "number":
            holder[key] = draw(st.integers(-(2**70), 2**70) | st.sampled_from([0, 1, 2011, 2014, 40000, 1.5]))
        elif isinstance(holder, list):
            holder.append(copy.deepcopy(holder[key]))
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if draw(st.integers(0, 9)) == 0:  # now and then, the bytes themselves
        cut = draw(st.integers(min(40, len(text)), len(text)))
        text = text[:cut] + draw(st.text(max_size=3)) + text[cut + 1 :]
    return text.encode("utf-8", "surrogatepass")


class _Rollback(Exception):
    pass


_SAMPLE: dict[str, Any] = {}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_mutation_of_a_dataset_crashes_the_import_or_half_writes(data: st.DataObject) -> None:
    try:
        with transaction.atomic():
            if not _SAMPLE:  # made once, so that every example starts from the same data
                make_sample()
                _SAMPLE.update(export_dataset())
            base = copy.deepcopy(_SAMPLE)
            import_apply(dumps(base).encode(), "sample.json", actor=None)
            stored = dumps(base)
            assert dumps(export_dataset()) == stored
            counts = row_counts()
            content = data.draw(mutations(base))
            preview = import_preview(content, "mutated.json", actor=None)
            event("clean" if preview.ok else "refused")
            assert dumps(export_dataset()) == stored, "a preview wrote"
            if preview.ok and preview.importer == "dataset":
                import_apply(content, "mutated.json", actor=None)
                again = import_preview(content, "mutated.json", actor=None)
                assert again.ok and not again.changed, "a second import would change something"
            else:
                assert preview.all_problems
                with pytest.raises(ImportRefused):
                    import_apply(content, "mutated.json", actor=None)
                assert dumps(export_dataset()) == stored
                assert row_counts() == counts
            raise _Rollback
    except _Rollback:
        pass


def test_one_years_export_is_refused_by_the_import(tmp_path: Path) -> None:
    """An export of one fiscal year (--year) says so, and cannot be imported over the
    data: for its plans it would remove every other year."""
    make_sample()
    path = tmp_path / "year.json"
    call_command("export", "--format=json", "--year=2012", f"--output={path}")
    assert json.loads(path.read_text())["fiscal_year"] == 2012
    before = Result.objects.count()
    with pytest.raises(CommandError):
        call_command("import", str(path), "--apply")
    assert Result.objects.count() == before
    problems = [str(p) for p in import_preview(path.read_bytes(), path.name, actor=None).all_problems]
    assert any("one fiscal year only" in problem for problem in problems)
