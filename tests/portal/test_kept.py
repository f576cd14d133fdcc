"""The parts of templates kept per language (``{% per_language %}``,
``shinchoku.portal.templatetags.kept``): drawn once in each language, never holding what
differs from one request to the next."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import engines
from django.test import Client
from django.urls import set_script_prefix
from django.utils import translation

import shinchoku

from .html import parse

#: What a part kept for every page in a language must never hold: values of the request.
_OF_THE_REQUEST = re.compile(r"\b(?:request|csrf_token|user|perms|messages)\b")
_KEPT = re.compile(r"{%\s*per_language\s*%}(.*?){%\s*endper_language\s*%}", re.DOTALL)


def test_a_kept_part_is_drawn_once_in_each_language() -> None:
    template = engines["django"].from_string(
        "{% load i18n kept %}{% per_language %}{% translate 'Search' %} {{ value }}{% endper_language %}"
    )
    with translation.override("ja"):
        assert template.render({"value": "1"}) == "検索 1"
        assert template.render({"value": "2"}) == "検索 1"
    with translation.override("en"):
        assert template.render({"value": "3"}) == "Search 3"
    with translation.override("ja"):
        assert template.render({"value": "4"}) == "検索 1"


def test_a_kept_part_is_drawn_again_for_another_prefix_of_the_sites_addresses() -> None:
    template = engines["django"].from_string(
        "{% load kept %}{% per_language %}{% url 'portal:search' %}{% endper_language %}"
    )
    with translation.override("ja"):
        assert template.render({}) == "/search/"
        set_script_prefix("/city/")
        try:
            assert template.render({}) == "/city/search/"
        finally:
            set_script_prefix("/")
        assert template.render({}) == "/search/"


def test_the_parts_kept_hold_nothing_of_the_request() -> None:
    templates = sorted(Path(shinchoku.__file__).parent.glob("**/templates/**/*.html"))
    kept = [(path, part) for path in templates for part in _KEPT.findall(path.read_text(encoding="utf-8"))]
    assert kept, "no template keeps a part"
    for path, part in kept:
        assert not _OF_THE_REQUEST.search(part), (path, part)
        # A block within would be kept as the first page to extend the template drew it.
        assert not re.search(r"{%\s*block\b", part), (path, part)


@pytest.mark.django_db
def test_each_page_has_its_own_path_and_query_after_pages_in_either_language(client: Client) -> None:
    pages = [
        ("/search/?q=%E5%8C%BA", "ja", "区"),
        ("/en/search/?q=abc", "en", "abc"),
        ("/search/?q=xyz", "ja", "xyz"),
    ]
    for _round in range(2):
        for path, lang, query in pages:
            doc = parse(client.get(path).content)
            assert doc.find("html").attrs["lang"] == lang
            switch = doc.find("nav", class_="language-switch")
            links = {a.attrs["hreflang"]: a.attrs["href"] for a in switch.find_all("a")}
            assert links[lang] == path
            assert links["en" if lang == "ja" else "ja"] == (path[3:] if lang == "en" else f"/en{path}")
            assert doc.find("input", id="search-q").attrs["value"] == query
            home = doc.find("p", class_="site-name").find("a").attrs["href"]
            assert home == ("/en/" if lang == "en" else "/")
