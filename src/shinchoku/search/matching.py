"""Which nodes a search finds, from the search documents (``models.SearchDocument``).

A node is found when each term is in one of its documents (terms may be in different
texts); the kinds of text, the plan and the fiscal year narrow the documents looked in.
A common term may be in most nodes: no search counts or orders them all. The first
``LIMIT`` + 1 nodes found (by id) are the candidates; they are ordered as the page shows
them — the nodes whose code, label or title hold every term first, then by plan (newest
period first) and place in the tree — and one more than ``LIMIT`` says "more than can
be counted".

The cost grows with the candidates, not with the data. Each term, longest first, is
first looked up in the index of tokens alone (``_probe``: at most ``PROBE`` documents,
never a scan of the table): a term in fewer documents gives every node it can be in,
and the other terms are looked for in those nodes only. When every term is common, the
nodes of the first documents found are the candidates when there are enough of them;
else the database walks the nodes in order, each looked at through its own documents,
until it has enough. A fixed number of queries: the probes (one a term, in one
transaction) and one or two for the candidates (docs/search.md).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import Q, QuerySet

from shinchoku.plans.models import Node
from shinchoku.progress.models import Target

from .models import SearchDocument
from .tokens import Within, fold

#: The most nodes a search counts and orders; beyond, it says "1,000 or more".
LIMIT = 1000
#: The kinds of text a search may look in.
KINDS = frozenset(SearchDocument.Kind)
#: The fields that name a node: a node holding every term there comes first.
NAME_FIELDS = ("code", "label", "title")
#: The most documents of one term read through the index of tokens alone: enough for
#: ``LIMIT`` nodes of any size, so that a term in fewer nodes is always read whole.
PROBE = 200_000


@dataclass(frozen=True)
class Found:
    """The nodes found, in the order shown, at most ``LIMIT``; ``more`` when there are more
    than ``LIMIT``. ``named`` the ids of those whose name holds every term."""

    node_ids: tuple[int, ...]
    named: frozenset[int]
    more: bool


def folded_terms(terms: Collection[str]) -> tuple[str, ...]:
    """The terms as the documents are indexed: normalised, case-folded, distinct, each
    without blanks."""
    return tuple(dict.fromkeys(part for term in terms for part in fold(term).split()))


def documents(kinds: Collection[str], plan_id: int | None, year: int | None) -> QuerySet[SearchDocument]:
    """The documents a search looks in: of these kinds, of the plan, of the fiscal year
    (a node's own texts whatever the year; a target's by ``Target.covers``)."""
    found = SearchDocument.objects.filter(kind__in=sorted(kinds))
    if plan_id is not None:
        found = found.filter(plan_id=plan_id)
    if year is not None:
        found = found.filter(Q(start_year__isnull=True) | Target.covering_q(year))
    return found


def find(terms: Collection[str], *, kinds: Collection[str], plan_id: int | None, year: int | None) -> Found:
    """The nodes holding every term in the documents looked in (``documents``)."""
    folded = folded_terms(terms)
    if not folded:
        return Found((), frozenset(), False)
    looked_in = documents(kinds, plan_id, year)
    nodes = Node.objects.all()
    if plan_id is not None:
        nodes = nodes.filter(plan_id=plan_id)
    within = Within(None if set(kinds) >= KINDS else frozenset(kinds), plan_id, year)
    rest = list(folded)
    common: list[int] = []
    common_term = ""
    with _planner(looked_in.db, THROUGH_INDEX):
        for term in sorted(folded, key=len, reverse=True):
            node_ids, complete = _probe(looked_in, term, within)
            if complete:
                nodes = nodes.filter(pk__in=node_ids)
                rest.remove(term)
                break
            if not common and len(node_ids) > LIMIT:
                common, common_term = node_ids, term
    with _planner(looked_in.db, EACH_TERM_ONCE):
        if len(rest) == len(folded) and common:
            # Every term common: the nodes of the first documents found may be enough. They
            # hold the term they were found by; each other term is looked for in their
            # documents only.
            candidates = nodes.filter(pk__in=common)
            for term in rest:
                if term != common_term:
                    held = looked_in.filter(node_id__in=common, tokens__matches=(term, within))
                    candidates = candidates.filter(pk__in=held.values("node_id"))
            found = _ordered(candidates, folded, kinds)
            if found.more:
                return found
        for term in rest:
            # Not correlated: the index of tokens is read once for the term, not once a node.
            nodes = nodes.filter(pk__in=looked_in.filter(tokens__matches=(term, within)).values("node_id"))
        return _ordered(nodes, folded, kinds)


def _ordered(nodes: QuerySet[Node], folded: tuple[str, ...], kinds: Collection[str]) -> Found:
    """The first ``LIMIT`` + 1 of ``nodes`` by id, in the order shown. Three queries: the
    candidates, their names (each term looked for in them here, as a substring of the
    folded text: the index of tokens would be read once per candidate), their order."""
    candidates = list(nodes.order_by("pk").values_list("pk", flat=True)[: LIMIT + 1])
    if not candidates:
        return Found((), frozenset(), False)
    named: set[int] = set()
    if SearchDocument.Kind.NODE in kinds:
        names: dict[int, list[str]] = {}
        rows = SearchDocument.objects.filter(
            kind=SearchDocument.Kind.NODE, field__in=NAME_FIELDS, node_id__in=candidates
        ).values_list("node_id", "text")
        for node_id, text in rows:
            names.setdefault(node_id, []).append(fold(text))
        named = {
            node_id
            for node_id, texts in names.items()
            if all(any(term in text for text in texts) for term in folded)
        }
    in_order = list(
        Node.objects.filter(pk__in=candidates)
        .order_by("-plan__first_year", "plan__code", "path", "pk")
        .values_list("pk", flat=True)
    )
    in_order.sort(key=lambda pk: pk not in named)  # stable: the named first, each in the plan's order
    shown = in_order[:LIMIT]
    return Found(
        node_ids=tuple(shown),
        named=frozenset(pk for pk in shown if pk in named),
        more=len(in_order) > LIMIT,
    )


def _probe(looked_in: QuerySet[SearchDocument], term: str, within: Within) -> tuple[list[int], bool]:
    """The distinct nodes of the documents holding ``term``, read through the index of
    tokens alone, in the order read, until more than ``LIMIT`` nodes are found or
    ``PROBE`` documents are read; and whether those are all the documents holding it.
    A phrase in many documents of a few nodes (a common turn of phrase) is read to its
    end, so that no walk over every node is needed for it."""
    found = looked_in.filter(tokens__matches=(term, within)).values_list("node_id", flat=True)
    node_ids: dict[int, None] = {}
    read = 0
    for node_id in found[:PROBE].iterator(chunk_size=2000):
        read += 1
        node_ids[node_id] = None
        if len(node_ids) > LIMIT:
            return list(node_ids), False
    return list(node_ids), read < PROBE


#: How the planner may read, on PostgreSQL, while the index of tokens is probed
#: (``_probe``): never a scan of the whole table (a term its statistics call common may be
#: rare among the documents looked in, such as a word of every purpose searched for in
#: results, and a scan would read them all), never split among workers (whose documents
#: would come in any order, and the first ``PROBE`` of them differ from one page of the
#: results to the next).
THROUGH_INDEX = {"enable_seqscan": "off", "max_parallel_workers_per_gather": "0"}
#: ... while the nodes found are ordered (``_ordered``): a term's index read once for the
#: term, never once for each node, which the planner, misled by how few documents it
#: expects a token in, would otherwise do (two common words took half a minute at 10,000
#: measures).
EACH_TERM_ONCE = {"enable_nestloop": "off"}


@contextmanager
def _planner(alias: str, settings: dict[str, str]) -> Iterator[None]:
    """On PostgreSQL, the planner's ``settings`` for the queries within, in a transaction
    of their own; elsewhere nothing."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("; ".join(f"SET LOCAL {name} = {value}" for name, value in settings.items()))
        yield
        cursor.execute("; ".join(f"SET LOCAL {name} TO DEFAULT" for name in settings))
