"""Japanese fiscal years (年度) and era years (和暦).

A fiscal year runs from 1 April to 31 March and is stored as the Western year in
which it starts: FY2012 is April 2012 – March 2013, printed 2012年度 or 平成24年度.

The era of a fiscal year is the one in force for most of it, as Japanese public
bodies print it, and its number counts the era's calendar years:
- FY1912 is 大正元年度 (大正 began on 30 July 1912);
- FY1926 is 大正15年度 (昭和 began on 25 December 1926) and FY1927 昭和2年度;
- FY1988 is 昭和63年度 and FY1989 平成元年度 (昭和 ended on 7 January 1989);
- FY2019 is 令和元年度: 平成 ended on 30 April 2019 and administrations renamed the
  year 令和元年度 from 1 May.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    name: str
    #: The calendar year the era began in: its year 1 (元年).
    first_calendar_year: int
    #: The first fiscal year printed with this era's name.
    first_fiscal_year: int


# Newest first.
ERAS: tuple[Era, ...] = (
    Era("令和", 2019, 2019),
    Era("平成", 1989, 1989),
    Era("昭和", 1926, 1927),
    Era("大正", 1912, 1912),
    Era("明治", 1868, 1868),
)


def era_of(fiscal_year: int) -> tuple[str, int]:
    """Return (era name, year within the era) for a fiscal year."""
    for era in ERAS:
        if fiscal_year >= era.first_fiscal_year:
            return era.name, fiscal_year - era.first_calendar_year + 1
    raise ValueError(f"fiscal year {fiscal_year} is before the eras this software knows")


def _era_year(fiscal_year: int) -> str:
    """平成24, 令和元."""
    name, number = era_of(fiscal_year)
    return f"{name}{'元' if number == 1 else number}"


def wareki_label(fiscal_year: int) -> str:
    """平成24年度 for 2012; 令和元年度 for 2019."""
    return f"{_era_year(fiscal_year)}年度"


def western_label(fiscal_year: int) -> str:
    """2012年度."""
    return f"{fiscal_year}年度"


def both_labels(fiscal_year: int) -> str:
    """2012(平成24)年度, the style of the printed report's column headings."""
    return f"{fiscal_year}({_era_year(fiscal_year)})年度"


def era_year_to_western(era_name: str, era_year: int) -> int:
    """The Western calendar year of an era year: (平成, 24) → 2012."""
    for era in ERAS:
        if era.name == era_name:
            return era.first_calendar_year + era_year - 1
    raise ValueError(f"unknown era {era_name!r}")
