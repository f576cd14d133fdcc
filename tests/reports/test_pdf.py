"""The PDF report, read back with poppler as a reader would: text, fonts, tags, standards."""

from __future__ import annotations

import datetime
import re
import subprocess
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shinchoku.plans.models import Node, Plan
from shinchoku.progress.models import Result, Target
from shinchoku.reports.render import render_pdf
from shinchoku.reports.selectors import report_build
from shinchoku.review.models import Round

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")

MARKUP = "記号 # $ * _ < > @ \\ [ ] { } ` ``` = - + / 〜 <script>alert(1)</script> #set page(width: 1cm)"


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def appears(needle: str, haystack: str, max_gap: int = 160) -> bool:
    """Whether ``needle`` appears in ``haystack`` whole and in order, allowing short runs of
    other text between its pieces: where a table row sets cells side by side, pdftotext
    reads one visual line across all of them, so a cell's lines arrive with its
    neighbours' lines between them. No character of the needle may be missing."""
    needle, haystack = squash(needle), squash(haystack)
    start = haystack.find(needle[:8])
    while start != -1:
        i, p = 0, start
        while i < len(needle):
            if p < len(haystack) and haystack[p] == needle[i]:
                i, p = i + 1, p + 1
                continue
            resume = haystack.find(needle[i : i + 6], p, p + max_gap)
            if resume == -1:
                break
            p = resume
        if i == len(needle):
            return True
        start = haystack.find(needle[:8], start + 1)
    return False


def make_report(tmp_path: Path, *args: str) -> Path:
    output = tmp_path / "report.pdf"
    call_command("report", "--year", "2012", "--output", str(output), *args)
    return output


@pytest.fixture
def demo() -> None:
    call_command("loaddemo")


def test_the_report_carries_every_measure_target_and_result(demo: None, tmp_path: Path) -> None:
    text = pdftotext(make_report(tmp_path))
    expected = [node.title for node in Node.objects.all()]
    for result in Result.objects.all():
        expected += (
            result.text.splitlines() + result.context_change.splitlines() + result.response.splitlines()
        )
        expected += result.highlight.splitlines()
    expected += [target.text for target in Target.objects.all()]
    assert [line for line in expected if not appears(line, text)] == []
    assert "3目標をほぼ達成" in squash(text)


def test_the_text_check_notices_a_missing_character() -> None:
    text = (
        "・協働型事業に係る庁内調査を平成23年4月に実施し、調査結果をもとに、平\n達成状況区分 3\n成22年度まで"
    )
    assert appears("・協働型事業に係る庁内調査を平成23年4月に実施し、調査結果をもとに、平成22年度まで", text)
    assert not appears(
        "・協働型事業に係る庁内調査を平成23年5月に実施し、調査結果をもとに、平成22年度まで", text
    )
    assert not appears(
        "・協働型事業に係る庁内調査を平成23年4月に実施し、調査結果をもとに、平成22年度までに", text
    )


def test_pages_are_numbered_in_the_published_style(demo: None, tmp_path: Path) -> None:
    pages = pdftotext(make_report(tmp_path, "--first-page", "157")).split("\f")
    assert "-157-" in pages[1] and "-157-" not in pages[0]  # the cover has no number
    assert "-158-" in pages[2]


def test_the_pdf_is_tagged_archivable_and_in_japanese(demo: None, tmp_path: Path) -> None:
    path = make_report(tmp_path)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M)
    assert re.search(r"^Page size:\s+841\.89 x 595\.27\d pts \(A4\)", info, re.M)  # landscape
    assert re.search(r"^Title:\s+川崎再生フロンティアプラン 第3期実行計画", info, re.M)
    meta = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True).stdout
    assert "<dc:language><rdf:Bag><rdf:li>ja</rdf:li>" in meta
    assert "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>A</pdfaid:conformance>" in meta
    assert "<pdfuaid:part>1</pdfuaid:part>" in meta
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    japanese = [line for line in fonts.splitlines() if "IPAexGothic" in line or "NotoSansCJK" in line]
    assert japanese and all(" yes yes " in line for line in japanese)  # embedded, subset


def pdfinfo(path: Path) -> str:
    return subprocess.run(
        ["pdfinfo", "-isodates", str(path)], capture_output=True, text=True, check=True
    ).stdout


def publish_round(fiscal_year: int, when: str, kind: str = Round.Kind.RESULTS) -> None:
    """A round of the demonstration plan, published at ``when`` (Japan time)."""
    moment = datetime.datetime.fromisoformat(when).replace(tzinfo=TOKYO)
    Round.objects.create(
        plan=Plan.objects.get(code="kawasaki-frontier-3"),
        fiscal_year=fiscal_year,
        kind=kind,
        deadline=moment.date(),
        state=Round.State.PUBLISHED,
        opened_at=moment - datetime.timedelta(days=60),
        published_at=moment,
    )


def test_the_pdf_is_dated_when_its_data_was_last_published(demo: None, tmp_path: Path) -> None:
    publish_round(2011, "2012-08-31 10:00")
    publish_round(2012, "2013-08-30 10:00")
    publish_round(2013, "2014-08-29 10:00")  # results of a year the 2012 report does not print
    info = pdfinfo(make_report(tmp_path))
    # The instant, written in UTC: 10:00 in Japan on 30 August 2013.
    assert re.search(r"^CreationDate:\s+2013-08-30T01:00:00Z$", info, re.M), info
    assert re.search(r"^ModDate:\s+2013-08-30T01:00:00Z$", info, re.M)
    # A revision of targets published since changes what the report prints, and its date.
    publish_round(2013, "2013-10-01 09:30", kind=Round.Kind.TARGETS)
    assert re.search(r"^CreationDate:\s+2013-10-01T00:30:00Z$", pdfinfo(make_report(tmp_path)), re.M)


def test_a_publication_time_to_the_microsecond_dates_the_pdf_to_the_second(
    demo: None, tmp_path: Path
) -> None:
    """Publishing stamps the time to the microsecond; a PDF's date is to the second."""
    publish_round(2012, "2013-08-30 10:00:05.250000")
    assert re.search(r"^CreationDate:\s+2013-08-30T01:00:05Z$", pdfinfo(make_report(tmp_path)), re.M)


def test_without_a_recorded_publication_the_pdf_is_dated_by_the_end_of_its_fiscal_year(
    demo: None, tmp_path: Path
) -> None:
    """A plan loaded from a file leaves no record of when its data was published: the
    report on fiscal 2012 carries the end of that year, 31 March 2013 in Japan."""
    info = pdfinfo(make_report(tmp_path))
    assert re.search(r"^CreationDate:\s+2013-03-31T15:00:00Z$", info, re.M), info
    assert "2000-01-01" not in info


def test_the_pdf_says_what_it_is_in_its_metadata(demo: None, tmp_path: Path) -> None:
    info = pdfinfo(make_report(tmp_path))
    title = "川崎再生フロンティアプラン 第3期実行計画 2012年度（平成24年度） 進捗状況報告書"
    assert re.search(rf"^Title:\s+{re.escape(title)}$", info, re.M), info
    # The data names no owner of the plan: no author rather than the plan's title as one.
    assert not re.search(r"^Author:", info, re.M)
    data = make_report(tmp_path).read_bytes()
    assert b"/Lang(ja)" in data


def test_markup_characters_print_literally(demo: None, tmp_path: Path) -> None:
    result = Result.objects.get(node__code="9-1-1", fiscal_year=2012)
    result.text = f"・{MARKUP}"
    result.context_change = MARKUP
    result.save()
    node = Node.objects.get(code="9-1-1")
    node.title = "協働型事業の推進 #strong[太字] *強調* $x$"
    node.save()
    text = squash(pdftotext(make_report(tmp_path)))
    assert squash(MARKUP) in text
    assert squash("協働型事業の推進 #strong[太字] *強調* $x$") in text


def test_the_same_data_gives_the_same_bytes(demo: None) -> None:
    first = render_pdf(report_build("kawasaki-frontier-3", year=2012))
    assert render_pdf(report_build("kawasaki-frontier-3", year=2012)) == first


def test_one_plan_area_and_chosen_years(demo: None, tmp_path: Path) -> None:
    text = pdftotext(make_report(tmp_path, "--area", "9", "--years", "2012"))
    assert "2012(平成24)年度" in text
    assert "平成23年4月に実施" not in text  # a FY2011 result, not asked for


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2015"], "outside the plan period"),
        (["--year", "2012", "--area", "nope"], "no plan area with the code nope"),
        (["--year", "2013"], "no results for 2013"),
        (["--year", "2012", "--plan", "nope"], "no plan with the code nope"),
    ],
)
def test_bad_options_are_one_line_errors_and_leave_no_file(
    demo: None, tmp_path: Path, args: list[str], message: str
) -> None:
    output = tmp_path / "report.pdf"
    with pytest.raises(CommandError) as error:
        call_command("report", *args, "--output", str(output), "--language", "en")
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_output_is_refused(demo: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        call_command("report", "--year", "2012", "--output", str(tmp_path / "no" / "r.pdf"))
    (tmp_path / "taken").mkdir()
    with pytest.raises(CommandError, match="cannot write"):
        call_command("report", "--year", "2012", "--output", str(tmp_path / "taken"))
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_the_command_runs_as_a_process_with_exit_status_1(tmp_path: Path) -> None:
    """The one-line error and exit status 1 a person sees at the prompt (its own database file)."""
    import os
    import sys

    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "true",
        "SHINCHOKU_VAR_DIR": str(tmp_path),
    }
    shinchoku = Path(sys.executable).parent / "shinchoku"
    subprocess.run([str(shinchoku), "migrate", "-v0"], env=env, check=True)
    subprocess.run([str(shinchoku), "loaddemo"], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [str(shinchoku), "report", "--year", "2011", "--area", "x", "-o", str(tmp_path / "r.pdf")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "x" in done.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_without_a_japanese_font_the_command_says_what_to_install(
    demo: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shinchoku.reports import render

    monkeypatch.setattr(render, "FONT_DIRS", (tmp_path / "no-fonts",))
    output = tmp_path / "report.pdf"
    with pytest.raises(CommandError, match="fonts-ipaexfont"):
        call_command("report", "--year", "2012", "--output", str(output))
    assert not output.exists()


def test_long_cells_of_a_synthetic_plan_break_across_pages_without_losing_text(tmp_path: Path) -> None:
    """A synthetic plan with cells longer than a page: every target and result text is in the PDF."""
    from shinchoku.devtools.synth import plan_synthesize

    plan = plan_synthesize(measures=40, years=2, seed=7)
    longest = max(Result.objects.filter(node__plan=plan), key=lambda r: r.text.count("\n"))
    assert longest.text.count("\n") >= 39  # longer than an A4 landscape page
    output = tmp_path / "synth.pdf"
    call_command("report", "--plan", plan.code, "--year", "2012", "--output", str(output))
    text = pdftotext(output)
    expected = [t.text for t in Target.objects.filter(node__plan=plan)]
    for result in Result.objects.filter(node__plan=plan):
        expected += [result.text, result.context_change, result.response]
    missing = [item for item in expected if item and not appears(item, text)]
    assert missing == []
    fonts = subprocess.run(["pdffonts", str(output)], capture_output=True, text=True, check=True).stdout
    assert any("IPAexGothic" in line and " yes yes " in line for line in fonts.splitlines())
    # The longest result really crosses a page: its first and last lines are on different pages.
    pages = [squash(page) for page in text.split("\f")]
    first_line, last_line = longest.text.splitlines()[0], longest.text.splitlines()[-1]
    first_page = next(i for i, page in enumerate(pages) if squash(first_line)[:20] in page)
    last_page = next(i for i, page in enumerate(pages) if squash(last_line)[-20:] in page)
    assert last_page > first_page
