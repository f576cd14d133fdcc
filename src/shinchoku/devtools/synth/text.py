"""The Japanese texts of a synthetic plan: titles, results, contexts, responses,
summaries, baselines, made by recombining the seed's clauses and phrases.

Every text cell carries a serial number (第12号 …) or a unique title, so a test can
find each cell in a rendered report.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from .base import FIRST_YEAR
from .vocabulary import DATE, Vocabulary, render_dates, wareki_date

# Number of ・ bullets in an ordinary result cell, 1 to 8.
BULLET_WEIGHTS = (15, 22, 20, 15, 10, 8, 6, 4)
LONG_CELL_BULLETS = (40, 60)

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
        return render_dates("、".join(clauses), year) + "。"

    def result_bullet(self, year: int, lead: str = "") -> str:
        rng = self.rng
        text = self.sentence(self.v.result_heads, self.v.result_tails, year, lead)
        if not lead and rng.random() < 0.15 and not DATE.search(text):
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
        return self.bullets(
            year,
            weights=(70, 30),
            serials=SERIAL_CONTEXT,
            heads=self.context_heads,
            seed_share=0.5,
            seed_tails=self.v.context_tails,
            own_tails=ADVERSE_TAILS,
        )

    def response_text(self, year: int) -> str:
        return self.bullets(
            year,
            weights=(75, 25),
            serials=SERIAL_RESPONSE,
            heads=self.v.response_heads,
            seed_share=0.4,
            seed_tails=self.v.response_tails,
            own_tails=RESPONSE_TAILS,
        )

    def bullets(
        self,
        year: int,
        *,
        weights: tuple[int, int],
        serials: Sequence[str],
        heads: Sequence[str],
        seed_share: float,
        seed_tails: Sequence[str],
        own_tails: Sequence[str],
    ) -> str:
        """One or two ・ sentences (by ``weights``), the first led by a serial number; each
        ends in one of the seed's tails (``seed_share`` of them) or in one of ``own_tails``,
        filled with a noun phrase ({np}) and the next year ({next})."""
        rng = self.rng
        bullets = []
        for index in range(rng.choices((1, 2), weights)[0]):
            lead = rng.choice(serials).format(n=self.next_serial()) if index == 0 else ""
            if rng.random() < seed_share:
                tails = seed_tails
            else:
                tails = [rng.choice(own_tails).format(np=self.phrase(0.0), next=year + 1)]
            bullets.append("・" + self.sentence(heads, tails, year, lead))
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
