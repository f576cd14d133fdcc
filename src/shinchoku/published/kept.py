"""What a process keeps of what it has read while the site's data version is unchanged.

Public data changes only with a new data version (``published.versions``: every write of
a plan's published data raises it, in its transaction). What a public read derives from
that data alone (the plans offered by the search, the names and places of nodes) can be
kept by each process under the version it was read under, and used again until the
version changes. The version is read before what is kept under it, so that nothing read
after a write is kept under the version before it; nothing read within a transaction is
kept (it may be the transaction's own, uncommitted). On PostgreSQL without a read replica
each process remembers the version without a query while none changes
(``published.versionwatch``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

from django.db import connections

K = TypeVar("K")
V = TypeVar("V")


class KeptUnderVersion(Generic[K, V]):
    """Values by key, for each database, kept under the one data version they were read
    under; at most ``most`` of them for a database, all dropped when more come."""

    def __init__(self, most: int) -> None:
        self.most = most
        self._kept: dict[str, tuple[int, dict[K, V]]] = {}

    def under(self, alias: str, version: int | None) -> Mapping[K, V]:
        """What is kept from the database ``alias`` under ``version`` (None: nothing)."""
        kept = self._kept.get(alias)
        if version is None or kept is None or kept[0] != version:
            return {}
        return kept[1]

    def keep(self, alias: str, version: int | None, values: Iterable[tuple[K, V]]) -> None:
        """Keep ``values`` read from the database ``alias`` after ``version`` was read, but
        not within a transaction, nor without a version."""
        if version is None or connections[alias].in_atomic_block:
            return
        values = list(values)
        kept = self._kept.get(alias)
        if kept is None or kept[0] != version or len(kept[1]) + len(values) > self.most:
            kept = self._kept[alias] = (version, {})
        kept[1].update(values)

    def clear(self) -> None:
        self._kept.clear()
