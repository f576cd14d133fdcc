"""The Django admin's data in its own language (WCAG 3.1.2, language of parts).

The admin's words are in the page's language; the data it shows is as it was written: the
plan's Japanese titles on the English admin, an English note or a browser's name on the
Japanese one. The ``marked`` filter writes a piece of the page (text, or the markup Django
made) with each run of text in another language than the one it stands in marked with
its own; the templates in ``src/shinchoku/templates/admin/`` pass it the parts of a page
where the admin writes data (the breadcrumbs, the headings, the messages, a form's fields,
a list's table and filters, the objects a deletion would take).
"""

from __future__ import annotations

import html
import re
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from shinchoku.audit.admin_widgets import page_language
from shinchoku.text import language_runs, text_language

register = template.Library()

#: A tag, or the text between two tags.
_TAG = re.compile(r"(<[^>]*>)")
#: An opening tag: its name, and its lang if it has one.
_OPENING = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b(?:[^>]*?\slang=\"([^\"]*)\")?")
_CLOSING = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)")
#: Elements without content, which a lang on them does not reach beyond.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: Elements whose text is one value, which no element inside can mark (an option of a
#: select, the text of a box), or is no text to read.
_OPAQUE = {"option", "textarea", "script", "style", "title"}


class _Marker:
    """Walks a piece of HTML, tag by tag, knowing the language each text stands in: that of
    the innermost element with a ``lang``, else the page's."""

    def __init__(self, within: str) -> None:
        #: The open elements with a lang (and their nested namesakes): [name, lang, depth].
        self.languages: list[list[Any]] = [["", within, 1]]
        self.opaque: str | None = None
        self.parts: list[str] = []

    @property
    def language(self) -> str:
        return str(self.languages[-1][1]).split("-")[0]

    def tag(self, tag: str, following: str) -> None:
        """An opening or closing tag; ``following`` is the text after it."""
        if closing := _CLOSING.match(tag):
            name = closing.group(1).lower()
            if name == self.opaque:
                self.opaque = None
            top = self.languages[-1]
            if len(self.languages) > 1 and name == top[0]:
                top[2] -= 1
                if not top[2]:
                    self.languages.pop()
        elif opening := _OPENING.match(tag):
            name, lang = opening.group(1).lower(), opening.group(2)
            if name == "option" and lang is None:
                # An option holds one value: the whole of it is in one language.
                text = html.unescape(following).strip()
                language = text_language(text, default=self.language) if text else self.language
                if language != self.language:
                    tag = f'{tag[: opening.end(1)]} lang="{language}"{tag[opening.end(1) :]}'
            if name in _OPAQUE and self.opaque is None:
                self.opaque = name
            if name not in _VOID and not tag.endswith("/>"):
                top = self.languages[-1]
                if lang is not None:
                    self.languages.append([name, lang, 1])
                elif len(self.languages) > 1 and name == top[0]:
                    top[2] += 1
        self.parts.append(tag)

    def text(self, text: str) -> None:
        """Escaped text: its runs in another language than the one it stands in, marked."""
        if self.opaque is not None:
            self.parts.append(text)
            return
        self.parts.extend(
            f'<span lang="{language}">{run}</span>' if language else run
            for run, language in language_runs(text, self.language)
        )


def mark_languages(value: Any, within: str = "") -> SafeString:
    """``value`` as HTML, escaped unless it is markup already made safe, with every run of
    its text in another language than the one it stands in (``within``, by default the
    page's, or an element's own ``lang``) in a ``<span lang>``. An ``<option>`` in another
    language is given a ``lang`` of its own; the text of a ``<textarea>`` is left as it is."""
    marker = _Marker(within or page_language())
    parts = _TAG.split(str(conditional_escape(value)))
    for index, part in enumerate(parts):
        if index % 2:
            marker.tag(part, parts[index + 1] if index + 1 < len(parts) else "")
        elif part:
            marker.text(part)
    return mark_safe("".join(marker.parts))  # noqa: S308 - the text was escaped, the tags were safe


@register.filter
def marked(value: Any) -> SafeString:
    """``value`` with its runs of text in another language than the page's marked
    (``mark_languages``)."""
    return mark_languages(value)
