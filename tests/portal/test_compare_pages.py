"""The pages that compare fiscal years: a measure's years side by side, its texts of two
years compared, a plan area's ratings against the year before. Each has a stable address
that a year outside the plan or without data makes a 404, never a 500; each costs the
same number of queries whatever the number of years or measures; and none shows a draft
(tests/review/test_sentinel.py)."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.plans import selectors
from shinchoku.plans.models import Node, Scale
from shinchoku.progress.models import Rating
from shinchoku.published import changes
from shinchoku.review import services
from tests.factories import (
    World,
    add_result,
    add_sections,
    add_target,
    make_dimension,
    make_node,
    make_scale,
    make_world,
)
from tests.review.conftest import make_cycle

from .html import Element, parse

pytestmark = pytest.mark.django_db

#: The cost of each page, the data version (one) included: a measure's years are its
#: sheet's queries; a comparison reads the results, the sections, the targets and the
#: breadcrumb; the changes read the kept years, the measure level and its dimensions,
#: the scale, the nodes and the ratings of both years.
MAX_QUERIES = {"years": 14, "compare": 7, "changes": 9}


@dataclass
class Area:
    world: World
    area: Node
    measures: dict[str, Node]


def rated(node: Node, ratings: dict[int, str | None]) -> None:
    """A result for each year, rated as given (None: a result without a rating)."""
    for year, code in ratings.items():
        add_result(node, year, f"・{year}年度の結果です。", rating=code)


@changes.batch()
def make_area() -> Area:
    """A plan area of two programmes whose seven measures move between FY2011 and FY2012:
    two rise, two fall, one stays, one is rated for the first time, one is not rated."""
    world = make_world(code="kawa", first_year=2011, last_year=2013)
    area = make_node(world.area_level, code="1", title="安心して暮らせるまち", label="プラン１")
    first = make_node(world.programme_level, area, code="1-1", title="地域の福祉", position=1)
    second = make_node(world.programme_level, area, code="1-2", title="防災", position=2)
    moves = {
        # code: (programme, {year: rating})
        "1-1-1": (first, {2011: "3", 2012: "1"}),  # two levels up
        "1-1-2": (first, {2011: "2", 2012: "3"}),  # one down
        "1-1-3": (first, {2011: "3", 2012: "3"}),  # stays
        "1-2-1": (second, {2012: "4"}),  # first rated
        "1-2-2": (second, {2011: "2", 2012: None}),  # no rating this year
        "1-2-3": (second, {2011: "5", 2012: "4"}),  # one up
        "1-2-4": (second, {2011: "1", 2012: "5"}),  # four down
    }
    measures = {}
    for position, (code, (programme, ratings)) in enumerate(moves.items()):
        node = make_node(world.measure_level, programme, code=code, title=f"施策{code}", position=position)
        rated(node, ratings)
        measures[code] = node
    return Area(world, area, measures)


def page(client: Client, name: str, *args: object, query: str = "", status: int = 200) -> Element:
    response = client.get(reverse(f"portal:{name}", args=args) + query)
    assert response.status_code == status, response.content.decode()[:1000]
    return parse(response.content)


def group_codes(doc: Element, key: str) -> list[str]:
    """The codes of the measures listed in a group of the changes page, in order."""
    section = next(s for s in doc.find_all("section") if f"change-group--{key}" in s.attrs.get("class", ""))
    return [a.attrs["href"].rstrip("/").split("/")[-1] for a in section.find_all("a")]


# ---------------------------------------------------------------- ratings that moved


def test_an_area_shows_what_rose_and_fell_biggest_first(client: Client) -> None:
    made = make_area()
    doc = page(client, "node_changes", "kawa", "1", 2012)
    assert group_codes(doc, "rose") == ["1-1-1", "1-2-3"]
    assert group_codes(doc, "fell") == ["1-2-4", "1-1-2"]
    assert group_codes(doc, "stayed") == ["1-1-3"]
    assert group_codes(doc, "new") == ["1-2-1"]
    assert group_codes(doc, "unrated") == ["1-2-2"]
    rows = [tr.text for tr in doc.find_all("tr")]
    assert any("施策1-2-4" in row and "4段階下がった" in row for row in rows), rows
    # The programme is named beside each measure; the breadcrumb leads back to the area.
    assert "地域の福祉" in doc.find("table", class_="changes").text
    crumbs = doc.find("nav", class_="breadcrumb").find_all("a")
    assert crumbs[-1].attrs["href"] == reverse("portal:node", args=["kawa", "1"])
    # A programme has the page too, of its own measures.
    programme = page(client, "node_changes", "kawa", "1-2", 2012)
    assert group_codes(programme, "rose") == ["1-2-3"]
    assert made.measures["1-1-1"].code not in programme.text


def test_a_scale_whose_last_level_is_best_turns_rises_into_falls(client: Client) -> None:
    made = make_area()
    Scale.objects.filter(pk=made.world.scale.pk).update(good_end=Scale.GoodEnd.LAST)
    doc = page(client, "node_changes", "kawa", "1", 2012)
    assert group_codes(doc, "rose") == ["1-2-4", "1-1-2"]
    assert group_codes(doc, "fell") == ["1-1-1", "1-2-3"]
    best = doc.find("ul", class_="change-scale").find_all("li")[0]
    assert best.text.endswith("目標を大きく下回った")


def test_another_dimension_of_the_measures_is_compared_on_request(client: Client) -> None:
    made = make_area()
    scale = make_scale([("A", "妥当", False), ("B", "概ね妥当", False), ("C", "見直しが必要", True)])
    validity = make_dimension(
        made.world.plan, made.world.measure_level, scale, key="validity", name="妥当性", primary=False
    )
    with changes.batch():
        for code, before, after in (("1-1-1", "A", "C"), ("1-1-2", "C", "B")):
            for year, level in ((2011, before), (2012, after)):
                result = made.measures[code].results.get(fiscal_year=year)
                Rating.objects.create(result=result, dimension=validity, level=scale.levels.get(code=level))
    doc = page(client, "node_changes", "kawa", "1", 2012, query="?dimension=validity")
    assert group_codes(doc, "rose") == ["1-1-2"]
    assert group_codes(doc, "fell") == ["1-1-1"]
    assert len(group_codes(doc, "unrated")) == 5
    # The primary dimension is the page without the query; each is linked from the other.
    links = [a.attrs["href"] for a in doc.find_all("nav", class_="change-nav")[1].find_all("a")]
    assert links == [reverse("portal:node_changes", args=["kawa", "1", 2012])]
    primary = page(client, "node_changes", "kawa", "1", 2012)
    links = [a.attrs["href"] for a in primary.find_all("nav", class_="change-nav")[1].find_all("a")]
    assert links == [reverse("portal:node_changes", args=["kawa", "1", 2012]) + "?dimension=validity"]


def test_the_area_page_links_each_year_with_a_comparison(client: Client) -> None:
    make_area()
    doc = page(client, "node", "kawa", "1")
    links = doc.find("div", class_="changes-links").find_all("a")
    assert [a.attrs["href"] for a in links] == [reverse("portal:node_changes", args=["kawa", "1", 2012])]
    assert page(client, "node", "kawa", "1-1").find("div", class_="changes-links") is not None


def test_changes_not_offered_are_not_found(client: Client) -> None:
    make_area()
    for code, year, query in (
        ("1", 2011, ""),  # the first year of the plan has no year before it
        ("1", 2013, ""),  # no result published yet
        ("1", 2014, ""),  # the onwards column
        ("1", 1999, ""),
        ("1", 99999999999, ""),
        ("1-1-1", 2012, ""),  # a measure has no measures below it
        ("nope", 2012, ""),
        ("1", 2012, "?dimension=nope"),
    ):
        page(client, "node_changes", "kawa", code, year, query=query, status=404)


# ---------------------------------------------------------------- years side by side


def test_a_measures_years_side_by_side(client: Client) -> None:
    world = make_world(code="side", first_year=2011, last_year=2013)
    area = make_node(world.area_level, code="a")
    programme = make_node(world.programme_level, area, code="p")
    node = make_node(world.measure_level, programme, code="m", title="協働型事業の推進")
    add_target(node, 2011, 2011, "●説明会の開催")
    add_target(
        node,
        2012,
        2013,
        "●モデル事業の実施",
        revised_text="●モデル事業の検証",
        revision_reason="制度の見直し",
    )
    add_result(node, 2011, "・説明会を3回開催しました。", rating="3", context_change="・相談が増えた。")
    add_result(node, 2012, "・説明会を5回開催しました。", rating="2", response="・窓口を拡充します。")
    doc = page(client, "node_years", "side", "m")
    table = doc.find("table", class_="years")
    headings = [th.text.strip() for th in table.find("thead").find_all("th")]
    assert headings[0].startswith("2011(平成23)年度") and headings[3].startswith("2014(平成26)年度以降")
    # Each year after the first with a result links the comparison with the year before.
    compare = table.find("thead").find_all("a")
    assert [a.attrs["href"] for a in compare] == [
        reverse("portal:node_compare", args=["side", "m"]) + "?from=2011&to=2012"
    ]
    rows = {
        tr.find("th").text.strip(): tr for tr in table.find("tbody", class_="years__results").find_all("tr")
    }
    assert list(rows) == ["達成状況区分", "実施結果", "環境等の変化・課題等", "新たな課題等への対応"]
    cells = [td.text.strip() for td in rows["達成状況区分"].find_all("td")]
    assert cells[0].startswith("3") and "目標をほぼ達成" in cells[0] and cells[1].startswith("2")
    # FY2013 has no result yet: said so, not left blank.
    assert "結果は公表されていません" in cells[2]
    targets = table.find("tbody", class_="years__targets").text
    assert "●モデル事業の検証" in targets and "制度の見直し" in targets
    assert table.find("td", class_="years__span").attrs["colspan"] == "2"
    # The measure page links here.
    measure = page(client, "node", "side", "m")
    links = [a.attrs["href"] for a in measure.find("nav", class_="compare-links").find_all("a")]
    assert reverse("portal:node_years", args=["side", "m"]) in links


def test_years_are_a_page_of_a_measure_only(client: Client) -> None:
    make_area()
    page(client, "node_years", "kawa", "1", status=404)
    page(client, "node_compare", "kawa", "1-1", status=404)
    page(client, "node_years", "kawa", "1-9-9", status=404)
    page(client, "node_years", "nope", "1-1-1", status=404)


# ---------------------------------------------------------------- texts compared


@changes.batch()
def make_texts() -> Node:
    world = make_world(code="texts", first_year=2011, last_year=2014)
    sections = add_sections(world.plan, world.measure_level)
    area = make_node(world.area_level, code="a")
    node = make_node(world.measure_level, make_node(world.programme_level, area, code="p"), code="m")
    add_target(node, 2011, 2012, "●ルールに基づく拡充")
    add_target(node, 2013, 2013, "●ルールの見直し")
    for year, text, issue in (
        (2011, "・庁内調査を実施しました。\n・説明会を3回開催しました。", "周知の不足"),
        (2012, "・庁内調査を実施しました。\n・説明会を5回開催しました。\n・講座を開きました。", "周知の不足"),
        (2013, "・説明会を5回開催しました。", "担い手の不足"),
    ):
        result = add_result(node, year, text)
        result.section_texts.create(section=sections["issues"], text=issue)
    return node


def test_two_years_texts_compared_sentence_by_sentence(client: Client) -> None:
    make_texts()
    doc = page(client, "node_compare", "texts", "m", query="?from=2011&to=2012")
    fields = {s.find("h2").text: s for s in doc.find_all("section", class_="diff-field")}
    assert list(fields) == ["実施結果", "課題", "事業内容・目標"]
    result = fields["実施結果"]
    assert result.find("p", class_="diff-field__summary").text == "1文を追加、1文を変更"
    assert [d.text for d in result.find_all("del")] == ["［削除：3］"]
    assert [i.text for i in result.find_all("ins")] == ["［追加：5］", "［追加：・講座を開きました。］"]
    assert [b.text for b in result.find_all("span", class_="diff__badge")] == ["変更", "追加"]
    assert fields["課題"].find("p", class_="diff-field__summary").text == "変更なし"
    # The form offers the years with a published result, these two chosen.
    selected = [o.text for o in doc.find_all("option") if "selected" in o.attrs]
    assert selected == ["2011年度（平成23年度）", "2012年度（平成24年度）", "すべての文章"]


def test_one_text_and_the_targets_of_two_years(client: Client) -> None:
    make_texts()
    doc = page(client, "node_compare", "texts", "m", query="?from=2012&to=2013&field=targets")
    (field,) = doc.find_all("section", class_="diff-field")
    assert field.find("h2").text == "事業内容・目標"
    # Two targets with little in common: one removed, the other added, not a jumble.
    assert [d.text for d in field.find_all("del")] == ["［削除：●ルールに基づく拡充］"]
    assert [i.text for i in field.find_all("ins")] == ["［追加：●ルールの見直し］"]
    assert field.find("p", class_="diff-field__summary").text == "1文を追加、1文を削除"


def test_an_address_without_years_goes_to_the_latest_two(client: Client) -> None:
    make_texts()
    address = reverse("portal:node_compare", args=["texts", "m"])
    response = client.get(address)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{address}?from=2012&to=2013"
    response = client.get(address + "?to=2012&field=issues")
    assert response["Location"] == f"{address}?from=2011&to=2012&field=issues"
    # The earlier year after the later one is a comparison too, the other way round.
    page(client, "node_compare", "texts", "m", query="?from=2013&to=2011")


def test_years_or_texts_not_offered_are_not_found(client: Client) -> None:
    make_texts()
    for query in (
        "?from=2010&to=2012",  # before the plan
        "?from=2011&to=2014",  # in the plan, no result
        "?from=2011&to=2099",
        "?from=abc&to=2012",
        "?from=２０１１&to=2012",
        "?from=2011&to=2012&field=nope",
        "?from=99999999999999999999&to=2012",
    ):
        page(client, "node_compare", "texts", "m", query=query, status=404)


def test_a_measure_of_one_year_has_nothing_to_compare(client: Client) -> None:
    make_area()
    doc = page(client, "node_compare", "kawa", "1-2-1")
    assert doc.find_all("form", class_="compare-form") == []
    assert "比べるものはまだありません" in doc.find("main").text


# ---------------------------------------------------------------- cost


def queries(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(context.captured_queries)


@changes.batch()
def make_cost_plan() -> None:
    """A plan of ten years: an area of one measure rated in two of them, and one of 24
    measures rated in every year, each with a target across the period."""
    world = make_world(code="cost", first_year=2011, last_year=2020)
    add_sections(world.plan, world.measure_level)
    small_area = make_node(world.area_level, code="s")
    large_area = make_node(world.area_level, code="l")
    small = make_node(world.measure_level, make_node(world.programme_level, small_area, code="sp"), code="sm")
    rated(small, {2011: "3", 2012: "2"})
    for programme_number in range(3):
        programme = make_node(world.programme_level, large_area, code=f"lp{programme_number}")
        for number in range(8):
            node = make_node(world.measure_level, programme, code=f"lm{programme_number}-{number}")
            rated(node, {year: str(1 + (year + number) % 5) for year in range(2011, 2021)})
            add_target(node, 2011, 2020, "●事業推進")


def test_each_page_costs_the_same_for_2_or_10_years_and_few_or_many_measures(client: Client) -> None:
    make_cost_plan()
    for name, few_args, many_args, query in (
        ("years", ["cost", "sm"], ["cost", "lm0-0"], ("", "")),
        ("changes", ["cost", "s", 2012], ["cost", "l", 2020], ("", "")),
        ("compare", ["cost", "sm"], ["cost", "lm0-0"], ("?from=2011&to=2012", "?from=2011&to=2020")),
    ):
        few = queries(client, reverse(f"portal:node_{name}", args=few_args) + query[0])
        many = queries(client, reverse(f"portal:node_{name}", args=many_args) + query[1])
        assert few == many <= MAX_QUERIES[name], (name, few, many)


def test_the_links_of_an_area_page_cost_no_query(django_assert_num_queries) -> None:
    made = make_area()
    overview = selectors.node_overview(selectors.node_get("kawa", "1"))
    with django_assert_num_queries(0):
        links = selectors.change_links(overview)
    assert [link.year for link in links] == [2012]
    # Each year linked is one the page is offered for.
    assert selectors.change_years(made.area) == (2012,)


# ---------------------------------------------------------------- drafts


SENTINEL = "SENTINEL-compare-5d1b"


def test_a_draft_is_never_compared(client: Client) -> None:
    """9-1-1 has published results of FY2011 and FY2012; its FY2013 entry is a draft."""
    cycle = make_cycle(year=2013)
    cycle.written(text=f"・{SENTINEL}を実施しました。", context_change=f"・{SENTINEL}の変化", code="1")
    entry = cycle.fresh()
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)

    def public() -> str:
        pages = [
            client.get(reverse("portal:node_years", args=["plan9", "9-1-1"])),
            client.get(reverse("portal:node_compare", args=["plan9", "9-1-1"]), follow=True),
            client.get(reverse("portal:node_compare", args=["plan9", "9-1-1"]) + "?from=2011&to=2012"),
            client.get(reverse("portal:node_changes", args=["plan9", "9", 2012])),
            client.get(reverse("portal:node", args=["plan9", "9"])),
        ]
        assert [response.status_code for response in pages] == [200] * len(pages)
        return "".join(response.content.decode() for response in pages)

    assert SENTINEL not in public()
    # The draft's year is not offered: not linked, not selectable, not found.
    assert "2013&" not in public() and 'value="2013"' not in public()
    address = reverse("portal:node_compare", args=["plan9", "9-1-1"])
    assert client.get(address + "?from=2012&to=2013").status_code == 404
    assert client.get(reverse("portal:node_changes", args=["plan9", "9", 2013])).status_code == 404

    services.round_publish(cycle.round, actor=cycle.admin)
    assert SENTINEL in public()
    changes = page(client, "node_changes", "plan9", "9", 2013)
    assert group_codes(changes, "rose") == ["9-1-1"]
