"""Comparing a structure sheet as read with the database: each node new, changed (field
by field, its place among its siblings too), unchanged or removed, and what only the stored
data can refuse (a node to remove that has results, a level that must stay rated, data
outside the period); the plan of what ``apply`` writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from shinchoku import fiscal
from shinchoku.interchange.preview import FieldChange, Problem, RowPreview, RowStatus, Where
from shinchoku.plans.formats.matching import same_text
from shinchoku.plans.formats.structure.parsed import PlanRow, SheetLevel, SheetNode, SheetUnit, Structure
from shinchoku.plans.formats.structure.vocabulary import (
    DEFAULT_SCALE_CODE,
    HEADINGS,
    LEVEL_KINDS,
    NO_SCALE,
    compacted,
)
from shinchoku.plans.models import Dimension, Level, Node, NodeUnit, Plan, Scale
from shinchoku.progress.models import IndicatorValue, Result, Target


def join(values: Iterable[str]) -> str:
    return "、".join(values)


def targets_text(targets: Sequence[tuple[int, int, int, bool, str]]) -> str:
    lines = []
    for row, start, end, open_end, text in targets:
        period = fiscal.western_label(start)
        if open_end:
            period = f"{period}以降" if start == end else f"{period}〜{fiscal.western_label(end)}以降"
        elif end != start:
            period = f"{period}〜{fiscal.western_label(end)}"
        lines.append(f"[{row}] {period}: {text}")
    return "\n".join(lines)


@dataclass
class LevelPlan:
    """What to do to a level: ``level`` is the stored one (None: new)."""

    spec: SheetLevel
    level: Level | None
    key: str
    kind: str
    #: The scale of a primary dimension to create: (code, exists); None: no dimension to make.
    new_dimension: tuple[str, bool] | None = None


@dataclass
class StructurePlan:
    """The preview's reading of the file, and what apply writes."""

    structure: Structure
    plan: Plan | None
    levels: list[LevelPlan]
    removed_levels: list[Level]
    stored_nodes: dict[str, Node]
    removed_nodes: list[Node]
    new_units: dict[str, SheetUnit]
    new_markers: list[str]
    onwards: bool | None


class Comparer:
    """Compares a Structure with the database: row previews, and the problems only the
    stored data can show (a node to remove that has results, a level that must stay rated …)."""

    def __init__(self, structure: Structure) -> None:
        self.s = structure
        self.rows: list[RowPreview] = []

    def heading(self, kind: str) -> str:
        """The heading of a fixed column as the sheet writes it, or as the writer does."""
        heading = self.s.headings.get(kind)
        return heading.text if heading is not None else HEADINGS[kind]

    def compare(self) -> tuple[list[RowPreview], StructurePlan | None]:
        s = self.s
        header_where = Where(s.file, s.sheet, s.header_row)
        if s.plan is None:
            self.rows.extend(self.problem_rows(set()))
            if s.header_problems:
                self.rows.insert(
                    0,
                    RowPreview(
                        header_where, _("headings"), RowStatus.ERROR, problems=tuple(s.header_problems)
                    ),
                )
            return self.rows, None
        spec = s.plan
        plan = Plan.objects.filter(code=spec.code).first()
        stored_nodes: dict[str, Node] = {}
        if plan is not None:
            stored_nodes = {
                node.code: node
                for node in Node.objects.filter(plan=plan)
                .select_related("level", "parent")
                .prefetch_related("markers", "unit_roles__unit", "targets")
            }
        header_problems = list(s.header_problems)
        header_changes: list[FieldChange] = []
        onwards = s.onwards if s.onwards is not None else (plan.onwards if plan is not None else True)
        self.plan_changes(plan, spec, onwards, header_changes)
        levels, removed_levels = self.compare_levels(plan, stored_nodes, header_changes, header_problems)
        self.check_period(plan, spec, onwards, stored_nodes, header_problems)

        new_units: dict[str, SheetUnit] = {}
        new_markers: list[str] = []
        stored_markers = set(plan.markers.values_list("symbol", flat=True)) if plan is not None else set()
        node_rows: list[RowPreview] = []
        for node in s.nodes:
            stored = stored_nodes.get(node.code)
            if stored is not None:
                _adopt_stored_text(node, stored)
            changes = self.node_changes(node, stored, levels)
            for ref in node.units or []:
                if ref.new and ref.code not in new_units:
                    new_units[ref.code] = ref
            for symbol in node.markers or []:
                if symbol not in stored_markers and symbol not in new_markers:
                    new_markers.append(symbol)
            problems = tuple(problem for row in node.rows for problem in s.row_problems.get(row, []))
            if node.implied:
                problems = ()
            status = (
                RowStatus.NEW if stored is None else (RowStatus.CHANGED if changes else RowStatus.UNCHANGED)
            )
            node_rows.append(
                RowPreview(
                    node.where,
                    node.subject,
                    RowStatus.ERROR if problems else status,
                    tuple(changes),
                    problems,
                )
            )
        self.order_changes(s.nodes, stored_nodes, node_rows)
        covered = {row for node in s.nodes if not node.implied for row in node.rows}
        kept = {node.code for node in s.nodes}
        removed = [node for code, node in stored_nodes.items() if code not in kept]
        removed_rows = self.removed(removed)

        status = (
            RowStatus.NEW if plan is None else (RowStatus.CHANGED if header_changes else RowStatus.UNCHANGED)
        )
        self.rows.append(
            RowPreview(
                header_where,
                f"{spec.code} {spec.title}",
                RowStatus.ERROR if header_problems else status,
                tuple(header_changes),
                tuple(header_problems),
            )
        )
        for ref in new_units.values():
            self.rows.append(RowPreview(ref.where, _new_unit_subject(ref), RowStatus.NEW))
        self.rows.extend(node_rows)
        self.rows.extend(self.problem_rows(covered))
        self.rows.extend(removed_rows)
        payload = StructurePlan(
            structure=s,
            plan=plan,
            levels=levels,
            removed_levels=removed_levels,
            stored_nodes=stored_nodes,
            removed_nodes=removed,
            new_units=new_units,
            new_markers=new_markers,
            onwards=onwards,
        )
        return self.rows, payload

    def problem_rows(self, covered: set[int]) -> list[RowPreview]:
        """Rows with problems that belong to no node (a node that could not be read)."""
        out = []
        for row, problems in sorted(self.s.row_problems.items()):
            if row in covered or not problems:
                continue
            out.append(
                RowPreview(
                    Where(self.s.file, self.s.sheet, row or None),
                    _("row %(row)s") % {"row": row},
                    RowStatus.ERROR,
                    problems=tuple(problems),
                )
            )
        return out

    def plan_changes(
        self, plan: Plan | None, spec: PlanRow, onwards: bool, changes: list[FieldChange]
    ) -> None:
        if plan is not None:
            # Text stored as typed elsewhere, which the sheet repeats normalised, stays.
            if same_text(plan.title, spec.title):
                spec.title = plan.title
            if spec.period_label is not None and same_text(plan.period_label, spec.period_label):
                spec.period_label = plan.period_label
        pairs: list[tuple[str, str, object, object]] = [
            ("title", self.heading("plan_title"), plan.title if plan else None, spec.title),
            (
                "first_year",
                self.heading("first_year"),
                plan.first_year if plan else None,
                spec.first_year,
            ),
            (
                "last_year",
                self.heading("last_year"),
                plan.last_year if plan else None,
                spec.last_year,
            ),
            ("onwards", _("onwards column"), plan.onwards if plan else None, onwards),
        ]
        if spec.period_label is not None:
            pairs.append(
                (
                    "period_label",
                    self.heading("period_label"),
                    plan.period_label if plan else None,
                    spec.period_label,
                )
            )
        for name, label, before, after in pairs:
            if plan is None or before != after:
                changes.append(FieldChange(name, label, _shown(before), _shown(after)))

    def compare_levels(
        self,
        plan: Plan | None,
        stored_nodes: dict[str, Node],
        changes: list[FieldChange],
        problems: list[Problem],
    ) -> tuple[list[LevelPlan], list[Level]]:
        stored = {level.depth: level for level in plan.levels.all()} if plan is not None else {}
        dimensions: dict[int, list[Dimension]] = defaultdict(list)
        if plan is not None:
            for dimension in plan.dimensions.select_related("scale"):
                dimensions[dimension.level_id].append(dimension)
        rated_with_results = (
            set(Result.objects.filter(node__plan=plan).values_list("node__level_id", flat=True).distinct())
            if plan is not None
            else set()
        )
        used_keys = {level.key for level in stored.values()}
        out: list[LevelPlan] = []
        for spec in self.s.levels:
            level = stored.get(spec.depth)
            label = _("level %(number)s") % {"number": spec.depth + 1}
            if level is None:
                kind = LEVEL_KINDS.get(compacted(spec.name), Level.Kind.OTHER)
                key = kind if kind != Level.Kind.OTHER and kind not in used_keys else f"level{spec.depth + 1}"
                suffix = 2
                while key in used_keys:
                    key, suffix = f"level{spec.depth + 1}-{suffix}", suffix + 1
                used_keys.add(key)
                changes.append(
                    FieldChange(f"level{spec.depth + 1}", label, "", _level_shown(spec.name, spec.rated))
                )
                plan_ = LevelPlan(spec, None, key, kind)
            else:
                plan_ = LevelPlan(spec, level, level.key, level.kind)
                if same_text(level.name, spec.name):
                    spec.name = level.name
                if level.name != spec.name or level.rated != spec.rated:
                    changes.append(
                        FieldChange(
                            f"level{spec.depth + 1}",
                            label,
                            _level_shown(level.name, level.rated),
                            _level_shown(spec.name, spec.rated),
                        )
                    )
                if (
                    level.rated
                    and not spec.rated
                    and (dimensions.get(level.pk) or level.pk in rated_with_results)
                ):
                    problems.append(
                        Problem(
                            spec.where,
                            _(
                                "The level %(level)s has results or evaluation dimensions: it must "
                                "stay rated; mark its heading （評価）."
                            )
                            % {"level": level.name},
                        )
                    )
            level_dimensions = dimensions.get(level.pk, []) if level is not None else []
            primary = next((d for d in level_dimensions if d.primary), None)
            if (
                spec.rated
                and primary is not None
                and spec.scale not in (None, NO_SCALE)
                and primary.scale.code != spec.scale
            ):
                problems.append(
                    Problem(
                        spec.where,
                        _("The level %(level)s is rated on the scale %(scale)s; its heading names %(named)s.")
                        % {"level": spec.name, "scale": primary.scale.code, "named": spec.scale},
                    )
                )
            if spec.rated and not level_dimensions and spec.scale != NO_SCALE:
                code = spec.scale or DEFAULT_SCALE_CODE
                exists = Scale.objects.filter(code=code).exists()
                plan_.new_dimension = (code, exists)
                changes.append(
                    FieldChange(
                        f"level{spec.depth + 1}-scale",
                        _("rating scale of %(level)s") % {"level": spec.name},
                        "",
                        code if exists else _("%(code)s (new: 達成状況区分 1–5)") % {"code": code},
                    )
                )
            out.append(plan_)
        removed_levels = [level for depth, level in sorted(stored.items()) if depth >= len(self.s.levels)]
        for level in removed_levels:
            changes.append(
                FieldChange(
                    f"level{level.depth + 1}",
                    _("level %(number)s") % {"number": level.depth + 1},
                    level.name,
                    "",
                )
            )
        return out, removed_levels

    def check_period(
        self,
        plan: Plan | None,
        spec: PlanRow,
        onwards: bool,
        stored_nodes: dict[str, Node],
        problems: list[Problem],
    ) -> None:
        """Stored results, indicator values and (kept) targets must stay within the period."""
        if plan is None or spec.first_year is None or spec.last_year is None:
            return
        first, last = spec.first_year, spec.last_year
        last_target = last + (1 if onwards else 0)
        where = Where(self.s.file, self.s.sheet, spec.where.row)
        sheet_codes = {node.code for node in self.s.nodes}
        kept_ids = [node.pk for code, node in stored_nodes.items() if code in sheet_codes]
        outside: list[int] = [
            *Result.objects.filter(node_id__in=kept_ids)
            .exclude(fiscal_year__range=(first, last))
            .values_list("fiscal_year", flat=True)[:1],
            *IndicatorValue.objects.filter(indicator__node_id__in=kept_ids)
            .exclude(fiscal_year__range=(first, last_target))
            .values_list("fiscal_year", flat=True)[:1],
        ]
        # Targets the sheet does not replace: implied nodes', or all when it has no year columns.
        keeps_targets = [
            stored_nodes[node.code].pk
            for node in self.s.nodes
            if node.code in stored_nodes and node.targets is None
        ]
        outside += list(
            Target.objects.filter(node_id__in=keeps_targets)
            .exclude(start_year__gte=first, end_year__lte=last_target)
            .values_list("start_year", flat=True)[:1]
        )
        if not onwards:
            outside += list(
                Target.objects.filter(node_id__in=keeps_targets, open_end=True).values_list(
                    "start_year", flat=True
                )[:1]
            )
        if outside:
            problems.append(
                Problem(
                    where,
                    _(
                        "Year outside the period: data recorded for fiscal year %(year)s would fall "
                        "outside %(first)s–%(last)s."
                    )
                    % {"year": outside[0], "first": first, "last": last},
                )
            )

    def node_changes(
        self, node: SheetNode, stored: Node | None, levels: list[LevelPlan]
    ) -> list[FieldChange]:
        s = self.s
        spec_level = s.levels[node.depth]
        before = stored is not None
        pairs: list[tuple[str, str, str, str]] = []
        if stored is None or stored.level.depth != node.depth:
            pairs.append(("level", _("level"), stored.level.name if stored else "", spec_level.name))
        parent_before = stored.parent.code if stored is not None and stored.parent is not None else ""
        pairs.append(("parent", _("parent"), parent_before, node.parent or ""))
        pairs.append(
            ("title", spec_level.title_heading or _("title"), stored.title if stored else "", node.title)
        )
        if node.label is not None:
            pairs.append(("label", self.heading("label"), stored.label if stored else "", node.label))
        if node.summary is not None:
            pairs.append(("summary", self.heading("summary"), stored.summary if stored else "", node.summary))
        if node.baseline is not None:
            pairs.append(
                (
                    "baseline",
                    self.heading("baseline"),
                    stored.baseline if stored else "",
                    node.baseline,
                )
            )
        if node.units is not None:
            # Units are compared by code (two units may share a name) and shown by name.
            held = sorted(
                (role.unit.name, role.unit.code)
                for role in (stored.unit_roles.all() if stored else [])
                if role.role == NodeUnit.Role.RESPONSIBLE
            )
            wanted = sorted((ref.name, ref.code) for ref in node.units)
            if {code for _name, code in held} != {code for _name, code in wanted}:
                with_codes = [name for name, _code in held] == [name for name, _code in wanted]
                pairs.append(
                    (
                        "units",
                        self.heading("units"),
                        _units_shown(held, with_codes),
                        _units_shown(wanted, with_codes),
                    )
                )
        if node.markers is not None:
            now = sorted(marker.symbol for marker in stored.markers.all()) if stored else []
            pairs.append(("markers", self.heading("markers"), join(now), join(sorted(node.markers))))
        if node.targets is not None:
            pairs.append(
                (
                    "targets",
                    _("targets"),
                    targets_text(_stored_targets(stored)) if stored else "",
                    targets_text([target.key for target in node.targets]),
                )
            )
        return [
            FieldChange(name, label, old, new)
            for name, label, old, new in pairs
            if old != new and (before or new)
        ]

    def order_changes(
        self, nodes: list[SheetNode], stored_nodes: dict[str, Node], rows: list[RowPreview]
    ) -> None:
        """A node whose place among its siblings changed (not only its number)."""
        stored_children: dict[str | None, list[Node]] = defaultdict(list)
        for stored_node in stored_nodes.values():
            parent_code = stored_node.parent.code if stored_node.parent else None
            stored_children[parent_code].append(stored_node)
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
            if old_seq.index(node.code) != new_seq.index(node.code):
                row = rows[index]
                if row.status == RowStatus.UNCHANGED:
                    row = RowPreview(row.where, row.subject, RowStatus.CHANGED, row.changes, row.problems)
                rows[index] = RowPreview(
                    row.where,
                    row.subject,
                    row.status,
                    (
                        *row.changes,
                        FieldChange(
                            "order",
                            _("order"),
                            str(old_seq.index(node.code) + 1),
                            str(new_seq.index(node.code) + 1),
                        ),
                    ),
                    row.problems,
                )

    def removed(self, removed: list[Node]) -> list[RowPreview]:
        if not removed:
            return []
        ids = [node.pk for node in removed]
        with_results = set(Result.objects.filter(node_id__in=ids).values_list("node_id", flat=True))
        with_entries = set(
            Node.objects.filter(pk__in=ids, entries__isnull=False).values_list("pk", flat=True)
        )
        with_indicators = set(
            Node.objects.filter(pk__in=ids, indicators__isnull=False).values_list("pk", flat=True)
        )
        rows = []
        where = Where(self.s.file, self.s.sheet)
        for node in sorted(removed, key=lambda n: n.path):
            reasons = []
            if node.pk in with_results:
                reasons.append(_("results"))
            if node.pk in with_entries:
                reasons.append(_("entries of an evaluation round"))
            if node.pk in with_indicators:
                reasons.append(_("indicators"))
            problems: tuple[Problem, ...] = ()
            if reasons:
                problems = (
                    Problem(
                        where,
                        _(
                            "%(code)s %(title)s is not in the file, but it has %(what)s: a structure "
                            "import does "
                            "not remove it. Put its row back (or remove it in the administration pages)."
                        )
                        % {"code": node.code, "title": node.title, "what": join(reasons)},
                    ),
                )
            rows.append(
                RowPreview(
                    where,
                    f"{node.code} {node.title}",
                    RowStatus.ERROR if problems else RowStatus.REMOVED,
                    problems=problems,
                )
            )
        return rows


def _units_shown(units: Sequence[tuple[str, str]], with_codes: bool) -> str:
    return join(f"{name} ({code})" if with_codes else name for name, code in units)


def _new_unit_subject(ref: SheetUnit) -> str:
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


def _adopt_stored_text(node: SheetNode, stored: Node) -> None:
    """The sheet's free text is read normalised; where the stored text is that text as
    typed elsewhere (full-width brackets or digits), the node keeps the stored form, so
    that repeating it is no change (and its targets keep their notes and revisions)."""
    if same_text(stored.title, node.title):
        node.title = stored.title
    for name in ("label", "summary", "baseline"):
        value = getattr(node, name)
        if value is not None and same_text(getattr(stored, name), value):
            setattr(node, name, getattr(stored, name))
    if not node.targets:
        return
    left = sorted(stored.targets.all(), key=lambda t: (t.row, t.start_year, t.position, t.pk))
    paired: set[int] = set()
    for exact in (True, False):  # equal texts pair first
        for number, target in enumerate(node.targets):
            if number in paired:
                continue
            for index, kept in enumerate(left):
                if (kept.row, kept.start_year, kept.end_year, kept.open_end) == (
                    target.row,
                    target.start,
                    target.end,
                    target.open_end,
                ) and (kept.text == target.text if exact else same_text(kept.text, target.text)):
                    target.text = kept.text
                    del left[index]
                    paired.add(number)
                    break


def _stored_targets(node: Node) -> list[tuple[int, int, int, bool, str]]:
    targets = sorted(node.targets.all(), key=lambda t: (t.row, t.start_year, t.position, t.pk))
    return [(t.row, t.start_year, t.end_year, t.open_end, t.text) for t in targets]


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _level_shown(name: str, rated: bool) -> str:
    return f"{name}（評価）" if rated else name
