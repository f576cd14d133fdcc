"""A plan's period, the one home of the rule "data stays inside the plan period".

A plan runs from its first to its last fiscal year; when it has an onwards column
(2014年度以降), targets and indicator values may also name the year after it, and so may a
budgeted or planned cost and the hourly staff cost. Results and actual costs are for the
years of the period only. ``Period`` answers "may this year be named" for a
result, a target or a value, for the checkers of every file format, and
``Period.recorded_outside`` finds data already stored that a new period would leave
outside, for ``Plan.clean`` and the importers that change a plan's period.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class Period:
    """The fiscal years ``first``..``last`` of a plan, with or without the onwards column."""

    first: int
    last: int
    onwards: bool = True

    @property
    def onwards_year(self) -> int | None:
        """The year of the onwards column (the year after the period), or None without one."""
        return self.last + 1 if self.onwards else None

    @property
    def result_years(self) -> range:
        """The years a result may be for: the period."""
        return range(self.first, self.last + 1)

    @property
    def target_years(self) -> range:
        """The years a target or an indicator value may name: the period and the onwards
        column's year."""
        return range(self.first, self.last + (2 if self.onwards else 1))

    def cost_years(self, planned: bool) -> range:
        """The years a cost may be for: an actual one (``planned`` False), the period; a
        budget or plan, also the onwards column's year. A cost of no year is for the
        whole period."""
        return self.target_years if planned else self.result_years

    def holds_target(self, start_year: int, end_year: int, open_end: bool) -> bool:
        """Whether a target of these years fits the period: both ends are years a target
        may name, and it is open-ended only when the plan has an onwards column."""
        years = self.target_years
        return start_year in years and end_year in years and (self.onwards or not open_end)

    def recorded_outside(
        self,
        nodes: QuerySet[Any] | Collection[int],
        *,
        targets_of: QuerySet[Any] | Collection[int] | None = None,
    ) -> int | None:
        """A fiscal year of data stored for ``nodes`` (nodes or their ids) that falls
        outside the period, or None when all of it fits: a result outside
        ``result_years``, a target that ``holds_target`` refuses (its first year), an
        indicator value outside ``target_years``. ``targets_of``: the nodes whose stored
        targets count (by default ``nodes``), for a file that replaces the others' targets.

        The progress models are looked up by name: they refer to the plan's models, which
        ask this, so this module does not import them."""
        result, target, indicator_value, cost = (
            apps.get_model("progress", name) for name in ("Result", "Target", "IndicatorValue", "Cost")
        )
        targets_of = nodes if targets_of is None else targets_of
        last_named = self.target_years[-1]
        target_fits = Q(start_year__gte=self.first, end_year__lte=last_named)
        if not self.onwards:
            target_fits &= Q(open_end=False)
        found = [
            *result.objects.filter(node__in=nodes)
            .exclude(fiscal_year__range=(self.first, self.last))
            .values_list("fiscal_year", flat=True)[:1],
            *target.objects.filter(node__in=targets_of)
            .exclude(target_fits)
            .values_list("start_year", flat=True)[:1],
            *indicator_value.objects.filter(indicator__node__in=nodes)
            .exclude(fiscal_year__range=(self.first, last_named))
            .values_list("fiscal_year", flat=True)[:1],
            *cost.objects.filter(node__in=nodes, fiscal_year__isnull=False)
            .exclude(cost.planned_q() & Q(fiscal_year__range=(self.first, last_named)))
            .exclude(~cost.planned_q() & Q(fiscal_year__range=(self.first, self.last)))
            .values_list("fiscal_year", flat=True)[:1],
        ]
        return found[0] if found else None
