import pytest

from shinchoku import fiscal


@pytest.mark.parametrize(
    ("year", "wareki"),
    [
        (1868, "明治元年度"),
        (1911, "明治44年度"),
        (1912, "大正元年度"),
        (1926, "大正15年度"),
        (1927, "昭和2年度"),
        (1988, "昭和63年度"),
        (1989, "平成元年度"),
        (2011, "平成23年度"),
        (2012, "平成24年度"),
        (2018, "平成30年度"),
        (2019, "令和元年度"),
        (2026, "令和8年度"),
    ],
)
def test_wareki_labels(year: int, wareki: str) -> None:
    assert fiscal.wareki_label(year) == wareki


def test_both_labels_match_the_printed_column_headings() -> None:
    assert fiscal.both_labels(2014) == "2014(平成26)年度"
    assert fiscal.western_label(2012) == "2012年度"


def test_years_before_known_eras_are_refused() -> None:
    with pytest.raises(ValueError, match="before the eras"):
        fiscal.wareki_label(1867)


def test_era_year_to_western() -> None:
    assert fiscal.era_year_to_western("平成", 24) == 2012
    assert fiscal.era_year_to_western("令和", 1) == 2019
    assert fiscal.era_year_to_western("昭和", 1) == 1926
    with pytest.raises(ValueError, match="unknown era"):
        fiscal.era_year_to_western("大化", 1)
