"""What every answer of the API carries: an ETag from the data version and 304 to a client
that has it; CORS for any site, without credentials; the security headers of the rest of
the site; errors as problem details (RFC 9457); the rate limit per client; HEAD."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from shinchoku.api import selectors
from shinchoku.progress.models import Result
from shinchoku.published import changes
from tests.factories import add_result, make_programme, make_world

from .conftest import PLAN, ApiPlan

pytestmark = pytest.mark.django_db

NODE = f"/api/v1/plans/{PLAN}/nodes/9-1-1"
#: One address of each kind of answer the API gives.
ADDRESSES = [
    "/api/v1/plans",
    f"/api/v1/plans/{PLAN}",
    f"/api/v1/plans/{PLAN}/nodes?level=measure",
    NODE,
    f"{NODE}/results",
    f"{NODE}/targets",
    f"{NODE}/indicators",
    f"{NODE}/costs",
    f"/api/v1/plans/{PLAN}/ratings",
    f"/api/v1/plans/{PLAN}/aggregates/ratings",
    f"/api/v1/plans/{PLAN}/aggregates/costs",
    f"/api/v1/plans/{PLAN}/aggregates/years",
    "/api/v1/search?q=協働",
    "/api/openapi.json",
]


def problem(response: Any, status: int) -> dict[str, Any]:
    """The body of a problem answer, checked to be one."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert set(body) == {"type", "title", "status", "detail", "instance", "errors"}
    assert body["status"] == status
    assert body["instance"] == response.wsgi_request.path
    assert body["type"].startswith("/api/#problem-")
    return body


def test_every_answer_is_tagged_and_answered_304_until_the_data_changes(api_plan: ApiPlan) -> None:
    client = Client()
    tags = {}
    for address in ADDRESSES:
        response = client.get(address)
        assert response.status_code == 200, address
        assert response["Cache-Control"] == "public, max-age=0, must-revalidate", address
        tags[address] = response["ETag"]
        again = client.get(address, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304, address
        assert again.content == b"" and again["ETag"] == response["ETag"]
    assert len(set(tags.values())) == len(ADDRESSES)
    # Another page of the same list is another answer, with its own tag.
    assert client.get(f"/api/v1/plans/{PLAN}/nodes?level=plan")["ETag"] != tags[ADDRESSES[2]]

    add_result(api_plan.other, 2013, "・新しい結果")
    for address in ADDRESSES[:-1]:
        response = client.get(address, HTTP_IF_NONE_MATCH=tags[address])
        assert response.status_code == 200, address
        assert response["ETag"] != tags[address]
    # The document changes with the code only.
    assert client.get(ADDRESSES[-1], HTTP_IF_NONE_MATCH=tags[ADDRESSES[-1]]).status_code == 304


def test_a_write_of_another_plan_keeps_this_plan_s_tags(api_plan: ApiPlan) -> None:
    client = Client()
    other = make_programme(make_world(), "p", measures=1, years=range(2011, 2012))
    tag = client.get(NODE)["ETag"]
    add_result(other.children.get(), 2012, "・別の計画の結果")
    assert client.get(NODE, HTTP_IF_NONE_MATCH=tag).status_code == 304
    # The list of plans reads every plan.
    plans = client.get("/api/v1/plans")
    assert {plan["code"] for plan in plans.json()["items"]} == {PLAN, other.plan.code}


def test_any_site_may_read_it_without_credentials(api_plan: ApiPlan) -> None:
    client = Client()
    for response in [
        client.get(f"{NODE}/results", HTTP_ORIGIN="https://example.org"),
        client.get("/api/v1/plans/none", HTTP_ORIGIN="https://example.org"),
        client.post("/api/v1/plans"),
    ]:
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response["Access-Control-Expose-Headers"]
        assert "Access-Control-Allow-Credentials" not in response
        assert not response.cookies
    preflight = client.options(
        f"{NODE}/results",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight


def test_it_sends_the_security_headers_of_the_rest_of_the_site(api_plan: ApiPlan) -> None:
    client = Client()
    page = client.get(f"/plans/{PLAN}/")
    shared = ["Content-Security-Policy", "Permissions-Policy", "X-Frame-Options", "X-Content-Type-Options"]
    shared += ["Referrer-Policy", "Cross-Origin-Opener-Policy"]
    for response in [client.get(NODE), client.get("/api/v1/plans/none"), client.options(NODE)]:
        for header in shared:
            assert response[header] == page[header], header


def test_errors_are_problem_details(api_plan: ApiPlan, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(raise_request_exception=False)
    missing = problem(client.get("/api/v1/plans/none/nodes/9-1-1"), 404)
    assert missing["detail"] == "計画 none にノード 9-1-1 はありません / The plan none has no node 9-1-1."
    assert missing["type"] == "/api/#problem-not-found"
    assert (
        problem(client.get(f"/api/v1/plans/{PLAN}/nodes/none"), 404)["title"] == "見つかりません / Not found"
    )
    assert problem(client.get("/api/v1/no-such-thing"), 404)["detail"].endswith("Nothing is at this address.")
    assert problem(client.get(f"/api/v1/plans/{PLAN}/aggregates/costs?node=9-1-1"), 404)

    invalid = problem(client.get(f"/api/v1/plans/{PLAN}/nodes?limit=500&year=x"), 400)
    assert {(e["location"], e["parameter"]) for e in invalid["errors"]} == {
        ("query", "limit"),
        ("query", "year"),
    }
    assert (
        problem(client.get(f"/api/v1/plans/{PLAN}/nodes?cursor=abc"), 400)["errors"][0]["parameter"]
        == "cursor"
    )
    refused = problem(client.get("/api/v1/search", {"q": " ".join("abcdefghijk")}), 400)
    assert "10" in refused["detail"] and " / " in refused["detail"]
    assert problem(client.get("/api/v1/search", {"q": "協働", "page": 9}), 404)

    assert "NUL" in problem(client.get(f"/api/v1/plans/{PLAN}/nodes/%00"), 400)["detail"]
    assert problem(client.get("/api/v1/search", {"q": "協\x00働"}), 400)

    not_allowed = problem(client.delete(NODE), 405)
    assert not_allowed["type"] == "/api/#problem-method-not-allowed"
    assert client.post("/api/openapi.json")["Allow"] == "GET, HEAD, OPTIONS"

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a secret of the server")

    monkeypatch.setattr(selectors, "node_detail", broken)
    error = problem(client.get(NODE), 500)
    assert "secret" not in json.dumps(error)


@override_settings(API_RATE_LIMIT=3, SEARCH_RATE_LIMIT=1)
def test_each_client_may_ask_so_often_a_minute(api_plan: ApiPlan, fresh_counts: None) -> None:
    client = Client(REMOTE_ADDR="192.0.2.1")
    assert [client.get(NODE).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(NODE)
    body = problem(refused, 429)
    assert int(refused["Retry-After"]) >= 1
    assert "no-store" in refused["Cache-Control"]
    assert body["type"] == "/api/#problem-too-many-requests"
    assert refused["Access-Control-Allow-Origin"] == "*"
    # Every request counts, found or not; another client is counted apart, and the
    # site's search has its own count.
    assert problem(client.get("/api/v1/nothing"), 429)
    assert Client(REMOTE_ADDR="192.0.2.2").get(NODE).status_code == 200
    assert client.get("/search/", {"q": "協働"}).status_code == 200
    # The page for people is not counted.
    assert client.get("/api/").status_code == 200


def test_head_answers_as_get_without_a_body(api_plan: ApiPlan) -> None:
    client = Client()
    get = client.get(NODE)
    head = client.head(NODE)
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Length"] == str(len(get.content))
    assert client.head(NODE, HTTP_IF_NONE_MATCH=get["ETag"]).status_code == 304


def test_a_plan_deleted_is_not_found_and_its_tag_gone(api_plan: ApiPlan) -> None:
    client = Client()
    tag = client.get(NODE)["ETag"]
    with changes.batch():
        Result.objects.filter(node__plan=api_plan.world.plan).delete()
        api_plan.world.plan.delete()
    problem(client.get(NODE, HTTP_IF_NONE_MATCH=tag), 404)
