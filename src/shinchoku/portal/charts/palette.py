"""How every chart tells its series apart: the one place that decides the colours and
patterns of a rating scale's levels and of the funding sources.

A rating scale is data (3 to 5 levels usually, a verdict of 8 now and then) and says
which end is good (``Scale.good_end``) and which levels are on the adverse side
(``ScaleLevel.adverse``). ``rating_fills`` orders the levels from the good end to the
bad one and draws them so, on every chart: the good end first (on the left of a bar, at
the top of a measure's chart), in one family of blues, darkest for the best; the adverse
side in one family of oranges, darkest for the worst, and hatched, more densely the
worse. Blue against orange holds for every common colour-vision deficiency (the
Okabe–Ito pair), the ramps of lightness hold in grayscale, and the hatching tells the
adverse side apart on a grayscale print where two tones come out alike. A scale with no
adverse level is one ramp of blues.

The funding sources (``funding_fills``) are the Okabe–Ito colours, each with a pattern
of its own, so that a stack of them can be read without colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

#: Blues from the darkest (the best level) to the lightest: a ramp is taken from it.
_GOOD = ("#08306b", "#1c5a99", "#3f7fbf", "#75a6d6", "#a8c8e8", "#d0e1f2")
#: Oranges from the lightest (the first adverse level) to the darkest (the worst).
_BAD = ("#fdd0a2", "#f9a55c", "#e6761f", "#b84f0b", "#7f2704")
#: The hatching of the adverse levels, from the first to the worst: denser as it goes.
_BAD_HATCH = ("diagonal", "cross", "dense")

INK = "#1b1f24"
WHITE = "#ffffff"


@dataclass(frozen=True)
class Fill:
    """How one series is painted: a colour, and a pattern drawn over it (``hatch``, or
    "" for none) in ``line``; ``ink``, the colour of text written on it."""

    key: str
    colour: str
    hatch: str = ""
    line: str = INK
    ink: str = INK

    def paint(self, prefix: str) -> str:
        """The value of a ``fill`` attribute: the colour, or the pattern of the chart
        whose ids start with ``prefix`` (``templates/portal/charts/_defs.html``)."""
        return f"url(#{prefix}-{self.key})" if self.hatch else self.colour


class _Level(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def adverse(self) -> bool: ...


_L = TypeVar("_L")


def _ink_on(colour: str) -> str:
    """White on a dark colour, the ink on a light one (by relative luminance)."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return WHITE if luminance < 0.2 else INK


def _spread(ramp: Sequence[str], count: int) -> list[str]:
    """``count`` colours of ``ramp``, evenly apart from its first to its last; past its
    length, the last again (those levels are told apart by their place and label)."""
    if count <= 1:
        return list(ramp[:count])
    if count >= len(ramp):
        return [*ramp, *[ramp[-1]] * (count - len(ramp))]
    last = len(ramp) - 1
    return [ramp[round(i * last / (count - 1))] for i in range(count)]


def good_first(levels: Sequence[_L], good_end: str) -> list[_L]:
    """The levels of a scale, given in its order, from the good end to the bad one."""
    return list(reversed(levels)) if good_end == "last" else list(levels)


def rating_fills(levels: Sequence[_Level], good_end: str) -> dict[str, Fill]:
    """The fill of each level of a scale, by code (see the module). ``levels`` in the
    scale's order (``ScaleLevel.position``); ``good_end`` as ``Scale.good_end``."""
    ordered = good_first(levels, good_end)
    good = [level for level in ordered if not level.adverse]
    bad = [level for level in ordered if level.adverse]
    # Beside an adverse side, the lightest blue is left out: the last good level must
    # stay apart in grayscale from the first adverse one, which is light too.
    blues = _spread(_GOOD[:-1] if bad else _GOOD, len(good))
    oranges = _spread(_BAD[1:], len(bad))
    fills: dict[str, Fill] = {}
    for n, (level, colour) in enumerate(zip(good, blues, strict=True)):
        fills[level.code] = Fill(key=f"r{n}", colour=colour, ink=_ink_on(colour))
    for n, (level, colour) in enumerate(zip(bad, oranges, strict=True)):
        ink = _ink_on(colour)
        fills[level.code] = Fill(
            key=f"r{len(good) + n}",
            colour=colour,
            hatch=_BAD_HATCH[n * len(_BAD_HATCH) // len(bad)],
            line=WHITE if ink == WHITE else INK,
            ink=ink,
        )
    return fills


#: The funding sources in the order of the cost tables, each with its colour and pattern.
FUNDING = {
    "national": Fill("f-national", "#56b4e9", hatch="dots"),
    "prefectural": Fill("f-prefectural", "#009e73", hatch="horizontal", line=WHITE, ink=INK),
    "bonds": Fill("f-bonds", "#e69f00", hatch="vertical"),
    "other": Fill("f-other", "#cc79a7", hatch="cross"),
    "general": Fill("f-general", "#0072b2", ink=WHITE),
}
#: The part of the project cost (A) that no funding source given accounts for.
UNSPLIT = Fill("f-unsplit", "#e3e6ea")
#: The staff cost (B), on top of A: white, hatched in the ink, as on a measure's chart.
STAFF = Fill("f-staff", WHITE, hatch="diagonal")
#: A single amount (the full cost of a plan area or programme).
AMOUNT = Fill("f-amount", "#0072b2", ink=WHITE)


def funding_fills() -> dict[str, Fill]:
    return dict(FUNDING)
