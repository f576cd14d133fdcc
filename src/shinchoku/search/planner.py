"""How a search's queries are run on PostgreSQL (``matching``): the planner's settings
that each way of reading asks for, sent with each query, and what the statistics of the
tokens say of a term and of the scope asked of the index of tokens (``Planner``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from . import tokens
from .models import NodeTokens, kind_column
from .statements import Statement, sent_with
from .statistics import common_tokens
from .tokens import Within

#: What reading a document from the table to filter it costs, in items of a list of the
#: index of tokens read (``index_scope``): about 2.5 µs against 45 ns at 100,000 measures.
SCOPE_RATIO = 50


#: No worker process is started for a search: a query is never split among workers.
NO_WORKERS = {"max_parallel_workers_per_gather": "0"}
#: How the planner may read, on PostgreSQL, by default.
WALK = {
    "enable_seqscan": "on",
    "enable_indexscan": "on",
    "enable_bitmapscan": "on",
    "enable_nestloop": "on",
    "enable_hashjoin": "on",
    "enable_mergejoin": "on",
}
#: ... a common term within a window of nodes: the nodes walked in order, each node's
#: documents through the index of their nodes until one holds the term, which stops at
#: enough nodes (the planner, which takes the tokens of a phrase for independent, would
#: read their lists in the index of tokens instead, or join all the window's documents).
IN_NODE_ORDER = {
    **WALK,
    "enable_seqscan": "off",
    "enable_bitmapscan": "off",
    "enable_hashjoin": "off",
    "enable_mergejoin": "off",
}
#: ... a term beyond the window walked, which few nodes hold: through the index of
#: tokens alone, never a walk or a scan of the table (a term that the statistics call
#: common may be rare among the documents looked in, such as a word of every purpose
#: searched for in results).
THROUGH_INDEX = {**WALK, "enable_seqscan": "off", "enable_indexscan": "off"}
#: ... a term in the documents of a few candidates: those documents, through the index of
#: their nodes, never the term's whole list.
NODE_BY_NODE = {**WALK, "enable_seqscan": "off", "enable_bitmapscan": "off"}
#: ... several common terms beyond the nodes of their first lists: a term's index read
#: once for the term, never once for each node, which the planner, misled by how few
#: documents it expects a token in, would otherwise do.
EACH_TERM_ONCE = {**WALK, "enable_nestloop": "off"}


class Planner:
    """The planner's settings of the queries of one search, on PostgreSQL (``set``: for
    the queries that follow); nothing elsewhere. The search's queries are run here
    (``rows``, ``ids``), each sent with its settings in one message: set before it, and,
    within a transaction already open, set back to their defaults after it
    (``statements.sent_with``). No statement of their own, no transaction of the search's
    own: three round trips fewer for the least of searches. And the nodes the search has
    read with their names and places on its way (``walked``, on SQLite), and the site's
    data version what it reads of nodes is kept under (``version``: none when None)."""

    def __init__(self, alias: str, version: int | None = None) -> None:
        self.connection = connections[alias]
        self.postgresql = self.connection.vendor == "postgresql"
        #: The names and places of the nodes read with them (SQLite's ``_read_statement``).
        self.walked: dict[int, tuple[Any, ...]] = {}
        #: The settings in force (``set``), and the statements sent around each query.
        self.settings: dict[str, str] | None = None
        self.around = ("", "")
        self.version = version

    def frequency(self, term: str) -> float:
        """The share of all documents holding ``term`` at most: that of its rarest token in
        the statistics of the tokens' column (0 for a token too rare to be in them)."""
        common = common_tokens(self.connection)
        return min((common.get(token, 0.0) for token in tokens.term_tokens(term)), default=0.0)

    def kinds_share(self, term: str, kinds: Collection[str]) -> float:
        """The share of all nodes whose texts of ``kinds`` may hold ``term`` at most: for
        each kind, that of its rarest token in the statistics of the nodes' tokens of the
        kind (``models.NodeTokens``; 0 for a token too rare to be in them)."""
        table = NodeTokens._meta.db_table
        term_tokens = tokens.term_tokens(term)
        share = 0.0
        for kind in kinds:
            common = common_tokens(self.connection, table, kind_column(kind))
            share += min((common.get(token, 0.0) for token in term_tokens), default=0.0)
        return share

    def index_scope(self, term: str, within: Within) -> Within:
        """What of ``within`` to ask of the index of tokens with ``term`` when the index
        reads the term's list, by the statistics of the tokens (shares of all documents).

        A scope's token asked of the index costs its whole list, read item by item as far
        as the term's documents are spread: a plan's token, in every document of a site
        of one plan, cost 150 ms for a code held by four documents. Left out, it costs the
        documents of the term out of the scope, each read from the table to be filtered
        out by its columns (``documents``, which filter them whatever this says): at most
        the term's share, and at most the share out of the scope. A token is asked when
        its list costs less (``SCOPE_RATIO`` items of a list read for one document from
        the table), the shortest first, each bounding the documents left for the next.
        On SQLite the scope is never asked of the tokens: ``within`` as it is."""
        if not self.postgresql:
            return within
        common = common_tokens(self.connection)
        shares: dict[str, float] = {}
        if within.kinds is not None:
            shares["kinds"] = sum(common.get(f"k{kind}", 0.0) for kind in within.kinds)
        if within.plan_id is not None:
            shares["plan"] = common.get(f"p{within.plan_id}", 0.0)
        if within.year is not None:
            own = common.get("knode", 0.0) if within.kinds is None or "node" in within.kinds else 0.0
            shares["year"] = common.get(f"y{within.year}", 0.0) + own
        # The documents the filters asked so far may leave, at most.
        left = self.frequency(term)
        kept: set[str] = set()
        for name, share in sorted(shares.items(), key=lambda item: item[1]):
            if share < SCOPE_RATIO * min(left, 1.0 - share):
                kept.add(name)
                left = min(left, share)
        return Within(
            within.kinds,
            within.plan_id if "plan" in kept else None,
            within.year if "year" in kept else None,
            kinds_asked="kinds" in kept,
        )

    def set(self, settings: dict[str, str]) -> None:
        """The planner's settings for the queries that follow, with no worker processes."""
        if not self.postgresql or settings is self.settings:
            return
        names = {**NO_WORKERS, **settings}
        before = "".join(f"SET LOCAL {name} = {value}; " for name, value in names.items())
        after = ""
        if not self.connection.get_autocommit():
            # Within a transaction the settings would outlast the query.
            after = "; ".join(f"SET LOCAL {name} TO DEFAULT" for name in names)
        self.settings, self.around = settings, (before, after)

    def rows(self, statement: Statement, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of a compiled query (``Statement.rows``) under the settings."""
        return statement.rows(values, self.around)

    def ids(self, query: QuerySet[Any, int]) -> list[int]:
        """The values of a query of one column of ids under the settings (of the search's
        database, which the query must read)."""
        if query.db != self.connection.alias:
            raise ValueError(f"A search on {self.connection.alias} cannot read {query.db}.")
        try:
            sql, params = query.query.get_compiler(using=query.db).as_sql()
        except EmptyResultSet:
            return []
        return [row[0] for row in sent_with(self.connection, sql, params, self.around)]
