"""Queries compiled once and run again with other values (``search.statements``): the
rows are those the ORM gives for the same values, on SQLite and PostgreSQL, and a mark
that is not exactly one parameter is refused when the query is compiled."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from shinchoku.plans.models import Node
from shinchoku.search import tokens
from shinchoku.search.models import Ids, SearchDocument, Term
from shinchoku.search.statements import IDS_MARK, Statement, sent_with, term_mark
from shinchoku.search.tokens import Within
from tests.factories import make_node, make_world

pytestmark = pytest.mark.django_db

COLUMNS = ("pk", "code", "title", "plan__code")


@pytest.fixture
def nodes() -> list[Node]:
    world = make_world(code="statements")
    area = make_node(world.area_level, code="1", title="地域の取組")
    programme = make_node(world.programme_level, area, code="1-1", title="区役所の取組")
    measure = make_node(world.measure_level, programme, code="1-1-1", title="協働の推進")
    return [area, programme, measure]


def test_ids_are_put_in_the_marks_place(nodes: list[Node]) -> None:
    query = Node.objects.filter(pk__any_of=IDS_MARK).order_by("pk").values_list(*COLUMNS)
    statement = Statement.compiled(query, {"nodes": IDS_MARK})
    for chosen in ([nodes[0].pk], [nodes[2].pk, nodes[1].pk], [], [-5]):
        expected = list(Node.objects.filter(pk__in=chosen).order_by("pk").values_list(*COLUMNS))
        assert statement.rows({"nodes": Ids(chosen)}) == expected


def test_a_term_is_put_in_the_marks_place(nodes: list[Node]) -> None:
    """A term's query by the tokens of the documents (``Term``: a ``tsquery`` on
    PostgreSQL, an FTS5 query on SQLite), put in the place of a term no text holds."""
    within = Within()
    mark = Term(term_mark(), within)
    query = (
        SearchDocument.objects.filter(tokens__matches=mark, field="title")
        .order_by("node_id")
        .values_list("node_id", flat=True)
    )
    statement = Statement.compiled(query, {"term": mark})
    assert statement.rows({"term": mark}) == []
    for term, expected in (
        ("取組", [nodes[0], nodes[1]]),
        ("区", [nodes[1]]),
        ("推進", [nodes[2]]),
        ("鷗", []),
    ):
        assert [row[0] for row in statement.rows({"term": Term(tokens.fold(term), within)})] == [
            node.pk for node in expected
        ]


def test_a_mark_must_be_one_parameter(nodes: list[Node]) -> None:
    twice = Node.objects.filter(Q(pk__any_of=IDS_MARK) | Q(parent_id__any_of=IDS_MARK)).values_list("pk")
    with pytest.raises(ValueError, match="nodes is not one parameter"):
        Statement.compiled(twice, {"nodes": IDS_MARK})
    absent = Node.objects.filter(code="1").values_list("pk")
    with pytest.raises(ValueError, match="nodes is not one parameter"):
        Statement.compiled(absent, {"nodes": IDS_MARK})


def test_statements_sent_around_a_query_give_its_rows_and_no_more(nodes: list[Node]) -> None:
    """``sent_with``: the rows are the query's, whatever is sent before and after it; on
    PostgreSQL a ``SET LOCAL`` before it holds for the query, and the statements after
    it set it back within the test's transaction."""
    query = Node.objects.filter(pk__any_of=IDS_MARK).order_by("pk").values_list(*COLUMNS)
    statement = Statement.compiled(query, {"nodes": IDS_MARK})
    expected = list(Node.objects.order_by("pk").values_list(*COLUMNS))
    chosen = {"nodes": Ids([node.pk for node in nodes])}
    if connection.vendor != "postgresql":
        assert statement.rows(chosen) == expected
        return
    setting = "SELECT current_setting('enable_seqscan'), current_setting('work_mem')"
    with connection.cursor() as cursor:
        cursor.execute(setting)
        default = cursor.fetchone()
    assert default[0] == "on" and default[1] != "7MB"
    around = ("SET LOCAL enable_seqscan = off; SET LOCAL work_mem = '7MB'; ", "SET LOCAL work_mem TO DEFAULT")
    assert statement.rows(chosen, around) == expected
    assert sent_with(connection, setting, [], around) == [("off", "7MB")]
    # What was set back is at its default again; what was not, holds in the transaction.
    with connection.cursor() as cursor:
        cursor.execute(setting)
        assert cursor.fetchone() == ("off", default[1])
