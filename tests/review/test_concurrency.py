"""No lost updates and no errors, under real concurrency.

On PostgreSQL: two people save the same entry at the same moment, each from the version
they read, on their own database connection. Exactly one save wins; the other is refused
with stale_version naming the winner's change; the stored text is the winner's.

On SQLite (the embedded default), against the site served as ``bin/serve`` serves it (its
own process, a SQLite file, one thread per request): simultaneous saves of one entry give
one save and conflicts (409), and simultaneous saves of different entries all succeed;
none of them answers 500 ("database is locked"). The test suite's own SQLite database is
in memory and shared by the live server's threads, so it cannot show this.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from shinchoku.audit.selectors import audit_history
from shinchoku.errors import ErrorCode
from shinchoku.review import services
from shinchoku.review.errors import ReviewError
from shinchoku.review.models import Entry
from shinchoku.review.services import entries

from .conftest import make_cycle

pytestmark = pytest.mark.django_db(transaction=True)
postgresql_only = pytest.mark.usefixtures("_postgresql_only")


@pytest.fixture
def _postgresql_only(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "these concurrent writers share the test database: PostgreSQL (DATABASE_URL=postgres://…)"
        )


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
    assert loser.code == ErrorCode.STALE_VERSION
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


@postgresql_only
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


@postgresql_only
def test_both_pass_every_check_before_either_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worst case: both have read version 1 and validated before either writes, so
    only the conditional UPDATE can tell them apart (the loser's UPDATE waits for the
    winner's commit, then matches no row)."""
    cycle = make_cycle()
    claim = entries.claim
    at_the_write = threading.Barrier(2)

    def claim_together(*args: Any, **kwargs: Any) -> int:
        at_the_write.wait(timeout=10)
        return claim(*args, **kwargs)

    monkeypatch.setattr(entries, "claim", claim_together)
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


@postgresql_only
def test_two_browsers_post_the_same_version_at_once(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same race through the staff pages: two people, each signed in, post the entry
    form read at version 1 as real HTTP requests to the threaded test server, held at
    the write so that both pass every check first. One is saved (a redirect); the other
    gets 409 with the conflict box naming the winner's text."""
    cycle = make_cycle()
    claim = entries.claim
    at_the_write = threading.Barrier(2)

    def claim_together(*args: Any, **kwargs: Any) -> int:
        at_the_write.wait(timeout=10)
        return claim(*args, **kwargs)

    monkeypatch.setattr(entries, "claim", claim_together)
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


# ------------------------------------------------------------- SQLite, as bin/serve serves it

SHINCHOKU = Path(sys.executable).parent / "shinchoku"
#: Rounds of simultaneous saves of two different entries.
TRIES = 15


@dataclass
class Site:
    url: str
    password: str
    log: Path


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demonstration set up in a SQLite file and served by ``shinchoku runserver``
    (threaded, as ``bin/serve`` runs it), in a process of its own with a clean
    environment. Built in the SQLite run of the suite only, before any test of it asks
    (a module's fixture is made before a test's own skip)."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite site is tested in the SQLite run of the suite")
    var = tmp_path_factory.mktemp("sqlite-site")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "true",
        "SECRET_KEY": "concurrency-test-only",
        "SHINCHOKU_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'shinchoku.sqlite3'}",
        "ALLOWED_HOSTS": "127.0.0.1",
    }

    def shinchoku(*args: str) -> None:
        done = subprocess.run(
            [str(SHINCHOKU), *args],
            env=env,
            cwd=var,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"shinchoku {' '.join(args)}:\n{done.stdout}{done.stderr}"

    shinchoku("migrate", "--no-input", "-v0")
    shinchoku("loaddemo")
    shinchoku("demo")
    log = var / "server.log"
    with log.open("w") as stream:
        server = subprocess.Popen(
            [str(SHINCHOKU), "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            cwd=var,
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    urllib.request.urlopen(url + "/staff/login/", timeout=5).read()
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                pytest.fail("the server did not start:\n" + log.read_text())
            yield Site(url=url, password=(var / "demo-password").read_text().strip(), log=log)
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.fixture
def _sqlite_suite() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite site is tested in the SQLite run of the suite")


class Person:
    """One person's browser, as plain HTTP: cookies kept, redirects reported as they are."""

    def __init__(self, site: Site, username: str) -> None:
        self.site = site
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        page = self.get("/staff/login/")[1]
        status, _ = self.post(
            "/staff/login/", {"username": username, "password": site.password}, token_from=page
        )
        assert status == 302, f"{username} could not sign in"

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        url = self.site.url + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Referer": url})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path: str) -> tuple[int, str]:
        status, page = self.request(path)
        assert status == 200, (path, status)
        return status, page

    def post(self, path: str, data: dict[str, str], *, token_from: str) -> tuple[int, str]:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', token_from)
        assert token is not None
        return self.request(path, {"csrfmiddlewaretoken": token.group(1), **data})

    def entries(self) -> list[str]:
        """The addresses of the entries on this person's staff home."""
        return list(dict.fromkeys(re.findall(r'href="(/staff/entries/\d+/)"', self.get("/staff/")[1])))

    def opened(self, entry: str) -> str:
        return self.get(entry)[1]

    def save(self, entry: str, page: str, text: str) -> int:
        """Save the draft of ``entry`` with ``text``, from the form on ``page`` as read."""
        version = re.search(r'name="version" value="(\d+)"', page)
        assert version is not None
        data = {"version": version.group(1), "text": text, "action": "save"}
        return self.post(entry, data, token_from=page)[0]


def statuses_of(site: Site, outcomes: list[Any]) -> list[Any]:
    errors = [o for o in outcomes if not isinstance(o, int)]
    assert not errors, errors
    if 500 in outcomes:
        locked = "database is locked" in site.log.read_text()
        pytest.fail(
            f"a save answered 500 ({'database is locked' if locked else 'see ' + str(site.log)}): {outcomes}"
        )
    return outcomes


@pytest.mark.usefixtures("_sqlite_suite")
def test_eight_saves_of_one_entry_at_once_on_sqlite(sqlite_site: Site) -> None:
    """Eight saves of one entry from the version they all read: one is saved, seven
    are told someone else changed it first; none fails."""
    people = [Person(sqlite_site, "editor") for _ in range(8)]
    entry = people[0].entries()[0]
    pages = [person.opened(entry) for person in people]
    outcomes = race(
        *(
            partial(person.save, entry, page, f"・同時保存の確認 {i}")
            for i, (person, page) in enumerate(zip(people, pages, strict=True))
        )
    )
    assert sorted(statuses_of(sqlite_site, outcomes)) == [302] + [409] * 7


@pytest.mark.usefixtures("_sqlite_suite")
def test_saves_of_two_entries_at_once_on_sqlite(sqlite_site: Site) -> None:
    """Two sections each save their own entry at the same moment, again and again: every
    save is saved."""
    editors = [Person(sqlite_site, "editor"), Person(sqlite_site, "editor2")]
    entries = [editor.entries()[0] for editor in editors]
    assert entries[0] != entries[1]
    seen: list[list[Any]] = []
    for attempt in range(TRIES):
        pages = [editor.opened(entry) for editor, entry in zip(editors, entries, strict=True)]
        saves = [
            partial(editor.save, entry, page, f"・並行保存の確認 {attempt}-{i}")
            for i, (editor, entry, page) in enumerate(zip(editors, entries, pages, strict=True))
        ]
        seen.append(race(*saves))
    assert all(statuses_of(sqlite_site, outcomes) == [302, 302] for outcomes in seen), seen
