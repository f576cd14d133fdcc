"""Dates inside a report's text, and the fiscal years they fall in.

A result names when things happened: 平成23年4月, 平成２４年１月, 2012年9月. A fiscal
year (年度) runs from April to March, so a month from April on falls in the fiscal year
of its calendar year and January to March in the one before: 平成24年1月 is FY2011. A
year written with 年度 (平成24年度募集, 2013年度以降) names a fiscal year directly, but a
text may speak of the year before or after its own; such mentions weigh less.

Era names are read through ``shinchoku.fiscal`` (``ERA_YEAR``), the one home of the eras.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shinchoku import fiscal
from shinchoku.text import normalize

_YEAR = rf"(?:{fiscal.ERA_YEAR}|(?<![0-9])((?:19|20)[0-9]{{2}}))"
_MONTH_DATE = re.compile(_YEAR + r"\s*年\s*([0-9]{1,2})\s*月")
_FISCAL_YEAR = re.compile(_YEAR + r"\s*年度(以降)?")


@dataclass(frozen=True)
class Dated:
    """A date or fiscal year found in a text."""

    fiscal_year: int
    #: "month": a month of a year (平成24年1月); "fiscal": a fiscal year (平成24年度).
    kind: str
    #: As written.
    written: str
    #: Followed by 以降 (from that year on).
    onwards: bool = False


def _calendar_year(match: re.Match[str]) -> int | None:
    era, number, western = match.group(1), match.group(2), match.group(3)
    if western:
        return int(western)
    value = fiscal.era_year_number(number)
    if value > fiscal.MAX_ERA_YEAR:
        return None
    return fiscal.era_year_to_western(era, value)


def fiscal_year_of_month(calendar_year: int, month: int) -> int:
    """The fiscal year a month falls in: April to March."""
    return calendar_year if month >= 4 else calendar_year - 1


def dates_in(text: str) -> list[Dated]:
    """The months and fiscal years written in ``text`` (any width of digits), in order."""
    flat = normalize(text)
    found: list[tuple[int, Dated]] = []
    for match in _MONTH_DATE.finditer(flat):
        year, month = _calendar_year(match), int(match.group(4))
        if year is not None and 1 <= month <= 12:
            found.append((match.start(), Dated(fiscal_year_of_month(year, month), "month", match.group())))
    for match in _FISCAL_YEAR.finditer(flat):
        year = _calendar_year(match)
        if year is not None:
            found.append((match.start(), Dated(year, "fiscal", match.group(), bool(match.group(4)))))
    return [dated for _start, dated in sorted(found, key=lambda item: item[0])]
