"""The staff pages: who may open each page and take each action (every role × every page
and action), what a refusal shows and logs, and that a refused post changes nothing.

The people are those of ``conftest.make_cycle``: the administrator ``kikaku``, the
reviewer ``shinsa``, the editor ``tanto`` of 9-1-1's unit, ``betsu`` (editor of 9-1-2's
unit only), and ``nobody``, a signed-in account without a staff role."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shinchoku import fiscal
from shinchoku.audit.models import AuditEvent
from shinchoku.audit.selectors import audit_history
from shinchoku.review import services
from shinchoku.review.models import Entry, Round
from tests.portal.html import parse
from tests.review.conftest import Cycle, make_cycle

PEOPLE = ("anonymous", "nobody", "editor", "other_editor", "reviewer", "admin")

#: Why a page or an action is refused, as the refusal tells the person (parts of the
#: Japanese messages): a refusal always says which of these it is.
REASONS = (
    "このアカウントには職員の役割がありません。",  # no staff role at all
    "この記入票を扱う権限がありません（所管の施策ではありません）。",  # not their unit's measure
    "は、お持ちの役割では行えません。",  # their role never does this
    "の記入票は「",  # not in the entry's present state (…の記入票は「保存」できません)
    "計画担当管理者だけ",  # the administrator's pages and actions
    "審査者だけが",  # the review queue
)


def says_why(response: Any) -> str:
    """The reason a refused page gives; fails if it gives none of ``REASONS``."""
    page = response.content.decode()
    found = [reason for reason in REASONS if reason in page]
    assert found, page[:3000]
    return found[0]


def person(cycle: Cycle, name: str) -> Any:
    if name == "anonymous":
        return None
    if name == "nobody":
        return get_user_model().objects.get_or_create(username="nobody")[0]
    return getattr(cycle, name)


def client_for(cycle: Cycle, name: str) -> Client:
    client = Client()
    user = person(cycle, name)
    if user is not None:
        client.force_login(user)
    return client


def state_of(cycle: Cycle) -> tuple[Any, ...]:
    """Everything a refused action must leave as it was."""
    entry = cycle.fresh()
    round_ = Round.objects.get(pk=cycle.round.pk)
    return (
        entry.state,
        entry.version,
        entry.text,
        round_.state,
        round_.deadline,
        Round.objects.count(),
        AuditEvent.objects.count(),
    )


# ------------------------------------------------------------------ pages


PAGES: dict[str, Callable[[Cycle], str]] = {
    "home": lambda c: reverse("staff:home"),
    "queue": lambda c: reverse("staff:queue"),
    "own entry": lambda c: reverse("staff:entry", args=[c.entry.pk]),
    "other unit's entry": lambda c: reverse("staff:entry", args=[c.other_entry.pk]),
    "history": lambda c: reverse("staff:history", args=[c.entry.pk]),
    "other unit's history": lambda c: reverse("staff:history", args=[c.other_entry.pk]),
    "rounds": lambda c: reverse("staff:rounds"),
    "open a round": lambda c: reverse("staff:round_open"),
    "round dashboard": lambda c: reverse("staff:round", args=[c.round.pk]),
}

#: Who may open each page; everyone else signed in gets 403, the anonymous the login page.
PAGE_ACCESS: dict[str, set[str]] = {
    "home": {"editor", "other_editor", "reviewer", "admin"},
    "queue": {"reviewer"},
    "own entry": {"editor", "reviewer", "admin"},
    "other unit's entry": {"other_editor", "reviewer", "admin"},
    "history": {"editor", "reviewer", "admin"},
    "other unit's history": {"other_editor", "reviewer", "admin"},
    "rounds": {"admin"},
    "open a round": {"admin"},
    "round dashboard": {"admin"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_open_each_page(page: str, who: str, caplog: pytest.LogCaptureFixture) -> None:
    cycle = make_cycle()
    url = PAGES[page](cycle)
    with caplog.at_level(logging.WARNING, logger="shinchoku.review"):
        response = client_for(cycle, who).get(url)
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif who in PAGE_ACCESS[page]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert any("refused page" in record.getMessage() for record in caplog.records)
        says_why(response)


# ---------------------------------------------------------------- actions


@dataclass(frozen=True)
class Post:
    """An action: how to bring the cycle to the state it applies to, and the post."""

    prepare: Callable[[Cycle], None]
    url: Callable[[Cycle], str]
    data: Callable[[Cycle], dict[str, Any]]
    #: Whether it was done, read back from the database.
    done: Callable[[Cycle], bool]


def _nothing(cycle: Cycle) -> None:
    pass


def _written(cycle: Cycle) -> None:
    cycle.written()


def _submitted(cycle: Cycle) -> None:
    cycle.submitted()


def _approved(cycle: Cycle) -> None:
    cycle.approved()


def _entry_url(cycle: Cycle) -> str:
    return reverse("staff:entry", args=[cycle.entry.pk])


def _act_url(cycle: Cycle) -> str:
    return reverse("staff:entry_act", args=[cycle.entry.pk])


def _restore_url(cycle: Cycle) -> str:
    first = audit_history(cycle.fresh()).filter(subject_version=1).first()
    assert first is not None
    return reverse("staff:restore", args=[cycle.entry.pk, first.pk])


def _version(cycle: Cycle) -> int:
    return cycle.fresh().version


def _form(cycle: Cycle, action: str = "save", text: str = "・書きました。") -> dict[str, Any]:
    return {
        "version": _version(cycle),
        "text": text,
        f"rating_{cycle.sample.dimension.pk}": cycle.sample.ratings["3"].pk,
        "context_change": "",
        "response": "",
        "highlight": "",
        "action": action,
    }


ACTIONS: dict[str, Post] = {
    "save": Post(_nothing, _entry_url, _form, lambda c: c.fresh().text == "・書きました。"),
    "save and submit": Post(
        _nothing,
        _entry_url,
        lambda c: _form(c, "submit"),
        lambda c: c.fresh().state == Entry.State.SUBMITTED,
    ),
    "submit": Post(
        _written,
        _act_url,
        lambda c: {"version": _version(c), "action": "submit"},
        lambda c: c.fresh().state == Entry.State.SUBMITTED,
    ),
    "return": Post(
        _submitted,
        _act_url,
        lambda c: {"version": _version(c), "action": "return", "comment": "根拠を書いてください。"},
        lambda c: c.fresh().state == Entry.State.RETURNED,
    ),
    "approve": Post(
        _submitted,
        _act_url,
        lambda c: {"version": _version(c), "action": "approve"},
        lambda c: c.fresh().state == Entry.State.APPROVED,
    ),
    "reopen": Post(
        _approved,
        _act_url,
        lambda c: {"version": _version(c), "action": "reopen", "reason": "", "comment": "数値の誤り"},
        lambda c: c.fresh().state == Entry.State.DRAFT,
    ),
    "restore": Post(
        _written,
        _restore_url,
        lambda c: {"version": _version(c), "reason": "誤って上書きしたため"},
        lambda c: c.fresh().text == "",
    ),
    "open a round": Post(
        _nothing,
        lambda c: reverse("staff:round_open"),
        lambda c: {
            "plan": c.sample.plan.pk,
            "fiscal_year": 2012,
            "kind": "targets",
            "deadline": (timezone.localdate() + timedelta(days=10)).isoformat(),
        },
        lambda c: Round.objects.filter(fiscal_year=2012, kind="targets").exists(),
    ),
    "publish": Post(
        _approved,
        lambda c: reverse("staff:round_publish", args=[c.round.pk]),
        lambda c: {"entries": 1},  # the number of approved entries the confirmation showed
        lambda c: c.fresh().state == Entry.State.PUBLISHED,
    ),
    "change the deadline": Post(
        _nothing,
        lambda c: reverse("staff:round_deadline", args=[c.round.pk]),
        lambda c: {"deadline": (timezone.localdate() + timedelta(days=40)).isoformat()},
        lambda c: Round.objects.get(pk=c.round.pk).deadline == timezone.localdate() + timedelta(days=40),
    ),
    "close the round": Post(
        _nothing,
        lambda c: reverse("staff:round_close", args=[c.round.pk]),
        lambda c: {"confirm": "on"},
        lambda c: Round.objects.get(pk=c.round.pk).state == Round.State.CLOSED,
    ),
}

#: Who may take each action on 9-1-1 (the editor's unit's measure) or its round.
ACTION_ACCESS: dict[str, set[str]] = {
    "save": {"editor"},
    "save and submit": {"editor"},
    "submit": {"editor"},
    "return": {"reviewer"},
    "approve": {"reviewer"},
    "reopen": {"admin"},
    "restore": {"admin"},
    "open a round": {"admin"},
    "publish": {"admin"},
    "change the deadline": {"admin"},
    "close the round": {"admin"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_take_each_action(action: str, who: str, caplog: pytest.LogCaptureFixture) -> None:
    cycle = make_cycle()
    post = ACTIONS[action]
    post.prepare(cycle)
    before = state_of(cycle)
    client = client_for(cycle, who)
    with caplog.at_level(logging.WARNING, logger="shinchoku.review"):
        response = client.post(post.url(cycle), post.data(cycle))
    if who in ACTION_ACCESS[action]:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert post.done(cycle)
        return
    assert not post.done(cycle)
    assert state_of(cycle) == before
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        return
    assert response.status_code == 403, response.content.decode()[:2000]
    assert any(record.getMessage().startswith("refused") for record in caplog.records)
    says_why(response)


# ------------------------------------------------------------ what is shown


@pytest.mark.django_db
def test_the_todo_list_shows_returned_entries_with_their_comment_and_the_deadline() -> None:
    cycle = make_cycle()
    entry = cycle.submitted()
    services.entry_transition(
        entry,
        "return",
        actor=cycle.reviewer,
        expected_version=entry.version,
        comment="数値の根拠を追記してください。",
    )
    page = client_for(cycle, "editor").get(reverse("staff:home")).content.decode()
    assert "9-1-1" in page
    assert "数値の根拠を追記してください。" in page
    assert cycle.round.deadline.strftime("%Y-%m-%d") in page
    # Another unit's entry is not on this editor's list.
    assert "9-1-2" not in page


@pytest.mark.django_db
def test_the_entry_page_shows_the_years_targets_and_last_years_result() -> None:
    cycle = make_cycle()
    page = client_for(cycle, "editor").get(reverse("staff:entry", args=[cycle.entry.pk])).content.decode()
    measure = cycle.sample.measure
    year_targets = measure.targets.filter(start_year__lte=2013, end_year__gte=2013)
    assert year_targets.exists()
    for target in year_targets:
        assert target.text.splitlines()[0] in page
    previous = measure.results.get(fiscal_year=2012)
    assert previous.text.splitlines()[0] in page
    for level in cycle.sample.ratings.values():
        assert level.label in page


@pytest.mark.django_db
def test_the_reviewer_sees_the_text_but_no_form_to_change_it() -> None:
    cycle = make_cycle()
    cycle.submitted(text="・審査される文章")
    page = client_for(cycle, "reviewer").get(reverse("staff:entry", args=[cycle.entry.pk])).content.decode()
    assert "・審査される文章" in page
    assert 'name="text"' not in page and 'type="radio"' not in page
    assert 'value="approve"' in page and 'value="return"' in page
    assert 'value="save"' not in page


@pytest.mark.django_db
def test_the_dashboard_counts_per_unit_and_lists_overdue_entries() -> None:
    cycle = make_cycle()
    cycle.submitted()
    Round.objects.filter(pk=cycle.round.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    page = client_for(cycle, "admin").get(reverse("staff:round", args=[cycle.round.pk])).content.decode()
    assert cycle.unit.name in page and cycle.other_unit.name in page
    overdue = page.split('id="overdue-heading"')[1].split("</section>")[0]
    assert "9-1-2" in overdue and "9-3-1" in overdue
    assert "9-1-1" not in overdue


@pytest.mark.django_db
def test_the_round_entry_list_filters_by_state_and_unit() -> None:
    cycle = make_cycle()
    cycle.submitted()
    client = client_for(cycle, "admin")
    url = reverse("staff:round", args=[cycle.round.pk])
    submitted = client.get(url, {"state": "submitted"}).content.decode().split('id="entries-heading"')[1]
    assert "9-1-1" in submitted and "9-1-2" not in submitted
    by_unit = client.get(url, {"unit": cycle.other_unit.pk}).content.decode().split('id="entries-heading"')[1]
    assert "9-1-2" in by_unit and "9-1-1" not in by_unit


# ---------------------------------------------------------------- refusals


@pytest.mark.django_db
def test_a_rating_not_on_the_scale_is_refused_and_nothing_changes(caplog: pytest.LogCaptureFixture) -> None:
    cycle = make_cycle()
    before = state_of(cycle)
    data = _form(cycle)
    data[f"rating_{cycle.sample.dimension.pk}"] = 999999
    with caplog.at_level(logging.WARNING, logger="shinchoku.review"):
        response = client_for(cycle, "editor").post(_entry_url(cycle), data)
    assert response.status_code == 400
    assert state_of(cycle) == before
    assert 'role="alert"' in response.content.decode()


@pytest.mark.django_db
def test_an_adverse_rating_without_the_context_change_cannot_be_submitted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cycle = make_cycle()
    before = state_of(cycle)
    data = _form(cycle, "submit")
    data[f"rating_{cycle.sample.dimension.pk}"] = cycle.sample.ratings["4"].pk
    with caplog.at_level(logging.WARNING, logger="shinchoku.review"):
        response = client_for(cycle, "editor").post(_entry_url(cycle), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    # The person's text is still in the form; nothing was kept, not even the save.
    assert "・書きました。" in page
    assert state_of(cycle) == before
    assert any("refused invalid" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_a_text_longer_than_an_entry_holds_is_refused_and_nothing_changes() -> None:
    cycle = make_cycle()
    before = state_of(cycle)
    response = client_for(cycle, "editor").post(_entry_url(cycle), _form(cycle, text="書" * 20001))
    assert response.status_code == 400
    assert (
        "この値は 20000 文字以下でなければなりません( 20001 文字になっています)。"
        in response.content.decode()
    )
    assert state_of(cycle) == before


@pytest.mark.django_db
def test_an_edit_after_the_deadline_is_refused() -> None:
    cycle = make_cycle()
    Round.objects.filter(pk=cycle.round.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    before = state_of(cycle)
    response = client_for(cycle, "editor").post(_entry_url(cycle), _form(cycle))
    assert response.status_code == 403
    assert state_of(cycle) == before
    yesterday = fiscal.date_label(timezone.localdate() - timedelta(days=1))
    assert f"この評価の回の締切（{yesterday}）を過ぎています。" in response.content.decode()


@pytest.mark.django_db
def test_a_stale_save_is_refused_and_shows_what_the_other_person_changed() -> None:
    cycle = make_cycle()
    editor = client_for(cycle, "editor")
    colleague = client_for(cycle, "editor")
    opened = _form(cycle, text="・私の文章")
    assert colleague.post(_entry_url(cycle), _form(cycle, text="・同僚の文章")).status_code == 302
    after_colleague = state_of(cycle)
    response = editor.post(_entry_url(cycle), opened)
    assert response.status_code == 409
    page = response.content.decode()
    conflict = page.split('class="conflict"')[1].split("</section>")[0]
    assert "・同僚の文章" in conflict
    assert "・私の文章" in page  # still in the form
    assert state_of(cycle) == after_colleague
    # The form now carries the current version: saving again puts this text over theirs.
    current = cycle.fresh().version
    assert f'name="version" value="{current}"' in page
    assert editor.post(_entry_url(cycle), {**opened, "version": current}).status_code == 302
    assert cycle.fresh().text == "・私の文章"


@pytest.mark.django_db
def test_a_forged_post_without_the_csrf_token_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    cycle = make_cycle()
    client = Client(enforce_csrf_checks=True)
    client.force_login(cycle.editor)
    before = state_of(cycle)
    with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
        response = client.post(_entry_url(cycle), _form(cycle))
    assert response.status_code == 403
    assert state_of(cycle) == before
    assert any("CSRF" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_a_forged_post_for_another_units_entry_is_refused() -> None:
    cycle = make_cycle()
    other = cycle.fresh(cycle.other_entry)
    response = client_for(cycle, "editor").post(
        reverse("staff:entry", args=[other.pk]), {**_form(cycle), "version": other.version}
    )
    assert response.status_code == 403
    assert cycle.fresh(other).version == other.version
    assert says_why(response) == "この記入票を扱う権限がありません（所管の施策ではありません）。"


@pytest.mark.django_db
def test_restore_from_the_history_writes_a_new_version() -> None:
    cycle = make_cycle()
    cycle.written(text="・一回目")
    cycle.written(text="・二回目")
    admin = client_for(cycle, "admin")
    page = parse(admin.get(reverse("staff:history", args=[cycle.entry.pk])).content).text
    assert "・一回目" in page and "・二回目" in page
    event = audit_history(cycle.fresh()).get(subject_version=2)
    response = admin.post(
        reverse("staff:restore", args=[cycle.entry.pk, event.pk]),
        {"version": cycle.fresh().version, "reason": "二回目は誤り"},
    )
    assert response.status_code == 302
    entry = cycle.fresh()
    assert entry.text == "・一回目"
    assert entry.version == 4
    last = audit_history(entry).last()
    assert last is not None and last.reason == "二回目は誤り" and last.details["restored_version"] == 2


@pytest.mark.django_db
def test_after_a_conflict_the_form_keeps_the_other_persons_changes_to_fields_left_alone() -> None:
    cycle = make_cycle()
    rating = f"rating_{cycle.sample.dimension.pk}"
    colleague = client_for(cycle, "editor")
    data = {**_form(cycle, text="・同僚の文章"), "response": "・同僚の対応"}
    data[rating] = cycle.sample.ratings["2"].pk
    assert colleague.post(_entry_url(cycle), data).status_code == 302
    # The editor had opened version 1 (nothing written, not rated) and changed the text only.
    mine = {
        "version": 1,
        "text": "・私の文章",
        rating: "",
        "context_change": "",
        "response": "",
        "highlight": "",
    }
    editor = client_for(cycle, "editor")
    response = editor.post(_entry_url(cycle), {**mine, "action": "save"})
    assert response.status_code == 409
    form = response.context["form"]
    assert form["text"].value() == "・私の文章"
    assert form["response"].value() == "・同僚の対応"
    assert str(form[rating].value()) == str(cycle.sample.ratings["2"].pk)
    # Saving the page as shown keeps both people's work.
    resubmitted = {
        name: form[name].value() or "" for name in ("version", "text", "context_change", "response")
    }
    resubmitted.update({rating: form[rating].value(), "highlight": "", "action": "save"})
    assert editor.post(_entry_url(cycle), resubmitted).status_code == 302
    entry = cycle.fresh()
    assert entry.text == "・私の文章" and entry.response == "・同僚の対応"
    assert entry.ratings.get().level.code == "2"


@pytest.mark.django_db
def test_after_the_deadline_the_entry_is_shown_read_only_with_the_reason() -> None:
    cycle = make_cycle()
    cycle.written(text="・締切前に書いた文章")
    Round.objects.filter(pk=cycle.round.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    page = client_for(cycle, "editor").get(_entry_url(cycle)).content.decode()
    assert 'name="text"' not in page and 'value="submit"' not in page
    assert "・締切前に書いた文章" in page
    assert 'class="notice notice--warning"' in page
    response = client_for(cycle, "editor").post(_entry_url(cycle), _form(cycle))
    assert response.status_code == 403
    assert fiscal.date_label(timezone.localdate() - timedelta(days=1)) in response.content.decode()


@pytest.mark.django_db
def test_a_returned_entry_can_still_be_fixed_after_the_deadline() -> None:
    cycle = make_cycle()
    entry = cycle.submitted()
    services.entry_transition(
        entry, "return", actor=cycle.reviewer, expected_version=entry.version, comment="修正してください"
    )
    Round.objects.filter(pk=cycle.round.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    response = client_for(cycle, "editor").post(
        _entry_url(cycle), _form(cycle, "submit", text="・直しました")
    )
    assert response.status_code == 302
    assert cycle.fresh().state == Entry.State.SUBMITTED


@pytest.mark.django_db
def test_the_administrator_edits_only_the_main_result_of_an_approved_entry() -> None:
    cycle = make_cycle()
    cycle.approved(text="・承認された記述")
    admin = client_for(cycle, "admin")
    page = admin.get(_entry_url(cycle)).content.decode()
    assert 'name="highlight"' in page and 'name="text"' not in page
    assert 'value="submit"' not in page
    response = admin.post(
        _entry_url(cycle), {"version": cycle.fresh().version, "highlight": "・要約", "action": "save"}
    )
    assert response.status_code == 302
    entry = cycle.fresh()
    assert entry.highlight == "・要約" and entry.text == "・承認された記述"
    assert entry.state == Entry.State.APPROVED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "page", "most"),
    [
        ("editor", "own entry", 21),  # with its cost and the year's hourly staff cost
        ("editor", "history", 14),  # with the level's sections, which name the texts
        ("editor", "home", 12),
        ("reviewer", "queue", 7),  # with the navigation asking whether they may import
        ("admin", "round dashboard", 13),
    ],
)
def test_staff_pages_ask_the_database_a_bounded_number_of_times(
    who: str, page: str, most: int, django_assert_max_num_queries: Any
) -> None:
    """The person's roles are looked up once per request, however often the page, its
    navigation and its checks ask them."""
    cycle = make_cycle()
    cycle.written()
    client = client_for(cycle, who)
    with django_assert_max_num_queries(most):
        assert client.get(PAGES[page](cycle)).status_code == 200
