"""``{% per_language %}`` … ``{% endper_language %}``: a part of a template that is the same
on every page in one language (the site's header and footer, a page's fixed labels) drawn
once per language by each process, and its markup used again as it is.

A page's chrome is a dozen translated strings, addresses and static files: drawing it
took about 1 ms of every page, a part of the search's budget under load
(``docs/benchmarks.md``). What such a part holds must not change while the process runs:
no value of the request (its path, the CSRF token, the user), of the data or of the
template's context but constants. ``tests/portal/test_kept.py`` checks the templates for
the first ones."""

from __future__ import annotations

from django import template
from django.template.base import NodeList, Parser, Token
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


class PerLanguageNode(template.Node):
    """The part, drawn by its first page in each language (``drawn``: for as long as the
    template is kept, which is the process's life with Django's cached loader), and for
    each prefix of the site's addresses and set of them (a request's ``SCRIPT_NAME`` and
    ``urlconf``), which its links depend on as they do on the language."""

    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist
        self.drawn: dict[tuple[str | None, str, str | None], SafeString] = {}

    def render(self, context: template.Context) -> SafeString:
        key = (get_language(), get_script_prefix(), get_urlconf())
        drawn = self.drawn.get(key)
        if drawn is None:
            drawn = self.drawn[key] = mark_safe(self.nodelist.render(context))  # noqa: S308 (drawn by the template)
        return drawn


@register.tag
def per_language(parser: Parser, token: Token) -> PerLanguageNode:
    """``{% per_language %}`` … ``{% endper_language %}`` (no arguments)."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("per_language takes no arguments.")
    nodelist = parser.parse(("endper_language",))
    parser.delete_first_token()
    return PerLanguageNode(nodelist)
