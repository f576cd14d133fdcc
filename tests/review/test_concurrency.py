"""No lost updates, under real concurrency: two people save the same entry at the same
moment, each from the version they read, on their own database connection. Exactly one
save wins; the other is refused with stale_version naming the winner's change; the stored
text is the winner's. PostgreSQL only: SQLite lets one writer in at a time."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from shinchoku.audit.selectors import audit_history
from shinchoku.review import services
from shinchoku.review.errors import ReviewError, ReviewErrorCode
from shinchoku.review.models import Entry

from .conftest import make_cycle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (DATABASE_URL=postgres://…)")


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread (so on its own connection), all released at once
    by a barrier; each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a writer hung"
    return outcomes


def check_one_winner(outcomes: list[Any], texts: dict[str, str], entry: Entry) -> None:
    winners = [o for o in outcomes if isinstance(o, Entry)]
    losers = [o for o in outcomes if isinstance(o, ReviewError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    (loser,) = losers
    assert loser.code == ReviewErrorCode.STALE_VERSION
    assert loser.current_version == 2
    (conflict,) = loser.conflicts
    winner_name = conflict.by[0]
    assert conflict.field == "text" and conflict.after == texts[winner_name]

    stored = Entry.objects.get(pk=entry.pk)
    assert stored.version == 2
    assert stored.text == texts[winner_name] == winners[0].text
    assert stored.updated_by.username == winner_name
    saved = [e for e in audit_history(stored) if e.event_type == "entry.saved"]
    assert [(e.actor_name, e.changes["text"]["after"]) for e in saved] == [(winner_name, stored.text)]


def test_two_people_save_the_same_version_at_once() -> None:
    cycle = make_cycle()
    texts = {"tanto": "・担当者の記述", "kyoku": "・局の記述"}
    outcomes = race(
        lambda: services.entry_save(
            cycle.entry, {"text": texts["tanto"]}, actor=cycle.editor, expected_version=1
        ),
        lambda: services.entry_save(
            cycle.entry, {"text": texts["kyoku"]}, actor=cycle.bureau_editor, expected_version=1
        ),
    )
    check_one_winner(outcomes, texts, cycle.entry)


def test_both_pass_every_check_before_either_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worst case: both have read version 1 and validated before either writes, so
    only the conditional UPDATE can tell them apart (the loser's UPDATE waits for the
    winner's commit, then matches no row)."""
    cycle = make_cycle()
    claim = services._claim
    at_the_write = threading.Barrier(2)

    def claim_together(*args: Any, **kwargs: Any) -> int:
        at_the_write.wait(timeout=10)
        return claim(*args, **kwargs)

    monkeypatch.setattr(services, "_claim", claim_together)
    texts = {"tanto": "・担当者の記述", "kyoku": "・局の記述"}
    outcomes = race(
        lambda: services.entry_save(
            cycle.entry, {"text": texts["tanto"]}, actor=cycle.editor, expected_version=1
        ),
        lambda: services.entry_save(
            cycle.entry, {"text": texts["kyoku"]}, actor=cycle.bureau_editor, expected_version=1
        ),
    )
    check_one_winner(outcomes, texts, cycle.entry)


def test_two_browsers_post_the_same_version_at_once(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same race through the staff pages: two people, each signed in, post the entry
    form read at version 1 as real HTTP requests to the threaded test server, held at
    the write so that both pass every check first. One is saved (a redirect); the other
    gets 409 with the conflict box naming the winner's text."""
    cycle = make_cycle()
    claim = services._claim
    at_the_write = threading.Barrier(2)

    def claim_together(*args: Any, **kwargs: Any) -> int:
        at_the_write.wait(timeout=10)
        return claim(*args, **kwargs)

    monkeypatch.setattr(services, "_claim", claim_together)
    url = live_server.url + reverse("staff:entry", args=[cycle.entry.pk])
    rating = f"rating_{cycle.sample.dimension.pk}"

    def browser(user: Any) -> tuple[urllib.request.OpenerDirector, str]:
        """A signed-in HTTP client that has opened the entry page: its CSRF token."""
        session = Client()
        session.force_login(user)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
        opener.addheaders = [("Cookie", f"sessionid={session.cookies['sessionid'].value}")]
        page = opener.open(url).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        opener.addheaders = [
            ("Cookie", f"sessionid={session.cookies['sessionid'].value}; csrftoken={csrf}"),
            ("Referer", url),
        ]
        return opener, token.group(1)

    texts = {"tanto": "・担当者の記述", "kyoku": "・局の記述"}
    people = {"tanto": cycle.editor, "kyoku": cycle.bureau_editor}
    browsers = {name: browser(user) for name, user in people.items()}

    def post(name: str) -> tuple[int, str]:
        opener, token = browsers[name]
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "version": "1",
                "text": texts[name],
                rating: str(cycle.sample.ratings["3"].pk),
                "action": "save",
            }
        ).encode()
        try:
            response = opener.open(url, data=body)
            return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    outcomes = dict(zip(texts, race(lambda: post("tanto"), lambda: post("kyoku")), strict=True))
    statuses = sorted(status for status, _ in outcomes.values())
    assert statuses == [302, 409], outcomes
    winner = next(name for name, (status, _) in outcomes.items() if status == 302)
    loser = next(name for name in texts if name != winner)
    conflict_page = outcomes[loser][1]
    conflict = conflict_page.split('class="conflict"')[1].split("</section>")[0]
    assert texts[winner] in conflict
    assert texts[loser] in conflict_page  # their own text is still in the form
    stored = Entry.objects.get(pk=cycle.entry.pk)
    assert stored.version == 2 and stored.text == texts[winner]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report a redirect as it is (the sign of a saved form) instead of following it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None
