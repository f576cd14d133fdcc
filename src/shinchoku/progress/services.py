"""Writes to a node's progress rows, one at a time: targets, results with their
ratings, and indicators with their yearly values.

As in ``plans.services``: each ``<entity>_create`` / ``_update`` / ``_delete`` takes the
acting user as the keyword ``actor``, runs in one transaction, validates with the
model's rules (a year inside the plan period, a rating on its dimension's scale …) and
records one audit row with the fields it changed before → after. A target, result or
indicator is recorded as part of its node, a rating as part of its result, a value as
part of its indicator, so that their histories list them.

The yearly round writes results and ratings when it publishes (``review.services``),
recorded on the entries published.
"""

from __future__ import annotations

from shinchoku.audit.writes import row_services
from shinchoku.progress.models import Indicator, IndicatorValue, Rating, Result, Target

# A target is changed by a revision (``revised_text`` with its ``revision_reason``); a
# result is deleted with its ratings, an indicator with its values.
target_create, target_update, target_delete = row_services(Target, part_of="node")
result_create, result_update, result_delete = row_services(Result, part_of="node")
rating_create, rating_update, rating_delete = row_services(Rating, part_of="result")
indicator_create, indicator_update, indicator_delete = row_services(Indicator, part_of="node")
indicator_value_create, indicator_value_update, indicator_value_delete = row_services(
    IndicatorValue, part_of="indicator"
)
