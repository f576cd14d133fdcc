"""Fiscal years and dates as the pages name them, in the reader's language."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from shinchoku import fiscal


@pytest.mark.parametrize(
    ("day", "japanese"),
    [
        (date(2026, 12, 20), "2026年12月20日（令和8年）"),
        (date(2019, 5, 1), "2019年5月1日（令和元年）"),
        (date(2019, 4, 30), "2019年4月30日（平成31年）"),
        (date(1989, 1, 8), "1989年1月8日（平成元年）"),
        (date(1989, 1, 7), "1989年1月7日（昭和64年）"),
    ],
)
def test_a_day_in_japanese_carries_its_era_year(day: date, japanese: str) -> None:
    with translation.override("ja"):
        assert fiscal.date_label(day) == japanese


def test_a_day_in_english_is_written_out() -> None:
    with translation.override("en"):
        assert fiscal.date_label(date(2026, 12, 20)) == "20 December 2026"
    assert fiscal.date_label(date(2026, 12, 20), language="en") == "20 December 2026"


def test_a_time_is_shown_in_the_sites_time_zone() -> None:
    moment = datetime(2026, 12, 19, 15, 5, tzinfo=ZoneInfo("UTC"))  # 00:05 on the 20th in Tokyo
    with translation.override("ja"):
        assert fiscal.datetime_label(moment) == "2026年12月20日（令和8年） 00:05"
    with translation.override("en"):
        assert fiscal.datetime_label(moment) == "20 December 2026, 00:05"


def test_fiscal_years_follow_the_language() -> None:
    with translation.override("ja"):
        assert fiscal.year_label(2013) == "2013年度（平成25年度）"
        assert fiscal.year_heading(2014, onwards=True) == "2014(平成26)年度以降"
        assert fiscal.period_label(2011, 2013) == "2011年度〜2013年度"
        assert fiscal.period_label(2011, 2013, era=True) == "2011(平成23)年度〜2013(平成25)年度"
        assert fiscal.period_label(2013, 2014, onwards=True) == "2013年度〜2014年度以降"
        assert fiscal.period_label(2014, 2014, onwards=True) == "2014年度以降"
    with translation.override("en"):
        assert fiscal.year_label(2013) == "FY2013"
        assert fiscal.year_heading(2014, onwards=True) == "FY2014 onwards"
        assert fiscal.period_label(2011, 2013, era=True) == "FY2011–FY2013"
        assert fiscal.period_label(2013, 2014, onwards=True) == "FY2013–FY2014 onwards"
        # Documents that are Japanese whatever the reader's language ask for it.
        assert fiscal.period_label(2011, 2013, language="ja") == "2011年度〜2013年度"
