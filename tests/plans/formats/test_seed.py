"""The demonstration dataset: the seed report, transcribed by hand, loads whole."""

import json
import re
import unicodedata
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command

from shinchoku.plans.formats.dataset.export import dumps, export_dataset
from shinchoku.plans.models import Node
from shinchoku.progress.models import Result

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).parents[3]
SEED = ROOT / "data" / "seeds" / "kawasaki-plan9.source.txt"  # the text the transcription was made from
SCHEMA = json.loads((ROOT / "src/shinchoku/plans/formats/dataset/dataset-1.schema.json").read_text())

# Each measure, its two results' opening words, in the seed's order.
EXPECTED = {
    "協働型事業の推進": {
        2011: "・協働型事業に係る庁内調査を平成23年4月に実施",
        2012: "・協働型事業に係る庁内調査を年度初めに実施",
    },
    "市民活動の支援": {
        2011: "・「市民活動の人材育成と情報の共有化に向けて」",
        2012: "・公益財団法人かわさき市民活動センターによる",
    },
    "地域コミュニティ施策の推進": {
        2011: "・地域コミュニティの活性化につなげるため",
        2012: "・モデル事業を1件選定し",
    },
    "区役所機能の強化": {
        2011: "・「区総合行政推進会議」を2回開催し",
        2012: "・区総合行政推進会議を3月に開催し",
    },
    "区民会議の運営(各区)": {
        2011: "・各区において、全体会議、専門部会の開催",
        2012: "・各区において、第4期区民会議を立ち上げ",
    },
    "区における地域の課題解決に向けた取組の推進": {
        2011: "・各区において、区民の参加と協働を重視しながら",
        2012: "・各区において、区民の参加と協働により、地域の課題解決や魅力づくり",
    },
    "区役所・支所・出張所等の窓口サービス機能の再編": {
        2011: "・平成24年1月に市内4か所の出張所にある",
        2012: "・行政サービスコーナーについては、コンビニエンスストア",
    },
    "区役所等庁舎の計画的・効率的な整備": {
        2011: "・宮前区役所の耐震対策補強工事を完了",
        2012: "・川崎区役所道路公園センターの再整備を完了",
    },
}


@pytest.fixture
def demo() -> None:
    call_command("loaddemo")


def test_the_seed_loads_one_plan_three_programmes_eight_measures(demo: None) -> None:
    area = Node.objects.get(level__key="plan")
    assert (area.label, area.title) == ("プラン9", "市民自治と区役所機能の拡充")  # NFKC: ９ → 9
    programmes = list(Node.objects.filter(level__key="programme").order_by("position"))
    assert [p.title for p in programmes] == [
        "協働のまちづくりの推進",
        "地域コミュニティ施策の推進",
        "区役所機能の強化",
    ]
    assert all(p.parent_id == area.pk for p in programmes)
    measures = Node.objects.filter(level__key="measure")
    assert sorted(m.title for m in measures) == sorted(EXPECTED)
    assert Result.objects.count() == 16


def test_each_result_has_its_year_and_rating(demo: None) -> None:
    results = Result.objects.select_related("node").prefetch_related("ratings__level", "ratings__dimension")
    seen = set()
    for result in results:
        opening = EXPECTED[result.node.title][result.fiscal_year]
        assert result.text.startswith(opening), (result.node.title, result.fiscal_year, result.text[:40])
        (rating,) = result.ratings.all()
        assert (rating.dimension.name, rating.level.code, rating.level.label) == (
            "達成状況区分",
            "3",
            "目標をほぼ達成",
        )
        seen.add((result.node.title, result.fiscal_year))
    assert len(seen) == 16


def test_highlights_context_changes_and_responses_sit_where_the_seed_puts_them(demo: None) -> None:
    highlighted = Result.objects.exclude(highlight="")
    assert {r.fiscal_year for r in highlighted} == {2012} and highlighted.count() == 8
    senior = Result.objects.get(node__title="区における地域の課題解決に向けた取組の推進", fiscal_year=2012)
    assert "シニアパワー事業(川崎区)" in senior.context_change
    assert "2013年度以降" in senior.response
    quake = Result.objects.get(node__title="区役所等庁舎の計画的・効率的な整備", fiscal_year=2011)
    assert "東日本大震災" in quake.context_change and quake.response == ""


def test_every_measure_has_targets_for_the_onwards_column_or_a_span(demo: None) -> None:
    for measure in Node.objects.filter(level__key="measure").prefetch_related("targets"):
        targets = list(measure.targets.all())
        assert targets, measure.title
        assert any(t.open_end for t in targets), measure.title
    assert (
        Node.objects.get(title="区役所・支所・出張所等の窓口サービス機能の再編")
        .targets.values("row")
        .distinct()
        .count()
        > 1
    )


def test_loading_the_demo_twice_leaves_the_same_state(demo: None) -> None:
    before = dumps(export_dataset())
    call_command("loaddemo")
    assert dumps(export_dataset()) == before


def test_the_export_follows_the_schema_and_carries_all_of_the_seed(demo: None) -> None:
    data = export_dataset()
    jsonschema.validate(data, SCHEMA)
    # The seed gives no costs, sections of its own, hourly staff costs or reasons: the
    # export has their keys, empty (its sections are the builtin ones: summary, baseline …).
    assert data["costs"] == []
    assert [(plan["amount_unit"], plan["sections"], plan["staff_rates"]) for plan in data["plans"]] == [
        ("yen", [], [])
    ]
    assert all(node["sections"] == {} for node in data["nodes"])
    assert all(result["sections"] == {} for result in data["results"])
    assert {rating["reason"] for result in data["results"] for rating in result["ratings"]} == {""}
    assert {
        (level["row_label"], level["column_label"]) for scale in data["scales"] for level in scale["levels"]
    } == {("", "")}
    corpus = squash(
        " ".join(
            str(value)
            for table in ("nodes", "targets", "results")
            for row in data[table]
            for key, value in row.items()
            if isinstance(value, str) and key != "note"
        )
        + " ".join(p["title"] for p in data["plans"])
    )
    missing = [fragment for fragment in seed_fragments() if squash(fragment) not in corpus]
    assert missing == []


# Printed headings and labels of the seed: layout, not content.
LABELS = re.compile(
    r"^(【主な実施結果】|アクションプログラム.*|事業内容・目標|20\d\d\(平成\d\d\)年度.*|施策計画名|現状|施策計画|"
    r"20\d\d年度|実施結果|達成状況区分|[0-9]|○|-157-|プラン9|事業推進|【環境等の変化・課題等】|【新たな課題等への対応】)$"
)


def seed_fragments() -> list[str]:
    fragments = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        # White space and a new ● separate cells that the extraction glued into one line.
        for fragment in re.split(r"\s+|(?=●)", unicodedata.normalize("NFKC", line)):
            compact = squash(fragment)
            if len(compact) >= 2 and not LABELS.match(compact):
                fragments.append(compact)
    return fragments


def squash(text: str) -> str:
    """NFKC, without white space and with one kind of middle dot: how the seed and the data compare."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("･", "・")
