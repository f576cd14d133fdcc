"""The search documents: one a published text of a node (a field, of a year).

On PostgreSQL the tokens of a document are in its ``tokens`` column (a ``tsvector``
with a GIN index); on SQLite in the FTS5 table ``search_document_fts``, whose rowid is
the document's id (both made by the migrations). ``tokens__matches=term`` finds the
documents holding a folded term on either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import gettext_lazy as _

from shinchoku.plans.models import Node, Plan, Section

from . import tokens

#: The FTS5 table of the documents' tokens on SQLite.
FTS_TABLE = "search_document_fts"


class TokensField(models.Field[Any, Any]):
    """A ``tsvector`` on PostgreSQL, written from the literal ``tokens.tsvector``
    (cast, never parsed by a text-search configuration); unused on SQLite, whose tokens
    are in the FTS5 table."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value: Any, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> str:
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"


class Term(NamedTuple):
    """A folded term (no blanks: ``tokens.fold``), within a scope when given, as the
    parameter that finds it in the tokens: a ``tsquery`` on PostgreSQL, whose index of
    tokens answers the scope alone; an FTS5 query on SQLite (the scope asked of the
    columns, ``matching.documents``)."""

    term: str
    within: tokens.Within | None = None
    #: Each of its tokens anywhere, for tokens without places (``NodeTokens``), on
    #: PostgreSQL: a term there may be in a node's texts, not that it is.
    apart: bool = False

    def parameter(self, connection: BaseDatabaseWrapper) -> str:
        if connection.vendor == "postgresql":
            return tokens.tsquery_apart(self.term) if self.apart else tokens.tsquery(self.term, self.within)
        if self.apart:
            raise ValueError("The tokens of nodes are kept on PostgreSQL only.")
        return tokens.fts5_query(self.term)


@TokensField.register_lookup
class Matches(models.Lookup[Any]):
    """The documents holding a term (folded, without blanks: ``tokens.fold``); or a term
    within a scope, ``(term, tokens.Within(...))`` (``Term``)."""

    lookup_name = "matches"
    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        term = Term(*self.rhs) if isinstance(self.rhs, tuple) else Term(str(self.rhs))
        if connection.vendor == "postgresql":
            lhs, params = self.process_lhs(compiler, connection)
            return f"{lhs} @@ %s::tsquery", [*params, term.parameter(connection)]
        quote = compiler.quote_name_unless_alias
        document_id = f"{quote(self.lhs.alias)}.{quote('id')}"
        return (
            f"{document_id} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)",  # noqa: S608 (names of ours)
            [term.parameter(connection)],
        )


class Ids:
    """A list of ids for ``__any_of``, kept whole: the query's compiler walks a list or
    a tuple given to a lookup item by item, a thousand times for a search's candidates."""

    __slots__ = ("ids",)

    def __init__(self, ids: Iterable[int]) -> None:
        self.ids = [int(value) for value in ids]

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def parameter(self, connection: BaseDatabaseWrapper) -> list[int] | str:
        """The ids as one parameter: an array on PostgreSQL, JSON on SQLite."""
        return self.ids if connection.vendor == "postgresql" else json.dumps(self.ids)


class AnyOf(models.Lookup[Any]):
    """The column is one of a list of integers, sent as one parameter (``field__any_of=
    [3, 5]``, or ``Ids([3, 5])``, ``Ids.parameter``). A search's candidates are a
    thousand ids, which ``__in`` would send as a thousand parameters, costing more to
    build and plan than the query costs to run."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        ids = self.rhs if isinstance(self.rhs, Ids) else Ids(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, ids.parameter(connection)]
        # The column's name is the framework's; the ids are a parameter.
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, ids.parameter(connection)]  # noqa: S608


models.Field.register_lookup(AnyOf)
models.ForeignObject.register_lookup(AnyOf)


class SearchDocument(models.Model):
    """A text of a published node, as the search finds and shows it: a node's own text
    (its code, label, title, purpose, baseline or a section's text; no years), a text of
    a target (the years it is set for) or a text of a result (its fiscal year). A text
    longer than a ``tsvector`` holds is in several documents, its parts (``part``)."""

    class Kind(models.TextChoices):
        NODE = "node", _("the node")
        TARGET = "target", _("a target")
        RESULT = "result", _("a result")

    node = models.ForeignKey(Node, models.CASCADE, related_name="+", verbose_name=_("node"))
    plan = models.ForeignKey(Plan, models.CASCADE, related_name="+", verbose_name=_("plan"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    #: The field of the node, target or result ("title", "revised_text" …), "section"
    #: for a section's text (``section``).
    field = models.CharField(_("field"), max_length=30)
    section = models.ForeignKey(
        Section, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("section")
    )
    #: The years of a target or a result, as ``progress.Target`` has them (a result's
    #: fiscal year both); none for a node's own texts.
    start_year = models.PositiveSmallIntegerField(_("from fiscal year"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("to fiscal year"), null=True, blank=True)
    open_end = models.BooleanField(_("and onwards"), default=False)
    #: The order of the node's texts as the search shows them, and of a text's parts.
    position = models.PositiveIntegerField(_("order"))
    part = models.PositiveSmallIntegerField(_("part"), default=0)
    #: The text (its part) normalised, for excerpts.
    text = models.TextField(_("text"))
    tokens = TokensField(_("tokens"), null=True, editable=False)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        # A node's texts of a kind and field: its name, looked at for each node found.
        indexes = [models.Index(fields=["node", "kind", "field"], name="searchdocument_node_field")]

    def __str__(self) -> str:
        return f"{self.node_id} {self.field} {self.start_year or ''}"


class NodeTokens(models.Model):
    """Every token of a node's documents (``SearchDocument``) at once, without places or
    scope: which characters and pairs of characters any of its published texts holds,
    kept with them (``indexing``) on PostgreSQL, under a GIN index of its own.

    A term of one token (one or two characters) that few documents hold is looked up
    here when nothing but the plan narrows the search (``matching._of_nodes``): its
    list in this index is a list of nodes, each read from this table, a few hundred
    bytes a row however long its texts, where the documents' list costs one row of
    the documents' table (their texts and tokens) for each document holding it, most of
    which the server no longer holds in memory. On SQLite the FTS5 table reads a
    term's documents in the order of their nodes, and this table stays empty.

    And the tokens of each kind of its documents apart (``tokens_node``,
    ``tokens_target``, ``tokens_result``; ``kind_column``), each under its own GIN index:
    which nodes may hold a term in the texts of a kind, when the search is narrowed to
    it (``matching._of_kinds``). A word of the results that no node's own texts hold
    is answered from them at once, where the documents' index would intersect the
    lists of its pairs of characters, each in most of the documents, with the kind's
    (60 ms and more at 100,000 measures)."""

    node = models.OneToOneField(
        Node, models.CASCADE, primary_key=True, related_name="+", verbose_name=_("node")
    )
    plan = models.ForeignKey(Plan, models.CASCADE, related_name="+", verbose_name=_("plan"))
    tokens = TokensField(_("tokens"), editable=False)
    tokens_node = TokensField(_("tokens of its own texts"), editable=False, db_default="")
    tokens_target = TokensField(_("tokens of its targets"), editable=False, db_default="")
    tokens_result = TokensField(_("tokens of its results"), editable=False, db_default="")

    class Meta:
        verbose_name = _("tokens of a node")
        verbose_name_plural = _("tokens of nodes")

    def __str__(self) -> str:
        return str(self.node_id)


#: Every kind of search document: what a search looks in unless told, what a whole node
#: is written again with.
KINDS: frozenset[str] = frozenset(SearchDocument.Kind)


def kind_column(kind: str) -> str:
    """The column of ``NodeTokens`` that holds the tokens of a node's documents of a kind."""
    if kind not in KINDS:
        raise ValueError(f"No kind of document is called {kind!r}.")
    return f"tokens_{kind}"
