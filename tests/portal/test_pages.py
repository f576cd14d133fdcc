"""The public pages: a reader goes from the home page to a plan, a plan area or
programme, and a measure sheet, and sees what the printed report shows."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from shinchoku.portal.templatetags.languages import address_in
from tests.factories import Sample, add_result, add_target, make_dimension, make_node, make_sample, make_world

from .html import Element, parse, table_grid

pytestmark = pytest.mark.django_db


def url(name: str, *args: str, lang: str = "ja") -> str:
    with translation.override(lang):
        return reverse(f"portal:{name}", args=args)


def page(client: Client, address: str) -> Element:
    response = client.get(address)
    assert response.status_code == 200, address
    return parse(response.content)


@pytest.fixture
def seeded() -> Sample:
    return make_sample()


# --------------------------------------------------------------------- the pages


def test_home_lists_plans_with_links(client: Client, seeded: Sample) -> None:
    doc = page(client, url("home", lang="en"))
    card = doc.find("li", class_="card")
    assert "第" in card.text and "FY2011–FY2013" in card.text
    assert card.find("a").attrs["href"] == url("plan", "plan9", lang="en")
    assert "3 measures" in card.text


def test_plan_page_shows_plan_areas_and_programmes_with_measure_counts(
    client: Client, seeded: Sample
) -> None:
    doc = page(client, url("plan", "plan9", lang="en"))
    outline = doc.find("ul", class_="outline")
    area = outline.find("li")
    assert "プラン９ 市民自治と区役所機能の拡充" in area.text
    assert "3 measures" in area.find("span", class_="count").text
    programmes = [li for li in area.find("ul", class_="outline").find_all("li")]
    assert [li.find("a").text for li in programmes] == [
        "アクションプログラム 協働のまちづくりの推進",
        "アクションプログラム 区役所機能の強化",
    ]
    assert "2 measures" in programmes[0].text and "1 measure" in programmes[1].text
    assert programmes[0].find("a").attrs["href"] == url("node", "plan9", "9-1", lang="en")
    # Measures are not listed on the plan page: they are on their programmes' pages.
    assert "協働型事業の推進" not in doc.text


def summary_rows(doc: Element) -> dict[str, list[str]]:
    table = doc.find("table", class_="summary-table")
    return {
        tr.find("th").text: [td.text for td in tr.find_all("td")]
        for tr in table.find("tbody").find_all("tr") + table.find("tfoot").find_all("tr")
    }


def test_plan_page_counts_ratings_per_year_and_marker(client: Client, seeded: Sample) -> None:
    doc = page(client, url("plan", "plan9", lang="en"))
    table = doc.find("table", class_="summary-table")
    assert "達成状況区分" in table.find("caption").text
    headings = [th.text for th in table.find("thead").find_all("th")]
    assert headings[:4] == ["達成状況区分", "FY2011", "FY2012", "FY2013"]
    assert headings[4:7] == ["Count", "of which ○", "of which 重点"]
    rows = summary_rows(doc)
    # Columns: per year, measures / of which ○ / of which 重点.
    # FY2013 has no published result yet: one cell across its columns says so.
    assert rows["3 目標をほぼ達成"] == ["1", "1", "0", "2", "0", "1", "not yet published"]
    assert rows["4 目標を下回った"] == ["0", "0", "0", "1", "1", "0", "not yet published"]
    assert rows["Total"] == ["1", "1", "0", "3", "1", "1", "not yet published"]
    # The ○ marker's meaning is not in the source; the page says so.
    markers = doc.find("dl", class_="markers")
    assert "○ meaning not stated in the source" in markers.text
    assert "重点 重点施策 重点的に取り組む施策" in markers.text


def test_programme_page_shows_latest_highlights_and_its_own_counts(client: Client, seeded: Sample) -> None:
    doc = page(client, url("node", "plan9", "9-1", lang="en"))
    assert doc.find("h1").text == "協働のまちづくりの推進"
    items = doc.find_all("li", class_="highlight")
    assert [item.find("a").text for item in items] == ["協働型事業の推進", "市民活動の支援"]
    first, second = items
    assert "・事業一覧を作成・公表しました。" in first.text
    assert "2011年度の要約" not in doc.text  # only the latest year's highlight
    assert "FY2012" in first.text
    assert "達成状況区分: 4 目標を下回った" in first.text
    assert "・市民活動基礎講座を実施しました。" in second.text and "重点" in second.text
    assert first.find("a").attrs["href"] == url("node", "plan9", "9-1-1", lang="en")
    rows = summary_rows(doc)
    assert rows["3 目標をほぼ達成"][:6] == ["1", "1", "0", "1", "0", "1"]
    assert rows["Total"][3] == "2"  # the other programme's measure is not counted
    assert "第4期区民会議" not in doc.text


def test_plan_area_page_groups_highlights_by_programme(client: Client, seeded: Sample) -> None:
    doc = page(client, url("node", "plan9", "9", lang="en"))
    assert doc.find("h1").text == "プラン９ 市民自治と区役所機能の拡充"
    groups = doc.find_all("div", class_="highlight-group")
    assert [g.find("h3").text for g in groups] == [
        "アクションプログラム 協働のまちづくりの推進",
        "アクションプログラム 区役所機能の強化",
    ]
    assert "・第4期区民会議を立ち上げました。" in groups[1].text
    assert summary_rows(doc)["Total"][3] == "3"


def test_measure_sheet_shows_purpose_baseline_units_and_markers(client: Client, seeded: Sample) -> None:
    doc = page(client, url("node", "plan9", "9-1-1", lang="en"))
    assert "協働型事業の推進" in doc.find("h1").text and "○" in doc.find("h1").text
    text = doc.find("main").text
    assert "「協働型事業のルール」に基づき協働型事業の拡充を進めます。" in text
    # A plan without sections of its own has the default ones, named in English here.
    headings = [section.find("h2").text for section in doc.find_all("section", class_="fact")]
    assert headings == ["Purpose", "Baseline", "Sections in charge"]
    baseline = [
        span.text for span in doc.find("section", aria_labelledby="section-baseline-heading").find_all("span")
    ]
    assert baseline == ["●ルールに基づく協働型事業の拡充", "●ルールの広報や説明会の開催"]
    # No cost recorded: no cost section.
    assert not doc.find_all("section", aria_labelledby="costs-heading")
    units = doc.find("dl", class_="units").text
    assert (
        "responsible (所管) 市民・こども局市民協働推進課" in units
        and "related (関係) 区役所改革担当" in units
    )
    assert "○ meaning not stated in the source" in doc.find("section", aria_labelledby="markers-heading").text


def test_measure_sheet_lays_targets_out_by_row_and_year(client: Client, seeded: Sample) -> None:
    doc = page(client, url("node", "plan9", "9-1-1", lang="en"))
    table = doc.find("table", class_="targets")
    assert table.find("caption").text == "Targets by fiscal year"
    headings = [th.text for th in table.find("thead").find_all("th")]
    assert headings == [
        "Row",
        "FY2011",
        "FY2012",
        "FY2013",
        "FY2014 onwards",
    ]
    assert [th.text for th in table.find("tbody").find_all("th")] == ["Row 1", "Row 2"]
    row1, row2 = table_grid(table)
    by_start = {start: (span, cell) for start, span, cell in row1}
    span, cell = by_start[0]
    assert span == 1
    assert [s.text for s in cell.find_all("span")] == [
        "●ガイドラインの作成",
        "●説明会の開催",
    ]  # one cell, in order
    span, cell = by_start[1]
    assert span == 2 and cell.attrs["colspan"] == "2" and cell.text == "●ルールに基づく拡充"
    span, cell = by_start[3]
    assert span == 1 and cell.text == "事業推進"  # under 2014(平成26)年度以降
    assert 2 not in by_start  # covered by the span
    revised = {start: cell for start, _span, cell in row2}[1]
    assert revised.text == (
        "As planned ●モデル事業の実施 "
        "Revised ●モデル事業の検証 "
        "Reason for the revision 補助制度を見直したため"
    )
    assert [cell.text for start, _span, cell in row2 if start != 1] == ["", "", ""]


def test_measure_sheet_shows_each_years_result_rating_and_context(client: Client, seeded: Sample) -> None:
    doc = page(client, url("node", "plan9", "9-1-1", lang="en"))
    results = doc.find_all("section", class_="result")
    assert [r.find("h3").text for r in results] == ["FY2011", "FY2012"]
    first, second = results
    assert "達成状況区分 3 目標をほぼ達成" in first.find("dl", class_="ratings").text
    assert "達成状況区分 4 目標を下回った" in second.find("dl", class_="ratings").text
    lines = [s.text for s in first.find("div", class_="text").find_all("span")]
    assert lines == ["・庁内調査を平成23年4月に実施しました。", "・説明会を5月及び1月に開催しました。"]
    # Each written section of the year under its name (the default sections' English names).
    assert [h.text for h in second.find_all("h4")] == ["Result", "Context change", "Response", "Highlight"]
    assert "Context change ・相談件数が増加しています。" in second.text
    assert "Response ・相談窓口を拡充します。" in second.text
    assert "Context change" not in first.text


def test_measure_sheet_shows_indicator_values_and_achievement_rate(client: Client, seeded: Sample) -> None:
    doc = page(client, url("node", "plan9", "9-1-1", lang="en"))
    table = doc.find("table", class_="indicator__table")
    assert table.find("caption").text == "協働型事業の件数 (件)"
    rows = {
        tr.find("th").text: [td.text for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")
    }
    assert rows == {
        "Target value": ["10", "20"],
        "Actual value": ["12", "15"],
        "Achievement rate": ["120%", "75%"],
    }


def test_measure_sheet_has_a_breadcrumb_to_each_ancestor(client: Client, seeded: Sample) -> None:
    doc = page(client, url("node", "plan9", "9-1-1", lang="en"))
    nav = doc.find("nav", aria_label="Breadcrumb")
    links = [(a.text, a.attrs["href"]) for a in nav.find_all("a")]
    assert links == [
        ("Home", url("home", lang="en")),
        (seeded.plan.title, url("plan", "plan9", lang="en")),
        ("プラン９ 市民自治と区役所機能の拡充", url("node", "plan9", "9", lang="en")),
        ("協働のまちづくりの推進", url("node", "plan9", "9-1", lang="en")),
    ]
    assert nav.find("span", aria_current="page").text == "協働型事業の推進"


@pytest.mark.parametrize(
    "address",
    [
        "/plans/nope/",
        "/plans/plan9/nodes/nope/",
        "/plans/plan9/nodes/9-1-1/extra/",
        "/en/plans/nope/nodes/9-1-1/",
    ],
)
def test_unknown_codes_are_not_found(client: Client, seeded: Sample, address: str) -> None:
    assert client.get(address).status_code == 404


def test_a_node_code_of_another_plan_is_not_found(client: Client, seeded: Sample) -> None:
    other = make_world(code="other")
    make_node(other.area_level, code="1", title="別の計画のプラン")
    assert client.get(url("node", "other", "1")).status_code == 200
    assert client.get(url("node", "plan9", "1")).status_code == 404


# ------------------------------------------------------------------ accessibility


def all_pages() -> list[tuple[str, tuple[str, ...]]]:
    return [
        ("home", ()),
        ("plan", ("plan9",)),
        ("node", ("plan9", "9")),
        ("node", ("plan9", "9-1")),
        ("node", ("plan9", "9-1-1")),
    ]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(("name", "args"), all_pages())
def test_pages_are_accessible_in_structure(
    client: Client, seeded: Sample, name: str, args: tuple[str, ...], lang: str
) -> None:
    doc = page(client, url(name, *args, lang=lang))
    assert doc.find("html").attrs["lang"] == lang
    assert len(doc.find_all("h1")) == 1
    for th in doc.find_all("th"):
        assert th.attrs.get("scope") in {"col", "row", "colgroup"}, th
    for table in doc.find_all("table"):
        assert table.find("caption").text
    skip = doc.find("a", class_="skip-link")
    assert skip.attrs["href"] == "#main" and doc.find("main").attrs["id"] == "main"
    assert doc.find_all("header") and doc.find_all("footer")
    assert doc.find("nav", class_="breadcrumb").attrs["aria-label"]
    switch = doc.find("nav", class_="language-switch")
    assert switch.attrs["aria-labelledby"] == switch.find("span").attrs["id"]
    links = {a.attrs["hreflang"]: a for a in switch.find_all("a")}
    assert set(links) == {"ja", "en"} and all(a.attrs["lang"] == code for code, a in links.items())
    assert [code for code, a in links.items() if a.attrs.get("aria-current") == "true"] == [lang]
    assert links["en"].attrs["href"] == url(name, *args, lang="en")
    assert links["ja"].attrs["href"] == url(name, *args, lang="ja")


@pytest.mark.parametrize(
    ("address", "japanese", "english"),
    [
        (
            "/plans/plan9/nodes/9-1-1/?year=2012&q=%E5%8C%BA",
            "/plans/plan9/nodes/9-1-1/?year=2012&q=%E5%8C%BA",
            None,
        ),
        ("/en/search/?q=abc", "/search/?q=abc", None),
        # A page not found: the home page of each language.
        ("/no-such-page/?q=1", "/", "/en/"),
        ("/en/ページ/?q=1", "/", "/en/"),
    ],
)
def test_the_language_links_lead_to_the_same_page_in_each_language(
    client: Client, seeded: Sample, address: str, japanese: str, english: str | None
) -> None:
    """A page's own address made again in the other language, its query kept."""
    doc = parse(client.get(address).content)
    switch = doc.find("nav", class_="language-switch")
    links = {a.attrs["hreflang"]: a.attrs["href"] for a in switch.find_all("a")}
    assert links == {"ja": japanese, "en": english or f"/en{japanese}"}


@pytest.mark.parametrize(
    "path_info", ["//evil.example/x", "/en//evil.example/x", "/en/\\evil.example/", "/\\evil.example/"]
)
def test_an_address_sent_to_lead_off_the_site_gets_links_to_the_home_pages(path_info: str) -> None:
    """The links are made from the page's place among the site's addresses, never from the
    address as sent: one that would read as another site's links home."""
    request = RequestFactory().get("/", QUERY_STRING="next=//evil.example/")
    request.path_info = request.path = path_info
    for lang in ("ja", "en"):
        with translation.override(lang):
            assert [address_in(request, code) for code in ("ja", "en")] == ["/", "/en/"]


def test_the_language_link_leads_to_the_same_page_in_english(client: Client, seeded: Sample) -> None:
    doc = page(client, url("node", "plan9", "9-1-1"))
    english = doc.find("nav", class_="language-switch").find("a", hreflang="en")
    assert english.attrs["href"] == url("node", "plan9", "9-1-1", lang="en")
    assert english.text == "English" and english.attrs["lang"] == "en"
    translated = page(client, english.attrs["href"])
    assert translated.find("html").attrs["lang"] == "en"
    links = translated.find("nav", class_="language-switch").find_all("a")
    assert [a.text for a in links if a.attrs.get("aria-current") == "true"] == ["English"]


def test_overlapping_targets_of_one_row_take_a_second_line(client: Client, seeded: Sample) -> None:
    add_target(seeded.measure3, 2011, 2013, "●全体の推進")
    add_target(seeded.measure3, 2012, 2012, "●中間の見直し")
    doc = page(client, url("node", "plan9", "9-3-1", lang="en"))
    table = doc.find("table", class_="targets")
    assert table.find("tbody").find_all("th") == []  # a single row needs no row headings
    first, second = table_grid(table)
    assert [(start, span, cell.text) for start, span, cell in first] == [(0, 3, "●全体の推進"), (3, 1, "")]
    assert [(start, span, cell.text) for start, span, cell in second] == [
        (0, 1, ""),
        (1, 1, "●中間の見直し"),
        (2, 1, ""),
        (3, 1, ""),
    ]


def test_source_notes_stand_apart_from_the_printed_table(client: Client, seeded: Sample) -> None:
    seeded.measure3.note = "Code invented."
    seeded.measure3.save(update_fields=["note"])
    add_target(seeded.measure3, 2011, 2011, "●検討", note="Read from the 2011 column.")
    doc = page(client, url("node", "plan9", "9-3-1", lang="en"))
    assert "Read from the 2011 column." not in doc.find("table", class_="targets").text
    notes = doc.find("section", class_="sheet__notes")
    assert "This measure Code invented." in notes.text
    assert "Target FY2011: ●検討 Read from the 2011 column." in notes.text


@pytest.mark.django_db
def test_an_unknown_address_gets_a_page_in_the_site_layout(client) -> None:
    response = client.get("/plans/none/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="ja">' in body
    assert body.count("<h1") == 1 and "ページが見つかりません" in body


@pytest.mark.django_db
def test_each_rated_level_gets_its_own_rating_table(client: Client) -> None:
    """Projects (事務事業) under a measure may be rated too; the summaries count each level apart."""
    from shinchoku.plans.models import Level

    world = make_world()
    project_level = Level.objects.create(plan=world.plan, depth=3, key="project", name="事務事業", rated=True)
    project_dimension = make_dimension(
        world.plan, project_level, world.dimension.scale, key="achievement", name="達成度"
    )
    area = make_node(world.area_level, code="1", title="分野")
    programme = make_node(world.programme_level, area, code="1-1", title="政策")
    measure = make_node(world.measure_level, programme, code="1-1-1", title="施策")
    add_result(measure, 2012, "・実施", rating="2")
    for number, code in enumerate(["4", "4", "1"]):
        project = make_node(project_level, measure, code=f"1-1-1-{number}", title=f"事業{number}")
        add_result(project, 2012, "・実施", rating=code, dimension=project_dimension)

    page = client.get(reverse("portal:node", args=[world.plan.code, programme.code])).content.decode()
    assert page.count("<caption") == 2
    assert "施策計画の達成状況区分別・年度別の件数" in page
    assert "事務事業の達成度別・年度別の件数" in page
    plan_page = client.get(reverse("portal:plan", args=[world.plan.code])).content.decode()
    assert plan_page.count("<caption") >= 2 and 'id="summary-caption-2"' in plan_page
    from shinchoku.plans.selectors import rating_summaries

    measures_table, projects_table = rating_summaries(world.plan, under=programme)
    year_2012 = [column.year for column in projects_table.years].index(2012)
    counts = {row.code: row.cells[year_2012].count for row in projects_table.rows}
    assert counts == {"1": 1, "2": 0, "3": 0, "4": 2, "5": 0}
    assert projects_table.total.cells[year_2012].count == 3
    assert measures_table.total.cells[year_2012].count == 1
    assert measures_table.level_name == "施策計画" and projects_table.level_name == "事務事業"


@pytest.mark.django_db
def test_data_texts_carry_their_own_language(client: Client) -> None:
    """Japanese data on English pages and English notes on Japanese pages are marked (WCAG 3.1.2)."""
    from django.core.management import call_command

    call_command("loaddemo")
    url = reverse("portal:node", args=["kawasaki-frontier-3", "9-1-1"])
    japanese_page = client.get(url).content.decode()
    assert '<div class="text" lang="en">' in japanese_page  # the transcription notes are English
    with translation.override("en"):
        english_page = client.get(
            reverse("portal:node", args=["kawasaki-frontier-3", "9-1-1"])
        ).content.decode()
    assert english_page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<div class="text" lang="ja">' in english_page
