"""Shinchoku's own PDF reports read back: report → import → the same data.

The seed plan and a small synthetic plan are loaded, their reports rendered
(``shinchoku report``), read (``read_source``, ``recognise``) and compared field by field
with the plan exported as the JSON dataset: every field whole and right, and nothing
flagged but the plan's name (the report does not print it where it can be told)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command

from shinchoku.devtools.report_accuracy import FIELDS, compare, dataset_facts
from shinchoku.plans.formats.dataset.export import export_dataset
from shinchoku.plans.formats.report.draft import Draft
from shinchoku.plans.formats.report.reading import read_source
from shinchoku.plans.formats.report.recognise import recognise
from shinchoku.plans.models import Plan

ROOT = Path(__file__).parents[4]
SEED = ROOT / "data" / "seeds" / "kawasaki-plan9.yaml"
SCHEMA = json.loads((ROOT / "src/shinchoku/plans/formats/dataset/dataset-1.schema.json").read_text())


def _read_back(tmp_path: Path, code: str) -> tuple[Draft, dict[str, object]]:
    output = tmp_path / f"{code}.pdf"
    call_command("report", "--year", "2012", "--plan", code, "--output", str(output), stdout=StringIO())
    draft = recognise(read_source(output.read_bytes(), output.name), plan_code=code)
    return draft, export_dataset(Plan.objects.filter(code=code))


def _assert_same(draft: Draft, expected: dict[str, object]) -> None:
    found, right = dataset_facts(draft.dataset), dataset_facts(expected)  # type: ignore[arg-type]
    scores = compare(found, right)
    for name in FIELDS:
        assert found[name] == right[name], (name, sorted(found[name] ^ right[name])[:3])
        assert scores[name].right == scores[name].expected
    assert [d.pointer for d in draft.flagged] == ["/plans/0/title"]


@pytest.mark.django_db
def test_the_seed_plans_own_report_reads_back_as_the_same_data(tmp_path: Path) -> None:
    call_command("loadplan", str(SEED), "--apply", stdout=StringIO())
    draft, expected = _read_back(tmp_path, "kawasaki-frontier-3")
    _assert_same(draft, expected)
    jsonschema.validate(draft.dataset, SCHEMA)
    # The targets' rows, spans and the onwards column, read from the cells' columns.
    targets = [
        (t["row"], t["start_year"], t["end_year"], t["open_end"], t["text"]) for t in draft.dataset["targets"]
    ]
    wanted = [
        (t["row"], t["start_year"], t["end_year"], t["open_end"], t["text"]) for t in expected["targets"]
    ]  # type: ignore[index]
    assert targets == wanted


@pytest.mark.django_db
def test_a_synthetic_plans_own_report_reads_back_as_the_same_data(tmp_path: Path) -> None:
    call_command("synth", "--measures", "15", "--years", "2", "--plan-code", "synth-back", stdout=StringIO())
    draft, expected = _read_back(tmp_path, "synth-back")
    _assert_same(draft, expected)
    # Revised targets keep their revision, as the sheet prints it under its labels.
    revised = {
        (t["text"], t["revised_text"], t["revision_reason"]) for t in expected["targets"] if t["revised_text"]
    }  # type: ignore[index]
    assert revised
    assert revised <= {(t["text"], t["revised_text"], t["revision_reason"]) for t in draft.dataset["targets"]}
    # A result a page break cut is read whole: its evidence runs over two pages.
    cut = [d for d in draft.decisions if d.kind == "result_text" and len({e.page for e in d.evidence}) > 1]
    assert cut
