"""The comparison of two texts (``shinchoku.textdiff``): Japanese compared by sentence and
then by character, the old and the new text both recoverable from the parts, width alone
not a change; and the staff's side-by-side diff made from the same parts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shinchoku.review.diff import text_diff
from shinchoku.text import normalize
from shinchoku.textdiff import Kind, Summary, compare, lines, sentences

# Nothing here touches the database: once, in one pass (tests/conftest.py).
pytestmark = pytest.mark.one_database


def marked(old: str, new: str) -> list[tuple[str, str]]:
    return [(part.kind.value, part.text) for part in compare(old, new).parts]


def test_sentences_keep_their_punctuation_and_line_breaks() -> None:
    text = "説明会を開催しました。参加者は「多数」でした！\n・講座を実施（全3回）\n本当か？"
    assert sentences(text) == [
        "説明会を開催しました。",
        "参加者は「多数」でした！",
        "\n",
        "・講座を実施（全3回）",
        "\n",
        "本当か？",
    ]
    assert "".join(sentences(text)) == text


def test_a_changed_number_is_marked_and_not_its_sentence() -> None:
    old = "説明会を3回開催しました。参加者は120人でした。"
    new = "説明会を5回開催しました。参加者は120人でした。"
    assert marked(old, new) == [
        ("kept", "説明会を"),
        ("deleted", "3"),
        ("inserted", "5"),
        ("kept", "回開催しました。参加者は120人でした。"),
    ]
    assert compare(old, new).summary == Summary(changed=1)


def test_added_removed_and_rewritten_sentences_are_counted() -> None:
    old = "庁内調査を実施しました。説明会を開催しました。ルールを周知しました。"
    new = "庁内調査を実施しました。説明会を2回開催しました。モデル事業を始めました。事業一覧を公表しました。"
    diff = compare(old, new)
    # 説明会 is rewritten; ルールを周知 has little in common with what replaces it: removed.
    assert diff.summary == Summary(added=2, removed=1, changed=1)
    assert diff.old == old and diff.new == new
    assert compare(old, "庁内調査を実施しました。").summary == Summary(removed=2)
    # A sentence cut in two is one rewritten and one added.
    assert compare(
        "説明会を開催し、参加者は120人でした。", "説明会を開催しました。参加者は120人でした。"
    ).summary == (Summary(added=1, changed=1))


def test_unrelated_sentences_are_not_shown_as_characters_edited() -> None:
    old = "・庁内調査を平成23年4月に実施しました。\n・説明会を5月及び1月に開催しました。"
    assert marked(old, "・事業一覧を9月に公表しました。") == [
        ("deleted", old),
        ("inserted", "・事業一覧を9月に公表しました。"),
    ]
    assert compare(old, "・事業一覧を9月に公表しました。").summary == Summary(added=1, removed=2)
    # Among the sentences replaced, the most alike pair is rewritten; the texts keep their
    # order, so the other sentence, moved, is removed and added.
    assert marked("・相談が増加。講座を開催。", "・講座を3回開催。相談が減少。") == [
        ("deleted", "・相談が増加。"),
        ("inserted", "・"),
        ("kept", "講座を"),
        ("inserted", "3回"),
        ("kept", "開催。"),
        ("inserted", "相談が減少。"),
    ]


def test_a_short_common_run_between_changes_is_marked_with_them() -> None:
    # 年3 → 月2 and 開催 → 実施 share only 回 between them: one change, not two.
    assert marked("会議を年3回開催した。", "会議を月2回実施した。") == [
        ("kept", "会議を"),
        ("deleted", "年3回開催"),
        ("inserted", "月2回実施"),
        ("kept", "した。"),
    ]


def test_width_alone_is_not_a_change() -> None:
    diff = compare("平成２４年１月にＮＰＯと協働しました。", "平成24年1月にNPOと協働しました。")
    assert diff.same and diff.summary.same
    assert diff.new == "平成24年1月にNPOと協働しました。"
    # Compared as they are, the digits differ.
    assert not compare("２４", "24", normalise=False).same


def test_identical_and_empty_texts() -> None:
    assert compare("", "").parts == ()
    assert compare("同じ文です。", "同じ文です。").summary.same
    assert marked("", "新しい文です。") == [("inserted", "新しい文です。")]
    assert compare("", "一文目。二文目。").summary == Summary(added=2)


def test_lines_of_a_diff_say_what_each_line_is() -> None:
    diff = compare(
        "・事業Aを実施\n・事業Bを実施\n・事業Cを実施", "・事業Aを実施\n・事業Dを実施\n・事業Eを新設"
    )
    assert [line.status for line in lines(diff)] == ["kept", "changed", "changed"]
    added = compare("・事業Aを実施", "・事業Aを実施\n・事業Eを新設")
    assert [(line.status, line.marked_break) for line in lines(added)] == [
        ("kept", None),
        ("inserted", None),
    ]
    # A line joined to the next: its break is marked removed.
    joined = compare("一行目\n二行目", "一行目二行目")
    assert [(line.status, line.marked_break) for line in lines(joined)] == [
        ("changed", Kind.DELETED),
        ("kept", None),
    ]


def test_a_passage_too_long_to_compare_by_character_is_marked_whole(monkeypatch) -> None:
    monkeypatch.setattr("shinchoku.textdiff.CHARACTER_DIFF_LIMIT", 10)
    assert marked("長い文章の一部です。", "長い文章の全部です。") == [
        ("deleted", "長い文章の一部です。"),
        ("inserted", "長い文章の全部です。"),
    ]


def test_the_staff_side_by_side_diff_is_made_of_the_same_parts() -> None:
    old, new = text_diff(
        "・説明会を3回開催\n・講座を実施", "・説明会を5回開催\n・講座を実施\n・相談窓口を新設"
    )
    assert [line.text for line in old] == ["・説明会を3回開催", "・講座を実施"]
    assert [(f.text, f.changed) for f in old[0].fragments] == [
        ("・説明会を", False),
        ("3", True),
        ("回開催", False),
    ]
    assert [line.whole for line in new] == [False, False, True]


# ------------------------------------------------------------------ properties

#: Japanese text as the plans write it: kana, kanji, both widths of digits and letters,
#: the sentence ends, brackets, bullets and line breaks.
ALPHABET = "あいうかきくアイウ事業推進説明会年度０１２012ＡＢAB。！？」）・●\n "
texts = st.text(alphabet=ALPHABET, max_size=40)


@settings(max_examples=200, deadline=None)
@given(texts, texts)
def test_the_parts_give_back_both_texts(old: str, new: str) -> None:
    diff = compare(old, new)
    assert diff.old == normalize(old)
    assert diff.new == normalize(new)
    exact = compare(old, new, normalise=False)
    assert (exact.old, exact.new) == (old, new)
    # Parts are never empty, and two neighbours are never of one kind.
    assert all(part.text for part in diff.parts)
    assert all(a.kind != b.kind for a, b in zip(diff.parts, diff.parts[1:], strict=False))


@settings(max_examples=100, deadline=None)
@given(texts)
def test_a_text_against_itself_has_no_change(text: str) -> None:
    diff = compare(text, text)
    assert diff.same and diff.summary.same
    assert all(line.status == "kept" for line in lines(diff))


@settings(max_examples=100, deadline=None)
@given(texts, texts)
def test_the_lines_hold_every_part(old: str, new: str) -> None:
    diff = compare(old, new)
    shown = "".join(part.text for line in lines(diff) for part in line.parts)
    assert shown == "".join(part.text for part in diff.parts).replace("\n", "")
    # Something changed exactly when some line says so.
    assert diff.same == all(line.status == "kept" for line in lines(diff))
