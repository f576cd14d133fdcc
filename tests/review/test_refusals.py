"""Bad input and forbidden moves: each is refused with its code and the message the
person reads (in the site's language, Japanese), leaves every table as it was, and is
logged on the ``shinchoku.review`` logger."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from shinchoku import fiscal
from shinchoku.accounts.models import Role
from shinchoku.audit.models import AuditEvent
from shinchoku.audit.selectors import audit_history
from shinchoku.errors import ErrorCode
from shinchoku.plans.models import NodeUnit, OrgUnit
from shinchoku.progress.models import Rating, Result, Target
from shinchoku.review import services
from shinchoku.review.errors import ReviewError
from shinchoku.review.models import Comment, DeadlineNotice, Entry, EntryRating, EntryTarget, Round
from tests.factories import make_scale, make_staff

from .conftest import Cycle
from .test_decisions import buttons
from .test_pages import client_for

pytestmark = pytest.mark.django_db

TABLES = [Round, Entry, EntryRating, EntryTarget, Comment, DeadlineNotice, AuditEvent, Result, Rating, Target]

#: What the person reads, by the rule that refused (parts of the Japanese messages).
SAVE_REFUSED = "記入票を保存できませんでした。印の付いた項目を確認してください。"
SUBMIT_REFUSED = "記入票を提出できませんでした。印の付いた項目を確認してください。"
NO_ROLE = "この記入票を扱う権限がありません（所管の施策ではありません）。"
ROUND_CLOSED = "の評価の回は終了しているため、記入票は変更できません。"
STALE = "この記入票は、開いた後に他の人が変更しました"
ADMINISTRATOR_ONLY = "この操作は計画担当管理者だけが行えます。"


def past_deadline(day: Any) -> str:
    return f"この評価の回の締切（{fiscal.date_label(day)}）を過ぎています。計画担当課にお問い合わせください。"


def everything() -> dict[str, list[dict[str, Any]]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in TABLES}


def refused(
    caplog: pytest.LogCaptureFixture, code: ErrorCode, call: Callable[[], object], *, says: str
) -> ReviewError:
    """Run ``call``; it must raise ``code`` telling the person ``says`` (a part of the
    message), change nothing, and log the refusal."""
    before = everything()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="shinchoku.review"), pytest.raises(ReviewError) as raised:
        call()
    error = raised.value
    assert error.code == code, error
    assert str(error.message)
    assert says in str(error.message), (says, str(error.message))
    assert everything() == before
    records = [r for r in caplog.records if r.name == "shinchoku.review"]
    assert [r.review_error_code for r in records] == [str(code)]
    assert str(code) in records[0].getMessage()
    return error


# ----------------------------------------------------------------- bad content


def test_a_rating_not_on_the_scale(cycle: Cycle, caplog: pytest.LogCaptureFixture) -> None:
    foreign = make_scale([("S", "特に優れている", False), ("A", "優れている", False)]).levels.first()
    error = refused(
        caplog,
        ErrorCode.INVALID,
        lambda: services.entry_save(
            cycle.entry,
            {"text": "・結果", "ratings": {cycle.sample.dimension.pk: foreign.pk}},
            actor=cycle.editor,
            expected_version=1,
        ),
        says=SAVE_REFUSED,
    )
    assert "ratings.achievement" in error.field_errors


def test_a_dimension_of_another_level(cycle: Cycle, caplog: pytest.LogCaptureFixture) -> None:
    error = refused(
        caplog,
        ErrorCode.INVALID,
        lambda: services.entry_save(
            cycle.entry, {"ratings": {"not-an-id": 1}}, actor=cycle.editor, expected_version=1
        ),
        says=SAVE_REFUSED,
    )
    assert "ratings" in error.field_errors


def test_fields_of_another_kind_of_round(cycle: Cycle, caplog: pytest.LogCaptureFixture) -> None:
    target = cycle.sample.measure.targets.first()
    refused(
        caplog,
        ErrorCode.INVALID,
        lambda: services.entry_save(
            cycle.entry,
            {"targets": {target.pk: {"revised_text": "x", "revision_reason": "y"}}},
            actor=cycle.editor,
            expected_version=1,
        ),
        says="の評価の回にはありません：targets",
    )


def test_submitting_without_a_result_or_rating(cycle: Cycle, caplog: pytest.LogCaptureFixture) -> None:
    error = refused(
        caplog,
        ErrorCode.INVALID,
        lambda: services.entry_transition(cycle.entry, "submit", actor=cycle.editor, expected_version=1),
        says=SUBMIT_REFUSED,
    )
    assert set(error.field_errors) == {"text", "ratings.achievement"}


def test_an_adverse_rating_without_context_change_and_response(
    cycle: Cycle, caplog: pytest.LogCaptureFixture
) -> None:
    entry = cycle.written(code="4", context_change="・利用者が減少しました。")
    error = refused(
        caplog,
        ErrorCode.INVALID,
        lambda: services.entry_transition(
            entry, "submit", actor=cycle.editor, expected_version=entry.version
        ),
        says=SUBMIT_REFUSED,
    )
    assert set(error.field_errors) == {"response"}
    assert "目標を下回った" in error.field_errors["response"][0]


def test_a_revised_target_without_its_reason(cycle: Cycle, caplog: pytest.LogCaptureFixture) -> None:
    round_ = services.round_open(
        cycle.sample.plan,
        2013,
        Round.Kind.TARGETS,
        timezone.localdate() + timedelta(days=5),
        actor=cycle.admin,
    )
    entry = Entry.objects.get(round=round_, node=cycle.sample.measure)
    target = cycle.sample.measure.targets.get(start_year=2012, end_year=2013)
    entry = services.entry_save(
        entry,
        {"targets": {target.pk: {"revised_text": "●拡充", "revision_reason": ""}}},
        actor=cycle.editor,
        expected_version=1,
    )
    error = refused(
        caplog,
        ErrorCode.INVALID,
        lambda: services.entry_transition(
            entry, "submit", actor=cycle.editor, expected_version=entry.version
        ),
        says=SUBMIT_REFUSED,
    )
    assert list(error.field_errors) == [f"targets.{target.pk}.revision_reason"]
    # A target of another year cannot be proposed at all.
    other_year = cycle.sample.measure.targets.filter(start_year=2011).first()
    refused(
        caplog,
        ErrorCode.INVALID,
        lambda: services.entry_save(
            entry,
            {"targets": {other_year.pk: {"revised_text": "x", "revision_reason": "y"}}},
            actor=cycle.editor,
            expected_version=entry.version,
        ),
        says=SAVE_REFUSED,
    )


def test_a_return_without_a_comment_and_a_reopening_without_a_reason(
    cycle: Cycle, caplog: pytest.LogCaptureFixture
) -> None:
    entry = cycle.submitted()
    error = refused(
        caplog,
        ErrorCode.INVALID,
        lambda: services.entry_transition(
            entry, "return", actor=cycle.reviewer, expected_version=entry.version, comment="  \u3000"
        ),
        says="所管課に差し戻しできませんでした",
    )
    assert list(error.field_errors) == ["comment"]
    entry = services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    refused(
        caplog,
        ErrorCode.INVALID,
        lambda: services.entry_transition(entry, "reopen", actor=cycle.admin, expected_version=entry.version),
        says="所管課の記入を再開できませんでした",
    )


# ------------------------------------------------------------ who and when


def test_an_edit_after_the_deadline(cycle: Cycle, caplog: pytest.LogCaptureFixture) -> None:
    entry = cycle.written()
    Round.objects.filter(pk=cycle.round.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    refused(
        caplog,
        ErrorCode.PAST_DEADLINE,
        lambda: services.entry_save(
            entry, {"text": "・遅れて"}, actor=cycle.editor, expected_version=entry.version
        ),
        says=past_deadline(timezone.localdate() - timedelta(days=1)),
    )
    refused(
        caplog,
        ErrorCode.PAST_DEADLINE,
        lambda: services.entry_transition(
            entry, "submit", actor=cycle.editor, expected_version=entry.version
        ),
        says=past_deadline(timezone.localdate() - timedelta(days=1)),
    )


def entry_page(cycle: Cycle) -> tuple[set[str], str]:
    """What the editor's entry page offers (the actions of its buttons) and its notice."""
    page = client_for(cycle, "editor").get(reverse("staff:entry", args=[cycle.entry.pk])).content.decode()
    notice = (
        page.split('class="notice notice--warning"')[1].split("</p>")[0] if "notice--warning" in page else ""
    )
    return buttons(page), notice


def test_the_deadline_day_itself_is_in_time(cycle: Cycle) -> None:
    today = timezone.localdate()
    Round.objects.filter(pk=cycle.round.pk).update(deadline=today)
    cycle.written()
    assert entry_page(cycle) == ({"save", "submit"}, "")
    entry = cycle.submitted()
    assert entry.state == Entry.State.SUBMITTED
    assert cycle.fresh().submitted_at is not None
    assert past_deadline(today) not in entry_page(cycle)[1]


def test_a_returned_entry_may_be_fixed_after_the_deadline(cycle: Cycle) -> None:
    entry = cycle.submitted()
    entry = services.entry_transition(
        entry, "return", actor=cycle.reviewer, expected_version=entry.version, comment="追記してください"
    )
    Round.objects.filter(pk=cycle.round.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    assert entry_page(cycle) == ({"save", "submit"}, "")
    entry = services.entry_save(
        entry, {"text": "・追記しました"}, actor=cycle.editor, expected_version=entry.version
    )
    assert entry.state == Entry.State.DRAFT and entry.text == "・追記しました"
    services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    entry = cycle.fresh()
    assert (entry.state, entry.text) == (Entry.State.SUBMITTED, "・追記しました")
    # Another unit's entry, never submitted, is past the deadline: its page says so.
    other = client_for(cycle, "other_editor").get(reverse("staff:entry", args=[cycle.other_entry.pk]))
    assert past_deadline(timezone.localdate() - timedelta(days=1)) in other.content.decode()


def test_an_edit_outside_ones_unit(cycle: Cycle, caplog: pytest.LogCaptureFixture) -> None:
    refused(
        caplog,
        ErrorCode.NOT_ALLOWED,
        lambda: services.entry_save(
            cycle.entry, {"text": "・他課"}, actor=cycle.other_editor, expected_version=1
        ),
        says=NO_ROLE,
    )
    # A unit that is only "related" to the measure does not write it.
    related = OrgUnit.objects.get(code="ku")
    assert NodeUnit.objects.filter(
        node=cycle.sample.measure, unit=related, role=NodeUnit.Role.RELATED
    ).exists()
    related_editor = make_staff(Role.EDITOR, unit=related)
    refused(
        caplog,
        ErrorCode.NOT_ALLOWED,
        lambda: services.entry_save(
            cycle.entry, {"text": "・関係課"}, actor=related_editor, expected_version=1
        ),
        says=NO_ROLE,
    )


def test_no_role_at_all(cycle: Cycle, caplog: pytest.LogCaptureFixture) -> None:
    refused(
        caplog,
        ErrorCode.NOT_ALLOWED,
        lambda: services.entry_save(cycle.entry, {"text": "x"}, actor=AnonymousUser(), expected_version=1),
        says=NO_ROLE,
    )
    cycle.editor.is_active = False
    cycle.editor.save()
    refused(
        caplog,
        ErrorCode.NOT_ALLOWED,
        lambda: services.entry_save(cycle.entry, {"text": "x"}, actor=cycle.editor, expected_version=1),
        says=NO_ROLE,
    )


def test_a_reviewer_cannot_change_the_text(cycle: Cycle, caplog: pytest.LogCaptureFixture) -> None:
    refused(
        caplog,
        ErrorCode.NOT_ALLOWED,
        lambda: services.entry_save(
            cycle.entry, {"text": "・審査者"}, actor=cycle.reviewer, expected_version=1
        ),
        says="記入票の「保存」は、お持ちの役割では行えません",
    )
    entry = cycle.submitted()
    refused(
        caplog,
        ErrorCode.NOT_ALLOWED,
        lambda: services.entry_save(
            entry, {"text": "・審査者"}, actor=cycle.reviewer, expected_version=entry.version
        ),
        says="記入票の「保存」は、お持ちの役割では行えません",
    )


def test_an_editor_cannot_approve_reopen_or_edit_a_submitted_entry(
    cycle: Cycle, caplog: pytest.LogCaptureFixture
) -> None:
    entry = cycle.submitted()
    for call, says in [
        (
            lambda: services.entry_transition(
                entry, "approve", actor=cycle.editor, expected_version=entry.version
            ),
            "記入票の「承認」は、お持ちの役割では行えません",
        ),
        (
            lambda: services.entry_save(
                entry, {"text": "・変更"}, actor=cycle.editor, expected_version=entry.version
            ),
            "提出済みの記入票は「保存」できません",
        ),
        (
            lambda: services.entry_transition(
                entry, "submit", actor=cycle.editor, expected_version=entry.version
            ),
            "提出済みの記入票は「提出」できません",
        ),
    ]:
        refused(caplog, ErrorCode.NOT_ALLOWED, call, says=says)
    entry = services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    refused(
        caplog,
        ErrorCode.NOT_ALLOWED,
        lambda: services.entry_transition(
            entry, "reopen", actor=cycle.editor, expected_version=entry.version, comment="理由"
        ),
        says="記入票の「再開」は、お持ちの役割では行えません",
    )


def test_a_reviewer_cannot_approve_a_draft(cycle: Cycle, caplog: pytest.LogCaptureFixture) -> None:
    entry = cycle.written()
    refused(
        caplog,
        ErrorCode.NOT_ALLOWED,
        lambda: services.entry_transition(
            entry, "approve", actor=cycle.reviewer, expected_version=entry.version
        ),
        says="下書きの記入票は「承認」できません",
    )


def test_the_administrator_changes_only_the_highlight_of_an_approved_entry(
    cycle: Cycle, caplog: pytest.LogCaptureFixture
) -> None:
    entry = cycle.approved()
    refused(
        caplog,
        ErrorCode.NOT_ALLOWED,
        lambda: services.entry_save(
            entry, {"text": "・企画課が書き換え"}, actor=cycle.admin, expected_version=entry.version
        ),
        says="次の項目は現在変更できません：text",
    )


def test_restoring_into_an_approved_entry_or_from_another_entry(
    cycle: Cycle, caplog: pytest.LogCaptureFixture
) -> None:
    foreign = audit_history(cycle.other_entry).first()
    refused(
        caplog,
        ErrorCode.INVALID,
        lambda: services.entry_restore(cycle.entry, foreign, actor=cycle.admin, expected_version=1),
        says="以前の版に戻せませんでした",
    )
    refused(
        caplog,
        ErrorCode.NOT_ALLOWED,
        lambda: services.entry_restore(
            cycle.entry, audit_history(cycle.entry).first(), actor=cycle.editor, expected_version=1
        ),
        says="記入票の「以前の版に戻す」は、お持ちの役割では行えません",
    )
    entry = cycle.approved()
    refused(
        caplog,
        ErrorCode.NOT_ALLOWED,
        lambda: services.entry_restore(
            entry, audit_history(entry).first(), actor=cycle.admin, expected_version=entry.version
        ),
        says="承認済みの記入票は「以前の版に戻す」できません",
    )


# ------------------------------------------------------------------- versions


def test_a_stale_version_names_what_the_other_person_changed(
    cycle: Cycle, caplog: pytest.LogCaptureFixture
) -> None:
    cycle.written(text="・担当者の記述", code="2")  # tanto saves version 2
    error = refused(
        caplog,
        ErrorCode.STALE_VERSION,
        lambda: services.entry_save(
            cycle.entry, {"text": "・局の記述"}, actor=cycle.bureau_editor, expected_version=1
        ),
        says=STALE,
    )
    assert error.current_version == 2
    conflicts = {c.field: c for c in error.conflicts}
    assert set(conflicts) == {"text", "ratings.achievement"}
    assert (conflicts["text"].before, conflicts["text"].after, conflicts["text"].by) == (
        "",
        "・担当者の記述",
        ("tanto",),
    )
    assert conflicts["ratings.achievement"].after == "2"


def test_a_stale_version_on_a_review_action(cycle: Cycle, caplog: pytest.LogCaptureFixture) -> None:
    entry = cycle.submitted()
    services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    error = refused(
        caplog,
        ErrorCode.STALE_VERSION,
        lambda: services.entry_transition(
            entry, "return", actor=cycle.reviewer, expected_version=entry.version, comment="差戻し"
        ),
        says=STALE,
    )
    assert [(c.field, c.after) for c in error.conflicts] == [("state", "approved")]


# --------------------------------------------------------------------- rounds


def test_a_closed_round_takes_no_changes(cycle: Cycle, caplog: pytest.LogCaptureFixture) -> None:
    entry = cycle.approved()
    services.round_close(cycle.round, actor=cycle.admin)
    refused(
        caplog,
        ErrorCode.ROUND_CLOSED,
        lambda: services.entry_save(
            cycle.other_entry, {"text": "x"}, actor=cycle.other_editor, expected_version=1
        ),
        says=ROUND_CLOSED,
    )
    refused(
        caplog,
        ErrorCode.ROUND_CLOSED,
        lambda: services.round_publish(cycle.round, actor=cycle.admin),
        says="の評価の回は終了のため、変更できません",
    )
    refused(
        caplog,
        ErrorCode.ROUND_CLOSED,
        lambda: services.entry_transition(
            entry, "reopen", actor=cycle.admin, expected_version=entry.version, comment="理由"
        ),
        says=ROUND_CLOSED,
    )
    refused(
        caplog,
        ErrorCode.ROUND_CLOSED,
        lambda: services.round_set_deadline(
            cycle.round, cycle.round.deadline + timedelta(days=1), actor=cycle.admin
        ),
        says="の評価の回は終了のため、変更できません",
    )


def test_only_the_administrator_manages_rounds(cycle: Cycle, caplog: pytest.LogCaptureFixture) -> None:
    cycle.approved()
    for actor in [cycle.editor, cycle.reviewer]:
        refused(
            caplog,
            ErrorCode.NOT_ALLOWED,
            lambda actor=actor: services.round_publish(cycle.round, actor=actor),
            says=ADMINISTRATOR_ONLY,
        )
        refused(
            caplog,
            ErrorCode.NOT_ALLOWED,
            lambda actor=actor: services.round_open(
                cycle.sample.plan, 2012, "results", timezone.localdate(), actor=actor
            ),
            says=ADMINISTRATOR_ONLY,
        )
        refused(
            caplog,
            ErrorCode.NOT_ALLOWED,
            lambda actor=actor: services.round_close(cycle.round, actor=actor),
            says=ADMINISTRATOR_ONLY,
        )


def test_publishing_with_nothing_approved(cycle: Cycle, caplog: pytest.LogCaptureFixture) -> None:
    cycle.submitted()
    refused(
        caplog,
        ErrorCode.INVALID,
        lambda: services.round_publish(cycle.round, actor=cycle.admin),
        says="承認済みの記入票がないため、公開するものがありません",
    )


@pytest.mark.parametrize(
    ("year", "kind", "days", "field", "beside_it"),
    [
        (2010, "results", 5, "fiscal_year", "2010年度は計画期間（2011〜2013年度）の外です。"),
        # The onwards column takes targets only.
        (2014, "results", 5, "fiscal_year", "2014年度は計画期間（2011〜2013年度）の外です。"),
        (2015, "targets", 5, "fiscal_year", "2015年度は計画期間（2011〜2014年度）の外です。"),
        (2013, "results", 5, "__all__", "評価の回 が既に存在します。"),  # the fixture's round
        (2012, "results", -1, "deadline", "締切に過去の日付は指定できません。"),
        (2012, "estimates", 5, "kind", "'estimates' は有効な選択肢ではありません。"),
    ],
)
def test_a_round_that_cannot_be_opened(
    cycle: Cycle,
    caplog: pytest.LogCaptureFixture,
    year: int,
    kind: str,
    days: int,
    field: str,
    beside_it: str,
) -> None:
    error = refused(
        caplog,
        ErrorCode.INVALID,
        lambda: services.round_open(
            cycle.sample.plan, year, kind, timezone.localdate() + timedelta(days=days), actor=cycle.admin
        ),
        says="評価の回を開始できません",
    )
    [message] = error.field_errors[field]
    assert beside_it in message
