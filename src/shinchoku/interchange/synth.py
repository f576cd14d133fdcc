"""Synthetic plans for scale tests and the report benchmark (``shinchoku synth``).

``plan_synthesize`` writes one plan shaped like the demonstration data (プラン /
アクションプログラム / 施策計画, the Kawasaki 1–5 achievement scale, the ○ and 重点
markers, bureaus with their sections in three roles) with any number of measures
and fiscal years. Its Japanese text is not copied: the texts of the demonstration
data (data/seeds/kawasaki-plan9.yaml, read at run time) are cut into clauses at
、 and 。 and the clauses are recombined into new sentences; noun phrases
(●-items, titles) are cut at their last の into an object and an action and
recombined the same way. Dates in a clause (平成24年1月, 2013年度以降) are kept
relative to the fiscal year of the text they came from and rewritten for the year
they are used in, so a result still dates itself correctly.

Every text cell carries a serial number (第12号 …) or a unique title, so a test can
find each cell in a rendered report. Texts are normalised like imported ones.

The output depends only on the arguments and on the seed file: the same call
gives the same rows, and so the same export, on any database. Everything is
generated before it is written (nothing random depends on ids), 500 measures at a
time, in one transaction. Nodes, results and indicators go in with ``bulk_create``,
which returns their ids (PostgreSQL, SQLite ≥ 3.35); ``Node.path`` is then set to
the parent's path + id. The rows that nobody refers to (targets, ratings, unit
roles, markers) go in with one ``executemany`` each, without model instances,
which is most of the speed. Every row is valid by construction; the tests run
``full_clean`` on a sample.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import connection, models, transaction

from shinchoku import fiscal
from shinchoku.plans.models import Dimension, Level, Marker, Node, NodeUnit, OrgUnit, Plan, Scale, ScaleLevel
from shinchoku.progress.models import Indicator, IndicatorValue, Rating, Result, Target
from shinchoku.settings import BASE_DIR
from shinchoku.text import normalize

SOURCE = BASE_DIR / "data" / "seeds" / "kawasaki-plan9.yaml"
FIRST_YEAR = 2011
MAX_YEARS = 30
SCALE_CODE = "kawasaki-achievement"
SCALE_FALLBACK_CODE = "kawasaki-achievement-synth"
MEASURES_PER_FLUSH = 500
BATCH_SIZE = 1000
INSERT_CHUNK = 5000

# Share of each rating level (the codes of the seed's scale, best first): mostly 3, as in real reports.
RATING_WEIGHTS = (4, 14, 62, 14, 6)
LONG_CELL_SHARE = 1 / 50
# Number of ・ bullets in an ordinary result cell, 1 to 8.
BULLET_WEIGHTS = (15, 22, 20, 15, 10, 8, 6, 4)
LONG_CELL_BULLETS = (40, 60)

# Organisation units: (code, name, kind, [(section code, section name)]). Codes are prefixed
# with "synth-" so that synthetic plans never take over the units of real data.
UNITS: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "somu-kikaku",
        "総務企画局",
        OrgUnit.Kind.BUREAU,
        (
            ("kikaku-chosei", "企画調整課"),
            ("gyokaku", "行政改革マネジメント推進室"),
            ("chosha-kanri", "庁舎管理課"),
            ("joho-kanri", "情報管理課"),
        ),
    ),
    (
        "shimin-bunka",
        "市民文化局",
        OrgUnit.Kind.BUREAU,
        (
            ("kyodo-suishin", "協働推進課"),
            ("kusei-suishin", "区政推進課"),
            ("shimin-katsudo", "市民活動推進課"),
            ("chiiki-anzen", "地域安全推進課"),
            ("bunka-shinko", "市民文化振興室"),
        ),
    ),
    (
        "kenko-fukushi",
        "健康福祉局",
        OrgUnit.Kind.BUREAU,
        (
            ("chiiki-fukushi", "地域福祉課"),
            ("koreisha", "高齢者事業推進課"),
            ("shogai-fukushi", "障害福祉課"),
        ),
    ),
    (
        "kodomo-mirai",
        "こども未来局",
        OrgUnit.Kind.BUREAU,
        (("seishonen", "青少年支援室"), ("hoiku", "保育課")),
    ),
    (
        "keizai-rodo",
        "経済労働局",
        OrgUnit.Kind.BUREAU,
        (("sangyo-shinko", "産業振興課"), ("kanko", "観光プロモーション推進課")),
    ),
    (
        "kankyo",
        "環境局",
        OrgUnit.Kind.BUREAU,
        (("kankyo-chosei", "環境調整課"), ("genryo", "減量推進課")),
    ),
    (
        "machizukuri",
        "まちづくり局",
        OrgUnit.Kind.BUREAU,
        (("toshi-keikaku", "都市計画課"), ("jutaku", "住宅整備推進課")),
    ),
    (
        "kensetsu-ryokusei",
        "建設緑政局",
        OrgUnit.Kind.BUREAU,
        (("doro-shisetsu", "道路施設課"), ("ryokusei", "緑政課"), ("koen-kanri", "公園管理課")),
    ),
    (
        "kyoiku",
        "教育委員会事務局",
        OrgUnit.Kind.BUREAU,
        (("shogai-gakushu", "生涯学習推進課"), ("kyoiku-kaikaku", "教育改革推進担当")),
    ),
    (
        "kakuku",
        "各区役所",
        OrgUnit.Kind.WARD,
        (("chiiki-shinko", "地域振興課"), ("kikaku", "企画課")),
    ),
)

# Short connecting phrases of my own; the sentences around them come from the seed.
SERIAL_RESULT = ("第{n}号事業について", "第{n}号の取組として", "整理番号第{n}号に関し")
SERIAL_CONTEXT = ("第{n}号事業では", "第{n}号の取組において")
SERIAL_RESPONSE = ("第{n}号事業については", "第{n}号の取組について")
ADVERSE_TAILS = (
    "{np}に遅れが生じました",
    "{np}の調整に時間を要しました",
    "{np}について関係者との合意に至りませんでした",
    "{np}の実施が翌年度にずれ込みました",
    "当初の見込みを下回る実績となりました",
)
RESPONSE_TAILS = (
    "{np}を引き続き進めていきます",
    "{next}年度以降、{np}に取り組んでいきます",
    "関係局区と連携し、{np}を図っていきます",
)
SUMMARY_VERBS = ("を進めます", "を図ります", "に取り組みます")
ONWARDS_TEXT = "事業推進"
# Indicators: (name suffix, unit, direction, kind).
METRICS = (
    ("実施件数", "件", Indicator.Direction.HIGHER, Indicator.Kind.ACTIVITY),
    ("参加者数", "人", Indicator.Direction.HIGHER, Indicator.Kind.OUTCOME),
    ("開催回数", "回", Indicator.Direction.HIGHER, Indicator.Kind.ACTIVITY),
    ("満足度", "%", Indicator.Direction.HIGHER, Indicator.Kind.OUTCOME),
    ("処理日数", "日", Indicator.Direction.LOWER, Indicator.Kind.OUTCOME),
    ("窓口待ち時間", "分", Indicator.Direction.LOWER, Indicator.Kind.OUTCOME),
)
# Actual / target by rating code: the indicators agree with the ratings.
ACHIEVED = {0: (1.15, 1.35), 1: (1.03, 1.15), 2: (0.97, 1.03), 3: (0.85, 0.97), 4: (0.55, 0.85)}


class SynthError(ValueError):
    """Arguments that cannot make a plan; nothing was written."""


# ---------------------------------------------------------------- vocabulary

_BULLET = re.compile(r"^[・●○◎■□\u2460-\u2473\s]+")
_DATE = re.compile(r"(平成|令和)(元|\d+)年(\d+)月")
_FY_WAREKI = re.compile(r"(平成|令和)(元|\d+)年度")
_FY_WESTERN = re.compile(r"(\d{4})年度")
_TOKEN = re.compile(r"\x00([DJW])(-?\d+),(\d+)\x01")
_CONNECTOR = re.compile(r"^(?:また|さらに|なお|加えて|すでに)、")
_COMMA = re.compile(r"、(?!\d+月)")  # 8月、11月、2月に開催し stays one clause
_MODIFIER = re.compile(
    r"^(.*(?:に基づく|に向けた|による|における|に関する|を踏まえた|を活かした|と連携した))(.+)$"
)
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
_VERBAL = re.compile(r"を|により|に$|し$")


@dataclass
class Vocabulary:
    """Clauses and phrase parts cut from the seed; every list is in the seed's order."""

    result_heads: list[str] = field(default_factory=list)
    result_tails: list[str] = field(default_factory=list)
    context_heads: list[str] = field(default_factory=list)
    context_tails: list[str] = field(default_factory=list)
    response_heads: list[str] = field(default_factory=list)
    response_tails: list[str] = field(default_factory=list)
    summary_heads: list[str] = field(default_factory=list)
    summary_tails: list[str] = field(default_factory=list)
    modifiers: list[str] = field(default_factory=list)
    cores: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)
    scale: dict[str, Any] = field(default_factory=dict)
    circle: dict[str, str] = field(default_factory=dict)

    def check(self) -> None:
        for name in (
            "result_heads",
            "result_tails",
            "context_tails",
            "response_tails",
            "summary_heads",
            "summary_tails",
            "cores",
            "actions",
        ):
            if not getattr(self, name):
                raise SynthError(
                    f"the seed file {SOURCE} holds no {name.replace('_', ' ')} to build text from"
                )


_ERA_BASE = {"平成": 1988, "令和": 2018}  # calendar year = base + era year


def _year_of_era(era: str, number: str) -> int:
    return _ERA_BASE[era] + (1 if number == "元" else int(number))


def _tokenise_years(text: str, year: int | None) -> str | None:
    """Replace dates by tokens relative to ``year``; None when the text has dates and no year."""
    if year is None:
        if _DATE.search(text) or _FY_WAREKI.search(text) or _FY_WESTERN.search(text):
            return None
        return text

    def date(match: re.Match[str]) -> str:
        calendar, month = _year_of_era(match.group(1), match.group(2)), int(match.group(3))
        fiscal_year = calendar if month >= 4 else calendar - 1
        return f"\x00D{fiscal_year - year},{month}\x01"

    text = _DATE.sub(date, text)
    text = _FY_WAREKI.sub(lambda m: f"\x00J{_year_of_era(m.group(1), m.group(2)) - year},0\x01", text)
    return _FY_WESTERN.sub(lambda m: f"\x00W{int(m.group(1)) - year},0\x01", text)


def wareki_date(fiscal_year: int, month: int) -> str:
    """平成24年1月 for January of FY2011; 令和 from May 2019."""
    calendar = fiscal_year if month >= 4 else fiscal_year + 1
    era = "令和" if (calendar, month) >= (2019, 5) else "平成"
    number = calendar - _ERA_BASE[era]
    return f"{era}{'元' if number == 1 else number}年{month}月"


def _render(text: str, year: int) -> str:
    if "\x00" not in text:
        return text

    def token(match: re.Match[str]) -> str:
        kind, offset, month = match.group(1), int(match.group(2)), int(match.group(3))
        if kind == "D":
            return wareki_date(year + offset, month)
        if kind == "J":
            return fiscal.wareki_label(year + offset)
        return fiscal.western_label(year + offset)

    return _TOKEN.sub(token, text)


def _sentences(text: str) -> Iterator[list[str]]:
    """Each sentence of a text as its clauses; short pieces stick to the next one."""
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        for sentence in line.split("。"):
            sentence = sentence.strip()
            if not sentence:
                continue
            clauses: list[str] = []
            buffer = ""
            for piece in _COMMA.split(sentence):
                buffer = f"{buffer}、{piece}" if buffer else piece
                if len(buffer) >= 6 and len(piece) >= 4:
                    clauses.append(buffer)
                    buffer = ""
            if buffer:
                if clauses:
                    clauses[-1] = f"{clauses[-1]}、{buffer}"
                else:
                    clauses.append(buffer)
            yield [_CONNECTOR.sub("", clause) for clause in clauses]


def _add_clauses(text: str | None, year: int | None, heads: list[str], tails: list[str]) -> None:
    if not text:
        return
    for clauses in _sentences(normalize(text)):
        tokenised = [_tokenise_years(clause, year) for clause in clauses]
        for clause in tokenised[:-1]:
            if clause:
                heads.append(clause)
        if tokenised[-1]:
            tails.append(tokenised[-1])


def _outside_brackets(text: str) -> str:
    depth, kept = 0, []
    for char in text:
        if char in "「(『":
            depth += 1
        elif char in "」)』":
            depth = max(0, depth - 1)
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


def _balanced(text: str) -> bool:
    return text.count("「") == text.count("」") and text.count("(") == text.count(")")


def _last_no(text: str) -> int:
    """Index of the last の outside brackets, or -1."""
    depth, found = 0, -1
    for index, char in enumerate(text):
        if char in "「(『":
            depth += 1
        elif char in "」)』":
            depth = max(0, depth - 1)
        elif char == "の" and depth == 0:
            found = index
    return found


def _add_phrase(text: str | None, vocabulary: Vocabulary) -> None:
    """A noun phrase (●-item, title): object の action → modifier, core, action."""
    if not text:
        return
    for line in normalize(text).splitlines():
        line = _BULLET.sub("", line).strip()
        line = line.split("、")[-1]
        if not line or line == ONWARDS_TEXT or _tokenise_years(line, None) is None:
            continue
        cut = _last_no(line)
        if cut < 2:
            continue
        whole, action = line[:cut], _TRAILING_NOTE.sub("", line[cut + 1 :])
        # Keep noun phrases only: no verb's object (を) or means (により) in them.
        if not 1 <= len(action) <= 14 or _VERBAL.search(action) or "を" in _outside_brackets(whole):
            continue
        vocabulary.actions.append(action)
        match = _MODIFIER.match(whole)
        if match and len(match.group(2)) >= 2 and _balanced(match.group(1)) and not whole.startswith("これ"):
            vocabulary.modifiers.append(match.group(1))
            vocabulary.cores.append(match.group(2))
        else:
            vocabulary.cores.append(whole)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _walk(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for node in nodes or []:
        yield node
        yield from _walk(node.get("children") or [])


def read_vocabulary(path: Path = SOURCE) -> Vocabulary:
    """Cut the seed's texts into the parts the generator recombines."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SynthError(f"cannot read the seed file {path}: {error}") from error
    vocabulary = Vocabulary()
    for level in data.get("levels") or []:
        vocabulary.levels[level["key"]] = normalize(level["name"])
    for scale in data.get("scales") or []:
        if scale.get("code") == SCALE_CODE:
            vocabulary.scale = scale
    for marker in data.get("markers") or []:
        if normalize(str(marker.get("symbol"))) == "○":
            vocabulary.circle = {"name": normalize(marker.get("name") or "○"), "meaning": ""}
    for node in _walk(data.get("nodes") or []):
        _add_phrase(node.get("title"), vocabulary)
        _add_phrase(node.get("baseline"), vocabulary)
        for target in node.get("targets") or []:
            _add_phrase(target.get("text"), vocabulary)
        _add_clauses(node.get("summary"), None, vocabulary.summary_heads, vocabulary.summary_tails)
        for result in node.get("results") or []:
            year = int(result["year"])
            for key in ("text", "highlight"):
                _add_clauses(result.get(key), year, vocabulary.result_heads, vocabulary.result_tails)
            _add_clauses(
                result.get("context_change"), year, vocabulary.context_heads, vocabulary.context_tails
            )
            _add_clauses(result.get("response"), year, vocabulary.response_heads, vocabulary.response_tails)
    for name in (
        "result_heads",
        "result_tails",
        "context_heads",
        "context_tails",
        "response_heads",
        "response_tails",
        "summary_heads",
        "summary_tails",
        "modifiers",
        "cores",
        "actions",
    ):
        setattr(vocabulary, name, _unique(getattr(vocabulary, name)))
    # A sentence ends a result cell only if it reports something done.
    vocabulary.result_tails = [tail for tail in vocabulary.result_tails if tail.endswith("ました")]
    vocabulary.summary_tails = [tail for tail in vocabulary.summary_tails if tail.endswith("ます")]
    vocabulary.check()
    if not vocabulary.scale or len(vocabulary.scale.get("levels") or []) != len(RATING_WEIGHTS):
        raise SynthError(f"the seed file {path} does not define the five-level scale {SCALE_CODE}")
    return vocabulary


# ---------------------------------------------------------------- the generated content


@dataclass
class TargetRow:
    row: int
    start_year: int
    end_year: int
    open_end: bool
    text: str
    revised_text: str = ""
    revision_reason: str = ""


@dataclass
class ResultRow:
    fiscal_year: int
    text: str
    context_change: str
    response: str
    highlight: str
    rating: int  # index into the scale's levels


@dataclass
class IndicatorRow:
    name: str
    kind: str
    unit: str
    direction: str
    baseline_value: Decimal
    baseline_year: int
    values: list[tuple[int, Decimal | None, Decimal | None]]


@dataclass
class MeasureRow:
    programme: int  # index into the programmes
    code: str
    position: int
    title: str
    summary: str
    baseline: str
    markers: list[str]
    units: list[tuple[str, str]]
    targets: list[TargetRow]
    results: list[ResultRow]
    indicators: list[IndicatorRow]


def _partition(rng: random.Random, items: int, groups: int) -> list[int]:
    """Sizes of ``groups`` consecutive groups (each ≥ 1) that add up to ``items``."""
    cuts = sorted(rng.sample(range(1, items), groups - 1)) if groups > 1 else []
    bounds = [0, *cuts, items]
    return [bounds[i + 1] - bounds[i] for i in range(groups)]


class Writer:
    """Makes the texts: one random stream, in a fixed order, so a seed gives one plan."""

    def __init__(self, vocabulary: Vocabulary, rng: random.Random) -> None:
        self.v = vocabulary
        self.rng = rng
        self.serial = 0
        self.titles: dict[str, set[str]] = {"plan": set(), "programme": set(), "measure": set()}
        # What leads into an adverse tail: the seed's own context clauses and some result clauses.
        self.context_heads = (
            vocabulary.context_heads + vocabulary.result_heads[: max(1, len(vocabulary.result_heads) // 3)]
        )
        # A purpose sentence names no date.
        self.summary_heads = (
            vocabulary.summary_heads + [h for h in vocabulary.result_heads if "\x00" not in h][:8]
        )

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    # -- noun phrases

    def phrase(self, modifier_share: float = 0.35) -> str:
        rng = self.rng
        core = rng.choice(self.v.cores)
        prefix = rng.choice(self.v.modifiers) if self.v.modifiers and rng.random() < modifier_share else ""
        return f"{prefix}{core}の{rng.choice(self.v.actions)}"

    def title(self, level: str) -> str:
        rng = self.rng
        seen = self.titles[level]
        text = ""
        for _attempt in range(8):
            if level == "plan":
                first, second = (
                    rng.sample(self.v.cores, 2) if len(self.v.cores) > 1 else (self.v.cores[0],) * 2
                )
                text = f"{first}と{second}の{rng.choice(self.v.actions)}"
            else:
                text = self.phrase(0.2 if level == "measure" else 0.0)
            if text not in seen:
                break
        if text in seen:
            number = 2
            while f"{text}(その{number})" in seen:
                number += 1
            text = f"{text}(その{number})"
        seen.add(text)
        return text

    # -- sentences

    def sentence(self, heads: Sequence[str], tails: Sequence[str], year: int, lead: str = "") -> str:
        rng = self.rng
        count = rng.choices((0, 1, 2), (30, 50, 20))[0] if heads else 0
        clauses = [lead] if lead else []
        clauses += [rng.choice(heads) for _ in range(count)]
        clauses.append(rng.choice(tails))
        return _render("、".join(clauses), year) + "。"

    def result_bullet(self, year: int, lead: str = "") -> str:
        rng = self.rng
        text = self.sentence(self.v.result_heads, self.v.result_tails, year, lead)
        if not lead and rng.random() < 0.15 and not _DATE.search(text):
            # A date in the fiscal year: 平成24年1月 still belongs to FY2011.
            text = f"{wareki_date(year, rng.choice((4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)))}に、{text}"
        if rng.random() < 0.3:
            text += "また、" + self.sentence(self.v.result_heads, self.v.result_tails, year)
        return "・" + text

    def result_text(self, year: int, long: bool) -> list[str]:
        rng = self.rng
        if long:
            count = rng.randint(*LONG_CELL_BULLETS)
        else:
            count = rng.choices(range(1, len(BULLET_WEIGHTS) + 1), BULLET_WEIGHTS)[0]
        lead = rng.choice(SERIAL_RESULT).format(n=self.next_serial())
        return [self.result_bullet(year, lead if index == 0 else "") for index in range(count)]

    def context_text(self, year: int) -> str:
        rng = self.rng
        bullets = []
        for index in range(rng.choices((1, 2), (70, 30))[0]):
            lead = rng.choice(SERIAL_CONTEXT).format(n=self.next_serial()) if index == 0 else ""
            if rng.random() < 0.5:
                tails = self.v.context_tails
            else:
                tails = [rng.choice(ADVERSE_TAILS).format(np=self.phrase(0.0))]
            bullets.append("・" + self.sentence(self.context_heads, tails, year, lead))
        return "\n".join(bullets)

    def response_text(self, year: int) -> str:
        rng = self.rng
        bullets = []
        for index in range(rng.choices((1, 2), (75, 25))[0]):
            lead = rng.choice(SERIAL_RESPONSE).format(n=self.next_serial()) if index == 0 else ""
            if rng.random() < 0.4:
                tails = self.v.response_tails
            else:
                tails = [rng.choice(RESPONSE_TAILS).format(np=self.phrase(0.0), next=year + 1)]
            bullets.append("・" + self.sentence(self.v.response_heads, tails, year, lead))
        return "\n".join(bullets)

    def summary(self, title: str) -> str:
        rng = self.rng
        head = rng.choice(self.summary_heads)
        text = f"{head}、{title}{rng.choice(SUMMARY_VERBS)}。"
        if rng.random() < 0.4:
            text += self.sentence(self.v.summary_heads, self.v.summary_tails, FIRST_YEAR)
        return text

    def baseline(self, title: str) -> str:
        rng = self.rng
        bullets = [f"●{title}に向けた{rng.choice(self.v.actions)}"]
        bullets += ["●" + self.phrase() for _ in range(rng.choices((0, 1, 2, 3, 4), (20, 30, 25, 15, 10))[0])]
        return "\n".join(bullets)

    def revision_reason(self, year: int) -> str:
        tails = [self.rng.choice(ADVERSE_TAILS).format(np=self.phrase(0.0))]
        return self.sentence(self.context_heads, tails, year) + "このため、目標を見直しました。"


def _targets(writer: Writer, years: range) -> list[TargetRow]:
    rng = writer.rng
    onwards = years.stop
    targets: list[TargetRow] = []
    rows = rng.choices((1, 2, 3), (70, 22, 8))[0]
    for row in range(1, rows + 1):
        # Cut the period into cells; a cell spans the years between two cuts.
        starts = [years.start] + [year for year in years[1:] if rng.random() < 0.5]
        ends = [start - 1 for start in starts[1:]] + [years.stop - 1]
        into_onwards = rng.random() < 0.2
        for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
            last = index == len(starts) - 1
            for _item in range(rng.choices((1, 2, 3), (60, 30, 10))[0]):
                number = writer.next_serial()
                phrase = writer.phrase()
                target = TargetRow(
                    row=row,
                    start_year=start,
                    end_year=onwards if last and into_onwards else end,
                    open_end=last and into_onwards,
                    text=f"●{phrase}(第{number}号)",
                )
                if rng.random() < 0.04:
                    planned = phrase.rsplit("の", 1)[1]
                    action = rng.choice([a for a in writer.v.actions if a != planned] or [planned])
                    target.revised_text = f"●{phrase.rsplit('の', 1)[0]}の{action}(第{number}号・変更後)"
                    target.revision_reason = writer.revision_reason(start)
                targets.append(target)
        if not into_onwards and (row == 1 or rng.random() < 0.7):
            text = ONWARDS_TEXT if rng.random() < 0.75 else f"●{writer.phrase()}(第{writer.next_serial()}号)"
            targets.append(TargetRow(row=row, start_year=onwards, end_year=onwards, open_end=True, text=text))
    return targets


def _indicators(writer: Writer, years: range, ratings: list[int]) -> list[IndicatorRow]:
    rng = writer.rng
    if rng.random() >= 0.25:
        return []
    indicators = []
    for _index in range(rng.choices((1, 2), (70, 30))[0]):
        suffix, unit, direction, kind = rng.choice(METRICS)
        percent = unit == "%"
        baseline = (
            rng.randint(30, 70)
            if percent
            else rng.randint(5, 60)
            if unit in "日分"
            else rng.randint(10, 2000)
        )
        step = rng.uniform(0.02, 0.08)
        sign = 1 if direction == Indicator.Direction.HIGHER else -1
        values: list[tuple[int, Decimal | None, Decimal | None]] = []

        def value(number: float, percent: bool = percent) -> Decimal:
            number = min(number, 100.0) if percent else max(number, 0.0)
            return Decimal(f"{number:.1f}") if percent else Decimal(round(number))

        for index, year in enumerate(years):
            target = baseline * (1 + sign * step * (index + 1))
            low, high = ACHIEVED[ratings[index]]
            ratio = rng.uniform(low, high)
            actual = target * ratio if sign > 0 else target * (2 - ratio)
            values.append((year, value(target), value(actual)))
        values.append((years.stop, value(baseline * (1 + sign * step * (len(years) + 1))), None))
        indicators.append(
            IndicatorRow(
                name=f"{rng.choice(writer.v.cores)}の{suffix}",
                kind=kind,
                unit=unit,
                direction=direction,
                baseline_value=Decimal(baseline),
                baseline_year=years.start - 1,
                values=values,
            )
        )
    return indicators


def _ratings(seed: int, count: int) -> tuple[list[int], int]:
    """Every result's rating (an index into the scale), and the one result surely long.

    Drawn from their own stream so that every level can be guaranteed: when there are
    at least five results, a missing level replaces a middle rating.
    """
    rng = random.Random(f"{seed}:ratings")  # noqa: S311 - reproducible test data, not secrets
    ratings = rng.choices(range(len(RATING_WEIGHTS)), RATING_WEIGHTS, k=count)
    if count >= len(RATING_WEIGHTS):
        counts = Counter(ratings)
        for level in range(len(RATING_WEIGHTS)):
            if counts[level] == 0:
                index = rng.choice([i for i, rating in enumerate(ratings) if counts[rating] > 1])
                counts[ratings[index]] -= 1
                counts[level] += 1
                ratings[index] = level
    return ratings, rng.randrange(count)


# ---------------------------------------------------------------- writing


def check_arguments(*, measures: int, years: int, code: str) -> None:
    if measures < 1:
        raise SynthError(f"--measures must be at least 1, not {measures}")
    if not 1 <= years <= MAX_YEARS:
        raise SynthError(f"--years must be between 1 and {MAX_YEARS}, not {years}")
    try:
        validate_slug(code)
    except ValidationError as error:
        raise SynthError(f"the plan code {code!r} may contain only ASCII letters, digits, - and _") from error
    if len(code) > 64:
        raise SynthError(f"the plan code {code!r} is longer than 64 characters")


def _scale(vocabulary: Vocabulary) -> tuple[Scale, list[ScaleLevel]]:
    """The seed's achievement scale: reused when a scale with its code and levels exists."""
    wanted = [
        (normalize(str(level["code"])), normalize(level["label"]), bool(level.get("adverse")))
        for level in vocabulary.scale["levels"]
    ]
    for code in (SCALE_CODE, SCALE_FALLBACK_CODE):
        scale, created = Scale.objects.get_or_create(
            code=code,
            defaults={
                "name": normalize(vocabulary.scale["name"]),
                "good_end": vocabulary.scale.get("good_end") or Scale.GoodEnd.FIRST,
            },
        )
        if created:
            ScaleLevel.objects.bulk_create(
                ScaleLevel(scale=scale, code=c, label=label, adverse=adverse, position=position)
                for position, (c, label, adverse) in enumerate(wanted)
            )
        levels = list(scale.levels.order_by("position"))
        if [(level.code, level.label, level.adverse) for level in levels] == wanted:
            return scale, levels
    raise SynthError(f"the scales {SCALE_CODE} and {SCALE_FALLBACK_CODE} exist with other levels")


def _units() -> tuple[dict[str, OrgUnit], list[tuple[OrgUnit, list[OrgUnit]]]]:
    by_code: dict[str, OrgUnit] = {}
    bureaus: list[tuple[OrgUnit, list[OrgUnit]]] = []
    for code, name, kind, sections in UNITS:
        bureau, _ = OrgUnit.objects.get_or_create(code=f"synth-{code}", defaults={"name": name, "kind": kind})
        children = []
        for section_code, section_name in sections:
            section, _ = OrgUnit.objects.get_or_create(
                code=f"synth-{code}-{section_code}",
                defaults={"name": section_name, "kind": OrgUnit.Kind.SECTION, "parent": bureau},
            )
            children.append(section)
            by_code[section.code] = section
        by_code[bureau.code] = bureau
        bureaus.append((bureau, children))
    return by_code, bureaus


def delete_plan(plan: Plan) -> None:
    """Delete a plan and everything under it, leaves first, so that each table is one
    DELETE; where Django must still look for dependents it reads only the ids."""
    IndicatorValue.objects.filter(indicator__node__plan=plan).delete()
    Indicator.objects.filter(node__plan=plan).only("id").delete()
    Rating.objects.filter(result__node__plan=plan).delete()
    Result.objects.filter(node__plan=plan).only("id").delete()
    Target.objects.filter(node__plan=plan).delete()
    NodeUnit.objects.filter(node__plan=plan).delete()
    Node.markers.through.objects.filter(node__plan=plan).delete()
    Node.objects.filter(plan=plan).update(parent=None)
    Node.objects.filter(plan=plan).only("id").delete()
    plan.delete()


def _insert(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """INSERT rows whose ids nobody needs, without building model instances (the bulk of
    the time otherwise). Values must be ready for the database: ints, strings, booleans;
    a column missing from a row gets its field's default."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Names from the model, quoted; every value is a parameter.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    names = [field.attname for field in fields]
    values = [[row.get(name, defaults[name]) for name in names] for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(values), INSERT_CHUNK):
            cursor.executemany(sql, values[start : start + INSERT_CHUNK])


def _bulk_create(model: type[models.Model], rows: list[Any]) -> None:
    """bulk_create rows whose ids are needed next; they come back on PostgreSQL and SQLite ≥ 3.35."""
    model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
    if rows and rows[-1].pk is None:
        raise SynthError("the database did not return the ids of new rows (SQLite ≥ 3.35 is needed)")


def _save_nodes(nodes: list[Node]) -> None:
    """Insert nodes whose parents are saved, then set their paths from the returned ids."""
    _bulk_create(Node, nodes)
    for node in nodes:
        node.path = f"{node.parent.path if node.parent else '/'}{node.pk}/"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:  # what bulk_update does, without its CASE per row
        cursor.executemany(
            f"UPDATE {quote(Node._meta.db_table)} SET {quote('path')} = %s WHERE {quote('id')} = %s",  # noqa: S608
            [(node.path, node.pk) for node in nodes],
        )


@transaction.atomic
def plan_synthesize(
    *, measures: int, years: int, seed: int, code: str | None = None, replace: bool = False
) -> Plan:
    """Create a synthetic plan of ``measures`` measures with results for ``years`` fiscal
    years from 2011, the same for the same arguments. Raises SynthError, writing nothing,
    on bad arguments or when a plan with the code exists and ``replace`` is false."""
    code = code or f"synth-{seed}"
    check_arguments(measures=measures, years=years, code=code)
    vocabulary = read_vocabulary()
    existing = Plan.objects.filter(code=code).first()
    if existing is not None:
        if not replace:
            raise SynthError(f"a plan with the code {code!r} exists; use --replace to overwrite it")
        delete_plan(existing)

    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    writer = Writer(vocabulary, rng)
    period = range(FIRST_YEAR, FIRST_YEAR + years)
    programme_count = max(1, min(measures, round(measures / 40)))
    area_count = max(1, min(programme_count, round(measures / 200)))

    plan = Plan(
        code=code,
        title=normalize("第3期実行計画 (合成データ)"),
        period_label="第3期実行計画",
        first_year=period.start,
        last_year=period.stop - 1,
        onwards=True,
        note=(
            f"Synthetic data: shinchoku synth --measures {measures} --years {years} --seed {seed}. "
            "Texts are clauses of data/seeds/kawasaki-plan9.yaml recombined at random; "
            "they describe nothing real."
        ),
    )
    plan.full_clean()
    plan.save()
    levels = {
        key: Level.objects.create(
            plan=plan,
            depth=depth,
            key=key,
            kind=key,
            name=vocabulary.levels.get(key, default),
            rated=key == "measure",
        )
        for depth, (key, default) in enumerate(
            (("plan", "プラン"), ("programme", "アクションプログラム"), ("measure", "施策計画"))
        )
    }
    scale, scale_levels = _scale(vocabulary)
    dimension = Dimension.objects.create(
        plan=plan,
        level=levels["measure"],
        key="achievement",
        name=normalize(vocabulary.scale["name"]),
        scale=scale,
        primary=True,
    )
    circle = Marker.objects.create(
        plan=plan, symbol="○", name=vocabulary.circle.get("name", "○"), meaning="", position=0
    )
    priority = Marker.objects.create(
        plan=plan, symbol="重点", name="重点", meaning="重点的に取り組む施策", position=1
    )
    markers = {"○": circle, "重点": priority}
    units, bureaus = _units()
    ward = units["synth-kakuku"]  # 各区役所, responsible for the measures that every ward carries out

    # The tree's upper levels: few rows, written at once.
    programme_sizes = _partition(rng, measures, programme_count)
    area_sizes = _partition(rng, programme_count, area_count)
    areas = [
        Node(
            plan=plan,
            level=levels["plan"],
            code=str(number),
            label=f"{levels['plan'].name}{number}",
            position=number - 1,
            title=normalize(writer.title("plan")),
            path="",
        )
        for number in range(1, area_count + 1)
    ]
    _save_nodes(areas)
    programmes: list[Node] = []
    homes: list[tuple[OrgUnit, list[OrgUnit]]] = []
    for area, size in zip(areas, area_sizes, strict=True):
        for position in range(size):
            programmes.append(
                Node(
                    plan=plan,
                    parent=area,
                    level=levels["programme"],
                    code=f"{area.code}-{position + 1}",
                    position=position,
                    title=normalize(writer.title("programme")),
                    path="",
                )
            )
            homes.append(rng.choice(bureaus))
    _save_nodes(programmes)

    ratings, long_index = _ratings(seed, measures * years)
    batch: list[MeasureRow] = []
    counter = 0
    for programme_index, size in enumerate(programme_sizes):
        programme = programmes[programme_index]
        home, home_sections = homes[programme_index]
        for position in range(size):
            title = writer.title("measure")
            measure_ratings = ratings[counter * years : (counter + 1) * years]
            results = []
            for offset, year in enumerate(period):
                long = counter * years + offset == long_index or rng.random() < LONG_CELL_SHARE
                bullets = writer.result_text(year, long)
                rating = measure_ratings[offset]
                adverse = bool(scale_levels[rating].adverse)
                context = writer.context_text(year) if rng.random() < (0.85 if adverse else 0.07) else ""
                response = writer.response_text(year) if context and rng.random() < 0.85 else ""
                highlight = "\n".join(bullets[: rng.randint(1, 3)]) if year == period.stop - 1 else ""
                results.append(
                    ResultRow(
                        fiscal_year=year,
                        text=normalize("\n".join(bullets)),
                        context_change=normalize(context),
                        response=normalize(response),
                        highlight=normalize(highlight),
                        rating=rating,
                    )
                )
            batch.append(
                MeasureRow(
                    programme=programme_index,
                    code=f"{programme.code}-{position + 1}",
                    position=position,
                    title=normalize(title),
                    summary=normalize(writer.summary(title)),
                    baseline=normalize(writer.baseline(title)),
                    markers=_markers(rng),
                    units=_roles(rng, home, home_sections, bureaus, ward),
                    targets=[
                        TargetRow(
                            **{
                                **target.__dict__,
                                "text": normalize(target.text),
                                "revised_text": normalize(target.revised_text),
                                "revision_reason": normalize(target.revision_reason),
                            }
                        )
                        for target in _targets(writer, period)
                    ],
                    results=results,
                    indicators=_indicators(writer, period, measure_ratings),
                )
            )
            counter += 1
            if len(batch) >= MEASURES_PER_FLUSH:
                _flush(plan, batch, programmes, levels["measure"], dimension, scale_levels, markers, units)
                batch = []
    if batch:
        _flush(plan, batch, programmes, levels["measure"], dimension, scale_levels, markers, units)
    return plan


def _markers(rng: random.Random) -> list[str]:
    symbols = []
    if rng.random() < 0.6:
        symbols.append("○")
    if rng.random() < 0.2:
        symbols.append("重点")
    return symbols


def _roles(
    rng: random.Random,
    home: OrgUnit,
    home_sections: list[OrgUnit],
    bureaus: list[tuple[OrgUnit, list[OrgUnit]]],
    ward: OrgUnit,
) -> list[tuple[str, str]]:
    """所管課 mostly of the programme's bureau, sometimes 各区役所; the 作成課 and a few 関係課."""
    roll = rng.random()
    if roll < 0.8:
        responsible = rng.choice(home_sections)
    elif roll < 0.9:
        responsible = rng.choice(rng.choice(bureaus)[1])
    else:
        responsible = ward
    authoring = responsible if rng.random() < 0.6 or responsible is ward else home_sections[0]
    roles = [
        (responsible.code, NodeUnit.Role.RESPONSIBLE.value),
        (authoring.code, NodeUnit.Role.AUTHORING.value),
    ]
    if rng.random() < 0.35:
        for _index in range(rng.randint(1, 2)):
            related = rng.choice(rng.choice(bureaus)[1])
            if related is not responsible:
                roles.append((related.code, NodeUnit.Role.RELATED.value))
    return list(dict.fromkeys(roles))


def _flush(
    plan: Plan,
    batch: list[MeasureRow],
    programmes: list[Node],
    level: Level,
    dimension: Dimension,
    scale_levels: list[ScaleLevel],
    markers: dict[str, Marker],
    units: dict[str, OrgUnit],
) -> None:
    nodes = [
        Node(
            plan=plan,
            parent=programmes[row.programme],
            level=level,
            code=row.code,
            position=row.position,
            title=row.title,
            summary=row.summary,
            baseline=row.baseline,
            path="",
        )
        for row in batch
    ]
    _save_nodes(nodes)
    _insert(
        Node.markers.through,
        (
            {"node_id": node.pk, "marker_id": markers[symbol].pk}
            for node, row in zip(nodes, batch, strict=True)
            for symbol in row.markers
        ),
    )
    _insert(
        NodeUnit,
        (
            {"node_id": node.pk, "unit_id": units[code].pk, "role": role}
            for node, row in zip(nodes, batch, strict=True)
            for code, role in row.units
        ),
    )
    _insert(
        Target,
        (
            {"node_id": node.pk, "position": position, **target.__dict__}
            for node, row in zip(nodes, batch, strict=True)
            for position, target in enumerate(row.targets)
        ),
    )
    results = [
        Result(
            node_id=node.pk,
            fiscal_year=result.fiscal_year,
            text=result.text,
            context_change=result.context_change,
            response=result.response,
            highlight=result.highlight,
        )
        for node, row in zip(nodes, batch, strict=True)
        for result in row.results
    ]
    _bulk_create(Result, results)
    ratings = [result.rating for row in batch for result in row.results]
    _insert(
        Rating,
        (
            {"result_id": result.pk, "dimension_id": dimension.pk, "level_id": scale_levels[rating].pk}
            for result, rating in zip(results, ratings, strict=True)
        ),
    )
    indicator_rows = [
        (node, position, indicator)
        for node, row in zip(nodes, batch, strict=True)
        for position, indicator in enumerate(row.indicators)
    ]
    indicators = [
        Indicator(
            node_id=node.pk,
            position=position,
            name=indicator.name,
            kind=indicator.kind,
            unit=indicator.unit,
            direction=indicator.direction,
            baseline_value=indicator.baseline_value,
            baseline_year=indicator.baseline_year,
        )
        for node, position, indicator in indicator_rows
    ]
    _bulk_create(Indicator, indicators)
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(indicator_id=indicator.pk, fiscal_year=year, target=target, actual=actual)
            for indicator, (_node, _position, row) in zip(indicators, indicator_rows, strict=True)
            for year, target, actual in row.values
        ],
        batch_size=BATCH_SIZE,
    )
