"""The annual report from the public site: per fiscal year, of the whole plan or of one
plan area, as PDF and as HTML; linked from the plan page and the plan area pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shinchoku.errors import ErrorCode
from shinchoku.portal import views
from shinchoku.reports.selectors import ReportError
from tests.factories import Sample, add_result, make_node, make_sample

from .html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample() -> Sample:
    """プラン９ (results for 2011 and 2012) and a second plan area, プラン１０ (2012 only)."""
    sample = make_sample()
    area = make_node(sample.area_level, code="10", title="安全・安心のまち", label="プラン１０", position=2)
    programme = make_node(sample.programme_level, area, code="10-1", title="防災")
    measure = make_node(sample.measure_level, programme, code="10-1-1", title="防災訓練の実施")
    add_result(measure, 2012, "・防災訓練を実施しました。")
    return sample


def report_url(
    kind: str, year: int, *, plan: str = "plan9", lang: str = "ja", area: str | None = None
) -> str:
    with translation.override(lang):
        address = reverse(f"portal:report_{kind}", args=[plan, year])
    return f"{address}?area={area}" if area else address


def page_url(name: str, *args: str, lang: str = "ja") -> str:
    with translation.override(lang):
        return reverse(f"portal:{name}", args=args)


def test_the_urls_read_as_the_plan_the_year_and_the_format() -> None:
    assert report_url("pdf", 2012) == "/plans/plan9/report/2012.pdf"
    assert report_url("html", 2012, lang="en") == "/en/plans/plan9/report/2012.html"


def test_the_pdf_is_a_download_named_after_plan_and_year(client: Client, sample: Sample) -> None:
    response = client.get(report_url("pdf", 2012))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == 'attachment; filename="plan9-2012.pdf"'


def test_the_html_is_shown_inline(client: Client, sample: Sample) -> None:
    response = client.get(report_url("html", 2012))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="plan9-2012.html"'
    doc = parse(response.content)
    assert doc.find("h1").text == sample.plan.title
    text = doc.find("body").text
    assert "・事業一覧を9月に公表しました。" in text and "・防災訓練を実施しました。" in text


def test_the_report_is_the_published_japanese_document_on_the_english_site(
    client: Client, sample: Sample
) -> None:
    response = client.get(report_url("html", 2012, lang="en"))
    assert response.status_code == 200
    assert response["Content-Language"] == "ja"
    doc = parse(response.content)
    assert doc.find("html").attrs["lang"] == "ja"
    assert doc.find("h2", id="contents-heading").text == "目次"


def test_area_limits_the_report_to_one_plan_area(client: Client, sample: Sample) -> None:
    response = client.get(report_url("html", 2012, area="10"))
    assert response.status_code == 200
    text = parse(response.content).find("body").text
    assert "防災訓練の実施" in text and "協働型事業の推進" not in text
    pdf = client.get(report_url("pdf", 2012, area="10"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Disposition"] == 'attachment; filename="plan9-2012-10.pdf"'


@pytest.mark.parametrize(
    ("kind", "year", "plan", "area", "reason"),
    [
        ("html", 2012, "plan9", "nope", "nope"),  # no such plan area
        ("pdf", 2012, "plan9", "9-1", "9-1"),  # a programme is not a plan area
        ("html", 2010, "plan9", None, "2010"),  # before the plan period
        ("pdf", 2014, "plan9", None, "2014"),  # after it
        ("html", 2013, "plan9", None, "2013"),  # no results that year
        ("html", 2012, "nope", None, "nope"),  # no such plan
    ],
)
def test_options_that_make_no_report_are_not_found(
    client: Client, sample: Sample, kind: str, year: int, plan: str, area: str | None, reason: str
) -> None:
    response = client.get(report_url(kind, year, plan=plan, area=area))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    # The 404 carries the report's one-line reason (the ReportError's message).
    assert reason in str(response.context["exception"])


def test_a_report_refused_otherwise_is_answered_as_its_code_says(
    client: Client, sample: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not every refusal is a missing page: the status is the one errors.HTTP_STATUS gives."""

    def refused(*args: object, **kwargs: object) -> None:
        raise ReportError("The first page number must be 1 or more.", code=ErrorCode.INVALID)

    monkeypatch.setattr(views, "report_build", refused)
    response = client.get(report_url("html", 2012))
    assert response.status_code == 400
    assert response.content.decode() == "The first page number must be 1 or more."


def test_the_plan_page_lists_the_reports_of_each_year_with_results(client: Client, sample: Sample) -> None:
    doc = parse(client.get(page_url("plan", "plan9")).content)
    section = doc.find("section", aria_labelledby="reports-heading")
    items = section.find_all("li")
    assert [li.shown_text for li in items] == [
        "2011年度（平成23年度）: PDF HTML",
        "2012年度（平成24年度）: PDF HTML",
    ]
    links = [(a.shown_text, a.attrs["href"], a.attrs["type"]) for a in section.find_all("a")]
    assert links == [
        ("PDF", "/plans/plan9/report/2011.pdf", "application/pdf"),
        ("HTML", "/plans/plan9/report/2011.html", "text/html"),
        ("PDF", "/plans/plan9/report/2012.pdf", "application/pdf"),
        ("HTML", "/plans/plan9/report/2012.html", "text/html"),
    ]
    # Each link names its year and format for a reader that lists the links of a page; its
    # name ends with the label it shows (WCAG 2.5.3).
    for a in section.find_all("a"):
        assert "aria-label" not in a.attrs
        assert a.text.endswith(a.shown_text) and a.text.startswith(a.find("span").text) and "年度" in a.text
    for _text, href, _type in links:
        assert client.get(href).status_code == 200


def test_the_plan_page_on_the_english_site_links_to_the_english_addresses(
    client: Client, sample: Sample
) -> None:
    doc = parse(client.get(page_url("plan", "plan9", lang="en")).content)
    section = doc.find("section", aria_labelledby="reports-heading")
    assert section.find("h2").text == "Reports"
    assert section.find("a").attrs["href"] == "/en/plans/plan9/report/2011.pdf"
    assert section.find("a").text == "Report for FY2011: PDF"


def test_a_plan_area_page_links_to_its_own_reports(client: Client, sample: Sample) -> None:
    doc = parse(client.get(page_url("node", "plan9", "10")).content)
    section = doc.find("section", aria_labelledby="reports-heading")
    hrefs = [a.attrs["href"] for a in section.find_all("a")]
    # The years with results in this plan area only: プラン１０ has none for 2011.
    assert hrefs == ["/plans/plan9/report/2012.pdf?area=10", "/plans/plan9/report/2012.html?area=10"]
    assert client.get(hrefs[1]).status_code == 200
    doc = parse(client.get(page_url("node", "plan9", "9")).content)
    hrefs = [a.attrs["href"] for a in doc.find("section", aria_labelledby="reports-heading").find_all("a")]
    assert hrefs[0] == "/plans/plan9/report/2011.pdf?area=9" and len(hrefs) == 4


def test_a_programme_page_has_no_report_links(client: Client, sample: Sample) -> None:
    doc = parse(client.get(page_url("node", "plan9", "9-1")).content)
    assert not doc.find_all("section", aria_labelledby="reports-heading")


def test_a_plan_without_results_has_no_reports_section(client: Client, sample: Sample) -> None:
    from shinchoku.progress.models import Result
    from shinchoku.published import changes as published

    Result.objects.all().delete()
    published.plan_changed(sample.plan.pk)  # as a writer that deletes in bulk says it
    doc = parse(client.get(page_url("plan", "plan9")).content)
    assert not doc.find_all("section", aria_labelledby="reports-heading")
