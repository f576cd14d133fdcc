"""The chart of an indicator: its target and actual value in each fiscal year, with the
achievement rate written under the year, drawn from the figures of the indicator's table
on the measure page (``IndicatorView.points``), which stands right after it."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext, ngettext

from shinchoku import fiscal
from shinchoku.plans.selectors import IndicatorView, format_decimal, format_rate

from .drawing import WIDTH, Chart, LegendItem, LinePoint, alt, line_chart, sentences
from .palette import INK, Fill


def indicator_chart(indicator: IndicatorView, *, key: str) -> Chart | None:
    """None for an indicator with no target nor actual value in any year."""
    points = [
        _Figures(p.fiscal_year, _number(p.target), _number(p.actual), _number(p.rate))
        for p in indicator.points
    ]
    if not any(p.target is not None or p.actual is not None for p in points):
        return None
    shapes, height = line_chart(
        [
            LinePoint(fiscal.year_label_parts(p.fiscal_year)[0], format_rate(p.rate), p.target, p.actual)
            for p in points
        ]
    )
    compared = [p for p in points if p.rate is not None]
    said = []
    if compared:
        last = compared[-1]
        said.append(
            gettext(
                "In %(year)s the actual value was %(actual)s%(unit)s against a target of"
                " %(target)s%(unit)s: an achievement rate of %(rate)s."
            )
            % {
                "year": fiscal.year_label_parts(last.fiscal_year)[0],
                "actual": format_decimal(last.actual),
                "target": format_decimal(last.target),
                "unit": indicator.unit,
                "rate": format_rate(last.rate),
            }
        )
        if len(compared) > 1:
            met = sum(1 for p in compared if p.rate is not None and p.rate >= 100)
            said.append(
                ngettext(
                    "The target was met in %(met)s of the %(count)s year with both values.",
                    "The target was met in %(met)s of the %(count)s years with both values.",
                    len(compared),
                )
                % {"met": met, "count": len(compared)}
            )
    else:
        said.append(gettext("No year has both a target and an actual value yet."))
    line = Fill("line", INK)
    return Chart(
        key=key,
        kind="lines",
        title=gettext("%(indicator)s: target and actual by fiscal year") % {"indicator": indicator.caption},
        summary=sentences(said),
        alt=alt(gettext("A line chart of the target and actual values by fiscal year")),
        width=WIDTH,
        height=height,
        shapes=shapes,
        fills=(),
        legend=(
            LegendItem(line, gettext("Target value"), line="target"),
            LegendItem(line, gettext("Actual value"), line="actual"),
            LegendItem(line, gettext("Achievement rate (under each year)"), line="rate"),
        ),
        table=None,
        table_caption=indicator.caption,
    )


class _Figures(NamedTuple):
    fiscal_year: int
    target: Decimal | None
    actual: Decimal | None
    rate: Decimal | None


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)
