"""The API's document and its page for people: every parameter, field, operation and
answer described in one string, Japanese then English, field names stable snake_case
English; the page made from the document shows all of it, linked from every page's
footer; and a data user reads it in a browser, where axe-core and the Nu HTML Checker
find nothing, in Japanese and in English and at a phone's width."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from shinchoku.api.docs import bilingual
from shinchoku.api.views import openapi
from tests.browser import ARTIFACTS
from tests.checkers import PageChecker, missing_tools

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")
SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def descriptions(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, description) of everything the document describes."""
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            where = f"{method.upper()} {path}"
            yield f"{where} summary", operation["summary"]
            yield f"{where} description", operation["description"]
            for parameter in operation["parameters"]:
                yield f"{where} ?{parameter['name']}", parameter["description"]
            for status, response in operation["responses"].items():
                yield f"{where} {status}", response["description"]
    for name, schema in document["components"]["schemas"].items():
        if "description" in schema:
            yield name, schema["description"]
        for field, definition in schema["properties"].items():
            yield f"{name}.{field}", definition.get("description", "")


@pytest.mark.one_database
def test_everything_is_described_in_japanese_then_english() -> None:
    document = openapi()
    found = list(descriptions(document))
    assert len(found) > 300
    for where, text in found:
        parts = bilingual(text)
        assert JAPANESE.search(parts.ja), where
        assert parts.en and not JAPANESE.search(parts.en), where
    for name, schema in document["components"]["schemas"].items():
        for field in schema["properties"]:
            assert SNAKE_CASE.fullmatch(field), f"{name}.{field}"


@pytest.mark.django_db
def test_the_page_shows_every_operation_and_schema_and_every_page_links_to_it() -> None:
    client = Client()
    document = openapi()
    page = client.get("/api/").content.decode()
    for path, methods in document["paths"].items():
        for operation in methods.values():
            assert f'id="operation-{operation["operationId"]}"' in page
            assert f"<code>{path}</code>" in page
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    assert 'href="/api/openapi.json"' in page
    assert 'id="problem-not-found"' in page
    english = client.get("/en/api/").content.decode()
    assert "<h1>Open data API</h1>" in english
    assert 'lang="en">The plans</span>' in english
    # Every page of the site leads to it.
    assert 'href="/api/"' in client.get("/").content.decode()
    assert 'href="/en/api/"' in client.get("/en/").content.decode()


@pytest.fixture
def checker() -> PageChecker:
    missing = missing_tools()
    if missing:
        pytest.fail(missing)
    return PageChecker(ARTIFACTS / "checked-api")


# What is checked here does not depend on the database: once, in one pass (tests/conftest.py).
@pytest.mark.browser
@pytest.mark.one_database
@pytest.mark.django_db(transaction=True)
def test_a_data_user_finds_and_reads_the_api_page(
    browser: Any, live_server: Any, checker: PageChecker
) -> None:
    from playwright.sync_api import expect

    for locale, prefix, name in (
        ("ja-JP", "", "プログラム向けの公開データAPI"),
        ("en-GB", "/en", "Open data API"),
    ):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        checker.watch(context)
        page = context.new_page()
        page.goto(f"{live_server.url}{prefix}/")
        page.get_by_role("contentinfo").get_by_role("link", name=name).click()
        checker.check(page, f"API page ({locale})")
        page.screenshot(path=ARTIFACTS / f"api-page-top-{locale}.png")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "公開データAPI" if not prefix else "Open data API"
        )
        page.get_by_role("navigation", name="目次" if not prefix else "Contents").get_by_role(
            "link", name="ノードの一覧 / The nodes of a plan"
        ).click()
        operation = page.locator("#operation-node_list")
        expect(operation.get_by_role("table")).to_contain_text("cursor")
        operation.screenshot(path=ARTIFACTS / f"api-operation-{locale}.png")
        page.screenshot(path=ARTIFACTS / f"api-page-{locale}.png")
        context.close()
    phone = browser.new_context(locale="ja-JP", viewport={"width": 375, "height": 800}, is_mobile=True)
    checker.watch(phone)
    page = phone.new_page()
    page.goto(f"{live_server.url}/api/")
    checker.check(page, "API page (phone)")
    # The wide tables scroll within their regions; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("#operation-node_list").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "api-page-phone.png")
    phone.close()
    assert checker.findings() == []
    assert checker.markup() == []
