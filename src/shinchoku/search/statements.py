"""The search's queries compiled once and run again with other values.

A search runs the same few queries each time with other terms and ids, and building and
compiling one with the ORM costs a good part of a millisecond (a walk of the nodes, with
its subqueries, over one), as much as the database spends on some of them. Each is built
once per shape (what it filters on, how many terms), by the ORM as any query, with marks
in the place of the values that change: terms no document holds (``term_mark``) and ids
no node has (``IDS_MARK``). Its SQL and parameters are kept, and each run puts the
values in the marks' places, a ``models.Term`` or ``Ids`` made the parameter the lookup
makes of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet

from .models import Ids, Term


def _parameter(value: Any, connection: BaseDatabaseWrapper) -> Any:
    """A value as its lookup sends it: a ``models.Term`` or ``Ids`` made the parameter
    the lookup makes of it, anything else as it is."""
    return value.parameter(connection) if isinstance(value, Term | Ids) else value


#: The ids of a mark for a list of ids (no row has a negative id).
IDS_MARK = Ids([-1])


def term_mark(index: int = 0) -> str:
    """A term no text holds (a character of Unicode's private use planes), for the
    ``index``-th term of a query compiled for any."""
    return chr(0xF0000 + index)


@dataclass(frozen=True)
class Statement:
    """A query's SQL and parameters, and which parameter is which value (``slots``)."""

    alias: str
    sql: str
    params: tuple[Any, ...]
    #: The position among ``params`` of each value named when it was compiled.
    slots: Mapping[str, int]

    @classmethod
    def compiled(cls, query: QuerySet[Any, Any], marks: Mapping[str, Any]) -> Statement:
        """The query (of the database it reads), ``marks`` the parameters it was built
        with in the place of each named value (as the lookup is given it: a ``Term``,
        ``Ids``, a number), each of which must be one parameter."""
        connection = connections[query.db]
        sql, params = query.query.get_compiler(using=query.db).as_sql()
        slots = {}
        for name, mark in marks.items():
            marked = _parameter(mark, connection)
            at = [i for i, param in enumerate(params) if param == marked]
            if len(at) != 1:
                raise ValueError(f"{name} is not one parameter of the query: {sql}")
            slots[name] = at[0]
        return cls(query.db, sql, tuple(params), slots)

    @property
    def connection(self) -> BaseDatabaseWrapper:
        return connections[self.alias]

    def rows(self, values: Mapping[str, Any], around: tuple[str, str] = ("", "")) -> list[tuple[Any, ...]]:
        """The rows of the query with these values (every one named when compiled, given
        as its mark was), as the database gives them (no conversion by the ORM: a boolean
        is 0 or 1 on SQLite); ``around``: statements sent before and after it
        (``sent_with``)."""
        params = list(self.params)
        for name, at in self.slots.items():
            params[at] = _parameter(values[name], self.connection)
        return sent_with(self.connection, self.sql, params, around)


def sent_with(
    connection: BaseDatabaseWrapper, sql: str, params: Any, around: tuple[str, str] = ("", "")
) -> list[tuple[Any, ...]]:
    """The rows of a query sent in one message with statements before and after it
    (``around``: each statement ending in ";", none giving rows, none with a parameter).
    On PostgreSQL the statements of one message outside a transaction are a transaction
    of their own, which a setting of ``SET LOCAL`` before the query lasts for, and no
    longer; within a transaction, the statements after set it back."""
    before, after = around
    with connection.cursor() as cursor:
        cursor.execute(f"{before}{sql}{'; ' if after else ''}{after}", params)
        # The query's rows: the statements around it give none.
        while cursor.description is None and cursor.nextset():
            pass
        return list(cursor.fetchall())
