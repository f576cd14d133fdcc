"""Each operation of the API runs the same number of queries however much data it reads:
a plan of three measures or of twenty, a measure of one year or of three, a page of three
measures or of twenty. Ceilings document the cost of each (one query of it is the data
version the ETag is made from)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shinchoku.published import changes
from tests.factories import World, add_cost, add_indicator, add_target, make_programme, make_world

pytestmark = pytest.mark.django_db

#: The most queries each operation runs.
MAX_QUERIES = {
    "plans": 3,
    "plan": 10,
    "nodes": 4,
    "node": 9,
    "results": 7,
    "targets": 3,
    "indicators": 4,
    "costs": 3,
    "ratings": 4,
    "rating_counts": 8,
    "cost_totals": 6,
    "years": 6,
    "search": 17,
}

ADDRESSES = {
    "plans": "/api/v1/plans",
    "plan": "/api/v1/plans/{plan}",
    "nodes": "/api/v1/plans/{plan}/nodes?marker=○",
    "node": "/api/v1/plans/{plan}/nodes/p-1",
    "results": "/api/v1/plans/{plan}/nodes/p-1/results",
    "targets": "/api/v1/plans/{plan}/nodes/p-1/targets",
    "indicators": "/api/v1/plans/{plan}/nodes/p-1/indicators",
    "costs": "/api/v1/plans/{plan}/nodes/p-1/costs",
    "ratings": "/api/v1/plans/{plan}/ratings",
    "rating_counts": "/api/v1/plans/{plan}/aggregates/ratings?node=p-area",
    "cost_totals": "/api/v1/plans/{plan}/aggregates/costs?node=p",
    "years": "/api/v1/plans/{plan}/aggregates/years",
    "search": "/api/v1/search?q=施策&plan={plan}",
}


def plan_of(measures: int, years: int) -> World:
    with changes.batch():
        world = make_world()
        programme = make_programme(world, "p", measures=measures, years=range(2011, 2011 + years))
        for measure in programme.children.all():
            add_indicator(measure, "件数", "件", {y: ("10", "9") for y in range(2011, 2011 + years)})
            add_target(measure, 2011, 2013, "●拡充", revised_text="●縮小", revision_reason="理由")
            for year in range(2011, 2011 + years):
                add_cost(measure, year, project_cost=1000, staff_hours=2)
    return world


def queries(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200, (address, response.content)
    return len(captured.captured_queries)


def test_every_operation_costs_the_same_for_a_small_and_a_large_plan() -> None:
    small, large = plan_of(measures=3, years=1), plan_of(measures=20, years=3)
    client = Client()
    for name, address in ADDRESSES.items():
        # Once before counting: what a process reads once (the search's statistics) is not
        # the operation's cost.
        client.get(address.format(plan=small.plan.code))
        few = queries(client, address.format(plan=small.plan.code))
        many = queries(client, address.format(plan=large.plan.code))
        assert few == many, name
        assert many <= MAX_QUERIES[name], (name, many)
    # The large plan's page held its twenty measures.
    page = client.get(ADDRESSES["nodes"].format(plan=large.plan.code)).json()
    assert len(page["items"]) == 20


def test_a_later_page_costs_what_the_first_does() -> None:
    world = plan_of(measures=12, years=1)
    client = Client()
    address = f"/api/v1/plans/{world.plan.code}/nodes?limit=5"
    first = client.get(address).json()
    later = f"{address}&cursor={first['next_cursor']}"
    assert queries(client, address) == queries(client, later)
