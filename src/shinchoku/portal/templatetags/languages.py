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
from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import (
    NoReverseMatch,
    Resolver404,
    ResolverMatch,
    get_script_prefix,
    get_urlconf,
    resolve,
    reverse,
)
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


def address_in(request: HttpRequest, code: str) -> str:
    """The address (path and query) of the page ``request`` asked for, made again in the
    language ``code`` from the page's name and arguments, its query kept; the home page
    in that language when the address is not one of the site's named pages."""
    match = _named_page(request)
    if match is not None:
        kwargs = tuple(sorted(match.kwargs.items()))
        try:
            path = _address(match.view_name, tuple(match.args), kwargs, *_made_for(code))
        except NoReverseMatch:
            pass
        else:
            query = iri_to_uri(request.META.get("QUERY_STRING", ""))
            return f"{path}?{query}" if query else path
    return _home(code)


def _named_page(request: HttpRequest) -> ResolverMatch | None:
    """The named page among the site's addresses that ``request`` asked for, if any: the
    one its view was found by, or, outside a view (an error page), its path's."""
    match = request.resolver_match
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    return match if match.url_name else None


@lru_cache(maxsize=4096)
def _address(
    view_name: str,
    args: tuple[Any, ...],
    kwargs: tuple[tuple[str, Any], ...],
    code: str,
    script_prefix: str,
    urlconf: Any,
) -> str:
    """A named page's path in the language ``code``, for the site's prefix and set of
    addresses (which a path depends on as on the language): made once, the same for
    every reader of the page."""
    with override(code):
        return reverse(view_name, args=args, kwargs=dict(kwargs), urlconf=urlconf)


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[LanguageLink]:
    """The site's languages (``LANGUAGES``), each with the page's address in it."""
    request = context.get("request")
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        # Drawn without a request (a page made outside one): the home page of each.
        href = address_in(request, code) if request is not None else _home(code)
        links.append(LanguageLink(code, get_language_info(code)["name_local"], href, code == current))
    return links


def _home(code: str) -> str:
    """The home page's address in the language ``code``."""
    return _address(HOME, (), (), *_made_for(code))


def _made_for(code: str) -> tuple[str, str, str]:
    """What a page's address depends on besides its name and arguments: the language, the
    site's prefix and its set of addresses (``_address``'s last arguments)."""
    return (code, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
