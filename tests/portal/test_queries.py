"""Each page runs the same number of queries however much data it shows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.plans import selectors
from tests.factories import (
    World,
    add_indicator,
    add_result,
    add_target,
    add_unit,
    make_node,
    make_programme,
    make_unit,
    make_world,
)

from .html import parse

pytestmark = pytest.mark.django_db

#: Ceilings that document the cost of each page (a rating summary asks which years have
#: published results: one query; an area's costs are one query, three when it has some;
#: a measure's costs one, its plan's sections two, two more when the plan defines some;
#: every page one for its data version, which its ETag and the page cache key on; the
#: charts the scale they draw, and on the plan's and an area's page the plan areas or
#: programmes below with their kept counts and costs: tests/portal/test_charts_queries.py).
MAX_QUERIES = {"home": 3, "plan": 24, "node": 28, "measure": 17}


def queries(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(context.captured_queries)


def node_url(world: World, code: str) -> str:
    return reverse("portal:node", args=[world.plan.code, code])


def measure(world: World, programme_code: str, code: str, *, years: int, targets: int) -> None:
    area = make_node(world.area_level, code=f"{code}-a", title="プラン")
    programme = make_node(world.programme_level, area, code=programme_code, title="プログラム")
    node = make_node(world.measure_level, programme, code=code, title="施策", summary="概要", baseline="現状")
    node.markers.add(world.circle, world.priority)
    add_unit(node, make_unit(code=f"unit-{code}", name="課"))
    for n in range(targets):
        year = world.plan.first_year + n % 10
        add_target(node, year, year, f"目標{n}", row=1 + n // 10, revised_text="改", revision_reason="理由")
    for year in range(world.plan.first_year, world.plan.first_year + years):
        add_result(node, year, "・結果", context_change="変化", response="対応", highlight="要約")
    add_indicator(
        node,
        "指標",
        "件",
        {y: ("10", "9") for y in range(world.plan.first_year, world.plan.first_year + years)},
        baseline_value=Decimal(8),
        baseline_year=2010,
    )


def test_a_measure_sheet_costs_the_same_for_1_or_10_years_and_1_or_50_targets(
    client: Client, django_assert_max_num_queries
) -> None:
    world = make_world(first_year=2011, last_year=2020)
    measure(world, "p-small", "small", years=1, targets=1)
    measure(world, "p-large", "large", years=10, targets=50)
    small = queries(client, node_url(world, "small"))
    large = queries(client, node_url(world, "large"))
    assert small == large
    with django_assert_max_num_queries(MAX_QUERIES["measure"]):
        response = client.get(node_url(world, "large"))
    doc = parse(response.content)
    assert len(doc.find_all("section", class_="result")) == 10
    assert len(doc.find_all("div", class_="target")) == 50


def test_programme_plan_area_and_plan_pages_cost_the_same_for_3_or_60_measures(
    client: Client, django_assert_max_num_queries
) -> None:
    few, many = make_world(), make_world()
    make_programme(few, "p", measures=3, years=range(2011, 2013))
    make_programme(many, "p", measures=60, years=range(2011, 2013))
    for address in ("p", "p-area"):
        assert queries(client, node_url(few, address)) == queries(client, node_url(many, address))
        with django_assert_max_num_queries(MAX_QUERIES["node"]):
            client.get(node_url(many, address))
    plan_few = reverse("portal:plan", args=[few.plan.code])
    plan_many = reverse("portal:plan", args=[many.plan.code])
    assert queries(client, plan_few) == queries(client, plan_many)
    with django_assert_max_num_queries(MAX_QUERIES["plan"]):
        client.get(plan_many)
    doc = parse(client.get(node_url(many, "p")).content)
    assert len(doc.find_all("li", class_="highlight")) == 60


def test_the_home_page_costs_the_same_for_1_or_3_plans(client: Client, django_assert_max_num_queries) -> None:
    make_programme(make_world(), "p", measures=2, years=range(2011, 2012))
    one = queries(client, reverse("portal:home"))
    for _ in range(2):
        make_programme(make_world(), "p", measures=2, years=range(2011, 2012))
    assert queries(client, reverse("portal:home")) == one
    with django_assert_max_num_queries(MAX_QUERIES["home"]):
        client.get(reverse("portal:home"))


def test_measures_are_paged_in_printed_order_at_the_same_cost(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors.outline, "MEASURES_PER_PAGE", 5)
    world = make_world()
    area = make_node(world.area_level, code="a", title="プラン")
    # Created out of printed order: positions decide, not ids.
    second = make_programme(world, "p2", measures=4, years=range(2011, 2012), parent=area)
    first = make_programme(world, "p1", measures=4, years=range(2011, 2012), parent=area)
    second.position, first.position = 2, 1
    second.save(update_fields=["position"])
    first.save(update_fields=["position"])
    address = node_url(world, "a")

    def titles(page: str) -> list[str]:
        doc = parse(client.get(f"{address}?page={page}").content)
        return [
            f"{g.find('h3').text}/{li.find('a').text}"
            for g in doc.find_all("div", class_="highlight-group")
            for li in g.find_all("li", class_="highlight")
        ]

    assert titles("1") == [f"アクションプログラム プログラムp1/施策{n}" for n in range(1, 5)] + [
        "アクションプログラム プログラムp2/施策1"
    ]
    assert titles("2") == [f"アクションプログラム プログラムp2/施策{n}" for n in range(2, 5)]
    assert titles("not-a-number") == titles("1")
    nav = parse(client.get(f"{address}?page=1").content).find("nav", class_="pagination")
    assert nav.find("a", rel="next").attrs["href"] == "?page=2" and not nav.find_all("a", rel="prev")
    assert queries(client, f"{address}?page=1") == queries(client, f"{address}?page=2")
