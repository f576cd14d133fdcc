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
(``Head``), all those nodes' texts in one string, in which the term is looked for as a
substring.

A term found so is found in exactly the documents whose tokens hold it (``tokens``):
its tokens side by side in a document are its characters side by side in the document's
folded text. A term holds no blank, and the texts are joined by line breaks, so none is
found across two texts or two nodes; a text indexed in parts (``tokens.parts``) is kept
as its parts, each of which holds whole every term of the text it is in.

Only a search in every kind of text of every year is answered here (of one plan or of
all): the kinds and years of the texts are not kept. At most ``MAX_NODES`` nodes and ``MAX_CHARACTERS``
characters are kept: on a small site, every node (``Head.complete``), which answers
every term; else the first ones, after which the search looks on as before. Nothing
is kept without a data version, nor from within a transaction (``published.kept``),
and a search then reads the index as before.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

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
#: Between two texts, and after each node's: no term holds it (a blank).
_BETWEEN = "\n"


@dataclass(frozen=True)
class Head:
    """The first nodes by id (``node_ids``), their plans (``plan_ids``), and their folded
    texts, node after node, in one string (``text``); where each node's texts begin in
    it (``starts``: one more than there are nodes, the last the string's end)."""

    node_ids: tuple[int, ...]
    plan_ids: tuple[int, ...]
    text: str
    starts: tuple[int, ...]
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
        the plan ``plan_id`` if any: each found from the end of the node before."""
        text, starts, node_ids, plan_ids = self.text, self.starts, self.node_ids, self.plan_ids
        found: list[int] = []
        at = text.find(term)
        while at != -1:
            node = bisect_right(starts, at) - 1
            if plan_id is None or plan_ids[node] == plan_id:
                found.append(node_ids[node])
                if len(found) >= count:
                    break
            at = text.find(term, starts[node + 1])
        return found


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
        return Head((), (), "", (0,), complete)
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
    segments = [_BETWEEN.join(texts) + _BETWEEN for texts in parts[:end]]
    starts = [0]
    for segment in segments:
        starts.append(starts[-1] + len(segment))
    return Head(
        node_ids=tuple(pk for pk, _plan in nodes),
        plan_ids=tuple(plan for _pk, plan in nodes),
        text="".join(segments),
        starts=tuple(starts),
        complete=complete,
    )
