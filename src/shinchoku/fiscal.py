"""Japanese fiscal years (年度) and era years (和暦).

A fiscal year runs from 1 April to 31 March and is stored as the Western year in
which it starts: FY2012 is April 2012 – March 2013, printed 2012年度 or 平成24年度.

Era of a fiscal year: the era in force for most of the year, as Japanese public
bodies print it. FY1989 is 平成元年度 (昭和 ended on 7 January 1989, before the
fiscal year began). FY2019 is 令和元年度: 平成 ended on 30 April 2019 and
administrations renamed the year 令和元年度 from 1 May.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    name: str
    first_fiscal_year: int


# Newest first. The first fiscal year numbered in an era is its year 1 (元年度).
ERAS: tuple[Era, ...] = (
    Era("令和", 2019),
    Era("平成", 1989),
    Era("昭和", 1926),
)


def era_of(fiscal_year: int) -> tuple[str, int]:
    """Return (era name, year within the era) for a fiscal year."""
    for era in ERAS:
        if fiscal_year >= era.first_fiscal_year:
            return era.name, fiscal_year - era.first_fiscal_year + 1
    raise ValueError(f"fiscal year {fiscal_year} is before the eras this software knows")


def wareki_label(fiscal_year: int) -> str:
    """平成24年度 for 2012; 令和元年度 for 2019."""
    name, number = era_of(fiscal_year)
    return f"{name}{'元' if number == 1 else number}年度"


def western_label(fiscal_year: int) -> str:
    """2012年度."""
    return f"{fiscal_year}年度"


def both_labels(fiscal_year: int) -> str:
    """2012(平成24)年度, the style of the printed report's column headings."""
    name, number = era_of(fiscal_year)
    return f"{fiscal_year}({name}{'元' if number == 1 else number})年度"


def fiscal_year_of(day: datetime.date) -> int:
    """The fiscal year a calendar date falls in: 2012-01-15 is in FY2011."""
    return day.year if day.month >= 4 else day.year - 1


def era_year_to_western(era_name: str, era_year: int) -> int:
    """Convert an era year (平成, 24) to the Western year (2012)."""
    for era in ERAS:
        if era.name == era_name:
            # Calendar era years count from the era's first calendar year, which for
            # these three eras is the calendar year its first fiscal year starts in.
            return era.first_fiscal_year + era_year - 1
    raise ValueError(f"unknown era {era_name!r}")
