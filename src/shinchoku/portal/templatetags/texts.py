"""Template filters for data text."""

from __future__ import annotations

import re

from django import template

from shinchoku.plans.selectors import Text

register = template.Library()

# Hiragana, katakana, CJK ideographs and their punctuation and full-width forms.
_JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


@register.filter
def language(text: Text) -> str:
    """The language of a data text for its ``lang`` attribute: "ja" when it holds any
    Japanese script, else "en" (the editorial notes of imported data are often English).
    Marking each text keeps screen readers right on pages of the other language."""
    return "ja" if any(_JAPANESE.search(line.text) for line in text) else "en"
