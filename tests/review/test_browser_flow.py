"""The evaluation round in a real browser, through the staff pages, from signing in on
the login form to what the public reads.

The people are those of ``conftest.make_cycle`` (a FY2013 results round on プラン９): the
editor ``tanto`` writes 9-1-1, the reviewer ``shinsa`` returns and approves it, the
administrator ``kikaku`` publishes the round, and an anonymous reader sees the result;
``kyoku`` (an editor of the bureau above 9-1-1's section) also writes 9-1-1.

The page texts are looked up in the Japanese catalog (``ja``), so the tests follow the
translations as they are made; a text not yet translated shows its English msgid, on the
page and here alike. Screenshots go to test-artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import Browser, Locator, Page, expect

from shinchoku.review.content import TEXT_LABELS
from shinchoku.review.models import Entry, Round
from tests.browser import ARTIFACTS
from tests.review.conftest import Cycle, make_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "kakunin-no-tame-no-pasuwado-2013"
ADVERSE = "目標を下回った"
ON_TARGET = "目標をほぼ達成"


def ja(message: str, **values: Any) -> str:
    """``message`` as the Japanese pages show it (the msgid itself while untranslated)."""
    with translation.override("ja"):
        text = gettext(message)
    return text % values if values else text


def state_label(state: Entry.State) -> str:
    with translation.override("ja"):
        return str(state.label)


def shot(page: Page, name: str) -> None:
    page.screenshot(path=ARTIFACTS / f"review-{name}.png", full_page=True)


@pytest.fixture
def people(transactional_db: None) -> Cycle:
    """The round, with a real password on everyone who signs in."""
    cycle = make_cycle()
    for user in (cycle.editor, cycle.bureau_editor, cycle.reviewer, cycle.admin):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return cycle


@pytest.fixture
def new_page(browser: Browser) -> Callable[[], Page]:
    """A page in a browser context of its own: its own cookies, so its own person."""

    def make() -> Page:
        context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
        return context.new_page()

    return make


def sign_in(page: Page, base: str, user: User, *, screenshot: str | None = None) -> None:
    """Open the staff home, meet the login form, sign in through it and land on the home."""
    with translation.override("ja"):
        form = AuthenticationForm()
        username_label = str(form.fields["username"].label)
        password_label = str(form.fields["password"].label)
    page.goto(base + "/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login/\?next=/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Staff sign-in"))
    page.get_by_label(username_label, exact=True).fill(user.get_username())
    page.get_by_label(password_label, exact=True).fill(PASSWORD)
    if screenshot:
        shot(page, screenshot)
    page.get_by_role("button", name=ja("Sign in"), exact=True).click()
    expect(page).to_have_url(base + "/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("My work"))
    expect(page.get_by_text(ja("Signed in as %(name)s", name=user.get_username()))).to_be_visible()


def result_box(page: Page) -> Locator:
    """The 実施結果 textarea, by its label (which starts with the field's name)."""
    return page.get_by_role("textbox", name=re.compile("^" + re.escape(ja("Result (what was done)"))))


def status(page: Page) -> Locator:
    return page.locator(".messages").get_by_role("status")


def public_page(cycle: Cycle) -> str:
    return f"/plans/{cycle.sample.plan.code}/nodes/{cycle.sample.measure.code}/"


def open_from_queue(page: Page, base: str) -> None:
    page.goto(base + "/staff/review/")
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Review queue"))
    page.get_by_role("main").get_by_role("link", name="9-1-1 協働型事業の推進").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("9-1-1 協働型事業の推進")


def test_an_entry_goes_from_the_section_through_review_to_the_public(
    people: Cycle, new_page: Callable[[], Page], live_server: Any
) -> None:
    cycle, base = people, live_server.url
    first = f"・協働型事業の説明会を開催しました。確認用 {secrets.token_hex(4)}"
    second = f"・協働型事業を12件実施し、説明会を2回開催しました。確認用 {secrets.token_hex(4)}"
    comment = "件数と開催回数を書いてください。"
    entry_heading = "9-1-1 協働型事業の推進"

    # 1. The editor signs in through the form and opens 9-1-1 from the to-do list.
    editor = new_page()
    sign_in(editor, base, cycle.editor, screenshot="01-login")
    todo = editor.get_by_role("table", name=ja("Entries to write or fix"))
    row = todo.get_by_role("row").filter(has_text="9-1-1")
    expect(row).to_contain_text(ja("not started"))
    shot(editor, "02-todo")
    row.get_by_role("link", name=entry_heading).click()
    expect(editor.get_by_role("heading", level=1)).to_have_text(entry_heading)
    result_box(editor).fill(first)

    # 2. An adverse rating without the context change and the response is refused:
    # the fields are marked, the text stays in the form, nothing is saved.
    editor.get_by_role("radio", name=ADVERSE).check()
    editor.get_by_role("button", name=ja("Save and submit for review")).click()
    summary = editor.get_by_role("alert").filter(has_text=ja("Please check these fields"))
    expect(summary).to_be_visible()
    context_label = ja("Changes in circumstances and issues")
    response_label = ja("Response to new issues")
    expect(summary.get_by_role("link", name=context_label)).to_be_visible()
    expect(summary.get_by_role("link", name=response_label)).to_be_visible()
    expect(editor.locator(".field.has-error")).to_have_count(2)
    # Each marked field is named, says why (its error is its accessible description).
    for label in (context_label, response_label):
        box = editor.get_by_role("textbox", name=re.compile("^" + re.escape(label)))
        expect(box).to_have_attribute("aria-invalid", "true")
        expect(box).to_have_accessible_description(re.compile(ADVERSE))
    expect(result_box(editor)).to_have_value(first)
    expect(editor.get_by_role("radio", name=ADVERSE)).to_be_checked()
    shot(editor, "03-adverse-refused")
    assert cycle.fresh().version == 1
    assert cycle.fresh().text == ""

    # 1 (cont.). A rating on target, submitted: back on the to-do list with the message.
    editor.get_by_role("radio", name=ON_TARGET).check()
    shot(editor, "04-entry-form")
    editor.get_by_role("button", name=ja("Save and submit for review")).click()
    expect(editor).to_have_url(base + "/staff/")
    expect(status(editor)).to_have_text(ja("%(node)s was submitted for review.", node="9-1-1"))
    handed_in = editor.get_by_role("table", name=ja("Handed in: with the reviewers or approved"))
    expect(handed_in.get_by_role("row").filter(has_text="9-1-1")).to_contain_text(
        state_label(Entry.State.SUBMITTED)
    )
    shot(editor, "05-submitted")
    entry = cycle.fresh()
    assert (entry.state, entry.text) == (Entry.State.SUBMITTED, first)

    # The public does not see a submitted entry.
    reader = new_page()
    reader.goto(base + public_page(cycle))
    expect(reader.get_by_role("heading", level=1)).to_contain_text("協働型事業の推進")
    expect(reader.locator("main")).not_to_contain_text(first)
    shot(reader, "06-public-before")

    # 3. The reviewer signs in, opens the entry from the queue and returns it.
    reviewer = new_page()
    sign_in(reviewer, base, cycle.reviewer)
    open_from_queue(reviewer, base)
    # The reviewer reads the entry: its text and rating, and no field to change them.
    expect(reviewer.locator(".entry-main")).to_contain_text(first)
    expect(reviewer.locator(".entry-main .readonly-field__value")).to_have_text(re.compile(ON_TARGET))
    expect(result_box(reviewer)).to_have_count(0)
    expect(reviewer.get_by_role("radio")).to_have_count(0)
    expect(reviewer.get_by_role("button", name=ja("Save and submit for review"))).to_have_count(0)
    reviewer.get_by_label(ja("Comment to the section (required to return)")).fill(comment)
    shot(reviewer, "07-reviewer-entry")
    reviewer.get_by_role("button", name=ja("Return to the section")).click()
    expect(reviewer).to_have_url(base + "/staff/review/")
    expect(status(reviewer)).to_have_text(ja("%(node)s was returned to the section.", node="9-1-1"))
    shot(reviewer, "08-returned")
    assert cycle.fresh().state == Entry.State.RETURNED

    # 4. The editor finds it back on the to-do list with the comment, fixes it, resubmits.
    editor.goto(base + "/staff/")
    row = todo.get_by_role("row").filter(has_text="9-1-1")
    expect(row).to_contain_text(state_label(Entry.State.RETURNED))
    expect(row).to_contain_text(ja("Returned with the comment"))
    expect(row).to_contain_text(comment)
    shot(editor, "09-todo-returned")
    row.get_by_role("link", name=entry_heading).click()
    expect(editor.get_by_role("region", name=ja("Comments"))).to_contain_text(comment)
    expect(result_box(editor)).to_have_value(first)
    expect(editor.get_by_role("radio", name=ON_TARGET)).to_be_checked()
    result_box(editor).fill(second)
    editor.get_by_role("button", name=ja("Save and submit for review")).click()
    expect(status(editor)).to_have_text(ja("%(node)s was submitted for review.", node="9-1-1"))
    assert (cycle.fresh().state, cycle.fresh().text) == (Entry.State.SUBMITTED, second)

    # 5. The reviewer sees what changed since the return, and approves.
    open_from_queue(reviewer, base)
    expect(reviewer.locator(".entry-main")).to_contain_text(second)
    since = reviewer.get_by_role("region", name=ja("Changes since it was returned"))
    expect(since.get_by_role("row")).to_have_count(2)  # the heading row, and the result
    expect(since).to_contain_text(second)
    shot(reviewer, "09b-changes-since-return")
    reviewer.get_by_role("button", name=ja("Approve"), exact=True).click()
    expect(status(reviewer)).to_have_text(ja("%(node)s was approved.", node="9-1-1"))
    expect(reviewer.get_by_text(ja("No entry is waiting for review."))).to_be_visible()
    assert cycle.fresh().state == Entry.State.APPROVED

    # 6. The administrator opens the rounds, the round's dashboard, and publishes.
    admin = new_page()
    sign_in(admin, base, cycle.admin)
    admin.get_by_role("navigation", name=ja("Staff pages")).get_by_role("link", name=ja("Rounds")).click()
    expect(admin).to_have_url(base + "/staff/rounds/")
    shot(admin, "10-rounds")
    admin.get_by_role("link", name=re.compile(r"2013年度")).click()
    expect(admin).to_have_url(base + f"/staff/rounds/{cycle.round.pk}/")
    dashboard = admin.get_by_role("table", name=ja("Entries per responsible section"))
    unit_row = dashboard.get_by_role("row").filter(has_text=cycle.unit.name)
    # not started, draft, submitted, returned, approved, published, total
    expect(unit_row.locator("td")).to_have_text(["0", "0", "0", "0", "1", "0", "1"])
    shot(admin, "11-dashboard")
    admin.get_by_role("link", name=ja("Publish the approved entries")).click()
    # Publishing asks first, saying what will be published.
    expect(admin).to_have_url(base + f"/staff/rounds/{cycle.round.pk}/publish/")
    expect(admin.locator("main")).to_contain_text(cycle.sample.plan.title)
    shot(admin, "11b-publish-confirm")
    with translation.override("ja"):
        confirm = ngettext("Publish %(counter)s entry", "Publish %(counter)s entries", 1) % {"counter": 1}
    admin.get_by_role("button", name=confirm).click()
    expect(status(admin)).to_have_text(ja("%(count)s approved entries were published.", count=1))
    expect(unit_row.locator("td")).to_have_text(["0", "0", "0", "0", "0", "1", "1"])
    shot(admin, "12-published")
    assert cycle.fresh().state == Entry.State.PUBLISHED
    assert Round.objects.get(pk=cycle.round.pk).state == Round.State.PUBLISHED

    # 7. An anonymous reader sees the published text, and never the first one.
    reader.goto(base + public_page(cycle))
    expect(reader.get_by_text(second)).to_be_visible()
    expect(reader.locator("main")).not_to_contain_text(first)
    shot(reader, "13-public-after")


def test_the_second_of_two_editors_saving_sees_what_the_first_changed(
    people: Cycle, new_page: Callable[[], Page], live_server: Any
) -> None:
    cycle, base = people, live_server.url
    url = f"{base}/staff/entries/{cycle.entry.pk}/"
    theirs = f"・説明会を開催しました。先に保存 {secrets.token_hex(4)}"
    mine = f"・ルールを改訂しました。後から保存 {secrets.token_hex(4)}"

    # Both editors of 9-1-1 (its section's and the bureau's) open the entry at version 1.
    first, second = new_page(), new_page()
    sign_in(first, base, cycle.editor)
    sign_in(second, base, cycle.bureau_editor)
    for page in (first, second):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text("9-1-1 協働型事業の推進")

    # The first saves a text and a rating.
    result_box(first).fill(theirs)
    first.get_by_role("radio", name=ON_TARGET).check()
    first.get_by_role("button", name=ja("Save draft")).click()
    expect(status(first)).to_have_text(ja("Saved (version %(version)s).", version=2))

    # The second saves theirs: refused, with the other person's changes listed and
    # their own text still in the form.
    result_box(second).fill(mine)
    second.get_by_role("button", name=ja("Save draft")).click()
    conflict = second.get_by_role("alert").filter(
        has=second.get_by_role("heading", name=ja("Someone else changed this entry"))
    )
    expect(conflict).to_be_visible()
    changes = conflict.get_by_role("table")
    with translation.override("ja"):
        text_label = str(TEXT_LABELS["text"])  # the field's name on the page
    expect(changes.get_by_role("row").filter(has_text=text_label)).to_contain_text(theirs)
    expect(changes.get_by_role("row").filter(has_text=cycle.sample.dimension.name)).to_contain_text(ON_TARGET)
    expect(result_box(second)).to_have_value(mine)
    shot(second, "20-conflict")
    entry = cycle.fresh()
    assert (entry.version, entry.text) == (2, theirs)

    # Having seen the other's changes, the second saves again and puts their own over them.
    second.get_by_role("button", name=ja("Save draft")).click()
    expect(status(second)).to_have_text(ja("Saved (version %(version)s).", version=3))
    expect(result_box(second)).to_have_value(mine)
    entry = cycle.fresh()
    assert (entry.version, entry.text) == (3, mine)
