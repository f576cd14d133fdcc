"""The seed's text cut into parts (``read_vocabulary``), and the dates in them.

The texts of the demonstration data (data/seeds/kawasaki-plan9.yaml, read at run
time) are cut into clauses at 、 and 。; noun phrases (●-items, titles) are cut at
their last の into an object and an action. Dates in a clause (平成24年1月,
2013年度以降) become tokens relative to the fiscal year of the text they came from;
``render_dates`` writes them out again for the year a clause is used in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shinchoku import fiscal
from shinchoku.settings import BASE_DIR
from shinchoku.text import normalize

from .base import RATING_WEIGHTS, SCALE_CODE, SynthError

SOURCE = BASE_DIR / "data" / "seeds" / "kawasaki-plan9.yaml"
# The seed's cell for the years after the plan: no phrase to learn, and the usual onwards target.
ONWARDS_TEXT = "事業推進"

_BULLET = re.compile(r"^[・●○◎■□\u2460-\u2473\s]+")
DATE = re.compile(fiscal.ERA_YEAR + r"年([0-9]+)月")  # 平成24年1月
_FY_WAREKI = re.compile(fiscal.ERA_YEAR + "年度")
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


def _year_of_era(era: str, number: str) -> int:
    return fiscal.era_year_to_western(era, fiscal.era_year_number(number))


def _tokenise_years(text: str, year: int | None) -> str | None:
    """Replace dates by tokens relative to ``year``; None when the text has dates and no year."""
    if year is None:
        if DATE.search(text) or _FY_WAREKI.search(text) or _FY_WESTERN.search(text):
            return None
        return text

    def date(match: re.Match[str]) -> str:
        calendar, month = _year_of_era(match.group(1), match.group(2)), int(match.group(3))
        fiscal_year = calendar if month >= 4 else calendar - 1
        return f"\x00D{fiscal_year - year},{month}\x01"

    text = DATE.sub(date, text)
    text = _FY_WAREKI.sub(lambda m: f"\x00J{_year_of_era(m.group(1), m.group(2)) - year},0\x01", text)
    return _FY_WESTERN.sub(lambda m: f"\x00W{int(m.group(1)) - year},0\x01", text)


def wareki_date(fiscal_year: int, month: int) -> str:
    """平成24年1月 for January of FY2011; 令和 from May 2019."""
    return fiscal.wareki_month(fiscal_year if month >= 4 else fiscal_year + 1, month)


def render_dates(text: str, year: int) -> str:
    """Write out the date tokens of a clause for the fiscal year it is used in."""
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
