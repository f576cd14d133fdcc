"""Made-up progress reports in the shape of the seed's extracted text, for the report
import's accuracy bench and tests (bench/report_import_accuracy.py).

``generate_report(seed)`` writes a report of invented measures (topics, names, results —
nothing from a real report) the way the seed's text came out of a PDF: a plan area and
its programmes, summary pages (【主な実施結果】) digesting each measure's latest year, then
the measure table page by page — the heading, the year columns, the programme's name on
its first page, and each measure's name with its 現状 cell beside it, purpose, ● target
cells wrapped narrow, results wrapped wide (full- or half-width digits, 和暦 or 西暦
dates), year labels, 達成状況区分 and rating cells, ○ markers, 事業推進 and a section of
a year now and then — every block of a page in a shuffled order. It returns the text
and what a correct reading holds (``Expected``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from shinchoku import fiscal

TOPICS = (
    "公園",
    "図書館",
    "防災",
    "子育て",
    "高齢者福祉",
    "地域交通",
    "環境学習",
    "商店街",
    "文化財",
    "国際交流",
    "観光",
    "都市農業",
    "下水道",
    "消防団",
    "健康づくり",
    "生涯学習",
    "スポーツ",
    "空き家",
    "景観",
    "ごみ減量",
    "自転車",
    "河川",
    "動物愛護",
    "男女共同参画",
    "多文化共生",
    "消費生活",
    "就労支援",
    "学校施設",
    "緑化",
    "水道",
)
ACTIONS = ("の推進", "の充実", "の計画的な整備", "の機能強化", "の利用促進", "の見直し", "の支援")
THINGS = (
    "協議会",
    "ガイドライン",
    "講座",
    "計画",
    "実態調査",
    "連絡会議",
    "拠点施設",
    "ボランティア",
    "広報誌",
    "モデル事業",
)
DONE = (
    "を開催しました。",
    "を策定しました。",
    "を実施しました。",
    "の検証を行いました。",
    "を関係団体と調整しました。",
)
AIMS = ("を進めます。", "を図ります。", "に取り組みます。")
PROGRAMME_WORDS = ("まちづくり", "くらし", "にぎわい", "安全・安心", "ひとづくり")
_WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class ExpectedMeasure:
    code: str
    title: str
    programme: str
    results: dict[int, str] = field(default_factory=dict)
    ratings: dict[int, str] = field(default_factory=dict)
    highlight: str = ""
    context_change: dict[int, str] = field(default_factory=dict)


@dataclass
class Expected:
    area: str
    programmes: list[str]
    measures: list[ExpectedMeasure]


def generate_report(
    seed: int, *, first: int = 2011, last: int = 2013, printed: int = 2
) -> tuple[str, Expected]:
    """A made-up report whose results cover the first ``printed`` years of the period."""
    rng = random.Random(seed)  # noqa: S311 (made-up content, not a secret)
    years = list(range(first, first + printed))
    topics = rng.sample(TOPICS, k=len(TOPICS))
    area_number = rng.randint(1, 12)
    area = f"{rng.choice(PROGRAMME_WORDS)}と{topics.pop()}の未来"
    programmes: list[str] = []
    measures: list[ExpectedMeasure] = []
    pages: list[list[list[str]]] = []
    summary: list[str] = [f" プラン{_wide(str(area_number))} {area} ", ""]
    for number in range(1, rng.randint(2, 4) + 1):
        programme = f"{topics.pop()}と{rng.choice(PROGRAMME_WORDS)}の推進"
        programmes.append(programme)
        summary += [f"{_wide(str(number))} {programme} ", ""]
    digest_pages: list[list[str]] = []
    for number, programme in enumerate(programmes, 1):
        digest = ["【主な実施結果】 ", ""]
        count = rng.randint(1, 3)
        page_measures: list[tuple[ExpectedMeasure, dict[str, object]]] = []
        for order in range(1, count + 1):
            topic = topics.pop()
            things = rng.sample(THINGS, k=4)
            title = f"{topic}{rng.choice(ACTIONS)}"
            measure = ExpectedMeasure(f"{area_number}-{number}-{order}", title, programme)
            for year in years:
                measure.results[year] = _result(rng, topic, things, year)
                measure.ratings[year] = rng.choice("2333334")
            if rng.random() < 0.3:
                measure.context_change[years[-1]] = (
                    f"・{topic}を取り巻く状況が変わり、{things[3]}の見直しが必要となりました。"
                )
            measure.highlight = _digest(rng, measure.results[years[-1]])
            measures.append(measure)
            digest += [title + " ", *_wrap(rng, measure.highlight, 40, blank_inside=True), ""]
            page_measures.append((measure, {"topic": topic, "things": things}))
        digest_pages.append(digest)
        # One or two measures a table page.
        index = 0
        while index < len(page_measures):
            take = page_measures[index : index + rng.choice((1, 1, 2))]
            pages.append(
                _table_page(
                    rng,
                    take,
                    programme if index == 0 else "",
                    first,
                    last,
                    years,
                    f"プラン{_wide(str(area_number))}",
                )
            )
            index += len(take)
    lines = list(summary)
    for digest in digest_pages:
        lines += digest
    page_number = rng.randint(20, 300)
    for blocks in pages:
        for block in blocks:
            lines += [*block, ""]
        if rng.random() < 0.5:
            lines += [f"-{page_number}-", ""]
        page_number += 1
    return "\n".join(lines) + "\n", Expected(f"プラン{area_number}", programmes, measures)


def _wide(text: str) -> str:
    return text.translate(_WIDE)


def _date(rng: random.Random, year: int) -> str:
    month = rng.choice((4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3))
    calendar_year = year if month >= 4 else year + 1
    if rng.random() < 0.5:
        era, number = fiscal.era_of(calendar_year)
        text = f"{era}{number}年{month}月"
    else:
        text = f"{calendar_year}年{month}月"
    return _wide(text) if rng.random() < 0.5 else text


def _result(rng: random.Random, topic: str, things: list[str], year: int) -> str:
    sentences = []
    for index in range(rng.randint(2, 3)):
        thing = things[(index + year) % 3]
        when = f"{_date(rng, year)}に" if rng.random() < 0.4 else ""
        times = rng.randint(2, 9)
        sentences.append(
            f"・{when}{topic}{thing}を{times}回開催し、{topic}の{things[(index + 1) % 3]}{rng.choice(DONE)}"
        )
    return "\n".join(sentences)


def _digest(rng: random.Random, text: str) -> str:
    sentences = text.split("\n")
    if len(sentences) > 2:
        sentences.pop(rng.randrange(len(sentences)))
    return "\n".join(sentence.replace("開催し、", "開催するとともに、", 1) for sentence in sentences)


def _wrap(rng: random.Random, text: str, width: int, *, blank_inside: bool = False) -> list[str]:
    out: list[str] = []
    for paragraph in text.split("\n"):
        while paragraph:
            out.append(paragraph[:width])
            paragraph = paragraph[width:]
            if paragraph and blank_inside and rng.random() < 0.2:
                out.append("")
    return out


def _table_page(
    rng: random.Random,
    page: list[tuple[ExpectedMeasure, dict[str, object]]],
    programme: str,
    first: int,
    last: int,
    years: list[int],
    area_label: str,
) -> list[list[str]]:
    columns = " ".join(
        f"{y}({fiscal.wareki_label(y).removesuffix('年度')}）年度" for y in range(first, last + 2)
    )
    head = [[" 事業内容・目標"], [columns + "以降"], ["施　策　計　画　名 現　　状"], [area_label]]
    blocks: list[list[str]] = []
    if programme:
        blocks.append([f"アクションプログラム：{programme}"])
    for measure, extra in page:
        topic, things = str(extra["topic"]), list(extra["things"])  # type: ignore[call-overload]
        blocks.append([f"{measure.title} ●{topic}{things[0]}の", "運営"])
        blocks.append(_wrap(rng, f"{topic}{things[1]}を活用し、{topic}の{things[2]}{rng.choice(AIMS)}", 19))
        for year in range(first, last + 1):
            if rng.random() < 0.7:
                blocks.append(
                    _wrap(
                        rng,
                        f"●{topic}{things[(year - first) % 3]}の{rng.choice(('充実', '検証', '推進'))}",
                        8,
                    )
                )
        blocks.append(["事業推進"])
        blocks.append(["○"])
        for year in years:
            text = measure.results[year]
            text = _wide(text) if rng.random() < 0.3 else text
            blocks.append(_wrap(rng, text, 45))
            if year in measure.context_change:
                blocks[-1] += ["", "【環境等の変化・課題等】", *_wrap(rng, measure.context_change[year], 45)]
            blocks.append([f"{year}年度", "実施結果"])
            blocks.append(["達成状況区分"])
            blocks.append([measure.ratings[year]])
    rng.shuffle(blocks)
    # The 現状 cell keeps to its name's line; a section of a year follows its result.
    return head + blocks
