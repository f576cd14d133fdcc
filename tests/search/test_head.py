"""The texts of the site's first nodes kept in memory (``search.head``): a search in every
kind of text of every year, or narrowed to kinds or a year, finds there exactly what the
index finds, whether the head
holds every node or only the first ones (the search then looks on beyond them, walked or
through the index), and a write is seen by the next search. As a web request runs a
search: outside a transaction, with the site's data version read first."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from shinchoku.plans.models import Node
from shinchoku.published import versions
from shinchoku.search import head, matching
from shinchoku.search.models import NodeTokens, SearchDocument
from tests.factories import add_result, make_node, make_world
from tests.search import test_matching
from tests.search.test_matching import ALL, QUERIES, STRATEGIES, reference

pytestmark = pytest.mark.django_db(transaction=True)

#: The corpus of the matching tests, the same texts looked for, and its blocks of two
#: nodes (their fixtures).
corpus = test_matching.corpus
small_blocks = test_matching.small_blocks


def searched(
    terms: list[str], plan_id: int | None = None, kinds: set[str] = ALL, year: int | None = None
) -> matching.Found:
    return matching.find(terms, kinds=kinds, plan_id=plan_id, year=year, version=versions.site_version())


def narrowed_searches(plan_id: int) -> list[tuple[list[str], set[str], int | None, int | None]]:
    """Searches narrowed to kinds of text, a year or both (terms, kinds, plan, year): the
    years cover a result's, a target's span and one after it, and none."""
    searches: list[tuple[list[str], set[str], int | None, int | None]] = []
    for terms in (["区"], ["推進"], ["説明"], ["の"], ["事業推進"], ["拡充"]):
        for kinds in ({"node"}, {"target"}, {"result"}, ALL):
            searches += [
                (terms, kinds, plan_id, 2012),
                (terms, kinds, None, 2017),
                (terms, kinds, None, 2013),
                (terms, kinds, plan_id, None),
            ]
    searches += [(["区"], {"node", "result"}, None, None), (["事業推進"], {"target", "result"}, None, 2012)]
    return [search for search in searches if search[1] != ALL or search[3] is not None]


@pytest.fixture(autouse=True)
def nothing_kept() -> None:
    head._heads.clear()
    matching._places.clear()
    matching._edges.clear()


@pytest.mark.parametrize("nodes", [1, 2, 3, 100], ids=lambda nodes: f"{nodes} kept")
@pytest.mark.parametrize(
    "strategy",
    [
        "walked",
        "walked, then through the index",
        "through the index",
        "in blocks",
        "in blocks, then through the index",
        "in blocks, then walked",
    ],
)
@pytest.mark.parametrize("limit", [1, 2, 1000])
def test_the_head_finds_what_the_index_finds(
    small_blocks: None,
    corpus: dict[str, Node],
    monkeypatch: pytest.MonkeyPatch,
    nodes: int,
    strategy: str,
    limit: int,
) -> None:
    """The same nodes, in the same order, as the search that reads the index alone; and
    the first nodes holding every term, by id, as a substring search of the rows finds."""
    monkeypatch.setattr(matching, "LIMIT", limit)
    for name, value in STRATEGIES[strategy].items():
        monkeypatch.setattr(matching, name, value)
    plan_id = corpus["first"].plan_id
    searches = [(terms, None) for terms in [*QUERIES, ["の", "区"], ["推進", "の"]]]
    searches += [(terms, plan_id) for terms in (["区"], ["推"], ["の"], ["事業推進"], ["の", "区"])]
    every = [(terms, ALL, plan, None) for terms, plan in searches]
    for terms, kinds, plan, year in [*every, *narrowed_searches(plan_id)]:
        asked = (terms, kinds, plan, year)
        monkeypatch.setattr(head, "MAX_NODES", nodes)
        answer = searched(terms, plan, kinds, year)
        assert head.head(connection.alias, versions.site_version()) is not None
        monkeypatch.setattr(head, "MAX_NODES", 0)
        assert answer == searched(terms, plan, kinds, year), asked
        expected = reference(terms, kinds, plan, year)
        assert set(answer.node_ids) <= set(sorted(expected)[: limit + 1]), asked
        assert len(answer.node_ids) == min(limit, len(expected)), asked
        assert answer.more == (len(expected) > limit), asked


def test_a_head_of_every_node_answers_with_no_query_of_the_documents(corpus: dict[str, Node]) -> None:
    """Every node kept: the head answers a search in every kind of text of every year
    without asking the documents or their tokens, on either database, once it is read."""
    searched(["区"])
    kept = head.head(connection.alias, versions.site_version())
    assert kept is not None and kept.complete and len(kept.node_ids) == Node.objects.count()
    narrowed = narrowed_searches(corpus["first"].plan_id)
    with CaptureQueriesContext(connection) as context:
        for terms in (["区"], ["推進"], ["鷗"], ["存在しない"]):
            answer = searched(terms)
            assert set(answer.node_ids) == reference(terms, ALL, None, None)
        for terms, kinds, plan, year in narrowed:
            answer = searched(terms, plan, kinds, year)
            assert set(answer.node_ids) == reference(terms, kinds, plan, year), (terms, kinds, plan, year)
    documents = SearchDocument._meta.db_table
    assert not [query["sql"] for query in context.captured_queries if documents in query["sql"]]
    assert any(searched(terms, plan, kinds, year).node_ids for terms, kinds, plan, year in narrowed)


def test_a_site_of_more_scopes_than_are_kept_answers_narrowed_searches_from_the_index(
    corpus: dict[str, Node], monkeypatch: pytest.MonkeyPatch
) -> None:
    """More kinds and years of texts than ``MAX_SCOPES``: the texts are not kept by their
    scope, a narrowed search reads the index, and finds the same."""
    scopes = (
        SearchDocument.objects.values_list("kind", "start_year", "end_year", "open_end").distinct().count()
    )
    assert scopes > 2
    monkeypatch.setattr(head, "MAX_SCOPES", scopes - 1)
    kept = head.head(connection.alias, versions.site_version())
    assert kept is not None and kept.scoped is None and not kept.answers({"result"}, None)
    assert kept.answers(None, None)
    for terms, kinds, plan, year in narrowed_searches(corpus["first"].plan_id):
        with CaptureQueriesContext(connection) as context:
            answer = searched(terms, plan, kinds, year)
        assert set(answer.node_ids) == reference(terms, kinds, plan, year), (terms, kinds, plan, year)
        read = " ".join(query["sql"] for query in context.captured_queries)
        assert SearchDocument._meta.db_table in read or NodeTokens._meta.db_table in read
    head._heads.clear()
    monkeypatch.setattr(head, "MAX_SCOPES", scopes)
    kept = head.head(connection.alias, versions.site_version())
    assert kept is not None and kept.scoped is not None and len(kept.scoped) == scopes


def test_the_head_holds_each_text_whole_and_none_across_two() -> None:
    """A term is found within one text, never across the end of one and the start of the
    next, of one node or of two."""
    world = make_world(first_year=2011, last_year=2013)
    area = make_node(world.area_level, code="h", title="分野")
    node = make_node(world.measure_level, area, code="h-1", title="末尾の語")
    add_result(node, 2012, "語頭から始まる")
    other = make_node(world.measure_level, area, code="h-2", title="次頭")
    for terms in (["語語頭"], ["る次頭"], ["語h-2"]):
        assert searched(terms).node_ids == ()
        assert searched(terms, kinds={"node", "result"}).node_ids == ()
        assert searched(terms, year=2012).node_ids == ()
    assert set(searched(["語頭"], kinds={"result"}, year=2012).node_ids) == {node.pk}
    assert searched(["語頭"], kinds={"result"}, year=2011).node_ids == ()
    assert set(searched(["末尾の語"]).node_ids) == {node.pk}
    assert set(searched(["次頭"]).node_ids) == {other.pk}


def test_a_write_is_found_by_the_next_search(corpus: dict[str, Node]) -> None:
    """The head is kept under the data version: a node written raises it, and the next
    search finds the node's texts, here and after a write rolled back finds nothing of it."""
    assert corpus["second"].pk not in searched(["新しい題"]).node_ids
    later = make_node(corpus["first"].level, corpus["first"].parent, code="9-1-9", title="新しい題の施策")
    assert searched(["新しい題"]).node_ids == (later.pk,)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_node(corpus["first"].level, corpus["first"].parent, code="9-1-8", title="消える題")
        raise RuntimeError("rolled back")
    assert searched(["消える題"]).node_ids == ()


def test_nothing_is_kept_within_a_transaction_nor_without_a_version(corpus: dict[str, Node]) -> None:
    version = versions.site_version()
    assert head.head(connection.alias, None) is None
    with transaction.atomic():
        assert head.head(connection.alias, version) is None
    assert head._heads.under(connection.alias, version) == {}
    assert head.head(connection.alias, version) is not None


def test_the_nodes_kept_end_before_the_one_that_passes_the_bound_of_characters(
    corpus: dict[str, Node], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bound cuts the head at a node, never within one: the first node's texts fit,
    the second's (thousands of characters) do not, and a term only in the second is still
    found, beyond the head."""
    first = corpus["first"]
    before_first = Node.objects.filter(pk__lt=first.pk).count()
    kept_characters = sum(
        len(text) + 1
        for text in SearchDocument.objects.filter(node_id__lte=first.pk).values_list("text", flat=True)
    )
    monkeypatch.setattr(head, "MAX_CHARACTERS", kept_characters + 10)
    kept = head.head(connection.alias, versions.site_version())
    assert kept is not None and not kept.complete and kept.node_ids[-1] == first.pk
    assert len(kept.node_ids) == before_first + 1
    assert set(searched(["一文は龘"]).node_ids) == {corpus["second"].pk}


@pytest.mark.parametrize("limit", [1, 2, 1000])
def test_blocks_asked_after_the_head_start_after_its_last_node(
    small_blocks: None, corpus: dict[str, Node], monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    """The block of the head's last node is asked for the nodes after it only, whichever
    node the head ends at, within a block or at its end."""
    monkeypatch.setattr(matching, "LIMIT", limit)
    for name, value in STRATEGIES["in blocks"].items():
        monkeypatch.setattr(matching, name, value)
    for nodes in range(1, Node.objects.count()):
        for terms in (["区"], ["の"], ["推"], ["事"]):
            head._heads.clear()
            monkeypatch.setattr(head, "MAX_NODES", nodes)
            answer = searched(terms)
            monkeypatch.setattr(head, "MAX_NODES", 0)
            assert answer == searched(terms), (nodes, terms)
            assert len(set(answer.node_ids)) == len(answer.node_ids)
