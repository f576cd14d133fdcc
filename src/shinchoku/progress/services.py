"""Writes to a node's progress rows, one at a time: targets, results with their
ratings and section texts, indicators with their yearly values, costs, and a plan's
hourly staff costs.

As in ``plans.services``: each ``<entity>_create`` / ``_update`` / ``_delete`` takes the
acting user as the keyword ``actor``, runs in one transaction, validates with the
model's rules (a year inside the plan period, a rating on its dimension's scale, a cost
never negative …) and records one audit row with the fields it changed before → after.
A target, result, indicator or cost is recorded as part of its node, a rating or a
section text as part of its result, a value as part of its indicator, an hourly staff
cost as part of its plan, so that their histories list them. A cost's 人件費 (B), when
not given, is priced from its staff hours at the plan's hourly staff cost of the year,
and its total is always A + B (``progress.models.Cost``).

The yearly round writes results and ratings when it publishes (``review.services``),
recorded on the entries published.
"""

from __future__ import annotations

from shinchoku.audit.writes import row_services
from shinchoku.progress.models import (
    Cost,
    Indicator,
    IndicatorValue,
    Rating,
    Result,
    ResultSectionText,
    StaffRate,
    Target,
)

# A target is changed by a revision (``revised_text`` with its ``revision_reason``); a
# result is deleted with its ratings, an indicator with its values.
target_create, target_update, target_delete = row_services(Target, part_of="node")
result_create, result_update, result_delete = row_services(Result, part_of="node")
rating_create, rating_update, rating_delete = row_services(Rating, part_of="result")
indicator_create, indicator_update, indicator_delete = row_services(Indicator, part_of="node")
indicator_value_create, indicator_value_update, indicator_value_delete = row_services(
    IndicatorValue, part_of="indicator"
)
result_section_text_create, result_section_text_update, result_section_text_delete = row_services(
    ResultSectionText, part_of="result"
)
cost_create, cost_update, cost_delete = row_services(Cost, part_of="node")
staff_rate_create, staff_rate_update, staff_rate_delete = row_services(StaffRate, part_of="plan")
