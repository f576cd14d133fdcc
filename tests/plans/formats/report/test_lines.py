"""A report's lines cleaned and gathered into paragraphs."""

from shinchoku.plans.formats.report.lines import clean, joined, paragraphs
from shinchoku.plans.formats.report.source import read_text


def kinds(text: str) -> list[tuple[str, str]]:
    return [(p.kind, p.text) for p in paragraphs(clean(read_text(text.encode(), "r.txt")))]


def test_page_numbers_are_removed_in_either_width() -> None:
    assert kinds("・実施しました。\n-157-\n\n－１５８－\n・検討しました。") == [
        ("text", "・実施しました。"),
        ("text", "・検討しました。"),
    ]


def test_a_bare_number_is_a_page_number_only_at_the_edges_of_numbered_pages() -> None:
    text = "\f".join(f"・第{n}頁の文です。\n3\n{n + 40}" for n in range(1, 4))
    found = kinds(text)
    assert ("rating", "3") in found  # the rating cell stays
    assert not any(text in ("41", "42", "43") for _kind, text in found)


def test_running_heads_are_removed_but_anchors_stay() -> None:
    pages = [f"市政報告書 2013\n事業内容・目標\n・第{n}頁の文です。" for n in range(1, 5)]
    found = kinds("\f".join(pages))
    assert ("label", "事業内容・目標") in found
    assert not any("市政報告書" in text for _kind, text in found)


def test_a_name_and_the_cell_on_its_line_are_two_paragraphs() -> None:
    found = paragraphs(
        clean(read_text("協働型事業の推進 ●ルールに基づく\n協働型事業の拡\n充\n".encode(), "r.txt"))
    )
    assert [(p.text, p.beside_title) for p in found] == [
        ("協働型事業の推進", False),
        ("●ルールに基づく協働型事業の拡充", True),
    ]


def test_a_sentence_broken_by_a_blank_line_is_joined_until_it_ends() -> None:
    assert kinds("名前\n・調査を実施し、2011 年度実施事業\n\n及び一覧を作成しました。\n\n・次の文です。") == [
        ("text", "名前"),
        ("text", "・調査を実施し、2011年度実施事業及び一覧を作成しました。"),
        ("text", "・次の文です。"),
    ]


def test_year_labels_and_ratings_stand_alone() -> None:
    assert kinds("2011年度\n実施結果\n\n達成状況区分\n\n３\n\n○") == [
        ("year_label", "2011年度実施結果"),
        ("rating_label", "達成状況区分"),
        ("rating", "3"),
        ("marker", "○"),
    ]


def test_wrapped_items_are_joined_one_item_a_line() -> None:
    assert (
        joined(["●基本設計●幸区役所庁舎", "の再整備", "①助成", "　金制度"])
        == "●基本設計\n●幸区役所庁舎の再整備\n①助成金制度"
    )
