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

A search narrowed to kinds of text or a year is answered here too: each node's texts are
kept a second time by their kind and years (``Scope``), and the term is looked for in
those the search looks in, as ``matching.documents`` chooses the documents (a node's own
texts whatever the year, a target's or a result's when its years cover it). At most
``MAX_SCOPES`` of them are kept; a site with more answers the narrowed searches from
the index alone. At most ``MAX_NODES`` nodes and
``MAX_CHARACTERS`` characters are kept: on a small site, every node (``Head.complete``),
which answers every term; else the first ones, after which the search looks on as
before. Nothing is kept without a data version, nor from within a transaction
(``published.kept``), and a search then reads the index as before.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from itertools import compress, islice, repeat
from operator import and_, contains, eq, or_
from typing import NamedTuple

from django.db import connections

from shinchoku.plans.models import Node
from shinchoku.progress.models import Target
from shinchoku.published.kept import KeptUnderVersion

from .models import SearchDocument

#: The most nodes kept: the first window a walk would look at (``matching.WINDOW``), in
#: which a term in half the nodes has its ``LIMIT`` + 1 first nodes.
MAX_NODES = 2002
#: The most characters kept (kept twice, with their kinds and years: some five times as
#: many bytes of Japanese in each process): the nodes kept end before the node that would
#: pass it.
MAX_CHARACTERS = 4_000_000
#: Between two texts of a node: no term holds it (a blank).
_BETWEEN = "\n"
#: The most scopes of texts (``Scope``) kept: each costs a reference a node kept.
MAX_SCOPES = 64


class Scope(NamedTuple):
    """The kind of a text and its years (``models.SearchDocument``: none for a node's own
    texts)."""

    kind: str
    start_year: int | None
    end_year: int | None
    open_end: bool

    def looked_in(self, kinds: Collection[str] | None, year: int | None) -> bool:
        """Whether a search of ``kinds`` (None: all) and of the fiscal year ``year`` (None:
        any) looks in the texts of this scope (``matching.documents``)."""
        if kinds is not None and self.kind not in kinds:
            return False
        if year is None or self.start_year is None:
            return True
        # A text with a start and no end (none is written so) covers no year but as the
        # onwards column, as the query compares it.
        end_year = self.end_year if self.end_year is not None else year - 1
        return Target.covers(self.start_year, end_year, self.open_end, year)


@dataclass(frozen=True)
class Head:
    """The first nodes by id (``node_ids``), their plans (``plan_ids``), and each one's
    folded texts in one string (``texts``)."""

    node_ids: tuple[int, ...]
    plan_ids: tuple[int, ...]
    texts: tuple[str, ...]
    #: Every node of the site is here.
    complete: bool
    #: Each node's texts again, by their scope, in one string a node ("" when none);
    #: None when there are more than ``MAX_SCOPES`` scopes.
    scoped: dict[Scope, tuple[str, ...]] | None

    def answers(self, kinds: Collection[str] | None, year: int | None) -> bool:
        """Whether the search of ``kinds`` (None: all) and ``year`` (None: any) can be
        answered here."""
        return (kinds is None and year is None) or self.scoped is not None

    @property
    def last(self) -> int | None:
        """The last node kept (None: none)."""
        return self.node_ids[-1] if self.node_ids else None

    def nodes_of(self, plan_id: int | None) -> int:
        """How many of the nodes kept are of the plan (of any, when None)."""
        if plan_id is None:
            return len(self.node_ids)
        return self.plan_ids.count(plan_id)

    def first(
        self,
        term: str,
        plan_id: int | None,
        count: int,
        kinds: Collection[str] | None = None,
        year: int | None = None,
    ) -> list[int]:
        """The first ``count`` nodes kept, by id, whose texts hold the folded ``term``, of
        the plan ``plan_id`` if any, in the texts of ``kinds`` (None: all) and of the
        fiscal year ``year`` (None: any; ``answers``): each node's texts looked at in
        turn until there are enough, by the interpreter's own loops (a thousand nodes in
        a tenth of a millisecond, where a loop of Python's took four times as long)."""
        held: Iterable[bool]
        if kinds is None and year is None:
            held = map(contains, self.texts, repeat(term))
        else:
            held = self._held_in_scopes(term, kinds, year)
        if plan_id is not None:
            held = map(and_, held, map(eq, self.plan_ids, repeat(plan_id)))
        return list(islice(compress(self.node_ids, held), count))

    def _held_in_scopes(self, term: str, kinds: Collection[str] | None, year: int | None) -> Iterator[bool]:
        """For each node kept, whether its texts of the scopes looked in hold ``term``."""
        if self.scoped is None:
            raise ValueError("The texts are not kept by their scope.")
        held: Iterator[bool] = repeat(False, len(self.node_ids))
        for scope, texts in self.scoped.items():
            if scope.looked_in(kinds, year):
                held = map(or_, held, map(contains, texts, repeat(term)))
        return held


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
        return Head((), (), (), complete, scoped={})
    place = {pk: index for index, (pk, _plan) in enumerate(nodes)}
    parts: list[list[str]] = [[] for _node in nodes]
    by_scope: dict[Scope, dict[int, list[str]]] | None = {}
    rows = (
        SearchDocument.objects.using(alias)
        .filter(node_id__lte=nodes[-1][0])
        .order_by("node_id")
        .values_list("node_id", "text", "kind", "start_year", "end_year", "open_end")
    )
    characters = 0
    end = len(nodes)
    for node_id, text, kind, start_year, end_year, open_end in rows.iterator(chunk_size=5000):
        index = place[node_id]
        characters += len(text) + 1
        if characters > MAX_CHARACTERS:
            # The nodes end before the one that passed the bound.
            end = index
            break
        folded = text.casefold()
        parts[index].append(folded)
        if by_scope is not None:
            scope = by_scope.setdefault(Scope(kind, start_year, end_year, open_end), {})
            scope.setdefault(index, []).append(folded)
            if len(by_scope) > MAX_SCOPES:
                by_scope = None
    if end < len(nodes):
        complete = False
        nodes = nodes[:end]
    scoped = None
    if by_scope is not None:
        scoped = {
            scope: tuple(_BETWEEN.join(texts.get(index, ())) for index in range(end))
            for scope, texts in by_scope.items()
        }
    return Head(
        node_ids=tuple(pk for pk, _plan in nodes),
        plan_ids=tuple(plan for _pk, plan in nodes),
        texts=tuple(_BETWEEN.join(texts) for texts in parts[:end]),
        complete=complete,
        scoped=scoped,
    )
