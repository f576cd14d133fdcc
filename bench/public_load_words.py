"""The search terms of ``bench/public_load.py``: at least 1,000 distinct words, in the
classes a citizen's searches fall into, found from the texts of the benchmark plan.

A word is *present* when it is a substring of one of the plan's published texts
(titles, codes, summaries, targets, results) and *absent* otherwise; the texts given
must be every distinct text the plan holds, so that an absent word is really absent.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

# Characters that make no word on their own.
PUNCTUATION = set("・●。、「」（）()-")
# Kanji and kana for words the plan does not hold (those it does hold are left out).
ABSENT_CHARACTERS = (
    "森林鉄道港湾橋梁河川堤防農業漁業観光文化芸術図書館博物館病院診療介護保育教育学校"
    "消防救急防災避難道路交通駐車公園緑地水道下水住宅空家税金選挙議会条例規則統計"
    "雪氷桜梅松竹鶴亀龍虎熊鹿猫犬鳥魚貝星月日火水木金土山海空風雨雷霧霜"
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよ"
)
LATIN_ABSENT = ["zebra", "quartz", "xylophone", "Kyoto", "NPO", "ICT", "SDGs", "DX", "Wi-Fi", "qz"]


def substrings(text: str, length: int) -> set[str]:
    return {
        text[start : start + length]
        for start in range(len(text) - length + 1)
        if not PUNCTUATION.intersection(text[start : start + length])
    }


def present_in(texts: Iterable[str], lengths: range) -> set[str]:
    return {word for text in texts for length in lengths for word in substrings(text, length)}


@dataclass(frozen=True)
class Words:
    """Each class of search terms, sorted; ``mixed`` is every one of them."""

    common: list[str]  # in every measure's own text
    results_only: list[str]  # only in the yearly results
    area_titles_only: list[str]  # only in the plan areas' titles
    absent: list[str]  # nowhere
    codes: list[str]  # a node's code each: found once
    one_character: list[str]
    two_characters: list[str]
    mixed: list[str]


def words(
    *,
    area_titles: list[str],
    other_node_texts: list[str],
    measure_summary: str,
    target_texts: list[str],
    result_texts: list[str],
    codes: list[str],
    seed: int = 1,
) -> Words:
    """The classes of words from the plan's texts: ``area_titles`` the titles of its plan
    areas, ``other_node_texts`` every other text of its nodes (codes, titles,
    summaries), ``measure_summary`` the text every measure holds, ``codes`` some nodes'
    codes. Absent words are added until there are 1,200 words in all."""
    rng = random.Random(seed)  # noqa: S311  (a reproducible draw)
    every_text = [*area_titles, *other_node_texts, *target_texts, *result_texts]
    present = present_in(every_text, range(1, 5))
    elsewhere_than_results = present_in([*area_titles, *other_node_texts, *target_texts], range(1, 5))
    elsewhere_than_areas = present_in([*other_node_texts, *target_texts, *result_texts], range(1, 5))
    common = present_in([measure_summary], range(2, 5))
    results_only = present_in(result_texts, range(2, 5)) - elsewhere_than_results
    area_titles_only = present_in(area_titles, range(2, 5)) - elsewhere_than_areas
    one_character = {word for word in present if len(word) == 1}
    two_characters = {word for word in present if len(word) == 2}
    absent: set[str] = {word for word in LATIN_ABSENT if word.lower() not in {w.lower() for w in present}}
    characters = [c for c in ABSENT_CHARACTERS if c not in present]
    some_codes = set(rng.sample(sorted(codes), min(300, len(codes))))
    while len(present | some_codes | absent) < 1200:
        absent.add("".join(rng.choice(characters) for _ in range(rng.randint(1, 4))))
    mixed = sorted(present | some_codes | absent)
    return Words(
        common=sorted(common),
        results_only=sorted(results_only),
        area_titles_only=sorted(area_titles_only),
        absent=sorted(absent),
        codes=sorted(some_codes),
        one_character=sorted(one_character),
        two_characters=sorted(two_characters),
        mixed=mixed,
    )
