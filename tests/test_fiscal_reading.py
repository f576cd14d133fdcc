"""Years as people write them, read in one place (``fiscal.read_year``): Western and era
years, with 年度 or 年, full-width, the printed report's 2011(平成23)年度, the onwards
column's 以降. The structure sheet reads its years through it, and no other module
names an era."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest

import shinchoku
from shinchoku import fiscal
from shinchoku.fiscal import WrittenYear
from shinchoku.interchange.importing import import_apply, import_preview
from shinchoku.plans.models import Plan
from shinchoku.progress.models import Target
from tests.language import english  # noqa: F401  (the messages are read in English)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("2011", WrittenYear(2011, "", False, False)),
        ("2011年度", WrittenYear(2011, "年度", False, False)),
        ("2011年", WrittenYear(2011, "年", False, False)),
        ("２０１１年度", WrittenYear(2011, "年度", False, False)),
        (" 2011 年度 ", WrittenYear(2011, "年度", False, False)),
        ("2011(平成23)年度", WrittenYear(2011, "年度", False, False)),
        ("2011（平成23）年度", WrittenYear(2011, "年度", False, False)),
        ("平成23年度", WrittenYear(2011, "年度", True, False)),
        ("平成２３年", WrittenYear(2011, "年", True, False)),
        ("平成31年度", WrittenYear(2019, "年度", True, False)),
        ("令和元年度", WrittenYear(2019, "年度", True, False)),
        ("令和2", WrittenYear(2020, "", True, False)),
        ("昭和63年度", WrittenYear(1988, "年度", True, False)),
        ("大正元年", WrittenYear(1912, "年", True, False)),
        ("明治45年度", WrittenYear(1912, "年度", True, False)),
        ("FY2012", WrittenYear(2012, "FY", False, False)),
        ("ｆｙ 2012", WrittenYear(2012, "FY", False, False)),
        ("2014年度以降", WrittenYear(2014, "年度", False, True)),
        ("平成26年度以降", WrittenYear(2014, "年度", True, True)),
        ("FY2014 onwards", WrittenYear(2014, "FY", False, True)),
        ("2014-", WrittenYear(2014, "", False, True)),
    ],
)
def test_a_year_is_read_in_every_way_it_is_written(text: str, read: WrittenYear) -> None:
    assert fiscal.read_year(text) == read
    assert fiscal.parse_year(text) == (None if read.onwards else read.year)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "年度",
        "11年度",
        "20111年度",
        "平成年度",
        "大化3年度",
        "平成201年度",
        "FY2011年度",
        "2011年度目標",
        "二〇一一",
    ],
)
def test_other_text_is_no_year(text: str) -> None:
    assert fiscal.read_year(text) is None
    assert fiscal.parse_year(text) is None


@pytest.mark.parametrize("era", fiscal.ERAS, ids=lambda era: era.name)
def test_every_era_reads_back_as_it_is_printed(era: fiscal.Era) -> None:
    for year in (era.first_fiscal_year, era.first_fiscal_year + 5):
        assert fiscal.parse_year(fiscal.wareki_label(year)) == year
        assert fiscal.parse_year(fiscal.both_labels(year)) == year
    assert fiscal.parse_year(f"{era.name}元年") == era.first_calendar_year


def test_a_month_is_named_in_the_era_of_its_first_day() -> None:
    assert fiscal.wareki_month(2012, 1) == "平成24年1月"
    assert fiscal.wareki_month(2019, 4) == "平成31年4月"
    assert fiscal.wareki_month(2019, 5) == "令和元年5月"


# ---------------------------------------------------------- the structure sheet


def sheet(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


@pytest.mark.django_db
def test_the_structure_sheet_reads_era_years_in_its_plan_row_and_headings() -> None:
    head = ["計画コード", "計画名", "開始年度", "終了年度", "階層1:分野:コード", "階層1:分野:名称"]
    head += ["階層2:施策（評価）:コード", "階層2:施策:名称"]
    head += ["平成30年度目標", "2019(令和元)年度の目標", "令和２年度目標", "令和3年度以降"]
    rows = [
        head,
        ["era", "和暦の計画", "平成３０年度", "令和2年", "1", "分野", "", "", "", "", "", ""],
        ["", "", "", "", "1", "", "1-1", "施策", "●調査", "同左", "●検証", "事業推進"],
    ]
    preview = import_preview(sheet(rows), "era.csv", actor=None)
    assert preview.ok, [str(problem) for problem in preview.all_problems]
    import_apply(sheet(rows), "era.csv", actor=None)
    plan = Plan.objects.get(code="era")
    assert (plan.first_year, plan.last_year, plan.onwards) == (2018, 2020, True)
    assert sorted(Target.objects.values_list("start_year", "end_year", "open_end", "text")) == [
        (2018, 2019, False, "●調査"),
        (2020, 2020, False, "●検証"),
        (2021, 2021, True, "事業推進"),
    ]
    rows[1][3] = "令和201年"
    problems = import_preview(sheet(rows), "era.csv", actor=None).all_problems
    assert (problems[0].where.row, problems[0].where.column) == (2, "D")
    assert (
        problems[0].message
        == "'令和201年' is not a fiscal year (2011, 2011年度 or 平成23年度) from 1900 to 2200."
    )


# ------------------------------------------------------------ one home for the eras


GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy"}


def strings_of_code(tree: ast.Module) -> list[ast.Constant]:
    """The string constants of a module other than docstrings and the messages given to
    gettext (which may show an era year as an example of what to write)."""
    left_out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                left_out.add(id(body[0].value))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in GETTEXT:
            left_out.update(id(inner) for argument in node.args for inner in ast.walk(argument))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in left_out
    ]


def era_names_outside_fiscal(root: Path) -> list[str]:
    names = [era.name for era in fiscal.ERAS]
    found = []
    for path in sorted(root.rglob("*.py")):
        if (path.name == "fiscal.py" and path.parent == root) or "migrations" in path.parts:
            continue
        for constant in strings_of_code(ast.parse(path.read_text("utf-8"))):
            if any(name in constant.value for name in names):
                found.append(f"{path.relative_to(root)}:{constant.lineno}: {constant.value!r}")
    return found


def test_no_module_but_fiscal_names_an_era() -> None:
    assert era_names_outside_fiscal(Path(shinchoku.__file__).parent) == []


def test_an_era_named_in_another_module_is_found(tmp_path: Path) -> None:
    (tmp_path / "fiscal.py").write_text('ERAS = "平成"\n', "utf-8")
    (tmp_path / "reader.py").write_text(
        '"""Reads 平成23年度."""\nimport re\nYEAR = re.compile(r"(平成|令和)(元|\\d+)年度")\n'
        'def f():\n    """平成."""\n    return _("e.g. 令和元年度")\n',
        "utf-8",
    )
    assert era_names_outside_fiscal(tmp_path) == ["reader.py:3: '(平成|令和)(元|\\\\d+)年度'"]
