"""The words of the search: text cut into characters and pairs of characters.

Japanese is written without spaces between words, so a search must find any run of
characters anywhere in a text. A text is indexed as its characters (unigrams) and its
pairs of neighbouring characters (bigrams), each at its place in the text, after
``shinchoku.text.normalize`` (NFKC: ２０１２ is 2012, ｶﾅ is カナ) and case folding. A
term of the query is then found as:

- one character: its unigram, anywhere;
- two characters: their bigram;
- more: its bigrams at neighbouring places (ab, bc, cd for "abcd"), which PostgreSQL
  asks with ``<->`` and SQLite's FTS5 with a phrase.

A token is written as letters and hexadecimal digits only (``u3042`` for あ,
``b53d6x7d44`` for 取組): no text-search parser splits, folds or stems it, and no
quoting is needed in a ``tsvector`` or an FTS5 query. Blanks are not indexed (a term
never holds one), but they keep their place so that no pair is taken for neighbours
across a blank.

On PostgreSQL a document's ``tsvector`` also holds, without places, tokens of where
it is (``scope``): its kind, its plan and the fiscal years it is for, so that the index
of tokens alone answers a term within a filter (``tsquery``'s ``within``), however
common the term is elsewhere.

PostgreSQL keeps in a ``tsvector`` places only up to 16,383 and at most 256 places
per token: a longer text is cut into parts (``parts``) within those limits, which
overlap by the longest query, so that every term of a text is whole in some part.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from shinchoku.text import normalize

#: The longest term searched for, in characters (the longest query).
LONGEST_TERM = 200
#: PostgreSQL's limits of a ``tsvector``: the highest place and the places kept per token.
MAX_PLACE = 16_383
MAX_PLACES_PER_TOKEN = 256
#: Token of a place with no pair (a blank on either side), for FTS5's stream of pairs.
GAP = "g"


class _Hex(dict[str, str]):
    """Each character's code in hexadecimal, computed once."""

    def __missing__(self, character: str) -> str:
        code = self[character] = format(ord(character), "x")
        return code


_HEX = _Hex()
_RUN = re.compile(r"\S+")


def fold(text: str) -> str:
    """Text as it is indexed and searched: normalised and case-folded."""
    return normalize(text).casefold()


#: The first letter of a character's token and of a pair's (``unigram``, ``bigram``):
#: the tokens of a text, where those of where a document is (``scope``) begin otherwise.
UNIGRAM = "u"
BIGRAM = "b"
TEXT_TOKENS = (UNIGRAM, BIGRAM)


def unigram(character: str) -> str:
    return UNIGRAM + _HEX[character]


def bigram(first: str, second: str) -> str:
    return BIGRAM + _HEX[first] + "x" + _HEX[second]


def tsvector(folded: str) -> str:
    """The ``tsvector`` literal of a folded text no longer than the limits allow (see
    ``parts``): each token with its place, ``u3042:1 b3042x304b:1 u304b:2``; the tokens
    of a place repeated at another are merged by PostgreSQL as it reads it."""
    items: list[str] = []
    for run in _RUN.finditer(folded):
        codes = [_HEX[character] for character in run.group()]
        first = run.start() + 1
        items.extend([f"{UNIGRAM}{code}:{place}" for place, code in enumerate(codes, first)])
        items.extend([f"{BIGRAM}{a}x{b}:{place}" for place, (a, b) in enumerate(pairwise(codes), first)])
    return " ".join(items)


def fts5(folded: str) -> tuple[str, str]:
    """The unigrams of a folded text, and its bigrams one a place (``GAP`` where none),
    for the FTS5 table, whose places are the tokens' order."""
    unigrams: list[str] = []
    bigrams: list[str] = []
    end = 0
    for run in _RUN.finditer(folded):
        bigrams.extend([GAP] * (run.start() - end))
        codes = [_HEX[character] for character in run.group()]
        unigrams.extend([f"{UNIGRAM}{code}" for code in codes])
        bigrams.extend([f"{BIGRAM}{a}x{b}" for a, b in pairwise(codes)])
        bigrams.append(GAP)
        end = run.end()
    bigrams.extend([GAP] * (len(folded) - end))
    return " ".join(unigrams), " ".join(bigrams)


def parts(folded: str) -> Iterator[tuple[int, int]]:
    """The (start, end) of the parts a folded text is indexed in: the whole text when it
    is within PostgreSQL's limits, else parts that are, each starting ``LONGEST_TERM``
    characters before the end of the one before (so that no term is cut)."""
    if len(folded) <= MAX_PLACES_PER_TOKEN or (
        # A pair is never more frequent than its first character.
        len(folded) <= MAX_PLACE and max(Counter(folded).values()) <= MAX_PLACES_PER_TOKEN
    ):
        yield 0, len(folded)
        return
    start = 0
    while True:
        end = _part_end(folded, start)
        yield start, end
        if end >= len(folded):
            return
        start = max(start + 1, end - LONGEST_TERM + 1)


def _part_end(folded: str, start: int) -> int:
    """Where a part starting at ``start`` must end: before a token's 257th place or the
    16,384th place."""
    counts: dict[str, int] = {}
    end = min(len(folded), start + MAX_PLACE)
    for index in range(start, end):
        character = folded[index]
        keys = [character]
        if index + 1 < end:
            keys.append(folded[index : index + 2])
        for key in keys:
            seen = counts.get(key, 0) + 1
            if seen > MAX_PLACES_PER_TOKEN:
                return index
            counts[key] = seen
    return end


# --------------------------------------------------------------------------- queries


#: The years after its first that an open-ended target ("2014年度以降") is indexed for.
ONWARDS_YEARS = 30


#: The nodes of a block (``block``) are those whose ids are the same but for their last
#: ``BLOCK_BITS`` bits: 1,024 nodes.
BLOCK_BITS = 10


def block(node_id: int) -> str:
    """The token of the block of nodes a node's documents are in, ``n`` and the block's
    number in hexadecimal (``n3`` for the nodes 3,072 to 4,095): a term asked within a
    block (``Within.block``) is intersected with it in the index of tokens, which then
    reads neither the term's whole list nor the documents of other nodes."""
    return block_token(node_id >> BLOCK_BITS)


def block_token(number: int) -> str:
    """The token of the block of nodes ``number`` (``block``)."""
    return "n" + format(number, "x")


def scope(
    kind: str, plan_id: int, start_year: int | None, end_year: int | None, open_end: bool, node_id: int
) -> str:
    """The tokens of where a document is: ``knode``, ``p12``, ``y2013`` for each year, and
    its node's block (``block``)."""
    items = [f"k{kind}", f"p{plan_id}", block(node_id)]
    if start_year is not None and end_year is not None:
        last = max(end_year, start_year + ONWARDS_YEARS) if open_end else end_year
        items.extend(f"y{year}" for year in range(start_year, last + 1))
    return " ".join(items)


@dataclass(frozen=True)
class Within:
    """Where a term is looked for: the kinds of documents (None: all), a plan, a year
    (a node's own texts have none and are looked in whatever the year)."""

    kinds: frozenset[str] | None = None
    plan_id: int | None = None
    year: int | None = None
    #: Whether the kinds are asked of the tokens; when not (they are asked of the
    #: documents' columns), they still say whether a year takes a node's own texts.
    kinds_asked: bool = True
    #: The block of nodes (``block``) looked in, None: every node.
    block: int | None = None

    def tsquery(self) -> str:
        parts = [] if self.block is None else [block_token(self.block)]
        if self.kinds is not None and self.kinds_asked:
            parts.append("(" + " | ".join(f"k{kind}" for kind in sorted(self.kinds)) + ")")
        if self.plan_id is not None:
            parts.append(f"p{self.plan_id}")
        if self.year is not None:
            years = f"y{self.year}"
            parts.append(f"({years} | knode)" if self.kinds is None or "node" in self.kinds else years)
        return " & ".join(parts)


def term_tokens(term: str) -> list[str]:
    """The tokens a folded term (no blanks) is found by: its unigram, or its bigrams."""
    return [unigram(term)] if len(term) == 1 else [bigram(a, b) for a, b in pairwise(term)]


def tsquery(term: str, within: Within | None = None) -> str:
    """The ``tsquery`` literal that finds a folded term (no blanks) in a ``tsvector``,
    within a scope when given."""
    found = " <-> ".join(term_tokens(term))
    narrowed = within.tsquery() if within is not None else ""
    return f"({found}) & {narrowed}" if narrowed else found


def tsquery_apart(term: str) -> str:
    """The ``tsquery`` literal that finds every token of a folded term (no blanks) in a
    ``tsvector`` without places (``models.NodeTokens``), which a phrase never matches:
    each anywhere, side by side or not."""
    return " & ".join(term_tokens(term))


def fts5_query(term: str) -> str:
    """The FTS5 query that finds a folded term (no blanks) in the table of tokens."""
    if len(term) == 1:
        return f"unigrams : {unigram(term)}"
    return 'bigrams : "' + " ".join(bigram(a, b) for a, b in pairwise(term)) + '"'
