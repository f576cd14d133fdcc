"""``{% language_links as links %}``: the page being drawn in each of the site's languages,
for the language switch of every page (``base.html``).

The switch is a list of links, not a form. A page's address names its language (the
site's addresses are ``i18n_patterns``, the default language without a prefix), so the
same page in another language is another address: a link to it needs no cookie, no CSRF
token and no redirect, can be opened in a new tab or shared, and leaves every public page
the same for every reader, which is what lets the page cache answer a kept page as it is
(``published.pagecache``)."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


@dataclass(frozen=True)
class LanguageLink:
    """One language of the switch: its code, its name in itself, the page's address in it
    and whether it is the page's own."""

    code: str
    name: str
    href: str
    current: bool


def address_in(request: HttpRequest, code: str) -> str:
    """The address (path and query) of the page ``request`` asked for, in the language
    ``code``: the page's own address made again in that language, or, for an address no
    page answers (a page not found), the language's prefix put in place of its own."""
    full = request.get_full_path()
    translated = translate_url(full, code)
    current = get_language()
    if translated != full or code == current or not _prefixed(request.path_info, current):
        return translated
    # Only a page not found is left: the path after its own language's prefix.
    rest = request.path_info.split("/", 2)[2] if current != settings.LANGUAGE_CODE else request.path_info[1:]
    prefix = "" if code == settings.LANGUAGE_CODE else f"{code}/"
    query = full[len(request.path) :]
    return f"{get_script_prefix()}{prefix}{rest}{query}"


def _prefixed(path_info: str, language: str | None) -> bool:
    """Whether ``path_info`` is an address of the language-prefixed pages in ``language``
    (the default language's have no prefix)."""
    if language == settings.LANGUAGE_CODE:
        return True
    return path_info.startswith(f"/{language}/")


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[LanguageLink]:
    """The site's languages (``LANGUAGES``), each with the page's address in it."""
    request = context.get("request")
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        href = address_in(request, code) if request is not None else get_script_prefix()
        links.append(LanguageLink(code, get_language_info(code)["name_local"], href, code == current))
    return links
