"""The public search: a reader finds measures by words from their titles, targets and
published results, and never finds a draft of the evaluation round."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from shinchoku.plans import selectors
from shinchoku.plans.selectors.search import EXCERPT_BEFORE, EXCERPT_LENGTH, _pattern, excerpt, search_terms
from shinchoku.plans.services import node_save
from shinchoku.review import services
from tests.factories import (
    Sample,
    add_result,
    add_target,
    make_node,
    make_programme,
    make_sample,
    make_world,
)
from tests.review.conftest import make_cycle

from .html import Element, parse

pytestmark = pytest.mark.django_db

#: The cost of a search of one word, whatever the data: the site's data version and the
#: plans (read again only when that version changed); on PostgreSQL the statistics of the
#: tokens (once in a while); the word's first nodes (a common word's: the window's edge,
#: then its nodes walked, each sent with the planner's settings: no statement of their
#: own); the names and places of the nodes found (none when the process keeps them); the
#: nodes of the page with their ancestors; their matched texts. And a query or two a word
#: more.
MAX_QUERIES = 8


def url(lang: str = "ja", **params: str) -> str:
    with translation.override(lang):
        address = reverse("portal:search")
    if params:
        from urllib.parse import urlencode

        address += "?" + urlencode(params)
    return address


def search(client: Client, status: int = 200, lang: str = "ja", **params: str) -> Element:
    response = client.get(url(lang, **params))
    assert response.status_code == status, response.content.decode()[:2000]
    return parse(response.content)


def groups(doc: Element) -> list[Element]:
    return doc.find_all("li", class_="search-group")


def found_codes(doc: Element) -> list[str]:
    """The node codes of the found items, in order (from their links)."""
    return [g.find("h3").find("a").attrs["href"].rstrip("/").split("/")[-1] for g in groups(doc)]


def hits(group: Element) -> list[tuple[str, str]]:
    """(label, excerpt) of each matched field of a found item."""
    return [(div.find("dt").text, div.find("dd").text) for div in group.find_all("div", class_="search-hit")]


def marks(element: Element) -> list[str]:
    return [mark.text for mark in element.find_all("mark")]


@pytest.fixture
def sample() -> Sample:
    return make_sample()


# ---------------------------------------------------------------------- what is found


def test_finds_a_measure_by_its_title_with_the_match_marked(client: Client, sample: Sample) -> None:
    doc = search(client, lang="en", q="協働型事業")
    assert found_codes(doc)[0] == "9-1-1"
    first = groups(doc)[0]
    title = first.find("h3")
    assert "協働型事業の推進" in title.text and marks(title) == ["協働型事業"]
    assert title.find("a").attrs["href"] == reverse("portal:node", args=["plan9", "9-1-1"])
    # The plan and the ancestors say where the measure is.
    context = first.find("p", class_="search-group__context").text
    assert sample.plan.title in context and "協働のまちづくりの推進" in context
    # The purpose and the baseline hold the words too: their excerpts are shown.
    assert hits(first) == [
        (
            "Purpose",
            "協働の意義、手法等を基本的な内容とする「協働型事業のルール」に基づき協働型事業の拡充を進めます。",
        ),
        ("Baseline", "●ルールに基づく協働型事業の拡充 ●ルールの広報や説明会の開催"),
    ]
    assert marks(first.find("dl")) == ["協働型事業"] * 3


def test_finds_a_result_by_its_text_with_the_year(client: Client, sample: Sample) -> None:
    doc = search(client, lang="en", q="庁内調査")
    assert found_codes(doc) == ["9-1-1"]
    (hit,) = groups(doc)[0].find_all("div", class_="search-hit")
    label = hit.find("dt")
    assert "Result FY2011" in label.text and "What was done" in label.text
    assert label.find("a").attrs["href"].endswith("/plans/plan9/nodes/9-1-1/#result-2011")
    assert marks(hit) == ["庁内調査"]
    assert "庁内調査を平成23年4月に実施しました。" in hit.find("dd").text


def test_finds_a_result_by_its_context_change_and_response(client: Client, sample: Sample) -> None:
    doc = search(client, lang="en", q="相談")
    assert found_codes(doc) == ["9-1-1"]
    labels = [label for label, _text in hits(groups(doc)[0])]
    assert labels == [
        "Result FY2012Changes in circumstances and issues",
        "Result FY2012Response to new issues",
    ]


def test_finds_targets_as_planned_revised_and_the_reason(client: Client, sample: Sample) -> None:
    doc = search(client, lang="en", q="補助制度")
    assert found_codes(doc) == ["9-1-1"]
    assert hits(groups(doc)[0]) == [("Target FY2012Reason for the revision", "補助制度を見直したため")]
    doc = search(client, lang="en", q="モデル事業")
    assert [label for label, _ in hits(groups(doc)[0])] == [
        "Target FY2012As planned",
        "Target FY2012Revised",
    ]


def test_a_full_width_query_finds_half_width_text_and_back(client: Client, sample: Sample) -> None:
    # Stored normalised: "・2011年度の要約です。"
    assert found_codes(search(client, q="２０１１年度の要約")) == ["9-1-1"]
    # Text typed without normalising (e.g. in the admin) is found by the half-width query.
    add_result(sample.measure3, 2011, "・説明会を平成２４年１月に開催しました。", rating=None)
    doc = search(client, q="平成24年1月")
    assert found_codes(doc) == ["9-3-1"]
    # The excerpt is of the text as indexed: normalised.
    assert marks(groups(doc)[0]) == ["平成24年1月"]
    # Full-width Latin letters and the ideographic space too.
    assert search_terms("ＳＥＮＴＩＮＥＬ\u3000ａｂｃ") == ("SENTINEL", "abc")


def test_a_result_in_latin_letters_is_shown_whatever_their_case(client: Client, sample: Sample) -> None:
    # A hit of the page is looked at in its stored text, which keeps its case: the query,
    # folded, still finds it and marks it as written.
    add_result(sample.measure3, 2011, "・NPO法人とＷｏｒｋｓｈｏｐを開催しました。", rating=None)
    doc = search(client, lang="en", q="npo workshop")
    assert found_codes(doc) == ["9-3-1"]
    ((label, excerpt),) = hits(groups(doc)[0])
    assert label.startswith("Result FY2011") and "NPO法人とWorkshopを開催しました。" in excerpt
    assert marks(groups(doc)[0]) == ["NPO", "Workshop"]
    # A letter that folding lengthens (ß → ss): the text is kept folded, and found.
    add_result(sample.other_measure, 2011, "・Straße des Bürgerforums", rating=None)
    doc = search(client, lang="en", q="STRASSE")
    (found,) = groups(doc)
    assert found_codes(doc) == [sample.other_measure.code]
    assert [label for label, _ in hits(found)] == ["Result FY2011What was done"]


def test_every_term_must_be_found_in_a_node(client: Client, sample: Sample) -> None:
    assert found_codes(search(client, q="開催")) == ["9-1-1", "9-3-1"]
    assert found_codes(search(client, q="区民会議 開催")) == ["9-3-1"]
    # The terms may be in different texts of the node: the title and a result.
    assert found_codes(search(client, q="協働型事業の推進 庁内調査")) == ["9-1-1"]
    # In two different nodes is not enough.
    assert found_codes(search(client, q="区民会議 講座")) == []
    doc = search(client, lang="en", q="区民会議 講座")
    assert "Nothing matches “区民会議 講座”." in doc.find("p", class_="search-results__count").text


def test_a_node_named_by_the_terms_comes_first(client: Client, sample: Sample) -> None:
    # 9-1-1 holds 市民活動 nowhere in its name; 9-1-2 is called 市民活動の支援.
    add_result(sample.measure, 2013, "市民活動を支援しました。", rating=None)
    assert found_codes(search(client, q="市民活動")) == ["9-1-2", "9-1-1"]


def test_like_wildcards_are_plain_characters(client: Client, sample: Sample) -> None:
    assert found_codes(search(client, q="%")) == []
    assert found_codes(search(client, q="_")) == []
    add_result(sample.measure3, 2011, "達成率は100%でした。", rating=None)
    assert found_codes(search(client, q="100%")) == ["9-3-1"]


# ------------------------------------------------------------------------- filters


def test_filters_by_plan_year_and_kind(client: Client, sample: Sample) -> None:
    other = make_world(code="other-plan")
    area = make_node(other.area_level, code="x", title="別の計画")
    programme = make_node(other.programme_level, area, code="x-1", title="別のプログラム")
    elsewhere = make_node(other.measure_level, programme, code="x-1-1", title="講座の運営")
    add_result(elsewhere, 2011, "・講座を実施しました。")

    assert set(found_codes(search(client, q="講座"))) == {"9-1-2", "x-1-1"}
    assert found_codes(search(client, q="講座", plan="plan9")) == ["9-1-2"]
    assert found_codes(search(client, q="講座", plan="other-plan")) == ["x-1-1"]

    # 実施しました: 9-1-1 in 2011, 9-1-2 in 2012 (and x-1-1 in 2011).
    assert found_codes(search(client, q="実施しました", plan="plan9", year="2011")) == ["9-1-1"]
    assert found_codes(search(client, q="実施しました", plan="plan9", year="2012")) == ["9-1-2"]
    doc = search(client, lang="en", q="実施しました", plan="plan9", year="2012")
    assert all("FY2012" in label for label, _ in hits(groups(doc)[0]))
    # Targets by the years they are set for: ●ルールに基づく拡充 spans 2012–2013.
    assert found_codes(search(client, q="ルールに基づく拡充", year="2013", kind="targets")) == ["9-1-1"]
    assert found_codes(search(client, q="ルールに基づく拡充", year="2011", kind="targets")) == []
    # 事業推進 is set for 2014 onwards, the plan's onwards column, which the year filter offers.
    assert found_codes(search(client, q="事業推進", year="2014", kind="targets")) == ["9-1-1"]
    assert found_codes(search(client, q="事業推進", year="2013", kind="targets")) == []

    # 説明会: in a target and a result of 9-1-1.
    doc = search(client, lang="en", q="説明会", kind="targets")
    assert [label for label, _ in hits(groups(doc)[0])] == ["Target FY2011As planned"]
    doc = search(client, lang="en", q="説明会", kind="results")
    assert [label for label, _ in hits(groups(doc)[0])] == ["Result FY2011What was done"]
    # Only the names and descriptions of nodes: the programme's title, not the results.
    assert found_codes(search(client, q="協働のまちづくり", kind="nodes")) == ["9-1"]
    assert found_codes(search(client, q="庁内調査", kind="nodes")) == []

    # The chosen filters stay chosen in the form.
    doc = search(client, q="講座", plan="plan9", year="2012", kind="results")
    assert doc.find("select", id="search-plan").find("option", selected="").attrs["value"] == "plan9"
    assert doc.find("select", id="search-year").find("option", selected="").attrs["value"] == "2012"
    assert doc.find("select", id="search-kind").find("option", selected="").attrs["value"] == "results"


# ----------------------------------------------------------------------- pagination


def test_results_are_paged_twenty_a_page_keeping_the_query(client: Client) -> None:
    world = make_world(code="big")
    make_programme(world, "p", measures=25, years=range(2011, 2012))
    doc = search(client, lang="en", q="結果2011", plan="big")
    assert len(groups(doc)) == 20
    assert "25 items match “結果2011”." in doc.find("p", class_="search-results__count").text
    nav = doc.find("nav", class_="pagination")
    assert not nav.find_all("a", rel="prev")
    next_link = nav.find("a", rel="next").attrs["href"]
    assert next_link == "?q=%E7%B5%90%E6%9E%9C2011&plan=big&page=2"
    second = parse(client.get(url("en") + next_link).content)
    assert len(groups(second)) == 5
    assert second.find("ol", class_="search-list").attrs["start"] == "21"
    assert second.find("nav", class_="pagination").find("a", rel="prev").attrs["href"] == (
        "?q=%E7%B5%90%E6%9E%9C2011&plan=big"
    )
    assert set(found_codes(doc)).isdisjoint(found_codes(second))
    # A page out of range shows the last one; a page that is not a number the first.
    assert found_codes(search(client, q="結果2011", page="99")) == found_codes(second)
    assert found_codes(search(client, q="結果2011", page="x")) == found_codes(doc)


def test_beyond_the_limit_the_page_says_so_and_pages_within_it(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shinchoku.plans.selectors import search as search_module
    from shinchoku.search import matching

    world = make_world(code="many")
    make_programme(world, "p", measures=5, years=range(2011, 2012))
    monkeypatch.setattr(matching, "LIMIT", 3)
    monkeypatch.setattr(search_module, "RESULTS_PER_PAGE", 2)
    doc = search(client, lang="en", q="結果2011")
    count = doc.find("p", class_="search-results__count").text
    assert "3 or more items match “結果2011”." in count and "Showing 1–2." in count
    assert "1–2 of 3 or more" in doc.find("nav", class_="pagination").text
    second = search(client, lang="en", q="結果2011", page="2")
    assert len(groups(doc)) == 2 and len(groups(second)) == 1
    assert set(found_codes(doc)).isdisjoint(found_codes(second))
    assert not second.find("nav", class_="pagination").find_all("a", rel="next")
    japanese = search(client, q="結果2011").find("p", class_="search-results__count").text
    assert "「結果2011」に一致するものが3件以上あります。" in japanese


def test_a_measure_with_many_matches_shows_three_and_counts_the_rest(client: Client) -> None:
    world = make_world(first_year=2011, last_year=2020)
    programme = make_programme(world, "p", measures=1, years=range(2011, 2019))
    doc = search(client, lang="en", q="結果")
    (group,) = groups(doc)
    assert found_codes(doc) == ["p-1"] and programme.code == "p"
    assert len(hits(group)) == 3
    # The latest years first.
    assert hits(group)[0][0].startswith("Result FY2018")
    assert "And 5 more passages on its page." in group.find("p", class_="search-group__more").text


# ------------------------------------------------------------------------- escaping


def test_markup_in_data_and_query_is_shown_as_text(client: Client, sample: Sample) -> None:
    add_result(sample.measure3, 2011, '前置き<script>alert("x")</script>後書き', rating=None)
    response = client.get(url(q="<script>"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<script" not in content
    doc = parse(content)
    assert found_codes(doc) == ["9-3-1"]
    assert marks(groups(doc)[0]) == ["<script>"]  # parsed back from &lt;script&gt;
    assert "<mark>&lt;script&gt;</mark>alert(&quot;x&quot;)&lt;/script&gt;後書き" in content
    assert doc.find("input", id="search-q").attrs["value"] == "<script>"
    # Quotes cannot close the attribute.
    doc = search(client, q='"><b>x')
    assert doc.find("input", id="search-q").attrs["value"] == '"><b>x'
    assert not doc.find("main").find_all("b")


# ------------------------------------------------------------------- drafts stay private


SENTINEL = "SENTINEL-search-4c1e"


def test_a_draft_is_not_found_until_its_round_is_published(client: Client) -> None:
    cycle = make_cycle(year=2013)
    cycle.written(text=f"・{SENTINEL}を実施しました。", context_change=f"・{SENTINEL}の変化")
    assert found_codes(search(client, q=SENTINEL)) == []
    assert found_codes(search(client, q="sentinel-SEARCH")) == []
    entry = cycle.fresh()
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    assert found_codes(search(client, q=SENTINEL)) == []

    services.round_publish(cycle.round, actor=cycle.admin)
    doc = search(client, lang="en", q=SENTINEL)
    assert found_codes(doc) == ["9-1-1"]
    assert [label for label, _ in hits(groups(doc)[0])] == [
        "Result FY2013What was done",
        "Result FY2013Changes in circumstances and issues",
    ]
    # Matched whatever the case of the Latin letters.
    assert found_codes(search(client, q="sentinel-SEARCH")) == ["9-1-1"]


# --------------------------------------------------------------------------- cost


def queries(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(context.captured_queries)


def test_a_search_costs_as_many_queries_for_3_or_60_measures(
    client: Client, django_assert_max_num_queries
) -> None:
    few, many = make_world(code="few"), make_world(code="many")
    make_programme(few, "p", measures=3, years=range(2011, 2014))
    make_programme(many, "p", measures=60, years=range(2011, 2014))
    for node in many.plan.nodes.filter(level=many.measure_level)[:30]:
        add_target(node, 2011, 2011, "結果を目指す", revised_text="結果", revision_reason="結果")
    small = url(q="結果 20", plan="few")
    large = url(q="結果 20", plan="many")
    # The way the words are found (walked or through the index, a query more or less)
    # depends on how common they are, the number of queries never on the size of the
    # data; the page around the search costs the data version and the session.
    assert queries(client, small) <= MAX_QUERIES + 3
    assert queries(client, large) <= MAX_QUERIES + 3
    # The search itself (the page around it may cost a look at the data version).
    with django_assert_max_num_queries(MAX_QUERIES + 1):
        page = selectors.search_page(q="結果 20", plan="many")
    assert len(page.groups) == 20
    with django_assert_max_num_queries(MAX_QUERIES + 2):
        selectors.search_page(q="結果 ２０１ 1", year="2012", kind="results")
    # Without a query, the form alone: the site's data version and the plans (read again
    # within a transaction, which may have written them).
    with django_assert_max_num_queries(2):
        selectors.search_page(q="")


@pytest.mark.django_db(transaction=True)
def test_the_plans_of_the_filter_are_read_again_only_when_the_data_changed() -> None:
    make_world(code="first")
    assert [choice.value for choice in selectors.search_page(q="").plans] == ["first"]
    # The site's data version unchanged: the plans as read before, none read.
    with CaptureQueriesContext(connection) as context:
        page = selectors.search_page(q="")
    assert [choice.value for choice in page.plans] == ["first"]
    assert not any("plans_plan" in query["sql"] for query in context.captured_queries)
    # A plan written raises the version: the filter offers it at once.
    make_world(code="second")
    assert sorted(choice.value for choice in selectors.search_page(q="").plans) == ["first", "second"]
    assert selectors.search_page(q="年度", plan="second").errors == ()


@pytest.mark.django_db(transaction=True)
def test_the_nodes_of_a_page_are_read_again_only_when_the_data_changed() -> None:
    """The nodes of a page and their ancestors are kept by each process under the site's
    data version (``published.kept``), as a web request runs a search (outside a
    transaction), and on PostgreSQL the names and places of the nodes found too (the page
    gives the search its version); a node renamed raises the version, and the page shows
    its new name."""
    sample = make_sample()

    def page_nodes() -> tuple[list[str], list[str]]:
        with CaptureQueriesContext(connection) as context:
            page = selectors.search_page(q="協働型事業")
        kept = ['"plans_level"."rated"']
        if connection.vendor == "postgresql":
            kept.append('"plans_node"."outline"')
        read = [q["sql"] for q in context.captured_queries if any(mark in q["sql"] for mark in kept)]
        return [crumb.name for group in page.groups for crumb in group.breadcrumb], read

    crumbs, read = page_nodes()
    assert "協働のまちづくりの推進" in crumbs and read
    assert page_nodes() == (crumbs, [])
    sample.programme.title = "協働によるまちづくり"
    node_save(sample.programme)
    renamed, read_renamed = page_nodes()
    assert "協働によるまちづくり" in renamed and "協働のまちづくりの推進" not in renamed and read_renamed


def test_the_filters_options_are_text_whatever_the_names_hold(client: Client) -> None:
    world = make_world(code="marked")
    world.plan.title = """<b>計画</b> & "引用" 'x'"""
    world.plan.save()
    doc = search(client, q="計画", plan="marked")
    chosen = doc.find("select", id="search-plan").find_all("option", value="marked")
    assert len(chosen) == 1 and "selected" in chosen[0].attrs
    assert chosen[0].text == """<b>計画</b> & "引用" 'x'"""
    assert chosen[0].find_all("b") == []


# ----------------------------------------------------- the form, tips, refusals


def test_without_a_query_the_form_and_tips_are_shown(client: Client, sample: Sample) -> None:
    doc = search(client, lang="en")
    form = doc.find("form", class_="search-form")
    assert form.attrs["role"] == "search" and form.attrs["method"] == "get"
    assert doc.find("label", **{"for": "search-q"}).text == "Words to search for"
    assert doc.find("section", class_="search-tips").find("h2").text == "How to search"
    assert not doc.find_all("section", class_="search-results")
    plans = [o.attrs["value"] for o in doc.find("select", id="search-plan").find_all("option")]
    assert plans == ["", "plan9"]
    years = [o.text for o in doc.find("select", id="search-year").find_all("option")]
    assert years == [
        "All years",
        "FY2014",  # the onwards column, for targets
        "FY2013",
        "FY2012",
        "FY2011",
    ]
    # Blank space is no query.
    assert not search(client, q="　 ").find_all("section", class_="search-results")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "あ" * 201}, "The search is too long: use at most 200 characters."),
        ({"q": "長" * 100_000}, "The search is too long: use at most 200 characters."),
        ({"q": " ".join(f"語{n}" for n in range(11))}, "The search has too many words: use at most 10."),
        ({"q": "協働", "year": "二〇一二"}, "Choose a fiscal year from the list."),
        ({"q": "協働", "year": "99999999999999999999"}, "Choose a fiscal year from the list."),
        ({"q": "協働", "year": "1999"}, "Choose a fiscal year from the list."),
        ({"q": "協働", "year": "２０１２"}, "Choose a fiscal year from the list."),
        ({"q": "協働", "plan": "no-such-plan"}, "Choose a plan from the list."),
        ({"q": "協働", "kind": "entries"}, "Choose what to search from the list."),
    ],
)
def test_a_request_that_cannot_be_searched_says_why(
    client: Client, sample: Sample, params: dict[str, str], message: str
) -> None:
    doc = search(client, 400, lang="en", **params)
    errors = doc.find("div", id="search-errors")
    assert errors.attrs["role"] == "alert" and message in errors.text
    box = doc.find("input", id="search-q")
    assert box.attrs["aria-invalid"] == "true" and "search-errors" in box.attrs["aria-describedby"]
    assert len(box.attrs["value"]) <= selectors.MAX_QUERY_LENGTH
    assert not doc.find_all("section", class_="search-results")


def test_ten_words_and_200_characters_are_accepted(client: Client, sample: Sample) -> None:
    def searched(query: str) -> tuple[str, list[str]]:
        """The count the page gives and the codes found; no error is shown."""
        doc = search(client, lang="en", q=query)
        assert not doc.find_all("div", id="search-errors")
        assert doc.find("input", id="search-q").attrs["value"] == query
        return doc.find("p", class_="search-results__count").text.strip(), found_codes(doc)

    # Repeated words count once: 協働 is found, in 9-1-1 and its programme.
    count, codes = searched(" ".join(["協働"] * 20))
    assert {"9-1", "9-1-1"} <= set(codes) and count.endswith(f"match “{' '.join(['協働'] * 20)}”.")
    assert searched(" ".join(f"語{n}" for n in range(10)))[1] == []
    add_result(sample.measure3, 2011, "・" + "協" * 200, rating=None)
    assert searched("協" * 200)[1] == ["9-3-1"]


def test_every_page_has_a_search_box_in_its_header(client: Client, sample: Sample) -> None:
    for address in (
        reverse("portal:home"),
        reverse("portal:plan", args=["plan9"]),
        reverse("portal:node", args=["plan9", "9-1-1"]),
        url(q="協働"),
    ):
        doc = parse(client.get(address).content)
        header = doc.find("header", class_="site-header")
        form = header.find("form", role="search")
        assert form.attrs["action"] == reverse("portal:search") and form.attrs["method"] == "get"
        assert form.attrs["aria-label"]
        box = form.find("input", name="q")
        assert form.find("label", **{"for": box.attrs["id"]}).text
        assert box.attrs["maxlength"] == str(selectors.MAX_QUERY_LENGTH)
    home = parse(client.get(reverse("portal:home")).content)
    assert (
        home.find("main").find("form", role="search").find("input", name="q").attrs["id"] == "home-search-q"
    )


def test_the_search_page_speaks_the_readers_language(client: Client, sample: Sample) -> None:
    doc = search(client, lang="en", q="協働")
    assert doc.find("html").attrs["lang"] == "en"
    assert doc.find("h1").text == "Search"
    assert search(client, q="協働").find("html").attrs["lang"] == "ja"


# ------------------------------------------------------------------------ excerpts


def test_an_excerpt_is_cut_around_the_first_match() -> None:
    pattern = _pattern(("目標",))
    text = "前" * 100 + "目標" + "後" * 200
    found = excerpt(text, pattern)
    assert found is not None and found.cut_before and found.cut_after
    joined = "".join(f.text for f in found.fragments)
    assert len(joined) == EXCERPT_LENGTH
    assert joined.startswith("前" * EXCERPT_BEFORE + "目標")
    assert [f.text for f in found.fragments if f.mark] == ["目標"]
    # Lines are joined; a short text is whole.
    short = excerpt("・目標を立てた\n・目標を達成した", pattern)
    assert short is not None and not short.cut_before and not short.cut_after
    assert "".join(f.text for f in short.fragments) == "・目標を立てた ・目標を達成した"
    assert [f.text for f in short.fragments if f.mark] == ["目標", "目標"]
    assert excerpt("何もない", pattern) is None
    # The longer of two overlapping terms is marked.
    assert [f.text for f in excerpt("事業目標", _pattern(("目標", "事業目標"))).fragments] == ["事業目標"]
    # A match near the end keeps the excerpt full-length.
    tail = excerpt("前" * 300 + "目標", pattern)
    assert tail is not None and not tail.cut_after
    assert len("".join(f.text for f in tail.fragments)) == EXCERPT_LENGTH
    assert re.fullmatch(r"前+目標", "".join(f.text for f in tail.fragments))
