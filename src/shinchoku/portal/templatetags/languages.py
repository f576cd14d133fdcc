"""``{% language_links as links %}``: the page being drawn in each of the site's languages,
for the language switch of every page (``base.html``).

The switch is a list of links, not a form. A page's address names its language (the
site's addresses are ``i18n_patterns``, the default language without a prefix), so the
same page in another language is another address: a link to it needs no cookie, no CSRF
token and no redirect, can be opened in a new tab or shared, and leaves every public page
the same for every reader, which is what lets the page cache answer a kept page as it is
(``published.pagecache``).

A link is made from the page's place among the site's addresses, never from the address
as the reader sent it: an address no page answers (``//elsewhere.example/``) would
otherwise become a link off the site. Such a page, not found, links to the home page of
each language."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, ResolverMatch, resolve, reverse
from django.utils.encoding import iri_to_uri
from django.utils.translation import get_language, get_language_info, override

register = template.Library()

#: Where a page that is not one of the site's named pages links to in each language.
HOME = "portal:home"


@dataclass(frozen=True)
class LanguageLink:
    """One language of the switch: its code, its name in itself, the page's address in it
    and whether it is the page's own."""

    code: str
    name: str
    href: str
    current: bool


def address_in(request: HttpRequest | None, code: str) -> str:
    """The address (path and query) of the page ``request`` asked for, made again in the
    language ``code`` from the page's name and arguments, its query kept; the home page
    in that language when the address is not one of the site's named pages."""
    match = _named_page(request)
    with override(code):
        if match is not None:
            try:
                path = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                match = None
        if match is None or request is None:
            return reverse(HOME)
    query = iri_to_uri(request.META.get("QUERY_STRING", ""))
    return f"{path}?{query}" if query else path


def _named_page(request: HttpRequest | None) -> ResolverMatch | None:
    """The named page among the site's addresses that ``request`` asked for, if any."""
    if request is None:
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return match if match.url_name else None


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[LanguageLink]:
    """The site's languages (``LANGUAGES``), each with the page's address in it."""
    request = context.get("request")
    current = get_language()
    return [
        LanguageLink(code, get_language_info(code)["name_local"], address_in(request, code), code == current)
        for code, _name in settings.LANGUAGES
    ]
