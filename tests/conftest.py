"""What every test shares."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from playwright.sync_api import Browser

from tests.browser import chromium
from tests.factories import EveryTable, make_every_table


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's default language: a request to an English page
    leaves English active in the thread that made it (the locale middleware activates it
    and nothing deactivates it), and a later test would otherwise run in English."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_page_in_the_process_memory() -> Iterator[None]:
    """Each test starts as a new process does, with no public page in its own memory
    (``pagecache.near``): a page kept by a test before, under a version of its own, is
    never asked for again, but a test that counts where a page comes from would see it."""
    from shinchoku.published import pagecache

    pagecache.near.clear()
    yield
    pagecache.near.clear()


@pytest.fixture(autouse=True, scope="session")
def _search_statistics_kept() -> Iterator[None]:
    """A process reads the statistics of the search's tokens once in the session, not
    again every ``STATISTICS_AGE`` seconds: a test that counts a search's queries would
    otherwise count the reading once in a while (it is one query more, never a different
    result: tests/search/test_matching.py forces each way of finding)."""
    from shinchoku.search import statistics

    kept = statistics.STATISTICS_AGE
    statistics.STATISTICS_AGE = float("inf")
    yield
    statistics.STATISTICS_AGE = kept


@pytest.fixture
def world() -> EveryTable:
    """Every table of a plan, a row or two in each (``factories.make_every_table``)."""
    return make_every_table()


@pytest.fixture
def planner() -> User:
    """A person who edits the plan, with no role."""
    return User.objects.create_user("planner")


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """Chromium for a browser test (``tests.browser.chromium``)."""
    with chromium(monkeypatch) as launched:
        yield launched


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests marked ``one_database`` check what does not depend on the database they
    run on (pages in a browser, the reading of files): when the test command runs them in
    its PostgreSQL pass, the SQLite pass beside it leaves them out (``bin/test`` sets
    TESTS_ONE_DATABASE_ELSEWHERE for it). Run alone, every test runs."""
    if os.environ.get("TESTS_ONE_DATABASE_ELSEWHERE") != "1":
        return
    elsewhere = [item for item in items if item.get_closest_marker("one_database")]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if not item.get_closest_marker("one_database")]


@pytest.fixture
def one_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request of the test counted in one window of the rate limits
    (``shinchoku.ops.ratelimit``), the clock held in its middle: a test that crossed into
    the next minute would see its counts start afresh."""
    from shinchoku.ops import ratelimit

    middle = int(time.time()) // ratelimit.WINDOW_SECONDS * ratelimit.WINDOW_SECONDS + 30
    monkeypatch.setattr(ratelimit.time, "time", lambda: float(middle))
