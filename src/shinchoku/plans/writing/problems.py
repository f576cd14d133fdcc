"""What writing a plan's content refuses, told on the item of the content it concerns.

Every object the writer writes is validated with its model's own rules (its fields,
``clean``, its unique and other constraints), so that a rule of a model holds for every
file format. A refusal is a ``WriteProblem``: the kind of item, its ``source`` (where
its converter read it), the field it concerns when the content gives that field (else
the field's name leads the message) and what is wrong. What only the database refuses
(a constraint or a trigger, in the database's own words; rows still in use, counted by
kind) is told on the item being written. ``PlanWriteRefused`` carries every problem of
a write, which is then rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import DataError, IntegrityError, models, router
from django.db.models import ProtectedError, RestrictedError
from django.utils import translation

from shinchoku.errors import ApplicationError, ErrorCode
from shinchoku.plans.content import FIELDS, Source


@dataclass(frozen=True)
class WriteProblem:
    """A refusal met while writing: on the ``kind`` of item (``content.FIELDS``) read at
    ``source``, on its ``field`` ("" for the item as a whole)."""

    kind: str
    source: Source
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.kind} {self.source!r}" + (f".{self.field}" if self.field else "")
        return f"{where}: {self.message}"


class PlanWriteRefused(ApplicationError):
    """Writing a plan's content was refused: nothing was written. ``problems`` says where
    and why, each on the item of the content it concerns."""

    code = ErrorCode.INVALID

    def __init__(self, problems: Sequence[WriteProblem]) -> None:
        self.problems = list(problems)
        super().__init__(self.code, "\n".join(str(problem) for problem in self.problems))


class Reporter:
    """Collects the problems found while writing: what a model's validation refuses and
    what the database refuses, each on its item."""

    def __init__(self) -> None:
        self.problems: list[WriteProblem] = []
        #: The item being written, for what the database refuses: (kind, source).
        self.at: tuple[str, Source] = ("plan", None)

    def problem(self, kind: str, source: Source, field: str, message: str) -> None:
        self.problems.append(WriteProblem(kind, source, field, message))

    def refuse_if_any(self) -> None:
        if self.problems:
            raise PlanWriteRefused(self.problems)

    def validated(
        self,
        obj: models.Model,
        kind: str,
        source: Source,
        *,
        fields: bool = True,
        clean: bool = True,
        unique: bool = True,
    ) -> bool:
        """Run the model's validation as ``full_clean`` does (its fields, its own rules in
        ``clean``, its unique constraints), or some of its steps when the order of writing
        needs them apart (``unique`` False for a row whose parent is new in this write: no
        stored row can clash with it); report what it refuses; True if clean.

        A foreign key set to a row read or written in this transaction, or to a new row
        that is inserted before this one (``NodeWriter.insert_new``), is not looked up again
        (that costs a query per key and cannot fail). A check constraint is left to
        the database, which keeps it: each repeats a rule that the fields' validators or
        ``clean`` have just applied (a cost never negative, a title never empty …), and
        checking it here would cost a query per row and constraint."""
        self.at = (kind, source)
        errors: dict[str, list[Any]] = {}
        if fields:
            known = [
                field_.name
                for field_ in obj._meta.concrete_fields
                if isinstance(field_, models.ForeignObject)  # the concrete relations
                and field_.is_cached(obj)
                and getattr(obj, field_.name) is not None
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
            for step in (obj.validate_unique, lambda exclude: unique_constraints(obj, exclude)):
                try:
                    step(exclude=exclude)
                except ValidationError as error:
                    errors = error.update_error_dict(errors)
        if errors:
            self.report(ValidationError(errors), obj, kind, source)
            return False
        return True

    def report(self, error: ValidationError, obj: models.Model, kind: str, source: Source) -> None:
        """A model's refusal, each message on the field of the content it names, or on the
        item with the field's name before it."""
        given = FIELDS.get(kind, frozenset())
        errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for name, messages in errors.items():
            field, prefix = "", ""
            if name in given:
                field = name
            elif name != NON_FIELD_ERRORS:
                try:
                    field_ = obj._meta.get_field(name)
                except FieldDoesNotExist:  # a rule may name anything
                    field_ = None
                # Only a model field has a verbose name (not a reverse relation or a generic key).
                prefix = f"{field_.verbose_name}: " if isinstance(field_, models.Field) else f"{name}: "
            for message in messages:
                self.problem(kind, source, field, prefix + message)

    def database_problem(self, error: DataError | IntegrityError) -> WriteProblem:
        kind, source = self.at
        if isinstance(error, ProtectedError | RestrictedError):
            users, _count = count_users(error)
            return WriteProblem(kind, source, "", f"the file drops rows that other rows still use ({users})")
        return WriteProblem(kind, source, "", f"the database refused the data: {_database_message(error)}")


def unique_constraints(obj: models.Model, exclude: set[str]) -> None:
    """``validate_constraints`` of the unique constraints only: the check constraints are
    left to the database (see ``Reporter.validated``)."""
    using = router.db_for_write(type(obj), instance=obj)
    errors: dict[str, list[Any]] = {}
    for model_class, constraints in obj.get_constraints():
        for constraint in constraints:
            if not isinstance(constraint, models.UniqueConstraint):
                continue
            try:
                constraint.validate(model_class, obj, exclude=exclude, using=using)  # type: ignore[attr-defined]
            except ValidationError as error:
                errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


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


def named(noun: str, names: Sequence[Any], most: int | None = None) -> str:
    """The noun, in the plural for more than one, and the names quoted: "the level '5'",
    "the plans 'a', 'b'"; past ``most`` names, the rest is cut to "…"."""
    shown = ", ".join(repr(str(name)) for name in names[:most])
    if most is not None and len(names) > most:
        shown += ", …"
    return f"the {noun}{'s' if len(names) > 1 else ''} {shown}"
