"""Workbooks made for the tests of the xlsx reader and for bench/xlsx_limits.py: hostile ones
(a cell bomb, a shared-text bomb, a huge dimension, a row 16,384 columns wide), each a valid
xlsx file that passes the ZIP checks, and a large honest one in the plan-structure layout.

The hostile parts are written as XML straight into the archive, a chunk at a time, so that
making them costs seconds and little memory."""

from __future__ import annotations

import random
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
#: The headings that make a sheet a plan structure to the importer's sniffing.
VERY_HIDDEN = ' state="veryHidden"'
STRUCTURE_HEADINGS = ["計画コード", "計画名", "開始年度", "終了年度", "階層1:分野:コード", "階層1:分野:名称"]


def _content_types(sheets: int) -> bytes:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        f"{overrides}</Types>"
    ).encode()


def write_xlsx(
    path: Path,
    sheets: list[tuple[str, Iterable[bytes]]],
    strings: Iterable[bytes] = (),
    *,
    hidden: Iterable[str] = (),
) -> Path:
    """An xlsx file of these sheets, each (name, the XML inside ``<sheetData>`` in chunks),
    with these shared texts (the XML inside ``<sst>``, in chunks)."""
    hidden = set(hidden)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _content_types(len(sheets)))
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        entries = "".join(
            f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"{VERY_HIDDEN if name in hidden else ""}/>'
            for n, (name, _rows) in enumerate(sheets, start=1)
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
            f"<sheets>{entries}</sheets></workbook>",
        )
        relations = "".join(
            f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">{relations}'
            f'<Relationship Id="rIdS" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode())
            for chunk in strings:
                member.write(chunk)
            member.write(b"</sst>")
        for n, (_name, rows) in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as member:
                member.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'.encode())
                for chunk in rows:
                    member.write(chunk)
                member.write(b"</worksheet>")
    return path


def _inline(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def _heading_row(headings: list[str]) -> bytes:
    return f'<sheetData><row r="1">{"".join(_inline(text) for text in headings)}</row>'.encode()


def cell_bomb_rows(cells: int, width: int = 500, seed: int = 1) -> Iterator[bytes]:
    """Rows of tiny cells (``<c><v>7</v></c>``, 16 bytes each) after a structure heading row:
    ``cells`` of them, ``width`` a row; rows drawn from a small pool so that the part packs
    about a hundred times smaller than it unpacks."""
    chooser = random.Random(seed)
    pool = [
        "<row>" + "".join(f"<c><v>{chooser.randrange(10)}</v></c>" for _ in range(width)) + "</row>"
        for _ in range(3)
    ]
    yield _heading_row(STRUCTURE_HEADINGS)
    written = 0
    batch: list[str] = []
    while written < cells:
        batch.append(chooser.choice(pool))
        written += width
        if len(batch) == 200:
            yield "".join(batch).encode()
            batch = []
    yield ("".join(batch) + "</sheetData>").encode()


def inline_text_rows(cells: int, width: int = 400) -> Iterator[bytes]:
    """Rows of short inline texts, each different (``あ12345``), after a heading row."""
    yield _heading_row(STRUCTURE_HEADINGS)
    written = 0
    while written < cells:
        yield (
            "<row>"
            + "".join(f'<c t="inlineStr"><is><t>あ{written + n}</t></is></c>' for n in range(width))
            + "</row>"
        ).encode()
        written += width
    yield b"</sheetData>"


def shared_string_bomb(count: int) -> Iterator[bytes]:
    """``count`` short shared texts (``<si><t>1a2b</t></si>``, the number in hexadecimal),
    the first ones the structure headings."""
    yield "".join(f"<si><t>{text}</t></si>" for text in STRUCTURE_HEADINGS).encode()
    for start in range(0, count, 10_000):
        yield "".join(f"<si><t>{n:x}</t></si>" for n in range(start, min(count, start + 10_000))).encode()


def shared_heading_row() -> Iterator[bytes]:
    """A sheet whose heading row refers to the first shared texts."""
    cells = "".join(f'<c t="s"><v>{n}</v></c>' for n in range(len(STRUCTURE_HEADINGS)))
    yield f'<sheetData><row r="1">{cells}</row></sheetData>'.encode()


def huge_dimension_rows(far_cell: bool) -> Iterator[bytes]:
    """A sheet that claims A1:XFD1048576; with ``far_cell`` it really has a cell there."""
    yield b'<dimension ref="A1:XFD1048576"/>'
    yield _heading_row(STRUCTURE_HEADINGS)
    if far_cell:
        yield b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    yield b"</sheetData>"


def wide_row(columns: int = 16_384) -> Iterator[bytes]:
    """A heading row, then one row with ``columns`` filled cells."""
    yield _heading_row(STRUCTURE_HEADINGS)
    yield (
        '<row r="2">'
        + "".join(f'<c r="{get_column_letter(n)}2"><v>{n}</v></c>' for n in range(1, columns + 1))
        + "</row></sheetData>"
    ).encode()


def structure_workbook(path: Path, rows: int = 2000, columns: int = 250, seed: int = 1) -> Path:
    """A plan structure of ``rows`` rows × ``columns`` columns, every cell filled, written by
    openpyxl as a spreadsheet application would: three levels, and one year column for each
    column left (a plan of that many years); each node's target spans its years (同左)."""
    chooser = random.Random(seed)
    fixed = ["計画コード", "計画名", "開始年度", "終了年度"]
    levels = ["階層1:分野:コード", "階層1:分野:名称", "階層2:施策:コード", "階層2:施策:名称"]
    levels += ["階層3:事業（評価）:コード", "階層3:事業:名称"]
    node = ["概要", "現状", "所管課", "マーカー"]
    years = columns - len(fixed) - len(levels) - len(node)
    first = 1950
    heading = [*fixed, *levels, *node, *[f"{first + n}年度目標" for n in range(years)]]
    assert len(heading) == columns
    book = Workbook(write_only=True)
    sheet = book.create_sheet("構造")
    sheet.append(heading)
    words = ["地域", "協働", "推進", "支援", "整備", "安全", "子育て", "環境", "交流", "健康"]
    area = program = 0
    for number in range(rows - 1):
        if number % 400 == 0:
            area += 1
        if number % 20 == 0:
            program += 1
        plan = ["s", "大規模計画", str(first), str(first + years - 1)]
        code3 = f"{area}-{program}-{number + 1}"
        title = "".join(chooser.choice(words) for _ in range(4)) + f"事業{number + 1}"
        cells = [
            *plan,
            str(area),
            f"分野{area}",
            f"{area}-{program}",
            f"施策{program}",
            code3,
            title,
            f"{title}を進めます。" * 3,
            f"{title}の現状。",
            f"第{area}課",
            "",
        ]
        cells[-1] = "○" if number % 3 == 0 else "－"
        cells += [f"●{title}の実施（{first}年度から）"] + ["同左"] * (years - 1)
        sheet.append(cells)
    book.save(path)
    return path


#: Run in a process of its own: preview one file (``shinchoku import`` without writing) and
#: print, as JSON, what the preview says and the process's peak resident memory.
_PREVIEW = """
import json, os, sys, time
import django
django.setup()
from django.utils import translation
from shinchoku.interchange.importing import import_preview
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
with translation.override(sys.argv[2]):
    preview = import_preview(data, os.path.basename(sys.argv[1]), actor=None)
    problems = [str(problem) for problem in preview.all_problems[:5]]
seconds = time.perf_counter() - started
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
print(json.dumps({
    "importer": preview.importer,
    "ok": preview.ok,
    "rows": len(preview.rows),
    "problems": problems,
    "seconds": seconds,
    "peak_mib": int(status["VmHWM"].split()[0]) / 1024,
}))
"""


def preview_in_a_process(path: Path, language: str = "en", memory_limit_mib: int = 2048) -> dict[str, object]:
    """Preview ``path`` in a fresh process (never writing) and report what it said, how long
    the preview took and the process's peak resident memory (``VmHWM``). The process may
    not grow past ``memory_limit_mib`` of address space, so a runaway reading fails instead
    of taking the machine's memory."""
    import json
    import os
    import resource
    import subprocess
    import sys

    def limit() -> None:
        size = memory_limit_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "shinchoku.test_settings"),
    }
    done = subprocess.run(
        [sys.executable, "-c", _PREVIEW, str(path), language],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=limit,
        timeout=900,
    )
    if done.returncode != 0:
        raise AssertionError(f"the preview failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
