"""The same report gives the same draft whatever the order of its pages, however its lines
are wrapped and whichever width its digits have (the dataset compared; the evidence's
line numbers may differ)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .seed import cut, draft_dataset, other_width, pages, seed_lines, wrappable

pytestmark = pytest.mark.one_database

LINES = seed_lines()
HEAD, PAGES = pages(LINES)
EXPECTED = draft_dataset("\n".join(LINES))
WRAPPABLE = [index for index in range(len(LINES)) if wrappable(LINES, index)]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_the_seed_has_pages_to_reorder_and_lines_to_wrap() -> None:
    assert len(PAGES) >= 9 and len(WRAPPABLE) > 50


@SETTINGS
@given(st.permutations(range(len(PAGES))))
def test_pages_in_another_order_give_the_same_draft(order: list[int]) -> None:
    lines = HEAD + [line for index in order for line in PAGES[index]]
    assert draft_dataset("\n".join(lines)) == EXPECTED


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(WRAPPABLE), st.floats(0.2, 0.8)), max_size=40), st.booleans())
def test_lines_wrapped_otherwise_give_the_same_draft(cuts: list[tuple[int, float]], join: bool) -> None:
    lines = list(LINES)
    for index, share in sorted(set(cuts), reverse=True):
        line = lines[index]
        if join and index + 1 < len(lines) and _joinable(lines[index], lines[index + 1]):
            lines[index : index + 2] = [lines[index].rstrip() + lines[index + 1].strip()]
            continue
        pieces = cut(line, max(1, int(len(line) * share)))
        if pieces is not None:
            lines[index : index + 1] = list(pieces)
    assert draft_dataset("\n".join(lines)) == EXPECTED


def _joinable(line: str, following: str) -> bool:
    """A bullet's line and the one that continues it."""
    from shinchoku.plans.formats.report.lines import line_kind

    rest = following.strip()
    return (
        bool(rest)
        and rest[0] not in "・･●①②③【"
        and line_kind(rest)[0] == "text"
        and not line.rstrip().endswith("。")
        and line_kind(line.strip() + rest)[0] == "text"
    )


@SETTINGS
@given(st.sets(st.integers(0, len(LINES) - 1), max_size=200))
def test_digits_in_the_other_width_give_the_same_draft(flipped: set[int]) -> None:
    lines = [other_width(line) if index in flipped else line for index, line in enumerate(LINES)]
    assert draft_dataset("\n".join(lines)) == EXPECTED


def test_every_digit_in_the_other_width_gives_the_same_draft() -> None:
    assert draft_dataset(other_width("\n".join(LINES))) == EXPECTED


def test_pages_reversed_give_the_same_draft() -> None:
    lines: list[Any] = HEAD + [line for page in reversed(PAGES) for line in page]
    assert draft_dataset("\n".join(lines)) == EXPECTED
