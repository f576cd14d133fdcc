"""Template filters for data text: each text in its own language (WCAG 3.1.2).

The plan's data is Japanese and its editorial notes often English, whichever language the
page is in: ``language`` tells the ``lang`` of a block of text, and ``with_lang`` writes a
text with the parts in another language than the one around it marked as such."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, Protocol

from django import template
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from shinchoku.portal.paths import node_page_path
from shinchoku.text import language_runs, text_language

register = template.Library()


class _HasText(Protocol):
    text: str


def _page_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


@register.filter
def language(text: str | Iterable[_HasText]) -> str:
    """The language of a text (a string, or the lines or fragments of one) for its
    ``lang`` attribute: the one most of it is written in; the page's for a text in none."""
    return _language_of(text, _page_language())


def _language_of(text: str | Iterable[_HasText], page_language: str) -> str:
    """``language``, on a page in ``page_language``."""
    joined = text if isinstance(text, str) else " ".join(line.text for line in text)
    return text_language(joined, default=page_language)


class _Choice(Protocol):
    value: str
    label: str
    selected: bool


@register.simple_tag
def options(choices: Iterable[_Choice]) -> SafeString:
    """The ``<option>`` of each choice of a ``<select>``: its value, its label in the
    label's language (``language``), selected when it is. Written here rather than by a
    loop of the template: a search page draws a dozen of them, which the loop made a
    third of the page's drawing."""
    page_language = _page_language()
    return mark_safe(  # noqa: S308 (every value escaped here)
        "".join(
            f'<option value="{html.escape(choice.value)}" lang="{_language_of(choice.label, page_language)}"'
            f"{' selected' if choice.selected else ''}>{html.escape(choice.label)}</option>"
            for choice in choices
        )
    )


@register.filter
def catalogued(value: str) -> str:
    """A text the catalogue may hold (a reason the report's reader gives in English), in
    the page's language when it does; plain text either way, to escape as any text."""
    return gettext(str(value)) if value else value


@register.filter
def with_lang(value: Any, within: str = "") -> SafeString | Any:
    """``value`` escaped, with the parts written in another language than ``within`` (by
    default the page's) in a ``<span lang>``: a Japanese title on an English page, the
    Japanese words of an English note. Markup already made safe (a tag, an entity) is left
    as it is; a safe string without any, such as a literal in a template, is text."""
    if value is None or (isinstance(value, SafeData) and ("<" in str(value) or "&" in str(value))):
        return value
    return _language_marked(str(value), within or _page_language())


@lru_cache(maxsize=4096)
def _language_marked(text: str, within: str) -> SafeString:
    """``with_lang`` of a plain text: kept for the texts that recur from page to page and
    within one (the names of plans, levels, ancestors, the labels of years)."""
    runs = language_runs(text, within)
    if len(runs) == 1 and runs[0][1] is None:
        # All of it in the language around it, as most texts are.
        return conditional_escape(runs[0][0])
    parts = [
        format_html('<span lang="{}">{}</span>', lang, run) if lang else conditional_escape(run)
        for run, lang in runs
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


class _Line(Protocol):
    text: str
    bullet: bool


@register.filter
def text_block(text: Sequence[_Line]) -> SafeString:
    """A text's lines (``plans.selectors.Text``) as a block in the text's language, each
    line a ``span``, a bulleted one marked so, the parts in another language marked as
    ``with_lang`` marks them: the markup of every text of data on a page, made here in
    one call rather than by a template per text (``portal/_text.html`` is this filter)."""
    lang = language(text)
    lines = "".join(
        f'<span class="line line--bullet">{with_lang(line.text, lang)}</span>'
        if line.bullet
        else f'<span class="line">{with_lang(line.text, lang)}</span>'
        for line in text
    )
    return mark_safe(f'<div class="text" lang="{lang}">{lines}</div>')  # noqa: S308 - lines escaped by with_lang


class _Fragment(Protocol):
    text: str
    mark: bool


def marked_text(
    fragments: Sequence[_Fragment], page_language: str, cut_before: bool = False, cut_after: bool = False
) -> SafeString:
    """A text with its matches marked (``plans.selectors.search.Fragment``: plain text,
    escaped like any text), in its language (that of the page, ``page_language``, when it
    is in none), an ellipsis where it is cut: the search's names and excerpts
    (``search_group``)."""
    parts = [f'<span lang="{_language_of(fragments, page_language)}">', "…" if cut_before else ""]
    for fragment in fragments:
        # Plain text, never markup: the standard library's escaping, as Django's does.
        text = html.escape(fragment.text)
        parts.append(f"<mark>{text}</mark>" if fragment.mark else text)
    parts.append("…</span>" if cut_after else "</span>")
    return mark_safe("".join(parts))  # noqa: S308 - every fragment is escaped above


class _Excerpt(Protocol):
    fragments: Sequence[_Fragment]
    cut_before: bool
    cut_after: bool


class _Hit(Protocol):
    kind: str
    label: str
    detail: str
    anchor: str
    excerpt: _Excerpt


class _Named(Protocol):
    name: str


class _Node(Protocol):
    code: str
    level_name: str


class _Group(Protocol):
    plan_code: str
    plan_title: str
    node: _Node
    breadcrumb: Sequence[_Named]
    code: Sequence[_Fragment]
    name: Sequence[_Fragment]
    hits: Sequence[_Hit]
    more: int


@register.simple_tag
def search_group(group: _Group) -> SafeString:
    """A found node (``plans.selectors.search.SearchGroup``) as the search page lists it:
    its plan and ancestors, its level, code and name linking to its page, its matched
    texts (``search_hits``) and how many more there are. Twenty on a page, made here in
    one call rather than by a template each; every text escaped as ``with_lang`` does."""
    lang = _page_language()
    # Plain text (an address, a number) is escaped by the standard library, as Django's
    # escaping does, for the twenty groups and their sixty passages.
    page_url = html.escape(node_page_path(group.plan_code, group.node.code))
    crumbs = "".join(
        f'<span class="search-group__crumb">{with_lang(crumb.name, lang)}</span>'
        for crumb in group.breadcrumb
    )
    more = ""
    if group.more:
        counted = ngettext(
            "And %(counter)s more passage on its page.",
            "And %(counter)s more passages on its page.",
            group.more,
        ) % {"counter": group.more}
        more = f'<p class="search-group__more">{html.escape(counted)}</p>'
    return mark_safe(  # noqa: S308 - every text is escaped
        f'<p class="search-group__context">{with_lang(group.plan_title, lang)}{crumbs}</p>'
        f'<h3 class="search-group__title"><a href="{page_url}">'
        f'<span class="outline__level">{with_lang(group.node.level_name, lang)}</span> '
        f'<span class="search-group__code">{marked_text(group.code, lang)}</span> '
        f"{marked_text(group.name, lang)}</a></h3>"
        f"{search_hits(group.hits, page_url, lang)}{more}"
    )


def search_hits(hits: Sequence[_Hit], page_url: str, page_language: str) -> SafeString:
    """A found node's matched texts (``plans.selectors.search.SearchHit``) as the search
    page lists them: where each is (a link to its place on the node's page, ``page_url``,
    escaped already, when it has one) and its excerpt (``search_group``); every text
    escaped as ``with_lang`` escapes it, on a page in ``page_language``."""
    if not hits:
        return mark_safe("")
    parts = ['<dl class="search-hits">']
    for hit in hits:
        label = with_lang(hit.label, page_language)
        if hit.anchor:
            label = f'<a href="{page_url}#{html.escape(hit.anchor)}">{label}</a>'
        detail = ""
        if hit.detail:
            detail = f'<span class="search-hit__detail">{with_lang(hit.detail, page_language)}</span>'
        excerpt = marked_text(
            hit.excerpt.fragments, page_language, hit.excerpt.cut_before, hit.excerpt.cut_after
        )
        parts.append(
            f'<div class="search-hit search-hit--{html.escape(hit.kind)}">'
            f"<dt>{label}{detail}</dt><dd>{excerpt}</dd></div>"
        )
    parts.append("</dl>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
