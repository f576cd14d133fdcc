"""A program reads a plan through the API: its outline, its nodes page by page and filtered,
a measure's results with ratings and reasons, targets with revisions, indicators and
costs, and the plan's ratings."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from .conftest import PLAN, ApiPlan

pytestmark = pytest.mark.django_db

BASE = f"/api/v1/plans/{PLAN}"


def get(client: Client, address: str, **query: Any) -> Any:
    response = client.get(address, query)
    assert response.status_code == 200, response.content
    return response.json()


def codes(page: dict[str, Any]) -> list[str]:
    return [item["code"] for item in page["items"]]


def test_a_plan_s_outline_and_vocabulary(api_plan: ApiPlan) -> None:
    plan = get(Client(), BASE)
    assert [(item["code"], item["parent"], item["measure_count"]) for item in plan["outline"]] == [
        ("9", None, 2),
        ("9-1", "9", 2),
        ("8", None, 1),
        ("8-1", "8", 1),
    ]
    assert plan["measure_count"] == 3
    assert plan["report_years"] == [2011, 2012]
    assert [level["key"] for level in plan["levels"]] == ["plan", "programme", "measure"]
    (dimension,) = plan["dimensions"]
    assert [level["code"] for level in dimension["scale"]["levels"]] == ["1", "2", "3", "4", "5"]
    assert [marker["symbol"] for marker in plan["markers"]] == ["○", "重点"]
    assert plan["page_url"] == f"/plans/{PLAN}/"


def test_nodes_page_by_page_and_filtered(api_plan: ApiPlan) -> None:
    client = Client()
    seen: list[str] = []
    query: dict[str, Any] = {"limit": 3}
    while True:
        page = get(client, f"{BASE}/nodes", **query)
        assert len(page["items"]) <= 3
        seen += codes(page)
        if page["next_cursor"] is None:
            break
        query["cursor"] = page["next_cursor"]
    assert sorted(seen) == sorted(["9", "9-1", "9-1-1", "9-1-2", "8", "8-1", "8-1-1"])
    assert len(seen) == len(set(seen))

    filtered = {
        "level=measure": ["9-1-1", "9-1-2", "8-1-1"],
        "parent=9-1": ["9-1-1", "9-1-2"],
        "unit=shimin": ["9-1-1"],
        "unit=shimin&role=related": [],
        "marker=重点": ["9-1-1"],
        "year=2012&rating=4": ["9-1-1"],
        "rating=5": ["8-1-1"],
        "rating=3": ["9-1-1", "9-1-2"],
        "year=2013": [],
        "level=nothing": [],
    }
    for query_string, expected in filtered.items():
        assert codes(client.get(f"{BASE}/nodes?{query_string}").json()) == expected, query_string
    (item,) = client.get(f"{BASE}/nodes?marker=重点").json()["items"]
    assert item == {
        "node_id": f"{PLAN}:9-1-1",
        "code": "9-1-1",
        "label": "",
        "title": "協働型事業の推進",
        "level": "measure",
        "rated": True,
        "parent": "9-1",
        "position": 1,
        "markers": ["重点"],
        "url": f"{BASE}/nodes/9-1-1",
    }


def test_a_measure_s_progress(api_plan: ApiPlan) -> None:
    client = Client()
    node = get(client, f"{BASE}/nodes/9-1-1")
    assert [a["code"] for a in node["ancestors"]] == ["9", "9-1"]
    assert node["units"] == [{"code": "shimin", "name": "市民協働推進課", "role": "responsible"}]
    assert node["result_years"] == [2011, 2012]
    assert node["page_url"] == f"/plans/{PLAN}/nodes/9-1-1/"
    area = get(client, f"{BASE}/nodes/9")
    assert area["node_counts"] == [
        {"level": "plan", "count": 1},
        {"level": "programme", "count": 1},
        {"level": "measure", "count": 2},
    ]
    assert get(client, area["children_url"].split("?")[0], parent="9")["items"][0]["code"] == "9-1"

    results = get(client, f"{BASE}/nodes/9-1-1/results")["items"]
    assert [(r["fiscal_year"], r["ratings"][0]["code"], r["ratings"][0]["reason"]) for r in results] == [
        (2011, "3", ""),
        (2012, "4", "利用が伸びなかった"),
    ]
    assert results[1]["ratings"][0]["adverse"] is True
    assert (
        get(client, f"{BASE}/nodes/9-1-1/results", year=2011)["items"][0]["text"] == "・9-1-1の2011年度の結果"
    )

    targets = get(client, f"{BASE}/nodes/9-1-1/targets", year=2013)["items"]
    assert [(t["text"], t["revised"], t["revised_text"], t["revision_reason"]) for t in targets] == [
        ("●モデル事業の実施", True, "●モデル事業の検証", "補助制度の見直し")
    ]
    (indicator,) = get(client, f"{BASE}/nodes/9-1-1/indicators")["items"]
    assert [(v["target"], v["actual"], v["achievement_rate"]) for v in indicator["values"]] == [
        ("10", "12", "120"),
        ("20", "15", "75"),
    ]
    costs = get(client, f"{BASE}/nodes/9-1-1/costs")["items"]
    assert [(c["fiscal_year"], c["basis"], c["project_cost"]) for c in costs] == [
        (None, "plan", 900_000),
        (2011, "actual", 150_000),
        (2012, "actual", 70_000),
    ]
    assert (costs[2]["staff_count"], costs[2]["staff_hours"], costs[2]["total_cost"]) == (
        "1.25",
        "10.5",
        110_000,
    )


def test_a_plan_s_ratings_page_by_page(api_plan: ApiPlan) -> None:
    client = Client()
    first = get(client, f"{BASE}/ratings", limit=4)
    second = get(client, f"{BASE}/ratings", limit=4, cursor=first["next_cursor"])
    assert len(first["items"]) == 4 and len(second["items"]) == 2 and second["next_cursor"] is None
    adverse = get(client, f"{BASE}/ratings", year=2012, code="4")["items"]
    assert [(r["node_code"], r["rating"]["reason"]) for r in adverse] == [("9-1-1", "利用が伸びなかった")]
    assert get(client, f"{BASE}/ratings", dimension="nothing")["items"] == []
