"""The tokens of a text and of a term: a term is found where it is, and only there."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shinchoku.search import tokens

# What is checked here does not depend on the database: once, in one pass (tests/conftest.py).
pytestmark = pytest.mark.one_database

#: A few characters, so that terms and texts share many of them.
ALPHABET = "区の事業推進あア ー\nAbß"


def places(tsvector: str) -> dict[str, list[int]]:
    """The places of each token of a ``tsvector`` literal."""
    found: dict[str, list[int]] = {}
    for item in tsvector.split():
        token, _, at = item.partition(":")
        found.setdefault(token, []).extend(int(place) for place in at.split(","))
    return found


def found_in(text: str, term: str) -> bool:
    """Whether the tokens of ``text`` hold ``term`` as PostgreSQL reads ``tsquery``: the
    term's bigrams at neighbouring places (its unigram for one character)."""
    at = places(tokens.tsvector(text))
    wanted = tokens.tsquery(term).split(" <-> ")
    starts = set(at.get(wanted[0], []))
    for offset, token in enumerate(wanted[1:], start=1):
        starts &= {place - offset for place in at.get(token, [])}
    return bool(starts)


def test_one_two_and_more_characters_ask_for_unigrams_and_neighbouring_bigrams() -> None:
    assert tokens.tsquery("区") == "u533a"
    assert tokens.tsquery("推進") == "b63a8x9032"
    assert tokens.tsquery("推進区") == "b63a8x9032 <-> b9032x533a"
    assert tokens.fts5_query("区") == "unigrams : u533a"
    assert tokens.fts5_query("推進区") == 'bigrams : "b63a8x9032 b9032x533a"'


def test_tokens_are_letters_and_digits_only() -> None:
    text = "It's 'quoted' \\ 区:1, 「括弧」"
    assert re.fullmatch(r"[a-z0-9: ]+", tokens.tsvector(text))
    assert re.fullmatch(r"[a-z0-9 ]+", " ".join(tokens.fts5(text)))


def test_the_last_character_of_a_text_is_found() -> None:
    assert found_in("事業推進区", "区")
    assert found_in("事業推進区", "進区")
    assert found_in("事業推進区", "推進区")


def test_blanks_are_not_indexed_and_keep_their_place() -> None:
    assert "u20" not in tokens.tsvector("ab cd")
    # The pairs either side of the blank are not neighbours: "bcd" is not in "ab cd".
    assert tokens.fts5(" ab cd") == (
        "u61 u62 u63 u64",
        f"{tokens.GAP} b61x62 {tokens.GAP} {tokens.GAP} b63x64 {tokens.GAP}",
    )
    assert not found_in("xy yw", "xyw")


def test_folding_matches_width_and_case() -> None:
    assert tokens.fold("ＡＢＣ１２３ ｶﾀｶﾅ Wi-Fi") == "abc123 カタカナ wi-fi"


@settings(max_examples=300, deadline=None)
@given(text=st.text(ALPHABET, max_size=40), term=st.text(ALPHABET, min_size=1, max_size=5))
def test_a_term_is_found_exactly_where_it_is_a_substring(text: str, term: str) -> None:
    term = "".join(term.split())
    if not term:
        return
    assert found_in(text, term) == (term in text)


def test_a_long_text_is_cut_into_parts_within_the_limits_that_hold_every_term() -> None:
    text = ("の" * 300) + "区" + ("事業" * 9000) + "推進の最後"
    parts = list(tokens.parts(text))
    assert len(parts) > 2
    assert parts[0][0] == 0 and parts[-1][1] == len(text)
    for start, end in parts:
        at = places(tokens.tsvector(text[start:end]))
        assert max(len(p) for p in at.values()) <= tokens.MAX_PLACES_PER_TOKEN
        assert max(max(p) for p in at.values()) <= tokens.MAX_PLACE
    # Each part starts before the end of the one before by the longest term.
    for (_, end), (start, _) in pairwise(parts):
        assert end - start == tokens.LONGEST_TERM - 1
    # A term anywhere, as long as the longest, is whole in some part.
    for where in (0, 290, 300, 5000, len(text) - tokens.LONGEST_TERM):
        term = text[where : where + tokens.LONGEST_TERM]
        assert any(term in text[start:end] for start, end in parts)
    assert any(found_in(text[start:end], "推進の最後") for start, end in parts)


def test_a_document_says_where_it_is_and_a_query_may_ask_it() -> None:
    assert tokens.scope("result", 7, 2012, 2012, False, 5) == "kresult p7 n0 y2012"
    assert tokens.scope("node", 7, None, None, False, 3072) == "knode p7 n3"
    assert tokens.scope("node", 7, None, None, False, 3071) == "knode p7 n2"
    assert tokens.block(11 * 1024 + 1) == "nb"
    onwards = tokens.scope("target", 7, 2014, 2014, True, 1).split()
    assert onwards[3] == "y2014" and onwards[-1] == f"y{2014 + tokens.ONWARDS_YEARS}"
    # A block of nodes: the term within it.
    assert tokens.tsquery("区", tokens.Within(block=11)) == "(u533a) & nb"
    within = tokens.Within(frozenset({"result"}), 7, 2012)
    assert tokens.tsquery("推進区", within) == "(b63a8x9032 <-> b9032x533a) & (kresult) & p7 & y2012"
    # A node's own texts have no year: they are looked in whatever the year.
    assert tokens.Within(None, None, 2012).tsquery() == "(y2012 | knode)"
