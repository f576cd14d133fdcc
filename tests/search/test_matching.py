"""What the search finds, the same on SQLite and PostgreSQL: for a fixed corpus, each
query finds exactly the nodes a plain substring search of the normalised, case-folded
texts finds (``reference``), one- and two-character queries, a character at the end of
a text, full- and half-width forms and Latin case included. The suite runs on both
databases, so both answer as the reference does."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinchoku.plans.models import Node, NodeSectionText
from shinchoku.plans.services import node_save
from shinchoku.progress.models import Result, ResultSectionText, Target
from shinchoku.published import versions
from shinchoku.search import head, matching, passages, planner, tokens
from shinchoku.search.models import SearchDocument
from shinchoku.search.statements import sent_with
from shinchoku.search.tokens import fold
from tests.factories import add_result, add_sections, add_target, make_node, make_world

pytestmark = pytest.mark.django_db

ALL = set(matching.KINDS)
LONG_TEXT = ("の" * 300) + ("事業を推進しました。" * 2000) + "最後の一文は龘"


@pytest.fixture
def corpus() -> dict[str, Node]:
    _TEXTS.clear()
    world = make_world(code="corpus", first_year=2011, last_year=2013)
    other = make_world(code="corpus-b", first_year=2016, last_year=2018)
    sections = add_sections(world.plan, world.measure_level)
    area = make_node(world.area_level, code="9", label="プラン９", title="市民自治と区役所機能の拡充")
    programme = make_node(world.programme_level, area, code="9-1", title="協働のまちづくり")
    first = make_node(
        world.measure_level,
        programme,
        code="9-1-1",
        title="協働型事業の推進",
        summary="Wi-Fi環境を整備します",
        baseline="ＡＢＣ１２３の現状",
    )
    second = make_node(
        world.measure_level, programme, code="9-1-2", title="市民活動の支援", summary=LONG_TEXT
    )
    NodeSectionText.objects.create(node=first, section=sections["target-group"], text="市民活動団体")
    add_target(first, 2011, 2011, "●説明会の開催")
    add_target(
        first, 2012, 2013, "●ルールに基づく拡充", revised_text="DXの推進", revision_reason="国の制度変更"
    )
    add_target(first, 2014, 2014, "事業推進", open_end=True)
    result = add_result(first, 2011, "庁内調査を実施した鷗", context_change="ｶﾀｶﾅの説明")
    ResultSectionText.objects.create(result=result, section=sections["issues"], text="周知の不足")
    add_result(second, 2012, "講座を開催しました。区", highlight="SENTINEL-Case")
    far_area = make_node(other.area_level, code="x", title="別の計画の区")
    make_node(other.programme_level, far_area, code="x-1", title="講座の運営", summary="Wi-Fi 区")
    return {"first": first, "second": second, "area": area}


#: The folded texts of each node of the corpus, by the kinds, plan and year looked in: read
#: from the rows once a test (``corpus`` empties it), searched by every ``reference``.
_TEXTS: dict[tuple[frozenset[str], int | None, int | None], dict[int, list[str]]] = {}


def reference(terms: list[str], kinds: set[str], plan_id: int | None, year: int | None) -> set[int]:
    """The nodes holding every term, by a substring search of the rows themselves."""
    key = (frozenset(kinds), plan_id, year)
    if key not in _TEXTS:
        _TEXTS[key] = _texts(kinds, plan_id, year)
    folded = matching.folded_terms(terms)
    return {
        node_id for node_id, found in _TEXTS[key].items() if all(any(t in x for x in found) for t in folded)
    }


def _texts(kinds: set[str], plan_id: int | None, year: int | None) -> dict[int, list[str]]:
    texts: dict[int, list[str]] = {}

    def add(node_id: int, text: str) -> None:
        texts.setdefault(node_id, []).append(fold(text))

    nodes = Node.objects.all() if plan_id is None else Node.objects.filter(plan_id=plan_id)
    for node in nodes:
        texts.setdefault(node.pk, [])
        if "node" in kinds:
            for text in (node.code, node.label, node.title, node.summary, node.baseline):
                add(node.pk, text)
            for section_text in NodeSectionText.objects.filter(node=node):
                add(node.pk, section_text.text)
        if "target" in kinds:
            for target in Target.objects.filter(node=node):
                if year is None or Target.covers(target.start_year, target.end_year, target.open_end, year):
                    for text in (target.text, target.revised_text, target.revision_reason):
                        add(node.pk, text)
        if "result" in kinds:
            for result in Result.objects.filter(node=node):
                if year is None or result.fiscal_year == year:
                    for text in (result.text, result.context_change, result.response, result.highlight):
                        add(node.pk, text)
                    for section_text in ResultSectionText.objects.filter(result=result):
                        add(node.pk, section_text.text)
    return texts


def found(
    terms: list[str], kinds: set[str] = ALL, plan_id: int | None = None, year: int | None = None
) -> set[int]:
    result = matching.find(terms, kinds=kinds, plan_id=plan_id, year=year)
    assert not result.more
    return set(result.node_ids)


QUERIES = [
    ["区"],  # one character, in titles, results and at the end of a result's text
    ["鷗"],  # one character, at the end of a text only
    ["た鷗"],  # two characters ending a text
    ["推進"],
    ["協働型事業"],
    ["wi-fi"],
    ["WI-FI"],
    ["ｗｉ－ｆｉ"],
    ["ａｂｃ123"],
    ["ABC１２３の現状"],
    ["カタカナ"],
    ["ｶﾀｶﾅ"],
    ["sentinel-case"],
    ["市民活動"],
    ["周知の不足"],
    ["事業推進"],
    ["DX 国の制度"],
    ["協働型事業の推進 庁内調査"],  # the title and a result of one node
    ["講座 鷗"],  # in two different nodes: nothing
    ["一文は龘"],  # at the end of a text thousands of characters long
    ["龘"],
    ["の" * 5],
    ["存在しない言葉"],
    ["%"],
    ["_"],
]


def test_each_query_finds_what_a_substring_search_finds(corpus: dict[str, Node]) -> None:
    for terms in QUERIES:
        assert found(terms) == reference(terms, ALL, None, None), terms
    # Some that are known to match, so that the reference cannot be empty by mistake.
    assert found(["鷗"]) == {corpus["first"].pk}
    assert found(["ｗｉ－ｆｉ"]) == found(["Wi-Fi"]) and len(found(["wi-fi"])) == 2
    assert found(["一文は龘"]) == found(["龘"]) == {corpus["second"].pk}
    assert found(["講座 鷗"]) == set()


def test_every_one_and_two_characters_of_the_corpus_find_what_a_substring_search_finds(
    corpus: dict[str, Node],
) -> None:
    texts = set(
        SearchDocument.objects.exclude(field="summary", node=corpus["second"]).values_list("text", flat=True)
    )
    grams: set[str] = set()
    for text in texts:
        folded = "".join(fold(text).split())
        grams.update(folded)
        grams.update(folded[i : i + 2] for i in range(len(folded) - 1))
    assert len(grams) > 150
    for gram in sorted(grams):
        assert found([gram]) == reference([gram], ALL, None, None), gram


def test_filters_by_plan_year_and_kind_as_a_substring_search(corpus: dict[str, Node]) -> None:
    plan_id = corpus["first"].plan_id
    for terms in (["区"], ["推進"], ["開催"], ["説明"], ["拡充"], ["DX"], ["鷗"], ["の"]):
        for kinds in (ALL, {"node"}, {"target"}, {"result"}):
            for year in (None, 2011, 2012, 2013, 2014, 2017):
                for plan in (None, plan_id):
                    expected = reference(terms, kinds, plan, year)
                    assert found(terms, kinds, plan, year) == expected, (terms, kinds, plan, year)
    # Targets by the years they are set for: a span, and the onwards column.
    assert found(["拡充"], {"target"}, None, 2013) == {corpus["first"].pk}
    assert found(["拡充"], {"target"}, None, 2011) == set()
    assert found(["事業推進"], {"target"}, None, 2017) == {corpus["first"].pk}


def test_nodes_named_by_the_terms_come_first_then_by_plan_and_place(corpus: dict[str, Node]) -> None:
    result = matching.find(["市民"], kinds=ALL, plan_id=None, year=None)
    # 9-1-2 市民活動の支援 and 9 市民自治と… are named by it; 9-1-1 holds it in a section.
    named = [corpus["area"].pk, corpus["second"].pk]
    assert list(result.node_ids) == [*named, corpus["first"].pk]
    assert result.named == frozenset(named)
    # Named by every term, not by one: 市民 is in their names, 推進 elsewhere.
    both = matching.find(["市民", "推進"], kinds=ALL, plan_id=None, year=None)
    assert set(both.node_ids) == {corpus["first"].pk, corpus["second"].pk} and not both.named
    newest_first = matching.find(["区"], kinds=ALL, plan_id=None, year=None)
    plans = list(Node.objects.filter(pk__in=newest_first.node_ids).values_list("pk", "plan__code"))
    order = dict(plans)
    named_in_order = [order[pk] for pk in newest_first.node_ids if pk in newest_first.named]
    assert named_in_order == sorted(named_in_order, key=lambda code: code != "corpus-b")


@pytest.mark.django_db(transaction=True)
def test_nodes_are_named_and_ordered_alike_from_the_names_kept_and_from_those_read(
    corpus: dict[str, Node],
) -> None:
    """On PostgreSQL each process keeps the candidates' places with their names folded
    (``matching._keep_places``) under the site's data version, as a web request runs a
    search (outside a transaction): a search answered from them names and orders its
    nodes as one that reads them, a label written in full-width forms included."""
    matching._places.clear()
    version = versions.site_version()
    for terms in (["市民"], ["市民", "推進"], ["区"], ["プラン9"], ["ﾌﾟﾗﾝ９"], ["協働"]):
        read = matching.find(terms, kinds=ALL, plan_id=None, year=None)
        first = matching.find(terms, kinds=ALL, plan_id=None, year=None, version=version)
        kept = matching.find(terms, kinds=ALL, plan_id=None, year=None, version=version)
        assert first == kept == read, terms
        assert read.node_ids, terms
    if connection.vendor == "postgresql":
        assert matching._kept_places(planner.Planner(connection.alias, version))
    # プラン９ is the label of the plan area 9 (its code 9, its title 市民自治と…).
    named = matching.find(["プラン9"], kinds=ALL, plan_id=None, year=None, version=version).named
    assert named == {corpus["area"].pk}
    matching._places.clear()


def test_found_nodes_are_in_the_order_the_outline_prints_them_whatever_their_ids() -> None:
    """Depth first, siblings by position then code, as the plan's outline: not by the ids
    on a node's path, whose text sorts /1/10000/ before /1/9999/, nor by id."""
    world = make_world(code="order", first_year=2011, last_year=2013)
    first_area = make_node(world.area_level, id=99_999, code="1", title="第一の分野", position=0)
    second_area = make_node(world.area_level, id=100_000, code="2", title="第二の分野", position=1)
    # Under the first area: printed b (position 0), then a (1), then c (1, by code); the
    # ids run the other way and cross a length.
    b = make_node(world.programme_level, first_area, id=1_000_002, code="1-b", title="並び順", position=0)
    a = make_node(world.programme_level, first_area, id=999_999, code="1-a", title="並び順", position=1)
    c = make_node(world.programme_level, first_area, id=1_000_001, code="1-c", title="並び順", position=1)
    d = make_node(world.programme_level, second_area, id=9_999, code="2-a", title="並び順", position=0)
    measure = make_node(world.measure_level, a, id=10_000, code="1-a-1", title="並び順の施策", position=0)
    result = matching.find(["並び順"], kinds=ALL, plan_id=None, year=None)
    assert list(result.node_ids) == [b.pk, a.pk, measure.pk, c.pk, d.pk]
    # The areas, found neither, order their subtrees all the same.
    assert first_area.pk not in result.node_ids and second_area.pk not in result.node_ids


def test_beyond_the_limit_the_count_stops_and_the_first_found_are_ordered(
    corpus: dict[str, Node], monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = found(["の"])
    assert len(everything) == 6
    in_names = found(["の"], kinds={"node"})
    assert len(in_names) > 4
    monkeypatch.setattr(matching, "LIMIT", 3)
    bounded = matching.find(["の"], kinds=ALL, plan_id=None, year=None)
    assert bounded.more and len(bounded.node_ids) == 3
    # The candidates are the first nodes by id holding it (LIMIT + 1 of them), on either
    # database (on SQLite read in the order of the documents' ids), looking in every
    # document or in some.
    assert set(bounded.node_ids) < set(sorted(everything)[:4])
    within = matching.find(["の"], kinds={"node"}, plan_id=None, year=None)
    assert within.more and set(within.node_ids) < set(sorted(in_names)[:4])
    # The same answer however often asked, so that the pages of it agree.
    assert matching.find(["の"], kinds=ALL, plan_id=None, year=None) == bounded
    monkeypatch.setattr(matching, "LIMIT", 6)
    assert not matching.find(["の"], kinds=ALL, plan_id=None, year=None).more


def test_a_search_reads_through_its_index_never_a_pattern_scan(corpus: dict[str, Node]) -> None:
    from django.test.utils import CaptureQueriesContext

    for terms in (["区"], ["推進 区"], ["存在しない"], list("区の事業推進あいうえお")):
        with CaptureQueriesContext(connection) as context:
            matching.find(terms, kinds=ALL, plan_id=None, year=2012)
        statements = [query["sql"] for query in context.captured_queries]
        assert not any("LIKE" in sql.upper() for sql in statements)
        # The search's transaction with its planner settings (4 on PostgreSQL), each term's
        # first nodes (up to 3 windows of 3 statements, and one through the index, each
        # after its setting) or its look-up in the candidates' documents (2), and the
        # candidates' names and places (2).
        assert len(statements) <= 6 + 11 * len(terms), statements


#: The planner's settings of a search (``planner.Planner``), as ``current_setting`` says them.
_SETTINGS = "SELECT " + ", ".join(
    f"current_setting('{name}')" for name in ["max_parallel_workers_per_gather", *planner.WALK]
)


def _settings() -> tuple[str, ...]:
    with connection.cursor() as cursor:
        cursor.execute(_SETTINGS)
        return tuple(cursor.fetchone())


#: The ways of reading of a search (the planner's settings, ``planner``).
_WAYS = ("WALK", "IN_NODE_ORDER", "THROUGH_INDEX", "NODE_BY_NODE", "EACH_TERM_ONCE")


@pytest.mark.parametrize(
    "strategy", ["through the index", "walked", "walked, then through the index", "beyond the first nodes"]
)
def test_each_query_of_a_search_is_sent_with_its_settings_which_end_with_it(
    corpus: dict[str, Node], monkeypatch: pytest.MonkeyPatch, strategy: str
) -> None:
    """On PostgreSQL the planner's settings go with each query, in its message: no
    statement of their own, and none outlasts its query, within a transaction (this
    test's) as outside one (``test_a_search_outside_a_transaction_leaves_none_open``)."""
    if strategy == "beyond the first nodes":
        # Common words that seldom meet: each one's index read once (``_beyond``).
        monkeypatch.setattr(matching, "LIMIT", 1)
    else:
        for name, value in STRATEGIES[strategy].items():
            monkeypatch.setattr(matching, name, value)
    before = _settings() if connection.vendor == "postgresql" else ()
    ways: set[str] = set()
    for terms in (["区"], ["推進 区"], ["の", "事"], ["存在しない"]):
        with CaptureQueriesContext(connection) as context:
            answer = matching.find(terms, kinds=ALL, plan_id=None, year=None)
        expected = reference(terms, ALL, None, None)
        assert set(answer.node_ids) <= expected and len(answer.node_ids) == min(matching.LIMIT, len(expected))
        if connection.vendor != "postgresql":
            continue
        sent = [query["sql"] for query in context.captured_queries if "pg_stats" not in query["sql"]]
        assert sent and all(sql.startswith("SET LOCAL max_parallel_workers_per_gather = 0; ") for sql in sent)
        assert all(sql.endswith("SET LOCAL enable_mergejoin TO DEFAULT") for sql in sent)
        # Each query with the settings of one way of reading, whole, before it.
        for sql in sent:
            settings = sql[: sql.index("SELECT")]
            named = [
                name
                for name in _WAYS
                if settings
                == "SET LOCAL max_parallel_workers_per_gather = 0; "
                + "".join(f"SET LOCAL {key} = {value}; " for key, value in getattr(planner, name).items())
            ]
            assert len(named) == 1, settings
            ways.update(named)
        assert _settings() == before, terms
    if connection.vendor == "postgresql":
        expected_ways = {
            "through the index": {"THROUGH_INDEX", "NODE_BY_NODE", "WALK"},
            "walked": {"IN_NODE_ORDER", "NODE_BY_NODE", "WALK"},
            "walked, then through the index": {"IN_NODE_ORDER", "THROUGH_INDEX", "WALK"},
            "beyond the first nodes": {"EACH_TERM_ONCE"},
        }[strategy]
        assert expected_ways <= ways, ways


@pytest.mark.django_db(transaction=True)
def test_a_search_outside_a_transaction_leaves_none_open(corpus: dict[str, Node]) -> None:
    """As a web request runs a search: outside a transaction, where each query's message
    is a transaction of its own on PostgreSQL, sent with no statement after it."""
    assert not connection.in_atomic_block
    before = _settings() if connection.vendor == "postgresql" else ()
    if connection.vendor == "postgresql":
        # Outside a transaction a setting before the query holds for it, and no longer.
        setting = "SELECT current_setting('enable_seqscan')"
        assert sent_with(connection, setting, [], ("SET LOCAL enable_seqscan = off; ", "")) == [("off",)]
        assert sent_with(connection, setting, []) == [("on",)]
    for terms in (["区"], ["推進 区"], ["の", "事"]):
        with CaptureQueriesContext(connection) as context:
            answer = matching.find(terms, kinds=ALL, plan_id=None, year=None)
        assert set(answer.node_ids) == reference(terms, ALL, None, None), terms
        if connection.vendor == "postgresql":
            sent = [query["sql"] for query in context.captured_queries if "pg_stats" not in query["sql"]]
            assert sent and not any("TO DEFAULT" in sql for sql in sent)
            assert connection.connection.info.transaction_status == 0  # idle: none open
            assert _settings() == before


@pytest.mark.parametrize("limit", [0, 1, 2, 3])
def test_beyond_the_limit_several_common_terms_find_only_nodes_holding_every_one(
    corpus: dict[str, Node], monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    # Every term common (each in more nodes than the limit): the nodes the first term was
    # found in are the candidates, the other terms looked for in their documents only.
    monkeypatch.setattr(matching, "LIMIT", limit)
    characters = sorted({character for terms in QUERIES for term in terms for character in fold(term)})
    for first in characters:
        for second in ["の", "区", "事", "市", "x"]:
            terms = [first, second]
            expected = reference(terms, ALL, None, None)
            answer = matching.find(terms, kinds=ALL, plan_id=None, year=None)
            # Among the first nodes holding every term, by id: the same on each page.
            assert set(answer.node_ids) <= set(sorted(expected)[: limit + 1]), terms
            assert len(answer.node_ids) == min(limit, len(expected)), terms
            assert answer.more == (len(expected) > limit), terms


#: Windows of two nodes, at most four, none larger than three, each walked whatever share
#: of the nodes holds the term.
_WINDOWS = {
    "OF_NODES_UNTIL": 0.0,
    "OF_KINDS_UNTIL": 0.0,
    "BLOCKS_FROM": 2.0,
    "DENSE": 0.0,
    "WINDOW": 2,
    "SCOPED_WINDOW": 1,
    "WINDOWS": 4,
    "MAX_WINDOW": 3,
    "DENSE_WINDOW": 0.0,
    "WALKED_WINDOW": 0.0,
}
#: Ways of finding a term's first nodes (``matching._first_nodes``), each forced on every
#: term whatever its statistics say (on PostgreSQL; SQLite has one way).
STRATEGIES = {
    # The term's list in the index of tokens.
    "through the index": {"OF_NODES_UNTIL": 0.0, "OF_KINDS_UNTIL": 0.0, "BLOCKS_FROM": 2.0, "DENSE": 2.0},
    # A term of one token in the tokens of whole nodes, unless a kind or a year narrows
    # the search.
    "of whole nodes": {"OF_NODES_UNTIL": 2.0, "OF_KINDS_UNTIL": 0.0, "BLOCKS_FROM": 2.0, "DENSE": 2.0},
    # Within kinds of text, among the nodes whose tokens of those kinds hold the term's
    # (each node then looked at for them side by side and for the year), then through
    # the index beyond the first nodes so found; or walked beyond them.
    "of the kinds' tokens of nodes": {
        "OF_NODES_UNTIL": 0.0,
        "OF_KINDS_UNTIL": 2.0,
        "BLOCKS_FROM": 2.0,
        "DENSE": 2.0,
    },
    "of the kinds' tokens of nodes, then walked": {**_WINDOWS, "OF_KINDS_UNTIL": 2.0},
    # The documents walked in the order of their nodes, window after window.
    "walked": _WINDOWS,
    # Walked through the first window, then read window after window through the indexes
    # of tokens and of nodes at once.
    "walked, then windows through the indexes": {**_WINDOWS, "WALKED_WINDOW": 2.0},
    # Walked through one small window, then through the index beyond it.
    "walked, then through the index": {
        **_WINDOWS,
        "WINDOW": 1,
        "WINDOWS": 2,
        "MAX_WINDOW": 2,
        "DENSE_WINDOW": 0.9,
    },
    # Block after block of nodes (of two nodes each: ``small_blocks``) when nothing narrows
    # the search, as many as it takes.
    "in blocks": {
        "OF_NODES_UNTIL": 0.0,
        "OF_KINDS_UNTIL": 0.0,
        "BLOCKS_FROM": 0.0,
        "MAX_BLOCKS": 10**6,
        "DENSE": 2.0,
    },
    # One block, then the term's list in the index of tokens beyond it.
    "in blocks, then through the index": {
        "OF_NODES_UNTIL": 0.0,
        "OF_KINDS_UNTIL": 0.0,
        "BLOCKS_FROM": 0.0,
        "MAX_BLOCKS": 0,
        "DENSE": 2.0,
    },
    # One block, then walked beyond it.
    "in blocks, then walked": {**_WINDOWS, "BLOCKS_FROM": 0.0, "MAX_BLOCKS": 0},
}


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of two nodes (``tokens.block``) in the documents written from now on."""
    monkeypatch.setattr(tokens, "BLOCK_BITS", 1)


@pytest.mark.parametrize("strategy", list(STRATEGIES))
@pytest.mark.parametrize("limit", [1, 2, 1000])
def test_each_way_of_finding_a_terms_first_nodes_finds_the_same_nodes(
    small_blocks: None, corpus: dict[str, Node], monkeypatch: pytest.MonkeyPatch, strategy: str, limit: int
) -> None:
    monkeypatch.setattr(matching, "LIMIT", limit)
    for name, value in STRATEGIES[strategy].items():
        monkeypatch.setattr(matching, name, value)
    plan_id = corpus["first"].plan_id
    searches = [(terms, ALL, None, None) for terms in [*QUERIES, ["の", "区"], ["推進", "の"]]]
    searches += [
        (terms, ALL, plan_id, None) for terms in (["区"], ["推"], ["の"], ["事業推進"], ["の", "区"])
    ]
    for terms in (["区"], ["推進"], ["説明"], ["の"], ["事業推進"]):
        for kinds in ({"node"}, {"target"}, {"result"}):
            searches += [
                (terms, kinds, plan_id, 2012),
                (terms, kinds, None, 2017),
                (terms, kinds, plan_id, None),
            ]
    searches += [(["区"], {"node", "result"}, None, None), (["事業推進"], {"target", "result"}, None, 2012)]
    for terms, kinds, plan, year in searches:
        expected = reference(terms, kinds, plan, year)
        answer = matching.find(terms, kinds=kinds, plan_id=plan, year=year)
        assert set(answer.node_ids) <= set(sorted(expected)[: limit + 1]), (terms, kinds, plan, year)
        assert len(answer.node_ids) == min(limit, len(expected)), (terms, kinds, plan, year)
        assert answer.more == (len(expected) > limit), (terms, kinds, plan, year)


class _Statistics(dict[str, float]):
    """Statistics of the tokens in which each token is in the share of the documents given
    for its first letter (``k`` a kind, ``p`` a plan, ``y`` a year; ``u`` and ``b`` the
    characters and pairs of a word), or in ``share``."""

    def __init__(self, share: float, **by_first_letter: float) -> None:
        super().__init__()
        self.share = share
        self.by_first_letter = by_first_letter

    def get(self, key: str, default: object = None) -> float:  # type: ignore[override]
        return self.by_first_letter.get(key[0], self.share)


@pytest.mark.parametrize("share", [0.0, 0.5], ids=["scope asked of the columns", "scope asked of the index"])
def test_the_scope_asked_of_the_index_or_of_the_columns_finds_the_same(
    corpus: dict[str, Node], monkeypatch: pytest.MonkeyPatch, share: float
) -> None:
    # Every term read from its list in the index, with the scope's tokens when the
    # statistics say their lists are not much longer than the term's (``index_scope``).
    monkeypatch.setattr(matching, "DENSE", 2.0)
    monkeypatch.setattr(matching, "OF_NODES_UNTIL", 0.0)
    monkeypatch.setattr(matching, "OF_KINDS_UNTIL", 0.0)
    monkeypatch.setattr(planner, "common_tokens", lambda connection, *column: _Statistics(share))
    plan_id = corpus["first"].plan_id
    asked: list[str] = []
    for terms in (["区"], ["推進"], ["説明"], ["の"], ["事業推進"], ["推進", "の"]):
        for kinds in (ALL, {"node"}, {"target"}, {"result"}):
            for year in (None, 2012, 2017):
                for plan in (None, plan_id):
                    expected = reference(terms, kinds, plan, year)
                    with CaptureQueriesContext(connection) as queries:
                        answer = matching.find(terms, kinds=kinds, plan_id=plan, year=year)
                    assert set(answer.node_ids) == expected, (terms, kinds, plan, year)
                    if plan is not None:
                        asked += [query["sql"] for query in queries.captured_queries]
    if connection.vendor == "postgresql":
        scoped = [sql for sql in asked if f"& ''p{plan_id}''" in sql or f"& p{plan_id}" in sql]
        assert bool(scoped) == (share > 0), "the plan's token asked of the index only when it narrows"


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the scope's tokens are PostgreSQL's")
def test_a_year_asked_of_the_index_without_the_kinds_still_leaves_the_nodes_own_texts_out(
    corpus: dict[str, Node], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kinds' tokens in most documents, a year's in few: the year alone is asked of the
    # index, never with the node's own texts (which have no year) when they are not looked
    # in — they would be read from the table only to be filtered out.
    monkeypatch.setattr(matching, "DENSE", 2.0)
    monkeypatch.setattr(matching, "OF_KINDS_UNTIL", 0.0)
    monkeypatch.setattr(
        planner, "common_tokens", lambda connection, *column: _Statistics(0.01, k=0.9, y=0.05)
    )
    with CaptureQueriesContext(connection) as queries:
        answer = matching.find(["推進"], kinds={"result"}, plan_id=None, year=2012)
    assert set(answer.node_ids) == reference(["推進"], {"result"}, None, 2012)
    asked = " ".join(query["sql"] for query in queries.captured_queries if "@@" in query["sql"])
    assert "y2012" in asked and "knode" not in asked and "kresult" not in asked


def test_the_characters_a_text_is_narrowed_by_are_never_changed_or_made_by_case_folding() -> None:
    """On SQLite a page's documents are narrowed by their text as stored when every term
    is of these characters (``passages._UNCASED``): that is right only if folding leaves
    each as it is and makes none of them from another character."""
    made: set[str] = set()
    for code in range(0x110000):
        character = chr(code)
        folded = character.casefold()
        if folded != character:
            made.update(folded)
    uncased = [chr(code) for code in range(0x110000) if passages._UNCASED.fullmatch(chr(code))]
    assert len(uncased) > 20_000
    assert all(character.casefold() == character for character in uncased)
    assert not made.intersection(uncased)
    assert not passages._UNCASED.fullmatch("ß")
    assert not passages._UNCASED.fullmatch("区a")


@pytest.mark.parametrize(
    "terms",
    [
        ["区"],
        ["の"],
        ["推進"],
        ["説明"],
        ["の説明"],
        ["市民", "2011"],
        ["wi-fi"],
        ["ａｂｃ123"],
        ["一文は龘"],
    ],
)
@pytest.mark.parametrize("per_node", [1, 3])
def test_a_pages_texts_are_each_nodes_first_holding_a_term_and_all_are_counted(
    corpus: dict[str, Node], terms: list[str], per_node: int
) -> None:
    """``page_documents`` gives, of each node, its first texts holding a term (of a text cut
    in parts, the first part holding one) and counts them all, as a look at every one
    of the nodes' documents does: on PostgreSQL the database ranks and counts them; on
    SQLite the documents read are narrowed by their text when the terms allow it."""
    folded = matching.folded_terms(terms)
    node_ids = sorted(Node.objects.values_list("pk", flat=True))
    columns = ("node_id", "position", "part", "text")
    shown, counted = passages.page_documents(columns, node_ids, folded, ALL, None, None, per_node)
    every = (
        SearchDocument.objects.filter(node_id__in=node_ids)
        .exclude(field__in=matching.NAME_FIELDS)
        .order_by("node_id", "position", "part")
        .values_list(*columns)
    )
    expected_shown: list[tuple[int, int, int, str]] = []
    expected_counted: dict[int, int] = {}
    seen: set[tuple[int, int]] = set()
    for node_id, position, part, text in every:
        if (node_id, position) in seen or not passages.holds(text, folded):
            continue
        seen.add((node_id, position))
        expected_counted[node_id] = expected_counted.get(node_id, 0) + 1
        if expected_counted[node_id] <= per_node:
            expected_shown.append((node_id, position, part, text))
    assert [tuple(row) for row in shown] == expected_shown
    assert counted == expected_counted
    assert expected_shown


def test_a_pages_texts_are_read_node_by_node_never_from_the_terms_list(corpus: dict[str, Node]) -> None:
    """On PostgreSQL the page's texts are read through the index of their nodes, the
    planner's other ways off for that query alone (``planner.NODE_BY_NODE``), whatever
    the statistics say of the term."""
    node_ids = sorted(Node.objects.values_list("pk", flat=True))
    before = _settings() if connection.vendor == "postgresql" else ()
    with CaptureQueriesContext(connection) as context:
        passages.page_documents(("node_id", "position", "text"), node_ids, ("推進",), ALL, None, None, 3)
    (sent,) = [
        query["sql"] for query in context.captured_queries if SearchDocument._meta.db_table in query["sql"]
    ]
    if connection.vendor == "postgresql":
        settings = "".join(f"SET LOCAL {key} = {value}; " for key, value in planner.NODE_BY_NODE.items())
        assert sent.startswith(f"SET LOCAL max_parallel_workers_per_gather = 0; {settings}")
        assert _settings() == before
    else:
        assert "SET LOCAL" not in sent


def test_a_pages_texts_are_asked_with_the_columns_they_are_sorted_and_looked_at_by(
    corpus: dict[str, Node],
) -> None:
    with pytest.raises(ValueError, match="node_id and position"):
        passages.page_documents(("text", "node_id"), [1], ("区",), ALL, None, None, 3)


@pytest.mark.django_db(transaction=True)
def test_the_windows_edges_are_read_once_for_each_version_of_the_data(
    corpus: dict[str, Node], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the first node after each window walked is read from the database
    once while the site's data version is unchanged, as a web request runs a search
    (outside a transaction); a node written raises the version, and a node written after
    the last window is found at once."""
    for name, value in STRATEGIES["walked"].items():
        monkeypatch.setattr(matching, name, value)
    matching._edges.clear()
    # The walk itself, not the texts of the first nodes kept in memory (``test_head``).
    monkeypatch.setattr(head, "MAX_NODES", 0)

    def searched() -> tuple[set[int], list[str]]:
        with CaptureQueriesContext(connection) as context:
            version = versions.site_version()
            answer = matching.find(["区"], kinds=ALL, plan_id=None, year=None, version=version)
        return set(answer.node_ids), [q["sql"] for q in context.captured_queries if " OFFSET " in q["sql"]]

    first, read = searched()
    assert first == reference(["区"], ALL, None, None)
    again, read_again = searched()
    assert again == first
    if connection.vendor == "postgresql":
        assert read and read_again == []
    later = make_node(corpus["first"].level, corpus["first"].parent, code="9-1-9", title="新しい区の施策")
    _TEXTS.clear()
    after, read_after = searched()
    assert later.pk in after and after == reference(["区"], ALL, None, None)
    if connection.vendor == "postgresql":
        assert read_after


@pytest.mark.django_db(transaction=True)
def test_the_names_and_places_of_nodes_found_are_read_once_for_each_version_of_the_data(
    corpus: dict[str, Node], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a process keeps the names and places of the nodes its searches found,
    as a web request runs a search (outside a transaction), while the site's data version
    is unchanged; a node renamed raises the version, and its new name orders it at once."""
    for name, value in STRATEGIES["walked"].items():
        monkeypatch.setattr(matching, name, value)
    matching._places.clear()
    # The walk itself, not the texts of the first nodes kept in memory (``test_head``).
    monkeypatch.setattr(head, "MAX_NODES", 0)

    def searched() -> tuple[matching.Found, list[str]]:
        with CaptureQueriesContext(connection) as context:
            version = versions.site_version()
            answer = matching.find(["区"], kinds=ALL, plan_id=None, year=None, version=version)
        places = [q["sql"] for q in context.captured_queries if '"plans_node"."outline"' in q["sql"]]
        return answer, places

    first, read = searched()
    assert set(first.node_ids) == reference(["区"], ALL, None, None)
    again, read_again = searched()
    assert again == first
    if connection.vendor == "postgresql":
        assert read and read_again == []
    second = corpus["second"]
    assert second.pk in first.node_ids and second.pk not in first.named
    second.title = "区の市民活動の支援"
    node_save(second)
    renamed, read_renamed = searched()
    assert second.pk in renamed.named and renamed.node_ids[0] in renamed.named
    if connection.vendor == "postgresql":
        assert read_renamed


@pytest.mark.parametrize("kinds", [ALL, {"result"}], ids=["every kind", "results"])
@pytest.mark.parametrize("strategy", ["walked", "walked, then windows through the indexes"])
def test_a_walk_finds_a_term_of_several_tokens_only_where_they_are_side_by_side(
    monkeypatch: pytest.MonkeyPatch, kinds: set[str], strategy: str
) -> None:
    """A term of one token is walked through the nodes' tokens, which hold it exactly when
    a node's documents do (``matching._exact_columns``); one of several tokens never is:
    those tokens keep no places, and a node holding them apart does not hold the term."""
    for name, value in STRATEGIES[strategy].items():
        monkeypatch.setattr(matching, name, value)
    monkeypatch.setattr(matching, "LIMIT", 1)
    world = make_world(first_year=2011, last_year=2013)
    area = make_node(world.area_level, code="a", title="分野")
    apart = make_node(world.measure_level, area, code="a-1", title="一")
    add_result(apart, 2012, "推進。進した")
    holding = []
    for code in ("a-2", "a-3"):
        measure = make_node(world.measure_level, area, code=code, title="題")
        add_result(measure, 2012, "推進した")
        holding.append(measure.pk)
    answer = matching.find(["推進した"], kinds=kinds, plan_id=None, year=None)
    assert answer.node_ids == (holding[0],) and answer.more
    # Its one-token words are found in every node holding them, the first one first.
    assert matching.find(["推進"], kinds=kinds, plan_id=None, year=None).node_ids == (apart.pk,)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the nodes' tokens are PostgreSQL's")
@pytest.mark.parametrize(
    ("term", "year", "first_text", "first_year"),
    [("推進", 2012, "推進した", 2011), ("推進した", None, "推進。進した", 2012)],
    ids=["in another year", "its characters apart"],
)
def test_the_kinds_tokens_of_nodes_that_do_not_hold_a_term_are_looked_beyond(
    monkeypatch: pytest.MonkeyPatch, term: str, year: int | None, first_text: str, first_year: int
) -> None:
    """The first nodes whose results' tokens hold a term's are only candidates: one with
    it in another year, or with its characters apart, is not found, and the search looks
    on beyond them for enough nodes (``matching._of_kinds``)."""
    for name, value in STRATEGIES["of the kinds' tokens of nodes"].items():
        monkeypatch.setattr(matching, name, value)
    monkeypatch.setattr(matching, "LIMIT", 1)
    world = make_world(first_year=2011, last_year=2013)
    area = make_node(world.area_level, code="a", title="分野")
    first = make_node(world.measure_level, area, code="a-1", title="一")
    add_result(first, first_year, first_text)
    holding = []
    for code in ("a-2", "a-3"):
        measure = make_node(world.measure_level, area, code=code, title="題")
        add_result(measure, 2012, "推進した")
        holding.append(measure.pk)
    answer = matching.find([term], kinds={"result"}, plan_id=None, year=year)
    assert answer.node_ids == (holding[0],) and answer.more
