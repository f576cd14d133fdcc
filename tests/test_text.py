from shinchoku.text import normalize


def test_full_width_digits_and_ascii_become_half_width() -> None:
    assert normalize("平成２４年１月（川崎区）ＡＢＣ") == "平成24年1月(川崎区)ABC"


def test_half_width_kana_become_full_width_and_circled_numbers_stay() -> None:
    assert normalize("ｺﾐｭﾆﾃｨ ①助成金 ②運営") == "コミュニティ ①助成金 ②運営"


def test_half_width_middle_dot_becomes_the_japanese_one() -> None:
    assert normalize("･各区において") == "・各区において"


def test_line_ends_and_trailing_blanks() -> None:
    assert normalize("  a  \r\nb\u3000\rc \n") == "a\nb\nc"
    assert normalize("") == ""
