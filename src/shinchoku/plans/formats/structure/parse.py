"""Reading a structure sheet's rows of nodes: the tree (each node under the one its level
columns name, or under the row above), its units (matched with the stored ones at once),
markers and targets (a span of years, several items in a cell), with the models' limits;
``read_structure`` reads a file into a Structure."""

from __future__ import annotations

import hashlib
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.utils.translation import gettext as _

from shinchoku.interchange.preview import Problem, Where
from shinchoku.plans.formats.matching import UnitMatch, UnitRef, match_units
from shinchoku.plans.formats.planfile.values import field_max_length
from shinchoku.plans.formats.structure.grid import Cell, Grid, Span, Unreadable, filled, read_grid
from shinchoku.plans.formats.structure.headings import HeadingParser
from shinchoku.plans.formats.structure.parsed import (
    PlanRow,
    SheetLevel,
    SheetNode,
    SheetTarget,
    SheetUnit,
    Structure,
)
from shinchoku.plans.formats.structure.vocabulary import (
    LIST_SPLIT,
    MARKER_SPLIT,
    MAX_LEVELS,
    NODE_KINDS,
    Heading,
    split_items,
)
from shinchoku.plans.models import Marker, Node, OrgUnit, node_code_validator
from shinchoku.plans.period import Period


class Parser(HeadingParser):
    """Reads a grid into a Structure, naming every problem by its cell."""

    def __init__(self, grid: Grid, file: str) -> None:
        super().__init__(grid, file)
        self.units: dict[str, SheetUnit] = {}  # by the name or code written
        self.unit_matches: dict[str, UnitMatch] = {}  # by the name or code written

    # -- the heading row

    def parse(self) -> Structure:
        rows = [(number, cells) for number, cells in self.grid.rows if any(filled(cell) for cell in cells)]
        if not rows:
            self.header_row = 1
            self.header_fail(None, _("The file is empty: a heading row and a row per node are expected."))
            return self.structure(None, [], [], {}, [])
        self.header_row, header = rows[0]
        self.rows = rows[1:]
        fixed, levels, years = self.parse_headings(header)
        self.fixed, self.years = fixed, years
        if self.header_problems or not levels:
            return self.structure(None, levels, [], fixed, years)
        self.levels = levels
        self.level_columns = self.level_heading_pairs(header)
        plan = self.parse_plan()
        nodes = self.parse_rows(plan) if plan is not None else []
        return self.structure(plan, levels, nodes, fixed, years)

    def structure(
        self,
        plan: PlanRow | None,
        levels: list[SheetLevel],
        nodes: list[SheetNode],
        fixed: dict[str, Heading],
        years: list[Heading],
    ) -> Structure:
        return Structure(
            file=self.file,
            sheet=self.grid.sheet,
            header_row=self.header_row,
            plan=plan,
            levels=levels,
            nodes=nodes,
            headings=fixed,
            year_headings=years,
            header_problems=self.header_problems,
            row_problems=dict(self.row_problems),
            onwards=any(h.onwards for h in years) if years else None,
        )

    # -- the rows of nodes

    def parse_rows(self, plan: PlanRow) -> list[SheetNode]:
        self.plan = plan
        self.match_unit_tokens()
        own_rows: dict[str, int] = {}
        for number, cells in self.rows:
            depth = self.row_depth(cells)
            if depth is not None:
                code = self.written(number, cells, self.level_columns[depth][0])
                if code:
                    own_rows.setdefault(code, number)
        nodes: dict[str, SheetNode] = {}
        order: list[SheetNode] = []
        chain: list[str | None] = []
        current: SheetNode | None = None
        for number, cells in self.rows:
            self.check_plan_columns(number, cells, plan)
            depth = self.row_depth(cells)
            if depth is None:
                if current is None:
                    if self.has_targets(cells) or self.has_node_data(cells):
                        self.fail(
                            number,
                            None,
                            _(
                                "This row names no node (its level columns are empty) and no node "
                                "stands above it."
                            ),
                        )
                    continue
                self.continuation(number, cells, current)
                continue
            node = self.node_row(number, cells, depth, nodes, order, own_rows, chain)
            if node is None:
                # The rows of targets below a node that cannot be read are still checked.
                current = SheetNode("", "", depth, None, number, self.where(number), {}, targets=[])
                continue
            chain[:] = [*self.ancestors_of(node, nodes), node.code]
            current = node
        positions: dict[str | None, int] = defaultdict(int)
        for node in order:
            node.position = positions[node.parent]
            positions[node.parent] += 1
        return order

    def row_depth(self, cells: list[Cell]) -> int | None:
        filled = [
            depth
            for depth, (code, title) in enumerate(self.level_columns)
            if self.text(cells, code) or self.text(cells, title)
        ]
        return max(filled) if filled else None

    def has_targets(self, cells: list[Cell]) -> bool:
        return any(filled(self.cell(cells, heading)) for heading in self.years)

    def has_node_data(self, cells: list[Cell]) -> bool:
        return any(self.text(cells, self.fixed.get(kind)) for kind in NODE_KINDS)

    def ancestors_of(self, node: SheetNode, nodes: dict[str, SheetNode]) -> list[str | None]:
        out: list[str | None] = []
        parent = node.parent
        while parent is not None and parent in nodes and len(out) < MAX_LEVELS:
            out.insert(0, parent)
            parent = nodes[parent].parent
        return out

    def code_ok(self, number: int, heading: Heading, code: str) -> bool:
        if len(code) > field_max_length(Node, "code"):
            self.fail(number, heading, self.too_long(Node, "code"))
            return False
        try:
            node_code_validator(code)
        except ValidationError as error:
            self.fail(number, heading, " ".join(str(m) for m in error.messages))
            return False
        return True

    def title_ok(self, number: int, heading: Heading, title: str) -> bool:
        if not title:
            self.fail(number, heading, _("The node's title is missing."))
            return False
        if len(title) > field_max_length(Node, "title"):
            self.fail(number, heading, self.too_long(Node, "title"))
            return False
        return True

    def node_row(
        self,
        number: int,
        cells: list[Cell],
        depth: int,
        nodes: dict[str, SheetNode],
        order: list[SheetNode],
        own_rows: dict[str, int],
        chain: list[str | None],
    ) -> SheetNode | None:
        code_heading, title_heading = self.level_columns[depth]
        code, title = self.written(number, cells, code_heading), self.text(cells, title_heading)
        problems_before = len(self.row_problems[number])
        if not code:
            self.fail(number, code_heading, _("The node's code is missing."))
        elif not self.code_ok(number, code_heading, code):
            code = ""
        self.title_ok(number, title_heading, title)

        # The ancestors: given in the level columns to the left, or those of the row above.
        ancestors: list[str | None] = []
        given = [bool(self.text(cells, self.level_columns[d][0])) for d in range(depth)]
        first_given = given.index(True) if True in given else depth
        for ancestor_depth in range(depth):
            a_code_heading, a_title_heading = self.level_columns[ancestor_depth]
            a_code = self.written(number, cells, a_code_heading)
            a_title = self.text(cells, a_title_heading)
            if a_code:
                ancestors.append(
                    self.ancestor(number, ancestor_depth, a_code, a_title, ancestors, nodes, order, own_rows)
                )
                continue
            if a_title:
                self.fail(number, a_code_heading, _("A title is given without its code."))
                ancestors.append(None)
            elif ancestor_depth < first_given:
                inherited = chain[ancestor_depth] if ancestor_depth < len(chain) else None
                if inherited is None:
                    self.fail(
                        number,
                        a_code_heading,
                        _("Parent missing: no %(level)s stands above this row; give its code.")
                        % {"level": self.levels[ancestor_depth].name},
                    )
                ancestors.append(inherited)
            else:
                self.fail(
                    number,
                    a_code_heading,
                    _("Inconsistent level columns: a level between the given ones is left empty."),
                )
                ancestors.append(None)
        # Each ancestor stands under the one to its left.
        for ancestor_depth in range(1, depth):
            child, parent = ancestors[ancestor_depth], ancestors[ancestor_depth - 1]
            if child is not None and parent is not None and child in nodes and nodes[child].parent != parent:
                self.fail(
                    number,
                    self.level_columns[ancestor_depth][0],
                    _("Inconsistent level columns: %(child)s stands under %(actual)s, not under %(given)s.")
                    % {"child": child, "actual": nodes[child].parent or "—", "given": parent},
                )
        parent = ancestors[-1] if ancestors else None
        if code and code in nodes:  # checked after the ancestors, which may use it too
            self.fail(
                number,
                code_heading,
                _("The code %(code)s is also used in row %(row)s: codes are unique in a plan.")
                % {"code": code, "row": nodes[code].row},
            )
            code = ""
        if len(self.row_problems[number]) > problems_before or not code:
            return None
        node = self.add_node(number, depth, code, title, parent, nodes, order)
        self.node_columns(number, cells, node)
        node.targets = [] if self.years else None
        self.parse_targets(number, cells, node)
        return node

    def add_node(
        self,
        number: int,
        depth: int,
        code: str,
        title: str,
        parent: str | None,
        nodes: dict[str, SheetNode],
        order: list[SheetNode],
        *,
        implied: bool = False,
    ) -> SheetNode:
        """Add the node that row ``number`` names in the level columns of ``depth`` to
        ``nodes`` and ``order``: the row's own node, or one ``implied`` by a row below it
        (its parent named with a title), which stands where its code is written."""
        code_heading, title_heading = self.level_columns[depth]
        code_place = self.where(number, code_heading)
        node = SheetNode(
            code=code,
            title=title,
            depth=depth,
            parent=parent,
            row=number,
            where=code_place if implied else self.where(number),
            places={
                "code": code_place,
                "title": self.where(number, title_heading),
                "level": code_place,
                "parent": code_place,
            },
            implied=implied,
            rows=[number],
        )
        nodes[code] = node
        order.append(node)
        return node

    def ancestor(
        self,
        number: int,
        depth: int,
        code: str,
        title: str,
        ancestors: list[str | None],
        nodes: dict[str, SheetNode],
        order: list[SheetNode],
        own_rows: dict[str, int],
    ) -> str | None:
        """The ancestor of ``code`` at ``depth`` named in a row's level columns."""
        code_heading, title_heading = self.level_columns[depth]
        if not self.code_ok(number, code_heading, code):
            return None
        if code in nodes:
            node = nodes[code]
            if node.depth != depth:
                self.fail(
                    number,
                    code_heading,
                    _("Inconsistent level columns: %(code)s is a node of the level %(level)s.")
                    % {"code": code, "level": self.levels[node.depth].name},
                )
                return None
            if title and title != node.title:
                self.fail(
                    number,
                    title_heading,
                    _("Inconsistent level columns: the title differs from row %(row)s (%(title)r).")
                    % {"row": node.row, "title": node.title},
                )
            return code
        later = own_rows.get(code)
        if later is not None and later > number:
            self.fail(
                number,
                code_heading,
                _(
                    "Child before parent: %(code)s is described in row %(row)s, below this row; move "
                    "its row up."
                )
                % {"code": code, "row": later},
            )
            return None
        if not title:
            self.fail(
                number,
                code_heading,
                _("Parent missing: no row describes %(code)s; give it a row above, or its title here.")
                % {"code": code},
            )
            return None
        if not self.title_ok(number, title_heading, title):
            return None
        parent = ancestors[depth - 1] if depth else None
        if depth and parent is None:
            return None
        self.add_node(number, depth, code, title, parent, nodes, order, implied=True)
        return code

    def node_columns(self, number: int, cells: list[Cell], node: SheetNode) -> None:
        fixed = self.fixed
        if "label" in fixed:
            node.label = self.text(cells, fixed["label"])
            node.places["label"] = self.where(number, fixed["label"])
            if len(node.label) > field_max_length(Node, "label"):
                self.fail(number, fixed["label"], self.too_long(Node, "label"))
        for kind in ("summary", "baseline"):
            if kind in fixed:
                setattr(node, kind, self.text(cells, fixed[kind]))
                node.places[kind] = self.where(number, fixed[kind])
        if "units" in fixed:
            node.places["units"] = self.where(number, fixed["units"])
            node.units = self.parse_units(number, fixed["units"], self.written(number, cells, fixed["units"]))
        if "markers" in fixed:
            node.places["markers"] = self.where(number, fixed["markers"])
            symbols: list[str] = []
            for symbol in MARKER_SPLIT.split(self.written(number, cells, fixed["markers"])):
                if not symbol or symbol in symbols:
                    continue
                if len(symbol) > field_max_length(Marker, "symbol"):
                    self.fail(
                        number,
                        fixed["markers"],
                        _("The marker %(symbol)r is longer than %(max)s characters.")
                        % {"symbol": symbol[:40], "max": field_max_length(Marker, "symbol")},
                    )
                    continue
                symbols.append(symbol)
            node.markers = symbols

    def unit_tokens(self, text: str) -> list[str]:
        return [token for token in (part.strip() for part in LIST_SPLIT.split(text)) if token]

    def match_unit_tokens(self) -> None:
        """Every unit the sheet names, matched with the stored units at once (``match_units``):
        a token of ASCII letters, digits, - and _ is a code, anything else a name."""
        heading = self.fixed.get("units")
        if heading is None:
            return
        tokens = sorted(
            {
                token
                for number, cells in self.rows
                for token in self.unit_tokens(self.written(number, cells, heading))
            }
        )
        refs = [unit_ref(token) for token in tokens]
        self.unit_matches = {token: match for token, match in zip(tokens, match_units(refs), strict=True)}

    def parse_units(self, number: int, heading: Heading, text: str) -> list[SheetUnit]:
        """Units by code (an existing unit's) or by name (an existing unit's, or a new one)."""
        refs: list[SheetUnit] = []
        for token in self.unit_tokens(text):
            ref = self.unit(number, heading, token)
            if ref is not None and all(other.code != ref.code for other in refs):
                refs.append(ref)
        return refs

    def unit(self, number: int, heading: Heading, token: str) -> SheetUnit | None:
        where = self.where(number, heading)
        if token in self.units:
            known = self.units[token]
            return SheetUnit(known.code, known.name, known.new, where, known.similar)
        match = self.unit_matches.get(token) or match_units([unit_ref(token)])[0]
        if match.unit is not None:
            ref = SheetUnit(match.unit.code, match.unit.name, False, where)
        elif match.ref.code:
            self.fail(
                number,
                heading,
                _(
                    "Bad unit: no unit has the code %(code)s (a new unit is written by its name, "
                    "e.g. 企画調整課)."
                )
                % {"code": token},
            )
            return None
        elif match.ambiguous:
            self.fail(
                number,
                heading,
                _("Bad unit: several units are named %(name)s; write the code of the one meant.")
                % {"name": token},
            )
            return None
        else:
            if len(token) > field_max_length(OrgUnit, "name"):
                self.fail(
                    number,
                    heading,
                    _("Bad unit: a unit name is at most %(max)s characters.")
                    % {"max": field_max_length(OrgUnit, "name")},
                )
                return None
            code, number_ = new_unit_code(token), 2
            taken = {other.code for other in self.units.values()}
            while code in taken or OrgUnit.objects.filter(code=code).exists():
                code, number_ = f"{new_unit_code(token)}-{number_}", number_ + 1
            similar = tuple((unit.name, unit.code) for unit in match.similar)
            ref = SheetUnit(code, token, True, where, similar)
        self.units[token] = ref
        return ref

    # -- targets

    def continuation(self, number: int, cells: list[Cell], node: SheetNode) -> None:
        """A row of further targets of ``node`` (its level columns are empty)."""
        for kind in NODE_KINDS:
            heading = self.fixed.get(kind)
            if heading is not None and self.text(cells, heading):
                self.fail(
                    number,
                    heading,
                    _(
                        "A row without a node's code holds only further targets of the node above; "
                        "this cell belongs in the node's row."
                    ),
                )
        node.rows.append(number)
        self.parse_targets(number, cells, node)

    def parse_targets(self, number: int, cells: list[Cell], node: SheetNode) -> None:
        if not self.years or not self.has_targets(cells) or node.targets is None:
            return
        node.target_rows += 1
        target_row = node.target_rows
        if target_row > 32767:
            self.fail(number, None, _("Too many rows of targets for one node."))
            return
        plan = self.plan
        open_cell: list[SheetTarget] = []
        last_column: Heading | None = None
        for heading in self.years:
            value = self.cell(cells, heading)
            if isinstance(value, Span):
                if not open_cell or last_column is None:
                    self.fail(
                        number,
                        heading,
                        _("同左 continues the cell on its left, but that cell is empty."),
                    )
                    last_column = None
                    continue
                for target in open_cell:
                    target.end = heading.year
                    target.open_end = heading.onwards
                if not self.year_ok(number, heading, plan):
                    open_cell = []
                last_column = heading
                continue
            open_cell, last_column = [], None
            if not value:
                continue
            if not self.year_ok(number, heading, plan):
                continue
            last_column = heading
            for text in split_items(value):
                target = SheetTarget(
                    target_row, heading.year, heading.year, heading.onwards, text, self.where(number, heading)
                )
                open_cell.append(target)
                node.targets.append(target)
        if len(node.targets) > 32767:
            self.fail(number, None, _("Too many targets for one node."))

    def year_ok(self, number: int, heading: Heading, plan: PlanRow) -> bool:
        first, last = plan.first_year, plan.last_year
        if first is None or last is None:
            return False
        period = Period(first, last)
        if heading.onwards:
            if heading.year != period.onwards_year:
                self.fail(
                    number,
                    heading,
                    _(
                        "Year outside the period: the onwards column of a plan ending in %(last)s is "
                        "%(year)s年度以降."
                    )
                    % {"last": last, "year": period.onwards_year},
                )
                return False
            return True
        if heading.year not in period.result_years:
            self.fail(
                number,
                heading,
                _("Year outside the period: %(year)s is not within the plan's years %(first)s–%(last)s.")
                % {"year": heading.year, "first": first, "last": last},
            )
            return False
        return True


def unit_ref(token: str) -> UnitRef:
    """A token of the units column: a code when it has the form of one, else a name."""
    return UnitRef(code=token) if slug_re.match(token) else UnitRef(name=token)


def new_unit_code(name: str) -> str:
    """The code a new unit gets from its name: stable, so that importing again finds it."""
    return "u-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


def read_structure(data: bytes, filename: str) -> Structure | Problem:
    """The file's structure as read (nothing compared, nothing written), or the problem
    that stopped its reading."""
    try:
        grid = read_grid(data, filename)
    except Unreadable as refusal:
        return Problem(refusal.where or Where(filename), refusal.message)
    return Parser(grid, filename).parse()
