"""The search's rate limit (``shinchoku.ops.ratelimit``): per client address and minute,
counted in the shared cache (the database table, or Redis), answered with 429, a
``Retry-After`` and a page that says what to do; the search stays up when the cache is
down."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from shinchoku.ops import ratelimit
from tests.ops.server import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(settings: Any, one_rate_window: None) -> int:
    """A limit of 3, every request of the test within one minute's count."""
    settings.SEARCH_RATE_LIMIT = 3
    return 3


def search(client: Client, path: str = "/search/?q=協働", **extra: str) -> Any:
    return client.get(path, **extra)


def test_past_the_limit_a_client_is_told_to_wait(limit: int) -> None:
    client = Client()
    assert [search(client).status_code for _ in range(limit)] == [200] * limit
    refused = search(client)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= ratelimit.WINDOW_SECONDS
    assert "no-store" in refused["Cache-Control"]
    page = refused.content.decode()
    assert "<h1>検索の回数が多すぎます</h1>" in page
    assert f"1分間に{limit}回を超える検索がありました" in page
    assert f"{refused['Retry-After']}秒待ってから" in page
    # The rest of the site is not limited.
    assert client.get("/").status_code == 200


def test_the_page_is_in_english_on_the_english_site(limit: int) -> None:
    client = Client()
    for _ in range(limit):
        search(client, "/en/search/?q=kyodo")
    refused = search(client, "/en/search/?q=kyodo")
    assert refused.status_code == 429
    assert f"searched more than {limit} times in one minute" in refused.content.decode()


def test_each_address_is_counted_apart(limit: int) -> None:
    client = Client()
    for _ in range(limit + 1):
        search(client, REMOTE_ADDR="192.0.2.1")
    assert search(client, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert search(client, REMOTE_ADDR="192.0.2.2").status_code == 200


def test_behind_a_proxy_the_client_address_counts(limit: int, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    for _ in range(limit + 1):
        search(client, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert search(client, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert search(client, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200


def test_the_next_minute_counts_afresh(limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    start = (int(time.time()) // 60 + 1) * 60 + 10
    monkeypatch.setattr(ratelimit.time, "time", lambda: float(start))
    client = Client()
    for _ in range(limit):
        search(client)
    refused = search(client)
    assert refused.status_code == 429 and refused["Retry-After"] == "50"
    monkeypatch.setattr(ratelimit.time, "time", lambda: float(start + 50))
    assert search(client).status_code == 200


def test_the_count_is_in_the_database_cache_not_in_the_process(limit: int) -> None:
    search(Client())
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM shinchoku_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any(":shinchoku:rate:search:" in key for key in keys), keys
    assert not any("127.0.0.1" in key for key in keys)  # the address only hashed


def test_no_limit_when_it_is_zero(settings: Any) -> None:
    settings.SEARCH_RATE_LIMIT = 0
    client = Client()
    assert {search(client).status_code for _ in range(5)} == {200}


def test_the_search_stays_up_when_the_cache_is_down(
    limit: int, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("the cache server went away")

    monkeypatch.setattr(cache, "add", down)
    client = Client()
    assert {search(client).status_code for _ in range(limit + 2)} == {200}
    assert any("rate limit of search not counted" in record.getMessage() for record in caplog.records)


@pytest.fixture
def redis_url() -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_with_redis_url_the_count_is_in_redis(redis_url: str, limit: int, settings: Any) -> None:
    import redis

    settings.CACHES = {"default": {"BACKEND": "shinchoku.ops.rediscache.RedisCache", "LOCATION": redis_url}}
    client = Client()
    for _ in range(limit):
        search(client)
    assert search(client).status_code == 429
    keys = redis.Redis.from_url(redis_url).keys("*shinchoku:rate:search:*")
    assert len(keys) == 1


def test_the_redis_cache_makes_one_client_and_reads_what_it_wrote(redis_url: str) -> None:
    from shinchoku.ops.rediscache import RedisCache

    kept = RedisCache(redis_url, {"KEY_PREFIX": "pages", "TIMEOUT": 60})
    kept.set("page", {"body": "協働"})
    assert kept.get("page") == {"body": "協働"} and kept.get_many(["page", "none"]) == {
        "page": {"body": "協働"}
    }
    kept.delete("page")
    assert kept.get("page") is None
    clients = {id(kept._cache.get_client("page")) for _ in range(3)}
    assert len(clients) == 1
