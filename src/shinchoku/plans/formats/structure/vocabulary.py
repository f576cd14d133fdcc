"""The structure sheet's vocabulary, one home for the reader and the writer: the headings
(Japanese or English, with the levels' and the years'), the marks in the cells (a span of
years, a target's bullet, the list separators), the default scale of a rated level, and
the limits of the years and levels a sheet may hold."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from shinchoku import fiscal
from shinchoku.plans.models import YEAR_VALIDATORS, Level
from shinchoku.text import normalize

#: The sheet the writer writes; a sheet of one of SHEET_NAMES is read, otherwise the first sheet.
SHEET_NAME = "構造"
SHEET_NAMES = (SHEET_NAME, "structure")
#: What the writer writes in a year cell that continues the cell on its left; the reader
#: takes any of SPAN_MARKS (or a merged cell) as a span of years.
SPAN_TEXT = "同左"
SPAN_MARKS = frozenset({SPAN_TEXT, "←"})
#: The scale a rated level is given when its heading names none.
DEFAULT_SCALE_CODE = "achievement-5"
DEFAULT_SCALE_NAME = "達成状況区分"
DEFAULT_SCALE_NAME_EN = "Achievement status"
#: Code, label, English label, adverse.
DEFAULT_SCALE_LEVELS = (
    ("1", "目標を大きく上回って達成", "Far exceeded the target", False),
    ("2", "目標を上回って達成", "Exceeded the target", False),
    ("3", "目標をほぼ達成", "Mostly achieved the target", False),
    ("4", "目標を下回った", "Fell short of the target", True),
    ("5", "目標を大きく下回った", "Fell far short of the target", True),
)
#: ``（評価:-）``: the level is rated but gets no evaluation dimension.
NO_SCALE = "-"
MAX_LEVELS = 20
#: Item separator inside a year cell: each line starting with ● begins a new target.
BULLET = "●"

YEAR_LOW = min(v.limit_value for v in YEAR_VALIDATORS if hasattr(v, "limit_value"))
YEAR_HIGH = max(v.limit_value for v in YEAR_VALIDATORS if hasattr(v, "limit_value"))
_LEVEL_HEADING = re.compile(
    r"^(?:階層|level)\s*(\d{1,3})\s*:\s*(.+?)\s*:\s*(コード|code|名称|名前|名|タイトル|title|name)$", re.I
)
_RATED_MARK = re.compile(r"^(.*?)\s*\(\s*(?:評価|rated)\s*(?::\s*([^()]*?)\s*)?\)$", re.I)
#: What may follow the year in the heading of a year's targets: 2011年度目標, 2011年度の目標,
#: FY2011 targets (the year itself is read by ``fiscal.read_year``).
_TARGETS_SUFFIX = re.compile(r"(?:の?目標|の|targets?)$")
#: Separators of the units and markers cells, read as written: the full-width and
#: half-width forms of the comma and semicolon both separate.
LIST_SPLIT = re.compile(r"[\n、､,，;；]+")
MARKER_SPLIT = re.compile(r"[\s、､,，;；]+")


#: Fixed headings, compared without spaces, in lower case, after NFKC.
FIXED_HEADINGS: dict[str, str] = {
    "計画コード": "plan_code",
    "plancode": "plan_code",
    "計画名": "plan_title",
    "計画名称": "plan_title",
    "plantitle": "plan_title",
    "planname": "plan_title",
    "期間名": "period_label",
    "periodlabel": "period_label",
    "開始年度": "first_year",
    "期間開始年度": "first_year",
    "firstyear": "first_year",
    "firstfiscalyear": "first_year",
    "終了年度": "last_year",
    "期間終了年度": "last_year",
    "lastyear": "last_year",
    "lastfiscalyear": "last_year",
    "表示ラベル": "label",
    "ラベル": "label",
    "label": "label",
    "概要": "summary",
    "summary": "summary",
    "purpose": "summary",
    "現状": "baseline",
    "baseline": "baseline",
    "所管課": "units",
    "所管": "units",
    "units": "units",
    "responsibleunits": "units",
    "responsibleunit": "units",
    "マーカー": "markers",
    "markers": "markers",
}
#: The fixed columns, in the order the writer writes them: the plan's, before the level
#: columns, and the node's, after them.
PLAN_KINDS = ("plan_code", "plan_title", "period_label", "first_year", "last_year")
NODE_KINDS = ("label", "summary", "baseline", "units", "markers")
#: The heading the writer writes for each fixed column (and the messages name it by).
HEADINGS: dict[str, str] = {
    "plan_code": "計画コード",
    "plan_title": "計画名",
    "period_label": "期間名",
    "first_year": "開始年度",
    "last_year": "終了年度",
    "label": "表示ラベル",
    "summary": "概要",
    "baseline": "現状",
    "units": "所管課",
    "markers": "マーカー",
}

#: Level names whose kind in the open data's vocabulary is known.
LEVEL_KINDS: dict[str, str] = {
    "プラン": Level.Kind.PLAN,
    "政策分野": Level.Kind.PLAN,
    "基本目標": Level.Kind.PLAN,
    "基本政策": Level.Kind.PLAN,
    "分野": Level.Kind.PLAN,
    "planarea": Level.Kind.PLAN,
    "plan": Level.Kind.PLAN,
    "アクションプログラム": Level.Kind.PROGRAMME,
    "プログラム": Level.Kind.PROGRAMME,
    "政策": Level.Kind.PROGRAMME,
    "基本施策": Level.Kind.PROGRAMME,
    "programme": Level.Kind.PROGRAMME,
    "program": Level.Kind.PROGRAMME,
    "施策計画": Level.Kind.MEASURE,
    "施策": Level.Kind.MEASURE,
    "measure": Level.Kind.MEASURE,
    "事務事業": Level.Kind.PROJECT,
    "事業": Level.Kind.PROJECT,
    "project": Level.Kind.PROJECT,
}


def compacted(text: str) -> str:
    """A text as headings and sheet names are compared: after NFKC, without spaces, in
    lower case."""
    return re.sub(r"\s+", "", normalize(text)).lower()


@dataclass
class Heading:
    column: int  # 0-based
    text: str  # as written
    kind: str  # a value of FIXED_HEADINGS, "level_code", "level_title" or "year"
    depth: int = 0
    level_name: str = ""
    rated: bool = False
    scale: str | None = None  # the scale named in the rated mark; None: none named
    year: int = 0
    onwards: bool = False

    @property
    def letter(self) -> str:
        return get_column_letter(self.column + 1)


def classify_heading(text: str, column: int) -> Heading | None:
    """The heading ``text`` (of the 0-based ``column``) as a column of the layout, or None."""
    compact = compacted(text)
    if compact in FIXED_HEADINGS:
        return Heading(column, text, FIXED_HEADINGS[compact])
    plain = normalize(text)
    match = _LEVEL_HEADING.match(plain)
    if match:
        number, name, part = int(match.group(1)), match.group(2), match.group(3).lower()
        rated_match = _RATED_MARK.match(name)
        rated, scale = False, None
        if rated_match:
            name, rated = rated_match.group(1).strip(), True
            scale = (rated_match.group(2) or "").strip() or None
        kind = "level_code" if part in ("コード", "code") else "level_title"
        return Heading(column, text, kind, depth=number - 1, level_name=name, rated=rated, scale=scale)
    year = year_of_heading(compact)
    if year is not None:
        return Heading(column, text, "year", year=year.year, onwards=year.onwards)
    return None


def year_of_heading(text: str) -> fiscal.WrittenYear | None:
    """The year of a year column's heading: in Japanese written with 年度 (2011年度目標,
    平成23年度の目標, 2011(平成23)年度, 2014年度以降), in English as FY2011 or the bare
    number (FY2011 target, 2014 onwards); None for another heading."""
    written = fiscal.read_year(_TARGETS_SUFFIX.sub("", compacted(text), count=1))
    if written is None or written.unit == "年" or (written.wareki and written.unit != "年度"):
        return None
    return written


def looks_like_structure_header(cells: Iterable[str]) -> bool:
    """Whether a heading row is a plan structure's: a plan code and a level column."""
    kinds = {heading.kind for index, text in enumerate(cells) if (heading := classify_heading(text, index))}
    return "plan_code" in kinds and bool(kinds & {"level_code", "level_title"})


def level_headings(number: int, name: str, mark: str) -> list[str]:
    """The code and title headings of the level ``number`` (1 for the top), ``mark`` being
    "" or its rated mark (``rated_mark``)."""
    return [f"階層{number}:{name}{mark}:コード", f"階層{number}:{name}:名称"]


def rated_mark(scale: str | None = None) -> str:
    """The mark of a rated level's heading: （評価）, or （評価:code） naming its scale
    (NO_SCALE: rated without an evaluation dimension)."""
    return "（評価）" if scale is None else f"（評価:{scale}）"


def year_heading(year: int) -> str:
    """The heading of a fiscal year's targets column."""
    return f"{year}年度目標"


def onwards_heading(year: int) -> str:
    """The heading of the onwards column, ``year`` being the year after the period."""
    return f"{year}年度以降"


def split_items(text: str) -> list[str]:
    """A year cell's targets: each line that starts with ● begins a new one."""
    items: list[list[str]] = []
    for line in text.split("\n"):
        if not items or line.startswith(BULLET):
            items.append([line])
        else:
            items[-1].append(line)
    out = [normalize("\n".join(lines)) for lines in items]
    return [item for item in out if item]
