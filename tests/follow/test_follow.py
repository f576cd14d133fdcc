"""A citizen follows a measure by e-mail: the address is asked for, confirmed by a link
that a mail scanner's GET cannot confirm, and kept only then; each round published sends
one mail per address, with a one-click unsubscribe (RFC 8058) that deletes it."""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail, signing
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.urls import reverse

from shinchoku.follow.models import Follow, Publication, Subscriber
from shinchoku.follow.notify import notifications_send
from shinchoku.follow.services import Confirmation, confirmation_token, follow_confirm
from shinchoku.review import services
from tests.follow.rounds import approved, published
from tests.portal.html import parse
from tests.review.conftest import Cycle, make_cycle

pytestmark = pytest.mark.django_db

SITE = "https://shinchoku.example.jp"
ADDRESS = "Hanako.Shimin@Example.JP"
SENTINEL = "SENTINEL-follow-draft-2d7c"


@pytest.fixture
def cycle(settings) -> Cycle:
    settings.SITE_URL = SITE
    return make_cycle(year=2013)


def stored() -> str:
    """Every row of every table of the database (the cache's and the job queue's too), as
    lower-case text."""
    rows: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows).lower()


def mails_to_followers() -> list[mail.EmailMessage]:
    """The mails of following (the staff's notices of the round left out)."""
    return [message for message in mail.outbox if message.extra_headers.get("Auto-Submitted")]


def start_url(code: str = "9-1-1") -> str:
    return reverse("follow:start", args=["plan9", code])


def confirmation_path(message: mail.EmailMessage) -> str:
    found = re.search(rf"{re.escape(SITE)}(/follow/confirm/\?token=\S+)", message.body)
    assert found, message.body
    return found.group(1)


def unsubscribe_path(message: mail.EmailMessage) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{SITE}/follow/unsubscribe/?key=") and header.endswith(">")
    return header[1 + len(SITE) : -1]


def test_a_citizen_follows_a_measure_from_the_form_to_the_one_click_unsubscribe(
    client: Client, cycle: Cycle, caplog, django_capture_on_commit_callbacks
) -> None:
    caplog.set_level(logging.DEBUG)
    page = parse(client.get(reverse("portal:node", args=["plan9", "9-1-1"])).content)
    form = page.find("section", class_="follow").find("form")
    assert form.attrs["action"] == start_url()
    assert form.find("input", type="email").attrs["name"] == "address"

    # Asked: a confirmation mail goes out, and the address is kept nowhere, logged nowhere.
    response = client.post(start_url(), {"address": ADDRESS})
    assert response.status_code == 302
    assert response["Location"] == reverse("follow:sent", args=["plan9", "9-1-1"])
    assert client.get(response["Location"]).status_code == 200
    [asked] = mail.outbox
    assert asked.to == ["Hanako.Shimin@example.jp"]
    assert "協働型事業の推進" in asked.subject
    assert ADDRESS.lower() not in stored()
    assert ADDRESS.lower() not in caplog.text.lower()

    # The link opened (as a mail scanner fetches it): a button, and still nothing kept.
    link = confirmation_path(asked)
    shown = client.get(link)
    assert shown.status_code == 200
    assert "Hanako.Shimin@example.jp" in shown.content.decode()
    assert parse(shown.content).find("form").find("button", type="submit")
    assert ADDRESS.lower() not in stored()

    # Confirmed by the button: kept, with the measure it follows.
    token = parse_qs(urlsplit(link).query)["token"][0]
    confirmed = client.post(reverse("follow:confirm"), {"token": token})
    assert confirmed.status_code == 200
    follow = Follow.objects.select_related("subscriber", "node").get()
    assert (follow.subscriber.address, follow.node.code) == ("Hanako.Shimin@example.jp", "9-1-1")

    # A round publishes 9-1-1; 9-1-2's draft, with the sentinel, stays a draft.
    draft = cycle.fresh(cycle.other_entry)
    services.entry_save(
        draft, {"text": f"・{SENTINEL}"}, actor=cycle.other_editor, expected_version=draft.version
    )
    with django_capture_on_commit_callbacks(execute=True):
        published(cycle, cycle.fresh())
    [_asked, notification] = mails_to_followers()
    assert notification.to == ["Hanako.Shimin@example.jp"]
    assert "2013年度（平成25年度）の実績を公表しました" in notification.body
    assert f"{SITE}/plans/plan9/nodes/9-1-1/#result-2013" in notification.body
    assert SENTINEL not in notification.body and SENTINEL not in notification.subject
    assert notification.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = unsubscribe_path(notification)
    assert f"{SITE}{unsubscribe}" in notification.body  # and in sight

    # One click in the mail program: a POST with no cookie and no CSRF token.
    one_click = Client(enforce_csrf_checks=True)
    answer = one_click.post(
        unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200
    assert not Subscriber.objects.exists() and not Follow.objects.exists()
    assert "hanako.shimin@example.jp" not in stored()
    assert ADDRESS.lower() not in caplog.text.lower()


def test_a_round_published_at_once_sends_one_mail_per_address(
    cycle: Cycle, django_capture_on_commit_callbacks
) -> None:
    area, measure, other = (cycle.sample.plan.nodes.get(code=code) for code in ("9", "9-1-1", "9-1-2"))
    for node in (area, measure, other):
        follow_confirm(Confirmation("both@example.jp", node))
    follow_confirm(Confirmation("other@example.jp", other))
    with django_capture_on_commit_callbacks(execute=True):
        published(cycle, cycle.fresh(), cycle.fresh(cycle.other_entry))
    mails = {message.to[0]: message for message in mails_to_followers()}
    assert sorted(mails) == ["both@example.jp", "other@example.jp"]
    both = mails["both@example.jp"].body
    assert re.findall(r"^・(.+)$", both, re.M) == [
        "プラン９ 市民自治と区役所機能の拡充",
        "協働型事業の推進",
        "市民活動の支援",
    ]
    assert "2013年度（平成25年度）の実績を公表しました（2件）" in both
    assert re.findall(r"^・(.+)$", mails["other@example.jp"].body, re.M) == ["市民活動の支援"]
    assert (
        mails["both@example.jp"].extra_headers["List-Unsubscribe"]
        != mails["other@example.jp"].extra_headers["List-Unsubscribe"]
    )
    # The job run again sends nothing: a publication's mails go once.
    assert notifications_send(Publication.objects.get().pk) == 0
    assert len(mails_to_followers()) == 2


def test_the_answer_does_not_say_whether_the_address_follows_already(client: Client, cycle: Cycle) -> None:
    follow_confirm(Confirmation("known@example.jp", cycle.sample.measure))
    known = client.post(start_url(), {"address": "known@example.jp"})
    unknown = client.post(start_url(), {"address": "new@example.jp"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [message.to for message in mail.outbox] == [["known@example.jp"], ["new@example.jp"]]
    assert Subscriber.objects.count() == 1


def test_an_expired_or_altered_link_is_refused_with_a_page_that_says_why(
    client: Client, cycle: Cycle, settings, monkeypatch
) -> None:
    settings.FOLLOW_CONFIRM_HOURS = 48
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now - 49 * 3600)
    old = confirmation_token("late@example.jp", cycle.sample.measure)
    monkeypatch.undo()
    fresh = confirmation_token("late@example.jp", cycle.sample.measure)
    url = reverse("follow:confirm")
    for token, says in (
        (old, "有効期限が切れています"),
        (fresh[:-3] + "abc", "無効です"),
        ("", "無効です"),
    ):
        for response in (client.get(url, {"token": token}), client.post(url, {"token": token})):
            assert response.status_code == 400
            assert says in parse(response.content).find("div", role="alert").text
    assert not Subscriber.objects.exists()
    assert "late@example.jp" not in stored()


def test_the_form_refuses_a_wrong_address_and_is_rate_limited(client: Client, cycle: Cycle, settings) -> None:
    settings.FOLLOW_RATE_LIMIT = 3
    wrong = client.post(start_url(), {"address": "not an address"})
    assert wrong.status_code == 400
    assert parse(wrong.content).find("div", class_="error-summary")
    answers = [client.post(start_url(), {"address": f"n{n}@example.jp"}).status_code for n in range(3)]
    assert answers == [302, 302, 429]
    assert len(mail.outbox) == 2


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("the mail server is down")


def test_a_mail_server_down_is_said_and_nothing_is_kept(
    client: Client, cycle: Cycle, settings, caplog
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    response = client.post(start_url(), {"address": ADDRESS})
    assert response.status_code == 503
    assert "確認メールを送信できませんでした" in parse(response.content).find("div", role="alert").text
    assert ADDRESS.lower() not in stored()
    assert ADDRESS.lower() not in caplog.text.lower()


def test_the_unsubscribe_link_opened_asks_first(client: Client, cycle: Cycle) -> None:
    follow = follow_confirm(Confirmation("reader@example.jp", cycle.sample.measure))
    url = f"{reverse('follow:unsubscribe')}?key={follow.subscriber.key}"
    shown = client.get(url)
    assert shown.status_code == 200
    assert parse(shown.content).find("ul", class_="follow__list").text.startswith("協働型事業の推進")
    assert Subscriber.objects.exists()
    assert client.post(url).status_code == 200
    assert not Subscriber.objects.exists()
    gone = client.get(url)
    assert gone.status_code == 200 and not parse(gone.content).find("main").find_all("form")


def test_without_a_site_address_only_the_feed_is_offered(client: Client, settings) -> None:
    settings.SITE_URL = ""
    make_cycle(year=2013)
    page = parse(client.get(reverse("portal:node", args=["plan9", "9-1-1"])).content)
    box = page.find("section", class_="follow")
    assert box.find("a", type="application/atom+xml")
    assert not box.find_all("form")
    assert client.get(start_url()).status_code == 404
    assert client.get(reverse("follow:confirm")).status_code == 404


def test_approved_but_unpublished_entries_send_nothing(
    cycle: Cycle, django_capture_on_commit_callbacks
) -> None:
    follow_confirm(Confirmation("reader@example.jp", cycle.sample.measure))
    with django_capture_on_commit_callbacks(execute=True):
        approved(cycle, cycle.fresh())
    assert mails_to_followers() == []
    assert not Publication.objects.exists()
