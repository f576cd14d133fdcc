"""The measure sheets of the PDF report as a reader copies text out of them, and as
the page sets them: every piece in reading order, and the line of sections in charge
clear of the sheet above it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from shinchoku.plans.models import Node, NodeUnit
from shinchoku.progress.models import Result, Target
from shinchoku.reports.render import render_pdf
from shinchoku.reports.selectors import ReportDocument, report_build
from tests.factories import add_unit, make_unit

from .reading import out_of_order, pdftotext, sheets

# What is checked here does not depend on the database: once, in one pass (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.one_database]

PLAN = "kawasaki-frontier-3"


@pytest.fixture
def demo() -> None:
    """The demonstration plan, each measure with the section in charge of it."""
    call_command("loaddemo")
    unit = make_unit(code="kyodo", name="市民・こども局市民協働推進課")
    for node in Node.objects.filter(level__rated=True):
        add_unit(node, unit, role=NodeUnit.Role.RESPONSIBLE)


def report(tmp_path: Path) -> tuple[ReportDocument, Path]:
    with translation.override("ja"):
        document = report_build(PLAN, year=2012)
        path = tmp_path / "report.pdf"
        path.write_bytes(render_pdf(document))
    return document, path


def test_every_measure_sheet_reads_out_in_order(demo: None, tmp_path: Path) -> None:
    """pdftotext (its default reading order) gives each measure's name, purpose, baseline,
    each target, and each year's heading, rating and texts whole, in that order."""
    document, path = report(tmp_path)
    assert len(sheets(document)) == Node.objects.filter(level__rated=True).count() == 8
    assert out_of_order(pdftotext(path), document) == []


def test_every_result_reads_out_whole_in_the_physical_layout(demo: None, tmp_path: Path) -> None:
    """pdftotext -layout prints cells that stand side by side line by line across them;
    the results, which stand alone on their lines, come out whole and in order."""
    document, path = report(tmp_path)
    assert out_of_order(pdftotext(path, "-layout"), document, layout=True) == []


def lines_of(path: Path) -> list[tuple[int, float, float, str]]:
    """Every text line of the PDF as (page, top, bottom, text), in points from the top."""
    xhtml = pdftotext(path, "-bbox-layout")
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xhtml))
    found = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        for line in page.iter("{http://www.w3.org/1999/xhtml}line"):
            words = [w.text or "" for w in line.iter("{http://www.w3.org/1999/xhtml}word")]
            found.append((number, float(line.attrib["yMin"]), float(line.attrib["yMax"]), " ".join(words)))
    return found


def test_the_sections_in_charge_stand_clear_below_the_sheet(demo: None, tmp_path: Path) -> None:
    """The line naming the sections in charge sits below the last line of the sheet's
    last result with room for the frame's inner margin, its rule and a gap."""
    document, path = report(tmp_path)
    lines = lines_of(path)
    units = [line for line in lines if line[3].startswith("担当部署")]
    assert len(units) == len(sheets(document))
    for page, top, _bottom, text in units:
        above = max(
            (
                line
                for line in lines
                if line[0] == page and line[2] <= top and not line[3].startswith("担当部署")
            ),
            key=lambda line: line[2],
        )
        # The frame's inner margin (4 pt) and rule, then at least as much again.
        assert top - above[2] >= 8, (page, text, above[3], round(top - above[2], 1))


def pages_with(path: Path, text: str) -> list[int]:
    """The pages (from 1) whose text has ``text`` (white space ignored)."""
    pages = pdftotext(path).split("\f")
    needle = re.sub(r"\s+", "", text)
    return [number for number, page in enumerate(pages, start=1) if needle in re.sub(r"\s+", "", page)]


WARDS = [
    "中原",
    "高津",
    "宮前",
    "多摩",
    "麻生",
    "川崎",
    "大師",
    "田島",
    "日吉",
    "御幸",
    "向丘",
    "生田",
    "柿生",
    "稲田",
]
#: Fourteen lines of twelve full-width characters: in one year column each fills one
#: printed line, while the cheap bound on a row's height counts two, so the row (about
#: half a page) is measured to be kept whole.
TALL_LINES = [f"●{ward}地区での会議を開催" for ward in WARDS]


def tall_target(code: str, lines: list[str]) -> None:
    """The measure's 以降 target (one year column) made of ``lines``."""
    target = Target.objects.get(node__code=code, start_year=2014)
    target.text = "\n".join(lines)
    target.save()


#: One-line targets that make a year column's cell about two thirds of a page tall: more
#: than a table kept whole may be, less than a page.
TALLER_LINES = [f"●{ward}地区で第{n}回の会議" for n in (1, 2, 3) for ward in WARDS]


def test_every_sheet_of_a_synthetic_plan_reads_out_in_order(tmp_path: Path) -> None:
    """The same over a synthetic plan, where the demonstration data's eight sheets cannot
    reach: a hundred measures, their sheets ending anywhere on a page; results short and
    long (one longer than a page); revised targets with their labels; and a few target
    cells too tall for a table kept whole that still fit on a page, wherever the sheets
    before them push them."""
    from shinchoku.devtools.synth import plan_synthesize

    plan = plan_synthesize(measures=100, years=2, seed=3)
    measures = list(Node.objects.filter(plan=plan, level__rated=True).order_by("path"))
    for node in measures[5::20]:
        Target.objects.filter(pk=node.targets.order_by("row", "start_year").first().pk).update(
            text="\n".join(TALLER_LINES)
        )
    with translation.override("ja"):
        document = report_build(plan.code, year=2012)
        path = tmp_path / "synth.pdf"
        path.write_bytes(render_pdf(document))
    assert len(sheets(document)) == 100
    assert Target.objects.filter(node__plan=plan).exclude(revised_text="").exists()
    assert max(r.text.count("\n") for r in Result.objects.filter(node__plan=plan)) >= 39
    assert out_of_order(pdftotext(path), document) == []
    assert out_of_order(pdftotext(path, "-layout"), document, layout=True) == []


def test_a_row_that_fits_on_a_page_is_never_cut_by_one(demo: None, tmp_path: Path) -> None:
    """A tall target cell (half a page) stays on one page wherever the sheets before it
    push it: the sheet above grows a line at a time over a page's height."""
    tall_target("9-1-2", TALL_LINES)
    result = Result.objects.get(node__code="9-1-1", fiscal_year=2012)
    original = result.text
    for extra in range(0, 36, 3):
        result.text = original + "".join(f"\n・追加の記載{n}" for n in range(extra))
        result.save()
        _document, path = report(tmp_path)
        first, last = pages_with(path, TALL_LINES[0]), pages_with(path, TALL_LINES[-1])
        assert first == last and len(first) == 1, (extra, first, last)


def test_a_row_taller_than_a_page_breaks_and_loses_nothing(demo: None, tmp_path: Path) -> None:
    lines = [f"●{ward}地区で第{n}回の会議を開催" for n in range(1, 6) for ward in WARDS]
    tall_target("9-1-2", lines)
    _document, path = report(tmp_path)
    assert all(pages_with(path, line) for line in lines)
    assert pages_with(path, lines[0])[0] < pages_with(path, lines[-1])[0]


def test_a_table_too_tall_to_keep_whole_breaks_between_rows_never_inside_one(
    demo: None, tmp_path: Path
) -> None:
    """A sheet whose lines of targets are together taller than a table kept whole may be
    (two cells in different rows, each about two fifths of a page) breaks between its rows
    wherever the sheets before it push it, and never inside a row that fits on a page."""
    second = Target.objects.get(node__code="9-3-4", row=2, start_year=2014)
    second.text = "\n".join(TALL_LINES[:12])
    second.save()
    third_lines = [f"●{ward}地区での説明会を開催" for ward in WARDS[:12]]
    third = Target.objects.get(node__code="9-3-4", row=3, start_year=2013)
    third.text = "\n".join(third_lines)
    third.save()
    result = Result.objects.get(node__code="9-3-3", fiscal_year=2012)
    original = result.text
    split = False
    for extra in range(0, 36, 3):
        result.text = original + "".join(f"\n・追加の記載{n}" for n in range(extra))
        result.save()
        _document, path = report(tmp_path)
        pages = []
        for lines in (TALL_LINES[:12], third_lines):
            first, last = pages_with(path, lines[0]), pages_with(path, lines[-1])
            assert first == last and len(first) == 1, (extra, lines[0], first, last)
            pages.append(first[0])
        split = split or pages[0] != pages[1]
    assert split  # the table did break between its rows somewhere
