"""How alike two texts are: the overlap of their character bigrams.

Japanese has no spaces between words, so texts are compared by the pairs of neighbouring
characters they share (after ``shinchoku.text.normalize``, without blanks and
punctuation). ``overlap`` is the share of the smaller text's bigrams found in the other:
a digest quoting half of a result scores about 0.5 against it, whatever the length of the
rest; ``dice`` weighs both texts alike.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from shinchoku.text import normalize

_NOISE = re.compile(r"[\s、。・●■◆○◎,.()「」『』【】:;\-]+")


@lru_cache(maxsize=4096)
def bigrams(text: str) -> Counter[str]:
    flat = _NOISE.sub("", normalize(text))
    return Counter(flat[index : index + 2] for index in range(len(flat) - 1))


def _shared(first: str, second: str) -> tuple[int, int, int]:
    a, b = bigrams(first), bigrams(second)
    return sum((a & b).values()), sum(a.values()), sum(b.values())


def overlap(first: str, second: str) -> float:
    """The share of the smaller text's bigrams that the other holds too (0–1)."""
    shared, size_a, size_b = _shared(first, second)
    smaller = min(size_a, size_b)
    return shared / smaller if smaller else 0.0


def dice(first: str, second: str) -> float:
    """Twice the bigrams shared over the bigrams of both (0–1)."""
    shared, size_a, size_b = _shared(first, second)
    return 2 * shared / (size_a + size_b) if size_a + size_b else 0.0
