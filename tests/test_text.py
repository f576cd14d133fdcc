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


def test_other_programs_line_breaks_become_line_ends_and_control_characters_go() -> None:
    """A line break pasted from PowerPoint (a vertical tab) or a form feed is a line end;
    other control characters, which no spreadsheet cell or XML file holds, are dropped."""
    assert normalize("説明会\v開催\f報告\u2028完了") == "説明会\n開催\n報告\n完了"
    assert normalize("開催\x07しました\x00。\x1b\x7f\x85") == "開催しました。"
    assert normalize("a\tb") == "a\tb"
