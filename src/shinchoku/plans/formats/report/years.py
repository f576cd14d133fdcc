"""Which fiscal year each of a measure's results reports on, and which years a target
cell covers.

A scrambled table does not say which 実施結果 label stands over which text, so a result's
year is decided from its content, each clue weighed:

- the summary pages digest the latest year: the text most like the measure's digest is
  the latest year's (``similarity.overlap``);
- a month named in the text (平成24年1月) falls in one fiscal year (``dates``), a strong
  clue; a fiscal year named (平成24年度募集) a weak one, as a text may speak of the year
  after;
- the label printed nearest before the text, the weakest clue.

The measure's results take distinct years, the assignment with the best total; its
margin over the next best gives the confidence. A year read from a heading printed right
above the text (a report that prints 【実施結果】 under each year) is certain.
"""

from __future__ import annotations

from itertools import permutations

from .dates import dates_in
from .lines import Paragraph
from .similarity import overlap

#: The weight of each clue.
DIGEST_WEIGHT = 3.0
MONTH_WEIGHT = 1.0
FISCAL_WEIGHT = 0.2
LABEL_WEIGHT = 0.1


def year_scores(
    text: str, years: list[int], digest_likeness: float, label_year: int | None
) -> dict[int, float]:
    latest = max(years)
    scores = dict.fromkeys(years, 0.0)
    for year in years:
        if year == latest:
            scores[year] += DIGEST_WEIGHT * digest_likeness
        if label_year == year:
            scores[year] += LABEL_WEIGHT
    for dated in dates_in(text):
        for year in years:
            if dated.kind == "month":
                scores[year] += MONTH_WEIGHT if dated.fiscal_year == year else -MONTH_WEIGHT / 2
            elif dated.fiscal_year == year and not dated.onwards:
                scores[year] += FISCAL_WEIGHT
            elif dated.fiscal_year > year + 1:
                scores[year] -= FISCAL_WEIGHT
    return scores


def assign_years(
    texts: list[Paragraph], years: list[int], digest: str, labels: dict[int, int | None]
) -> list[tuple[int, float, tuple[int, ...], str]]:
    """For each text, its year, the confidence, the other years, and why."""
    if not years:
        return []
    likeness = {id(p): overlap(p.text, digest) if digest else 0.0 for p in texts}
    scores = [year_scores(p.text, years, likeness[id(p)], labels.get(p.first)) for p in texts]
    if len(texts) <= len(years) and len(texts) <= 6:
        options = sorted(
            (
                (sum(scores[i][y] for i, y in enumerate(chosen)), chosen)
                for chosen in permutations(years, len(texts))
            ),
            key=lambda item: -item[0],
        )
        best_total, best = options[0]
        margin = best_total - options[1][0] if len(options) > 1 else 1.0
        confidence = min(0.95, 0.45 + margin / 2)
        out = []
        for index, year in enumerate(best):
            others = tuple(sorted((y for y in years if y != year), key=lambda y: -scores[index][y]))
            out.append(
                (
                    year,
                    confidence,
                    others,
                    _why(texts[index].text, year, max(years), likeness[id(texts[index])]),
                )
            )
        return out
    out = []
    for index, paragraph in enumerate(texts):
        ranked = sorted(years, key=lambda y: -scores[index][y])
        margin = scores[index][ranked[0]] - (scores[index][ranked[1]] if len(ranked) > 1 else 0)
        out.append(
            (
                ranked[0],
                min(0.5, 0.3 + margin / 2),
                tuple(ranked[1:]),
                "more texts than years for this measure: " + _why(paragraph.text, ranked[0], max(years), 0),
            )
        )
    return out


def _why(text: str, year: int, latest: int, likeness: float) -> str:
    reasons = []
    if year == latest and likeness >= 0.3:
        reasons.append(f"like the summary pages' digest of the latest year ({likeness:.0%} of its bigrams)")
    elif likeness >= 0.3:
        reasons.append(f"less like the latest year's digest than the measure's other text ({likeness:.0%})")
    months = [d.written for d in dates_in(text) if d.kind == "month" and d.fiscal_year == year]
    if months:
        reasons.append("dated " + ", ".join(months) + f", in fiscal year {year}")
    if not reasons:
        reasons.append("by elimination among the measure's texts")
    return "; ".join(reasons)
