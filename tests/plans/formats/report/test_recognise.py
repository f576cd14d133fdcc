"""The seed report read into a draft: every measure, rating and result text in its right
year, as the hand-made reading has them; a dataset that imports cleanly; every decision
not read from an anchor flagged."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from shinchoku.devtools.report_accuracy import FIELDS, compare, dataset_facts, expected_facts, unflagged_wrong
from shinchoku.devtools.report_text import generate_report
from shinchoku.interchange.importing import import_preview
from shinchoku.plans.formats.dataset.export import export_dataset
from shinchoku.plans.formats.report.draft import Draft, resolve
from shinchoku.plans.formats.report.reading import read_source
from shinchoku.plans.formats.report.recognise import recognise
from shinchoku.plans.formats.report.source import ReportRefused, read_text

from .seed import PLAN, SEED_TEXT


@pytest.fixture(scope="module")
def draft() -> Draft:
    return recognise(read_text(SEED_TEXT.read_bytes(), SEED_TEXT.name), plan_code=PLAN)


@pytest.mark.django_db
def test_every_measure_rating_and_result_of_the_seed_is_in_its_right_year(draft: Draft) -> None:
    call_command("loaddemo")
    expected = dataset_facts(export_dataset())
    scores = compare(dataset_facts(draft.dataset), expected)
    for name in (
        "measures found",
        "measure code",
        "programme assignment",
        "summary",
        "result text per year",
        "rating",
        "context change",
        "response",
        "highlight",
    ):
        assert (scores[name].right, scores[name].found) == (scores[name].expected,) * 2, name
    # What is wrong (the targets' years, the 現状 cells) is each flagged for review.
    assert scores["target years"].right < scores["target years"].expected
    assert unflagged_wrong(draft, expected) == dict.fromkeys(FIELDS, 0)


@pytest.mark.django_db
def test_the_seeds_draft_imports_cleanly(draft: Draft) -> None:
    data = json.dumps(draft.dataset, ensure_ascii=False).encode()
    preview = import_preview(data, "draft.json", actor=None)
    assert preview.importer == "dataset"
    assert preview.all_problems == []


@pytest.mark.one_database
def test_every_item_has_a_decision_and_every_guess_is_flagged(draft: Draft) -> None:
    dataset = draft.dataset
    pointers = {d.pointer for d in draft.decisions}
    for index in range(len(dataset["nodes"])):
        assert f"/nodes/{index}" in pointers
    for index in range(len(dataset["results"])):
        assert {f"/results/{index}/text", f"/results/{index}/fiscal_year"} <= pointers
    for index in range(len(dataset["targets"])):
        assert {f"/targets/{index}", f"/targets/{index}/start_year"} <= pointers
    for decision in draft.decisions:
        resolve(dataset, decision.pointer)  # every pointer names a place in the dataset
        assert decision.evidence
        if decision.kind in ("result_year", "rating", "target_years", "baseline", "context_change"):
            assert decision.flagged, decision  # decided from content or position, never from an anchor


@pytest.mark.one_database
def test_a_result_dated_in_january_belongs_to_the_year_before(draft: Draft) -> None:
    (result,) = [r for r in draft.dataset["results"] if r["text"].startswith("・平成24年1月に")]
    assert result["fiscal_year"] == 2011
    pointer = f"/results/{draft.dataset['results'].index(result)}/fiscal_year"
    (decision,) = [d for d in draft.decisions if d.pointer == pointer]
    assert "平成24年1月" in decision.reason and decision.alternatives == (2012,)


@pytest.mark.one_database
def test_the_draft_reads_back_from_its_json(draft: Draft) -> None:
    again = Draft.from_json(json.loads(json.dumps(draft.to_json(), ensure_ascii=False)))
    assert again == draft


@pytest.mark.one_database
@pytest.mark.parametrize("seed", range(1, 21))
def test_made_up_reports_in_the_seeds_shape_are_read(seed: int) -> None:
    text, truth = generate_report(seed)
    draft = recognise(read_text(text.encode(), "made-up.txt"))
    scores = compare(dataset_facts(draft.dataset), expected_facts(truth))
    # Ratings that differ on one scrambled page cannot be told apart: each is flagged.
    silent = unflagged_wrong(draft, expected_facts(truth), ["rating", "result text per year", "highlight"])
    assert silent == {"rating": 0, "result text per year": 0, "highlight": 0}
    for name in (
        "measures found",
        "programme assignment",
        "result text per year",
        "context change",
        "highlight",
    ):
        assert scores[name].right == scores[name].expected == scores[name].found, name
    wrong = scores["rating"].found - scores["rating"].right
    assert wrong <= sum(1 for d in draft.decisions if d.kind == "rating" and d.confidence < 0.5)


@pytest.mark.one_database
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\n \n", "the file is empty"),
        (b"\x00\x01\x02binary\x00", "not text"),
        (b"\xff\xfe\xfa\xfb\x81", "neither a PDF nor text"),
        ("こんにちは。今日の予定です。\n・買い物をしました。".encode(), "does not read as a progress report"),
        ("事業内容・目標\n2011年度 2012年度\n・何かをしました。".encode(), "no year's results"),
    ],
)
def test_what_is_not_a_report_is_refused_with_what_where_and_why(data: bytes, message: str) -> None:
    with pytest.raises(ReportRefused) as refused:
        recognise(read_source(data, "upload.txt"))
    assert refused.value.message.startswith("upload.txt: ")
    assert message in refused.value.message
