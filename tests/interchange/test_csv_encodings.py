"""A plan structure saved from Excel as text, in each of the ways Excel saves it: UTF-8 CSV,
Shift_JIS CSV (Japanese Windows' 「CSV (コンマ区切り)」) and UTF-16 tab-separated text
(「Unicode テキスト」), through the command and the upload page; what cannot be read is
refused naming its encoding and how to save it as CSV UTF-8."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from shinchoku.interchange.importing import import_preview
from shinchoku.interchange.preview import RowStatus
from shinchoku.interchange.sheets import csvfile
from shinchoku.plans.models import Node, Plan
from tests.interchange.test_import_pages import signed_in, upload
from tests.plans.formats.structure.test_plan_structure import example_rows
from tests.review.conftest import Cycle, make_cycle

pytestmark = pytest.mark.django_db


def text_file(rows: list[list[str]], encoding: str, delimiter: str, bom: bytes = b"") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return bom + buffer.getvalue().encode(encoding)


#: name → the example structure as that kind of file.
SAVED_AS = {
    # Excel's 「Unicode テキスト」: UTF-16 little-endian with its byte order mark, tabs.
    "unicode-text.txt": lambda rows: text_file(rows, "utf-16-le", "\t", codecs.BOM_UTF16_LE),
    "utf16-be.txt": lambda rows: text_file(rows, "utf-16-be", "\t", codecs.BOM_UTF16_BE),
    "utf16-no-bom.csv": lambda rows: text_file(rows, "utf-16-le", ","),
    "utf16-commas.csv": lambda rows: text_file(rows, "utf-16-le", ",", codecs.BOM_UTF16_LE),
    "utf8-tabs.txt": lambda rows: text_file(rows, "utf-8", "\t", codecs.BOM_UTF8),
    # Excel's 「CSV (コンマ区切り)」 on Japanese Windows.
    "shift-jis.csv": lambda rows: text_file(rows, "cp932", ","),
}


@pytest.mark.parametrize("name", list(SAVED_AS))
def test_the_example_imports_from_each_kind_of_text(tmp_path: Path, name: str) -> None:
    data = SAVED_AS[name](example_rows())
    preview = import_preview(data, name, actor=None)
    assert preview.importer == "plan-structure" and preview.ok, [str(p) for p in preview.all_problems]
    assert preview.count(RowStatus.NEW) == 13
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import", str(path), "--apply", stdout=out)
    assert "kawasaki-frontier-3" in out.getvalue()
    assert Node.objects.filter(plan__code="kawasaki-frontier-3").count() == 12


@pytest.fixture
def cycle(db: None) -> Cycle:
    return make_cycle()


@pytest.mark.parametrize("name", ["unicode-text.txt", "shift-jis.csv"])
def test_the_upload_page_takes_excel_text_files(cycle: Cycle, name: str) -> None:
    admin = signed_in(cycle.admin)
    response = upload(admin, SAVED_AS[name](example_rows()), name)
    preview = admin.get(response["Location"])
    assert preview.status_code == 200, preview.content.decode()[:3000]
    assert "9-3-5" in preview.content.decode()
    assert admin.post(response["Location"] + "apply/").status_code == 302
    assert Plan.objects.filter(code="kawasaki-frontier-3").exists()


def broken_utf16() -> bytes:
    """Unicode text whose third line holds half a character (a lone surrogate)."""
    data = SAVED_AS["unicode-text.txt"](example_rows())
    lines = data.split("\r\n".encode("utf-16-le"))
    lines[2] = lines[2] + "\ud800".encode("utf-16-le", "surrogatepass")
    return "\r\n".encode("utf-16-le").join(lines)


def test_unreadable_utf16_names_its_encoding_and_how_to_save(cycle: Cycle, tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(broken_utf16())
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing can be imported"):
        call_command("import", str(path), stdout=out)
    assert (
        "broken.txt: Line 3 cannot be read: the bytes 00 D8 are not valid UTF-16. In Excel, choose "
        'Save As and the file type "CSV UTF-8 (Comma delimited)"'
    ) in out.getvalue()
    # On the upload page, in Japanese.
    admin = signed_in(cycle.admin)
    with translation.override("ja"):
        response = upload(admin, broken_utf16(), "broken.txt")
        page = admin.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "3行目を読み込めません。バイト 00 D8 は正しいUTF-16ではありません。" in page
    assert "「CSV UTF-8 (コンマ区切り)」を選んで保存し直す" in page
    assert not Plan.objects.filter(code="kawasaki-frontier-3").exists()


@given(st.text(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"]))
def test_unicode_texts_read_back_as_written(text: str, encoding: str) -> None:
    """Written with a byte order mark where UTF-16 (as Excel writes it); UTF-8 without one."""
    if encoding == "utf-8":
        assume(not text.startswith("\ufeff") and "\x00" not in text)
    boms = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    data = boms.get(encoding, b"") + text.encode(encoding)
    assert csvfile.decode(data).text == text


@given(st.text(alphabet=st.sampled_from("計画コード分野施策推進「」、。０１ｱｲabc123,\t\r\n")))
def test_shift_jis_reads_back_when_it_is_not_utf8(text: str) -> None:
    data = text.encode("cp932")
    try:
        data.decode("utf-8")
        assume(False)  # valid UTF-8 as well: read as UTF-8, the one reading it can be
    except UnicodeDecodeError:
        pass
    decoded = csvfile.decode(data)
    assert decoded.text == text and decoded.encoding == "Shift_JIS (CP932)"


def test_the_separator_is_tab_only_when_the_first_line_says_so() -> None:
    assert csvfile.delimiter_of("計画コード\t計画名\t開始年度\n") == "\t"
    assert csvfile.delimiter_of("計画コード,計画名,開始年度\n") == ","
    assert csvfile.delimiter_of("計画コード,計画名\t(注),開始年度\n") == ","
    assert csvfile.delimiter_of("計画コード\n") == ","
