"""The exports written as they are read, a few nodes at a time: the JSON dataset, the CSV
folder and the ZIP are byte for byte the files made from the whole dataset in memory, on
the demonstration data and on a synthetic plan, whatever the number of nodes read at a
time; the JSON stays valid against its schema."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command

from shinchoku.devtools.synth import plan_synthesize
from shinchoku.opendata import files as opendata_files
from shinchoku.opendata.package import DESCRIPTOR, Written, datapackage, descriptor_bytes
from shinchoku.plans.formats.dataset import export
from shinchoku.plans.formats.dataset.export import dataset_parts, dumps, export_dataset
from shinchoku.plans.formats.dataset.stream import write_json
from shinchoku.plans.models import Plan

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(export.__file__).parent / "dataset-1.schema.json").read_text())
#: Nodes read at a time: one by one (every ancestor in another part), a few, all at once.
CHUNKS = (1, 3, 100_000)


@pytest.fixture(params=["demo", "synth"])
def plans(request: pytest.FixtureRequest) -> list[Plan]:
    """The demonstration data (the seed report), or a synthetic plan of 60 measures over
    three years with every kind of row (costs, sections, indicators, several judgements)."""
    if request.param == "demo":
        call_command("loaddemo")
        return list(Plan.objects.order_by("code"))
    return [plan_synthesize(measures=60, years=3, seed=11)]


def streamed(plans: list[Plan], chunk: int, year: int | None = None) -> str:
    parts = dataset_parts(plans, chunk=chunk)
    if year is not None:
        parts = (opendata_files.for_year(part, year) for part in parts)
    out = io.StringIO(newline="")
    write_json(out, parts)
    return out.getvalue()


def test_the_streamed_json_is_the_dataset_written_whole(plans: list[Plan]) -> None:
    whole = export_dataset(plans)
    assert len(whole["nodes"]) > 3 and whole["results"] and whole["targets"]
    expected = dumps(whole)
    for chunk in CHUNKS:
        assert streamed(plans, chunk) == expected, chunk
    jsonschema.validate(json.loads(expected), SCHEMA)


def test_a_year_of_the_streamed_json_is_that_year_of_the_whole(plans: list[Plan]) -> None:
    year = plans[0].fiscal_years[-1]
    expected = dumps(opendata_files.for_year(export_dataset(plans), year))
    assert json.loads(expected)["fiscal_year"] == year
    for chunk in CHUNKS:
        assert streamed(plans, chunk, year) == expected, chunk
    jsonschema.validate(json.loads(expected), SCHEMA)


def test_a_dataset_without_nodes_is_one_part() -> None:
    assert streamed([], 1) == dumps(export_dataset([])) == dumps(export_dataset(Plan.objects.none()))


def test_the_parts_hold_each_node_once_with_its_ancestors(plans: list[Plan]) -> None:
    whole = export_dataset(plans)
    parts = list(dataset_parts(plans, chunk=1))
    assert [node for part in parts for node in part["nodes"]] == whole["nodes"]
    parent = {node["id"]: node["parent_id"] for node in whole["nodes"]}
    for part in parts:
        [node] = part["nodes"]
        ancestors = []
        while parent[ancestors[-1] if ancestors else node["id"]] is not None:
            ancestors.append(parent[ancestors[-1] if ancestors else node["id"]])
        assert sorted(row["id"] for row in part[export.ANCESTORS]) == sorted(ancestors)


@pytest.mark.parametrize("year", [None, "last"])
def test_the_export_command_streams_the_same_files(
    plans: list[Plan], year: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``shinchoku export`` in every format, reading two nodes at a time, writes the bytes
    the whole dataset in memory gives."""
    monkeypatch.setattr(export, "CHUNK", 2)
    dataset = export_dataset(plans)
    fiscal_year = plans[0].fiscal_years[-1] if year else None
    options = ["--year", str(fiscal_year)] if fiscal_year else []
    if fiscal_year:
        dataset = opendata_files.for_year(dataset, fiscal_year)

    call_command("export", "--format", "json", "-o", str(tmp_path / "dataset.json"), *options)
    assert (tmp_path / "dataset.json").read_bytes() == dumps(dataset).encode()

    call_command("export", "--format", "zip", "-o", str(tmp_path / "opendata.zip"), *options)
    assert (tmp_path / "opendata.zip").read_bytes() == opendata_files.zip_bundle(dataset, year=fiscal_year)

    for bom in (False, True):
        folder = tmp_path / f"csv-{bom}"
        call_command("export", "--format", "csv", "-o", str(folder), *options, *(["--bom"] if bom else []))
        tables = opendata_files.csv_tables(dataset, bom=bom)
        facts = {name: Written.of(data) for name, data in tables.items()}
        expected = {
            **tables,
            DESCRIPTOR: descriptor_bytes(datapackage(dataset, facts, year=fiscal_year, bom=bom)),
        }
        assert {path.name: path.read_bytes() for path in folder.iterdir()} == expected


def test_a_failed_export_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Written as it is read, a file is still written whole or not at all."""
    call_command("loaddemo")
    target = tmp_path / "opendata.zip"

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(opendata_files.TableFiles, "add", broken)
    with pytest.raises(RuntimeError):
        call_command("export", "--format", "zip", "-o", str(target))
    assert list(tmp_path.iterdir()) == []


def test_the_zips_of_every_year_written_in_one_reading_are_each_the_zip_of_its_year(
    plans: list[Plan], tmp_path: Path
) -> None:
    dataset = export_dataset(plans)
    years: list[int | None] = [None, *plans[0].fiscal_years]
    outs = {year: (tmp_path / f"{year}.zip").open("wb") for year in years}
    opendata_files.write_zips(dataset_parts(plans, chunk=2), outs)
    for out in outs.values():
        out.close()
    for year in years:
        expected = opendata_files.zip_bundle(
            dataset if year is None else opendata_files.for_year(dataset, year), year=year
        )
        assert (tmp_path / f"{year}.zip").read_bytes() == expected, year
