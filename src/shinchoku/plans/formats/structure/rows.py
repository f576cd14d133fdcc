"""The preview of a structure sheet, in the sheet's own words: the comparison of its
content with the database (``plan_diff``) told row by row of the sheet.

The plan's row holds the plan's changes, its levels' (a level's name and rated mark, a
new rating scale) and the levels the sheet drops; a new unit has a row of its own; each
node's row holds its changes, labelled by the sheet's headings: its level, parent,
title, texts, units (shown by name), markers, targets (the whole cell text before and
after) and its place among its siblings; then the rows that could not be read, then the
nodes the sheet leaves out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from shinchoku import fiscal
from shinchoku.interchange.preview import FieldChange, Problem, RowPreview, RowStatus, Where
from shinchoku.plans.content import NodeContent
from shinchoku.plans.formats.structure.checks import join
from shinchoku.plans.formats.structure.convert import SheetContent, stored_order
from shinchoku.plans.formats.structure.parsed import SheetNode, SheetUnit, Structure
from shinchoku.plans.formats.structure.vocabulary import HEADINGS
from shinchoku.plans.models import Node, NodeUnit
from shinchoku.plans.writing import ObjectDiff, PlanDiff

#: The plan's fields the sheet shows, in order, with the column each is in.
_PLAN_FIELDS = (
    ("title", "plan_title"),
    ("first_year", "first_year"),
    ("last_year", "last_year"),
    ("onwards", ""),
    ("period_label", "period_label"),
)


def targets_text(targets: Sequence[tuple[int, int, int, bool, str]]) -> str:
    """Targets (row, first year, last year, onwards, text) as one text, a line each."""
    lines = []
    for row, start, end, open_end, text in targets:
        period = fiscal.western_label(start)
        if open_end:
            period = f"{period}以降" if start == end else f"{period}〜{fiscal.western_label(end)}以降"
        elif end != start:
            period = f"{period}〜{fiscal.western_label(end)}"
        lines.append(f"[{row}] {period}: {text}")
    return "\n".join(lines)


def header_rows(structure: Structure) -> list[RowPreview]:
    """The rows of a sheet whose plan could not be read: its problems only."""
    rows = problem_rows(structure, set())
    if structure.header_problems:
        rows.insert(
            0,
            RowPreview(
                Where(structure.file, structure.sheet, structure.header_row),
                _("headings"),
                RowStatus.ERROR,
                problems=tuple(structure.header_problems),
            ),
        )
    return rows


def problem_rows(structure: Structure, covered: set[int]) -> list[RowPreview]:
    """Rows with problems that belong to no node (a node that could not be read)."""
    out = []
    for row, problems in sorted(structure.row_problems.items()):
        if row in covered or not problems:
            continue
        out.append(
            RowPreview(
                Where(structure.file, structure.sheet, row or None),
                _("row %(row)s") % {"row": row},
                RowStatus.ERROR,
                problems=tuple(problems),
            )
        )
    return out


class SheetRows:
    """The preview's rows of a sheet's content compared with the database."""

    def __init__(
        self,
        sheet: SheetContent,
        diff: PlanDiff,
        header_problems: Sequence[Problem],
        removal_problems: dict[str, Problem],
    ) -> None:
        self.sheet = sheet
        self.s = sheet.structure
        self.header_problems = tuple(header_problems)
        self.removal_problems = removal_problems
        self.objects: dict[tuple[str, str], ObjectDiff] = {}
        self.removed: dict[str, list[ObjectDiff]] = defaultdict(list)
        self.changed_targets: set[str] = set()
        for item in diff.objects:
            if item.kind == "target":
                if item.status != RowStatus.UNCHANGED:
                    self.changed_targets.add(item.key[1])
            elif item.status == RowStatus.REMOVED:
                self.removed[item.kind].append(item)
            elif len(item.key) == 2:
                self.objects[(item.kind, item.key[1])] = item
            elif item.kind == "plan":
                self.objects[("plan", "")] = item
            else:
                self.objects[(item.kind, ":".join(str(part) for part in item.key[1:]))] = item
        self.contents = {node.code: node for node, _parent in sheet.content.walk()}

    def heading(self, kind: str) -> str:
        """The heading of a fixed column as the sheet writes it, or as the writer does."""
        heading = self.s.headings.get(kind)
        return heading.text if heading is not None else HEADINGS[kind]

    def rows(self) -> list[RowPreview]:
        s = self.s
        assert s.plan is not None
        plan = self.objects[("plan", "")]
        changes = self.plan_changes(plan) + self.level_changes()
        status = plan.status if plan.status == RowStatus.NEW else self.status(changes)
        rows = [
            RowPreview(
                Where(s.file, s.sheet, s.header_row),
                f"{s.plan.code} {s.plan.title}",
                RowStatus.ERROR if self.header_problems else status,
                tuple(changes),
                self.header_problems,
            )
        ]
        for code, ref in self.sheet.new_units.items():
            unit = self.objects.get(("unit", code))
            if unit is not None and unit.status == RowStatus.NEW:
                rows.append(RowPreview(ref.where, new_unit_subject(ref), RowStatus.NEW))
        node_rows = [self.node_row(node) for node in s.nodes]
        self.order_changes(node_rows)
        rows += node_rows
        rows += problem_rows(s, {row for node in s.nodes if not node.implied for row in node.rows})
        rows += self.removed_rows()
        return rows

    @staticmethod
    def status(changes: Sequence[FieldChange]) -> RowStatus:
        return RowStatus.CHANGED if changes else RowStatus.UNCHANGED

    # -- the plan's row

    def plan_changes(self, plan: ObjectDiff) -> list[FieldChange]:
        new = plan.status == RowStatus.NEW
        changed = {change.field: change for change in plan.changes}
        out = []
        for name, kind in _PLAN_FIELDS:
            if name == "period_label" and "period_label" not in self.s.headings:
                continue
            label = self.heading(kind) if kind else _("onwards column")
            if new:
                out.append(FieldChange(name, label, "", _shown(plan.fields[name])))
            elif name in changed:
                change = changed[name]
                out.append(FieldChange(name, label, _shown(change.before), _shown(change.after)))
        return out

    def level_changes(self) -> list[FieldChange]:
        out = []
        stored = self.sheet.stored
        content = self.sheet.content
        new_scales = {
            code
            for (kind, code), item in self.objects.items()
            if kind == "scale" and item.status == RowStatus.NEW
        }
        for level in content.levels:
            number = level["depth"] + 1
            label = _("level %(number)s") % {"number": number}
            item = self.objects[("level", level["key"])]
            before = stored.levels.get(level["depth"])
            if item.status == RowStatus.NEW:
                out.append(
                    FieldChange(f"level{number}", label, "", _level_shown(level["name"], level["rated"]))
                )
            elif before is not None and {change.field for change in item.changes} & {"name", "rated"}:
                out.append(
                    FieldChange(
                        f"level{number}",
                        label,
                        _level_shown(before.name, before.rated),
                        _level_shown(level["name"], level["rated"]),
                    )
                )
            for dimension in content.dimensions:
                added = self.objects.get(("dimension", f"{level['key']}:{dimension['key']}"))
                if dimension["level"] != level["key"] or added is None or added.status != RowStatus.NEW:
                    continue
                code = dimension["scale"]
                out.append(
                    FieldChange(
                        f"level{number}-scale",
                        _("rating scale of %(level)s") % {"level": level["name"]},
                        "",
                        _("%(code)s (new: 達成状況区分 1–5)") % {"code": code}
                        if code in new_scales
                        else code,
                    )
                )
        for item in self.removed["level"]:
            number = int(item.fields["depth"]) + 1
            out.append(
                FieldChange(
                    f"level{number}", _("level %(number)s") % {"number": number}, item.fields["name"], ""
                )
            )
        return out

    # -- the nodes' rows

    def node_row(self, node: SheetNode) -> RowPreview:
        item = self.objects[("node", node.code)]
        stored = self.sheet.stored.nodes.get(node.code) if item.status != RowStatus.NEW else None
        content = self.contents[node.code]
        changed = {change.field for change in item.changes}
        level = self.sheet.level_of(node)
        pairs: list[tuple[str, str, str, str]] = []
        if stored is None or "level" in changed:
            pairs.append(("level", _("level"), stored.level.name if stored else "", level.name))
        parent_before = stored.parent.code if stored is not None and stored.parent is not None else ""
        pairs.append(("parent", _("parent"), parent_before, node.parent or ""))
        pairs.append(
            ("title", level.title_heading or _("title"), stored.title if stored else "", content.title)
        )
        for name in ("label", "summary", "baseline"):
            if getattr(node, name) is not None:
                pairs.append(
                    (
                        name,
                        self.heading(name),
                        getattr(stored, name) if stored else "",
                        getattr(content, name),
                    )
                )
        if node.units is not None and (stored is None or "units" in changed):
            pairs.append(self.units_change(stored, node.units))
        if node.markers is not None and (stored is None or "markers" in changed):
            now = sorted(marker.symbol for marker in stored.markers.all()) if stored else []
            pairs.append(("markers", self.heading("markers"), join(now), join(sorted(node.markers))))
        if node.targets is not None and (stored is None or node.code in self.changed_targets):
            before = sorted(stored.targets.all(), key=stored_order) if stored else []
            pairs.append(
                (
                    "targets",
                    _("targets"),
                    targets_text([(t.row, t.start_year, t.end_year, t.open_end, t.text) for t in before]),
                    targets_text(_content_targets(content)),
                )
            )
        changes = [
            FieldChange(name, label, old, new)
            for name, label, old, new in pairs
            if old != new and (stored is not None or new)
        ]
        problems: tuple[Problem, ...] = ()
        if not node.implied:
            problems = tuple(problem for row in node.rows for problem in self.s.row_problems.get(row, []))
        status = RowStatus.NEW if stored is None else self.status(changes)
        return RowPreview(
            node.where, node.subject, RowStatus.ERROR if problems else status, tuple(changes), problems
        )

    def units_change(self, stored: Node | None, units: list[SheetUnit]) -> tuple[str, str, str, str]:
        """Units are compared by code (two units may share a name) and shown by name."""
        held = sorted(
            (role.unit.name, role.unit.code)
            for role in (stored.unit_roles.all() if stored else [])
            if role.role == NodeUnit.Role.RESPONSIBLE
        )
        wanted = sorted((ref.name, ref.code) for ref in units)
        with_codes = [name for name, _code in held] == [name for name, _code in wanted]
        return (
            "units",
            self.heading("units"),
            _units_shown(held, with_codes),
            _units_shown(wanted, with_codes),
        )

    def order_changes(self, rows: list[RowPreview]) -> None:
        """A node whose place among its siblings changed (not only its number)."""
        stored_nodes = self.sheet.stored.nodes
        nodes = self.s.nodes
        stored_children: dict[str | None, list[Node]] = defaultdict(list)
        for stored_node in stored_nodes.values():
            stored_children[stored_node.parent.code if stored_node.parent else None].append(stored_node)
        new_children: dict[str | None, list[str]] = defaultdict(list)
        for spec in nodes:
            new_children[spec.parent].append(spec.code)
        for index, node in enumerate(nodes):
            stored = stored_nodes.get(node.code)
            if stored is None or (stored.parent.code if stored.parent else None) != node.parent:
                continue
            siblings = new_children[node.parent]
            before = [n.code for n in sorted(stored_children[node.parent], key=lambda n: (n.position, n.pk))]
            old_seq = [code for code in before if code in siblings]
            new_seq = [code for code in siblings if code in before]
            if old_seq.index(node.code) == new_seq.index(node.code):
                continue
            row = rows[index]
            status = RowStatus.CHANGED if row.status == RowStatus.UNCHANGED else row.status
            order = FieldChange(
                "order", _("order"), str(old_seq.index(node.code) + 1), str(new_seq.index(node.code) + 1)
            )
            rows[index] = RowPreview(row.where, row.subject, status, (*row.changes, order), row.problems)

    def removed_rows(self) -> list[RowPreview]:
        stored = self.sheet.stored.nodes
        removed = sorted((stored[item.key[1]] for item in self.removed["node"]), key=lambda node: node.path)
        rows = []
        for node in removed:
            problem = self.removal_problems.get(node.code)
            rows.append(
                RowPreview(
                    self.sheet.sheet_where,
                    f"{node.code} {node.title}",
                    RowStatus.ERROR if problem else RowStatus.REMOVED,
                    problems=(problem,) if problem else (),
                )
            )
        return rows


def _content_targets(node: NodeContent) -> list[tuple[int, int, int, bool, str]]:
    return [(t.row, t.start_year, t.end_year, t.open_end, t.text) for t in node.targets]


def _units_shown(units: Iterable[tuple[str, str]], with_codes: bool) -> str:
    return join(f"{name} ({code})" if with_codes else name for name, code in units)


def new_unit_subject(ref: SheetUnit) -> str:
    if not ref.similar:
        return _("unit %(name)s") % {"name": ref.name}
    return _(
        "unit %(name)s (new: its name differs from the existing unit %(existing)s, code %(code)s, only in "
        "the width of its characters; write that unit's code to mean it)"
    ) % {
        "name": ref.name,
        "existing": join(name for name, _code in ref.similar),
        "code": join(code for _name, code in ref.similar),
    }


def _shown(value: str) -> str:
    """A plan's field as the preview shows it: a yes/no in words."""
    if value == "true":
        return _("yes")
    if value == "false":
        return _("no")
    return value


def _level_shown(name: str, rated: bool) -> str:
    return f"{name}（評価）" if rated else name
