"""Reading the data versions (``DataVersion``): what the public page cache and the ETags
key on. Each reader is one indexed query, and none reads anything else, so that a reader
whose page has not changed is answered from the version alone.

A version is None when there is nothing to key on: no such plan, or a plan (or a site)
whose data has never been derived (``changes.derive_missing`` derives it at ``migrate``).

On PostgreSQL a web process remembers the versions it read while the database says none
changed (``versionwatch``): a kept page then costs no query at all.
"""

from __future__ import annotations

import functools

from django.db import connections, router

from shinchoku.plans.models import Plan
from shinchoku.published import versionwatch
from shinchoku.published.models import DataVersion


def plan_version(plan_code: str) -> int | None:
    """The data version of the plan whose code is ``plan_code``: raised by every write of
    that plan's published data, and by the shared vocabulary its pages show."""
    return _read(("plan", plan_code), _statements()[0], [plan_code])


def site_version() -> int | None:
    """The site's data version: raised by every write of any plan's published data. The
    pages that read every plan (the home page, the search) key on it."""
    return _read(("site",), _statements()[1], [])


@functools.cache
def _statements() -> tuple[str, str]:
    """The two readers' SQL, made once: on every public page the version is all a kept
    page needs, and building the query through the ORM cost more than running it (about
    1 ms a page; ``tests/published/test_versions.py`` holds them equal to the ORM's)."""
    version = DataVersion._meta.db_table
    plans = Plan._meta.db_table
    return (
        f"SELECT v.version FROM {version} v JOIN {plans} p ON p.id = v.plan_id WHERE p.code = %s",  # noqa: S608
        f"SELECT version FROM {version} WHERE plan_id IS NULL",  # noqa: S608
    )


def _read(key: tuple[str, ...], sql: str, params: list[str]) -> int | None:
    # Read where the page's other reads go: the replica while a public view runs.
    alias = router.db_for_read(DataVersion)
    watch = versionwatch.watching(alias)
    if watch is None:
        return _one(alias, sql, params)
    remembered, generation = watch.get(key)
    if remembered is not versionwatch.UNKNOWN:
        return remembered  # type: ignore[return-value]
    version = _one(alias, sql, params)
    watch.put(key, version, generation)
    return version


def _one(alias: str, sql: str, params: list[str]) -> int | None:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])
