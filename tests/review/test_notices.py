"""The deadline reminder: `shinchoku notify_deadlines`, run daily, reminds each editor
with entries still to submit once per round, from three days before the deadline."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from shinchoku.review.models import DeadlineNotice, Round

from .conftest import Cycle

pytestmark = pytest.mark.django_db


def run(day: object, django_capture_on_commit_callbacks) -> str:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notify_deadlines", f"--date={day}", stdout=out)
    return out.getvalue()


def test_reminders_go_once_to_editors_with_entries_to_submit(
    cycle: Cycle, django_capture_on_commit_callbacks
) -> None:
    cycle.submitted()  # 9-1-1 is done: tanto and kyoku are not reminded
    deadline = cycle.round.deadline

    assert run(deadline - timedelta(days=4), django_capture_on_commit_callbacks).startswith("0 ")
    assert mail.outbox == []

    assert run(deadline - timedelta(days=3), django_capture_on_commit_callbacks).startswith("1 ")
    (message,) = mail.outbox
    assert message.to == ["betsu@example.org"]
    assert "9-1-2" in message.body and "9-1-1" not in message.body
    assert deadline.isoformat() in message.subject

    # The same day again, the next day, the deadline day: nothing more.
    for day in [deadline - timedelta(days=3), deadline - timedelta(days=2), deadline]:
        assert run(day, django_capture_on_commit_callbacks).startswith("0 ")
    assert len(mail.outbox) == 1
    notice = DeadlineNotice.objects.get()
    assert (notice.recipient, notice.sent_on, notice.entries) == (
        cycle.other_editor,
        deadline - timedelta(days=3),
        1,
    )


def test_no_reminder_for_a_closed_round_or_after_the_deadline(
    cycle: Cycle, django_capture_on_commit_callbacks
) -> None:
    deadline = cycle.round.deadline
    assert run(deadline + timedelta(days=1), django_capture_on_commit_callbacks).startswith("0 ")
    Round.objects.filter(pk=cycle.round.pk).update(state=Round.State.CLOSED)
    assert run(deadline, django_capture_on_commit_callbacks).startswith("0 ")
    assert mail.outbox == []


def test_an_editor_without_an_address_is_skipped_until_they_have_one(
    cycle: Cycle, django_capture_on_commit_callbacks
) -> None:
    cycle.other_editor.email = ""
    cycle.other_editor.save()
    day = cycle.round.deadline - timedelta(days=1)
    assert "2 " in run(day, django_capture_on_commit_callbacks)  # tanto and kyoku for 9-1-1
    cycle.other_editor.email = "betsu@example.org"
    cycle.other_editor.save()
    assert run(day, django_capture_on_commit_callbacks).startswith("1 ")
    assert sorted(m.to[0] for m in mail.outbox) == [
        "betsu@example.org",
        "kyoku@example.org",
        "tanto@example.org",
    ]


def test_a_bad_date_is_named() -> None:
    with pytest.raises(CommandError, match="--date"):
        call_command("notify_deadlines", "--date=2013-02-30")


def test_with_site_url_a_notice_links_to_the_entry(
    cycle: Cycle, django_capture_on_commit_callbacks, settings
) -> None:
    from shinchoku.review import services

    settings.SITE_URL = "https://shinchoku.city.example.lg.jp"
    entry = cycle.submitted()
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_transition(
            entry, "return", actor=cycle.reviewer, expected_version=entry.version, comment="要修正"
        )
    assert mail.outbox
    for message in mail.outbox:
        assert message.body.rstrip().endswith(
            f"https://shinchoku.city.example.lg.jp/staff/entries/{entry.pk}/"
        )


def test_without_site_url_a_notice_has_no_link(
    cycle: Cycle, django_capture_on_commit_callbacks, settings
) -> None:
    from shinchoku.review import services

    settings.SITE_URL = ""
    entry = cycle.submitted()
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    assert mail.outbox
    assert all("http" not in message.body for message in mail.outbox)


def test_every_notice_is_written_in_the_sites_language_whatever_the_senders(
    cycle: Cycle, django_capture_on_commit_callbacks, settings
) -> None:
    from shinchoku.review import notices, services

    settings.SITE_URL = ""
    entry = cycle.submitted()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        entry = services.entry_transition(
            entry, "return", actor=cycle.reviewer, expected_version=entry.version, comment="要修正"
        )
        entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
        services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
        notices.round_published(cycle.round, count=1)
        notices.deadline_near(cycle.round, cycle.editor, [entry])

    subjects = {message.subject.split("：")[0] for message in mail.outbox}
    assert subjects == {
        "[Shinchoku] 差戻し",
        "[Shinchoku] 承認",
        "[Shinchoku] 公開",
        f"[Shinchoku] 締切 {cycle.round.deadline.isoformat()}",
    }
    returned = next(message for message in mail.outbox if "差戻し" in message.subject)
    assert "要修正" in returned.body and returned.subject.startswith("[Shinchoku] 差戻し：9-1-1 ")
