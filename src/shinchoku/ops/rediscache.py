"""Django's Redis cache with one ``redis.Redis`` client per connection pool, made once.

Django's own ``RedisCacheClient`` makes a new ``redis.Redis`` for every read and write;
each one builds its table of some 170 reply callbacks, which cost a kept public page about
a tenth of a millisecond, more than the rest of reading it from Redis on this machine
(``docs/benchmarks.md``, "Public pages under load"). A client is safe to share between the
threads of a process: it takes a connection from its pool for each command, and the pool
starts afresh in a process forked after it was made.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    # The parent's pools are not in django-stubs: read as they are in Django 5.2.
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with ``SharedClientRedisCacheClient``."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
