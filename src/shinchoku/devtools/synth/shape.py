"""The shape of a synthetic plan, decided before anything is written: the sizes of
the groups, each measure's targets, results, ratings, indicators, markers and unit
roles, as plain rows. Everything random here draws from the writer's stream (the
ratings from their own), in a fixed order, so that a seed gives one plan."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from shinchoku.plans.models import NodeUnit, OrgUnit
from shinchoku.progress.models import Indicator
from shinchoku.text import normalize

from .base import RATING_WEIGHTS
from .text import Writer
from .vocabulary import ONWARDS_TEXT

LONG_CELL_SHARE = 1 / 50
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


def partition(rng: random.Random, items: int, groups: int) -> list[int]:
    """Sizes of ``groups`` consecutive groups (each ≥ 1) that add up to ``items``."""
    cuts = sorted(rng.sample(range(1, items), groups - 1)) if groups > 1 else []
    bounds = [0, *cuts, items]
    return [bounds[i + 1] - bounds[i] for i in range(groups)]


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


def ratings_of(seed: int, count: int) -> tuple[list[int], int]:
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


def _markers(rng: random.Random) -> list[str]:
    symbols = []
    if rng.random() < 0.6:
        symbols.append("○")
    if rng.random() < 0.2:
        symbols.append("重点")
    return symbols


def _roles(
    rng: random.Random,
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


def measure_row(
    writer: Writer,
    period: range,
    ratings: list[int],
    long_offset: int,
    adverse: list[bool],
    *,
    programme: int,
    code: str,
    position: int,
    sections: list[OrgUnit],
    bureaus: list[tuple[OrgUnit, list[OrgUnit]]],
    ward: OrgUnit,
) -> MeasureRow:
    """One measure of the programme at index ``programme``, whose bureau has ``sections``:
    ``ratings`` are its results' ratings, one a year of ``period``; the result at
    ``long_offset`` (when in the period) is surely long; ``adverse`` tells the adverse
    ratings apart. The texts are normalised like imported ones."""
    rng = writer.rng
    title = writer.title("measure")
    results = []
    for offset, year in enumerate(period):
        long = offset == long_offset or rng.random() < LONG_CELL_SHARE
        bullets = writer.result_text(year, long)
        rating = ratings[offset]
        context = writer.context_text(year) if rng.random() < (0.85 if adverse[rating] else 0.07) else ""
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
    return MeasureRow(
        programme=programme,
        code=code,
        position=position,
        title=normalize(title),
        summary=normalize(writer.summary(title)),
        baseline=normalize(writer.baseline(title)),
        markers=_markers(rng),
        units=_roles(rng, sections, bureaus, ward),
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
        indicators=_indicators(writer, period, ratings),
    )
