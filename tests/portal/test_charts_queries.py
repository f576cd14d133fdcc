"""The pages with charts run the same number of queries however large the plan: one
measure rated one year, or many plan areas, programmes and measures rated over years.
The charts read what is kept at write time (the counts of ratings, the sums of costs),
the plan areas or programmes directly below a page in one query, and a unit's ratings in
one count over its own measures."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shinchoku.progress.models import Cost
from shinchoku.published import changes
from tests.factories import add_indicator, add_result, add_unit, make_node, make_unit, make_world

from .test_queries import MAX_QUERIES

pytestmark = pytest.mark.django_db

#: The unit's page: the data version, the plan, the unit, the rated level, its measures,
#: their ancestors, the page's nodes, the dimension, their ratings, the scale's levels,
#: the published years, the count, and the scale of the chart.
UNIT_QUERIES = 13


def grown(code: str, *, areas: int, programmes: int, measures: int, years: int) -> None:
    """A plan of ``areas`` plan areas of ``programmes`` programmes of ``measures``
    measures, each rated, costed and measured by an indicator in ``years`` years, a
    section responsible for them all."""
    world = make_world(code=code, first_year=2011, last_year=2020)
    unit = make_unit(code=f"{code}-unit", name="課")
    with changes.batch():
        for a in range(1, areas + 1):
            area = make_node(world.area_level, code=f"{a}", title=f"プラン{a}", position=a)
            for p in range(1, programmes + 1):
                programme = make_node(world.programme_level, area, code=f"{a}-{p}", position=p)
                for m in range(1, measures + 1):
                    node = make_node(world.measure_level, programme, code=f"{a}-{p}-{m}", position=m)
                    add_unit(node, unit)
                    span = range(2011, 2011 + years)
                    for year in span:
                        add_result(node, year, "・結果", rating=str(1 + (a + p + m + year) % 5))
                        Cost.objects.create(
                            node=node, fiscal_year=year, general=1000 * m, project_cost=1000 * m
                        )
                    add_indicator(node, "指標", "件", {year: ("10", str(8 + year % 4)) for year in span})


def queries(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200, address
    assert b'class="chart' in response.content, address
    return len(context.captured_queries)


def test_every_page_with_charts_costs_the_same_for_1_or_120_ratings(client: Client) -> None:
    grown("small", areas=1, programmes=1, measures=1, years=1)
    grown("large", areas=3, programmes=2, measures=5, years=4)
    pages = {
        "plan": ("", ""),
        "node": ("nodes/1/", "nodes/1/"),
        "programme": ("nodes/1-1/", "nodes/1-1/"),
        "measure": ("nodes/1-1-1/", "nodes/1-1-1/"),
        "unit": ("units/small-unit/", "units/large-unit/"),
    }
    for name, (small, large) in pages.items():
        few = queries(client, f"/plans/small/{small}")
        many = queries(client, f"/plans/large/{large}")
        assert few == many, name
        ceiling = UNIT_QUERIES if name == "unit" else MAX_QUERIES["node" if name == "programme" else name]
        assert many <= ceiling, f"{name}: {many} queries"
    assert queries(client, "/plans/large/units/large-unit/") == UNIT_QUERIES
