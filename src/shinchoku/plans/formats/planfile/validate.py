"""Refusals while writing, told with their place in the file.

Every object the writer writes is validated with its model's own rules (its
fields, ``clean``, its unique and other constraints), so that a rule of a model
holds for files too; what a model refuses is reported on the key of the file
that holds the field (``_FILE_KEYS``), with its line. What only the database can
refuse is reported on the object being written: a constraint or a trigger in the
database's own words, rows still in use counted by kind, never dumped.
``Reporter`` collects these problems; ``refuse_if_any`` raises ``WriteRefused``,
which rolls the write back.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import DataError, IntegrityError, models
from django.db.models import ProtectedError, RestrictedError
from django.utils import translation

from shinchoku.plans.formats.planfile.spec import Path_, Problem
from shinchoku.plans.formats.planfile.yamlsource import Located
from shinchoku.plans.models import Dimension, Level, Marker, Node, NodeUnit, OrgUnit, Plan, Scale, ScaleLevel
from shinchoku.progress.models import Indicator, IndicatorValue, Rating, Result, Target

#: Where a field stands in the file, relative to the object's path: a key, a path
#: of keys, or () for the object itself.
_FileKey = str | tuple[str, ...]


def _same(*names: str) -> dict[str, _FileKey]:
    return {name: name for name in names}


#: Where a model's fields stand in the file. A field not listed is reported on the
#: object with the field's name.
_FILE_KEYS: dict[type[models.Model], dict[str, _FileKey]] = {
    Plan: _same("code", "title", "period_label", "first_year", "last_year", "onwards", "description", "note"),
    Level: _same("key", "kind", "name", "name_en", "rated"),
    Scale: _same("code", "name", "name_en", "good_end", "description"),
    ScaleLevel: _same("code", "label", "label_en", "adverse"),
    Dimension: _same("key", "name", "name_en", "level", "scale", "primary"),
    Marker: _same("symbol", "name", "name_en", "meaning", "note"),
    OrgUnit: _same("code", "name", "kind", "parent"),
    Node: _same("level", "code", "label", "title", "summary", "baseline", "note"),
    NodeUnit: _same("unit", "role"),
    Target: {
        **_same("row", "text", "note"),
        "start_year": "years",
        "end_year": "years",
        "open_end": "years",
        "revised_text": ("revised", "text"),
        "revision_reason": ("revised", "reason"),
    },
    Result: {**_same("text", "context_change", "response", "highlight", "note"), "fiscal_year": "year"},
    Rating: {"level": (), "dimension": ()},
    Indicator: {
        **_same("name", "kind", "unit", "direction"),
        "baseline_value": ("baseline", "value"),
        "baseline_year": ("baseline", "year"),
    },
    IndicatorValue: {**_same("target", "actual"), "fiscal_year": "year"},
}


class WriteRefused(Exception):
    """Rolls the write back; carries the problems found while writing."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


class Reporter:
    """Collects the problems found while writing, each with its path and line:
    what a model's validation refuses and what the database refuses."""

    def __init__(self, located: Located | None) -> None:
        self.located = located
        self.problems: list[Problem] = []
        self.at: Path_ = ()  # the path of the object being written, for the database's refusals

    def problem(self, path: Path_, message: str) -> None:
        self.problems.append(Problem.at(self.located, path, message))

    def refuse_if_any(self) -> None:
        if self.problems:
            raise WriteRefused(self.problems)

    def validated(
        self, obj: models.Model, path: Path_, *, fields: bool = True, clean: bool = True, unique: bool = True
    ) -> bool:
        """Run the model's validation as ``full_clean`` does (its fields, its own rules
        in ``clean``, its unique and other constraints), or some of its steps when the
        order of writing needs them apart; report what it refuses; True if clean.

        A foreign key set to a row read or written in this transaction is not looked
        up again (that costs a query per key and cannot fail)."""
        self.at = path
        errors: dict[str, list] = {}
        if fields:
            known = [
                field_.name
                for field_ in obj._meta.concrete_fields
                if isinstance(field_, models.ForeignObject)  # the concrete relations
                and field_.is_cached(obj)
                and getattr(obj, field_.name) is not None
                and getattr(obj, field_.name).pk is not None
            ]
            try:
                obj.clean_fields(exclude=known)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if clean:
            try:
                obj.clean()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if unique:
            exclude = set(errors)  # as full_clean does: a field already refused is not looked up
            for step in (obj.validate_unique, obj.validate_constraints):
                try:
                    step(exclude=exclude)
                except ValidationError as error:
                    errors = error.update_error_dict(errors)
        if errors:
            self.report(ValidationError(errors), obj, path)
            return False
        return True

    def report(self, error: ValidationError, obj: models.Model, path: Path_) -> None:
        keys = _FILE_KEYS.get(type(obj), {})
        errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for name, messages in errors.items():
            where, prefix = path, ""
            if name in keys:
                key = keys[name]
                where = (*path, *((key,) if isinstance(key, str) else key))
            elif name != NON_FIELD_ERRORS:
                try:
                    field_ = obj._meta.get_field(name)
                except FieldDoesNotExist:  # a rule may name anything
                    field_ = None
                # Only a model field has a verbose name (not a reverse relation or a generic key).
                prefix = f"{field_.verbose_name}: " if isinstance(field_, models.Field) else f"{name}: "
            for message in messages:
                self.problem(where, prefix + message)

    def database_problem(self, error: DataError | IntegrityError) -> Problem:
        if isinstance(error, ProtectedError | RestrictedError):
            users, _count = count_users(error)
            return Problem.at(
                self.located, self.at, f"the file drops rows that other rows still use ({users})"
            )
        return Problem.at(self.located, self.at, f"the database refused the data: {_database_message(error)}")


def count_users(error: ProtectedError | RestrictedError) -> tuple[str, int]:
    """The rows that block a deletion, counted by kind: ("3 ratings, 1 node", 4)."""
    rows = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    counts: dict[type[models.Model], int] = {}
    for row in rows:
        counts[type(row)] = counts.get(type(row), 0) + 1
    with translation.override(None):  # the sentence around is English
        parts = [
            f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
            for model, count in sorted(counts.items(), key=lambda item: item[0]._meta.label)
        ]
    return ", ".join(parts), sum(counts.values())


def _database_message(error: Exception) -> str:
    """The database's own words: its first line and its DETAIL, never object reprs."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    kept = lines[:1] + [line for line in lines[1:] if line.startswith("DETAIL:")]
    message = " ".join(kept) or type(error).__name__
    return message if len(message) <= 500 else message[:500] + "…"
