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

The pages name years and dates through the functions at the end (``year_label``,
``year_heading``, ``period_label``, ``date_label``, ``datetime_label``), which follow the
active language: 2013年度（平成25年度） and 2026年12月20日（令和8年） in Japanese, FY2013
and 20 December 2026 in English. The plain Japanese forms above them (``western_label``,
``wareki_label``, ``both_labels``) are for documents and data that are Japanese whatever
the reader's language: the open data, the entry workbook.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import dateformat, timezone, translation


@dataclass(frozen=True)
class Era:
    name: str
    #: The calendar year the era began in: its year 1 (元年).
    first_calendar_year: int
    #: The first fiscal year printed with this era's name.
    first_fiscal_year: int
    #: The first day of the era (明治: the day its year 1 is counted from).
    first_day: date


# Newest first.
ERAS: tuple[Era, ...] = (
    Era("令和", 2019, 2019, date(2019, 5, 1)),
    Era("平成", 1989, 1989, date(1989, 1, 8)),
    Era("昭和", 1926, 1927, date(1926, 12, 25)),
    Era("大正", 1912, 1912, date(1912, 7, 30)),
    Era("明治", 1868, 1868, date(1868, 1, 1)),
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


def wareki_month(calendar_year: int, month: int) -> str:
    """A month in the era of its first day: 平成31年4月, 令和元年5月."""
    name, number = era_of_day(date(calendar_year, month, 1))
    return f"{name}{'元' if number == 1 else number}年{month}月"


# ------------------------------------------------------------ years as people write them

#: The era names as the alternatives of a regular expression.
ERA_NAMES = "|".join(re.escape(era.name) for era in ERAS)
#: An era year inside a text, 平成23 or 令和元: group 1 the era, group 2 its number.
ERA_YEAR = rf"({ERA_NAMES})(元|[0-9]+)"
#: No era has lasted 200 years: a larger number is not an era year.
MAX_ERA_YEAR = 200

_WRITTEN_YEAR = re.compile(
    rf"^(?:fy(?P<fy>[0-9]{{4}})|(?P<western>[0-9]{{4}})(?:\((?:{ERA_NAMES})(?:元|[0-9]+)\))?"
    rf"|(?P<era>{ERA_NAMES})(?P<number>元|[0-9]+))"
    r"(?P<unit>年度|年)?(?P<onwards>以降|onwards|-)?$"
)


def era_year_number(written: str) -> int:
    """The number of an era year as written: 1 for 元."""
    return 1 if written == "元" else int(written)


@dataclass(frozen=True)
class WrittenYear:
    """A fiscal year read from a text, and how it was written."""

    year: int
    #: "年度", "年", "FY", or "" for the bare number.
    unit: str
    #: Written with its era's name (平成23年度), not as a Western year.
    wareki: bool
    #: Followed by 以降 (onwards, "-"): the onwards column of a plan.
    onwards: bool


def read_year(text: str) -> WrittenYear | None:
    """A fiscal year as written in a file: 2011, 2011年度, 2011年, 2011(平成23)年度,
    平成23年度, 令和元年度, FY2011, each with 以降 (onwards) after it for the onwards column.
    Full-width digits and brackets, spaces and letter case make no difference; in
    2011(平成23)年度 the Western year counts, the era year beside it is for the reader.
    None for any other text, and for an era year over ``MAX_ERA_YEAR``."""
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()
    match = _WRITTEN_YEAR.match(compact)
    if not match:
        return None
    unit, onwards = match.group("unit") or "", bool(match.group("onwards"))
    if match.group("fy"):
        return None if unit else WrittenYear(int(match.group("fy")), "FY", False, onwards)
    if match.group("western"):
        return WrittenYear(int(match.group("western")), unit, False, onwards)
    number = era_year_number(match.group("number"))
    if number > MAX_ERA_YEAR:
        return None
    return WrittenYear(era_year_to_western(match.group("era"), number), unit, True, onwards)


def parse_year(text: str) -> int | None:
    """A single fiscal year as written (``read_year``, without 以降), or None."""
    written = read_year(text)
    return written.year if written is not None and not written.onwards else None


def bare_era_year(number: int, *, latest: int | None = None) -> int | None:
    """The fiscal year a bare era year most likely means, as a sheet writes 27 for 平成27:
    that year of the newest era that lasted so long and, when ``latest`` is given, in which
    it is not after ``latest`` (27 in a sheet of 2025 is 平成27, 2015). None when no era fits."""
    if number < 1:
        return None
    for index, era in enumerate(ERAS):
        year = era.first_calendar_year + number - 1
        ended = ERAS[index - 1].first_calendar_year if index else None
        if (ended is None or year <= ended) and (latest is None or year <= latest):
            return year
    return None


# ------------------------------------------------------------ in the reader's language


def _japanese(language: str | None) -> bool:
    """Whether years and dates are written the Japanese way: in Japanese, and when no
    language is active (the site's language is Japanese)."""
    code = language or translation.get_language()
    return code is None or code.split("-")[0] == "ja"


def year_label_parts(fiscal_year: int, *, language: str | None = None) -> tuple[str, str]:
    """A fiscal year's name and its era form to print beside it, in the active language
    (or ``language``): ("2012年度", "平成24年度") in Japanese, ("FY2012", "") in English."""
    if _japanese(language):
        return western_label(fiscal_year), wareki_label(fiscal_year)
    return f"FY{fiscal_year}", ""


def year_label(fiscal_year: int, *, language: str | None = None) -> str:
    """A fiscal year as the pages name it: 2012年度（平成24年度）; FY2012 in English."""
    name, era = year_label_parts(fiscal_year, language=language)
    return f"{name}（{era}）" if era else name


def year_heading(fiscal_year: int, *, onwards: bool = False, language: str | None = None) -> str:
    """A fiscal year as a table's column heading, in the printed report's style:
    2012(平成24)年度, 2014(平成26)年度以降 for the onwards column; FY2012, FY2014 onwards
    in English."""
    if _japanese(language):
        return f"{both_labels(fiscal_year)}以降" if onwards else both_labels(fiscal_year)
    return f"FY{fiscal_year} onwards" if onwards else f"FY{fiscal_year}"


def period_label(
    first_year: int,
    last_year: int,
    *,
    onwards: bool = False,
    era: bool = False,
    language: str | None = None,
) -> str:
    """A span of fiscal years: 2011年度〜2013年度 (with ``era``, 2011(平成23)年度〜2013(平成25)年度),
    2013年度〜2014年度以降 when it runs into the onwards column; FY2011–FY2013 and
    FY2013–FY2014 onwards in English. A span of one year is that year."""
    if _japanese(language):
        name = both_labels if era else western_label
        text = name(first_year) if first_year == last_year else f"{name(first_year)}〜{name(last_year)}"
        return f"{text}以降" if onwards else text
    text = f"FY{first_year}" if first_year == last_year else f"FY{first_year}–FY{last_year}"
    return f"{text} onwards" if onwards else text


def era_of_day(day: date) -> tuple[str, int]:
    """Return (era name, year within the era) for a calendar day: 2019-04-30 is 平成31,
    2019-05-01 令和元."""
    for era in ERAS:
        if day >= era.first_day:
            return era.name, day.year - era.first_calendar_year + 1
    raise ValueError(f"{day} is before the eras this software knows")


def date_label(day: date, *, language: str | None = None) -> str:
    """A day as the pages write it: 2026年12月20日（令和8年）; 20 December 2026 in English."""
    if _japanese(language):
        name, number = era_of_day(day)
        return f"{day.year}年{day.month}月{day.day}日（{name}{'元' if number == 1 else number}年）"
    with translation.override("en"):
        return dateformat.format(day, "j F Y")


def datetime_label(moment: datetime, *, language: str | None = None) -> str:
    """A moment in the site's time zone: 2026年12月20日（令和8年）14:05; 20 December 2026,
    14:05 in English."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    day = date_label(local.date(), language=language)
    separator = " " if _japanese(language) else ", "
    return f"{day}{separator}{local:%H:%M}"
