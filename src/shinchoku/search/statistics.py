"""What PostgreSQL's statistics say of the search's tokens: which tokens are common in a
column of tokens, and in what share of its rows (``ANALYZE``), which the search plans
its queries by (``planner.Planner``)."""

from __future__ import annotations

import time

from django.db.backends.base.base import BaseDatabaseWrapper

from .models import SearchDocument

#: How long a process keeps the statistics of the tokens, in seconds.
STATISTICS_AGE = 600

_kept: dict[tuple[str, str, str], tuple[float, dict[str, float]]] = {}


def common_tokens(
    connection: BaseDatabaseWrapper, table: str = SearchDocument._meta.db_table, column: str = "tokens"
) -> dict[str, float]:
    """The tokens PostgreSQL's statistics count as common in a column of tokens (the
    documents' by default), with the share of rows holding each (``ANALYZE``; the
    column keeps up to 10,000 of them), read once every ``STATISTICS_AGE`` seconds by
    each process."""
    now = time.monotonic()
    key = (connection.alias, table, column)
    kept = _kept.get(key)
    if kept is not None and now - kept[0] < STATISTICS_AGE:
        return kept[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text, most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = %s AND attname = %s",
            [table, column],
        )
        row = cursor.fetchone()
    common: dict[str, float] = {}
    if row is not None and row[0]:
        names = row[0].strip("{}").split(",")
        common = dict(zip(names, row[1], strict=False))
    _kept[key] = (now, common)
    return common
