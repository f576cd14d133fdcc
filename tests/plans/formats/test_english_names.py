"""The English names of a plan's vocabulary (``name_en`` of levels, scales, dimensions and
markers, ``label_en`` of scale levels) through every format that carries the plan: the
plan data file, the JSON dataset and its import, and the default scale a structure sheet
makes. Optional everywhere: a file without them loads with blank English names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shinchoku.interchange.importing import import_apply, import_preview
from shinchoku.interchange.preview import RowStatus
from shinchoku.plans.formats.dataset.export import dumps, export_dataset
from shinchoku.plans.formats.planfile import PlanFileError, load_plan_file
from shinchoku.plans.models import Dimension, Level, Marker, Scale, ScaleLevel
from tests.plans.formats.planfile.test_planfile import GOOD, mutate, refused, write
from tests.plans.formats.structure.test_plan_structure import csv_bytes, small

pytestmark = pytest.mark.django_db


def english_names() -> dict[str, object]:
    """Every English name stored, by where it stands."""
    return {
        "levels": list(Level.objects.order_by("depth").values_list("name_en", flat=True)),
        "scale": Scale.objects.get().name_en,
        "scale levels": list(ScaleLevel.objects.order_by("position").values_list("label_en", flat=True)),
        "dimension": Dimension.objects.get().name_en,
        "marker": Marker.objects.get().name_en,
    }


LOADED = {
    "levels": ["", "", "Measure"],
    "scale": "Achievement status",
    "scale levels": ["", "", "Mostly achieved the target", "Fell short of the target", ""],
    "dimension": "Achievement status",
    "marker": "Circle",
}


def test_a_plan_file_gives_english_names_and_a_reload_without_them_clears_them(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, GOOD))
    assert english_names() == LOADED

    def without_english(data: dict) -> None:
        for item in (*data["levels"], *data["scales"], *data["scales"][0]["levels"], *data["dimensions"]):
            item.pop("name_en", None)
            item.pop("label_en", None)
        data["markers"][0].pop("name_en")

    load_plan_file(write(tmp_path, mutate(without_english)))
    assert english_names() == {
        "levels": ["", "", ""],
        "scale": "",
        "scale levels": [""] * 5,
        "dimension": "",
        "marker": "",
    }


def test_english_names_are_text_normalised_on_the_way_in(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, mutate(lambda d: d["levels"][0].update(name_en="Ｐｌａｎ　area  "))))
    assert Level.objects.get(depth=0).name_en == "Plan area"


@pytest.mark.parametrize(
    ("change", "where", "why"),
    [
        (lambda d: d["levels"][2].update(name_en="M" * 51), "levels[2].name_en", "at most 50"),
        (lambda d: d["scales"][0].update(name_en="S" * 101), "scales[0].name_en", "at most 100"),
        (
            lambda d: d["scales"][0]["levels"][0].update(label_en="L" * 201),
            "scales[0].levels[0].label_en",
            "at most 200",
        ),
        (lambda d: d["dimensions"][0].update(name_en=["a"]), "dimensions[0].name_en", "expected text"),
        (lambda d: d["markers"][0].update(name_en={"a": 1}), "markers[0].name_en", "expected text"),
        (lambda d: d["levels"][0].update(name_ja="プラン"), "levels[0].name_ja", "unknown key"),
    ],
)
def test_a_bad_english_name_is_refused_with_its_line_and_nothing_is_written(
    tmp_path: Path, change, where: str, why: str
) -> None:
    text = str(refused(tmp_path, mutate(change)))
    assert f", {where}: " in text and why in text, text
    assert ", line " in text
    assert not Level.objects.exists()


def test_the_english_names_of_a_shared_scale_are_part_of_its_definition(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, GOOD))
    for change, why in [
        (lambda d: d["scales"][0].update(name_en="Achievement"), "changes its English name"),
        (
            lambda d: d["scales"][0]["levels"][2].update(label_en="Nearly there"),
            "relabels '3' in English ('Mostly achieved the target' → 'Nearly there')",
        ),
    ]:
        with pytest.raises(PlanFileError) as error:
            load_plan_file(write(tmp_path, mutate(lambda d, c=change: (d["plan"].update(code="u"), c(d)))))
        assert "the scale 't-five' is also used by the plan 't'" in str(error.value)
        assert why in str(error.value), str(error.value)
    assert Scale.objects.get().name_en == "Achievement status"


def test_the_dataset_carries_the_english_names_through_an_import(tmp_path: Path) -> None:
    load_plan_file(write(tmp_path, GOOD))
    first = dumps(export_dataset()).encode()
    Level.objects.update(name_en="")
    ScaleLevel.objects.update(label_en="")
    Scale.objects.update(name_en="")
    Dimension.objects.update(name_en="")
    Marker.objects.update(name_en="")

    preview = import_preview(first, "dataset.json", actor=None)
    assert preview.ok, [str(p) for p in preview.all_problems]
    changed = {
        (row.where.name, change.field, change.after)
        for row in preview.rows
        if row.status == RowStatus.CHANGED
        for change in row.changes
    }
    assert ("$.plans[0].levels[2]", "name_en", "Measure") in changed
    assert ("$.plans[0].dimensions[0]", "name_en", "Achievement status") in changed
    assert ("$.plans[0].markers[0]", "name_en", "Circle") in changed
    assert ("$.scales[0]", "name_en", "Achievement status") in changed
    assert any(
        where == "$.scales[0]"
        and field == "levels"
        and "目標をほぼ達成 / Mostly achieved the target" in after
        for where, field, after in changed
    )
    import_apply(first, "dataset.json", actor=None)
    assert english_names() == LOADED
    assert dumps(export_dataset()).encode() == first


def test_a_dataset_without_english_names_imports_with_blank_ones(tmp_path: Path) -> None:
    """An export made before the English names existed is still a dataset of version 1.0."""
    load_plan_file(write(tmp_path, GOOD))
    data = json.loads(dumps(export_dataset()))
    for plan in data["plans"]:
        for item in (*plan["levels"], *plan["dimensions"], *plan["markers"]):
            del item["name_en"]
    for scale in data["scales"]:
        del scale["name_en"]
        for level in scale["levels"]:
            del level["label_en"]
    import_apply(dumps(data).encode(), "old.json", actor=None)
    assert english_names()["levels"] == ["", "", ""]
    assert english_names()["scale levels"] == [""] * 5


def test_the_default_scale_of_a_structure_sheet_is_named_in_english_too() -> None:
    import_apply(csv_bytes(small()), "small.csv", actor=None)
    dimension = Dimension.objects.get(plan__code="t")
    assert (dimension.name, dimension.name_en) == ("達成状況区分", "Achievement status")
    scale = dimension.scale
    assert (scale.code, scale.name, scale.name_en) == ("achievement-5", "達成状況区分", "Achievement status")
    assert list(scale.levels.order_by("position").values_list("label", "label_en")) == [
        ("目標を大きく上回って達成", "Far exceeded the target"),
        ("目標を上回って達成", "Exceeded the target"),
        ("目標をほぼ達成", "Mostly achieved the target"),
        ("目標を下回った", "Fell short of the target"),
        ("目標を大きく下回った", "Fell far short of the target"),
    ]
