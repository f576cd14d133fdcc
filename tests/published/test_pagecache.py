"""Public pages kept whole by data version (shinchoku.published.pagecache): a reader who
has the page is answered 304 from the version alone, a page kept is answered without its
view, and what is kept is only ever an anonymous reader's 200 of published data."""

from __future__ import annotations

import base64
import pickle
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from shinchoku.published import pagecache
from shinchoku.published.pagecache import KeptPage, address_of, release_salt
from shinchoku.review import services
from tests.factories import Sample, make_sample
from tests.review.conftest import make_cycle

pytestmark = pytest.mark.django_db

SENTINEL = "SENTINEL-kept-4c1d"
PLAN = "plan9"
PAGES = {
    "home": "/",
    "plan": f"/plans/{PLAN}/",
    "plan area": f"/plans/{PLAN}/nodes/9/",
    "programme": f"/plans/{PLAN}/nodes/9-1/",
    "measure": f"/plans/{PLAN}/nodes/9-1-1/",
    "measure in English": f"/en/plans/{PLAN}/nodes/9-1-1/",
    "search": "/search/?q=協働",
}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def page_cache(settings: Any) -> Iterator[None]:
    settings.PUBLIC_PAGE_CACHE = True
    yield


@pytest.fixture
def sample(db: None) -> Sample:
    return make_sample()


def kept_pages() -> list[KeptPage]:
    """Every page in the cache's table, read as the database cache stores it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {settings.CACHES['pages']['LOCATION']}")
        return [pickle.loads(base64.b64decode(value)) for (value,) in cursor.fetchall()]


def without_token(content: bytes) -> str:
    return TOKEN.sub("", content.decode())


def test_a_process_keeps_the_pages_it_read_lately_within_its_budget(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most ``PUBLIC_PAGE_MEMORY_MB`` of pages, the one read least lately dropped first;
    none for longer than ``NEAR_SECONDS``; none at all with a budget of 0."""
    settings.PUBLIC_PAGE_MEMORY_MB = 1
    near = pagecache.NearPages()
    page = KeptPage(content=b"x" * 400_000, headers=(("Content-Type", "text/html"),), csp=())
    near.put("a", page)
    near.put("b", page)
    assert near.get("a") is page  # a is now read later than b
    near.put("c", page)  # three do not fit in a megabyte: b goes
    assert (near.get("a"), near.get("b"), near.get("c")) == (page, None, page)
    near.put("a", page)  # the same key again takes no more room
    assert len(near) == 2 and near._bytes == 2 * pagecache._size(page)
    now = time.monotonic()
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: now + pagecache.NEAR_SECONDS + 1)
    assert near.get("a") is None and len(near) == 1 and near._bytes == pagecache._size(page)
    near.put("big", KeptPage(content=b"x" * 2_000_000, headers=(), csp=()))
    assert near.get("big") is None
    settings.PUBLIC_PAGE_MEMORY_MB = 0
    near.put("d", page)
    assert near.get("d") is None


@pytest.mark.parametrize("name", PAGES)
def test_a_reader_who_has_the_page_is_answered_304_by_the_version_alone(
    client: Client, sample: Sample, name: str, django_assert_num_queries: Any
) -> None:
    first = client.get(PAGES[name])
    assert first.status_code == 200
    assert first["ETag"].startswith('W/"')
    with django_assert_num_queries(1) as context:
        again = Client().get(PAGES[name], HTTP_IF_NONE_MATCH=first["ETag"])
    assert "published_dataversion" in context.captured_queries[0]["sql"]
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    # The same tag without W/, as a proxy may pass it, or among others.
    stripped = first["ETag"].removeprefix("W/")
    assert Client().get(PAGES[name], HTTP_IF_NONE_MATCH=f'"other", {stripped}').status_code == 304
    assert Client().get(PAGES[name], HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_a_kept_page_is_answered_without_its_view(client: Client, sample: Sample, name: str) -> None:
    rendered = client.get(PAGES[name])
    assert len(kept_pages()) == 1
    # From the process's own memory: the version is all that is read.
    with CaptureQueriesContext(connection) as context:
        near = Client().get(PAGES[name])
    [version] = (query["sql"] for query in context.captured_queries)
    assert "published_dataversion" in version
    # In another process (none in its memory): from the shared cache.
    pagecache.near.clear()
    with CaptureQueriesContext(connection) as context:
        kept = Client().get(PAGES[name])
    version, page = (query["sql"] for query in context.captured_queries)
    assert "published_dataversion" in version and "shinchoku_page_cache" in page
    for response in (near, kept):
        assert response.status_code == 200
        assert without_token(response.content) == without_token(rendered.content)
    assert len(pagecache.near) == 1
    assert kept["Content-Type"] == rendered["Content-Type"]
    assert kept["ETag"] == rendered["ETag"]


def test_a_public_page_holds_nothing_of_its_reader_and_sets_no_cookie(sample: Sample) -> None:
    """The language switch is links to the page in each language: a kept page is answered
    as it is, with no token to put in and no cookie to set."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    address = PAGES["measure"]
    rendered = first.get(address)
    kept = second.get(address)
    [page] = kept_pages()
    assert pagecache.TOKEN_PLACEHOLDER not in page.content
    for response in (rendered, kept):
        assert TOKEN.search(response.content.decode()) is None
        assert not response.cookies
    assert kept.content == rendered.content
    english = re.search(r'<a href="([^"]+)" hreflang="en"', kept.content.decode()).group(1)
    assert english == f"/en{address}"
    assert second.get(english).status_code == 200


def test_each_reader_of_a_kept_page_with_a_form_gets_their_own_csrf_token(sample: Sample) -> None:
    """A kept page that posts a form holds a placeholder for the token; each reader gets
    their own put back, with their cookie, and none is kept."""

    @pagecache.plan_page
    def view(request: HttpRequest, plan_code: str) -> HttpResponse:
        token = get_token(request)
        return HttpResponse(
            f'<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="{token}"></form>'
        )

    def read() -> HttpResponse:
        request = RequestFactory().get(PAGES["plan"])
        request.user = AnonymousUser()
        return CsrfViewMiddleware(lambda request: view(request, plan_code=PLAN))(request)

    rendered, kept = read(), read()
    [page] = kept_pages()
    assert TOKEN.search(page.content.decode()).group(1) == pagecache.TOKEN_PLACEHOLDER.decode()
    tokens = [TOKEN.search(response.content.decode()).group(1) for response in (rendered, kept)]
    assert tokens[0] != tokens[1] and pagecache.TOKEN_PLACEHOLDER.decode() not in tokens
    assert "csrftoken" in kept.cookies


def test_the_site_s_headers_are_on_a_kept_answer_and_a_304(client: Client, sample: Sample) -> None:
    rendered = client.get(PAGES["measure"])
    kept = Client().get(PAGES["measure"])
    not_modified = Client().get(PAGES["measure"], HTTP_IF_NONE_MATCH=rendered["ETag"])
    for response in (rendered, kept, not_modified):
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert "camera=()" in response["Permissions-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Content-Language"] == "ja"
        assert set(response["Cache-Control"].split(", ")) == {"private", "max-age=0", "must-revalidate"}
        assert "Cookie" in response["Vary"]
    assert rendered["X-Request-ID"] != kept["X-Request-ID"]


def test_a_signed_in_person_is_never_answered_from_the_cache_nor_kept(
    client: Client, sample: Sample, admin_user: Any
) -> None:
    anonymous = client.get(PAGES["measure"])
    staff = Client()
    staff.force_login(admin_user)
    response = staff.get(PAGES["measure"], HTTP_IF_NONE_MATCH=anonymous["ETag"])
    assert response.status_code == 200
    assert "ETag" not in response and "no-store" in response["Cache-Control"]
    for address in PAGES.values():
        staff.get(address)
    assert len(kept_pages()) == 1


def test_only_a_200_is_kept(client: Client, sample: Sample) -> None:
    assert client.get(f"/plans/{PLAN}/nodes/no-such-node/").status_code == 404
    assert client.get("/search/?q=" + "協" * 300).status_code == 400
    assert client.get("/plans/no-such-plan/").status_code == 404
    assert kept_pages() == []


def test_a_page_that_sets_its_own_cookie_is_not_kept(sample: Sample) -> None:
    @pagecache.plan_page
    def view(request: HttpRequest, plan_code: str) -> HttpResponse:
        response = HttpResponse("<p>kept?</p>")
        response.set_cookie("seen", "1")
        return response

    request = RequestFactory().get(PAGES["plan"])
    request.user = AnonymousUser()
    response = view(request, plan_code=PLAN)
    assert response.status_code == 200 and "ETag" not in response
    assert kept_pages() == []


@pytest.mark.parametrize(
    ("uses", "kept"),
    [("nothing of the reader's", True), ("a CSP nonce", False), ("the CSRF token outside a form", False)],
)
def test_a_page_that_holds_what_is_the_reader_s_alone_is_not_kept(
    sample: Sample, uses: str, kept: bool
) -> None:
    """A nonce would not match the policy sent to the next reader; a token the cache cannot
    find would be handed to them."""

    @pagecache.plan_page
    def view(request: HttpRequest, plan_code: str) -> HttpResponse:
        if uses == "a CSP nonce":
            return HttpResponse(f'<script nonce="{request.csp_nonce}" src="/static/x.js"></script>')
        if uses == "the CSRF token outside a form":
            return HttpResponse(f'<meta name="csrf" content="{get_token(request)}">')
        return HttpResponse("<p>the same for everyone</p>")

    request = RequestFactory().get(PAGES["plan"])
    request.user = AnonymousUser()
    response = CSPMiddleware(lambda request: view(request, plan_code=PLAN))(request)
    assert response.status_code == 200
    assert len(kept_pages()) == (1 if kept else 0)


def test_a_draft_never_enters_a_kept_page() -> None:
    cycle = make_cycle(year=2012)
    year = cycle.round.fiscal_year
    # The search asks for a part of the sentinel, so that the page repeating the query
    # does not hold the sentinel itself.
    addresses = [*PAGES.values(), f"/search/?q={SENTINEL[-9:]}", f"/plans/{PLAN}/report/{year}.html"]

    def read_all() -> str:
        for address in addresses:
            assert Client().get(address).status_code == 200, address
        return "\n".join(page.content.decode() for page in kept_pages())

    entry = cycle.written(
        text=f"・{SENTINEL}", highlight=f"・{SENTINEL}の要約", context_change=f"・{SENTINEL}"
    )
    assert SENTINEL not in read_all()
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    assert SENTINEL not in read_all()
    assert len(kept_pages()) == len(addresses)

    services.round_publish(cycle.round, actor=cycle.admin)
    read_all()
    # Kept now, under the new version: the measure page in both languages, the plan area's
    # highlights, the search's hit and the report.
    assert sum(SENTINEL in page.content.decode() for page in kept_pages()) == 5


def test_with_the_cache_off_nothing_is_kept_and_304_still_answers(
    client: Client, sample: Sample, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.PUBLIC_PAGE_CACHE = False
    first = client.get(PAGES["measure"])
    second = client.get(PAGES["measure"])
    assert first["ETag"] == second["ETag"]
    assert kept_pages() == []
    with django_assert_num_queries(1):
        assert client.get(PAGES["measure"], HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_cache_that_does_not_answer_costs_the_cache_not_the_page(
    client: Client, sample: Sample, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "shinchoku.ops.rediscache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        },
    }
    response = client.get(PAGES["measure"])
    assert response.status_code == 200 and "協働型事業の推進" in response.content.decode()
    assert [record.getMessage() for record in caplog.records if record.name == pagecache.__name__] == [
        "page cache not read: the cache does not answer",
        "page cache not written: the cache does not answer",
    ]


def test_the_address_orders_parameters_by_name_and_keeps_the_order_of_one_name() -> None:
    factory = RequestFactory()
    assert address_of(factory.get("/search/?q=a&plan=x")) == address_of(factory.get("/search/?plan=x&q=a"))
    assert address_of(factory.get("/search/?q=a&q=b")) != address_of(factory.get("/search/?q=b&q=a"))
    assert address_of(factory.get("/search/?q=%E5%8D%94")) == address_of(factory.get("/search/?q=協"))
    assert address_of(factory.get("/plans/x/")) == "/plans/x/"


def test_a_new_release_of_the_code_templates_or_shown_settings_is_a_new_salt(
    tmp_path: Path, settings: Any
) -> None:
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>{{ a }}</p>")
    before = pagecache._package_digest(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    assert pagecache._package_digest(tmp_path) == before
    page.write_text("<p>{{ b }}</p>")
    assert pagecache._package_digest(tmp_path) != before

    salt = release_salt()
    assert release_salt() == salt  # the same in every process of one installation
    settings.DEBUG = True  # computed for each request, where templates change under the server
    settings.SITE_URL = "https://shinchoku.example.lg.jp"
    assert release_salt() != salt
