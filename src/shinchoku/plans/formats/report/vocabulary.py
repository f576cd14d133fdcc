"""The words a progress report prints, which the recogniser reads as anchors.

Everything the recogniser recognises starts from these words, never from the sentences or
names of one report: the headings of the measure table (施策計画名, 現状, 事業内容・目標,
実施結果, 達成状況区分), the bracketed headings of the sections of a year (【環境等の変化・課題等】
…) and the names of the levels (プラン, アクションプログラム). A city whose report prints other
words for the same things is read by adding its words here. Words are compared after
``shinchoku.text.normalize`` with every blank removed, so that 施　策　計　画　名 reads as
施策計画名 and ：as :.
"""

from __future__ import annotations

import re

#: A plan area's printed name: プラン９ 市民自治と区役所機能の拡充.
AREA_WORDS = ("プラン",)
#: The level under a plan area: アクションプログラム：協働のまちづくりの推進.
PROGRAMME_WORDS = ("アクションプログラム",)
#: The rated level, the table's first column heading (施策計画名).
MEASURE_WORDS = ("施策計画",)
#: The heading of the targets' columns.
TARGETS_HEADING = "事業内容・目標"
#: The heading of the baseline column.
BASELINE_HEADING = "現状"
#: A year's result: 2011年度 実施結果.
RESULT_WORDS = ("実施結果", "実績")
#: The rating's label.
RATING_WORDS = ("達成状況区分", "達成度")
#: The summary pages' heading, above each programme's digests of the latest year.
HIGHLIGHTS = "【主な実施結果】"
#: The sections of a year, each a bracketed heading with its text under it.
CONTEXT_CHANGE = "【環境等の変化・課題等】"
RESPONSE = "【新たな課題等への対応】"
#: The heading of a year's result in a report that prints one above the text.
RESULT_HEADINGS = ("【実施結果】",)
#: A target cell that says the work goes on (the onwards column).
ONGOING = ("事業推進",)
#: The labels of a target revised during the plan, printed in its cell: the text as
#: planned, the revised text and the reason, each under its label.
TARGET_PLANNED = ("計画時",)
TARGET_REVISED = ("変更後",)
TARGET_REASON = ("変更の理由",)
#: Symbols printed in a column of their own beside a measure.
MARKERS = ("○", "◎", "★", "☆")
#: What starts a target or baseline item, and what starts a sentence of a result.
ITEM_BULLETS = "●■◆"
TEXT_BULLETS = "・"
#: Numbered sub-items inside an item (①…⑳), kept on lines of their own.
SUB_ITEMS = "".join(chr(code) for code in range(0x2460, 0x2474))

#: Rating scales known by the words of their label, for a report that prints the codes
#: only: each level's code, label and whether it is on the scale's bad side; the first
#: level is the best. These are the five levels of the 達成状況区分 as the reports that use
#: the word print them (docs/report-import.md).
KNOWN_SCALES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "達成状況区分": (
        ("1", "目標を大きく上回って達成", False),
        ("2", "目標を上回って達成", False),
        ("3", "目標をほぼ達成", False),
        ("4", "目標を下回った", True),
        ("5", "目標を大きく下回った", True),
    ),
}
KNOWN_SCALES["達成度"] = KNOWN_SCALES["達成状況区分"]

#: The codes a rating cell may hold when the report does not print its scale.
RATING_CODE = re.compile(r"^(?:[1-9]|[SABCDEI]|IV|V|II|III|[A-H])$")

_BLANKS = re.compile(r"\s+")


def compact(text: str) -> str:
    """``text`` with every blank removed: what anchors are compared with."""
    return _BLANKS.sub("", text)


def starts_with_any(text: str, words: tuple[str, ...]) -> str:
    """The first of ``words`` that ``text`` starts with, or ""."""
    return next((word for word in words if text.startswith(word)), "")
