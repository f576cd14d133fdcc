"""One decision per entry action (``review.decisions``), asked on every path.

Each rule the decision holds — the person's role for the entry's unit, the entry's
state, a closed round, the deadline, the round's kind — is tried on the three paths a
person changes an entry by: the service refuses it with the decision's code and
message; the entry page offers no button or field for it and says why; an imported
workbook refuses the row. A rule broken on any one path fails here. Then, for every
state and person, the buttons a page offers are exactly the actions the services take.

The people are those of ``conftest.make_cycle``; messages are read in Japanese, the
site's language."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shinchoku import fiscal
from shinchoku.audit.selectors import audit_history
from shinchoku.errors import ErrorCode
from shinchoku.interchange.importing import import_apply, import_preview
from shinchoku.interchange.preview import ImportRefused
from shinchoku.review import services
from shinchoku.review.content import TEXT_REQUIREMENTS, Requirement
from shinchoku.review.decisions import Reason, Refusal, entry_decision, round_decision
from shinchoku.review.errors import ReviewError
from shinchoku.review.models import Action, Entry, Round
from shinchoku.review.workflow import RoundAction, Transition
from tests.review.conftest import Cycle, make_cycle
from tests.review.test_pages import client_for, state_of
from tests.review.workbook.test_entry_workbook import edit, make

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - timedelta(days=1)
HIGHLIGHT = "主な実施結果"


def targets_entry(cycle: Cycle) -> Entry:
    """9-1-1's entry in a FY2014 round of target revisions."""
    round_ = services.round_open(
        cycle.sample.plan,
        2014,
        Round.Kind.TARGETS,
        timezone.localdate() + timedelta(days=7),
        actor=cycle.admin,
    )
    return Entry.objects.get(round=round_, node=cycle.sample.measure)


def _not_their_unit(cycle: Cycle) -> tuple[User, Entry]:
    return cycle.other_editor, cycle.fresh()


def _submitted(cycle: Cycle) -> tuple[User, Entry]:
    cycle.submitted()
    return cycle.editor, cycle.fresh()


def _round_closed(cycle: Cycle) -> tuple[User, Entry]:
    services.round_close(cycle.round, actor=cycle.admin)
    return cycle.editor, cycle.fresh()


def _past_deadline(cycle: Cycle) -> tuple[User, Entry]:
    Round.objects.filter(pk=cycle.round.pk).update(deadline=YESTERDAY)
    return cycle.editor, cycle.fresh()


def _targets_round(cycle: Cycle) -> tuple[User, Entry]:
    return cycle.editor, targets_entry(cycle)


def _round_now_takes_targets(cycle: Cycle) -> tuple[User, Entry]:
    """The workbook's own round turned into a round of target revisions."""
    Round.objects.filter(pk=cycle.round.pk).update(kind=Round.Kind.TARGETS)
    return cycle.editor, cycle.fresh()


@dataclass(frozen=True)
class Rule:
    #: Brings the cycle to where the rule refuses; the person refused and the entry.
    setup: Callable[[Cycle], tuple[User, Entry]]
    code: ErrorCode
    reason: Reason
    #: What the person is told (a part of the Japanese message).
    says: str
    #: The setup for the workbook, made before it (default: ``setup``).
    workbook_setup: Callable[[Cycle], tuple[User, Entry]] | None = None


RULES: dict[str, Rule] = {
    "another unit's measure": Rule(
        _not_their_unit,
        ErrorCode.NOT_ALLOWED,
        Reason.NO_ROLE,
        "この記入票を扱う権限がありません（所管の施策ではありません）。",
    ),
    "a submitted entry": Rule(
        _submitted, ErrorCode.NOT_ALLOWED, Reason.STATE, "提出済みの記入票は「保存」できません。"
    ),
    "a closed round": Rule(
        _round_closed,
        ErrorCode.ROUND_CLOSED,
        Reason.ROUND_CLOSED,
        "の評価の回は終了しているため、記入票は変更できません。",
    ),
    "past the deadline": Rule(
        _past_deadline,
        ErrorCode.PAST_DEADLINE,
        Reason.PAST_DEADLINE,
        f"この評価の回の締切（{fiscal.date_label(YESTERDAY)}）を過ぎています。",
    ),
    "a field the round's kind does not take": Rule(
        _targets_round,
        ErrorCode.INVALID,
        Reason.KIND,
        "の評価の回にはありません：highlight。",
        workbook_setup=_round_now_takes_targets,
    ),
}


# ----------------------------------------------------------------- the decision


@pytest.mark.parametrize("name", sorted(RULES))
def test_the_decision_refuses_with_the_rules_code_reason_and_message(name: str) -> None:
    rule = RULES[name]
    cycle = make_cycle()
    person, entry = rule.setup(cycle)
    decision = entry_decision(person, entry, Action.SAVE, fields={"highlight"})
    assert isinstance(decision, Refusal), decision
    assert (decision.code, decision.reason) == (rule.code, rule.reason)
    assert rule.says in decision.message


def test_a_closed_round_is_told_before_anything_else() -> None:
    """Even to someone without a role on the entry, or past the deadline."""
    cycle = make_cycle()
    Round.objects.filter(pk=cycle.round.pk).update(deadline=YESTERDAY)
    services.round_close(cycle.round, actor=cycle.admin)
    for person in (cycle.other_editor, cycle.editor, cycle.reviewer):
        decision = entry_decision(person, cycle.fresh(), Action.SAVE)
        assert isinstance(decision, Refusal) and decision.reason == Reason.ROUND_CLOSED


def test_a_role_that_never_takes_an_action_is_told_apart_from_a_state_that_does_not_allow_it() -> None:
    cycle = make_cycle()
    entry = cycle.written()
    reviewer = entry_decision(cycle.reviewer, entry, Action.SAVE)
    assert isinstance(reviewer, Refusal) and reviewer.reason == Reason.ROLE
    assert reviewer.message == "記入票の「保存」は、お持ちの役割では行えません。"
    admin = entry_decision(cycle.admin, entry, Action.SAVE)
    assert isinstance(admin, Refusal) and admin.reason == Reason.STATE
    assert admin.message == "下書きの記入票は「保存」できません。"


def test_the_deadline_binds_only_what_was_never_submitted() -> None:
    cycle = make_cycle()
    entry = cycle.submitted()
    entry = services.entry_transition(
        entry, "return", actor=cycle.reviewer, expected_version=entry.version, comment="追記を"
    )
    today = cycle.round.deadline + timedelta(days=1)
    for action in (Action.SAVE, Action.SUBMIT):
        assert isinstance(entry_decision(cycle.editor, entry, action, today=today), Transition)
    never = cycle.fresh(cycle.other_entry)
    late = entry_decision(cycle.other_editor, never, Action.SAVE, today=today)
    assert isinstance(late, Refusal) and late.reason == Reason.PAST_DEADLINE
    on_the_day = entry_decision(cycle.other_editor, never, Action.SAVE, today=cycle.round.deadline)
    assert isinstance(on_the_day, Transition)
    # The reviewer's actions are not bound by the deadline.
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    assert isinstance(entry_decision(cycle.reviewer, entry, Action.APPROVE, today=today), Transition)


def test_the_fields_an_approved_entry_still_takes() -> None:
    cycle = make_cycle()
    entry = cycle.approved()
    assert isinstance(entry_decision(cycle.admin, entry, Action.SAVE, fields={"highlight"}), Transition)
    frozen = entry_decision(cycle.admin, entry, Action.SAVE, fields={"highlight", "text"})
    assert isinstance(frozen, Refusal)
    assert (frozen.code, frozen.reason, frozen.message) == (
        ErrorCode.NOT_ALLOWED,
        Reason.FROZEN,
        "次の項目は現在変更できません：text。",
    )


def test_only_the_administrator_acts_on_a_round_and_a_closed_round_takes_nothing() -> None:
    cycle = make_cycle()
    for person in (cycle.editor, cycle.reviewer):
        for action in RoundAction:
            refusal = round_decision(person, cycle.round, action)
            assert isinstance(refusal, Refusal) and refusal.code == ErrorCode.NOT_ALLOWED
    assert all(not isinstance(round_decision(cycle.admin, cycle.round, a), Refusal) for a in RoundAction)
    services.round_close(cycle.round, actor=cycle.admin)
    closed = Round.objects.get(pk=cycle.round.pk)
    for action in RoundAction:
        refusal = round_decision(cycle.admin, closed, action)
        assert isinstance(refusal, Refusal) and refusal.code == ErrorCode.ROUND_CLOSED
    page = client_for(cycle, "admin").get(reverse("staff:round", args=[closed.pk])).content.decode()
    for url in ("staff:round_deadline", "staff:round_close", "staff:round_publish"):
        assert reverse(url, args=[closed.pk]) not in page


# ---------------------------------------------------------------- the three paths


@pytest.mark.parametrize("name", sorted(RULES))
def test_the_service_refuses(name: str) -> None:
    rule = RULES[name]
    cycle = make_cycle()
    person, entry = rule.setup(cycle)
    before = state_of(cycle), Entry.objects.get(pk=entry.pk).highlight
    with pytest.raises(ReviewError) as raised:
        services.entry_save(entry, {"highlight": "・要約"}, actor=person, expected_version=entry.version)
    assert raised.value.code == rule.code
    assert rule.says in str(raised.value.message)
    assert (state_of(cycle), Entry.objects.get(pk=entry.pk).highlight) == before


def buttons(page: str) -> set[str]:
    """The actions the entry page's buttons post."""
    return set(re.findall(r'<button[^>]*name="action" value="(\w+)"', page))


@pytest.mark.parametrize("name", sorted(RULES))
def test_the_page_offers_nothing_the_rule_refuses_and_says_why(name: str) -> None:
    rule = RULES[name]
    cycle = make_cycle()
    person, entry = rule.setup(cycle)
    client = client_for(cycle, next(n for n in ("editor", "other_editor") if getattr(cycle, n) == person))
    url = reverse("staff:entry", args=[entry.pk])
    response = client.get(url)
    page = response.content.decode()
    assert 'name="highlight"' not in page
    if rule.reason == Reason.NO_ROLE:
        assert response.status_code == 403
        assert rule.says in page
        return
    assert response.status_code == 200
    if rule.reason == Reason.KIND:
        # A round of target revisions has no result to write: the form holds the
        # revisions only, and a posted result is not taken.
        assert 'name="text"' not in page and 'type="radio"' not in page
        assert buttons(page) == {"save", "submit"}
        client.post(url, {"version": entry.version, "highlight": "・要約", "action": "save"})
        assert Entry.objects.get(pk=entry.pk).highlight == ""
        return
    assert buttons(page) == set()
    notice = page.split('class="notice notice--warning"')[1].split("</p>")[0]
    assert rule.says in notice
    before = state_of(cycle)
    posted = client.post(url, {"version": entry.version, "highlight": "・要約", "action": "save"})
    assert posted.status_code == 403
    assert rule.says in posted.content.decode()
    assert state_of(cycle) == before


@pytest.mark.parametrize("name", sorted(RULES))
def test_the_workbook_refuses_the_row(name: str, tmp_path: Path) -> None:
    rule = RULES[name]
    cycle = make_cycle()
    path = edit(make(cycle, tmp_path), {(2, HIGHLIGHT): "・ワークブックで書いた要約"})
    person, entry = (rule.workbook_setup or rule.setup)(cycle)
    data = path.read_bytes()
    preview = import_preview(data, path.name, actor=person)
    (row,) = [row for row in preview.rows if row.subject.startswith(entry.node.code)]
    assert [problem.message for problem in row.problems if rule.says in problem.message], row.problems
    before = state_of(cycle), Entry.objects.get(pk=entry.pk).highlight
    with pytest.raises(ImportRefused):
        import_apply(data, path.name, actor=person)
    assert (state_of(cycle), Entry.objects.get(pk=entry.pk).highlight) == before


# ------------------------------------------------ what a page offers, the service takes


def _draft(cycle: Cycle) -> None:
    cycle.written()


def _returned(cycle: Cycle) -> None:
    entry = cycle.submitted()
    services.entry_transition(
        entry, "return", actor=cycle.reviewer, expected_version=entry.version, comment="追記を"
    )


def _published(cycle: Cycle) -> None:
    cycle.approved()
    services.round_publish(cycle.round, actor=cycle.admin)


def _late(then: Callable[[Cycle], Any]) -> Callable[[Cycle], None]:
    def prepare(cycle: Cycle) -> None:
        then(cycle)
        Round.objects.filter(pk=cycle.round.pk).update(deadline=YESTERDAY)

    return prepare


def _closed(cycle: Cycle) -> None:
    cycle.approved()
    services.round_close(cycle.round, actor=cycle.admin)


SITUATIONS: dict[str, Callable[[Cycle], Any]] = {
    "draft": _draft,
    "submitted": lambda cycle: cycle.submitted(),
    "returned": _returned,
    "approved": lambda cycle: cycle.approved(),
    "published": _published,
    "draft after the deadline": _late(_draft),
    "returned after the deadline": _late(_returned),
    "approved in a closed round": _closed,
}


class _Undo(Exception):
    """Raised to undo an action that was taken, once it is known that it was."""


def _try(cycle: Cycle, person: User, action: Action) -> None:
    entry = cycle.fresh()
    version = entry.version
    if action == Action.SAVE:
        services.entry_save(entry, {"highlight": "・要約"}, actor=person, expected_version=version)
    elif action == Action.RESTORE:
        first = audit_history(entry).get(subject_version=1)
        services.entry_restore(entry, first, actor=person, expected_version=version)
    else:
        services.entry_transition(entry, action, actor=person, expected_version=version, comment="確認")


def taken_by_the_service(cycle: Cycle, person: User, action: Action) -> bool:
    """Whether the service takes ``action`` from ``person`` now (undone afterwards). A
    refusal of the content (an incomplete entry) counts as taken: the page's button posts
    the content with it."""
    try:
        with transaction.atomic():
            _try(cycle, person, action)
            raise _Undo
    except _Undo:
        return True
    except ReviewError as error:
        return error.code == ErrorCode.INVALID


def offered_by_the_pages(cycle: Cycle, who: str) -> set[str]:
    client = client_for(cycle, who)
    entry = cycle.fresh()
    page = client.get(reverse("staff:entry", args=[entry.pk]))
    offered = buttons(page.content.decode()) if page.status_code == 200 else set()
    history = client.get(reverse("staff:history", args=[entry.pk]))
    if history.status_code == 200 and "/restore/" in history.content.decode():
        offered.add(Action.RESTORE)
    return offered


@pytest.mark.parametrize("situation", sorted(SITUATIONS))
def test_every_button_a_page_offers_is_an_action_the_service_takes_and_no_other(situation: str) -> None:
    cycle = make_cycle()
    SITUATIONS[situation](cycle)
    actions = [Action.SAVE, Action.SUBMIT, Action.RETURN, Action.APPROVE, Action.REOPEN, Action.RESTORE]
    for who in ("editor", "bureau_editor", "other_editor", "reviewer", "admin"):
        person = getattr(cycle, who)
        taken = {str(action) for action in actions if taken_by_the_service(cycle, person, action)}
        assert offered_by_the_pages(cycle, who) == taken, (situation, who)


# ------------------------------------------------------------- what a form requires


def badges(page: str) -> dict[str, str]:
    """For each text field of the entry form, the badge beside its label."""
    found = {}
    for name in ("text", "context_change", "response", "highlight"):
        label = re.search(rf'<label for="id_{name}">(.*?)</label>', page, re.S)
        assert label is not None, name
        kinds = re.findall(r'class="badge badge--(\w+)"', label.group(1))
        found[name] = kinds[0] if kinds else ""
    return found


def test_the_form_marks_what_a_submission_requires_as_the_rule_says(monkeypatch: pytest.MonkeyPatch) -> None:
    cycle = make_cycle()
    client = client_for(cycle, "editor")
    url = reverse("staff:entry", args=[cycle.entry.pk])
    assert badges(client.get(url).content.decode()) == {
        "text": "required",
        "context_change": "adverse",
        "response": "adverse",
        "highlight": "",
    }
    # One home: requiring the main result makes the form mark it and the submission need it.
    monkeypatch.setitem(TEXT_REQUIREMENTS, "highlight", Requirement.ALWAYS)
    monkeypatch.setitem(TEXT_REQUIREMENTS, "response", Requirement.OPTIONAL)
    assert badges(client.get(url).content.decode()) == {
        "text": "required",
        "context_change": "adverse",
        "response": "",
        "highlight": "required",
    }
    entry = cycle.written()
    with pytest.raises(ReviewError) as raised:
        services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    assert set(raised.value.field_errors) == {"highlight"}
