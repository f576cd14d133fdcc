"""A page's matched texts, from the search documents: of each node found on a page, its
first texts holding a term, and how many of its texts hold one (``page_documents``).
The nodes are found by ``matching``; what is looked in is ``matching.documents``."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import replace
from functools import lru_cache
from typing import Any

from django.db import connections
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import StrIndex

from .matching import NAME_FIELDS, documents
from .models import Ids, SearchDocument, Term
from .planner import NODE_BY_NODE, Planner
from .statements import IDS_MARK, Statement, term_mark


def may_hold(documents: QuerySet[SearchDocument], folded: tuple[str, ...]) -> QuerySet[SearchDocument]:
    """The documents that may hold one of the folded terms, for a few nodes' documents to
    be looked at one by one (``holds``): on PostgreSQL those whose tokens hold one, each
    document's own, read with it; on SQLite all of them, where the index of tokens would
    read a common term's whole list, which costs more than a page's documents."""
    if not _tokens_narrow(documents.db):
        return documents
    any_term = Q()
    for term in folded:
        any_term |= Q(tokens__matches=term)
    return documents.filter(any_term)


def page_documents(
    columns: tuple[str, ...],
    node_ids: list[int],
    folded: tuple[str, ...],
    kinds: Collection[str],
    plan_id: int | None,
    year: int | None,
    per_node: int,
) -> tuple[list[tuple[Any, ...]], dict[int, int]]:
    """A page's matched texts: of each of these nodes, the first ``per_node`` of its texts
    in the documents looked in (``documents``), but its names, that hold one of the
    folded terms, by position (of a text cut in parts, its first part holding one), with
    ``columns`` (the first two "node_id" and "position", the last "text"); and how many
    of each node's texts hold one.

    On PostgreSQL the database picks and counts them (``_ranked_statement``): a
    document's tokens say exactly whether it holds a term, and a node whose results of
    ten years hold a common word sends three texts, not all of them. On SQLite each
    document read is looked at here (``holds``): those whose text holds a term when the
    terms allow it (``_text_narrows``), else all of the nodes' documents looked in."""
    if columns[:2] != ("node_id", "position") or columns[-1] != "text":
        raise ValueError("The columns must open with node_id and position and end with text.")
    alias = SearchDocument.objects.all().db
    if _tokens_narrow(alias):
        statement = _ranked_statement(alias, columns, len(folded), frozenset(kinds), plan_id, year, per_node)
        values: dict[str, Any] = {"nodes": Ids(node_ids)}
        values.update((f"term{i}", Term(term)) for i, term in enumerate(folded))
        # The page's nodes' documents through the index of their nodes, each looked at:
        # never the term's list in the index of tokens, which the planner, taking the
        # pairs of a phrase for independent, may expect short (20 ms and more for a
        # phrase of three common pairs, against 0.5 for twenty nodes' documents).
        planner = Planner(alias)
        planner.set(NODE_BY_NODE)
        ranked = planner.rows(statement, values)
        # Each row: the columns, its rank among the node's texts, how many there are.
        return [row[:-2] for row in ranked], {row[0]: row[-1] for row in ranked}
    shown: list[tuple[Any, ...]] = []
    counted: dict[int, int] = defaultdict(int)
    seen: set[tuple[int, int]] = set()
    by_text = _text_narrows(alias, folded)
    statement = _held_statement(alias, columns, len(folded), frozenset(kinds), plan_id, year, by_text)
    values = {"nodes": Ids(node_ids)}
    if by_text:
        values.update((f"text{i}", term) for i, term in enumerate(folded))
    for row in statement.rows(values):
        node_id, position, text = row[0], row[1], row[-1]
        if (node_id, position) in seen or not holds(text, folded):
            continue  # another part of a text already counted, or no term in it
        seen.add((node_id, position))
        counted[node_id] += 1
        if counted[node_id] <= per_node:
            shown.append(row)
    return shown, dict(counted)


@lru_cache(maxsize=256)
def _ranked_statement(
    alias: str,
    columns: tuple[str, ...],
    terms: int,
    kinds: frozenset[str],
    plan_id: int | None,
    year: int | None,
    per_node: int,
) -> Statement:
    """``page_documents``'s query on PostgreSQL for ``terms`` terms, compiled once: each
    text holding a term once (its first part holding one: ``DISTINCT ON``), ranked by
    position and counted within its node, the first ``per_node`` of each node kept; its
    values as ``_held_statement``'s."""
    query, _marks, named = _page_query(alias, terms, kinds, plan_id, year)
    query = query.order_by("node_id", "position", "part").distinct("node_id", "position")
    held = Statement.compiled(query.values_list(*columns), named)
    # The ORM's own query within, and a number: no value of a request is in the text.
    sql = (
        "SELECT * FROM (SELECT held.*, "  # noqa: S608
        'row_number() OVER (PARTITION BY held."node_id" ORDER BY held."position") AS "shinchoku_rank", '
        'count(*) OVER (PARTITION BY held."node_id") AS "shinchoku_count" '
        f"FROM ({held.sql}) AS held) AS ranked "
        f'WHERE "shinchoku_rank" <= {int(per_node)} ORDER BY "node_id", "position"'
    )
    return replace(held, sql=sql)


def _tokens_narrow(alias: str) -> bool:
    """The tokens narrow a page's documents to those that may hold a term (``may_hold``):
    on PostgreSQL, each document's own."""
    return connections[alias].vendor == "postgresql"


#: Characters that case folding neither changes nor makes of another: digits, kana,
#: CJK ideographs and Japanese punctuation (``tests/search/test_matching.py`` checks every
#: character of Unicode). A term of these is in a text exactly when it is in the folded
#: text.
_UNCASED = re.compile("[0-9\u3000-\u303f\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+")


def _text_narrows(alias: str, folded: tuple[str, ...]) -> bool:
    """On SQLite, where the tokens do not narrow a page's documents, their text does when
    no term has a character that case folding changes (``_UNCASED``): a document is read
    only when its text, as stored, holds a term as it is."""
    return connections[alias].vendor == "sqlite" and all(_UNCASED.fullmatch(term) for term in folded)


@lru_cache(maxsize=256)
def _held_statement(
    alias: str,
    columns: tuple[str, ...],
    terms: int,
    kinds: frozenset[str],
    plan_id: int | None,
    year: int | None,
    by_text: bool = False,
) -> Statement:
    """``page_documents``'s query on SQLite for ``terms`` terms, compiled once: its value
    "nodes" (``Ids``) and, when ``by_text``, "text0", "text1" … (the terms, found in the
    texts as stored)."""
    query, marks, named = _page_query(alias, terms, kinds, plan_id, year)
    if by_text:
        at = {f"at{i}": StrIndex("text", Value(mark)) for i, mark in enumerate(marks)}
        any_text = Q()
        for name in at:
            any_text |= Q(**{f"{name}__gt": 0})
        query = query.alias(**at).filter(any_text)
        named.update((f"text{i}", mark) for i, mark in enumerate(marks))
    query = query.order_by("node_id", "position", "part").values_list(*columns)
    return Statement.compiled(query, named)


def _page_query(
    alias: str, terms: int, kinds: Collection[str], plan_id: int | None, year: int | None
) -> tuple[QuerySet[SearchDocument], tuple[str, ...], dict[str, Any]]:
    """The documents looked in of the nodes "nodes" but their names, on PostgreSQL those
    whose tokens hold one of ``terms`` terms "term0", "term1" … (``may_hold``): for a
    query compiled once, with the terms' marks and the marks by name."""
    marks = tuple(term_mark(i) for i in range(terms))
    query = (
        may_hold(documents(kinds, plan_id, year).using(alias), marks)
        .filter(node_id__any_of=IDS_MARK)
        .exclude(field__in=NAME_FIELDS)
    )
    named: dict[str, Any] = {"nodes": IDS_MARK}
    if _tokens_narrow(alias):
        named.update((f"term{i}", Term(mark)) for i, mark in enumerate(marks))
    return query, marks, named


def holds(text: str, folded: tuple[str, ...]) -> bool:
    """A document's text holds one of the folded terms: its text is folded but for the
    case (``indexing``), and a term is in its tokens when it is in the folded text."""
    text = text.casefold()
    return any(term in text for term in folded)
