"""Which stored target or indicator a content's target or indicator is: the one pairing
that the diff shows and the writer writes, so that what a preview says is what is
written (``shinchoku.plans.writing`` describes the rule).

A target is matched by its row and years (``row``, ``start_year``, ``end_year``,
``open_end``); several of one node sharing them are matched in order of position, those
of equal text first. An indicator is matched by its name, then in order of position.
The order within a group never depends on database ids, so that pairing a content with
what writing it stored pairs each item with itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

Stored = TypeVar("Stored")
Wanted = TypeVar("Wanted")


def target_key(target: Any) -> tuple[int, int, int, bool]:
    """What matches a target: its row and its years."""
    return (target.row, target.start_year, target.end_year, target.open_end)


def _target_order(target: Any) -> tuple[Any, ...]:
    return (target.position, target.text, target.revised_text, target.revision_reason, target.note)


def _indicator_order(indicator: Any) -> tuple[Any, ...]:
    return (
        indicator.position,
        indicator.name,
        indicator.kind,
        indicator.unit,
        indicator.direction,
        str(indicator.baseline_value),
        str(indicator.baseline_year),
    )


def _pair(
    stored: Sequence[Stored],
    wanted: Sequence[Wanted],
    group: Callable[[Any], Hashable],
    order: Callable[[Any], tuple[Any, ...]],
    same: Callable[[Any, Any], bool],
) -> tuple[list[tuple[Stored | None, Wanted]], list[Stored]]:
    """Within each ``group``, the items in ``order``, pairs of ``same`` items first, then
    the rest in order. Returns each wanted item with its stored one (None: new), in the
    order of ``wanted``, and the stored items left over."""
    left: dict[Hashable, list[Stored]] = defaultdict(list)
    for kept in sorted(stored, key=order):
        left[group(kept)].append(kept)
    numbered = sorted(enumerate(wanted), key=lambda pair: order(pair[1]))
    found: dict[int, Stored] = {}
    for index, item in numbered:  # the same first
        candidates = left[group(item)]
        match = next((candidate for candidate in candidates if same(candidate, item)), None)
        if match is not None:
            candidates.remove(match)
            found[index] = match
    for index, item in numbered:  # then in order
        candidates = left[group(item)]
        if index not in found and candidates:
            found[index] = candidates.pop(0)
    pairs = [(found.get(index), item) for index, item in enumerate(wanted)]
    return pairs, [rest for items in left.values() for rest in items]


def pair_targets(
    stored: Sequence[Stored], wanted: Sequence[Wanted]
) -> tuple[list[tuple[Stored | None, Wanted]], list[Stored]]:
    """Each wanted target with the stored target it updates in place (None: a new one),
    and the stored targets that no wanted target matches (they are removed)."""
    return _pair(stored, wanted, target_key, _target_order, lambda a, b: a.text == b.text)


def pair_indicators(
    stored: Sequence[Stored], wanted: Sequence[Wanted]
) -> tuple[list[tuple[Stored | None, Wanted]], list[Stored]]:
    """Each wanted indicator with the stored indicator it updates in place (None: a new
    one), and the stored indicators left over (they are removed)."""
    return _pair(stored, wanted, lambda _indicator: 0, _indicator_order, lambda a, b: a.name == b.name)


def ranks(
    items: Sequence[Any], key: Callable[[Any], Hashable], position: Callable[[Any], Any]
) -> dict[Hashable, int]:
    """Each item's place in its list, by ``position`` then ``key``: what a plan's markers
    and a level's dimensions are ordered by. Their numbers are written only when this
    order changes (``orders_differ``), so a file that gives no numbers keeps the stored ones."""
    ordered = sorted(items, key=lambda item: (position(item), str(key(item))))
    return {key(item): rank for rank, item in enumerate(ordered)}


def orders_differ(stored: dict[Hashable, int], wanted: dict[Hashable, int]) -> bool:
    """Whether writing ``wanted`` (key → rank) changes the order ``stored`` holds: a new
    item, or the kept items in another order."""
    if any(key not in stored for key in wanted):
        return True
    kept = sorted((rank, key) for key, rank in stored.items() if key in wanted)
    return [key for _rank, key in kept] != sorted(wanted, key=lambda key: wanted[key])
