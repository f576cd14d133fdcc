"""Remembering lookups for the length of one piece of work.

Inside ``with memoized():`` the lookups that call ``memo`` compute each key once: an
import of a thousand rows asks who the person is and what a level's scales are once,
not a thousand times. Outside such a block ``memo`` computes every time, so nothing is
ever remembered longer than the work that asked for it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("shinchoku_memo", default=None)


@contextmanager
def memoized() -> Iterator[None]:
    if _memo.get() is not None:  # already inside: share the outer block's memory
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memo(key: Hashable, compute: Callable[[], T]) -> T:
    store = _memo.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def memo_fill(items: dict[Hashable, Any]) -> None:
    """Remember values computed in bulk (a no-op outside a block)."""
    store = _memo.get()
    if store is not None:
        store.update(items)
