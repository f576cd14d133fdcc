"""The HTML report: the same document as the PDF, from the same view-model, drawn with
the public site's partials, printable, escaped and accessible in structure."""

from __future__ import annotations

import itertools
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shinchoku.plans.models import Node
from shinchoku.progress.models import Result
from shinchoku.reports.render import render_html
from shinchoku.reports.selectors import report_build, report_years
from tests.factories import Sample, add_result, make_node, make_sample, name_in_english
from tests.portal.html import Element, parse, table_grid

pytestmark = pytest.mark.django_db

MARKUP = "<script>alert(1)</script> # $ * _ @ \\ [ ] { } `` ` `` < > & \"quoted\" 'single'"
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@pytest.fixture
def sample() -> Sample:
    return make_sample()


def report(plan_code: str = "plan9", **options: object) -> str:
    with translation.override("ja"):
        return render_html(report_build(plan_code, year=2012, **options))


def test_the_report_keeps_the_plans_own_names_whatever_its_wording(sample: Sample) -> None:
    """The report is the city's own document: the English names a plan gives its levels,
    dimensions, scale levels and markers are for the site's English pages, not for it."""
    name_in_english(sample)
    sample.programme_level.name_en = "Action programme"
    sample.programme_level.save(update_fields=["name_en"])
    with translation.override("en"):
        doc = parse(render_html(report_build("plan9", year=2012, language="en")))
    assert doc.find("h3", id=f"node-{sample.programme.pk}").text.startswith("アクションプログラム：")
    sheet = doc.find("article", aria_labelledby=f"node-{sample.measure.pk}")
    assert [dl.text for dl in sheet.find_all("dl", class_="ratings")] == [
        "達成状況区分 3 目標をほぼ達成",
        "達成状況区分 4 目標を下回った",
    ]
    assert doc.find("caption").text.startswith("施策計画")
    assert {span.attrs.get("title") for span in doc.find_all("span", class_="marker")} >= {"○", "重点施策"}
    assert "重点施策" in doc.find("dl", class_="markers").text
    for english in ("Action programme", "Achievement status", "Mostly achieved", "Priority measure"):
        assert english not in doc.find("body").text


def headings(doc: Element) -> list[Element]:
    return [element for element in doc.iter() if element.tag in HEADINGS]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_the_report_holds_every_area_programme_measure_and_result(sample: Sample) -> None:
    doc = parse(report())
    text = doc.find("body").text
    assert "プラン９ 市民自治と区役所機能の拡充" in doc.find("h2", id=f"node-{sample.area.pk}").text
    for programme in (sample.programme, sample.programme2):
        assert doc.find("h3", id=f"node-{programme.pk}").text == f"アクションプログラム：{programme.title}"
    for measure in (sample.measure, sample.other_measure, sample.measure3):
        assert measure.title in doc.find("h4", id=f"node-{measure.pk}").text
    for result in Result.objects.all():
        for line in lines(result.text) + lines(result.context_change) + lines(result.response):
            assert line in text, line
    # Each year's rating, code and label, on the measure's sheet.
    sheet = doc.find("article", aria_labelledby=f"node-{sample.measure.pk}")
    ratings = [dl.text for dl in sheet.find_all("dl", class_="ratings")]
    assert ratings == ["達成状況区分 3 目標をほぼ達成", "達成状況区分 4 目標を下回った"]
    assert [h.text for h in sheet.find_all("h5")] == ["2011年度（平成23年度）", "2012年度（平成24年度）"]
    assert "・相談件数が増加しています。" in sheet.text and "・相談窓口を拡充します。" in sheet.text
    # The summary pages quote the report year's highlights, with markers and rating.
    highlights = doc.find("section", class_="highlights")
    titles = [p.text for p in highlights.find_all("p", class_="highlight__title")]
    assert titles == [
        "協働型事業の推進 ○ （4 目標を下回った）",
        "市民活動の支援 重点 （3 目標をほぼ達成）",
        "区民会議の運営 （3 目標をほぼ達成）",
    ]
    assert "・事業一覧を作成・公表しました。" in highlights.text
    assert "2011年度の要約" not in highlights.text


def test_sections_come_in_the_order_of_the_pdf(sample: Sample) -> None:
    doc = parse(report())
    order = [element.attrs.get("id") or element.text for element in headings(doc)]
    area, programme, other, programme2, measure3 = (
        f"node-{node.pk}"
        for node in (sample.area, sample.programme, sample.other_measure, sample.programme2, sample.measure3)
    )
    measure = f"node-{sample.measure.pk}"

    def at(key: str) -> int:
        return order.index(key)

    assert order[0] == doc.find("h1").text and order[1] == "contents-heading"
    assert at(area) < at(f"{area}-highlights") < at(f"{area}-ratings") < at(programme)
    assert at(programme) < at(measure) < at(other) < at(programme2) < at(measure3) < at("unit-index")
    # The contents link to each plan area and programme, and to the index.
    toc = [a.attrs["href"] for a in doc.find("nav", class_="toc").find_all("a")]
    assert toc == [f"#{area}", f"#{programme}", f"#{programme2}", "#unit-index"]


def test_the_target_table_is_the_public_pages_with_purpose_and_baseline_ahead(
    client: Client, sample: Sample
) -> None:
    doc = parse(report())
    sheet = doc.find("article", aria_labelledby=f"node-{sample.measure.pk}")
    table = sheet.find("table", class_="targets")
    assert table.find("caption").attrs["id"] == f"node-{sample.measure.pk}-targets-caption"
    assert [th.text for th in table.find("thead").find_all("th")] == [
        "概要",
        "現状",
        "行",
        "2011(平成23)年度",
        "2012(平成24)年度",
        "2013(平成25)年度",
        "2014(平成26)年度以降",
    ]
    purpose, baseline, *first_row = table_grid(table)[0]
    assert purpose[2].attrs["rowspan"] == "0" and purpose[2].text.startswith("協働型事業の推進 協働の意義")
    assert baseline[2].text == "●ルールに基づく協働型事業の拡充 ●ルールの広報や説明会の開催"
    with translation.override("ja"):
        public = parse(client.get(reverse("portal:node", args=["plan9", "9-1-1"])).content)
    public_grid = table_grid(public.find("table", class_="targets"))
    # The same cells, spans and revised targets as on the measure's public page.
    report_grid = [first_row, *table_grid(table)[1:]]
    shifted = [
        [(start - 2 if row is first_row else start, span, cell.text) for start, span, cell in row]
        for row in report_grid
    ]
    assert shifted == [[(start, span, cell.text) for start, span, cell in row] for row in public_grid]
    assert "変更後 ●モデル事業の検証" in table.text and "補助制度を見直したため" in table.text


def test_the_index_by_unit_links_to_the_measures(sample: Sample) -> None:
    doc = parse(report())
    index = doc.find("section", class_="unit-index")
    assert index.find("h3").text == "市民・こども局市民協働推進課"
    links = [(a.text, a.attrs["href"]) for a in index.find_all("a")]
    assert links == [("協働型事業の推進", f"#node-{sample.measure.pk}")]


def test_markup_in_a_result_prints_literally(sample: Sample) -> None:
    result = Result.objects.get(node=sample.measure3, fiscal_year=2012)
    result.text = MARKUP
    result.context_change = MARKUP
    result.save()
    html = report()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    doc = parse(html)
    sheet = doc.find("article", aria_labelledby=f"node-{sample.measure3.pk}")
    printed = [span.text for span in sheet.find_all("span", class_="line")]
    assert printed.count(MARKUP) == 2
    assert not doc.find_all("script")


def test_ids_are_unique_and_every_link_lands(sample: Sample) -> None:
    # A second plan area with results for both years: more sheets, more rating tables.
    area = make_node(sample.area_level, code="10", title="安全・安心のまち", label="プラン１０", position=2)
    programme = make_node(sample.programme_level, area, code="10-1", title="防災")
    for n in range(3):
        measure = make_node(sample.measure_level, programme, code=f"10-1-{n}", title=f"防災施策{n}")
        add_result(measure, 2011, "・実施", rating="2")
        add_result(measure, 2012, "・実施", rating="5", context_change="・変化", response="・対応")
    doc = parse(report())
    ids = [element.attrs["id"] for element in doc.iter() if "id" in element.attrs]
    assert len(ids) == len(set(ids)) > 30
    for element in doc.iter():
        for name in ("href", "aria-labelledby"):
            if name == "href" and element.tag != "a":
                continue  # the page icon
            value = element.attrs.get(name, "")
            # An href names one element; aria-labelledby a list of them.
            targets = [value.removeprefix("#")] if name == "href" else value.split()
            for target in filter(None, targets):
                assert target in ids, (element.tag, name, value)


def test_the_document_is_accessible_in_structure(sample: Sample) -> None:
    doc = parse(report())
    assert doc.find("html").attrs["lang"] == "ja"
    h1s = doc.find_all("h1")
    assert len(h1s) == 1 and h1s[0].text == sample.plan.title
    title = doc.find("title").text
    assert title.startswith(sample.plan.title) and "2012年度（平成24年度）" in title
    levels = [int(element.tag[1]) for element in headings(doc)]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels))
    for th in doc.find_all("th"):
        assert th.attrs.get("scope") in {"col", "row", "colgroup"}, th
    for table in doc.find_all("table"):
        assert table.find("caption").text
    assert doc.find("main") and doc.find("nav", class_="toc").attrs["aria-labelledby"] == "contents-heading"


def test_it_is_a_standalone_printable_page(sample: Sample) -> None:
    html = report(first_page=157)
    # Not the site layout: no stylesheet of the site's (a page icon at most).
    assert not parse(html).find_all("link", rel="stylesheet") and "portal.css" not in html
    style = parse(html).find("style").text
    assert "size: A4 landscape" in style
    assert '"-" counter(page) "-"' in style
    assert "counter-increment: page 156" in style  # the cover is not numbered; the page after it is 157
    assert '"IPAexGothic", "Noto Sans CJK JP", sans-serif' in style
    assert "break-before: page" in style and "break-inside: avoid" in style
    assert "skip-link" not in html and "language-switch" not in html


def test_the_labels_follow_the_document_language_whatever_is_active(sample: Sample) -> None:
    with translation.override("ja"):
        document = report_build("plan9", year=2012)
    with translation.override("en"):
        html = render_html(document)
    doc = parse(html)
    sheet = doc.find("article", aria_labelledby=f"node-{sample.measure.pk}")
    # The partials' words are in the document's language, as the view-model's labels are.
    assert [h.text for h in sheet.find_all("h6")][:1] == ["実施結果"]
    assert doc.find("h2", id="contents-heading").text == "目次"


def test_one_plan_area_only(sample: Sample) -> None:
    area = make_node(sample.area_level, code="10", title="安全・安心のまち", label="プラン１０", position=2)
    programme = make_node(sample.programme_level, area, code="10-1", title="防災")
    measure = make_node(sample.measure_level, programme, code="10-1-1", title="防災施策")
    add_result(measure, 2012, "・防災訓練を実施しました。")
    whole = parse(report()).find("body").text
    assert "防災施策" in whole and "区民会議の運営" in whole
    only = parse(report(area_code="10")).find("body").text
    assert "防災施策" in only and "区民会議の運営" not in only


def test_report_years_are_the_years_with_results(sample: Sample) -> None:
    assert report_years(sample.plan) == (2011, 2012)
    add_result(sample.measure3, 2013, "・実施")
    assert report_years(sample.plan) == (2011, 2012, 2013)


def test_the_demonstration_report_carries_everything() -> None:
    call_command("loaddemo")
    plan_code = Node.objects.values_list("plan__code", flat=True).first()
    doc = parse(report(plan_code))
    text = doc.find("body").text
    missing = [node.title for node in Node.objects.all() if node.title not in text]
    for result in Result.objects.all():
        for line in lines(result.text) + lines(result.context_change) + lines(result.response):
            if re.sub(r"\s+", " ", line) not in text:
                missing.append(line)
    assert missing == []
    assert len(doc.find_all("article", class_="measure")) == Node.objects.filter(level__rated=True).count()
