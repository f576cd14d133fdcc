"""Japanese text as data: normalise on the way in.

NFKC turns full-width digits and Latin letters into ASCII (２４ → 24, （ → ( ) and
half-width kana into full-width kana, as JIS-based office files need. Characters
that carry meaning in plans are kept as typed: circled numbers (① as an item
number, not "1"), and the Japanese middle dot, corner brackets and punctuation,
which NFKC leaves alone anyway.
"""

from __future__ import annotations

import re
import unicodedata

_KEEP = re.compile(r"[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")
_SPACES_BEFORE_NEWLINE = re.compile(r"[ \t\u3000]+\n")


def normalize(text: str) -> str:
    """NFKC except for circled numbers; unify line ends; trim trailing blanks."""
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
    result = _SPACES_BEFORE_NEWLINE.sub("\n", result)
    return result.strip()
