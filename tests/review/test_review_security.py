"""Findings of a review of the staff pages, each pinned by a test: forged posts that must
change nothing, a stale post on an entry that can no longer be edited, the targets
round's form (an untouched revision is no proposal; an emptied one clears it; the merge
after a stale save), and the error markup the screen readers follow.

The people are those of ``conftest.make_cycle``."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shinchoku.audit.selectors import audit_history
from shinchoku.progress.models import Target
from shinchoku.review import services
from shinchoku.review.models import Entry, EntryRating, EntryTarget, Round
from tests.factories import make_dimension, make_scale
from tests.review.conftest import Cycle, make_cycle
from tests.review.test_pages import _entry_url, _form, client_for, state_of

pytestmark = pytest.mark.django_db


def described_ids_exist(page: str) -> None:
    """Every id an aria-describedby names is on the page (a dangling one reads nothing)."""
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    for value in re.findall(r'aria-describedby="([^"]*)"', page):
        for name in value.split():
            assert name in ids, f"aria-describedby names {name!r}, which is not on the page"


# ------------------------------------------------------------------ forged posts


def test_a_rating_of_another_dimension_or_a_level_of_another_scale_is_refused() -> None:
    cycle = make_cycle()
    elsewhere = make_scale([("A", "良好", False), ("B", "不良", True)], name="別の尺度")
    foreign = make_dimension(
        cycle.sample.plan, cycle.sample.programme_level, elsewhere, key="other", name="別の評価軸"
    )
    editor = client_for(cycle, "editor")
    # A dimension the measure's level does not have: not a field of the form, never stored.
    data = {**_form(cycle), f"rating_{foreign.pk}": elsewhere.levels.get(code="B").pk}
    assert editor.post(_entry_url(cycle), data).status_code == 302
    assert not EntryRating.objects.filter(dimension=foreign).exists()
    # A level of another scale on the measure's own dimension: refused, nothing changed.
    before = state_of(cycle)
    data = {**_form(cycle), f"rating_{cycle.sample.dimension.pk}": elsewhere.levels.get(code="A").pk}
    assert editor.post(_entry_url(cycle), data).status_code == 400
    assert state_of(cycle) == before


def test_restoring_another_entrys_version_through_the_page_is_not_found() -> None:
    cycle = make_cycle()
    cycle.written(text="・一回目")
    foreign = audit_history(cycle.fresh(cycle.other_entry)).first()
    assert foreign is not None
    before = state_of(cycle)
    response = client_for(cycle, "admin").post(
        reverse("staff:restore", args=[cycle.entry.pk, foreign.pk]), {"version": cycle.fresh().version}
    )
    assert response.status_code == 404
    assert state_of(cycle) == before


def test_what_people_write_is_escaped_on_every_staff_page() -> None:
    cycle = make_cycle()
    entry = cycle.submitted(text="<script>alert(1)</script>")
    services.entry_transition(
        entry,
        "return",
        actor=cycle.reviewer,
        expected_version=entry.version,
        comment="<img src=x onerror=alert(2)>",
    )
    pages = [
        ("editor", reverse("staff:home")),
        ("editor", _entry_url(cycle)),
        ("admin", reverse("staff:history", args=[cycle.entry.pk])),
        ("admin", reverse("staff:round", args=[cycle.round.pk])),
    ]
    for who, url in pages:
        page = client_for(cycle, who).get(url).content.decode()
        assert "<script>alert(1)" not in page and "<img src=x" not in page, url


# ------------------------------------------------- a stale post, no longer editable


def test_a_stale_save_of_an_entry_a_colleague_has_submitted_shows_their_changes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The editor opened version 1; a colleague wrote and submitted it meanwhile. The
    editor's save is refused as stale (409) with the colleague's changes, not with a bare
    "cannot change now"."""
    cycle = make_cycle()
    opened = _form(cycle, text="・私の文章")
    cycle.submitted(text="・同僚が提出した文章")
    before = state_of(cycle)
    with caplog.at_level(logging.WARNING, logger="shinchoku.review"):
        response = client_for(cycle, "editor").post(_entry_url(cycle), opened)
    assert response.status_code == 409
    page = response.content.decode()
    conflict = page.split('class="conflict"')[1].split("</section>")[0]
    assert "・同僚が提出した文章" in conflict
    assert state_of(cycle) == before
    assert any("refused stale_version" in record.getMessage() for record in caplog.records)


def test_a_post_to_an_entry_of_a_closed_round_says_the_round_is_closed() -> None:
    cycle = make_cycle()
    services.round_close(cycle.round, actor=cycle.admin)
    before = state_of(cycle)
    response = client_for(cycle, "editor").post(_entry_url(cycle), _form(cycle))
    assert response.status_code == 403
    assert "終了しているため" in response.content.decode()
    assert state_of(cycle) == before


# ------------------------------------------------------------ a targets round


def targets_round(cycle: Cycle, *, reason: str = "") -> tuple[Entry, Target, str]:
    """A FY2014 targets round whose onwards target of 9-1-1 already carries a revision
    (published before, possibly without its reason): the entry, the target, its page."""
    target = cycle.sample.measure.targets.get(start_year=2014)
    target.revised_text = "●既に公表された変更"
    target.revision_reason = reason
    target.save()
    round_ = services.round_open(
        cycle.sample.plan,
        2014,
        Round.Kind.TARGETS,
        timezone.localdate() + timedelta(days=7),
        actor=cycle.admin,
    )
    entry = Entry.objects.get(round=round_, node=cycle.sample.measure)
    return entry, target, reverse("staff:entry", args=[entry.pk])


def as_shown(client: Client, url: str) -> dict[str, str]:
    """The form's fields as the page shows them, ready to post back."""
    form = client.get(url).context["form"]
    return {name: str(form[name].value() or "") for name in form.fields}


def test_an_untouched_revision_is_no_proposal_and_does_not_block_the_submission() -> None:
    cycle = make_cycle()
    entry, _target, url = targets_round(cycle, reason="")
    editor = client_for(cycle, "editor")
    response = editor.post(url, {**as_shown(editor, url), "action": "submit"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Entry.objects.get(pk=entry.pk).state == Entry.State.SUBMITTED
    assert not EntryTarget.objects.filter(entry=entry).exists()


def test_emptying_a_revision_proposes_to_clear_it() -> None:
    cycle = make_cycle()
    entry, target, url = targets_round(cycle, reason="旧い理由")
    editor = client_for(cycle, "editor")
    data = {**as_shown(editor, url), f"target_{target.pk}_revised": "", f"target_{target.pk}_reason": ""}
    assert editor.post(url, {**data, "action": "submit"}).status_code == 302
    entry = Entry.objects.get(pk=entry.pk)
    entry = services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    services.round_publish(entry.round, actor=cycle.admin)
    target.refresh_from_db()
    assert (target.revised_text, target.revision_reason) == ("", "")


def test_after_a_conflict_in_a_targets_round_a_colleagues_revision_is_kept() -> None:
    cycle = make_cycle()
    _entry, target, url = targets_round(cycle, reason="旧い理由")
    revised, reason = f"target_{target.pk}_revised", f"target_{target.pk}_reason"
    editor, colleague = client_for(cycle, "editor"), client_for(cycle, "editor")
    mine = as_shown(editor, url)
    theirs = {**as_shown(colleague, url), revised: "●同僚の変更", reason: "同僚の理由"}
    assert colleague.post(url, {**theirs, "action": "save"}).status_code == 302
    # This person left the revision as shown: the form shown again holds the colleague's.
    response = editor.post(url, {**mine, "action": "save"})
    assert response.status_code == 409
    form = response.context["form"]
    assert (form[revised].value(), form[reason].value()) == ("●同僚の変更", "同僚の理由")


# ---------------------------------------------------------------- error markup


def test_the_round_form_describes_each_field_by_its_errors() -> None:
    cycle = make_cycle()
    response = client_for(cycle, "admin").post(
        reverse("staff:round_open"), {"plan": cycle.sample.plan.pk, "fiscal_year": "", "deadline": "x"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    described_ids_exist(page)
    kind = page.split('<fieldset class="field has-error" id="id_kind"')[1].split("</fieldset>")[0]
    assert 'aria-describedby="id_kind_error"' in kind and 'id="id_kind_error"' in kind


def test_a_missing_return_comment_is_tied_to_its_field() -> None:
    cycle = make_cycle()
    entry = cycle.submitted()
    response = client_for(cycle, "reviewer").post(
        reverse("staff:entry_act", args=[entry.pk]),
        {"version": entry.version, "action": "return", "comment": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    described_ids_exist(page)
    textarea = re.search(r"<textarea[^>]*name=\"comment\"[^>]*>", page)
    assert textarea is not None
    assert (
        'aria-invalid="true"' in textarea.group()
        and 'aria-describedby="id_comment_error"' in textarea.group()
    )


def test_the_staff_bar_leads_to_changing_ones_password() -> None:
    """The demo hands out one password for every account; the page to change it was
    reachable only by typing its address."""
    cycle = make_cycle()
    page = client_for(cycle, "editor").get(reverse("staff:home")).content.decode()
    bar = page.split('class="staff-bar"')[1].split("</nav>")[0]
    assert f'href="{reverse("accounts:password_change")}"' in bar
