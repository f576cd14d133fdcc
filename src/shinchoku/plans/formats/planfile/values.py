"""Single values of a plan data file, read within the models' limits.

``ValueChecker`` holds the checker's primitives: each reads one value of the parsed
document (a mapping, a list, text, a number, a choice …) and records a Problem
with its path and line instead of stopping at the first. The limits it applies
are the models' own (field lengths, the integer ranges of the column types and
validators, decimal digits), so that a value the database would refuse is named
with its line before anything is written.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from decimal import Context, Decimal, InvalidOperation
from functools import cache
from typing import Any, TypeVar

from django.core.validators import MaxValueValidator, MinValueValidator, slug_re
from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations

from shinchoku.plans.formats.matching import identity
from shinchoku.plans.formats.planfile.spec import Path_, Problem
from shinchoku.plans.formats.planfile.yamlsource import Located
from shinchoku.plans.models import YEAR_VALIDATORS
from shinchoku.text import normalize

# ---------------------------------------------------------------- the models' limits


_Field = TypeVar("_Field", bound=models.Field)


def _model_field(model: type[models.Model], name: str, kind: type[_Field]) -> _Field:
    """The model's field ``name``, checked to be a ``kind``."""
    field_ = model._meta.get_field(name)
    if not isinstance(field_, kind):
        raise TypeError(f"{model.__name__}.{name} is not a {kind.__name__}")
    return field_


def field_max_length(model: type[models.Model], name: str) -> int:
    """The field's max_length; 0 when it has none (no limit)."""
    return _model_field(model, name, models.Field).max_length or 0


@cache
def field_int_range(model: type[models.Model], name: str, year: bool = False) -> tuple[int, int]:
    """The bounds an integer field accepts on every database: the range of its
    column type (a PositiveSmallIntegerField holds 0..32767 on PostgreSQL, although
    SQLite would hold more), its own validators and, for a year, YEAR_VALIDATORS."""
    field_ = _model_field(model, name, models.IntegerField)
    low, high = BaseDatabaseOperations.integer_field_ranges[field_.get_internal_type()]
    # A field's validators are its defaults, its own and its database's column range.
    for validator in [*field_.validators, *(YEAR_VALIDATORS if year else [])]:
        if isinstance(validator, MinValueValidator):
            low = max(low, validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            high = min(high, validator.limit_value)
    return low, high


def field_decimal_limits(model: type[models.Model], name: str) -> tuple[int, int]:
    """(digits before the decimal point, digits after) of a DecimalField."""
    field_ = _model_field(model, name, models.DecimalField)
    return field_.max_digits - field_.decimal_places, field_.decimal_places


def _sqlite_reads_back(number: Decimal, max_digits: int, places: int) -> bool:
    """SQLite keeps a decimal as a float, read back with 15 significant digits and
    quantized to the field: a value that rounds up to one digit more cannot be read."""
    try:
        Context(prec=15).create_decimal_from_float(float(number)).quantize(
            Decimal(1).scaleb(-places), context=Context(prec=max_digits)
        )
    except InvalidOperation:
        return False
    return True


def kind_of(value: Any) -> str:
    """What a value of the parsed document is, in words: "a mapping", "text" …"""
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


# ---------------------------------------------------------------- reading values


class ValueChecker:
    """Reads single values of the parsed document, collecting problems instead of
    stopping at the first."""

    def __init__(self, located: Located) -> None:
        self.located = located
        self.problems: list[Problem] = []

    def fail(self, path: Path_, message: str) -> None:
        self.problems.append(Problem.at(self.located, path, message))

    def mapping(
        self, value: Any, path: Path_, allowed: AbstractSet[str], required: AbstractSet[str] = frozenset()
    ) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping (key: value), found {kind_of(value)}")
            return {}
        for key in value:
            if key not in allowed:
                self.fail((*path, key), f"unknown key; allowed keys are {', '.join(sorted(allowed))}")
        for key in sorted(required - value.keys()):
            self.fail(path, f"the key {key!r} is missing")
        return value

    def sequence(self, value: Any, path: Path_, required: bool = False) -> list:
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.fail(path, f"expected a list, found {kind_of(value)}")
            return []
        if required and not value:
            self.fail(path, "the list must not be empty")
        return value

    def text(
        self,
        data: dict,
        key: str,
        path: Path_,
        required: bool = False,
        max_length: int = 0,
        *,
        exact: bool = False,
    ) -> str:
        """Text, normalised on the way in; with ``exact``, an identity (a code, a key, a
        symbol, a unit's name, or a reference to one) exactly as written (see
        ``shinchoku.plans.formats.matching``)."""
        value = data.get(key)
        if value is None:
            if required:
                self.fail((*path, key), "must not be empty")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail((*path, key), f"expected text, found {kind_of(value)}")
            return ""
        result = identity(value) if exact else normalize(str(value))
        if required and not result:
            self.fail((*path, key), "must not be empty")
        if max_length and len(result) > max_length:
            self.fail((*path, key), f"is {len(result)} characters long; at most {max_length} are allowed")
        return result

    def field_text(
        self,
        model: type[models.Model],
        data: dict,
        key: str,
        path: Path_,
        required: bool = False,
        *,
        exact: bool = False,
    ) -> str:
        """``text`` for ``model``'s field ``key``: at most as long as the field holds."""
        return self.text(data, key, path, required, field_max_length(model, key), exact=exact)

    def field_slug(self, model: type[models.Model], data: dict, key: str, path: Path_) -> str:
        """``slug`` for ``model``'s field ``key``: at most as long as the field holds."""
        return self.slug(data, key, path, field_max_length(model, key))

    def slug(self, data: dict, key: str, path: Path_, max_length: int) -> str:
        value = self.text(data, key, path, required=True, max_length=max_length, exact=True)
        if value and not slug_re.match(value):
            hint = normalize(value)
            in_half_width = f" (in half-width characters: {hint!r})" if slug_re.match(hint) else ""
            self.fail((*path, key), f"may contain only ASCII letters, digits, - and _{in_half_width}")
        return value

    def integer(
        self, data: dict, key: str, path: Path_, bounds: tuple[int, int], required: bool = True
    ) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail((*path, key), "is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail((*path, key), f"expected a whole number, found {kind_of(value)}")
            return None
        low, high = bounds
        if not low <= value <= high:
            self.fail((*path, key), f"{value} is out of range: must be from {low} to {high}")
            return None
        return value

    def boolean(self, data: dict, key: str, path: Path_, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail((*path, key), f"expected true or false, found {kind_of(value)}")
            return default
        return value

    def choice(
        self, data: dict, key: str, path: Path_, choices: list[str], default: str | None = None
    ) -> str:
        value = data.get(key, default)
        if value not in choices:
            self.fail((*path, key), f"must be one of {', '.join(choices)}; found {value!r}")
            return choices[0]
        return str(value)

    def decimal(self, data: dict, key: str, path: Path_, limits: tuple[int, int]) -> Decimal | None:
        """A number that the DecimalField with ``limits`` (digits before and after the
        decimal point) holds; finer decimals are refused unless they are zeros."""
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            self.fail((*path, key), "expected a number, found true/false")
            return None
        if not isinstance(value, str | int | float):
            self.fail((*path, key), f"expected a number, found {kind_of(value)}")
            return None
        try:
            number = Decimal(normalize(str(value)).replace(",", ""))
        except InvalidOperation:
            self.fail((*path, key), f"expected a number, found {value!r}")
            return None
        if not number.is_finite():
            self.fail((*path, key), "expected a finite number")
            return None
        whole, places = limits
        largest = f"{'9' * whole}.{'9' * places}"
        if number and number.adjusted() >= whole:
            self.fail(
                (*path, key),
                f"{value} is out of range: at most {whole} digits before the decimal point "
                f"and {places} after (from -{largest} to {largest})",
            )
            return None
        exponent = number.as_tuple().exponent  # an int, as the number is finite
        if isinstance(exponent, int) and exponent < -places:
            rounded = number.quantize(Decimal(1).scaleb(-places))
            if rounded != number:
                self.fail(
                    (*path, key), f"{value} is too precise: at most {places} digits after the decimal point"
                )
                return None
            number = rounded
        if connection.vendor == "sqlite" and not _sqlite_reads_back(number, whole + places, places):
            self.fail(
                (*path, key),
                f"{value} is out of range: this database (SQLite) keeps 15 significant digits, "
                f"so a value must stay below {10**whole - 5} in size",
            )
            return None
        return number
