"""The texts of the site's first nodes, kept folded in each process's memory, in which a
common term's first nodes are found without a query (``matching._first_nodes``).

A term in many nodes is in most of the first nodes by id, and the first ``LIMIT`` + 1
nodes holding it (a search's candidates, ``matching``) are among the first two thousand
or so, whatever the term: on PostgreSQL a walk looked at each of those nodes' documents
through their index in every such search (about 4 µs a node, of a common word's 3.8 ms
at 100,000 measures), and on SQLite the FTS5 table read the places of each of the
term's pairs of characters in those nodes' documents. The first nodes' texts are the
same for every search while the site's data version stays (``published.kept``): each
process reads them once for each version and keeps them folded as they are indexed
(``Head``), each node's texts in one string, in which the term is looked for as a
substring.

A term found so is found in exactly the documents whose tokens hold it (``tokens``):
its tokens side by side in a document are its characters side by side in the document's
folded text (the stored text case-folded, as ``indexing`` folds it). A term holds no
blank, and a node's texts are joined by line breaks, so none is found across two texts;
a text indexed in parts (``tokens.parts``) is kept as its parts, each of which holds
whole every term of the text it is in.

Only a search in every kind of text of every year is answered here (of one plan or of
all): the kinds and years of the texts are not kept. At most ``MAX_NODES`` nodes and
``MAX_CHARACTERS`` characters are kept: on a small site, every node (``Head.complete``),
which answers every term; else the first ones, after which the search looks on as
before. Nothing is kept without a data version, nor from within a transaction
(``published.kept``), and a search then reads the index as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import compress, islice, repeat
from operator import and_, contains, eq

from django.db import connections

from shinchoku.plans.models import Node
from shinchoku.published.kept import KeptUnderVersion

from .models import SearchDocument

#: The most nodes kept: the first window a walk would look at (``matching.WINDOW``), in
#: which a term in half the nodes has its ``LIMIT`` + 1 first nodes.
MAX_NODES = 2002
#: The most characters kept (about twice as many bytes of Japanese in each process): the
#: nodes kept end before the node that would pass it.
MAX_CHARACTERS = 4_000_000
#: Between two texts of a node: no term holds it (a blank).
_BETWEEN = "\n"


@dataclass(frozen=True)
class Head:
    """The first nodes by id (``node_ids``), their plans (``plan_ids``), and each one's
    folded texts in one string (``texts``)."""

    node_ids: tuple[int, ...]
    plan_ids: tuple[int, ...]
    texts: tuple[str, ...]
    #: Every node of the site is here.
    complete: bool

    @property
    def last(self) -> int | None:
        """The last node kept (None: none)."""
        return self.node_ids[-1] if self.node_ids else None

    def nodes_of(self, plan_id: int | None) -> int:
        """How many of the nodes kept are of the plan (of any, when None)."""
        if plan_id is None:
            return len(self.node_ids)
        return self.plan_ids.count(plan_id)

    def first(self, term: str, plan_id: int | None, count: int) -> list[int]:
        """The first ``count`` nodes kept, by id, whose texts hold the folded ``term``, of
        the plan ``plan_id`` if any: each node's texts looked at in turn until there are
        enough, by the interpreter's own loops (a thousand nodes in a tenth of a
        millisecond, where a loop of Python's took four times as long)."""
        held: Iterable[bool] = map(contains, self.texts, repeat(term))
        if plan_id is not None:
            held = map(and_, held, map(eq, self.plan_ids, repeat(plan_id)))
        return list(islice(compress(self.node_ids, held), count))


_heads: KeptUnderVersion[str, Head] = KeptUnderVersion(most=1)


def head(alias: str, version: int | None) -> Head | None:
    """The head of the site's nodes kept under the data version ``version`` (read
    before), read when it is not kept yet; None when it cannot be kept (no version, or
    within a transaction: ``published.kept``) or keeps no node."""
    if version is None or MAX_NODES <= 0 or connections[alias].in_atomic_block:
        return None
    kept = _heads.under(alias, version).get("head")
    if kept is None:
        kept = _read(alias)
        _heads.keep(alias, version, [("head", kept)])
    return kept if kept.node_ids else None


def _read(alias: str) -> Head:
    """The first nodes' texts, as the search documents hold them (two queries)."""
    nodes = list(Node.objects.using(alias).order_by("pk").values_list("pk", "plan_id")[: MAX_NODES + 1])
    complete = len(nodes) <= MAX_NODES
    nodes = nodes[:MAX_NODES]
    if not nodes:
        return Head((), (), (), complete)
    place = {pk: index for index, (pk, _plan) in enumerate(nodes)}
    parts: list[list[str]] = [[] for _node in nodes]
    rows = (
        SearchDocument.objects.using(alias)
        .filter(node_id__lte=nodes[-1][0])
        .order_by("node_id")
        .values_list("node_id", "text")
    )
    characters = 0
    end = len(nodes)
    for node_id, text in rows.iterator(chunk_size=5000):
        index = place[node_id]
        characters += len(text) + 1
        if characters > MAX_CHARACTERS:
            # The nodes end before the one that passed the bound.
            end = index
            break
        parts[index].append(text.casefold())
    if end < len(nodes):
        complete = False
        nodes = nodes[:end]
    return Head(
        node_ids=tuple(pk for pk, _plan in nodes),
        plan_ids=tuple(plan for _pk, plan in nodes),
        texts=tuple(_BETWEEN.join(texts) for texts in parts[:end]),
        complete=complete,
    )
