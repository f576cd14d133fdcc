"""What a synthetic measure has beyond its texts, targets and results, decided as plain
rows from a random stream of its own (so that adding them changed nothing else a seed
gives): the plan's sections of text, its further judgements with their scales (one
printed as a matrix), its hourly staff costs; each measure's texts of its own sections,
its ratings on every judgement with their reasons, a target-group indicator now and
then, and its costs (actuals of every year, a budget for the onwards year, now and then
the whole period's plan), amounts in whole thousands of yen as the plan prints them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from shinchoku.plans.models import Section
from shinchoku.progress.models import Cost, Indicator

from .shape import IndicatorRow
from .text import Writer

#: The measures' sections, in order: (key, name, scope, builtin). The builtin ones keep
#: the names the demonstration data prints.
SECTIONS = (
    ("summary", "概要", Section.Scope.NODE, Section.Builtin.SUMMARY),
    ("target-group", "対象", Section.Scope.NODE, Section.Builtin.NONE),
    ("intent", "意図", Section.Scope.NODE, Section.Builtin.NONE),
    ("baseline", "現状", Section.Scope.NODE, Section.Builtin.BASELINE),
    ("text", "実施結果", Section.Scope.YEAR, Section.Builtin.TEXT),
    ("context_change", "環境等の変化・課題等", Section.Scope.YEAR, Section.Builtin.CONTEXT_CHANGE),
    ("response", "新たな課題等への対応", Section.Scope.YEAR, Section.Builtin.RESPONSE),
    ("highlight", "主な実施結果", Section.Scope.YEAR, Section.Builtin.HIGHLIGHT),
    ("issues", "課題", Section.Scope.YEAR, Section.Builtin.NONE),
)

#: A scale: (code, name, good end, levels of (code, label, adverse, row, column)).
ScaleSpec = tuple[str, str, str, tuple[tuple[str, str, bool, str, str], ...]]

#: The inspection verdict A–H, printed as a matrix of 目標 × 予算・人員.
VERDICT: ScaleSpec = (
    "synth-verdict",
    "点検結果",
    "first",
    tuple(
        (code, f"{row}・{column}", row == "変更", row, column)
        for code, (row, column) in zip(
            "ABCDEFGH",
            [
                (row, column)
                for row in ("目標どおり", "変更")
                for column in ("拡大", "縮減", "現状維持", "終了")
            ],
            strict=True,
        )
    ),
)
RELEVANCE: ScaleSpec = (
    "synth-relevance",
    "政策体系との整合性",
    "first",
    (("1", "結びついている", False, "", ""), ("2", "見直し余地がある", True, "", "")),
)
DIRECTION: ScaleSpec = (
    "synth-direction",
    "今後の方向性",
    "first",
    (
        ("1", "拡充", False, "", ""),
        ("2", "現状維持", False, "", ""),
        ("3", "改善", False, "", ""),
        ("4", "縮小", True, "", ""),
        ("5", "廃止", True, "", ""),
    ),
)
#: The further judgements of the measures: (key, scale, weights of its levels).
JUDGEMENTS = (
    ("relevance", RELEVANCE, (85, 15)),
    ("direction", DIRECTION, (15, 55, 20, 7, 3)),
    ("verdict", VERDICT, (30, 6, 40, 2, 8, 4, 8, 2)),
)
REASON_TAILS = ("と判断しました", "ため、この区分としました", "を踏まえて評価しました")

#: The hourly staff cost in yen of the first year, and its rise each year.
HOURLY_COST = 4000
HOURLY_RISE = 60


@dataclass
class CostRow:
    fiscal_year: int | None
    basis: str
    figures: dict[str, int | Decimal | None]


@dataclass
class Extras:
    """A measure's rows beyond the shape's: texts by section key (of the node, and of each
    year), a rating and reason per judgement and year (``None`` for the primary one: its
    reason only), costs, and an indicator of the target group."""

    node_texts: dict[str, str] = field(default_factory=dict)
    year_texts: list[tuple[int, str, str]] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)  # the primary judgement's, by year
    ratings: list[tuple[int, str, int, str]] = field(default_factory=list)
    costs: list[CostRow] = field(default_factory=list)
    indicator: IndicatorRow | None = None


def hourly_costs(period: range) -> dict[int, int]:
    """The plan's hourly staff cost of each year of the period and of the onwards year."""
    return {
        year: HOURLY_COST + HOURLY_RISE * index
        for index, year in enumerate(range(period.start, period.stop + 1))
    }


def _thousands(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high) * 1000


def _cost(rng: random.Random, year: int | None, basis: str, scale: float) -> CostRow:
    """A cost: its funding sources (some not given), A their sum, staff to two decimals;
    B given now and then, otherwise priced from the hours when it is written."""
    sources: dict[str, int | Decimal | None] = {
        "national": _thousands(rng, 0, int(8000 * scale)) if rng.random() < 0.4 else None,
        "prefectural": _thousands(rng, 0, int(3000 * scale)) if rng.random() < 0.3 else None,
        "bonds": _thousands(rng, 0, int(20000 * scale)) if rng.random() < 0.1 else None,
        "other": _thousands(rng, 0, int(2000 * scale)) if rng.random() < 0.25 else None,
        "general": _thousands(rng, 1, int(12000 * scale)),
    }
    staff = Decimal(rng.randint(10, 300)) / 100
    hours = (staff * Decimal(rng.randint(1500, 1900))).quantize(Decimal("0.01"))
    figures = {
        **sources,
        "project_cost": sum(int(value or 0) for value in sources.values()),
        "staff_count": staff,
        "staff_hours": hours,
        "staff_cost": _thousands(rng, 1, 30000) if rng.random() < 0.15 else None,
    }
    return CostRow(year, basis, figures)


def measure_extras(writer: Writer, code: str, period: range) -> Extras:
    """The extras of the measure ``code``, drawn from ``writer``'s stream (not the shape's)."""
    rng = writer.rng
    extras = Extras()
    extras.node_texts = {
        "target-group": f"{writer.phrase(0.0)}に関わる市民・団体(施策{code})",
        "intent": f"{writer.phrase(0.0)}を図ります(施策{code})",
    }
    for year in period:
        if rng.random() < 0.6:
            extras.year_texts.append(
                (year, "issues", f"・{writer.phrase(0.0)}が課題です(施策{code}、{year}年度)")
            )
        extras.reasons[year] = _reason(writer, code, year, "達成状況")
        for key, (_code, name, _good, levels), weights in JUDGEMENTS:
            level = rng.choices(range(len(levels)), weights)[0]
            extras.ratings.append((year, key, level, _reason(writer, code, year, name)))
    scale = rng.choice((0.3, 1.0, 1.0, 3.0))
    extras.costs = [_cost(rng, year, Cost.Basis.ACTUAL, scale) for year in period]
    extras.costs.append(_cost(rng, period.stop, Cost.Basis.BUDGET, scale))
    if rng.random() < 0.2:
        extras.costs.insert(0, _cost(rng, None, Cost.Basis.PLAN, scale * (len(period) + 1)))
    if rng.random() < 0.3:
        base = rng.randint(100, 5000)
        extras.indicator = IndicatorRow(
            name=f"{rng.choice(writer.v.cores)}の対象者数",
            kind=Indicator.Kind.TARGET_GROUP,
            unit="人",
            direction=Indicator.Direction.HIGHER,
            baseline_value=Decimal(base),
            baseline_year=period.start - 1,
            values=[(year, None, Decimal(round(base * rng.uniform(0.9, 1.1)))) for year in period],
        )
    return extras


def _reason(writer: Writer, code: str, year: int, name: str) -> str:
    return (
        f"{writer.phrase(0.0)}の状況から、{name}を{writer.rng.choice(REASON_TAILS)}(施策{code}、{year}年度)。"
    )
