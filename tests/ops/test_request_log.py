"""The request id and the access line, in the process, through the logging configuration
the settings build (``shinchoku.ops.logs``): one JSON line per request, the id of the
request on it and on the response, an id from outside taken only when it is sane."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from shinchoku.ops.logs import logging_config
from shinchoku.ops.requestid import RequestIdFilter

pytestmark = pytest.mark.django_db
HEX_ID = re.compile(r"[0-9a-f]{32}")


class Captured:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def text(self) -> str:
        return self.stream.getvalue()


def capture(log_format: str) -> tuple[Captured, logging.Handler]:
    """A handler made as the settings' logging configuration makes its own."""
    config = logging_config(log_format=log_format, level="INFO")
    configurator = logging.config.DictConfigurator(config)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_formatter(config["formatters"][log_format]))
    handler.addFilter(RequestIdFilter())
    return Captured(stream), handler


@pytest.fixture
def json_log() -> Iterator[Captured]:
    captured, handler = capture("json")
    logger = logging.getLogger("shinchoku")
    logger.addHandler(handler)
    yield captured
    logger.removeHandler(handler)


def test_one_json_line_per_request_with_its_id(json_log: Captured, admin_user: User) -> None:
    client = Client()
    client.force_login(admin_user)
    answer = client.get("/staff/?tab=private", HTTP_X_REQUEST_ID="lb-0a1b2c3d")
    assert answer["X-Request-ID"] == "lb-0a1b2c3d"
    [line] = [line for line in json_log.lines() if line["logger"] == "shinchoku.access"]
    assert line["request_id"] == "lb-0a1b2c3d"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/staff/", answer.status_code)
    assert line["user_id"] == admin_user.pk
    assert line["duration_ms"] >= 0
    assert line["message"] == f"GET /staff/ {answer.status_code} {line['duration_ms']}ms"


def test_every_line_of_the_request_carries_its_id(json_log: Captured, settings: Any) -> None:
    settings.SEARCH_RATE_LIMIT = 1
    client = Client()
    client.get("/search/?q=a")
    refused = client.get("/search/?q=b")
    assert refused.status_code == 429
    made = refused["X-Request-ID"]
    lines = [line for line in json_log.lines() if line["request_id"] == made]
    assert {line["logger"] for line in lines} == {"shinchoku.ops.ratelimit", "shinchoku.access"}
    access = next(line for line in lines if line["logger"] == "shinchoku.access")
    assert (access["status"], access["level"]) == (429, "WARNING")


@pytest.mark.parametrize(
    "sent",
    [
        "",
        "two words",
        "x" * 129,
        "abc\r\nInjected: yes",
        "ｒｅｑｕｅｓｔ",
        "-starts-with-a-dash",
        "semi;colon",
    ],
)
def test_an_id_that_is_not_sane_is_replaced(json_log: Captured, sent: str) -> None:
    answer = Client().get("/", HTTP_X_REQUEST_ID=sent)
    made = answer["X-Request-ID"]
    assert HEX_ID.fullmatch(made), made
    assert json_log.lines()[-1]["request_id"] == made


def test_each_request_gets_its_own_id(json_log: Captured) -> None:
    ids = {Client().get("/").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_the_text_format_names_the_request_too() -> None:
    captured, handler = capture("text")
    logger = logging.getLogger("shinchoku")
    logger.addHandler(handler)
    try:
        answer = Client().get("/no-such-page/", HTTP_X_REQUEST_ID="trace-42")
    finally:
        logger.removeHandler(handler)
    assert answer.status_code == 404
    assert re.search(
        r"WARNING shinchoku\.access \[trace-42\]: GET /no-such-page/ 404 [\d.]+ms", captured.text()
    )


def test_a_log_line_outside_a_request_has_no_id(json_log: Captured) -> None:
    logging.getLogger("shinchoku.ops").warning("between requests")
    assert json_log.lines()[-1]["request_id"] is None
