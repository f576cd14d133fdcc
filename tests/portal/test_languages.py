"""Each text in its own language (WCAG 3.1.2, language of parts): the plan's Japanese data
on the English pages, and the English transcription notes on the Japanese pages, carry a
``lang`` attribute of their own, down to the Japanese words quoted inside an English note."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shinchoku.plans.models import Node
from shinchoku.progress.models import Result, Target
from shinchoku.text import language_runs, text_language
from tests.factories import Sample, make_sample

from .html import Element, parse

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3001-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
ENGLISH_PHRASE = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,]+[A-Za-z][A-Za-z'’-]*){2,}")
NOTE = "FY2011 because the text dates the survey 平成23年4月 and lists 平成23年度 projects."


@pytest.fixture
def sample() -> Sample:
    sample = make_sample()
    Node.objects.filter(pk=sample.measure.pk).update(
        note="Codes invented in printed order; the header reads アクションプログラム：協働のまちづくりの推進."
    )
    Target.objects.filter(node=sample.measure, start_year=2012, end_year=2013).update(
        note="Read as one cell spanning 2012-2013."
    )
    Result.objects.filter(node=sample.measure, fiscal_year=2011).update(note=NOTE)
    return sample


def address(name: str, *args: str, lang: str) -> str:
    with translation.override(lang):
        return reverse(f"portal:{name}", args=args)


def texts(element: Element, lang: str = "") -> Iterator[tuple[str, str]]:
    """Every text of the page's body with the language of the element it stands in."""
    lang = element.attrs.get("lang", lang)
    for child in element.children:
        if isinstance(child, str):
            if child.strip():
                yield child.strip(), lang
        elif child.tag not in ("script", "style", "title", "head"):
            yield from texts(child, lang)


def out_of_place(html: bytes) -> list[str]:
    return [
        f"{text!r} under lang={lang!r}"
        for text, lang in texts(parse(html))
        if (lang == "en" and JAPANESE.search(text)) or (lang == "ja" and ENGLISH_PHRASE.search(text))
    ]


def test_the_language_of_a_text_is_the_one_most_of_it_is_written_in() -> None:
    assert text_language(NOTE) == "en"
    assert text_language("・庁内調査を平成23年4月に実施しました。") == "ja"
    assert text_language("NPO法人と協働してICTの講座を開きました。") == "ja"
    assert text_language("「Digital Transformation Strategy」を策定しました。") == "ja"
    assert text_language("9-1-1", default="en") == "en"
    assert text_language("", default="ja") == "ja"


def test_a_text_is_cut_where_another_language_is_quoted_in_it() -> None:
    assert language_runs(NOTE, "en") == [
        ("FY2011 because the text dates the survey ", None),
        ("平成23年4月", "ja"),
        (" and lists ", None),
        ("平成23年度", "ja"),
        (" projects.", None),
    ]
    assert language_runs("「Digital Transformation Strategy」を策定しました。", "ja") == [
        ("「", None),
        ("Digital Transformation Strategy", "en"),
        ("」を策定しました。", None),
    ]
    assert language_runs("PDFとCSVで公開しました。", "ja") == [("PDFとCSVで公開しました。", None)]
    assert language_runs("協働型事業の推進", "ja") == [("協働型事業の推進", None)]


def test_english_notes_on_the_japanese_measure_page_are_marked_english(
    client: Client, sample: Sample
) -> None:
    html = client.get(address("node", "plan9", "9-1-1", lang="ja")).content
    notes = parse(html).find("section", aria_labelledby="notes-heading")
    blocks = notes.find_all("div", class_="text")
    assert len(blocks) == 3
    assert [block.attrs["lang"] for block in blocks] == ["en", "en", "en"]
    assert [span.text for span in notes.find_all("span", lang="ja")] == [
        "アクションプログラム：協働のまちづくりの推進",
        "平成23年4月",
        "平成23年度",
    ]
    assert out_of_place(html) == []


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("home", ()),
        ("plan", ("plan9",)),
        ("node", ("plan9", "9")),
        ("node", ("plan9", "9-1")),
        ("node", ("plan9", "9-1-1")),
    ],
)
def test_japanese_data_on_the_english_pages_is_marked_japanese(
    client: Client, sample: Sample, name: str, args: tuple[str, ...]
) -> None:
    html = client.get(address(name, *args, lang="en")).content
    assert parse(html).find("html").attrs["lang"] == "en"
    assert out_of_place(html) == []


@pytest.mark.parametrize("query", ["", "?q=説明会", "?q=見つからない言葉", "?q=協働&year=2012&kind=results"])
def test_the_english_search_page_marks_japanese_data_and_queries(
    client: Client, sample: Sample, query: str
) -> None:
    html = client.get(address("search", lang="en") + query).content
    assert out_of_place(html) == []
