"""Which nodes a search finds, from the search documents (``models.SearchDocument``).

A node is found when each term is in one of its documents (terms may be in different
texts); the kinds of text, the plan and the fiscal year narrow the documents looked in.
A common term may be in most nodes: no search counts or orders them all. The first
``LIMIT`` + 1 nodes holding every term, by id, are the candidates; they are ordered as
the page shows them — the nodes whose code, label or title hold every term first, then
by plan (newest period first) and place in the tree — and one more than ``LIMIT`` says
"more than can be counted".

The cost grows with the candidates, not with the data. Each term, longest first, is
looked up for its first ``LIMIT`` + 1 nodes by id (``_first_nodes``). On PostgreSQL,
from the statistics of the tokens, a rare term of one or two characters is looked up in
the tokens of whole nodes (``models.NodeTokens``) unless a kind of text or a year
narrows the search; a term that few nodes' texts of the kinds a search is narrowed to
may hold is looked for among the nodes whose tokens of those kinds hold its tokens
(``_of_kinds``); another rare term's list in the index of tokens is read (it is
short); a common term's nodes are walked in order through a window of the first
nodes (``WINDOW``), each node's documents looked at until one holds the term, which stops
as soon as there are enough nodes (``_walk``) — or, for a term of one token looked for
in every year, each node's one row of its tokens (of the kinds looked in), which holds
the token exactly when one of its documents does (``_exact_columns``). A search looks
first in the texts of the site's first nodes, the first window, which each process keeps
in memory (``head``), by their kinds and years too: on a small site, every node, which
answers it on SQLite too. What the order needs of each node is kept by each
process under the site's data version (``_kept_places``). A term found in few nodes of
the window is then read beyond it through that index alone, whose list is short for it,
never by a walk over the whole table. The planner's settings of each way of reading,
and what the statistics say of a term, are ``planner``'s.

A term found in at most ``LIMIT`` nodes gives every node it is in, and the other terms
are looked for in those nodes' documents only (``_holding``). When every term is common,
the nodes in every term's first nodes are the first nodes holding them all, up to the
lowest of the terms' last first nodes; only when these are too few are the nodes beyond
looked at, each term's index read once (``_beyond``). A fixed number of queries.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

from django.db import connections
from django.db.models import CharField, Exists, Max, Min, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from shinchoku.plans.models import Node
from shinchoku.progress.models import Target
from shinchoku.published.kept import KeptUnderVersion

from . import head, indexing, tokens
from .models import FTS_TABLE, KINDS, Ids, NodeTokens, SearchDocument, Term, kind_column
from .planner import EACH_TERM_ONCE, IN_NODE_ORDER, NODE_BY_NODE, THROUGH_INDEX, WALK, Planner
from .statements import IDS_MARK, Statement, term_mark
from .tokens import Within, fold

#: The most nodes a search counts and orders; beyond, it says "1,000 or more".
LIMIT = 1000
#: The fields that name a node: a node holding every term there comes first.
NAME_FIELDS = indexing.NAME_FIELDS


@dataclass(frozen=True)
class Found:
    """The nodes found, in the order shown, at most ``LIMIT``; ``more`` when there are more
    than ``LIMIT``. ``named`` the ids of those whose name holds every term."""

    node_ids: tuple[int, ...]
    named: frozenset[int]
    more: bool
    #: The path of each node found (``Node.path``: its ancestors), read with its place,
    #: in the order of ``node_ids``.
    paths: tuple[str, ...] = ()

    def paths_of(self, start: int, count: int) -> dict[int, str]:
        """The paths of ``count`` nodes shown from the ``start``-th (from 0), by node."""
        return dict(zip(self.node_ids[start : start + count], self.paths[start : start + count], strict=True))


def folded_terms(terms: Collection[str]) -> tuple[str, ...]:
    """The terms as the documents are indexed: normalised, case-folded, distinct, each
    without blanks."""
    return tuple(dict.fromkeys(part for term in terms for part in fold(term).split()))


def documents(kinds: Collection[str], plan_id: int | None, year: int | None) -> QuerySet[SearchDocument]:
    """The documents a search looks in: of these kinds, of the plan, of the fiscal year
    (a node's own texts whatever the year; a target's by ``Target.covers``). Every kind
    is no filter: a walk would compare each document's kind for nothing."""
    found = SearchDocument.objects.all()
    if not set(kinds) >= KINDS:
        found = found.filter(kind__in=sorted(kinds))
    if plan_id is not None:
        found = found.filter(plan_id=plan_id)
    if year is not None:
        found = found.filter(Q(start_year__isnull=True) | Target.covering_q(year))
    return found


def find(
    terms: Collection[str],
    *,
    kinds: Collection[str],
    plan_id: int | None,
    year: int | None,
    version: int | None = None,
) -> Found:
    """The nodes holding every term in the documents looked in (``documents``).
    ``version``: the site's data version (``published.versions``), read by the caller
    before the search, under which what the search reads of nodes may be kept and used
    again (``published.kept``); None keeps and uses nothing."""
    folded = folded_terms(terms)
    if not folded:
        return Found((), frozenset(), False)
    looked_in = documents(kinds, plan_id, year)
    nodes = Node.objects.using(looked_in.db)
    if plan_id is not None:
        nodes = nodes.filter(plan_id=plan_id)
    within = Within(None if set(kinds) >= KINDS else frozenset(kinds), plan_id, year)
    planner = Planner(looked_in.db, version)
    firsts: dict[str, list[int]] = {}
    for term in sorted(folded, key=len, reverse=True):
        first = _first_nodes(planner, looked_in, term, within)
        if len(first) <= LIMIT:
            # Every node holding the term: the others are looked for in these only.
            candidates = first
            for other in folded:
                if other != term and candidates:
                    candidates = _holding(planner, looked_in, candidates, other, within)
            return _ordered(planner, candidates, folded, kinds)
        firsts[term] = first
    # Every term in more than LIMIT nodes. Up to the lowest of the terms' last first
    # nodes, each term's first nodes are every node holding it: the nodes in all of
    # them are the first nodes holding every term.
    edge = min(first[-1] for first in firsts.values())
    found = sorted(set.intersection(*(set(first) for first in firsts.values())))
    if len(found) <= LIMIT:
        found += _beyond(planner, looked_in, nodes, folded, within, edge, LIMIT + 1 - len(found))
    return _ordered(planner, found, folded, kinds)


#: What ``_ordered`` reads of a node, by position: its id, its names in one text (its
#: code, label and title, a blank between them; folded as the terms are once kept:
#: ``_place``), its plan's first year and code, its path and its place in the outline.
#: The names are joined by the database, not here for each row.
_PK, _NAME, _FIRST_YEAR, _PLAN, _PATH, _OUTLINE = range(6)
_PLACE_COLUMNS = (
    "pk",
    Concat("code", Value(" "), "label", Value(" "), "title", output_field=CharField()),
    "plan__first_year",
    "plan__code",
    "path",
    "outline",
)


def _place(row: tuple[Any, ...], plan: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row of ``_PLACE_COLUMNS`` as kept (``_keep_places``): its names folded, and its
    plan's first year and code the ``plan`` its nodes share."""
    return (row[_PK], _folded_name(row[_NAME]), *plan, row[_PATH], row[_OUTLINE])


def _ordered(
    planner: Planner, candidates: list[int], folded: tuple[str, ...], kinds: Collection[str]
) -> Found:
    """The candidates (at most ``LIMIT`` + 1, by id) in the order shown, at most ``LIMIT``
    of them, from their names (each term looked for in them here, as a substring of the
    folded text) and their places (``_place``): those read on the way
    (``Planner.walked``, by SQLite's look-up of a term) or else kept (``_kept_places``)
    as they are, the others in one query."""
    if not candidates:
        return Found((), frozenset(), False)
    # Read on the way or kept: never both.
    known = planner.walked or _kept_places(planner)
    got = [known.get(pk) for pk in candidates]
    rows = [row for row in got if row is not None]
    unread = []
    if len(rows) < len(got):
        unread = [pk for pk, row in zip(candidates, got, strict=True) if row is None]
    if unread:
        planner.set(WALK)
        # Unordered: they are sorted here, where comparing their keys costs no collation.
        read = planner.rows(_places_statement(planner.connection.alias), {"nodes": Ids(unread)})
        rows += _keep_places(planner, read)
    named: set[int] = set()
    if SearchDocument.Kind.NODE in kinds:
        # A term holds no blank, so none is found across two names, nor across two
        # nodes' names in all of them at once, which tells whether any node's may hold
        # every term. The names are kept folded, once for each data version; read on
        # the way (SQLite's look-up), they are folded here, each only when any name may
        # hold every term (folding a name kept folded changes nothing).
        as_folded = _folded_name if planner.walked else _as_it_is
        every_name = as_folded(" ".join([row[_NAME] for row in rows]))
        if all(term in every_name for term in folded):
            for row in rows:
                name = as_folded(row[_NAME])
                if all(term in name for term in folded):
                    named.add(row[_PK])
    # By plan (newest period first) and place in the outline (``Node.outline``), then
    # named first (a sort keeps the order of the one before among equals).
    if len({row[_PLAN] for row in rows}) > 1:
        rows.sort(key=lambda row: (-row[_FIRST_YEAR], row[_PLAN], row[_OUTLINE]))
    else:
        rows.sort(key=itemgetter(_OUTLINE))
    if named:
        rows.sort(key=lambda row: row[_PK] not in named)
    shown = rows[:LIMIT]
    return Found(
        node_ids=tuple([row[_PK] for row in shown]),
        named=frozenset(named.difference(row[_PK] for row in rows[LIMIT:])),
        more=len(rows) > LIMIT,
        paths=tuple([row[_PATH] for row in shown]),
    )


#: The names and places of nodes (``_PLACE_COLUMNS``) that searches have read, by node: a
#: common word's candidates are the first nodes by id, the same for every such word, and
#: their thousand rows were half of its walk's time (``docs/search.md``, "Cost"). Rarer
#: words' candidates are spread over all the nodes: with too few kept, each such search
#: read its thousand rows again (two characters, about 2 ms a search of 13 at 100,000
#: measures). At most ``MAX_KEPT_PLACES``, every node of 100,000 measures (about 400
#: bytes each, 40 MB at that size).
MAX_KEPT_PLACES = 120_000
_places: KeptUnderVersion[int, tuple[Any, ...]] = KeptUnderVersion(MAX_KEPT_PLACES)


def _kept_places(planner: Planner) -> Mapping[int, tuple[Any, ...]]:
    """The names and places kept under the site's data version (on SQLite a search that
    looks a term up reads them with its candidates, in the one query that finds them:
    ``Planner.walked``)."""
    return _places.under(planner.connection.alias, planner.version)


def _keep_places(planner: Planner, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows read (``_PLACE_COLUMNS``) as ``_ordered`` uses them: with their names
    folded (``_place``), kept under the search's data version, the values of a plan that
    its nodes share (its first year and code) kept once rather than once a node."""
    plans: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    places = [
        _place(row, plans.setdefault(row[_FIRST_YEAR : _PLAN + 1], row[_FIRST_YEAR : _PLAN + 1]))
        for row in rows
    ]
    _places.keep(planner.connection.alias, planner.version, [(place[_PK], place) for place in places])
    return places


@lru_cache(maxsize=8)
def _places_statement(alias: str) -> Statement:
    """The names and places (``_PLACE_COLUMNS``) of the nodes "nodes" (``Ids``), in no
    order, compiled once: for a thousand candidates, the ORM's own reading of the rows
    costs as much as the database's."""
    query = Node.objects.using(alias).filter(pk__any_of=IDS_MARK).order_by().values_list(*_PLACE_COLUMNS)
    return Statement.compiled(query, {"nodes": IDS_MARK})


def _as_it_is(name: str) -> str:
    """A name kept folded already (``_place``)."""
    return name


def _folded_name(name: str) -> str:
    """A name as ``fold`` makes it; most are already in normal form, and only folded."""
    if name.isprintable() and unicodedata.is_normalized("NFKC", name):
        return name.casefold()
    return fold(name)


def _first_ids(documents: QuerySet[SearchDocument], count: int) -> QuerySet[SearchDocument, int]:
    """The first ``count`` distinct nodes of the documents, by id (a query)."""
    return documents.order_by("node_id").values_list("node_id", flat=True).distinct()[:count]


def _first(planner: Planner, documents: QuerySet[SearchDocument], count: int) -> list[int]:
    return planner.ids(_first_ids(documents, count))


def _walk(nodes: QuerySet[Node], documents: QuerySet[SearchDocument], count: int) -> QuerySet[Node, Any]:
    """The ids of the first ``count`` of the nodes, by id, with one of the documents: each
    node's documents looked at through the index of their nodes until one holds the term,
    so that a node holding it in most of its texts costs a few of them, not all. What
    ``_ordered`` needs of them is kept by each process (``_kept_places``)."""
    held = documents.filter(node_id=OuterRef("pk"))
    return nodes.filter(Exists(held)).order_by("pk")[:count].values_list("pk")


def _kept(rows: list[tuple[Any, ...]], walked: dict[int, tuple[Any, ...]]) -> list[int]:
    """The ids of the rows (``_PLACE_COLUMNS``), each row kept in ``walked``."""
    walked.update((row[0], row) for row in rows)
    return [row[0] for row in rows]


#: The marks of the first node after a window, and of the node a window follows, in a
#: walk's query compiled for any (``_walk_statement``; no node's id is negative).
_EDGE_MARK = -2
_AFTER_MARK = -3


def _scoped(alias: str, within: Within, after: bool = False) -> tuple[QuerySet[Node], dict[str, Any]]:
    """The nodes ``within`` says (of its plan, or all), after the node "after" when
    ``after``, for a query compiled once (``statements``), with the marks it is built
    with."""
    nodes = Node.objects.using(alias)
    marks: dict[str, Any] = {}
    if within.plan_id is not None:
        nodes = nodes.filter(plan_id=within.plan_id)
    if after:
        nodes = nodes.filter(pk__gt=_AFTER_MARK)
        marks["after"] = _AFTER_MARK
    return nodes, marks


def _any_term_held(within: Within, marks: dict[str, Any]) -> QuerySet[SearchDocument]:
    """The documents ``within`` says (``documents``) that hold the term of a query
    compiled for any, its mark "term" added to ``marks``."""
    marks["term"] = Term(term_mark(), within)
    return documents(within.kinds or KINDS, within.plan_id, within.year).filter(tokens__matches=marks["term"])


@lru_cache(maxsize=256)
def _read_statement(alias: str, within: Within, count: int) -> Statement:
    """The first ``count`` nodes holding a term, by id, with their names and places
    (``_PLACE_COLUMNS``), of the documents and nodes ``within`` says, in one query,
    compiled once, on SQLite (PostgreSQL's planner, kept to the index of tokens, would
    read the nodes badly): its value "term" (``Term``).

    The documents' ids run in the order of their nodes (``indexing.NODE_BITS``), and the
    FTS5 table gives a term's documents in the order of their ids: they are read in that
    order until ``count`` nodes are found, not all of them. Looking in every document,
    the node is its document's id shifted (no document read); else each document is read
    for what ``within`` asks of it."""
    nodes, marks = _scoped(alias, within)
    marks["term"] = Term(term_mark(), within)
    connection = connections[alias]
    fts, shift = FTS_TABLE, indexing.NODE_BITS
    if within.kinds is None and within.plan_id is None and within.year is None:
        first_sql = (
            f"SELECT DISTINCT {fts}.rowid >> {shift} FROM {fts} WHERE {fts} MATCH %s "  # noqa: S608 (ours)
            f"ORDER BY {fts}.rowid LIMIT {int(count)}"
        )
        params: list[Any] = [marks["term"].parameter(connection)]
    else:
        looked_in = documents(within.kinds or KINDS, within.plan_id, within.year).using(alias)
        where, where_params = looked_in.query.get_compiler(using=alias).compile(looked_in.query.where)
        table = connection.ops.quote_name(SearchDocument._meta.db_table)
        first_sql = (
            f"SELECT DISTINCT {table}.node_id FROM {fts} JOIN {table} ON {table}.id = {fts}.rowid "  # noqa: S608
            f"WHERE {fts} MATCH %s AND ({where}) ORDER BY {fts}.rowid LIMIT {int(count)}"
        )
        params = [marks["term"].parameter(connection), *where_params]
    # Names of ours and numbers in the text; the values as parameters.
    query = nodes.filter(pk__in=RawSQL(first_sql, params)).order_by("pk")  # noqa: S611
    return Statement.compiled(query.values_list(*_PLACE_COLUMNS), marks)


@lru_cache(maxsize=256)
def _edge_statement(alias: str, within: Within, window: int, after: bool) -> Statement:
    """The first node after a window of ``window`` nodes ``within`` says that follows
    the node "after" (when ``after``), compiled once."""
    nodes, marks = _scoped(alias, within, after)
    return Statement.compiled(nodes.order_by("pk").values_list("pk")[window : window + 1], marks)


#: The windows' edges ``_edge`` has read, by the plan, size and start of the window: at
#: most ``MAX_KEPT_EDGES`` for a database (windows after the first are sized by the term).
MAX_KEPT_EDGES = 4096
_edges: KeptUnderVersion[tuple[int | None, int, int | None], int | None] = KeptUnderVersion(MAX_KEPT_EDGES)


def _edge(planner: Planner, within: Within, window: int, after: int | None) -> int | None:
    """The first node after a window of ``window`` nodes ``within`` says that follow the
    node ``after`` (from the first when None), or None when there is none: read once for
    each data version of the site (the search's, ``published.kept``). Nodes are written
    only with a new version; and any edges would tile the nodes, a window's size saying
    only how far a walk goes before it looks again."""
    alias = planner.connection.alias
    key = (within.plan_id, window, after)
    kept = _edges.under(alias, planner.version)
    if key in kept:
        return kept[key]
    planner.set(IN_NODE_ORDER)
    bounds = {} if after is None else {"after": after}
    statement = _edge_statement(alias, within, window, after is not None)
    edge = next((row[0] for row in planner.rows(statement, bounds)), None)
    _edges.keep(alias, planner.version, [(key, edge)])
    return edge


@lru_cache(maxsize=256)
def _walk_statement(alias: str, within: Within, count: int, after: bool, edge: bool) -> Statement:
    """The walk (``_walk``) of the first ``count`` nodes holding a term, of the documents
    and nodes ``within`` says, compiled once: its values "term" (``Term``) and the
    window's bounds, when it has them: "after" the node before it, "edge" the first node
    after it. The bounds are sent as values, never as a subquery, so that the planner
    knows how many nodes the window has."""
    nodes, marks = _scoped(alias, within, after)
    if edge:
        nodes = nodes.filter(pk__lt=_EDGE_MARK)
        marks["edge"] = _EDGE_MARK
    return Statement.compiled(_walk(nodes, _any_term_held(within, marks), count), marks)


def _first_nodes(
    planner: Planner, looked_in: QuerySet[SearchDocument], term: str, within: Within
) -> list[int]:
    """The first ``LIMIT`` + 1 nodes by id holding ``term``, or every one when fewer: of
    the documents ``looked_in``, which are those ``within`` says (``documents``), as are
    the nodes (of its plan, or all)."""
    wanted = LIMIT + 1
    kept = _head(planner, within)
    if kept is not None and (kept.complete or not planner.postgresql):
        # Every node kept answers every term; on SQLite the first ones are looked in first
        # (no statistics tell a common term), then, when too few hold it, the index.
        first = kept.first(term, within.plan_id, wanted, within.kinds, within.year)
        if len(first) >= wanted or kept.complete:
            return first
    if not planner.postgresql:
        read = _read_statement(planner.connection.alias, within, wanted)
        return _kept(read.rows({"term": Term(term, within)}), planner.walked)
    frequency = planner.frequency(term)
    exact_columns = _exact_columns(term, within)
    # One token, looked for in every kind of text of every year.
    of_whole_nodes = exact_columns == ("tokens",)
    if of_whole_nodes and frequency < OF_NODES_UNTIL:
        return _of_nodes(planner, term, within, wanted)
    found: list[int] = []
    after: int | None = None
    if within.kinds is not None and planner.kinds_share(term, within.kinds) < OF_KINDS_UNTIL:
        found, after = _of_kinds(planner, looked_in, term, within, wanted)
        if after is None or len(found) >= wanted:
            return found
    holding = looked_in.filter(tokens__matches=(term, planner.index_scope(term, within)))
    # A term the statistics do not call rare is looked for first in the texts of the
    # first nodes, kept (``head``): the first window, or the first blocks.
    density: float | None = None
    if kept is not None and after is None and frequency >= min(BLOCKS_FROM, DENSE):
        found = kept.first(term, within.plan_id, wanted, within.kinds, within.year)
        if len(found) >= wanted:
            return found
        after = kept.last
        density = len(found) / max(1, kept.nodes_of(within.plan_id))
    if of_whole_nodes and within.plan_id is None and BLOCKS_FROM <= frequency < BLOCKS_UNTIL:
        # Block after block of nodes, while they hold enough of it (``_in_blocks``).
        found, after = _in_blocks(planner, term, within, wanted, found, after)
        if len(found) >= wanted:
            return found
        density = None
    if frequency < DENSE:
        # A rare term: its list in the index of tokens is short.
        planner.set(THROUGH_INDEX)
        return found + _first(planner, _between(holding, {"after": after}), wanted - len(found))
    # The first window is walked (unless it was the head's). When few of its nodes hold
    # the term, the next are read from the index of tokens and that of the documents'
    # nodes at once: a walk would look at every document of each node without it.
    by_index = False
    # How common the term is among all documents says little of how common it is among
    # those of a kind or a year: a small window first tells, for little if it is rare there.
    window = WINDOW if within.kinds is None and within.year is None else SCOPED_WINDOW
    steps = range(WINDOWS)
    if density is not None:
        # The head was the first window.
        steps = range(1, WINDOWS)
        if not found or density < DENSE_WINDOW:
            steps = range(0)
        else:
            by_index = density < WALKED_WINDOW
            window = min(MAX_WINDOW, int((wanted - len(found)) / density * 1.5) + 1)
    for _step in steps:
        alias = planner.connection.alias
        bounds = {} if after is None else {"after": after}
        edge = _edge(planner, within, window, after)
        if edge is not None:
            bounds["edge"] = edge
        if exact_columns:
            # The nodes' tokens tell which nodes hold the term: one row a node, walked in
            # order (or read through their index), not each node's documents.
            settings = THROUGH_INDEX if by_index else IN_NODE_ORDER
            got = _held_by_nodes(
                planner, exact_columns, term, within.plan_id, wanted - len(found), bounds, settings
            )
        elif by_index:
            planner.set(THROUGH_INDEX)
            got = _first(planner, _between(holding, bounds), wanted - len(found))
        else:
            planner.set(IN_NODE_ORDER)
            walk = _walk_statement(alias, within, wanted - len(found), after is not None, edge is not None)
            values: dict[str, Any] = {"term": Term(term, within), **bounds}
            got = [row[0] for row in planner.rows(walk, values)]
        found += got
        if len(found) >= wanted or edge is None:
            return found
        density = len(got) / window
        after = edge - 1
        if not got or density < DENSE_WINDOW:
            break
        by_index = density < WALKED_WINDOW
        window = min(MAX_WINDOW, int((wanted - len(found)) / density * 1.5) + 1)
    # Common among all documents, but few of the nodes walked hold it where it is looked
    # for (a word of every purpose searched for in results): its list in the index.
    if exact_columns:
        beyond = {} if after is None else {"after": after}
        left = wanted - len(found)
        return found + _held_by_nodes(planner, exact_columns, term, within.plan_id, left, beyond)
    planner.set(THROUGH_INDEX)
    return found + _first(planner, _between(holding, {"after": after}), wanted - len(found))


def _head(planner: Planner, within: Within) -> head.Head | None:
    """The texts of the site's first nodes kept under the search's data version
    (``head``), when they answer the search's kinds of text and year; else None."""
    kept = head.head(planner.connection.alias, planner.version)
    return kept if kept is not None and kept.answers(within.kinds, within.year) else None


def _exact_columns(term: str, within: Within) -> tuple[str, ...]:
    """The columns of the nodes' tokens (``models.NodeTokens``) that hold a token of a
    node's documents looked in, for a term of one token looked for in every year: a node
    holds such a term there exactly when its documents do (none when the term has more
    tokens, whose places the nodes' tokens do not keep, or a year narrows the search)."""
    if len(tokens.term_tokens(term)) != 1 or within.year is not None:
        return ()
    return _token_columns(within)


def _token_columns(within: Within) -> tuple[str, ...]:
    """The columns of the nodes' tokens (``models.NodeTokens``) of the kinds of text
    ``within`` looks in: those of whole nodes when it looks in every kind."""
    if within.kinds is None:
        return ("tokens",)
    return tuple(kind_column(kind) for kind in sorted(within.kinds))


def _of_nodes(planner: Planner, term: str, within: Within, wanted: int) -> list[int]:
    """The first ``wanted`` nodes by id whose tokens (``models.NodeTokens``) hold ``term``,
    of one token, of the plan ``within`` names, if any: its list in their index read whole,
    each node's row read for its id, in one query."""
    return _held_by_nodes(planner, ("tokens",), term, within.plan_id, wanted)


def _of_kinds(
    planner: Planner, looked_in: QuerySet[SearchDocument], term: str, within: Within, wanted: int
) -> tuple[list[int], int | None]:
    """The first ``wanted`` nodes by id holding ``term`` in the documents ``looked_in``
    (those ``within`` says, of some kinds), or fewer, among the first ``wanted`` whose
    tokens of those kinds (``models.NodeTokens``) hold each of its tokens, of the plan
    ``within`` names, if any; and the last of these when there may be more after it
    (None when there are no more). Those tokens answer a term of one token in every year
    at once; else the nodes they give are each looked at through their own documents
    (``_holding``), for the term's tokens side by side and the year."""
    candidates = _held_by_nodes(planner, _token_columns(within), term, within.plan_id, wanted)
    after = candidates[-1] if len(candidates) >= wanted else None
    if not candidates or (len(tokens.term_tokens(term)) == 1 and within.year is None):
        return candidates, after
    return _holding(planner, looked_in, candidates, term, within), after


def _held_by_nodes(
    planner: Planner,
    columns: tuple[str, ...],
    term: str,
    plan_id: int | None,
    wanted: int,
    bounds: Mapping[str, int] | None = None,
    settings: dict[str, str] | None = None,
) -> list[int]:
    """The first ``wanted`` nodes by id, of the plan ``plan_id`` if any, after the node
    "after" and before the node "edge" of ``bounds`` when it names them, whose tokens in
    one of ``columns`` of ``models.NodeTokens`` hold each token of ``term``, in one query:
    through their indexes (``THROUGH_INDEX``, unless ``settings`` say otherwise)."""
    bounds = bounds or {}
    planner.set(settings or THROUGH_INDEX)
    statement = _held_by_nodes_statement(
        planner.connection.alias, columns, plan_id is not None, wanted, "after" in bounds, "edge" in bounds
    )
    values: dict[str, Any] = {f"term{index}": Term(term, apart=True) for index in range(len(columns))}
    if plan_id is not None:
        values["plan"] = plan_id
    return [row[0] for row in planner.rows(statement, {**values, **bounds})]


#: The mark of a plan in a query compiled for any (no plan's id is negative).
_PLAN_MARK = -4


@lru_cache(maxsize=256)
def _held_by_nodes_statement(
    alias: str, columns: tuple[str, ...], of_plan: bool, count: int, after: bool = False, edge: bool = False
) -> Statement:
    """The first ``count`` nodes, by id, whose tokens in one of ``columns`` hold each token
    of a term (its values "term0", "term1" … one a column), of the plan "plan" when
    ``of_plan``, after the node "after" when ``after``, before the node "edge" when
    ``edge``, compiled once."""
    marks: dict[str, Any] = {}
    held = Q()
    for index, column in enumerate(columns):
        marks[f"term{index}"] = Term(term_mark(index), apart=True)
        held |= Q(**{f"{column}__matches": marks[f"term{index}"]})
    rows = NodeTokens.objects.using(alias).filter(held)
    if of_plan:
        marks["plan"] = _PLAN_MARK
        rows = rows.filter(plan_id=_PLAN_MARK)
    if after:
        marks["after"] = _AFTER_MARK
        rows = rows.filter(node_id__gt=_AFTER_MARK)
    if edge:
        marks["edge"] = _EDGE_MARK
        rows = rows.filter(node_id__lt=_EDGE_MARK)
    return Statement.compiled(rows.order_by("node_id").values_list("node_id")[:count], marks)


def _in_blocks(
    planner: Planner, term: str, within: Within, wanted: int, found: list[int], after: int | None
) -> tuple[list[int], int]:
    """The first ``wanted`` nodes by id holding ``term`` (in any document, of any plan:
    ``within`` asks nothing), or fewer, after ``found``, the nodes holding it up to the
    node ``after`` (none when None): from the blocks of nodes (``tokens.block``) asked of
    the index of tokens one after another from the block after ``after`` (from the first
    node's), as long as the nodes found in all the blocks up to them say that at most
    ``MAX_BLOCKS`` would give enough; and the last node of the last block asked, after
    which the caller looks on (``_first_nodes``).

    Within one block the index intersects the term's list with the block's, about a
    millisecond for a block however common the term, where a walk looks at each node's
    documents until one holds it (every one of a node without it) and the term's whole
    list costs as many documents as it holds (``docs/benchmarks.md``, 2026-12-06 13:15).
    Several blocks in one query cost more than one at a time."""
    bounds = _node_bounds(planner)
    if bounds is None:
        return found, after or 0
    start, end = (node >> tokens.BLOCK_BITS for node in bounds)
    block = start if after is None else (after + 1) >> tokens.BLOCK_BITS
    # Enough for the nodes of a block up to ``after`` as well (a block holds fewer nodes).
    statement = _block_statement(planner.connection.alias, wanted + (1 << tokens.BLOCK_BITS))
    planner.set(THROUGH_INDEX)
    found = list(found)
    while True:
        term_in_block = Term(term, dataclasses.replace(within, block=block))
        rows = planner.rows(statement, {"term": term_in_block})
        found += [row[0] for row in rows if after is None or row[0] > after]
        asked = block - start + 1
        if len(found) >= wanted or not found or block >= end or wanted * asked > MAX_BLOCKS * len(found):
            return found[:wanted], ((block + 1) << tokens.BLOCK_BITS) - 1
        block += 1


@lru_cache(maxsize=8)
def _block_statement(alias: str, count: int) -> Statement:
    """The first ``count`` nodes, by id, of the documents holding a term within a block
    of nodes (``Term`` of ``Within(block=…)``, its value "term"), compiled once."""
    mark = Term(term_mark(), Within(block=0))
    query = _first_ids(SearchDocument.objects.using(alias).filter(tokens__matches=mark), count)
    return Statement.compiled(query, {"term": mark})


#: The first and last nodes of the site, under the data version (``_node_bounds``).
_node_bounds_kept: KeptUnderVersion[str, tuple[int, int] | None] = KeptUnderVersion(1)


def _node_bounds(planner: Planner) -> tuple[int, int] | None:
    """The site's first and last nodes by id (None: no node), read once for each data
    version."""
    alias = planner.connection.alias
    kept = _node_bounds_kept.under(alias, planner.version)
    if "bounds" in kept:
        return kept["bounds"]
    ids = Node.objects.using(alias).aggregate(first=Min("pk"), last=Max("pk"))
    bounds = None if ids["first"] is None else (ids["first"], ids["last"])
    _node_bounds_kept.keep(alias, planner.version, [("bounds", bounds)])
    return bounds


def _between(
    documents: QuerySet[SearchDocument], bounds: Mapping[str, int | None]
) -> QuerySet[SearchDocument]:
    """The documents of the nodes of a window: after the node "after", before the node
    "edge" (either absent or None: no bound)."""
    if (after := bounds.get("after")) is not None:
        documents = documents.filter(node_id__gt=after)
    if (edge := bounds.get("edge")) is not None:
        documents = documents.filter(node_id__lt=edge)
    return documents


def _holding(
    planner: Planner, looked_in: QuerySet[SearchDocument], candidates: list[int], term: str, within: Within
) -> list[int]:
    """The candidates (at most ``LIMIT``) holding ``term``, each looked at through its
    own documents."""
    planner.set(NODE_BY_NODE)
    scope = planner.index_scope(term, within)
    holding = looked_in.filter(node_id__any_of=Ids(candidates), tokens__matches=(term, scope))
    return _first(planner, holding, len(candidates))


def _beyond(
    planner: Planner,
    looked_in: QuerySet[SearchDocument],
    nodes: QuerySet[Node],
    folded: tuple[str, ...],
    within: Within,
    edge: int,
    count: int,
) -> list[int]:
    """The first ``count`` nodes after ``edge`` holding every term, each term's index read
    once (common terms that seldom meet: the costly case)."""
    planner.set(EACH_TERM_ONCE)
    later = nodes.filter(pk__gt=edge)
    for term in folded:
        held = looked_in.filter(tokens__matches=(term, planner.index_scope(term, within)))
        later = later.filter(pk__in=held.values("node_id"))
    return planner.ids(later.order_by("pk").values_list("pk", flat=True)[:count])


#: The share of all documents holding a term of one token (one or two characters) below
#: which its first nodes are those of the nodes' tokens (``_of_nodes``) when nothing but
#: the plan narrows the search: its list there is at most its documents', often half,
#: and each node's row is small (2 ms for `41`, in 0.15 % of the documents, against 4
#: through the documents' own list with every page in memory, 24 with none; 7 ms for
#: `10`, in 0.9 % of them, whose first nodes are spread over most of the blocks). Above,
#: a term is in so many nodes that reading each of their rows costs more than its blocks
#: or a walk (16 ms for `7`, in 2.6 %, 41 % of the nodes).
OF_NODES_UNTIL = 0.01
#: The share of all nodes whose texts of the kinds a search is narrowed to may hold a
#: term (``Planner.kinds_share``) below which its first nodes are found from the nodes'
#: tokens of those kinds (``_of_kinds``): a word of one kind searched for in another,
#: whose pairs of characters are each in most of the documents, cost 60 to 90 ms through
#: the documents' index (the lists of its pairs intersected with the kind's), where the
#: nodes' tokens of the kind hold none of it (a query of 0.3 ms). Below, at most a few hundred nodes
#: at 100,000 measures are each looked at for the term's characters side by side.
OF_KINDS_UNTIL = 0.005
#: The shares of all documents holding a term of one token (one or two characters) from
#: which, and below which, its first nodes are asked block by block of nodes when nothing
#: narrows the search (``_in_blocks``); below, the nodes' tokens answer
#: (``OF_NODES_UNTIL``). Above, a block holds so many of its documents that reading each
#: for its node costs more than a walk, which stops at a node's first (`し`, in 80 % of
#: them: 20 ms a block against 4 for the walk). A term of several tokens is never asked
#: so: the index of tokens cannot tell whether they are neighbours, and each document of
#: a block holding them all is read to see.
BLOCKS_FROM = OF_NODES_UNTIL
BLOCKS_UNTIL = 0.05
#: The most blocks of nodes asked one by one (``_in_blocks``) when those asked say that
#: they would be enough.
MAX_BLOCKS = 16
#: The share of all documents holding a term (by the statistics of its rarest token)
#: from which its first nodes are found by walking the documents in the order of their
#: nodes: below it, the term's list in the index of tokens is shorter than the walk.
DENSE = 0.01
#: The nodes of the first window walked for a term, and of each window after while the
#: term is in at least ``DENSE_WINDOW`` of the nodes walked (at most ``WINDOWS`` windows,
#: none larger than ``MAX_WINDOW``): a walk of a window costs its documents.
WINDOW = 2 * (LIMIT + 1)
#: The first window of a search within kinds of text or a year.
SCOPED_WINDOW = 256
WINDOWS = 3
MAX_WINDOW = 10 * (LIMIT + 1)
DENSE_WINDOW = 0.1
#: The share of a window's nodes holding a term below which the next windows are read
#: through the indexes (of tokens and of the documents' nodes, at once) rather than
#: walked: a walk looks at every document of each node without the term. A character in
#: a fifth of the nodes, in one or two of their 26 documents each: a search for it took
#: 82 ms with every window walked, 49 ms so (one process, 100,000 measures).
WALKED_WINDOW = 0.5
