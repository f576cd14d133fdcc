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

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from shinchoku.audit.writes import row_create, row_delete, row_update
from shinchoku.progress.models import Indicator, IndicatorValue, Rating, Result, Target

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def target_create(target: Target, *, actor: User) -> Target:
    return row_create(target, actor=actor, part_of=target.node)


@transaction.atomic
def target_update(target: Target, *, data: Mapping[str, Any], actor: User) -> Target:
    """Change the target's fields in ``data`` (a revision: ``revised_text`` with its ``revision_reason``)."""
    return row_update(target, data, actor=actor, part_of=target.node)


@transaction.atomic
def target_delete(target: Target, *, actor: User) -> None:
    row_delete(target, actor=actor, part_of=target.node)


@transaction.atomic
def result_create(result: Result, *, actor: User) -> Result:
    return row_create(result, actor=actor, part_of=result.node)


@transaction.atomic
def result_update(result: Result, *, data: Mapping[str, Any], actor: User) -> Result:
    return row_update(result, data, actor=actor, part_of=result.node)


@transaction.atomic
def result_delete(result: Result, *, actor: User) -> None:
    """Delete the result with its ratings."""
    row_delete(result, actor=actor, part_of=result.node)


@transaction.atomic
def rating_create(rating: Rating, *, actor: User) -> Rating:
    return row_create(rating, actor=actor, part_of=rating.result)


@transaction.atomic
def rating_update(rating: Rating, *, data: Mapping[str, Any], actor: User) -> Rating:
    return row_update(rating, data, actor=actor, part_of=rating.result)


@transaction.atomic
def rating_delete(rating: Rating, *, actor: User) -> None:
    row_delete(rating, actor=actor, part_of=rating.result)


@transaction.atomic
def indicator_create(indicator: Indicator, *, actor: User) -> Indicator:
    return row_create(indicator, actor=actor, part_of=indicator.node)


@transaction.atomic
def indicator_update(indicator: Indicator, *, data: Mapping[str, Any], actor: User) -> Indicator:
    return row_update(indicator, data, actor=actor, part_of=indicator.node)


@transaction.atomic
def indicator_delete(indicator: Indicator, *, actor: User) -> None:
    """Delete the indicator with its values."""
    row_delete(indicator, actor=actor, part_of=indicator.node)


@transaction.atomic
def indicator_value_create(value: IndicatorValue, *, actor: User) -> IndicatorValue:
    return row_create(value, actor=actor, part_of=value.indicator)


@transaction.atomic
def indicator_value_update(value: IndicatorValue, *, data: Mapping[str, Any], actor: User) -> IndicatorValue:
    return row_update(value, data, actor=actor, part_of=value.indicator)


@transaction.atomic
def indicator_value_delete(value: IndicatorValue, *, actor: User) -> None:
    row_delete(value, actor=actor, part_of=value.indicator)
