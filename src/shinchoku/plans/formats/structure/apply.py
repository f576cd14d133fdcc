"""Writing a clean preview of a structure sheet: only what changed, with ``node_save`` and
each object validated with its model's rules, so that results, ratings, indicators, notes
and target revisions stay as they are; any refusal rolls everything back."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shinchoku.interchange.preview import Problem, Where
from shinchoku.plans.formats.planfile.spec import Path_
from shinchoku.plans.formats.planfile.validate import Reporter
from shinchoku.plans.formats.structure.compare import LevelPlan, StructurePlan
from shinchoku.plans.formats.structure.parsed import SheetNode, SheetTarget
from shinchoku.plans.formats.structure.vocabulary import (
    DEFAULT_SCALE_LEVELS,
    DEFAULT_SCALE_NAME,
    DEFAULT_SCALE_NAME_EN,
)
from shinchoku.plans.models import Dimension, Level, Marker, Node, NodeUnit, OrgUnit, Plan, Scale, ScaleLevel
from shinchoku.plans.services import node_save
from shinchoku.progress.models import Target


class StructureWriter(Reporter):
    """Writes a clean preview's plan: only what changed, each object validated with its
    model's rules; any refusal rolls everything back (the caller's transaction)."""

    def __init__(self, payload: StructurePlan) -> None:
        super().__init__(None)
        self.p = payload
        self.places: list[tuple[Where, dict[str, Where]]] = []

    def place(self, where: Where, fields: dict[str, Where] | None = None) -> Path_:
        self.places.append((where, fields or {}))
        return (len(self.places) - 1,)

    def located_problems(self) -> list[Problem]:
        out = []
        for problem in self.problems:
            index = problem.path[0] if problem.path else None
            where = Where(self.p.structure.file, self.p.structure.sheet)
            if isinstance(index, int) and index < len(self.places):
                base, fields = self.places[index]
                where = fields.get(str(problem.path[1]), base) if len(problem.path) > 1 else base
            out.append(Problem(where, problem.message))
        return out

    def write(self) -> None:
        p = self.p
        s = p.structure
        assert s.plan is not None
        spec = s.plan
        units = self.write_units()
        plan = p.plan or Plan(code=spec.code)
        plan.title = spec.title
        plan.first_year = spec.first_year or 0
        plan.last_year = spec.last_year or 0
        if spec.period_label is not None:
            plan.period_label = spec.period_label
        if p.onwards is not None:
            plan.onwards = p.onwards
        plan_path = self.place(
            spec.where, {name: spec.where for name in ("code", "title", "first_year", "last_year")}
        )
        if not self.validated(plan, plan_path, clean=False):
            self.refuse_if_any()
        plan.save()
        levels = self.write_levels(plan)
        self.refuse_if_any()
        markers = self.write_markers(plan)
        self.refuse_if_any()
        self.write_nodes(plan, levels, markers, units)
        self.refuse_if_any()
        for level in p.removed_levels:
            level.dimensions.all().delete()
            level.delete()
        self.validated(plan, plan_path)  # the period against the data now stored
        self.refuse_if_any()

    def write_units(self) -> dict[str, OrgUnit]:
        units: dict[str, OrgUnit] = {}
        for ref in self.p.new_units.values():
            unit = OrgUnit(code=ref.code, name=ref.name, kind=unit_kind(ref.name))
            if self.validated(unit, self.place(ref.where)):
                unit.save()
                units[unit.code] = unit
        self.refuse_if_any()
        codes = {ref.code for node in self.p.structure.nodes for ref in node.units or []}
        units.update({unit.code: unit for unit in OrgUnit.objects.filter(code__in=codes - set(units))})
        return units

    def write_levels(self, plan: Plan) -> dict[int, Level]:
        levels: dict[int, Level] = {}
        for item in self.p.levels:
            level = item.level or Level(plan=plan, depth=item.spec.depth, key=item.key, kind=item.kind)
            changed = item.level is None or level.name != item.spec.name or level.rated != item.spec.rated
            level.name = item.spec.name
            level.rated = item.spec.rated
            if changed and self.validated(
                level, self.place(item.spec.where, {"name": item.spec.where, "rated": item.spec.where})
            ):
                level.save()
            levels[item.spec.depth] = level
            if item.new_dimension is not None:
                self.write_dimension(plan, level, item)
        return levels

    def write_dimension(self, plan: Plan, level: Level, item: LevelPlan) -> None:
        assert item.new_dimension is not None
        code, _exists = item.new_dimension
        where = item.spec.where
        scale = Scale.objects.filter(code=code).first()
        if scale is None:
            scale = Scale(
                code=code,
                name=DEFAULT_SCALE_NAME,
                name_en=DEFAULT_SCALE_NAME_EN,
                good_end=Scale.GoodEnd.FIRST,
            )
            if not self.validated(scale, self.place(where)):
                return
            scale.save()
            for position, (level_code, label, label_en, adverse) in enumerate(DEFAULT_SCALE_LEVELS):
                ScaleLevel.objects.create(
                    scale=scale,
                    code=level_code,
                    label=label,
                    label_en=label_en,
                    position=position,
                    adverse=adverse,
                )
        taken = set(Dimension.objects.filter(plan=plan, level=level).values_list("key", flat=True))
        key, suffix = "achievement", 2
        while key in taken:
            key, suffix = f"achievement-{suffix}", suffix + 1
        dimension = Dimension(
            plan=plan,
            level=level,
            key=key,
            name=scale.name[:100],
            name_en=scale.name_en[:100],
            scale=scale,
            primary=True,
        )
        if self.validated(dimension, self.place(where)):
            dimension.save()

    def write_markers(self, plan: Plan) -> dict[str, Marker]:
        markers = {marker.symbol: marker for marker in plan.markers.all()}
        position = max((marker.position for marker in markers.values()), default=0)
        for symbol in self.p.new_markers:
            position += 1
            marker = Marker(plan=plan, symbol=symbol, name=symbol, position=position)
            where = next(
                (node.places["markers"] for node in self.p.structure.nodes if symbol in (node.markers or [])),
                Where(self.p.structure.file),
            )
            if self.validated(marker, self.place(where)):
                marker.save()
                markers[symbol] = marker
        return markers

    def write_nodes(
        self, plan: Plan, levels: dict[int, Level], markers: dict[str, Marker], units: dict[str, OrgUnit]
    ) -> None:
        p = self.p
        instances: dict[str, Node] = {}
        pending: list[tuple[SheetNode, Node, Path_]] = []
        for spec in p.structure.nodes:
            stored = p.stored_nodes.get(spec.code)
            node = stored or Node(plan=plan, code=spec.code)
            instances[spec.code] = node
            wanted: dict[str, Any] = {
                "level": levels[spec.depth],
                "position": spec.position,
                "title": spec.title,
            }
            for name in ("label", "summary", "baseline"):
                value = getattr(spec, name)
                if value is not None:
                    wanted[name] = value
            parent = instances.get(spec.parent) if spec.parent else None
            dirty = stored is None or (node.parent_id if stored else None) != (parent.pk if parent else None)
            for name, value in wanted.items():
                current = getattr(node, name) if name != "level" else (node.level if node.level_id else None)
                if current != value:
                    dirty = True
                setattr(node, name, value)
            node.parent = parent
            if dirty:
                pending.append((spec, node, self.place(spec.where, spec.places)))
        # Removed nodes with none of the kept nodes below them go first (a node moving to a
        # deeper level is not held back by children that are about to go).
        kept_ids = {node.pk for node in instances.values() if node.pk}
        removed = {node.pk: node for node in p.removed_nodes}
        early = [
            pk
            for pk, node in removed.items()
            if not Node.objects.filter(path__startswith=node.path, pk__in=kept_ids).exists()
        ]
        Node.objects.filter(pk__in=early).delete()
        pending, errors = self.save_in_order(pending)
        # The other removed nodes go once the kept nodes below them have moved away.
        Node.objects.filter(pk__in=[pk for pk in removed if pk not in early]).delete()
        pending, errors = self.save_in_order(pending, errors)
        for spec, node, path in pending:
            self.report(
                errors.get(spec.code) or ValidationError(_("Its parent could not be written.")), node, path
            )
        if self.problems:
            return
        for spec in p.structure.nodes:
            node = instances[spec.code]
            if spec.implied:
                continue
            if spec.markers is not None:
                wanted_markers = {markers[symbol].pk for symbol in spec.markers if symbol in markers}
                if set(node.markers.values_list("pk", flat=True)) != wanted_markers:
                    node.markers.set(list(wanted_markers))
            if spec.units is not None:
                self.write_units_of(node, spec, units)
            if spec.targets is not None:
                self.write_targets(node, spec)

    def save_in_order(
        self, pending: list[tuple[SheetNode, Node, Path_]], errors: dict[str, ValidationError] | None = None
    ) -> tuple[list[tuple[SheetNode, Node, Path_]], dict[str, ValidationError]]:
        """node_save each node, parents first; a node refused for the tree as it stands
        midway (a child still on its old level) is tried again after the others. Returns
        the nodes that could not be saved, with why."""
        errors = errors if errors is not None else {}
        while pending:
            waiting: list[tuple[SheetNode, Node, Path_]] = []
            for spec, node, path in pending:
                parent = node.parent
                if parent is not None and parent.pk is None:
                    waiting.append((spec, node, path))
                    continue
                if parent is not None:
                    # Its path may have moved with an ancestor since it was read.
                    parent.path = Node.objects.filter(pk=parent.pk).values_list("path", flat=True).get()
                node.parent = parent  # sets parent_id, now that the parent is saved
                self.at = path
                try:
                    node_save(node)
                except ValidationError as error:
                    errors[spec.code] = error
                    waiting.append((spec, node, path))
                    continue
                errors.pop(spec.code, None)
            if len(waiting) == len(pending):
                return waiting, errors
            pending = waiting
        return [], errors

    def write_units_of(self, node: Node, spec: SheetNode, units: dict[str, OrgUnit]) -> None:
        assert spec.units is not None
        wanted = {ref.code for ref in spec.units}
        roles = list(node.unit_roles.filter(role=NodeUnit.Role.RESPONSIBLE).select_related("unit"))
        for role in roles:
            if role.unit.code not in wanted:
                role.delete()
        have = {role.unit.code for role in roles}
        for ref in spec.units:
            if ref.code in have or ref.code not in units:
                continue
            role = NodeUnit(node=node, unit=units[ref.code], role=NodeUnit.Role.RESPONSIBLE)
            if self.validated(role, self.place(ref.where)):
                role.save()

    def write_targets(self, node: Node, spec: SheetNode) -> None:
        """Keep the stored targets the sheet still holds (with their notes, revisions and
        proposed revisions), remove the others, add the new ones."""
        assert spec.targets is not None
        stored: dict[tuple[int, int, int, bool, str], list[Target]] = defaultdict(list)
        for target in sorted(node.targets.all(), key=lambda t: (t.row, t.start_year, t.position, t.pk)):
            stored[(target.row, target.start_year, target.end_year, target.open_end, target.text)].append(
                target
            )
        keep: list[tuple[Target, int]] = []
        new: list[tuple[SheetTarget, int]] = []
        for position, target_spec in enumerate(spec.targets):
            matches = stored.get(target_spec.key)
            if matches:
                keep.append((matches.pop(0), position))
            else:
                new.append((target_spec, position))
        Target.objects.filter(pk__in=[t.pk for left in stored.values() for t in left]).delete()
        for target, position in keep:
            if target.position != position:
                target.position = position
                target.save(update_fields=["position"])
        for target_spec, position in new:
            target = Target(
                node=node,
                row=target_spec.row,
                position=position,
                start_year=target_spec.start,
                end_year=target_spec.end,
                open_end=target_spec.open_end,
                text=target_spec.text,
            )
            if self.validated(target, self.place(target_spec.where, {"text": target_spec.where})):
                target.save()


def unit_kind(name: str) -> str:
    for suffix, kind in (
        ("局", OrgUnit.Kind.BUREAU),
        ("区", OrgUnit.Kind.WARD),
        ("部", OrgUnit.Kind.DEPARTMENT),
    ):
        if name.endswith(suffix):
            return kind
    return OrgUnit.Kind.SECTION
