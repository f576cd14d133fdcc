"""The HTML report leads back to the site it came from: served by the site, or written by
``shinchoku report`` with the site's address known, it opens with a trail to the site's
home, the plan's page (and the plan area's, for an area's report), in the reader's
language; a saved copy keeps working links when the site's address is set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import Sample, make_sample
from tests.portal.html import Element, parse

pytestmark = pytest.mark.django_db

SITE = "https://shinchoku.city.example.lg.jp"
SUBTITLE = "2012年度（平成24年度） 進捗状況報告書"


@pytest.fixture
def sample(settings, tmp_path: Path) -> Sample:
    settings.REPORT_CACHE_DIR = tmp_path / "cache"
    return make_sample()


def served(client: Client, *, lang: str = "ja", area: str | None = None) -> Element:
    with translation.override(lang):
        address = reverse("portal:report_html", args=["plan9", 2012])
    response = client.get(address + (f"?area={area}" if area else ""))
    assert response.status_code == 200
    return parse(response.content)


def trail(doc: Element) -> Element:
    navs = doc.find_all("nav", class_="site-trail")
    assert len(navs) == 1
    return navs[0]


def links(nav: Element) -> list[tuple[str, str, str]]:
    return [(a.text, a.attrs["href"], a.attrs.get("hreflang", "")) for a in nav.find_all("a")]


def test_the_served_report_leads_back_to_the_plan_and_the_home_page(client: Client, sample: Sample) -> None:
    doc = served(client)
    nav = trail(doc)
    assert nav.attrs["aria-label"] == "現在位置" and nav.attrs["lang"] == "ja"
    assert links(nav) == [("ホーム", "/", "ja"), (sample.plan.title, "/plans/plan9/", "ja")]
    current = nav.find("li", aria_current="page")
    assert current.text == SUBTITLE
    # The trail comes first, ahead of the report's own cover; the report stays Japanese.
    body = doc.find("body")
    first = next(child for child in body.children if isinstance(child, Element))
    assert first is nav
    assert doc.find("html").attrs["lang"] == "ja"


def test_an_area_report_leads_back_to_its_plan_area_too(client: Client, sample: Sample) -> None:
    nav = trail(served(client, area="9"))
    assert links(nav)[1:] == [
        (sample.plan.title, "/plans/plan9/", "ja"),
        ("プラン９ 市民自治と区役所機能の拡充", "/plans/plan9/nodes/9/", "ja"),
    ]


def test_a_reader_of_the_english_site_is_led_back_to_it(client: Client, sample: Sample) -> None:
    doc = served(client, lang="en")
    nav = trail(doc)
    assert nav.attrs["aria-label"] == "Breadcrumb" and nav.attrs["lang"] == "en"
    assert links(nav) == [("Home", "/en/", "en"), (sample.plan.title, "/en/plans/plan9/", "en")]
    # The names the data gives stay Japanese and say so, inside the English trail.
    assert [a.attrs.get("lang") for a in nav.find_all("a")] == [None, "ja"]
    assert nav.find("li", aria_current="page").attrs["lang"] == "ja"
    # The report itself is the published Japanese document whatever the reader browses in.
    assert doc.find("html").attrs["lang"] == "ja"
    # Each language's trail is kept apart from the other's.
    assert trail(served(client)).attrs["lang"] == "ja"
    assert trail(served(client, lang="en")).attrs["lang"] == "en"


def test_with_the_sites_address_set_a_saved_copy_leads_back_to_the_site(
    client: Client, sample: Sample, settings
) -> None:
    settings.SITE_URL = SITE
    nav = trail(served(client))
    assert [href for _text, href, _lang in links(nav)] == [f"{SITE}/", f"{SITE}/plans/plan9/"]


def test_the_written_report_leads_back_to_the_site_when_its_address_is_known(
    sample: Sample, settings, tmp_path: Path
) -> None:
    output = tmp_path / "report.html"
    call_command("report", "--plan", "plan9", "--year", "2012", "--format", "html", "-o", str(output))
    # Without the site's address a written report has nowhere to lead back to.
    assert not parse(output.read_text()).find_all("nav", class_="site-trail")
    settings.SITE_URL = SITE
    call_command("report", "--plan", "plan9", "--year", "2012", "--format", "html", "-o", str(output))
    nav = trail(parse(output.read_text()))
    assert links(nav) == [("ホーム", f"{SITE}/", "ja"), (sample.plan.title, f"{SITE}/plans/plan9/", "ja")]


def test_the_trail_is_for_the_screen_not_for_print(client: Client, sample: Sample) -> None:
    """The printed report keeps the published look: the trail is hidden in print, by the
    report's own stylesheet (inline, so that a saved copy stands alone)."""
    doc = served(client)
    style = doc.find("style").text
    assert re.search(r"@media print \{[^@]*\.site-trail \{ display: none; \}", style)
    # Nothing styled inline beside the one stylesheet the site allows by its hash.
    assert not [element for element in doc.iter() if "style" in element.attrs]
    assert len(doc.find_all("style")) == 1
