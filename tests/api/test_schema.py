"""The API against its own OpenAPI document (schemathesis): for every operation, requests
made from the document (its examples, the edges of each parameter, then random ones, valid
and not) are answered without a server error, with a status, content type, headers and
body the document declares; what is valid is accepted and what is not refused. Through
the WSGI application, on a plan whose codes are the document's examples."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import positive_data_acceptance

from shinchoku.api import selectors

from .conftest import make_api_plan

#: Examples tried per operation and phase: enough to reach every parameter's edges.
EXAMPLES = 20


#: The document, read from the site as a client reads it (it reads no data: loaded once,
#: when the tests are collected).
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())


@pytest.fixture(autouse=True)
def api_plan(db: None) -> Iterator[None]:
    """The plan, and the site's WSGI application run in the test's thread and transaction:
    the connection is kept between requests, as Django's test client keeps it."""
    make_api_plan()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def excluded(case: schemathesis.Case) -> list:
    """The search refuses a query of more than ten words or a year no plan has (400), which
    its parameters' schema cannot say: valid-looking data may be refused there."""
    return [positive_data_acceptance] if case.operation.path == "/api/v1/search" else []


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_its_document_says(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=excluded(case))


def test_a_server_error_fails_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above would see a 500: here the list of plans breaks, and it does."""

    def broken() -> None:
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(selectors, "plan_list", broken)
    case = schema["/api/v1/plans"]["GET"].Case()
    with pytest.raises(FailureGroup, match="Server error"):
        case.call_and_validate()
