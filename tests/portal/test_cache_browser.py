"""In Chromium, a public page answered from the page cache is the page as rendered: it
breaks no rule of the Content-Security-Policy sent with it (the HTML report keeps the
hash that allows its stylesheet), and its language switch leads to the same page in the
other language."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from playwright.sync_api import Browser

from shinchoku.portal import views
from tests.browser import ARTIFACTS
from tests.factories import make_sample
from tests.test_headers import PUBLIC, REPORT, Watched


def refuse_to_render(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("rendered, not answered from the page cache")


@pytest.mark.browser
@pytest.mark.one_database  # the page in a browser: once, in one pass
@pytest.mark.django_db(transaction=True)
def test_a_kept_page_breaks_no_policy_and_switches_language(
    browser: Browser, live_server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PUBLIC_PAGE_CACHE = True
    caches["pages"].clear()
    make_sample()
    paths = [*PUBLIC, REPORT]
    first = Watched(browser, live_server.url, None)
    for path in paths:
        first.open(path)
        assert first.violations() == [], path
    first.context.close()

    # From here on, no public view renders: every page comes from the cache.
    rendering = {"render": views.render, "report_build": views.report_build}
    for name in rendering:
        monkeypatch.setattr(views, name, refuse_to_render)
    reader = Watched(browser, live_server.url, None)
    found: dict[str, list[str]] = {}
    for path in paths:
        page = reader.open(path)
        if path == REPORT:
            # the inline stylesheet applies: the cover is laid out by it
            assert page.evaluate("getComputedStyle(document.body).maxWidth") != "none"
        found.update({path: reader.violations()} if reader.violations() else {})
    assert found == {}

    page = reader.open("/plans/plan9/nodes/9-1-1/")
    page.screenshot(path=ARTIFACTS / "page-cache-measure.png", full_page=True)
    for name, function in rendering.items():  # the English page is rendered: it was never kept
        monkeypatch.setattr(views, name, function)
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}/en/plans/plan9/nodes/9-1-1/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert reader.violations() == []
    reader.context.close()
