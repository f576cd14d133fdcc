"""A city's rows read as the profile lays them out: each row names a path of nodes (its
政策, 施策, 基本事業 and 事務事業 by their codes and titles) and gives its own node — the
deepest it names — markers, a unit, sections of text, ratings with their reasons, costs
and indicators over the year blocks. The nodes the rows name are gathered into the
plan's tree (``read_tree``), each named once: by the commonest of the names its rows
give it, the others warned.

What a row cannot say is an error, naming the sheet, row and column: a code whose
parent's code is empty, a node's own row given twice, a code under two parents, a value
that is on no scale the profile maps, a classification it does not map.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from shinchoku import fiscal
from shinchoku.plans.formats.profile.cells import Cells, Dirt, compact
from shinchoku.plans.formats.profile.costs import CostReading, read_costs
from shinchoku.plans.formats.profile.indicators import IndicatorReading, read_indicators
from shinchoku.plans.formats.profile.spec import DimensionSpec, LevelSpec, Profile


@dataclass
class RatingReading:
    dimension: str
    level: str
    reason: str
    row: int
    column: int


@dataclass
class RowData:
    """What one row says of its own node, besides its code and title."""

    row: int
    fields: dict[str, str] = field(default_factory=dict)
    #: Section key → text, of a section of the node.
    node_sections: dict[str, str] = field(default_factory=dict)
    #: (section key, fiscal year) → text, of a section of a year.
    year_sections: dict[tuple[str, int], str] = field(default_factory=dict)
    markers: list[str] = field(default_factory=list)
    label: str = ""
    unit: str = ""  # the unit's code
    ratings: list[RatingReading] = field(default_factory=list)
    costs: list[CostReading] = field(default_factory=list)
    indicators: list[IndicatorReading] = field(default_factory=list)
    #: Values kept as text where a number was expected (lines for the node's note).
    kept: list[str] = field(default_factory=list)


@dataclass
class NodeReading:
    """A node of the tree as the rows give it."""

    level: LevelSpec
    code: str
    parent: str  # the parent's code, "" for the top
    row: int
    column: int
    names: Counter[str] = field(default_factory=Counter)
    name_rows: dict[str, list[int]] = field(default_factory=dict)
    data: RowData | None = None
    children: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The commonest name; of names as common, the first given."""
        if not self.names:
            return ""
        best = max(self.names.values())
        return next(name for name in self.names if self.names[name] == best)


@dataclass
class UnitReading:
    code: str
    names: Counter[str] = field(default_factory=Counter)
    row: int = 0
    column: int = 0

    @property
    def name(self) -> str:
        best = max(self.names.values())
        return next(name for name in self.names if self.names[name] == best)


@dataclass
class Tree:
    """The plan's nodes as the sheet gives them, by code, in the order rows first name them."""

    nodes: dict[str, NodeReading] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)
    units: dict[str, UnitReading] = field(default_factory=dict)


def unit_code(profile: Profile, name: str) -> str:
    """A unit's code: the one the profile gives its name, or its prefix and a digest of the
    name (compact), the same for every sheet that names it alike."""
    assert profile.unit is not None
    key = compact(name)
    given = profile.unit.codes.get(key)
    if given:
        return given
    return profile.unit.prefix + hashlib.sha256(key.encode()).hexdigest()[:10]


class _Reader:
    def __init__(self, profile: Profile, cells: Cells, fiscal_year: int) -> None:
        self.profile = profile
        self.cells = cells
        self.fiscal_year = fiscal_year
        self.tree = Tree()
        self.own_rows: dict[str, int] = {}

    def row(self, row: int) -> None:
        profile, cells = self.profile, self.cells
        parent = ""
        parent_column = 0
        node: NodeReading | None = None
        for depth, level in enumerate(profile.levels):
            own = "".join(cells.identity(row, column.index, digits=level.digits) for column in level.code)
            if not own:
                deeper = next(
                    (
                        (deep, column)
                        for deep in profile.levels[depth + 1 :]
                        for column in deep.code
                        if cells.identity(row, column.index)
                    ),
                    None,
                )
                if deeper is not None:
                    cells.fail(
                        row,
                        level.code[0].index,
                        _(
                            "The %(level)s's code is empty, but the row names a %(child)s in column "
                            "%(column)s: its parent is missing."
                        )
                        % {"level": level.name, "child": deeper[0].name, "column": deeper[1].letter},
                    )
                break
            code = f"{parent}-{own}" if level.prefix and parent else own
            node = self.node(level, code, parent, row, level.code[0].index, parent_column)
            title = cells.text(row, level.title.index)
            if title:
                node.names[title] += 1
                node.name_rows.setdefault(title, []).append(row)
            parent, parent_column = code, level.code[0].index
        if node is None:
            cells.fail(row, profile.levels[0].code[0].index, _("The row names no node: its code is empty."))
            return
        if node.code in self.own_rows:
            cells.fail(
                row,
                node.column,
                _("The code %(code)s has its row already: row %(row)s.")
                % {"code": node.code, "row": self.own_rows[node.code]},
            )
            return
        self.own_rows[node.code] = row
        node.data = self.data(row, node.level)

    def node(
        self, level: LevelSpec, code: str, parent: str, row: int, column: int, parent_column: int
    ) -> NodeReading:
        tree = self.tree
        node = tree.nodes.get(code)
        if node is None:
            node = NodeReading(level, code, parent, row, column)
            tree.nodes[code] = node
            if parent:
                tree.nodes[parent].children.append(code)
            else:
                tree.roots.append(code)
        elif node.parent != parent:
            self.cells.fail(
                row,
                column,
                _("The code %(code)s stands under %(parent)s here and under %(other)s on row %(row)s.")
                % {"code": code, "parent": parent or "—", "other": node.parent or "—", "row": node.row},
            )
        elif node.level.key != level.key:
            self.cells.fail(
                row,
                column,
                _("The code %(code)s names a node of another level on row %(row)s.")
                % {"code": code, "row": node.row},
            )
        return node

    def data(self, row: int, level: LevelSpec) -> RowData:
        profile, cells = self.profile, self.cells
        data = RowData(row)
        judged = self.fiscal_year + profile.judged_year
        for name, column in profile.fields.items():
            data.fields[name] = cells.text(row, column.index)
        for section in profile.sections:
            if section.level != level.key:
                continue
            for entry in section.columns:
                text = cells.text(row, entry.column.index)
                if section.scope == "node":
                    data.node_sections[section.key] = text
                elif text:
                    data.year_sections[(section.key, self.fiscal_year + (entry.year or 0))] = text
        for marker in profile.markers:
            if marker.column is not None and cells.mark(row, marker.column.index, profile.marks):
                data.markers.append(marker.symbol)
        self.classification(row, data)
        self.period(row, data)
        self.budget(row, data)
        self.unit(row, data)
        for dimension in profile.dimensions:
            if dimension.level == level.key:
                self.rating(row, dimension, data)
        if level.rated:
            data.costs = read_costs(profile, cells, row, self.fiscal_year)
        data.indicators, data.kept = read_indicators(profile, cells, row, self.fiscal_year)
        _drop_years_before(profile, cells, row, data, judged)
        return data

    def classification(self, row: int, data: RowData) -> None:
        spec = self.profile.classification
        if spec is None:
            return
        text = self.cells.text(row, spec.column.index)
        if not text:
            return
        if spec.into_label:
            data.label = text
            return
        symbol = spec.values.get(compact(text))
        if symbol is None:
            self.cells.fail(
                row,
                spec.column.index,
                _("%(value)r is a classification the profile does not map to a marker (line %(line)s).")
                % {"value": text, "line": self.profile.line_of((*spec.path, "values"))},
            )
        elif symbol not in data.markers:
            data.markers.append(symbol)

    def period(self, row: int, data: RowData) -> None:
        spec = self.profile.period
        if spec is None:
            return
        cells = self.cells
        kind = cells.text(row, spec.kind.index) if spec.kind else ""
        years = []
        for column, latest in ((spec.start, self.fiscal_year), (spec.end, None)):
            if column is None:
                years.append("")
                continue
            year, text = cells.year(row, column.index, latest=latest)
            years.append(fiscal.both_labels(year) if year is not None else text)
        span = f"{years[0]}〜{years[1]}" if any(years) else ""
        data.node_sections[spec.section] = " ".join(part for part in (kind, span) if part)

    def budget(self, row: int, data: RowData) -> None:
        spec = self.profile.budget
        if spec is None:
            return
        cells = self.cells
        parts = [
            [line.strip() for line in cells.identity(row, column.index).split("\n") if line.strip()]
            for column in spec.columns
        ]
        count = max((len(lines) for lines in parts), default=0)
        if any(len(lines) not in (0, 1, count) for lines in parts):
            cells.warn(
                row,
                spec.columns[0].index,
                Dirt.budget(),
                _("The budget item columns hold %(counts)s lines: each shorter column repeats its last line.")
                % {"counts": ", ".join(str(len(lines)) for lines in parts)},
            )
        items = []
        for number in range(count):
            item = [lines[min(number, len(lines) - 1)] if lines else "" for lines in parts]
            if all(set(part) <= {"0"} for part in item):
                cells.warn(
                    row, spec.columns[0].index, Dirt.dash(), _("A budget item of zeros: read as none.")
                )
                continue
            items.append(spec.joiner.join(item))
        data.node_sections[spec.section] = "\n".join(items)

    def unit(self, row: int, data: RowData) -> None:
        spec = self.profile.unit
        if spec is None:
            return
        name = self.cells.text(row, spec.column.index)
        if not name:
            return
        code = unit_code(self.profile, name)
        unit = self.tree.units.setdefault(code, UnitReading(code, row=row, column=spec.column.index))
        unit.names[name] += 1
        data.unit = code

    def rating(self, row: int, dimension: DimensionSpec, data: RowData) -> None:
        cells = self.cells
        text = cells.answer(row, dimension.column.index)
        reason = cells.text(row, dimension.reason.index) if dimension.reason else ""
        if not text:
            if reason:
                cells.warn(
                    row, dimension.column.index, Dirt.orphan(), _("A reason without an answer: not kept.")
                )
            return
        key = compact(text)
        if key in dimension.values:
            code = dimension.values[key]
        else:
            scale = next(scale for scale in self.profile.scales if scale.code == dimension.scale)
            code = next(
                (level.code for level in scale.levels if key in (compact(level.label), compact(level.code))),
                "",
            )
            if not code:
                cells.fail(
                    row,
                    dimension.column.index,
                    _(
                        "%(value)r is not on the scale %(scale)s, and the profile does not map it "
                        "(line %(line)s)."
                    )
                    % {"value": text, "scale": dimension.scale, "line": self.profile.line_of(dimension.path)},
                )
                return
        if code is None:
            cells.warn(
                row,
                dimension.column.index,
                Dirt.no_answer(),
                _("%(value)r is read as no answer, as the profile says.") % {"value": text},
            )
            return
        data.ratings.append(RatingReading(dimension.key, code, reason, row, dimension.column.index))


def _drop_years_before(profile: Profile, cells: Cells, row: int, data: RowData, judged: int) -> None:
    """The leading years whose every cost and indicator value is zero or empty, before a
    year with something else, are years before the project existed: not given (warned)."""
    years = sorted({cost.fiscal_year for cost in data.costs if cost.fiscal_year is not None})
    empty: list[int] = []
    for year in years:
        costs = [cost for cost in data.costs if cost.fiscal_year == year]
        values = [value for indicator in data.indicators for value in indicator.values_of(year)]
        if all(cost.zero for cost in costs) and all(value in (None, Decimal(0)) for value in values):
            empty.append(year)
        else:
            break
    if not empty or len(empty) == len(years):
        return
    first = min(cost.column for cost in data.costs if cost.fiscal_year in empty)
    data.costs = [cost for cost in data.costs if cost.fiscal_year not in empty]
    for indicator in data.indicators:
        indicator.drop(empty)
    cells.warn(
        row,
        first,
        Dirt.zeros(),
        _("Zeros in %(years)s, before the first year with a value: read as not given.")
        % {"years": ", ".join(str(year) for year in empty)},
    )


def read_tree(profile: Profile, cells: Cells, fiscal_year: int, rows: list[int]) -> Tree:
    """Every data row read into the plan's tree; name variants and unit variants warned."""
    reader = _Reader(profile, cells, fiscal_year)
    for row in rows:
        reader.row(row)
    tree = reader.tree
    for node in tree.nodes.values():
        if not node.names:
            cells.fail(
                node.row,
                node.level.title.index,
                _("The %(level)s %(code)s has no name on any row.")
                % {"level": node.level.name, "code": node.code},
            )
        kept = node.title
        for name, count in node.names.items():
            if name != kept:
                where = node.name_rows[name]
                cells.warn(
                    where[0],
                    node.level.title.index,
                    Dirt.names(),
                    _(
                        "The %(level)s %(code)s is named %(name)r on %(count)s row(s) (%(rows)s) and "
                        "%(kept)r on %(kept_count)s: %(kept)r is kept."
                    )
                    % {
                        "level": node.level.name,
                        "code": node.code,
                        "name": name,
                        "count": count,
                        "rows": ", ".join(str(number) for number in where[:5]),
                        "kept": kept,
                        "kept_count": node.names[kept],
                    },
                )
    _unit_variants(tree, cells)
    return tree


def _unit_variants(tree: Tree, cells: Cells) -> None:
    names = {unit.code: unit.name for unit in tree.units.values()}
    for unit in tree.units.values():
        for name, count in unit.names.items():
            if name != unit.name:
                cells.warn(
                    unit.row,
                    unit.column,
                    Dirt.names(),
                    _(
                        "The unit %(code)s is written %(name)r on %(count)s row(s) and %(kept)r more "
                        "often: %(kept)r is kept."
                    )
                    % {"code": unit.code, "name": name, "count": count, "kept": unit.name},
                )
    for code, name in names.items():
        for other_code, other in names.items():
            short, long_ = compact(name), compact(other)
            if code != other_code and len(short) >= 3 and long_ != short and long_.endswith(short):
                unit = tree.units[code]
                cells.warn(
                    unit.row,
                    unit.column,
                    Dirt.names(),
                    _(
                        "The unit %(name)r may be %(other)r written short: to make them one, give both "
                        "one code in the profile's node.unit.codes."
                    )
                    % {"name": name, "other": other},
                )
