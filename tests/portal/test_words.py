"""What the public pages call things: the search's own results heading, fiscal years in
the reader's language, and the years whose results are not published yet."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shinchoku.progress.models import Result
from tests.factories import Sample, make_sample

from .html import Element, parse

pytestmark = pytest.mark.django_db


def url(name: str, *args: str, lang: str = "ja") -> str:
    with translation.override(lang):
        return reverse(f"portal:{name}", args=args)


def page(client: Client, address: str) -> Element:
    response = client.get(address)
    assert response.status_code == 200, address
    return parse(response.content)


@pytest.fixture
def sample() -> Sample:
    sample = make_sample()
    # The data of the sample names no fiscal year or era: whatever 年度 or 平成 a page
    # shows is its own.
    Result.objects.filter(highlight__contains="年度").update(highlight="・要約です。")
    Result.objects.filter(text__contains="平成").update(text="・庁内調査を実施しました。")
    return sample


def public_pages(lang: str) -> list[str]:
    nodes = ["9", "9-1", "9-3", "9-1-1", "9-1-2", "9-3-1"]
    search = url("search", lang=lang)
    return [
        url("home", lang=lang),
        url("plan", "plan9", lang=lang),
        *(url("node", "plan9", code, lang=lang) for code in nodes),
        search,
        f"{search}?q=説明会",
        f"{search}?q=ルール&year=2012&kind=targets",
    ]


# ------------------------------------------------------------- the search heading


def test_the_search_results_heading_is_not_the_name_of_the_results_filter(
    client: Client, sample: Sample
) -> None:
    doc = page(client, f"{url('search')}?q=説明会")
    assert doc.find("h2", id="results-heading").text == "検索結果"
    kinds = {
        option.attrs["value"]: option.text
        for option in doc.find("select", id="search-kind").find_all("option")
    }
    assert kinds["results"] == "実施結果"

    english = page(client, f"{url('search', lang='en')}?q=説明会")
    assert english.find("h2", id="results-heading").text == "Results"


# ------------------------------------------------------------------ fiscal years


#: An element of the city's own text, marked as Japanese (its first closing tag: a text
#: holds no element of its own kind).
QUOTED_JAPANESE = re.compile(r'<(span|dd|p|li)\b[^>]*\blang="ja"[^>]*>.*?</\1>', re.DOTALL)


def test_the_english_pages_name_fiscal_years_in_english(client: Client, sample: Sample) -> None:
    for address in public_pages("en"):
        # The city's own texts, marked as Japanese, are quoted as written (平成23年4月).
        html = QUOTED_JAPANESE.sub("", client.get(address).content.decode())
        for word in ("年度", "平成", "令和"):
            assert word not in html, (
                f"{address} shows {word}: …{html[max(html.find(word) - 80, 0) : html.find(word) + 40]}…"
            )
    plan = page(client, url("plan", "plan9", lang="en"))
    assert "FY2011–FY2013" in plan.text
    assert "FY2011:" in plan.find("section", aria_labelledby="reports-heading").text
    measure = page(client, url("node", "plan9", "9-1-1", lang="en"))
    assert "FY2014 onwards" in measure.text
    assert measure.find("h3", id="result-2011").text == "FY2011"


def test_the_japanese_pages_keep_both_forms_of_a_fiscal_year(client: Client, sample: Sample) -> None:
    plan = page(client, url("plan", "plan9"))
    assert "2011(平成23)年度〜2013(平成25)年度" in plan.text
    measure = page(client, url("node", "plan9", "9-1-1"))
    assert measure.find("h3", id="result-2011").text == "2011年度（平成23年度）"
    assert "2014(平成26)年度以降" in measure.text


# ------------------------------------------------------------ unpublished years


def summary_year_cells(doc: Element, year_index: int) -> list[str]:
    """The texts of the cells of one year column group of the first rating summary."""
    table = doc.find("table", class_="summary-table")
    span = len(table.find("thead").find_all("tr")[1].find_all("th")) // len(
        table.find("thead").find_all("tr")[0].find_all("th")[1:]
    )
    texts = []
    for tr in [*table.find("tbody").find_all("tr"), *table.find("tfoot").find_all("tr")]:
        column = 0
        for cell in (c for c in tr.children if isinstance(c, Element) and c.tag == "td"):
            if column // span == year_index:
                texts.append(cell.text)
            column += int(cell.attrs.get("colspan", "1"))
    return texts


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("node", [None, "9", "9-1"])
def test_a_year_without_published_results_is_not_counted_as_zeros(
    client: Client, sample: Sample, lang: str, node: str | None
) -> None:
    address = url("plan", "plan9", lang=lang) if node is None else url("node", "plan9", node, lang=lang)
    doc = page(client, address)
    label = {"ja": "未公表", "en": "not yet published"}[lang]
    # 2011 and 2012 have published results; 2013 (the third year) has none yet.
    assert set(summary_year_cells(doc, 2)) == {label}
    assert label not in summary_year_cells(doc, 1)
    assert "1" in summary_year_cells(doc, 1)
