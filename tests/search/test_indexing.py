"""The search documents follow every write of published data, in its transaction:
a node's texts rewritten when they change, a plan's all when it is imported, none left
of a deleted plan; drafts never written."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinchoku.plans.models import Node
from shinchoku.plans.services import node_save
from shinchoku.progress.models import Result
from shinchoku.published import changes
from shinchoku.published.changes import Change
from shinchoku.review import services
from shinchoku.search import indexing, matching, planner, tokens
from shinchoku.search.models import FTS_TABLE, KINDS, NodeTokens, SearchDocument, kind_column
from tests.factories import add_result, add_target, make_node, make_programme, make_world
from tests.review.conftest import make_cycle

pytestmark = pytest.mark.django_db

SENTINEL = "SENTINEL-index-7d2a"


def finds(term: str) -> list[str]:
    ids = matching.find([term], kinds=set(matching.KINDS), plan_id=None, year=None).node_ids
    codes = dict(Node.objects.filter(pk__in=ids).values_list("pk", "code"))
    return [codes[pk] for pk in ids]


def fts_rows() -> int:
    if connection.vendor != "sqlite":
        return SearchDocument.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {FTS_TABLE}")
        return int(cursor.fetchone()[0])


def assert_node_tokens_follow_the_documents() -> None:
    """Each node's tokens (``NodeTokens``) are every character and pair of its documents'
    texts, of all of them and of each kind apart, and of its plan, on PostgreSQL; none of
    a node without documents, nor any on SQLite."""
    if connection.vendor != "postgresql":
        assert not NodeTokens.objects.exists()
        return
    expected: dict[int, tuple[int, set[str], dict[str, set[str]]]] = {}
    rows = SearchDocument.objects.values_list("node_id", "plan_id", "kind", "text")
    for node_id, plan_id, kind, text in rows:
        names = {item.split(":")[0] for item in tokens.tsvector(tokens.fold(text)).split()}
        node = expected.setdefault(node_id, (plan_id, set(), {kind: set() for kind in sorted(KINDS)}))
        node[1].update(names)
        node[2][kind].update(names)
    columns = ", ".join(f"tsvector_to_array({kind_column(kind)})" for kind in sorted(KINDS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT node_id, plan_id, tsvector_to_array(tokens), {columns} FROM {NodeTokens._meta.db_table}"
        )
        kept = {
            node_id: (
                plan_id,
                set(names),
                {kind: set(of) for kind, of in zip(sorted(KINDS), by_kind, strict=True)},
            )
            for node_id, plan_id, names, *by_kind in cursor.fetchall()
        }
    assert kept == expected


def test_a_draft_is_never_indexed_and_its_publication_is(client: object) -> None:
    cycle = make_cycle(year=2013)
    cycle.written(text=f"・{SENTINEL}を実施しました。", context_change=f"{SENTINEL}の変化")
    entry = cycle.fresh()
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    assert not SearchDocument.objects.filter(text__icontains=SENTINEL).exists()
    assert finds(SENTINEL) == []

    services.round_publish(cycle.round, actor=cycle.admin)
    documents = SearchDocument.objects.filter(text__icontains=SENTINEL)
    assert sorted(documents.values_list("field", "start_year")) == [("context_change", 2013), ("text", 2013)]
    assert finds(SENTINEL.lower()) == ["9-1-1"]


def _documents(**filters: object) -> dict[int, tuple[object, ...]]:
    """The documents by id, with every column but their id (and the tokens, on SQLite in
    the FTS5 table): what a rebuild must give again."""
    columns = ("node_id", "kind", "field", "section_id", "start_year", "end_year", "open_end")
    rows = SearchDocument.objects.filter(**filters).values_list("pk", *columns, "position", "part", "text")
    return {row[0]: row[1:] for row in rows}


def test_a_published_round_writes_its_years_results_again_and_nothing_else() -> None:
    cycle = make_cycle(year=2013)
    measure = cycle.sample.measure
    cycle.written(text=f"・{SENTINEL}を実施しました。", context_change="・変化がありました。")
    entry = cycle.fresh()
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    before = _documents(node=measure)
    others = {pk: row for pk, row in before.items() if row[4] != 2013}
    assert {row[1] for row in others.values()} == {"node", "target", "result"}

    services.round_publish(cycle.round, actor=cycle.admin)
    after = _documents(node=measure)
    # The documents of the node's own texts, its targets and its other years' results
    # are the same rows; only the year's results are new.
    assert {pk: row for pk, row in after.items() if pk in before} == others
    new = [row for pk, row in after.items() if pk not in before]
    assert {(row[1], row[2], row[4]) for row in new} == {
        ("result", "text", 2013),
        ("result", "context_change", 2013),
    }
    assert finds(SENTINEL.lower()) == [measure.code]
    # And they are what writing every document again gives, order included.
    published = sorted(after.values())
    changes.rebuild([measure.plan_id])
    assert sorted(_documents(node=measure).values()) == published
    assert fts_rows() == SearchDocument.objects.count()
    assert_node_tokens_follow_the_documents()


def test_a_target_written_rewrites_the_targets_and_a_node_written_every_text() -> None:
    world = make_world()
    area = make_node(world.area_level, code="a", title="分野")
    measure = make_node(world.measure_level, area, code="a-1", title="題名", summary="概要の文")
    add_result(measure, 2011, "実施した")
    add_target(measure, 2011, 2012, "拡充する")
    before = _documents(node=measure)
    target = add_target(measure, 2012, 2012, "新しい目標", row=2)
    after = _documents(node=measure)
    assert {pk: row for pk, row in after.items() if row[1] != "target"} == {
        pk: row for pk, row in before.items() if row[1] != "target"
    }
    assert finds("新しい目標") == ["a-1"]
    measure.title = "別の題名"
    # Every text of the node written again, whatever its kind: none left as it was.
    SearchDocument.objects.filter(node=measure).update(text="書き直されていない")
    node_save(measure)
    assert not SearchDocument.objects.filter(node=measure, text="書き直されていない").exists()
    assert len(_documents(node=measure)) == len(after)
    assert finds("新しい目標") == ["a-1"] and finds("別の題名") == ["a-1"]
    assert_node_tokens_follow_the_documents()
    target.delete()
    changes.plan_changed(measure.plan_id, nodes=[measure.pk], model="progress.target")
    assert finds("新しい目標") == [] and finds("拡充する") == ["a-1"]
    assert_node_tokens_follow_the_documents()


def test_a_change_says_the_years_written_when_every_write_says_one(monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[Change] = []
    world = make_world()
    area = make_node(world.area_level, code="a", title="分野")
    measure = make_node(world.measure_level, area, code="a-1", title="題名")
    monkeypatch.setattr(indexing, "refresh", said.append)
    with changes.batch():
        result = add_result(measure, 2012, "実施した")
        rating = Result.objects.get(pk=result.pk).ratings.get()
        rating.save()  # its result's year read from the database
    with changes.batch():
        add_result(measure, 2013, "実施した")
        measure.save()
    assert [(change.years, sorted(change.models)) for change in said] == [
        (frozenset({2012}), ["progress.rating", "progress.result"]),
        (None, ["plans.node", "progress.rating", "progress.result"]),
    ]


def test_a_change_to_a_node_rewrites_its_texts_only() -> None:
    world = make_world()
    area = make_node(world.area_level, code="a", title="区役所")
    measure = make_node(world.measure_level, area, code="a-1", title="古い題名")
    result = add_result(measure, 2011, "実施した")
    other = SearchDocument.objects.filter(node=area).values_list("pk", flat=True)
    kept = set(other)
    assert finds("古い") == ["a-1"]

    measure.title = "新しい題名"
    node_save(measure)
    assert finds("古い") == [] and finds("新しい") == ["a-1"]
    result.text = "見直した"
    result.save()
    assert finds("実施") == [] and finds("見直") == ["a-1"]
    assert set(SearchDocument.objects.filter(node=area).values_list("pk", flat=True)) == kept
    # A deleted row's text goes with it (said by who deletes, as the audited services do).
    changes.row_written(result, deleting=True)
    Result.objects.filter(pk=result.pk).delete()
    changes.plan_changed(measure.plan_id, nodes=[measure.pk], model="progress.result")
    assert finds("見直") == []
    assert fts_rows() == SearchDocument.objects.count()
    assert_node_tokens_follow_the_documents()


def test_a_whole_plan_an_empty_change_and_a_deleted_plan() -> None:
    world = make_world(code="whole")
    make_programme(world, "p", measures=2, years=range(2011, 2013))
    plan_id = world.plan.pk
    written = SearchDocument.objects.filter(plan_id=plan_id).count()
    assert written > 0
    SearchDocument.objects.filter(plan_id=plan_id).delete()

    indexing.refresh(Change(plan_id, frozenset(), frozenset({"plans.scale"})))
    assert SearchDocument.objects.filter(plan_id=plan_id).count() == 0
    indexing.refresh(Change(plan_id, None, frozenset({""})))
    assert SearchDocument.objects.filter(plan_id=plan_id).count() == written
    assert_node_tokens_follow_the_documents()
    # Again: the documents are replaced, not added to.
    changes.rebuild([plan_id])
    assert SearchDocument.objects.filter(plan_id=plan_id).count() == written
    # Texts no document reads (a rating) leave the documents as they are.
    before = set(SearchDocument.objects.values_list("pk", flat=True))
    indexing.refresh(
        Change(plan_id, frozenset(Node.objects.values_list("pk", flat=True)), frozenset({"progress.rating"}))
    )
    assert set(SearchDocument.objects.values_list("pk", flat=True)) == before

    indexing.refresh(Change(plan_id, None, frozenset({"plans.plan"}), deleted=True))
    assert SearchDocument.objects.filter(plan_id=plan_id).count() == 0
    assert fts_rows() == 0
    assert_node_tokens_follow_the_documents()


def test_refreshing_many_nodes_costs_the_same_queries_as_a_few() -> None:
    world = make_world(code="cost")
    make_programme(world, "p", measures=30, years=range(2011, 2014))
    measures = list(Node.objects.filter(level=world.measure_level).values_list("pk", flat=True))
    for node_id in measures[:10]:
        add_target(
            Node.objects.get(pk=node_id), 2012, 2013, "拡充", revised_text="縮小", revision_reason="理由"
        )

    def cost(node_ids: list[int]) -> tuple[int, int, int]:
        """Reads and deletes, inserts, and the documents written."""
        with CaptureQueriesContext(connection) as context:
            indexing.refresh(Change(world.plan.pk, frozenset(node_ids), frozenset({""})))
        inserts = sum(query["sql"].startswith("INSERT") for query in context.captured_queries)
        written = SearchDocument.objects.filter(node_id__in=node_ids).count()
        return len(context.captured_queries) - inserts, inserts, written

    few, many = cost(measures[:3]), cost(measures)
    assert few[0] == many[0]
    # Inserts by the documents, many a statement (SQLite takes 999 values a statement).
    assert many[2] > 300 and many[1] <= 2 * (many[2] // 50 + 1)
    assert len(measures) == 30


def test_a_long_text_is_indexed_in_parts_and_found_whole() -> None:
    world = make_world()
    text = ("の" * 400) + ("事業を推進しました。" * 3000) + "最後の一文は龘"
    make_node(world.area_level, code="long", title="長い", summary=text)
    parts = SearchDocument.objects.filter(field="summary").order_by("part")
    assert parts.count() > 2
    assert "".join(p.text for p in parts).startswith("の" * 400)
    assert finds("最後の一文は龘") == ["long"] and finds("の" * 200) == ["long"]
    # One character, by the tokens of the whole node on PostgreSQL.
    assert finds("龘") == ["long"]
    assert_node_tokens_follow_the_documents()


def _ids_follow_their_nodes() -> None:
    """On SQLite each document's id is its node's id shifted, plus its number; its tokens
    are under the same id."""
    for pk, node_id in SearchDocument.objects.values_list("pk", "node_id"):
        assert pk >> indexing.NODE_BITS == node_id
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {FTS_TABLE}")
        assert sorted(row[0] for row in cursor.fetchall()) == sorted(
            SearchDocument.objects.values_list("pk", flat=True)
        )


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the documents' ids are numbered so on SQLite")
def test_on_sqlite_the_documents_ids_run_in_the_order_of_their_nodes(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    world = make_world(first_year=2011, last_year=2013)
    area = make_node(world.area_level, code="a", title="分野")
    measure = make_node(world.measure_level, area, code="a-1", title="題名")
    later = make_node(world.measure_level, area, code="a-2", title="題名の二")
    add_result(later, 2011, "実施した")
    _ids_follow_their_nodes()
    # A year's results written again follow the node's last document.
    last = SearchDocument.objects.filter(node=measure).order_by("-pk").values_list("pk", flat=True).first()
    result = add_result(measure, 2011, "実施した")
    assert SearchDocument.objects.filter(node=measure, kind="result").get().pk > last
    _ids_follow_their_nodes()
    # When a node's numbers run out, its documents are numbered again from its first.
    # (A search's statement holds the shift it was compiled with: made again before and
    # after.)
    monkeypatch.setattr(indexing, "NODE_BITS", 3)
    matching._read_statement.cache_clear()
    request.addfinalizer(matching._read_statement.cache_clear)
    changes.rebuild([world.plan.pk])
    for text in ["一回目", "二回目", "三回目", "四回目"]:
        result.text = text
        result.save()
        changes.plan_changed(world.plan.pk, nodes=[measure.pk], model="progress.result", years=[2011])
        _ids_follow_their_nodes()
        assert finds(text) == ["a-1"] and finds("題名") == ["a-1", "a-2"]
    assert fts_rows() == SearchDocument.objects.count()


def test_the_migration_writes_the_documents_again_on_sqlite_only() -> None:
    from shinchoku.published.models import DataVersion

    world = make_world(first_year=2011, last_year=2013)
    make_node(
        world.measure_level, make_node(world.area_level, code="a", title="分野"), code="a-1", title="題名"
    )
    stored = SearchDocument.objects.count()
    migration = importlib.import_module("shinchoku.search.migrations.0003_sqlite_ids_in_node_order")

    class Editor:
        connection = connection

    migration.derive_again_on_sqlite(apps, Editor())
    if connection.vendor == "sqlite":
        assert SearchDocument.objects.count() == fts_rows() == 0
        assert not DataVersion.objects.filter(plan=world.plan).exists()
        changes.derive_missing()
        _ids_follow_their_nodes()
    assert SearchDocument.objects.count() == stored and finds("題名") == ["a-1"]


def _storage(pk: int) -> tuple[str | None, int]:
    """How PostgreSQL holds a document's tokens: compressed with which method (None: as
    they are), and their size as stored."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_column_compression(tokens), pg_column_size(tokens) FROM {SearchDocument._meta.db_table} "
            "WHERE id = %s",
            [pk],
        )
        compression, size = cursor.fetchone()
    return compression, size


def _out_of_rows(table: str = SearchDocument._meta.db_table, counted: str = "*") -> int:
    """What PostgreSQL keeps out of a table's rows (TOAST): its pieces, or with
    ``counted`` "DISTINCT chunk_id" the values they make."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = %s", [table])
        toast = cursor.fetchone()[0]
        cursor.execute(f"SELECT count({counted}) FROM {toast}")
        return int(cursor.fetchone()[0])


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="how PostgreSQL stores a row")
def test_on_postgresql_a_long_texts_tokens_are_kept_in_its_row_as_they_are() -> None:
    migration, editor = _migration("0004_document_storage")
    # A text of 150 characters, none repeated: tokens of about 5 kB.
    text = "".join(chr(0x4E00 + (i * 37) % 4000) for i in range(150))
    world = make_world()

    def stored(code: str) -> SearchDocument:
        make_node(world.area_level, code=code, title="題", summary=text)
        return SearchDocument.objects.get(node__code=code, field="summary")

    # As the table stored them before the migration: out of the row.
    migration.store_as_before(None, editor)
    before = stored("before")
    assert _out_of_rows() > 0 and _storage(before.pk)[1] > 2000
    migration.store_in_row(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [SearchDocument._meta.db_table])
        assert "toast_tuple_target=8160" in cursor.fetchone()[0]
    # Written again by the migration, and written so from now on: in the row, whole.
    assert _out_of_rows() == 0
    assert _storage(before.pk)[0] is None and _storage(before.pk)[1] > 4000
    after = stored("after")
    assert _out_of_rows() == 0
    for document in (before, after):
        compression, size = _storage(document.pk)
        assert compression is None and size > 4000
    assert set(finds(text[100:140])) == {"before", "after"}
    assert SearchDocument.objects.get(pk=before.pk).text == text


def _blocks_named() -> dict[int, list[str]]:
    """The block tokens (``tokens.block``) each document's tokens hold, by document."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, array(SELECT lexeme FROM unnest(tokens) WHERE lexeme LIKE 'n%%' ORDER BY lexeme) "
            f"FROM {SearchDocument._meta.db_table}"
        )
        return {pk: list(names) for pk, names in cursor.fetchall()}


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the blocks' tokens are PostgreSQL's")
def test_each_document_names_its_nodes_block_and_the_migration_writes_it_once() -> None:
    world = make_world(first_year=2011, last_year=2013)
    make_node(
        world.measure_level, make_node(world.area_level, code="a", title="分野"), code="a-1", title="題名"
    )
    nodes = dict(SearchDocument.objects.values_list("pk", "node_id"))
    expected = {pk: [tokens.block(node_id)] for pk, node_id in nodes.items()}
    assert nodes and _blocks_named() == expected
    migration, editor = _migration("0005_document_blocks")
    migration.remove_blocks(apps, editor)
    assert set(map(tuple, _blocks_named().values())) == {()}
    migration.add_blocks(apps, editor)
    assert _blocks_named() == expected and finds("題名") == ["a-1"]
    # Written again, a document still names its block once.
    migration.add_blocks(apps, editor)
    assert _blocks_named() == expected


def _migration(name: str) -> tuple[ModuleType, Any]:
    """The search's migration ``name`` and a schema editor of the test's connection for
    its functions, the foreign keys checked as rows are written, as outside a test's
    transaction: a table with checks pending can be neither altered nor given an index."""

    class Editor:
        connection = connection

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return importlib.import_module(f"shinchoku.search.migrations.{name}"), Editor()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the nodes' tokens are PostgreSQL's")
def test_the_migration_gathers_each_nodes_tokens_of_each_kind_from_its_documents() -> None:
    world = make_world(first_year=2011, last_year=2013)
    area = make_node(world.area_level, code="a", title="分野")
    measure = make_node(world.measure_level, area, code="a-1", title="題名", summary="概要の文")
    add_result(measure, 2012, "実施した")
    add_target(measure, 2011, 2013, "拡充する")
    assert_node_tokens_follow_the_documents()
    migration, editor = _migration("0007_node_tokens_by_kind")
    migration.drop_indexes(apps, editor)
    NodeTokens.objects.all().delete()
    migration.gather(apps, editor)
    assert NodeTokens.objects.count() == 2
    assert_node_tokens_follow_the_documents()
    matching._held_by_nodes_statement.cache_clear()
    search_planner = planner.Planner(connection.alias, None)
    looked_in = matching.documents({"target"}, None, None)
    with CaptureQueriesContext(connection) as queries:
        assert matching._of_nodes(search_planner, "拡充", tokens.Within(), 10) == [measure.pk]
        within = tokens.Within(frozenset({"target"}))
        assert matching._of_kinds(search_planner, looked_in, "拡充", within, 10) == ([measure.pk], None)
        assert matching._of_kinds(search_planner, looked_in, "実施", within, 10) == ([], None)
    assert sum("nodetokens" in query["sql"] for query in queries.captured_queries) == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [NodeTokens._meta.db_table])
        indexes = {row[0] for row in cursor.fetchall()}
    assert {"nodetokens_tokens", *(f"nodetokens_{kind_column(kind)}" for kind in KINDS)} <= indexes


def _node_tokens_out_of_rows() -> int:
    """How many values PostgreSQL keeps out of the nodes' tokens' rows (TOAST)."""
    return _out_of_rows(NodeTokens._meta.db_table, "DISTINCT chunk_id")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="how PostgreSQL stores a row")
def test_on_postgresql_the_nodes_tokens_are_kept_out_of_their_rows() -> None:
    migration, editor = _migration("0008_node_tokens_out_of_row")
    # Sixty characters, none repeated: the node's tokens and those of its own texts, two
    # values of about 1.3 kB each, over the 2 kB of a row from which PostgreSQL moves
    # values out of it; by default, until the row is under them (one of the two).
    text = "".join(chr(0x4E00 + (i * 37) % 4000) for i in range(60))
    world = make_world()
    migration.in_row(apps, editor)
    before = make_node(world.area_level, code="before", title="題", summary=text)
    assert _node_tokens_out_of_rows() == 1
    migration.out_of_row(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [NodeTokens._meta.db_table])
        assert "toast_tuple_target=128" in cursor.fetchone()[0]
    # Gathered again by the migration, and written so from now on: both out of the row.
    assert _node_tokens_out_of_rows() == 2
    after = make_node(world.area_level, code="after", title="題", summary=text)
    assert _node_tokens_out_of_rows() == 4
    assert_node_tokens_follow_the_documents()
    search_planner = planner.Planner(connection.alias, None)
    assert matching._of_nodes(search_planner, text[7], tokens.Within(), 10) == [before.pk, after.pk]
    assert set(finds(text[20:30])) == {"before", "after"}


def test_a_batchs_names_are_written_before_its_other_texts_and_stored_so() -> None:
    """The names of every node of a batch come first (``documents_of``), each node's texts
    otherwise in its order; on PostgreSQL the migration stores the documents written
    before it in that order."""
    world = make_world(first_year=2011, last_year=2013)
    area = make_node(world.area_level, code="n", title="分野", summary="分野の概要")
    nodes = [area]
    for number in range(3):
        node = make_node(world.measure_level, area, code=f"n-{number}", title=f"題{number}", summary="概要")
        add_result(node, 2012, f"結果{number}")
        add_target(node, 2011, 2013, f"目標{number}")
        nodes.append(node)
    node_ids = [node.pk for node in nodes]
    rows = list(indexing.documents_of(node_ids))
    named = [row.kind == "node" and row.field in indexing.NAME_FIELDS for row in rows]
    assert named == sorted(named, reverse=True) and named.count(True) == 8
    for node_id in node_ids:
        positions = [row.position for row in rows if row.node_id == node_id]
        assert positions == sorted(positions)
    names_migration = importlib.import_module("shinchoku.search.migrations.0009_document_names_first")
    # The migration's own names are those the search writes first.
    assert names_migration.NAME_FIELDS == indexing.NAME_FIELDS
    if connection.vendor != "postgresql":
        return

    def stored() -> list[bool]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {names_migration.IS_NAME} FROM {SearchDocument._meta.db_table} "
                "WHERE node_id = ANY(%s) ORDER BY ctid",
                [node_ids],
            )
            return [row[0] for row in cursor.fetchall()]

    migration, editor = _migration("0009_document_names_first")
    # Written a node at a time, as an edit writes them (each where the table has room),
    # then stored again by the migration, in order.
    for node in nodes:
        indexing.refresh(Change(world.plan.pk, frozenset({node.pk}), frozenset({""})))
    migration.names_first(apps, editor)
    assert stored() == sorted(stored(), reverse=True) and stored().count(True) == 8
    assert finds("題1") == ["n-1"] and set(finds("結果")) == {"n-0", "n-1", "n-2"}


def test_a_nodes_tokens_follow_its_documents_when_they_change_or_are_gone() -> None:
    world = make_world()
    area = make_node(world.area_level, code="a", title="分野")
    measure = make_node(world.measure_level, area, code="a-1", title="題名")
    assert_node_tokens_follow_the_documents()
    # Gathered again unchanged, then changed: the node's row is what its documents hold.
    indexing.gather_tokens([area.pk, measure.pk])
    assert_node_tokens_follow_the_documents()
    measure.title = "別題"
    node_save(measure)
    assert_node_tokens_follow_the_documents()
    assert finds("別") == ["a-1"] and finds("名") == []
    # A node none of whose texts are left has no tokens (its documents deleted as a
    # change to them would, whatever writes them next).
    SearchDocument.objects.filter(node=measure).delete()
    indexing.gather_tokens([measure.pk])
    assert_node_tokens_follow_the_documents()
    assert finds("分野") == ["a"]
