"""Reading a PDF report: lines in reading order with their page and box, tables rebuilt cell
by cell from where their words stand, and every bad PDF refused with a clear message.

The PDFs are made here with Typst (the report's own typesetter), and Shinchoku's own report
of the demonstration plan and of a synthetic plan is read back and checked against the data
it was made from and against poppler's pdftotext."""

from __future__ import annotations

import hashlib
import itertools
import re
import subprocess
import unicodedata
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
import typst
from django.core.management import call_command
from pdfminer.arcfour import Arcfour

from shinchoku.plans.formats.report import pdf as pdf_reader
from shinchoku.plans.formats.report.pdf import read_pdf
from shinchoku.plans.formats.report.reading import read_source
from shinchoku.plans.formats.report.source import ReportRefused, Source
from shinchoku.plans.models import Node
from shinchoku.progress.models import Result, Target
from shinchoku.reports.render import japanese_font

ROOT = Path(__file__).parents[4]
SEED = ROOT / "data" / "seeds" / "kawasaki-plan9.yaml"


def typeset(tmp_path: Path, body: str, *, width: int = 400, height: int = 300) -> bytes:
    """A PDF of ``body`` (Typst markup) on pages of ``width`` × ``height`` points."""
    family, folder = japanese_font()
    source = (
        f'#set page(width: {width}pt, height: {height}pt, margin: 20pt)\n#set text(font: "{family}", size: 10pt, lang: "ja")\n'
        + body
    )
    output = tmp_path / "made.pdf"
    typst.compile(source.encode(), output=str(output), font_paths=[str(folder)])  # type: ignore[misc]
    return output.read_bytes()


def texts(source: Source) -> list[str]:
    return [line.text for line in source.lines]


def cells(source: Source) -> dict[tuple[int, int, int, int], str]:
    """Each cell's text (page, table, row, column) → its lines joined, in the order read."""
    found: dict[tuple[int, int, int, int], str] = {}
    for line in source.lines:
        if line.cell is not None:
            assert line.page is not None
            key = (line.page, *line.cell)
            found[key] = found.get(key, "") + line.text
    return found


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# Reading


@pytest.mark.one_database
def test_a_ruled_table_is_read_cell_by_cell_whatever_the_order_it_was_drawn_in(tmp_path: Path) -> None:
    # The grid's rules, then each cell's text placed from the last cell to the first: a reader
    # following the drawing order would read the table backwards.
    rules = "".join(f"#place(dx: 0pt, dy: {y}pt, line(length: 300pt))\n" for y in (0, 30, 90, 120)) + "".join(
        f"#place(dx: {x}pt, dy: 0pt, line(angle: 90deg, length: 120pt))\n" for x in (0, 100, 200, 300)
    )
    cell_texts = [
        (0, 0, "施策計画名"),
        (0, 1, "現状"),
        (0, 2, "2012年度"),
        (1, 0, "協働型事業の推進と拡充を図るための長い名前の施策"),
        (1, 1, "●ルールの策定"),
        (1, 2, "●ルールに基づく事業の実施"),
        (2, 0, "市民活動の支援"),
        (2, 1, "●拠点の整備"),
        (2, 2, "事業推進"),
    ]
    tops = (0, 30, 90)
    placed = "".join(
        f"#place(dx: {column * 100 + 4}pt, dy: {tops[row] + 4}pt, box(width: 92pt)[{text}])\n"
        for row, column, text in reversed(cell_texts)
    )
    source = read_pdf(typeset(tmp_path, rules + placed), "made.pdf")

    assert [line.cell for line in source.lines][:3] == [(0, 0, 0), (0, 0, 1), (0, 0, 2)]
    assert cells(source) == {(1, 0, row, column): text for row, column, text in cell_texts}
    # The long name wraps inside its cell; its lines come together, top to bottom.
    name_lines = [line for line in source.lines if line.cell == (0, 1, 0)]
    assert len(name_lines) > 1
    assert [line.bbox[1] for line in name_lines if line.bbox] == sorted(
        line.bbox[1] for line in name_lines if line.bbox
    )
    assert source.kind == "pdf" and source.pages == 1
    assert [line.number for line in source.lines] == list(range(1, len(source.lines) + 1))


@pytest.mark.one_database
def test_a_typst_table_keeps_its_spanning_cell_once_and_text_outside_in_reading_order(tmp_path: Path) -> None:
    body = """
= 協働のまちづくりの推進

#table(
  columns: 4,
  [施策計画名], [現状], [2011年度], [2012年度],
  [協働型事業の推進], [●ルールの策定], table.cell(colspan: 2)[●ルールに基づく協働型事業の拡充],
)

【環境等の変化・課題等】 市民の参加が増えました。
"""
    source = read_pdf(typeset(tmp_path, body), "made.pdf")
    assert texts(source)[0] == "協働のまちづくりの推進"
    assert cells(source) == {
        (1, 0, 0, 0): "施策計画名",
        (1, 0, 0, 1): "現状",
        (1, 0, 0, 2): "2011年度",
        (1, 0, 0, 3): "2012年度",
        (1, 0, 1, 0): "協働型事業の推進",
        (1, 0, 1, 1): "●ルールの策定",
        (1, 0, 1, 2): "●ルールに基づく協働型事業の拡充",
    }
    assert texts(source)[-1] == "【環境等の変化・課題等】 市民の参加が増えました。"
    assert source.lines[-1].cell is None


@pytest.mark.one_database
def test_japanese_is_joined_without_spaces_and_the_pdfs_own_spaces_are_kept(tmp_path: Path) -> None:
    body = (
        "協働型事業の推進 ○（3 目標をほぼ達成）\n\n"
        "Shinchoku reads 2012年度 results.\n\n"
        "2011年度（平成23年度）#h(0.6em)達成状況区分\n\n"
        "#text(tracking: 0.5em)[区役所機能の強化]"
    )
    source = read_pdf(typeset(tmp_path, body), "made.pdf")
    assert texts(source) == [
        "協働型事業の推進 ○（3 目標をほぼ達成）",
        "Shinchoku reads 2012年度 results.",
        # A wide gap is a space; a line spread letter by letter is not spaced out.
        "2011年度（平成23年度） 達成状況区分",
        "区役所機能の強化",
    ]
    first = source.lines[0]
    assert first.page == 1 and first.bbox is not None
    x0, top, x1, bottom = first.bbox
    assert 19 < x0 < 21 and x0 < x1 and top < bottom < 300


@pytest.mark.one_database
def test_columns_of_text_are_read_one_after_the_other(tmp_path: Path) -> None:
    left = "左の段の文章です。" * 6
    right = "右の段の文章です。" * 6
    body = f"見出しは段の上にあります\n\n#columns(2, gutter: 30pt)[{left}#colbreak(){right}]"
    source = read_pdf(typeset(tmp_path, body), "made.pdf")
    joined = "".join(texts(source))
    assert joined == "見出しは段の上にあります" + left + right
    assert all(line.cell is None for line in source.lines)


@pytest.mark.one_database
def test_a_table_without_rules_is_rebuilt_from_its_columns(tmp_path: Path) -> None:
    rows = [
        ("施策計画名", "協働型事業の推進を図るため、ルールを策定して公表し、説明会を開きます。"),
        ("現状", "●ルールの策定"),
        ("達成状況区分", "3 目標をほぼ達成"),
    ]
    body = (
        "#grid(columns: (80pt, 200pt), column-gutter: 30pt, row-gutter: 12pt, "
        + ", ".join(f"[{label}], [{value}]" for label, value in rows)
        + ")"
    )
    source = read_pdf(typeset(tmp_path, body), "made.pdf")
    assert cells(source) == {
        (1, 0, row, column): text for row, pair in enumerate(rows) for column, text in enumerate(pair)
    }


@pytest.mark.one_database
def test_pages_come_in_order_and_a_page_without_text_among_them_is_left_out(tmp_path: Path) -> None:
    body = "一ページ目\n#pagebreak()\n#rect(width: 100pt, height: 50pt, fill: gray)\n#pagebreak()\n三ページ目"
    source = read_pdf(typeset(tmp_path, body), "made.pdf")
    assert [(line.page, line.text) for line in source.lines] == [(1, "一ページ目"), (3, "三ページ目")]
    assert source.pages == 3
    # The page left out is named, so that the review and the command can say so.
    assert source.pages_without_text == (2,)
    assert Source.from_json(source.to_json()).pages_without_text == (2,)


@pytest.mark.one_database
def test_read_source_hands_a_pdf_to_the_pdf_reader(tmp_path: Path) -> None:
    data = typeset(tmp_path, "進捗状況報告書")
    source = read_source(data, "report.pdf")
    assert source.kind == "pdf"
    assert texts(source) == ["進捗状況報告書"]
    assert source.sha256 == hashlib.sha256(data).hexdigest()
    assert source.name == "report.pdf"


# Bad input


@pytest.mark.one_database
def test_a_pdf_of_images_only_says_ocr_is_needed(tmp_path: Path) -> None:
    data = typeset(
        tmp_path, "#rect(width: 200pt, height: 100pt, fill: gray)\n#pagebreak()\n#circle(radius: 20pt)"
    )
    with pytest.raises(ReportRefused) as refused:
        read_pdf(data, "scan.pdf")
    assert refused.value.message == (
        "scan.pdf: this PDF has no text layer (its pages are images): run OCR on it first, "
        "then import the result."
    )


@pytest.mark.one_database
@pytest.mark.parametrize("keep", [0.5, 0.9, 0.99])
def test_a_pdf_cut_short_is_refused(tmp_path: Path, keep: float) -> None:
    data = typeset(tmp_path, "進捗状況報告書\n#pagebreak()\n二ページ目")
    with pytest.raises(ReportRefused) as refused:
        read_pdf(data[: int(len(data) * keep)], "cut.pdf")
    assert refused.value.message.startswith("cut.pdf: this is not a readable PDF (")
    assert refused.value.message.endswith("): it may be damaged or cut short.")


@pytest.mark.one_database
@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n",
        b"%PDF-1.4\n" + bytes(range(256)) * 40,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF",
    ],
)
def test_a_file_that_only_starts_like_a_pdf_is_refused(data: bytes) -> None:
    with pytest.raises(ReportRefused) as refused:
        read_source(data, "fake.pdf")
    assert refused.value.message.startswith("fake.pdf: this is not a readable PDF (")


@pytest.mark.one_database
def test_a_damaged_page_is_refused_naming_it(tmp_path: Path) -> None:
    # The second page's content claims to be written in hexadecimal digits and is not.
    pages = [
        b"BT /F1 12 Tf 20 100 Td (first page) Tj ET",
        None,
    ]
    data = _pdf(pages)
    with pytest.raises(ReportRefused) as refused:
        read_pdf(data, "broken.pdf")
    assert refused.value.message.startswith("broken.pdf, page 2: the page cannot be read (")


@pytest.mark.one_database
def test_a_pdf_that_needs_a_password_is_refused() -> None:
    data = _pdf([b"BT /F1 12 Tf 20 100 Td (secret) Tj ET"], encrypt_user_password=True)
    with pytest.raises(ReportRefused) as refused:
        read_pdf(data, "locked.pdf")
    assert (
        refused.value.message
        == "locked.pdf: the PDF is protected by a password: give a copy that opens without one."
    )


@pytest.mark.one_database
def test_a_pdf_encrypted_without_a_password_to_open_it_is_read() -> None:
    # Encrypted with an empty user password (only printing or copying restricted), as many
    # published PDFs are.
    data = _pdf([b"BT /F1 12 Tf 20 100 Td (Progress report 2012) Tj ET"], encrypt_user_password=False)
    assert texts(read_pdf(data, "restricted.pdf")) == ["Progress report 2012"]


@pytest.mark.one_database
def test_too_many_pages_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = typeset(tmp_path, "一\n#pagebreak()\n二\n#pagebreak()\n三")
    monkeypatch.setattr(pdf_reader, "MAX_PAGES", 2)
    with pytest.raises(ReportRefused) as refused:
        read_pdf(data, "long.pdf")
    assert refused.value.message == "long.pdf: the PDF has 3 pages; at most 2 are read."


@pytest.mark.one_database
def test_a_pdf_whose_fonts_do_not_name_their_characters_says_ocr_is_needed() -> None:
    # A Type0 font with Identity-H encoding and no ToUnicode map: the glyphs are drawn, their
    # characters unknown.
    data = _pdf([b"BT /F2 12 Tf 20 100 Td <00410042> Tj ET"])
    with pytest.raises(ReportRefused) as refused:
        read_pdf(data, "glyphs.pdf")
    assert "run OCR on it first" in refused.value.message
    assert refused.value.message.startswith("glyphs.pdf: the characters of this PDF cannot be read")


# Shinchoku's own report read back


def _report(tmp_path: Path, *args: str) -> Path:
    output = tmp_path / "report.pdf"
    call_command("report", "--year", "2012", "--output", str(output), *args)
    return output


def _characters(text: str) -> Counter[str]:
    # U+2060 (WORD JOINER) is drawn as nothing and not kept; pdftotext drops the closing
    # dash of the contents' page numbers ("-4-") where a word joiner stands before it.
    return Counter(ch for ch in text if not ch.isspace() and ch not in "\u2060-")


def _check_report(path: Path) -> Source:
    """Read the report back and check it against the data and against pdftotext."""
    source = read_pdf(path.read_bytes(), path.name)
    poppler = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert _characters("".join(texts(source))) == _characters(poppler)

    found = {key: squash(text) for key, text in cells(source).items()}
    # Every target and every result's texts stand whole in one cell, or in a cell cut by the
    # end of a page and its rest in the next page's first cell.
    keys = list(found)
    whole = list(found.values()) + [
        found[before] + found[after]
        for before, after in itertools.pairwise(keys)
        if after[0] == before[0] + 1 and min(key for key in keys if key[0] == after[0]) == after
    ]
    for target in Target.objects.all():
        assert any(squash(target.text) in cell for cell in whole), target.text
    for result in Result.objects.all():
        for text in (result.text, result.context_change, result.response):
            assert any(squash(text) in cell for cell in whole), text
    # Each measure's sheet: its name under the heading row, then the years' results in order.
    heading_rows = [key for key, text in found.items() if key[2] == 0 and key[3] == 0 and text == "施策計画"]
    assert heading_rows
    for page, table, _row, _column in heading_rows:
        heading = [found[key] for key in sorted(found) if key[:3] == (page, table, 0)]
        assert heading[:2] == ["施策計画", "現状"]
        assert heading[2].startswith("2011(平成23)年度")
    # The page numbers ("-27-") are the recogniser's to drop; a cell cut by a page break
    # reads on over them.
    order = [squash(line.text) for line in source.lines if not re.fullmatch(r"-\d+-", line.text)]
    text = "".join(order)
    for measure in Node.objects.filter(level__key="measure"):
        sheet = [
            key
            for key, value in found.items()
            if key[2:] == (1, 0) and value.startswith(squash(measure.title))
        ]
        assert len(sheet) == 1, measure.title
        # The sheet's results: each year's heading, 【実施結果】 and the result, in order.
        position = text.find(found[sheet[0]])
        for result in Result.objects.filter(node=measure).order_by("fiscal_year"):
            year = text.find(f"{result.fiscal_year}年度", position)
            label = text.find("【実施結果】", year)
            body = text.find(squash(result.text), label)
            assert -1 < position < year < label < body, (measure.title, result.fiscal_year)
            position = body
    for word in ("【主な実施結果】", "施策計画", "現状", "【実施結果】", "達成状況区分"):
        assert any(word in line for line in order), word
    return source


@pytest.mark.django_db
def test_the_demonstration_report_reads_back_whole_and_in_order(tmp_path: Path) -> None:
    call_command("loadplan", str(SEED), "--apply", stdout=StringIO())
    source = _check_report(_report(tmp_path))
    lines = texts(source)
    # Both sections beyond the result, in one cell after it.
    change = lines.index("【環境等の変化・課題等】")
    response = lines.index("【新たな課題等への対応】")
    assert source.lines[change].cell == source.lines[response].cell
    assert change < response


@pytest.mark.django_db
def test_a_synthetic_plans_report_reads_back_whole_and_in_order(tmp_path: Path) -> None:
    call_command("synth", "--measures", "24", "--years", "2", "--plan-code", "synth-read", stdout=StringIO())
    _check_report(_report(tmp_path, "--plan", "synth-read"))


# A PDF written by hand: pages of content streams in Helvetica (F1) and a font without a
# map to characters (F2), optionally encrypted with the standard handler (RC4, 40 bits).

PADDING = bytes.fromhex("28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a")


def _pdf(pages: list[bytes | None], *, encrypt_user_password: bool | None = None) -> bytes:
    document_id = bytes(range(16))
    owner = hashlib.md5(b"owner", usedforsecurity=False).digest() * 2
    permissions = -4
    key = b""
    if encrypt_user_password is not None:
        digest = hashlib.md5(
            PADDING + owner + permissions.to_bytes(4, "little", signed=True) + document_id,
            usedforsecurity=False,
        ).digest()
        key = digest[:5]
    objects: list[bytes] = []
    kids = []
    for index, content in enumerate(pages):
        page_number = 4 + index * 2
        kids.append(f"{page_number} 0 R".encode())
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents "
            + f"{page_number + 1} 0 R".encode()
            + b" /Resources << /Font << /F1 3 0 R /F2 99 0 R >> >> >>"
        )
        if content is None:
            damaged = b"BT /F1 12 Tf (not hexadecimal) Tj ET"
            objects.append(
                f"<< /Length {len(damaged)} /Filter /ASCIIHexDecode >>\nstream\n".encode()
                + damaged
                + b"\nendstream"
            )
        else:
            if key:
                content = _rc4(key, page_number + 1, content)
            objects.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"
    tree = b"<< /Type /Pages /Kids [" + b" ".join(kids) + f"] /Count {len(pages)} >>".encode()
    helvetica = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    body = [catalog, tree, helvetica, *objects]
    numbered = list(enumerate(body, 1))
    unmapped = (
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Unknown /Encoding /Identity-H /DescendantFonts "
        b"[<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Unknown /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor << /Type /FontDescriptor /FontName /Unknown "
        b"/Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 "
        b"/StemV 80 >> >>] >>"
    )
    numbered.append((99, unmapped))
    trailer_extra = b""
    if encrypt_user_password is not None:
        user = bytes(32) if encrypt_user_password else Arcfour(key).encrypt(PADDING)
        encrypt = (
            b"<< /Filter /Standard /V 1 /R 2 /O <"
            + owner.hex().encode()
            + b"> /U <"
            + user.hex().encode()
            + b"> /P "
            + str(permissions).encode()
            + b" >>"
        )
        numbered.append((100, encrypt))
        trailer_extra = b" /Encrypt 100 0 R"
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number, obj in numbered:
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    size = max(offsets) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for number in range(1, size):
        if number in offsets:
            out += f"{offsets[number]:010d} 00000 n \n".encode()
        else:
            out += b"0000000000 65535 f \n"
    out += (
        f"trailer\n<< /Size {size} /Root 1 0 R /ID [<{document_id.hex()}> <{document_id.hex()}>]".encode()
        + trailer_extra
        + f" >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _rc4(key: bytes, number: int, data: bytes) -> bytes:
    object_key = hashlib.md5(
        key + number.to_bytes(3, "little") + (0).to_bytes(2, "little"), usedforsecurity=False
    ).digest()[: len(key) + 5]
    return Arcfour(object_key).encrypt(data)
