"""Writing the search documents (``models.SearchDocument``) of the published texts.

Called by ``shinchoku.published.changes`` in the transaction that wrote published data,
with what changed in a plan (``refresh``): the documents of the nodes changed are
deleted and written again from their rows — only the kinds of text written, and of a
round's results only its year's — a batch of ``BATCH`` nodes at a time (a few
queries a batch, however many texts they have). The texts are normalised and folded
here, once, when written (``tokens``); the search folds only the query.

What is indexed, per node: its code, printed label, title, purpose (概要), baseline
(現状) and section texts; the texts of its targets (as planned, revised, the reason of
the revision) with the years they are set for; and its published results' texts
(実施結果, 環境等の変化・課題等, 新たな課題等への対応, 主な実施結果, section texts) with
their fiscal year. Drafts of an evaluation round live in ``review.Entry`` and are never
read here: they are indexed when the round publishes them into ``Result``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from django.db import connection
from django.db.models import Max, Q

from shinchoku.plans.models import Node, NodeSectionText
from shinchoku.progress.models import Result, ResultSectionText, Target
from shinchoku.text import normalize

from . import tokens
from .models import FTS_TABLE, KINDS, NodeTokens, SearchDocument, kind_column

if TYPE_CHECKING:
    from shinchoku.published.changes import Change

#: Nodes read and written at a time.
BATCH = 2000
#: Documents inserted per statement (per ``COPY`` on PostgreSQL).
INSERT_BATCH = 5000
Kind = SearchDocument.Kind

#: The kind of document each model's rows are written into: a write of a node's section
#: text rewrites its own texts, of a result its results' (of the years written, when the
#: change says them), of a target its targets' (and of the node itself, all of them).
KIND_OF_MODEL = {
    "plans.node": Kind.NODE,
    "plans.nodesectiontext": Kind.NODE,
    "progress.target": Kind.TARGET,
    "progress.result": Kind.RESULT,
    "progress.resultsectiontext": Kind.RESULT,
}
#: The models whose rows the documents are made of; "" is a bulk writer that did not say.
READ_MODELS = frozenset({"", *KIND_OF_MODEL})

#: Where each kind's texts begin in the order of a node's texts (``position``), so that
#: one kind, or one year of results, is written again without moving the others: the
#: node's own texts; its results by year, latest first (``RESULTS_PER_YEAR`` apart); its
#: targets.
RESULTS_AT = 1_000_000
RESULTS_PER_YEAR = 1_000
LAST_YEAR = 9_999
TARGETS_AT = 100_000_000

NODE_FIELDS = ("code", "label", "title", "summary", "baseline")
#: The fields that name a node (``matching``): the first of its texts.
NAME_FIELDS = NODE_FIELDS[:3]
TARGET_FIELDS = ("text", "revised_text", "revision_reason")
RESULT_FIELDS = ("text", "context_change", "response", "highlight")


def refresh(change: Change) -> None:
    """Bring the search documents of ``change`` up to date: those of its nodes, of the
    whole plan (``nodes`` None) or none (the plan deleted: its documents go). Of a node,
    only the kinds of text the models written are read into (``KIND_OF_MODEL``), and of
    its results only those of the years written when the change says them: a round
    published writes its year's results again, not every year's."""
    documents = SearchDocument.objects.filter(plan_id=change.plan_id)
    if change.deleted:
        documents.delete()
        NodeTokens.objects.filter(plan_id=change.plan_id).delete()
        return
    if not change.touches(*READ_MODELS):
        return
    kinds, years = KINDS, None
    if change.nodes is None:
        documents.delete()
        NodeTokens.objects.filter(plan_id=change.plan_id).delete()
        node_ids = list(
            Node.objects.filter(plan_id=change.plan_id).order_by("pk").values_list("pk", flat=True)
        )
    else:
        node_ids = sorted(change.nodes)
        # A node written may have changed what each of its documents carries (its plan):
        # all of them are written again.
        if "" not in change.models and "plans.node" not in change.models:
            kinds = frozenset(KIND_OF_MODEL[model] for model in change.models if model in KIND_OF_MODEL)
            years = change.years
    written = Q(kind__in=sorted(kinds - {Kind.RESULT}))
    if Kind.RESULT in kinds:
        written |= Q(kind=Kind.RESULT) if years is None else Q(kind=Kind.RESULT, start_year__in=sorted(years))
    for start in range(0, len(node_ids), BATCH):
        batch = node_ids[start : start + BATCH]
        if change.nodes is not None:
            SearchDocument.objects.filter(written, node_id__in=batch).delete()
        write(documents_of(batch, kinds, years))
        gather_tokens(batch)


# --------------------------------------------------------------------- the documents


@dataclass
class _Text:
    """A text of a node before it is cut into parts and tokens, at its place in the
    order of the node's texts (``position``)."""

    position: int
    kind: str
    field: str
    text: str
    section_id: int | None = None
    start_year: int | None = None
    end_year: int | None = None
    open_end: bool = False


class Row(NamedTuple):
    """A document to write (``models.SearchDocument``'s columns), with its text folded,
    which its tokens are made of."""

    node_id: int
    plan_id: int
    kind: str
    field: str
    section_id: int | None
    start_year: int | None
    end_year: int | None
    open_end: bool
    position: int
    part: int
    text: str
    folded: str


#: The columns of a row that are the document's, in order.
_COLUMNS = Row._fields[:-1]


def documents_of(
    node_ids: list[int], kinds: frozenset[str] = KINDS, years: frozenset[int] | None = None
) -> Iterator[Row]:
    """The documents of the nodes (that exist) of these kinds, and of their results of
    these ``years`` only when given, in each node's order (``position``): its own texts,
    its results (latest year first), its targets; the names of every node first, then
    the other texts of each. At most five queries.

    On PostgreSQL the rows are stored in the order written. A node's names are one
    short document each (its code and title, some 300 bytes with their tokens), among
    some 25 of its texts: a word of titles in a tenth of the nodes, such as a number
    that follows a word every measure's title holds, is then read from as many pages
    of the table as nodes hold it, most of which the server no longer holds in memory
    (1.6 GB at 100,000 measures × 10 years, against 128 MB by default). Written
    together, the names of a batch fill pages of their own, which a search reads again
    and again (58 MB of them at that size): `策計画3` took 24 ms against 95 the first
    time, in one process."""
    texts: dict[int, list[_Text]] = defaultdict(list)
    plans: dict[int, int] = {}
    own = Kind.NODE in kinds
    fields = NODE_FIELDS if own else ()
    for node_id, plan_id, *values in Node.objects.filter(pk__in=node_ids).values_list(
        "pk", "plan_id", *fields
    ):
        plans[node_id] = plan_id
        texts[node_id].extend(
            _Text(position, Kind.NODE, name, value)
            for position, (name, value) in enumerate(zip(fields, values, strict=True))
        )
    if own:
        for node_id, section_id, text in (
            NodeSectionText.objects.filter(node_id__in=node_ids)
            .order_by("node_id", "section__position", "section__key")
            .values_list("node_id", "section_id", "text")
        ):
            texts[node_id].append(_Text(len(texts[node_id]), Kind.NODE, "section", text, section_id))
    if Kind.RESULT in kinds:
        _add_results(texts, node_ids, years)
    if Kind.TARGET in kinds:
        counted: dict[int, int] = defaultdict(int)
        for node_id, start, end, open_end, *values in (
            Target.objects.filter(node_id__in=node_ids)
            .order_by("node_id", "row", "start_year", "position", "pk")
            .values_list("node_id", "start_year", "end_year", "open_end", *TARGET_FIELDS)
        ):
            for name, value in zip(TARGET_FIELDS, values, strict=True):
                position = TARGETS_AT + counted[node_id]
                counted[node_id] += 1
                texts[node_id].append(_Text(position, Kind.TARGET, name, value, None, start, end, open_end))
    for node_id, plan_id in plans.items():
        yield from _documents(node_id, plan_id, (text for text in texts[node_id] if _names(text)))
    for node_id, plan_id in plans.items():
        yield from _documents(node_id, plan_id, (text for text in texts[node_id] if not _names(text)))


def _names(text: _Text) -> bool:
    """Whether the text is one of a node's names (``NAME_FIELDS``)."""
    return text.kind == Kind.NODE and text.field in NAME_FIELDS


def _add_results(texts: dict[int, list[_Text]], node_ids: list[int], years: frozenset[int] | None) -> None:
    results = Result.objects.filter(node_id__in=node_ids)
    if years is not None:
        results = results.filter(fiscal_year__in=sorted(years))
    sections: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for result_id, section_id, text in (
        ResultSectionText.objects.filter(result__in=results)
        .order_by("result_id", "section__position", "section__key")
        .values_list("result_id", "section_id", "text")
    ):
        sections[result_id].append((section_id, text))
    for result_id, node_id, year, *values in results.order_by("node_id", "-fiscal_year").values_list(
        "pk", "node_id", "fiscal_year", *RESULT_FIELDS
    ):
        at = RESULTS_AT + (LAST_YEAR - year) * RESULTS_PER_YEAR
        year_texts: list[tuple[str, str, int | None]] = [
            (name, value, None) for name, value in zip(RESULT_FIELDS, values, strict=True)
        ]
        year_texts += [("section", text, section_id) for section_id, text in sections[result_id]]
        texts[node_id].extend(
            _Text(at + index, Kind.RESULT, name, value, section_id, year, year)
            for index, (name, value, section_id) in enumerate(year_texts)
        )


def _documents(node_id: int, plan_id: int, texts: Iterable[_Text]) -> Iterator[Row]:
    for item in texts:
        shown = normalize(item.text)
        if not shown:
            continue
        folded = shown.casefold()
        if len(folded) != len(shown):
            shown = folded  # folding changed the length (ß → ss): excerpts from the folded text
        for part, (start, end) in enumerate(tokens.parts(folded)):
            yield Row(
                node_id,
                plan_id,
                item.kind,
                item.field,
                item.section_id,
                item.start_year,
                item.end_year,
                item.open_end,
                item.position,
                part,
                shown[start:end],
                folded[start:end],
            )


# ------------------------------------------------------------------------ writing


#: The tokens of nodes' documents gathered into each node's (``models.NodeTokens``), on
#: PostgreSQL: the characters and pairs (``tokens.TEXT_TOKENS``), not where a document
#: is (``tokens.scope``), of each kind of its documents apart (``models.kind_column``)
#: and of all at once; "nodes" an array of ids, "text" the tokens' first letters. A
#: node's row is written only when its tokens changed: each row written puts every token
#: of it in the indexes of tokens (0.25 ms a node, against 0.09 for gathering them), and
#: a year's results written again often bring no character the node had not.
_KIND_COLUMNS = tuple((kind, kind_column(kind)) for kind in sorted(KINDS))
_BY_KIND = [column for _kind, column in _KIND_COLUMNS]
#: Each kind's tokens of a node: the union of its documents' of the kind, their text's.
_OF_KINDS = [
    "array_to_tsvector(ARRAY(SELECT token FROM unnest(tsvector_to_array("  # noqa: S608 - names of ours
    f"search_tokens_union(strip(tokens)) FILTER (WHERE kind = '{kind}'))) token "
    f"WHERE left(token, 1) = ANY(%(text)s))) {column}"
    for kind, column in _KIND_COLUMNS
]
_GATHER = " ".join(
    [
        "DELETE FROM {table} WHERE node_id = ANY(%(nodes)s)",
        "AND NOT EXISTS (SELECT FROM {documents} d WHERE d.node_id = {table}.node_id);",
        f"INSERT INTO {{table}} (node_id, plan_id, tokens, {', '.join(_BY_KIND)})",
        f"SELECT node_id, plan_id, {' || '.join(_BY_KIND)}, {', '.join(_BY_KIND)}",
        f"FROM (SELECT node_id, plan_id, {', '.join(_OF_KINDS)} FROM {{documents}}",  # noqa: S608
        "WHERE node_id = ANY(%(nodes)s) GROUP BY node_id, plan_id) nodes",
        "ON CONFLICT (node_id) DO UPDATE SET tokens = EXCLUDED.tokens, plan_id = EXCLUDED.plan_id,",
        ", ".join(f"{column} = EXCLUDED.{column}" for column in _BY_KIND),
        f"WHERE ({{table}}.plan_id, {', '.join('{table}.' + column for column in _BY_KIND)})",
        f"IS DISTINCT FROM (EXCLUDED.plan_id, {', '.join('EXCLUDED.' + column for column in _BY_KIND)})",
    ]
)


def gather_tokens(node_ids: list[int]) -> None:
    """Write again the tokens of the nodes (``models.NodeTokens``) from all their
    documents as they now are, after some of them were written: on PostgreSQL, two
    statements in one message (a node whose texts are all empty has none), the union of
    their tokens made by the aggregate ``search_tokens_union`` (migration ``0006``)."""
    if connection.vendor != "postgresql":
        return
    sql = _GATHER.format(table=NodeTokens._meta.db_table, documents=SearchDocument._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"nodes": node_ids, "text": list(tokens.TEXT_TOKENS)})


def write(documents: Iterable[Row]) -> int:
    """Insert the documents with their tokens; returns how many."""
    written = 0
    batch: list[Row] = []
    for document in documents:
        batch.append(document)
        if len(batch) >= INSERT_BATCH:
            written += _insert(batch)
            batch = []
    if batch:
        written += _insert(batch)
    return written


def _insert(batch: list[Row]) -> int:
    """One statement on PostgreSQL (``COPY``, the tokens in their column), two on SQLite
    (the documents under ids in the order of their nodes, ``_ids``, then their tokens in
    the FTS5 table under the documents' ids)."""
    if connection.vendor == "postgresql":
        _copy(batch)
        return len(batch)
    created = SearchDocument.objects.bulk_create(
        [
            SearchDocument(pk=pk, **dict(zip(_COLUMNS, row, strict=False)))
            for pk, row in zip(_ids(batch), batch, strict=True)
        ]
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, unigrams, bigrams) VALUES (%s, %s, %s)",  # noqa: S608 (our table)
            [(document.pk, *tokens.fts5(row.folded)) for document, row in zip(created, batch, strict=True)],
        )
    return len(batch)


#: On SQLite a document's id is its node's id times 2 ** ``NODE_BITS`` plus its number
#: among its node's documents, so that the ids, which are the FTS5 table's rowids, run
#: in the order of the nodes: a search reads a term's documents in that order and stops
#: as soon as it has enough nodes (``matching._read_statement``). A node's documents
#: written again follow its last; when its numbers run out they are numbered again from
#: its first (``_renumber``).
NODE_BITS = 20


def _ids(batch: list[Row]) -> list[int]:
    """The ids of the batch's documents on SQLite, each following its node's last."""
    node_ids = sorted({row.node_id for row in batch})
    last: dict[int, int] = {}
    for start in range(0, len(node_ids), 500):
        last.update(
            SearchDocument.objects.filter(node_id__in=node_ids[start : start + 500])
            .order_by()
            .values("node_id")
            .annotate(last=Max("id"))
            .values_list("node_id", "last")
        )
    following: dict[int, int] = {}
    for node_id, count in Counter(row.node_id for row in batch).items():
        first = node_id << NODE_BITS
        following[node_id] = max(last.get(node_id, first - 1), first - 1) + 1
        if following[node_id] + count > first + (1 << NODE_BITS):
            following[node_id] = _renumber(node_id, count)
    ids: list[int] = []
    for row in batch:
        ids.append(following[row.node_id])
        following[row.node_id] += 1
    return ids


def _renumber(node_id: int, more: int) -> int:
    """Number a node's stored documents again from its first id, in their order, with
    their tokens (SQLite); returns the id that follows them. Raises IndexingError when the
    node's ids cannot hold them and ``more``."""
    first = node_id << NODE_BITS
    stored = list(SearchDocument.objects.filter(node_id=node_id).order_by("pk").values_list("pk", flat=True))
    if len(stored) + more > 1 << NODE_BITS:
        raise IndexingError(f"node {node_id} has more than {(1 << NODE_BITS) - 1} search documents")
    table, fts = SearchDocument._meta.db_table, FTS_TABLE
    moves = [(first + index, -old) for index, old in enumerate(stored)]
    with connection.cursor() as cursor:
        # Out of the way first (no id is negative), then each to its new place.
        cursor.execute(f"UPDATE {table} SET id = -id WHERE node_id = %s", [node_id])  # noqa: S608 (ours)
        cursor.executemany(f"UPDATE {fts} SET rowid = -rowid WHERE rowid = %s", [[old] for old in stored])  # noqa: S608
        cursor.executemany(f"UPDATE {table} SET id = %s WHERE id = %s", moves)  # noqa: S608 (ours)
        cursor.executemany(f"UPDATE {fts} SET rowid = %s WHERE rowid = %s", moves)  # noqa: S608 (ours)
    return first + len(stored)


class IndexingError(Exception):
    """A node's documents could not be given ids (SQLite)."""


def _copy(batch: list[Row]) -> None:
    table = SearchDocument._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(_COLUMNS)}, tokens) FROM STDIN") as copy,
    ):
        for row in batch:
            found = tokens.tsvector(row.folded)
            where = tokens.scope(
                row.kind, row.plan_id, row.start_year, row.end_year, row.open_end, row.node_id
            )
            copy.write_row([*row[:-1], f"{found} {where}"])
