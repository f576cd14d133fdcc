"""The public search of published data (docs/search.md).

What is searched: the search documents (``shinchoku.search``), written when data is
published or imported: the nodes' codes, printed labels, titles, purposes (概要),
baselines (現状) and section texts; the targets as planned, as revised and the reasons of
revisions, with the years they are set for; and the published results' texts
(実施結果, 環境等の変化・課題等, 新たな課題等への対応, 主な実施結果, section texts) with
their fiscal year. The drafts of an evaluation round live in ``review.Entry`` and are
never indexed, and become searchable when the round is published into ``Result``.

How: the query is normalised like stored text (``shinchoku.text.normalize``: NFKC, so
２０１２ is 2012) and split on white space into terms. Japanese is written without spaces,
so each term is matched anywhere in a text, whatever the case of its Latin letters; a
node is found when every term is in at least one of its texts (terms may be in
different texts) (``shinchoku.search.matching``).

Nodes are ordered with those whose name holds every term first, then by plan (newest
period first) and place in the tree (as the plan's outline prints it: depth first,
siblings by position, then code: ``Node.outline``), and paged; beyond ``matching.LIMIT`` nodes the
page says "1,000 or more" and orders only the first found. Each found node comes with
its matched texts, each with a short excerpt of its normalised text around the first
match; the excerpt is a list of plain fragments, some marked, which templates escape as
any text.

``search_page`` runs a bounded number of queries whatever the size of the data: the site's
data version and the plans (for the filters; not the plans while that version stays as
they were read under, ``_plans``), the look-up of each word and the names and places of
the nodes found (not those a process keeps, ``matching.find``), the nodes of the page
with their ancestors, and their matched texts (the first three of each node and how
many, ``passages.page_documents``): at most eight for one word on PostgreSQL, a query or
two more a word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from django.core.paginator import Paginator
from django.db import router
from django.utils.http import urlencode
from django.utils.translation import gettext, pgettext

from shinchoku import fiscal
from shinchoku.errors import ErrorCode, Refusal
from shinchoku.plans.models import Node, Plan, path_ancestor_ids
from shinchoku.plans.names import localized
from shinchoku.published import versions
from shinchoku.published.kept import KeptUnderVersion
from shinchoku.search import matching, passages
from shinchoku.search.models import Ids, SearchDocument
from shinchoku.search.statements import IDS_MARK, Statement
from shinchoku.text import normalize

from .common import NodeRef, text_lines, year_label
from .outline import PageInfo

#: Found nodes per page.
RESULTS_PER_PAGE = 20
#: The longest query accepted, in characters (as typed and once normalised).
MAX_QUERY_LENGTH = 200
#: The most terms (words separated by spaces) a query may have.
MAX_TERMS = 10
#: Matched fields shown per node; the rest are counted ("and 3 more on its page").
MAX_HITS_PER_NODE = 3
#: Characters of context shown before the first match, and the excerpt's length.
EXCERPT_BEFORE = 30
EXCERPT_LENGTH = 110

KINDS = ("all", "nodes", "targets", "results")
#: The kinds of search documents each choice of ``KINDS`` looks in.
DOCUMENT_KINDS = {
    "nodes": {SearchDocument.Kind.NODE},
    "targets": {SearchDocument.Kind.TARGET},
    "results": {SearchDocument.Kind.RESULT},
}

#: Printable ASCII to its full-width form (! U+0021 → ！ U+FF01 …).
_WIDE = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


# --------------------------------------------------------------------- the view-model


@dataclass(frozen=True)
class Fragment:
    """A piece of an excerpt; ``mark`` when it is a match."""

    text: str
    mark: bool


@dataclass(frozen=True)
class Excerpt:
    fragments: tuple[Fragment, ...]
    #: Text was cut before / after the excerpt (shown as …).
    cut_before: bool
    cut_after: bool


@dataclass(frozen=True)
class SearchHit:
    """A field of a found node that holds a term."""

    #: "node", "target" or "result".
    kind: str
    #: The model field: "summary", "revised_text", "context_change" …, or "section".
    field: str
    #: Where the text is: "Purpose", "Target 2012年度", "Result 2012年度（平成24年度）".
    label: str
    #: Which text of a target or result: "Revised", "What was done" …; empty for a node's own.
    detail: str
    #: The fiscal year of a result; None otherwise.
    fiscal_year: int | None
    #: "2012年度（平成24年度）" for a result, the period "2012年度〜2013年度" for a target.
    year_label: str
    #: The id of the place on the node's page ("result-2012"), or empty.
    anchor: str
    excerpt: Excerpt


@dataclass(frozen=True)
class SearchGroup:
    """A found node with the fields of it that matched."""

    plan_code: str
    plan_title: str
    node: NodeRef
    #: Ancestors of the node, root first.
    breadcrumb: tuple[NodeRef, ...]
    #: The node's code and printed name with the matches marked (not cut).
    code: tuple[Fragment, ...]
    name: tuple[Fragment, ...]
    #: The code, label or title holds a term.
    name_matched: bool
    hits: tuple[SearchHit, ...]
    #: Matched fields not shown (beyond ``MAX_HITS_PER_NODE``).
    more: int


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class SearchPage:
    #: The query as typed (cut to ``MAX_QUERY_LENGTH``), for the search box.
    query: str
    #: The normalised terms searched for; empty when nothing was searched.
    terms: tuple[str, ...]
    plan: str
    year: int | None
    kind: str
    #: What is wrong with the request, for the reader; nothing is searched when any.
    errors: tuple[str, ...]
    #: A search was run (a valid, non-empty query).
    searched: bool
    plans: tuple[Choice, ...]
    years: tuple[Choice, ...]
    kinds: tuple[Choice, ...]
    groups: tuple[SearchGroup, ...]
    page: PageInfo
    #: Query strings of the previous and next pages (without "?"), or empty.
    previous_query: str
    next_query: str
    #: Filters other than the defaults are in use.
    filtered: bool
    #: More nodes were found than are counted (``count`` is the limit).
    more: bool = False

    @property
    def count(self) -> int:
        """How many nodes were found, over all pages (at most ``matching.LIMIT``)."""
        return self.page.count

    @property
    def max_length(self) -> int:
        return MAX_QUERY_LENGTH

    @property
    def max_terms(self) -> int:
        return MAX_TERMS


# ---------------------------------------------------------------------------- terms


class QueryError(Refusal):
    """The query cannot be searched; the message is for the reader."""

    code = ErrorCode.INVALID


def search_terms(query: str) -> tuple[str, ...]:
    """The normalised, distinct terms of a query, in order. Raises QueryError when the
    query is longer than ``MAX_QUERY_LENGTH`` or has more than ``MAX_TERMS`` terms."""
    normalised = normalize(query)
    if len(query.strip()) > MAX_QUERY_LENGTH or len(normalised) > MAX_QUERY_LENGTH:
        raise QueryError(
            gettext("The search is too long: use at most %(max)s characters.") % {"max": MAX_QUERY_LENGTH}
        )
    terms = tuple(dict.fromkeys(normalised.split()))
    if len(terms) > MAX_TERMS:
        raise QueryError(gettext("The search has too many words: use at most %(max)s.") % {"max": MAX_TERMS})
    return terms


def _variants(term: str) -> tuple[str, ...]:
    """The term, and its full-width form when it has ASCII characters (for a name
    stored without normalising, marked as it is)."""
    wide = term.translate(_WIDE)
    return (term, wide) if wide != term else (term,)


def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """A case-insensitive pattern of the terms and their variants, longest first."""
    variants = {variant for term in terms for variant in _variants(term)}
    return re.compile("|".join(re.escape(v) for v in sorted(variants, key=lambda v: (-len(v), v))), re.I)


# ------------------------------------------------------------------------- excerpts


def marked(text: str, pattern: re.Pattern[str]) -> tuple[Fragment, ...]:
    """The whole text as fragments, the matches of ``pattern`` marked."""
    fragments = []
    last = 0
    for match in pattern.finditer(text):
        if match.start() > last:
            fragments.append(Fragment(text[last : match.start()], False))
        fragments.append(Fragment(match.group(), True))
        last = match.end()
    if last < len(text):
        fragments.append(Fragment(text[last:], False))
    return tuple(fragments)


def excerpt(text: str, pattern: re.Pattern[str]) -> Excerpt | None:
    """About ``EXCERPT_LENGTH`` characters of ``text`` around its first match, lines joined
    by a space, the matches marked; None when nothing matches."""
    flat = " ".join(line.text.strip() for line in text_lines(text))
    first = pattern.search(flat)
    if first is None:
        return None
    start = max(0, first.start() - EXCERPT_BEFORE)
    end = min(len(flat), max(start + EXCERPT_LENGTH, first.end()))
    start = max(0, min(start, end - EXCERPT_LENGTH))
    return Excerpt(
        fragments=marked(flat[start:end], pattern), cut_before=start > 0, cut_after=end < len(flat)
    )


# ---------------------------------------------------------------------------- search


#: The plans as ``_plans`` last read them (``published.kept``).
_kept_plans: KeptUnderVersion[str, tuple[Plan, ...]] = KeptUnderVersion(most=1)


def _plans(version: int | None) -> list[Plan]:
    """Every plan, newest period first, for the filters: read again only when the site's
    data version (``published.versions``: raised by every write of a plan), read before
    and given as ``version``, is not the one they were read under (``published.kept``:
    on PostgreSQL, a search then reads neither)."""
    alias = router.db_for_read(Plan)
    kept = _kept_plans.under(alias, version).get("plans")
    if kept is not None:
        return list(kept)
    plans = list(Plan.objects.using(alias).order_by("-first_year", "code"))
    _kept_plans.keep(alias, version, [("plans", tuple(plans))])
    return plans


def _options(plans: list[Plan], plan: str, year: int | None, kind: str) -> dict[str, tuple[Choice, ...]]:
    years = _offered_years(plans)
    kind_labels = {
        "all": gettext("Everything"),
        "nodes": gettext("Titles and descriptions"),
        "targets": gettext("Targets"),
        # The yearly results (実施結果) as a kind of text, not the search's own results.
        "results": pgettext("kind of text searched", "Results"),
    }
    return {
        "plans": tuple(Choice(p.code, p.title, p.code == plan) for p in plans),
        "years": tuple(Choice(str(y), year_label(y), y == year) for y in years),
        "kinds": tuple(Choice(k, kind_labels[k], k == kind) for k in KINDS),
    }


def _offered_years(plans: list[Plan]) -> list[int]:
    """The years of the plans' periods and onwards columns, latest first."""
    return sorted({y for p in plans for y in p.target_years}, reverse=True)


def _parse_year(raw: str, offered: list[int]) -> int:
    year = int(raw) if raw.isascii() and raw.isdigit() else None
    if year not in offered:
        raise QueryError(gettext("Choose a fiscal year from the list."))
    return year


def _details() -> dict[str, str]:
    """What each text of a node, target or result is called in a hit, by kind and field."""
    return {
        "target.text": gettext("As planned"),
        "target.revised_text": gettext("Revised"),
        "target.revision_reason": gettext("Reason for the revision"),
        "result.text": gettext("What was done"),
        "result.context_change": gettext("Changes in circumstances and issues"),
        "result.response": gettext("Response to new issues"),
        "result.highlight": gettext("Main results"),
        "node.summary": gettext("Purpose"),
        "node.baseline": gettext("Baseline"),
    }


class _Matched(NamedTuple):
    """A matched search document, as read for its hit."""

    node_id: int
    position: int
    kind: str
    field: str
    section_name: str | None
    section_name_en: str
    start_year: int | None
    end_year: int | None
    open_end: bool
    text: str


#: The columns of ``_Matched``, as read from the search documents.
_MATCHED_COLUMNS = (
    "node_id",
    "position",
    "kind",
    "field",
    "section__name",
    "section__name_en",
    "start_year",
    "end_year",
    "open_end",
    "text",
)


class _Labels:
    """What a page's hits are called (``_details``, and each year's and period's label),
    each made once per page in the active language: sixty hits name a few years."""

    def __init__(self) -> None:
        self.details = _details()
        self._results: dict[int, tuple[str, str]] = {}
        self._targets: dict[tuple[int, int, bool], tuple[str, str]] = {}

    def result(self, year: int) -> tuple[str, str]:
        """A result's year, and its hit's label: "2012年度（平成24年度）", "Result 2012年度…"."""
        if year not in self._results:
            named = year_label(year)
            self._results[year] = (named, gettext("Result %(year)s") % {"year": named})
        return self._results[year]

    def target(self, start_year: int, end_year: int, open_end: bool) -> tuple[str, str]:
        """A target's period, and its hit's label."""
        key = (start_year, end_year, open_end)
        if key not in self._targets:
            period = fiscal.period_label(start_year, end_year, onwards=open_end)
            self._targets[key] = (period, gettext("Target %(period)s") % {"period": period})
        return self._targets[key]


def _hit(document: _Matched, pattern: re.Pattern[str], labels: _Labels) -> SearchHit:
    """A matched text of a node, from its search document."""
    if document.section_name is not None:
        name = localized(document.section_name, document.section_name_en)
    else:
        name = labels.details[f"{document.kind}.{document.field}"]
    found = excerpt(document.text, pattern) or _opening(document.text)
    if document.kind == SearchDocument.Kind.NODE:
        return SearchHit("node", document.field, name, "", None, "", "", found)
    assert document.start_year is not None and document.end_year is not None
    if document.kind == SearchDocument.Kind.RESULT:
        year = document.start_year
        named, label = labels.result(year)
        return SearchHit("result", document.field, label, name, year, named, f"result-{year}", found)
    period, label = labels.target(document.start_year, document.end_year, document.open_end)
    return SearchHit("target", document.field, label, name, None, period, "", found)


def _opening(text: str) -> Excerpt:
    """The start of a text whose match the excerpt cannot mark (a letter that case
    folding changed, such as ß for "ss")."""
    flat = " ".join(line.text.strip() for line in text_lines(text))
    return Excerpt(
        fragments=(Fragment(flat[:EXCERPT_LENGTH], False),),
        cut_before=False,
        cut_after=len(flat) > EXCERPT_LENGTH,
    )


class _PageNode(NamedTuple):
    """A node of the page or an ancestor of one, as read for its group (``_PAGE_NODE_COLUMNS``)."""

    pk: int
    code: str
    label: str
    title: str
    plan_code: str
    plan_title: str
    level_name: str
    level_name_en: str
    rated: bool

    def ref(self) -> NodeRef:
        return NodeRef(
            code=self.code,
            label=self.label,
            title=self.title,
            level_name=localized(self.level_name, self.level_name_en),
            rated=bool(self.rated),
        )


_PAGE_NODE_COLUMNS = (
    "pk",
    "code",
    "label",
    "title",
    "plan__code",
    "plan__title",
    "level__name",
    "level__name_en",
    "level__rated",
)


#: The page's nodes and ancestors (``_PAGE_NODE_COLUMNS``) searches have read, by node
#: (``published.kept``): the first page of a common word is the same nodes, and the plan
#: areas and programmes above the nodes of any page are few. At most 20,000 for a
#: database (about 10 MB).
_kept_nodes: KeptUnderVersion[int, tuple[Any, ...]] = KeptUnderVersion(most=20_000)


@lru_cache(maxsize=8)
def _page_nodes_statement(alias: str) -> Statement:
    """The query of a page's nodes and their ancestors (``_PAGE_NODE_COLUMNS``), compiled
    once (``search.statements``): its value "nodes" their ids."""
    query = Node.objects.using(alias).filter(pk__any_of=IDS_MARK).order_by().values_list(*_PAGE_NODE_COLUMNS)
    return Statement.compiled(query, {"nodes": IDS_MARK})


def _group(
    node: _PageNode,
    ref: NodeRef,
    breadcrumb: tuple[NodeRef, ...],
    hits: list[SearchHit],
    matched: int,
    pattern: re.Pattern[str],
    name_matched: bool,
) -> SearchGroup:
    """A found node with its first matched texts (``hits``) of ``matched``."""
    return SearchGroup(
        plan_code=node.plan_code,
        plan_title=node.plan_title,
        node=ref,
        breadcrumb=breadcrumb,
        code=marked(node.code, pattern) if name_matched else (Fragment(node.code, False),),
        name=marked(ref.name, pattern) if name_matched else (Fragment(ref.name, False),),
        name_matched=name_matched,
        hits=tuple(hits),
        more=matched - len(hits),
    )


def _query_string(query: str, plan: str, year: int | None, kind: str, page: int | None) -> str:
    params: dict[str, str | int] = {"q": query}
    if plan:
        params["plan"] = plan
    if year is not None:
        params["year"] = year
    if kind != "all":
        params["kind"] = kind
    if page is not None and page > 1:
        params["page"] = page
    return urlencode(params)


def search_page(
    *, q: str = "", plan: str = "", year: str = "", kind: str = "", page: int | str | None = None
) -> SearchPage:
    """The search page for the request's parameters, as typed: the query ``q``, a plan's
    code, a fiscal year, what to search (``KINDS``; empty is "all") and the page number.
    Invalid parameters give ``errors`` and no search."""
    query = q.strip()
    plan_code = plan.strip()
    kind = kind.strip() or "all"
    errors: list[str] = []
    terms: tuple[str, ...] = ()
    try:
        terms = search_terms(query)
    except QueryError as error:
        errors.append(str(error))
    version = versions.site_version()
    plans = _plans(version)
    chosen_plan = next((p for p in plans if p.code == plan_code), None)
    if plan_code and chosen_plan is None:
        errors.append(gettext("Choose a plan from the list."))
    chosen_year: int | None = None
    if year.strip():
        try:
            chosen_year = _parse_year(year.strip(), _offered_years(plans))
        except QueryError as error:
            errors.append(str(error))
    if kind not in KINDS:
        errors.append(gettext("Choose what to search from the list."))
        kind = "all"

    searched = bool(terms) and not errors
    groups: list[SearchGroup] = []
    found = matching.Found((), frozenset(), False)
    if searched:
        found = matching.find(
            terms,
            kinds=_kinds(kind),
            plan_id=chosen_plan.pk if chosen_plan else None,
            year=chosen_year,
            version=version,
        )
    paginator = Paginator(found.node_ids, RESULTS_PER_PAGE)
    page_obj = paginator.get_page(page)
    if searched:
        shown = list(page_obj.object_list)
        paths = found.paths_of((page_obj.number - 1) * RESULTS_PER_PAGE, len(shown))
        groups = _groups(shown, paths, found.named, terms, _kinds(kind), chosen_plan, chosen_year, version)

    echo = query[:MAX_QUERY_LENGTH]
    return SearchPage(
        query=echo,
        terms=terms if searched else (),
        plan=plan_code if chosen_plan else "",
        year=chosen_year,
        kind=kind,
        errors=tuple(errors),
        searched=searched,
        **_options(plans, plan_code, chosen_year, kind),
        groups=tuple(groups),
        page=PageInfo(
            number=page_obj.number,
            num_pages=paginator.num_pages,
            count=paginator.count if searched else 0,
            start_index=page_obj.start_index() if searched else 0,
            end_index=page_obj.end_index() if searched else 0,
            previous_number=page_obj.previous_page_number() if page_obj.has_previous() else None,
            next_number=page_obj.next_page_number() if page_obj.has_next() else None,
        ),
        previous_query=(
            _query_string(echo, plan_code, chosen_year, kind, page_obj.previous_page_number())
            if page_obj.has_previous()
            else ""
        ),
        next_query=(
            _query_string(echo, plan_code, chosen_year, kind, page_obj.next_page_number())
            if page_obj.has_next()
            else ""
        ),
        filtered=bool(chosen_plan or chosen_year is not None or kind != "all"),
        more=found.more,
    )


def _kinds(kind: str) -> set[str]:
    """The kinds of search documents a choice of ``KINDS`` looks in."""
    if kind == "all":
        return set(matching.KINDS)
    return {str(document_kind) for document_kind in DOCUMENT_KINDS[kind]}


def _groups(
    node_ids: list[int],
    paths: Mapping[int, str],
    named: frozenset[int],
    terms: tuple[str, ...],
    kinds: set[str],
    plan: Plan | None,
    year: int | None,
    version: int | None,
) -> list[SearchGroup]:
    """The found nodes of one page with their matched texts, from their ``paths`` and
    which of them are ``named`` (``matching.Found``). Two queries:
    the nodes with their ancestors (known from their paths; not those kept under the
    site's data version ``version``, ``_kept_nodes``), and their documents."""
    if not node_ids:
        return []
    pattern = _pattern(terms)
    ancestry = {node_id: path_ancestor_ids(paths.get(node_id, "")) for node_id in node_ids}
    wanted = {*node_ids, *(pk for ancestors in ancestry.values() for pk in ancestors)}
    alias = Node.objects.all().db
    kept = _kept_nodes.under(alias, version)
    rows = [kept[pk] for pk in wanted if pk in kept]
    unread = sorted(pk for pk in wanted if pk not in kept)
    if unread:
        new = _page_nodes_statement(alias).rows({"nodes": Ids(unread)})
        _kept_nodes.keep(alias, version, ((row[0], row) for row in new))
        rows += new
    read = {row[0]: _PageNode(*row) for row in rows}
    refs = {pk: node.ref() for pk, node in read.items()}
    nodes = {pk: read[pk] for pk in node_ids if pk in read}
    # The page's nodes' first texts holding a term, and how many hold one.
    documents, matched = passages.page_documents(
        _MATCHED_COLUMNS,
        node_ids,
        matching.folded_terms(terms),
        kinds,
        plan.pk if plan else None,
        year,
        MAX_HITS_PER_NODE,
    )
    labels = _Labels()
    hits: dict[int, list[SearchHit]] = defaultdict(list)
    for row in documents:
        # Only the texts shown are cut into excerpts; the others are counted.
        hits[row[0]].append(_hit(_Matched(*row), pattern, labels))
    return [
        _group(
            node,
            refs[pk],
            tuple(refs[a] for a in ancestry[pk] if a in refs),
            hits[pk],
            matched.get(pk, 0),
            pattern,
            pk in named,
        )
        for pk, node in nodes.items()
    ]
