"""What the staff pages say: fiscal years and dates in the reader's language, one name
for each state, banners that name the action that failed, publishing with a confirmation
and a round state that counts its entries, navigation by what a person may do, and the
reviewer's view of what changed since they returned an entry."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shinchoku.accounts.models import Role
from shinchoku.progress.models import Result
from shinchoku.review import services
from shinchoku.review.content import TEXT_LABELS
from shinchoku.review.models import Entry
from tests.factories import make_staff
from tests.portal.html import Element, parse
from tests.review.conftest import Cycle

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
JAPANESE_DATE = re.compile(r"\d+年\d+月\d+日")


def client_of(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def address(name: str, *args: object, lang: str = "ja") -> str:
    with translation.override(lang):
        return reverse(name, args=args)


def page(client: Client, url: str, status: int = 200) -> Element:
    response = client.get(url)
    assert response.status_code == status, url
    return parse(response.content)


def japanese_date(day: date) -> str:
    """The site's Japanese form, written out here independently: 2026年12月20日（令和8年）."""
    era = day.year - 2018
    return f"{day.year}年{day.month}月{day.day}日（令和{'元' if era == 1 else era}年）"


def english_date(day: date) -> str:
    months = "January February March April May June July August September October November December"
    return f"{day.day} {months.split()[day.month - 1]} {day.year}"


def returned(cycle: Cycle, comment: str = "回数の根拠を追記してください。", **kwargs: object) -> Entry:
    entry = cycle.submitted(**kwargs)  # type: ignore[arg-type]
    return services.entry_transition(
        entry, "return", actor=cycle.reviewer, expected_version=entry.version, comment=comment
    )


# ------------------------------------------------------- years and dates, both languages


def staff_pages(cycle: Cycle, lang: str) -> list[tuple[object, str]]:
    """Every staff page, with a person who may open it."""
    entry, round_ = cycle.entry, cycle.round
    return [
        (cycle.editor, address("staff:home", lang=lang)),
        (cycle.editor, address("staff:entry", entry.pk, lang=lang)),
        (cycle.editor, address("staff:history", entry.pk, lang=lang)),
        (cycle.reviewer, address("staff:home", lang=lang)),
        (cycle.reviewer, address("staff:queue", lang=lang)),
        (cycle.reviewer, address("staff:entry", cycle.other_entry.pk, lang=lang)),
        (cycle.admin, address("staff:home", lang=lang)),
        (cycle.admin, address("staff:rounds", lang=lang)),
        (cycle.admin, address("staff:round", round_.pk, lang=lang)),
        (cycle.admin, address("staff:round_publish", round_.pk, lang=lang)),
        (cycle.admin, address("staff:entry", entry.pk, lang=lang)),
        (cycle.admin, address("staff:history", entry.pk, lang=lang)),
    ]


def walked(cycle: Cycle) -> None:
    """Entries in every state the pages show: 9-1-1 returned with a comment, 9-1-2
    submitted, one more approved; the sample's data names no year or era."""
    Result.objects.filter(text__contains="平成").update(text="・庁内調査を実施しました。")
    Result.objects.filter(highlight__contains="年度").update(highlight="・要約です。")
    returned(cycle)
    other = services.entry_save(
        cycle.other_entry,
        {"text": "・講座を開きました。", "ratings": cycle.rating("2")},
        actor=cycle.other_editor,
        expected_version=1,
    )
    services.entry_transition(other, "submit", actor=cycle.other_editor, expected_version=other.version)


def test_the_english_staff_pages_name_years_and_dates_in_english(cycle: Cycle) -> None:
    walked(cycle)
    for user, url in staff_pages(cycle, "en"):
        html = client_of(user).get(url).content.decode()
        for word in ("年度", "平成", "令和"):
            assert word not in html, (
                f"{url} shows {word}: …{html[max(html.find(word) - 80, 0) : html.find(word) + 40]}…"
            )
        shown = parse(html).text
        assert not ISO_DATE.search(shown), f"{url} shows an ISO date: {ISO_DATE.search(shown)}"
        assert not JAPANESE_DATE.search(shown), f"{url} shows a Japanese date: {JAPANESE_DATE.search(shown)}"
    entry = page(client_of(cycle.editor), address("staff:entry", cycle.entry.pk, lang="en"))
    assert "FY2013 results" in entry.find("p", class_="eyebrow").text
    assert english_date(cycle.round.deadline) in entry.find("dl", class_="entry-facts").text


def test_the_japanese_staff_pages_give_dates_with_the_era(cycle: Cycle) -> None:
    walked(cycle)
    for user, url in staff_pages(cycle, "ja"):
        shown = page(client_of(user), url).text
        assert not ISO_DATE.search(shown), f"{url} shows an ISO date: {ISO_DATE.search(shown)}"
    home = page(client_of(cycle.editor), address("staff:home"))
    assert japanese_date(cycle.round.deadline) in home.find("table", class_="entries").text
    entry = page(client_of(cycle.editor), address("staff:entry", cycle.entry.pk))
    assert "2013年度（平成25年度）実施結果" in entry.find("p", class_="eyebrow").text
    facts = entry.find("dl", class_="entry-facts").text
    assert japanese_date(cycle.round.deadline) in facts
    assert japanese_date(cycle.fresh().updated_at.astimezone().date()) in facts


# ------------------------------------------------------------- one name per state


def test_last_changed_shows_a_time_or_a_dash_and_the_state_its_name(cycle: Cycle) -> None:
    editor = client_of(cycle.editor)
    home = page(editor, address("staff:home"))
    row = home.find("table", class_="entries").find("tbody").find("tr")
    state, _deadline, last = [
        cell for cell in row.children if isinstance(cell, Element) and cell.tag == "td"
    ][1:]
    assert state.text == "未着手"
    assert last.shown_text == "—"
    assert last.find("span", class_="visually-hidden").text == "まだ保存されていません"

    facts = page(editor, address("staff:entry", cycle.entry.pk)).find("dl", class_="entry-facts")
    values = {div.find("dt").text: div.find("dd") for div in facts.find_all("div")}
    assert values["状態"].text == "未着手"
    assert "未着手" not in values["最終更新"].text
    assert values["最終更新"].shown_text == "—"


def test_the_history_names_a_state_as_the_page_does(cycle: Cycle) -> None:
    history = page(client_of(cycle.editor), address("staff:history", cycle.entry.pk))
    created = history.find_all("li", class_="history__item")[-1]
    assert "第1版" in created.find("h2").text
    changes = {
        row.find("th").text: row.find_all("td")[1].text for row in created.find("tbody").find_all("tr")
    }
    assert changes["状態"] == "未着手"
    assert "現在は第1版、未着手です。" in history.text

    cycle.written()
    history = page(client_of(cycle.editor), address("staff:history", cycle.entry.pk))
    assert "現在は第2版、下書きです。" in history.text


# -------------------------------------------------------- banners and the summary


def error_banner(doc: Element) -> str:
    return " ".join(p.text for p in doc.find_all("p", class_="message--error"))


def test_a_refused_submission_says_it_was_the_submission_and_lists_problems_in_page_order(
    cycle: Cycle,
) -> None:
    editor = client_of(cycle.editor)
    url = address("staff:entry", cycle.entry.pk)
    response = editor.post(url, {"version": 1, "text": "", "action": "submit"})
    assert response.status_code == 400
    html = response.content.decode()
    doc = parse(html)
    assert "提出できませんでした" in error_banner(doc)
    assert "保存できません" not in error_banner(doc)
    links = [a.attrs["href"] for a in doc.find("div", class_="error-summary").find_all("a")]
    assert len(links) == 2  # the rating and the result
    positions = [html.index(f'id="{link[1:]}"') for link in links]
    assert positions == sorted(positions), links
    assert cycle.fresh().version == 1


def test_a_refused_save_says_it_was_the_save(cycle: Cycle) -> None:
    form = {"version": 1, "text": "・書きました。", f"rating_{cycle.sample.dimension.pk}": "99999"}
    response = client_of(cycle.editor).post(address("staff:entry", cycle.entry.pk), form)
    assert response.status_code == 400
    assert "記入票を保存できませんでした" in error_banner(parse(response.content))


def test_a_refused_return_says_it_was_the_return(cycle: Cycle) -> None:
    entry = cycle.submitted()
    response = client_of(cycle.reviewer).post(
        address("staff:entry_act", entry.pk), {"version": entry.version, "action": "return", "comment": ""}
    )
    assert response.status_code == 400
    doc = parse(response.content)
    assert "差し戻しできませんでした" in error_banner(doc)
    assert "保存できません" not in error_banner(doc)
    summary = doc.find("div", class_="error-summary")
    assert [a.attrs["href"] for a in summary.find_all("a")] == ["#id_comment"]
    assert cycle.fresh().state == Entry.State.SUBMITTED


# ------------------------------------------------------------------- publishing


def test_with_nothing_approved_the_round_offers_no_publishing_and_says_why(cycle: Cycle) -> None:
    admin = client_of(cycle.admin)
    doc = page(admin, address("staff:round", cycle.round.pk))
    section = doc.find("section", aria_labelledby="publish-heading")
    assert "承認済みの記入票がないため" in section.text
    url = address("staff:round_publish", cycle.round.pk)
    assert not [a for a in section.find_all("a") if a.attrs.get("href") == url]
    assert not [form for form in section.find_all("form") if form.attrs.get("action") == url]
    confirm = page(admin, url)
    assert "承認済みの記入票がないため" in confirm.text
    assert not [form for form in confirm.find_all("form") if form.attrs.get("action") == url]


def test_publishing_asks_for_confirmation_saying_what_will_be_published(cycle: Cycle) -> None:
    cycle.approved()
    admin = client_of(cycle.admin)
    url = address("staff:round_publish", cycle.round.pk)

    # One click does not publish.
    admin.post(url, {})
    assert cycle.fresh().state == Entry.State.APPROVED

    confirm = page(admin, url)
    text = confirm.text
    assert cycle.sample.plan.title in text and "2013年度（平成25年度）" in text
    assert "承認済みの記入票1件を公開します" in text
    assert cycle.entry.node.code in confirm.find("table", class_="entries").text
    form = next(f for f in confirm.find_all("form") if f.attrs.get("action") == url)
    assert form.find("input", name="entries").attrs["value"] == "1"

    response = admin.post(url, {"entries": "1"})
    assert response.status_code == 302
    assert cycle.fresh().state == Entry.State.PUBLISHED


def test_a_confirmation_made_before_another_approval_publishes_nothing(cycle: Cycle) -> None:
    cycle.approved()
    other = services.entry_save(
        cycle.other_entry,
        {"text": "・講座を開きました。", "ratings": cycle.rating("2")},
        actor=cycle.other_editor,
        expected_version=1,
    )
    other = services.entry_transition(
        other, "submit", actor=cycle.other_editor, expected_version=other.version
    )
    services.entry_transition(other, "approve", actor=cycle.reviewer, expected_version=other.version)
    response = client_of(cycle.admin).post(address("staff:round_publish", cycle.round.pk), {"entries": "1"})
    assert response.status_code == 409
    assert "公開していません" in error_banner(parse(response.content))
    assert Entry.objects.filter(round=cycle.round, state=Entry.State.PUBLISHED).count() == 0


def test_a_partly_published_round_says_so_with_its_counts(cycle: Cycle) -> None:
    cycle.approved()
    services.round_publish(cycle.round, actor=cycle.admin)
    total = Entry.objects.filter(round=cycle.round).count()
    not_started = total - 1
    admin = client_of(cycle.admin)
    round_page = page(admin, address("staff:round", cycle.round.pk))
    state = round_page.find("dl", class_="entry-facts").find("dd")
    assert state.text == f"一部公開（1/{total}件） （未着手 {not_started}件）"
    listed = page(admin, address("staff:rounds")).find("table", class_="rounds").find("tbody").find("tr")
    assert f"一部公開（1/{total}件）" in listed.text
    assert "公開済み" not in listed.text

    english = page(admin, address("staff:round", cycle.round.pk, lang="en"))
    assert english.find("dl", class_="entry-facts").find("dd").text == (
        f"partly published (1 of {total}) ({not_started} not started)"
    )


# ------------------------------------------------------------------- navigation


def nav_links(user: object) -> list[str]:
    doc = page(client_of(user), address("staff:home"))
    return [a.text for a in doc.find("ul", class_="staff-bar__links").find_all("a")]


def test_the_staff_bar_shows_each_person_only_what_they_may_use(cycle: Cycle) -> None:
    assert nav_links(cycle.editor) == ["自分の作業", "ファイルの取り込み"]
    assert nav_links(cycle.reviewer) == ["自分の作業", "審査待ち一覧"]
    assert nav_links(cycle.admin) == [
        "自分の作業",
        "ファイルの取り込み",
        "過去の報告書",
        "評価の回",
        "バックグラウンド処理",
    ]
    both = make_staff(Role.REVIEWER, username="kenmu")
    both.is_staff = True
    both.save()
    assert nav_links(both) == ["自分の作業", "審査待ち一覧", "計画データ（管理画面）"]
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", None)
    assert nav_links(superuser) == [
        "自分の作業",
        "ファイルの取り込み",
        "過去の報告書",
        "評価の回",
        "バックグラウンド処理",
        "計画データ（管理画面）",
    ]


def test_a_reviewer_cannot_open_the_import_page(cycle: Cycle) -> None:
    assert client_of(cycle.reviewer).get(address("interchange:import")).status_code == 403
    assert client_of(cycle.editor).get(address("interchange:import")).status_code == 200


# --------------------------------------------------------- changes since a return


def test_the_reviewer_sees_what_changed_since_the_return(cycle: Cycle) -> None:
    entry = returned(
        cycle, text="・説明会を3回開催しました。参加者は120人でした。\n・広報誌に掲載しました。", code="3"
    )
    entry = services.entry_save(
        entry,
        {
            "text": "・説明会を5回開催しました。参加者は120人でした。\n・広報誌に掲載しました。",
            "ratings": cycle.rating("2"),
        },
        actor=cycle.editor,
        expected_version=entry.version,
    )
    services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)

    doc = page(client_of(cycle.reviewer), address("staff:entry", entry.pk))
    section = doc.find("section", class_="since-return")
    assert section.find("h2").text == "差し戻し後の変更点"
    rows = section.find("tbody").find_all("tr")
    # Named as the form names them on the page.
    with translation.override("ja"):
        text_label = str(TEXT_LABELS["text"])
    assert [row.find("th").text for row in rows] == [cycle.sample.dimension.name, text_label]
    rating, text = rows
    assert [cell.text for cell in rating.find_all("td")] == ["3 目標をほぼ達成", "2 目標を上回って達成"]
    before, after = text.find_all("td")
    # Marked by character inside the sentence, not the whole sentence or line.
    assert [mark.text for mark in before.find_all("mark")] == ["3"]
    assert [mark.text for mark in after.find_all("mark")] == ["5"]
    assert "参加者は120人でした。" in after.text
    assert "広報誌に掲載しました。" in after.text


def test_a_resubmission_without_changes_says_so(cycle: Cycle) -> None:
    entry = returned(cycle)
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    section = page(client_of(cycle.reviewer), address("staff:entry", entry.pk)).find(
        "section", class_="since-return"
    )
    assert "差し戻し後に変更された項目はありません。" in section.text


def test_an_entry_never_returned_shows_no_changes_since_a_return(cycle: Cycle) -> None:
    entry = cycle.submitted()
    doc = page(client_of(cycle.reviewer), address("staff:entry", entry.pk))
    assert not doc.find_all("section", class_="since-return")
