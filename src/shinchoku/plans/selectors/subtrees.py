"""Which part of a plan a sum or a count covers: the whole plan, the subtree under one
node, or each of several subtrees at once (the plan areas of the annual report).

The counts and sums of the whole plan and of the subtree under a node of a level that is
not rated (a plan area, a programme) are kept at write time (``shinchoku.published``):
read from there (``Scope.kept``). Under a rated node (a measure and its projects, a few
rows) they are counted as the rows stand, as a condition of one query, several subtrees
told apart by a computed column, so that a table per subtree still costs one query
whatever the number of subtrees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Case, IntegerField, Model, Q, QuerySet, Value, When

from shinchoku.plans.models import Node

_M = TypeVar("_M", bound=Model)

#: The name of the computed column that says which subtree a row falls in.
SUBTREE = "subtree"


@dataclass(frozen=True)
class Scope:
    """The whole plan (no node), the subtree under ``under``, or each subtree of ``each``
    (which must not overlap: a row counts in the first one whose path it starts with)."""

    under: Node | None = None
    each: tuple[Node, ...] | None = None
    #: Count as the rows stand even where the counts are kept (to check what is kept).
    live: bool = False

    @classmethod
    def of(
        cls, under: Node | None = None, each: Sequence[Node] | None = None, *, live: bool = False
    ) -> Scope:
        return cls(under=under, each=tuple(each) if each is not None else None, live=live)

    @property
    def kept(self) -> bool:
        """Whether the counts of this scope are read from those kept: the whole plan, or
        subtrees under nodes of levels that are not rated."""
        nodes = self.each if self.each is not None else (self.under,) if self.under is not None else ()
        return not self.live and not any(node.level.rated for node in nodes)

    def apply_kept(self, rows: QuerySet[_M]) -> QuerySet[_M]:
        """``rows`` of a kept table (``shinchoku.published.models``) limited to the scope."""
        if self.each is not None:
            return rows.filter(node__in=[node.pk for node in self.each])
        if self.under is not None:
            return rows.filter(node=self.under.pk)
        return rows.filter(node__isnull=True)

    @property
    def keys(self) -> tuple[int | None, ...]:
        """The key of each table: the subtree's node id, or None for one table."""
        if self.each is not None:
            return tuple(node.pk for node in self.each)
        return (None,)

    @property
    def fields(self) -> tuple[str, ...]:
        """The columns to group by before the others: the subtree's, when there are several."""
        return (SUBTREE,) if self.each is not None else ()

    def apply(self, rows: QuerySet[_M], node: str) -> QuerySet[_M]:
        """``rows`` limited to the scope, ``node`` naming the path to their node ("" for
        nodes themselves, "node__", "result__node__"); with several subtrees, each row
        marked with its subtree's node id in the column ``SUBTREE``."""
        path = f"{node}path__startswith"
        if self.each is not None:
            condition = Q(pk__in=[])
            for subtree in self.each:
                condition |= Q(**{path: subtree.path})
            return rows.filter(condition).annotate(
                **{
                    SUBTREE: Case(
                        *(When(**{path: subtree.path}, then=Value(subtree.pk)) for subtree in self.each),
                        output_field=IntegerField(),
                    )
                }
            )
        if self.under is not None:
            return rows.filter(**{path: self.under.path})
        return rows
