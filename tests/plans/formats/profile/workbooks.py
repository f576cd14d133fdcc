"""Workbooks in the layout of 大船渡市's 事務事業評価 aggregate sheet, made up for the tests:
the columns, headings and year blocks of the real sheet (as the shipped profile,
docs/examples/profiles/ofunato-jimujigyo.yaml, expects them), with invented projects,
names and numbers, and every kind of dirt the real sheet holds (``DIRTY``), each in a
cell the tests know.

``ofunato_workbook()`` gives the bytes of an xlsx; ``cells`` overrides any cell
({"GW5": "bad"}), ``drop_column`` deletes a column (the layout moved), ``rows`` replaces
the projects and ``sheet_year`` the era year of column G (8: a 令和8年度 sheet).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.utils import column_index_from_string

ROOT = Path(__file__).resolve().parents[4]
PROFILE = ROOT / "docs" / "examples" / "profiles" / "ofunato-jimujigyo.yaml"
SHEET = "データ集計マクロ用シート"
FIRST = 3  # the first data row
BLOCK = column_index_from_string("BT")
WIDTH = 19
PERSONAL = {"V": "架空　課長", "X": "架空　担当", "Y": "0000-00-0000", "Z": "内線なし"}


def _profile() -> dict[str, Any]:
    return yaml.safe_load(PROFILE.read_text("utf-8"))


def headings() -> dict[int, str]:
    """The heading of every column, as the sheet writes them (line breaks where it has blanks)."""
    profile = _profile()
    found = {
        column_index_from_string(letter): text.replace("…", "（架空の続き）").replace(" ", "\n")
        for letter, text in profile["headings"].items()
    }
    for letter, text in {
        "C": "No.",
        "D": "作成\n年",
        "E": "作成\n月",
        "F": "作成\n日",
        "J": "基本事業ID",
    }.items():
        found[column_index_from_string(letter)] = text
    for letter, text in {"V": "課長名", "W": "係名", "X": "担当者", "Y": "電話", "Z": "内線"}.items():
        found[column_index_from_string(letter)] = text
    for block in range(6):
        for offset, text in enumerate(profile["years"]["headings"]):
            found[BLOCK + block * WIDTH + offset] = text.replace(" ", "\n")
    return found


@dataclass
class Project:
    """One row: a project under its 政策, 施策 and 基本事業, with its figures (千円)."""

    id: Any
    name: str
    policy: tuple[Any, Any, str]  # 十の位, 一の位, name
    measure: tuple[Any, Any, str]
    basic: tuple[Any, Any, str]
    unit: str = "市民部架空課"
    law: Any = "架空条例"
    period: tuple[str, Any, Any] = ("単年度繰返", "平成13", "")
    budget: tuple[Any, ...] = ("01", "02", "01", "01", "0100")
    kind: str = "Ｅ\u3000一般"
    marks: tuple[str, str] = ("○", "")
    summary: str = "架空の事業の概要。"
    indicators: dict[str, tuple[str, str]] = field(
        default_factory=lambda: {
            "ア": ("講座の開催回数", "回"),
            "カ": ("市民の数", "人"),
            "サ": ("満足度", "％"),
        }
    )
    #: Per year block (R2 … R7): the costs (10 figures) and the indicator values by key.
    costs: list[list[Any]] = field(default_factory=list)
    values: list[dict[str, Any]] = field(default_factory=list)
    answers: tuple[str, ...] = (
        "結びついている",
        "妥当である",
        "適切である",
        "向上余地がある",
        "影響がある",
        "削減余地がない",
        "削減余地がない",
        "公平・公正である",
    )
    direction: Any = "１\u3000現状維持"
    expected: tuple[str, str] = ("維持", "維持")
    opinion: str = "２\u3000改革改善（縮小・統合含む）"
    whole: list[Any] = field(default_factory=lambda: ["", "", "", "", "", 0, "", "", 0, 0])


def _costs(general: int, hours: int = 100) -> list[Any]:
    return [0, 0, 0, 0, general, general, 1, hours, hours * 4, general + hours * 4]


def _steady(general: int) -> list[list[Any]]:
    return [_costs(general + 10 * year) for year in range(6)]


POLICY_1 = ("0", "1", "暮らしを支えるまちづくり")
POLICY_2 = (0, 2, "学びあうまちづくり")
MEASURE_1 = ("0", "1", "地域の産業の振興")
MEASURE_2 = ("0", 2, "農林業の振興")
MEASURE_3 = ("0", "3", "生涯学習の推進")
BASIC_1 = ("0", "1", "商店街の活性化")
BASIC_2 = ("0", "2", "起業の支援")
BASIC_3 = ("0", "1", "農地の保全")
BASIC_4 = (0, 1, "学習機会の充実")


def projects() -> list[Project]:
    """The projects of the standard workbook, each carrying some of the dirt (``DIRTY``)."""
    return [
        Project(
            "0101",
            "商店街にぎわい事業",
            ("0", "1", "暮らしを支える まちづくりの推進"),  # a variant of the policy's name, first
            MEASURE_1,
            BASIC_1,
            law="-",
            budget=("01\n01", "07", "01\n02\n03", "02\n01", "0100\n0200"),
            costs=_steady(1000),
            values=[
                {"ア": 3, "カ": "104,602\t", "サ": 0.25},
                {"ア": 4, "カ": "19,624.72", "サ": 0.5},
                {"ア": "１", "カ": "100.0", "サ": 0.75},
                {"ア": 5, "カ": 100, "サ": 1},
                {"ア": 6, "カ": 101, "サ": 0.8},
                {"ア": 6, "カ": 102, "サ": 0.9},
            ],
        ),
        Project(
            "0102",
            "空き店舗活用事業",
            POLICY_1,
            MEASURE_1,
            BASIC_1,
            unit="市民部架空課 ",
            law="－",
            period=("期間限定複数年度", "令和元", "令和6年度"),
            kind="Ａ\u3000政策事業",
            marks=("", "○"),
            costs=[
                _costs(500),
                _costs(600),
                _costs(700),
                [0, 0, 0, 0, "2799.4849999999997", 2799.4849999999997, 1, 50, 200, 2999.4849999999997],
                _costs(800),
                _costs(900),
            ],
            whole=[1000, 0, 0, 0, 2000, 3000, 2, 300, 1200, 4200],
            indicators={"ア": ("補助件数", "件"), "キ": ("空き店舗の面積", "㏊"), "サ": ("補助額", "千円")},
            values=[
                {"ア": 1, "キ": 1.5, "サ": 1200},
                {"ア": 2, "キ": 2, "サ": 1300},
                {"ア": 3, "キ": 2.5, "サ": 1400},
                {"ア": 4, "キ": 0.30000000000000004, "サ": 1500},
                {"ア": 5, "キ": 3, "サ": 1600},
                {"ア": 6, "キ": 3.5, "サ": 1700},
            ],
            direction=0,
        ),
        Project(
            86,  # an ID that lost its leading zeros
            "創業塾事業",
            POLICY_1,
            MEASURE_1,
            BASIC_2,
            unit="市民部\u3000架空課",
            law="―",
            period=("単年度繰返", "昭和27", "-"),
            budget=("0", "0", "0", "0", "0000"),
            # No project before R4: zeros, not blanks, in R2 and R3.
            costs=[[0] * 10, [0] * 10, _costs(300), _costs(310), _costs(320), _costs(330)],
            values=[
                {"ア": 0, "カ": 0, "サ": 0},
                {"ア": 0, "カ": 0, "サ": 0},
                {"ア": 2, "カ": 10, "サ": 85.33007334963325},
                {"ア": 3, "カ": 11, "サ": "29（4）"},
                {"ア": 3, "カ": 12, "サ": 90},
                {"ア": 4, "カ": 13, "サ": 91},
            ],
        ),
        Project(
            "0104",
            "農地保全事業",
            POLICY_1,
            ("0", "2", "農林業の振興"),
            BASIC_3,
            unit="架空課",
            law="‐",
            period=("単年度繰返", 27, ""),
            kind="Ｃ\u3000施設管理",
            costs=[["-"] * 5 + [0, 0, 0, 0, 0], *_steady(200)[1:]],
            indicators={"ア": ("巡回回数", "回"), "カ": ("農地面積", "ha"), "サ": ("保全率", "%")},
            values=[{"ア": "－", "カ": 40, "サ": 88.8}]
            + [{"ア": year, "カ": 40 + year, "サ": 90 + year} for year in range(1, 6)],
        ),
        Project(
            "0201",
            "市民講座事業",
            POLICY_2,
            MEASURE_3,
            BASIC_4,
            unit="教育部架空課",
            law="–",
            kind="Ｄ\u3000補助金等",
            marks=("", ""),
            costs=_steady(400),
            indicators={
                "ア": ("講座数", "講座"),
                "イ": (0, 0),
                "カ": ("受講者数", "人"),
                "サ": ("受講者の満足度", "%"),
            },
            values=[{"ア": 10 + year, "カ": 100, "サ": 80} for year in range(6)],
        ),
        Project(
            0,  # an ID given as the number 0
            "図書館資料整備事業",
            POLICY_2,
            MEASURE_3,
            BASIC_4,
            unit="教育部架空課",
            law=0,
            period=("単年度繰返", "令和６", ""),
            costs=_steady(250),
            values=[{"ア": year, "カ": 50, "サ": -1.5} for year in range(6)],
            expected=("", ""),
        ),
    ]


#: Where each kind of dirt is in the standard workbook (the warning's kind → a cell).
DIRTY = {
    "dash or 0 for empty": "T3",
    "number with separators, blanks or full-width digits": "CG3",
    "value kept as text": "EO5",
    "floating-point artefact": "ED4",
    "rounded": "DV5",
    "percentage stored as a fraction": "CJ3",
    "unit spelled differently": "BO3",
    "code given as a number": "H5",
    "one code, several names": "M3",
    "year without its era": "AD6",
    "zeros before the first year": "BT5",
    "value read as no answer": "GW4",
    "budget items of unequal lines": "AF3",
    "column not read": "",
    "total differs from its parts": "",
    "mark not understood": "",
    "values without an indicator": "",
}


def _row_values(number: int, project: Project, sheet_year: int = 7) -> dict[int, Any]:
    col = column_index_from_string
    values: dict[int, Any] = {
        col("B"): f'=IF(COUNTIF($H$3:$H$409,H{number})=1,"",1)',
        col("C"): number - 2,
        col("D"): 7,
        col("E"): 9,
        col("F"): 1,
        col("G"): sheet_year,
        col("H"): project.id,
        col("I"): project.name,
        col(
            "J"
        ): f"{project.policy[1]}{project.measure[0]}{project.measure[1]}{project.basic[0]}{project.basic[1]}",
        col("K"): project.policy[0],
        col("L"): project.policy[1],
        col("M"): project.policy[2],
        col("N"): project.measure[0],
        col("O"): project.measure[1],
        col("P"): project.measure[2],
        col("Q"): project.basic[0],
        col("R"): project.basic[1],
        col("S"): project.basic[2],
        col("T"): project.law,
        col("U"): project.unit,
        col("W"): "架空係",
        col("AA"): project.marks[0],
        col("AB"): project.marks[1],
        col("AC"): project.period[0],
        col("AD"): project.period[1],
        col("AE"): project.period[2],
        col("AK"): project.kind,
        col("AL"): project.summary,
        col("AW"): "前年度に行った架空の活動。",
        col("AX"): "今年度に計画する架空の活動。",
        col("AY"): "架空の市民",
        col("AZ"): "架空の意図",
        col("BA"): "架空の貢献",
        col("GD"): "架空のきっかけ",
        col("GE"): "架空の状況の変化",
        col("GF"): "架空の意見",
        col("GW"): project.direction,
        col("GX"): project.expected[0],
        col("GY"): project.expected[1],
        col("GZ"): "架空の課題",
        col("HA"): project.opinion,
        col("HB"): "架空の総括",
    }
    for letter, text in PERSONAL.items():
        values[col(letter)] = text
    for offset, part in enumerate(project.budget):
        values[col("AF") + offset] = part
    for offset, figure in enumerate(project.whole):
        values[col("AM") + offset] = figure
    for index, letter in enumerate(("GG", "GI", "GK", "GM", "GO", "GQ", "GS", "GU")):
        values[col(letter)] = project.answers[index]
        values[col(letter) + 1] = f"架空の理由{index + 1}"
    keys = ["ア", "イ", "ウ", "カ", "キ", "ク", "サ", "シ", "ス"]
    for position, key in enumerate(keys):
        name, unit = project.indicators.get(key, ("", ""))
        values[col("BB") + 2 * position] = name
        values[col("BB") + 2 * position + 1] = unit
    for block in range(6):
        start = BLOCK + block * WIDTH
        for offset, figure in enumerate(project.costs[block] if block < len(project.costs) else []):
            values[start + offset] = figure
        for key, value in (project.values[block] if block < len(project.values) else {}).items():
            values[start + 10 + keys.index(key)] = value
    return values


def ofunato_workbook(
    rows: list[Project] | None = None,
    *,
    cells: dict[str, Any] | None = None,
    drop_column: str = "",
    sheet_year: int = 7,
) -> bytes:
    """The bytes of a made-up workbook in Ōfunato's layout (see the module docstring)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    grid: dict[tuple[int, int], Any] = {}
    for letter in ("C", "G", "H", "I", "K"):
        grid[(1, column_index_from_string(letter))] = "調整用（このセルには必ず何か入力していること）"
    for index, text in headings().items():
        grid[(2, index)] = text
    for number, project in enumerate(rows if rows is not None else projects(), start=FIRST):
        for index, value in _row_values(number, project, sheet_year).items():
            grid[(number, index)] = value
    for reference, value in (cells or {}).items():
        letters = reference.rstrip("0123456789")
        grid[(int(reference[len(letters) :]), column_index_from_string(letters))] = value
    dropped = column_index_from_string(drop_column) if drop_column else 0
    for (row, column), value in grid.items():
        if dropped and column == dropped:
            continue
        if value in (None, ""):
            continue
        cell = sheet.cell(row=row, column=column - 1 if dropped and column > dropped else column, value=value)
        if isinstance(value, float):
            # Written as a spreadsheet application writes it, every digit of its double
            # (openpyxl would write 16 and lose an artefact such as 0.30000000000000004).
            cell.value = repr(value)
            cell.data_type = "n"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def many_projects(count: int, *, policies: int = 8, measures: int = 25, basics: int = 68) -> list[Project]:
    """``count`` made-up projects under ``policies`` 政策, ``measures`` 施策 and ``basics`` 基本事業
    (the real sheet's sizes by default: 407 under 8, 25 and 68), each a copy of one of the
    standard projects (``projects``, with their dirt) under its own ID, name and codes."""

    def code(number: int) -> tuple[str, str]:
        return str(number // 10), str(number % 10)

    templates = projects()
    rows = []
    for number in range(1, count + 1):
        basic = (number - 1) % basics + 1
        measure = (basic - 1) % measures + 1
        policy = (measure - 1) % policies + 1
        rows.append(
            replace(
                templates[number % len(templates)],
                id=f"{number:04d}",
                name=f"架空事業{number}",
                policy=(*code(policy), f"架空の政策{policy}"),
                measure=(*code(measure), f"架空の施策{measure}"),
                basic=(*code(basic), f"架空の基本事業{basic}"),
            )
        )
    return rows
