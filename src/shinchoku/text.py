"""Japanese text as data: normalise on the way in; tell the language of a text.

NFKC turns full-width digits and Latin letters into ASCII (２４ → 24, （ → ( ) and
half-width kana into full-width kana, as JIS-based office files need. Characters
that carry meaning in plans are kept as typed: circled numbers (① as an item
number, not "1"), and the Japanese middle dot, corner brackets and punctuation,
which NFKC leaves alone anyway.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

_KEEP = re.compile(r"[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")
_SPACES_BEFORE_NEWLINE = re.compile(r"[ \t\u3000]+\n")
#: Line breaks other programs put in text: a vertical tab (a line break pasted from
#: PowerPoint), a form feed, Unicode's line and paragraph separators.
_OTHER_LINE_BREAKS = re.compile("[\v\f\u2028\u2029]")
#: Control characters no text of a plan means, and which no spreadsheet cell or XML file
#: can hold: C0 except tab and line feed, DEL and C1.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def normalize(text: str) -> str:
    """NFKC except for circled numbers; unify line ends (other programs' line breaks
    included); drop control characters; trim trailing blanks."""
    if not text:
        return ""
    parts: list[str] = []
    last = 0
    for match in _KEEP.finditer(text):
        parts.append(unicodedata.normalize("NFKC", text[last : match.start()]))
        parts.append(match.group())
        last = match.end()
    parts.append(unicodedata.normalize("NFKC", text[last:]))
    result = "".join(parts).replace("\r\n", "\n").replace("\r", "\n")
    result = _CONTROLS.sub("", _OTHER_LINE_BREAKS.sub("\n", result))
    result = _SPACES_BEFORE_NEWLINE.sub("\n", result)
    return result.strip()


# ------------------------------------------------------------------ languages of texts

#: Japanese script: kana, CJK ideographs, Japanese punctuation and full-width forms (not
#: the ideographic space, which separates words in either language).
JAPANESE_SCRIPT = "\u3001-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_JAPANESE_CHARACTER = re.compile(f"[{JAPANESE_SCRIPT}]")
_ENGLISH_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_LATIN_LETTER = re.compile("[A-Za-z]")
#: A Japanese phrase quoted in English: Japanese script, with the digits and spaces inside
#: it (平成23年4月, プラン９ 市民自治) and the digits before it (2011年度).
_JAPANESE_RUN = re.compile(f"[0-9]*[{JAPANESE_SCRIPT}](?:[{JAPANESE_SCRIPT}0-9 \u3000]*[{JAPANESE_SCRIPT}])?")
#: An English phrase quoted in Japanese: three words or more. A single word or an
#: abbreviation (PDF, NPO法人) is read as part of the Japanese.
_ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,]+[A-Za-z][A-Za-z'’-]*){2,}")
_OTHER_RUN = {"en": _JAPANESE_RUN, "ja": _ENGLISH_RUN}


def text_language(text: str, *, default: str = "ja") -> str:
    """The language a text is written in, "ja" or "en", for its ``lang`` attribute: English
    when it has more than a third as many English words as Japanese characters (an English
    word says about as much as three Japanese characters), so that an English note quoting
    Japanese terms is English and a Japanese sentence naming an English title is Japanese.
    Either way the quoted parts are marked with their own language (``language_runs``).
    A text with neither (a code, a number) is in the ``default`` language."""
    if _LATIN_LETTER.search(text) is None:
        # No English word: Japanese if any of it is, without counting (most texts).
        return "ja" if _JAPANESE_CHARACTER.search(text) else default
    japanese = len(_JAPANESE_CHARACTER.findall(text))
    english = len(_ENGLISH_WORD.findall(text))
    if not japanese and not english:
        return default
    return "en" if english * 3 > japanese else "ja"


def language_runs(text: str, language: str) -> list[tuple[str, str | None]]:
    """``text``, standing in ``language``, cut into runs: each with the language it is in
    where that is another (Japanese quoted in English, an English phrase quoted in
    Japanese), else None."""
    other = _OTHER_RUN.get(language)
    if other is None:
        return [(text, None)] if text else []
    runs: list[tuple[str, str | None]] = []
    last = 0
    for match in other.finditer(text):
        if match.start() > last:
            runs.append((text[last : match.start()], None))
        runs.append((match.group(), "en" if language == "ja" else "ja"))
        last = match.end()
    if last < len(text):
        runs.append((text[last:], None))
    return runs


def decimal_text(value: Decimal | None) -> str | None:
    """A decimal as the data files and the API write it: digits, no exponent, no trailing
    zeros, so that no precision is lost on the way through JSON; None stays None."""
    if value is None:
        return None
    return format(value.normalize(), "f")
