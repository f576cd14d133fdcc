"""What every part of the generator shares: its error, the limits of its arguments,
the first fiscal year and the seed's rating scale."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug

FIRST_YEAR = 2011
MAX_YEARS = 30
SCALE_CODE = "kawasaki-achievement"

# Share of each rating level (the codes of the seed's scale, best first): mostly 3, as in real reports.
RATING_WEIGHTS = (4, 14, 62, 14, 6)


class SynthError(ValueError):
    """Arguments that cannot make a plan; nothing was written."""


def check_arguments(*, measures: int, years: int, code: str) -> None:
    """Raise SynthError unless the arguments can make a plan."""
    if measures < 1:
        raise SynthError(f"--measures must be at least 1, not {measures}")
    if not 1 <= years <= MAX_YEARS:
        raise SynthError(f"--years must be between 1 and {MAX_YEARS}, not {years}")
    try:
        validate_slug(code)
    except ValidationError as error:
        raise SynthError(f"the plan code {code!r} may contain only ASCII letters, digits, - and _") from error
    if len(code) > 64:
        raise SynthError(f"the plan code {code!r} is longer than 64 characters")
