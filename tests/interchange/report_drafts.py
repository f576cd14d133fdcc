"""Report drafts made by hand for the tests, from made-up content: a plan みらい創造プラン of
three fiscal years (2016–2018, with an onwards column), one plan area, programmes of
measures, each measure on a page of its own in the source with its 現状, a target per year
and results for 2016 and 2017, each rated.

Every item has a decision at full confidence, its evidence the line it was "read" from;
four are flagged (``FLAGGED``): the year of the first measure's second result (proposed
2018, 2017 the alternative), the measure of the second measure's first target, the first
measure's 現状 (or 2016's target) and the rating of the third measure's first result."""

from __future__ import annotations

import hashlib
from typing import Any

from shinchoku.fiscal import wareki_label, western_label
from shinchoku.plans.formats.report.draft import Decision, Draft, Evidence
from shinchoku.plans.formats.report.source import Source, SourceLine

PLAN = "mirai-2016"
YEARS = (2016, 2017, 2018)
SCALE = [
    ("1", "目標を上回って達成", False),
    ("2", "目標どおり達成", False),
    ("3", "目標を下回った", True),
    ("4", "未着手", True),
]
PROGRAMMES = ("地域で支え合うしくみづくり", "誰もが参加できる学びの場")
TOPICS = (
    "見守り活動",
    "子育て相談",
    "防災訓練",
    "公民館講座",
    "図書館サービス",
    "交流イベント",
    "健康づくり",
)


def measure_code(index: int, per_programme: int) -> str:
    return f"1-{index // per_programme + 1}-{index % per_programme + 1}"


def _rating(code: str) -> dict[str, Any]:
    label = next(label for level, label, _adverse in SCALE if level == code)
    return {
        "dimension": "achievement",
        "dimension_name": "達成度",
        "scale": "mirai-achievement",
        "code": code,
        "label": label,
        "reason": "",
    }


def make_draft(
    measures: int = 3, *, per_programme: int | None = None, name: str = "mirai-report.txt"
) -> Draft:
    """A draft of ``measures`` measures (split over the two programmes)."""
    per_programme = per_programme or max(1, -(-measures // len(PROGRAMMES)))
    lines: list[SourceLine] = []
    page = 0

    def line(text: str) -> int:
        lines.append(SourceLine(len(lines) + 1, text, page))
        return len(lines)

    decisions: list[Decision] = []

    def decide(
        pointer: str,
        kind: str,
        at: int,
        confidence: float = 1.0,
        reason: str = "",
        alternatives: tuple[Any, ...] = (),
    ) -> None:
        decisions.append(
            Decision(
                pointer=pointer,
                kind=kind,
                confidence=confidence,
                reason=reason or f"read at the heading on line {at}",
                evidence=(Evidence(at, lines[at - 1].page, None, lines[at - 1].text),),
                alternatives=alternatives,
            )
        )

    nodes: list[dict[str, Any]] = []
    targets: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []

    def node(code: str, parent: str | None, level: str, position: int, title: str, **more: Any) -> int:
        nodes.append(
            {
                "id": f"{PLAN}:{code}",
                "plan": PLAN,
                "parent_id": f"{PLAN}:{parent}" if parent else None,
                "level": level,
                "level_key": level,
                "code": code,
                "label": "プラン1" if level == "plan" else "",
                "position": position,
                "title": title,
                "summary": more.get("summary", ""),
                "baseline": more.get("baseline", ""),
                "markers": [],
                "units": [],
                "note": "",
                "sections": {},
            }
        )
        return len(nodes) - 1

    page = 1
    area = node("1", None, "plan", 0, "くらしの安心をつくる")
    decide(f"/nodes/{area}", "plan_area", line("プラン1 くらしの安心をつくる"))
    for number, title in enumerate(PROGRAMMES, 1):
        index = node(f"1-{number}", "1", "programme", number - 1, title)
        decide(f"/nodes/{index}", "programme", line(f"アクションプログラム：{title}"))
    for index in range(measures):
        page += 1
        code = measure_code(index, per_programme)
        topic = TOPICS[index % len(TOPICS)]
        title = f"{topic}の充実（{index + 1}）"
        at_title = line(f"施策計画名 {code} {title}")
        line("現状")
        baseline = f"●{topic}を月1回実施"
        at_baseline = line(baseline)
        at = node(
            code,
            code.rsplit("-", 1)[0],
            "measure",
            int(code.rsplit("-", 1)[1]) - 1,
            title,
            summary=f"{topic}を広げ、参加する人を増やします。",
            baseline=baseline,
        )
        decide(f"/nodes/{at}", "measure", at_title)
        if index == 0:
            decide(
                f"/nodes/{at}/baseline",
                "baseline",
                at_baseline,
                0.7,
                "the cell stands in the 2016 column but reads like the current state",
                (2016,),
            )
        else:
            decide(f"/nodes/{at}/baseline", "baseline", at_baseline)
        line("事業内容・目標")
        for position, year in enumerate(YEARS):
            text = f"●{topic}を年{(position + 2) * 6}回実施"
            at_target = line(text)
            targets.append(
                {
                    "node_id": f"{PLAN}:{code}",
                    "row": 1,
                    "position": position,
                    "fiscal_year": year,
                    "start_year": year,
                    "end_year": year,
                    "open_end": False,
                    "period_label": western_label(year),
                    "text": text,
                    "revised_text": "",
                    "revision_reason": "",
                    "note": "",
                }
            )
            pointer = f"/targets/{len(targets) - 1}"
            decide(pointer, "target", at_target)
            if index == 1 and position == 0:
                decide(
                    f"{pointer}/node_id",
                    "target_measure",
                    at_target,
                    0.6,
                    "the cell is above the measure's heading",
                    (f"{PLAN}:{measure_code(0, per_programme)}",),
                )
        line("実施結果")
        for position, year in enumerate(YEARS[:2]):
            text = f"・{topic}を{western_label(year)}に{12 + index + position}回実施しました。"
            at_result = line(text)
            code_rated = "2" if (index + position) % 3 else "1"
            at_rating = line(f"達成状況区分 {code_rated}")
            proposed = 2018 if index == 0 and position == 1 else year
            results.append(
                {
                    "node_id": f"{PLAN}:{code}",
                    "fiscal_year": proposed,
                    "fiscal_year_label": western_label(proposed),
                    "wareki": wareki_label(proposed),
                    "text": text,
                    "rating": _rating(code_rated),
                    "ratings": [_rating(code_rated)],
                    "context_change": "・参加者の高齢化が進んでいます。" if position else "",
                    "response": "・若い世代への呼びかけを強めます。" if position else "",
                    "highlight": text if position else "",
                    "note": "",
                    "sections": {},
                }
            )
            pointer = f"/results/{len(results) - 1}"
            decide(pointer, "result_text", at_result)
            if proposed != year:
                decide(
                    f"{pointer}/fiscal_year",
                    "result_year",
                    at_result,
                    0.55,
                    "no year stands beside the result; the latest column was taken",
                    (year,),
                )
            else:
                decide(f"{pointer}/fiscal_year", "result_year", at_result)
            if index == 2 and position == 0:
                decide(
                    f"{pointer}/ratings/0/code",
                    "rating",
                    at_rating,
                    0.7,
                    "two rating codes stand on the line",
                    ("1",),
                )
            else:
                decide(f"{pointer}/ratings/0/code", "rating", at_rating)
    dataset = {
        "schema_version": "1.0",
        "plans": [
            {
                "code": PLAN,
                "title": "みらい創造プラン 第1期実行計画",
                "period_label": "第1期実行計画",
                "first_year": YEARS[0],
                "last_year": YEARS[-1],
                "onwards": True,
                "description": "",
                "note": "",
                "amount_unit": "yen",
                "levels": [
                    {
                        "key": "plan",
                        "kind": "plan",
                        "name": "プラン",
                        "name_en": "",
                        "depth": 0,
                        "rated": False,
                    },
                    {
                        "key": "programme",
                        "kind": "programme",
                        "name": "アクションプログラム",
                        "name_en": "",
                        "depth": 1,
                        "rated": False,
                    },
                    {
                        "key": "measure",
                        "kind": "measure",
                        "name": "施策計画",
                        "name_en": "",
                        "depth": 2,
                        "rated": True,
                    },
                ],
                "dimensions": [
                    {
                        "key": "achievement",
                        "name": "達成度",
                        "name_en": "",
                        "level": "measure",
                        "scale": "mirai-achievement",
                        "primary": True,
                    }
                ],
                "markers": [],
                "sections": [],
                "staff_rates": [],
            }
        ],
        "scales": [
            {
                "code": "mirai-achievement",
                "name": "達成度",
                "name_en": "",
                "good_end": "first",
                "description": "",
                "levels": [
                    {
                        "code": code,
                        "label": label,
                        "label_en": "",
                        "position": position,
                        "adverse": adverse,
                        "row_label": "",
                        "column_label": "",
                    }
                    for position, (code, label, adverse) in enumerate(SCALE)
                ],
            }
        ],
        "units": [],
        "nodes": nodes,
        "targets": targets,
        "results": results,
        "indicators": [],
    }
    text = "\f".join(
        "\n".join(item.text for item in lines if item.page == number) for number in range(1, page + 1)
    )
    source = Source(
        name=name,
        kind="text",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        pages=page,
        lines=tuple(lines),
    )
    return Draft(source=source, dataset=dataset, decisions=tuple(decisions))


def flagged_index(draft: Draft, kind: str) -> int:
    """The index of the draft's first flagged decision of ``kind``."""
    return next(
        index for index, decision in enumerate(draft.decisions) if decision.flagged and decision.kind == kind
    )
