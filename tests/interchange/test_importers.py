"""The importers Shinchoku tries, listed in one place (``importing.IMPORTERS``): every kind
of file it writes is taken by exactly one of them, so that the order they are tried in
never decides what a file is."""

from __future__ import annotations

import pytest

from shinchoku.interchange.importing import IMPORTERS, import_preview
from shinchoku.plans.formats.dataset.export import dumps, export_dataset
from shinchoku.plans.formats.structure.export import plan_rows, to_csv, to_xlsx
from shinchoku.review.workbook.writer import build_workbook
from tests.review.conftest import make_cycle

pytestmark = pytest.mark.django_db


def test_the_importers_are_listed_once_each_in_order() -> None:
    assert [importer.name for importer in IMPORTERS] == ["dataset", "entry-workbook", "plan-structure"]


def test_each_file_shinchoku_writes_is_taken_by_exactly_one_importer() -> None:
    cycle = make_cycle()
    plan = cycle.sample.plan
    files = {
        "dataset.json": (dumps(export_dataset([plan])).encode("utf-8"), "dataset"),
        "entries.xlsx": (build_workbook(cycle.round, cycle.unit).content, "entry-workbook"),
        "structure.csv": (to_csv(plan_rows(plan)), "plan-structure"),
        "structure.xlsx": (to_xlsx(plan_rows(plan)), "plan-structure"),
    }
    for filename, (data, expected) in files.items():
        takers = [importer.name for importer in IMPORTERS if importer.sniff(data, filename)]
        assert takers == [expected], filename
        assert import_preview(data, filename, actor=cycle.admin).importer == expected, filename


def test_a_file_no_importer_takes_is_named_unrecognised() -> None:
    preview = import_preview(b"just some words", "notes.txt", actor=None)
    assert preview.importer == ""
    assert [str(problem) for problem in preview.problems] == [
        "notes.txt: This is not a file Shinchoku can import: an entry workbook (xlsx), a plan "
        "structure (CSV or xlsx) or a dataset (JSON) is expected."
    ]
