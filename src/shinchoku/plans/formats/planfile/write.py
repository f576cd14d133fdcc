"""Writing a checked plan data file to the database.

Loading is all or nothing: ``load_plan_file`` checks the whole file first
(check.py), and only a clean file is written, in one transaction. Loading the
same file twice leaves the same state: rows are matched by their natural keys
(plan code, node code, year …), and what the file no longer holds is deleted.

The writer validates every object it writes with the model's rules
(validate.py): a rule of a model holds for files too, reported with the path of
the object in the file. Scales are shared by code between plans, so a file may
not change a scale that another plan uses. What only the database can refuse
(a constraint, a row of another plan still in use) is reported readably too,
and everything is rolled back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, models, transaction
from django.db.models import F, ProtectedError, RestrictedError

from shinchoku.plans.formats.matching import UnitRef, match_units
from shinchoku.plans.formats.planfile.check import read_plan_file
from shinchoku.plans.formats.planfile.spec import (
    IndicatorSpec,
    NodeSpec,
    Path_,
    PlanFileError,
    PlanSpec,
    ResultSpec,
    ScaleData,
)
from shinchoku.plans.formats.planfile.validate import Reporter, WriteRefused, count_users
from shinchoku.plans.models import Dimension, Level, Marker, Node, NodeUnit, OrgUnit, Plan, Scale, ScaleLevel
from shinchoku.plans.services import node_save
from shinchoku.progress.models import Indicator, IndicatorValue, Rating, Result, Target


@dataclass
class LoadSummary:
    plan: Plan
    nodes: int = 0
    targets: int = 0
    results: int = 0
    ratings: int = 0
    indicators: int = 0


def load_plan_file(path: Path) -> LoadSummary:
    """Check then load a plan data file in one transaction; see the module docstring."""
    spec = read_plan_file(path)
    writer = PlanFileWriter(spec)
    try:
        return writer.write()
    except WriteRefused as refusal:
        raise PlanFileError(str(path), refusal.problems) from refusal
    except (DataError, IntegrityError) as error:
        raise PlanFileError(str(path), [writer.database_problem(error)]) from error


class PlanFileWriter(Reporter):
    """Writes a checked spec, validating every object with its model's rules.

    A problem is collected with the path of the object in the file and the writing
    goes on where it can (a node that fails is written without its subtree), so
    that one load names as many problems as it can; any problem rolls all back."""

    def __init__(self, spec: PlanSpec) -> None:
        super().__init__(spec.located)
        self.spec = spec
        self.drops: list[tuple[models.QuerySet, Path_, str]] = []

    def saved(self, obj: models.Model, path: Path_, **steps: bool) -> bool:
        """Validate ``obj`` (``steps`` as for ``validated``) and save it if it is
        clean; True if it was saved."""
        if not self.validated(obj, path, **steps):
            return False
        obj.save()
        return True

    # -- the plan

    def write(self) -> LoadSummary:
        with transaction.atomic():
            return self._write()

    def _write(self) -> LoadSummary:
        spec = self.spec
        self.check_shared_scales()
        self.refuse_if_any()

        plan_data = spec.plan
        plan = Plan.objects.filter(code=plan_data["code"]).first() or Plan(code=plan_data["code"])
        for name in ("title", "period_label", "first_year", "last_year", "onwards", "description", "note"):
            setattr(plan, name, plan_data[name])
        # Plan.clean compares the period with the data already stored: run at the end, on the new data.
        if not self.validated(plan, plan_data["path"], clean=False):
            self.refuse_if_any()
        plan.save()
        summary = LoadSummary(plan)

        levels = self.write_levels(plan)
        scales = self.write_scales()
        self.refuse_if_any()
        dimensions = self.write_dimensions(plan, levels, scales)
        markers = self.write_markers(plan)
        units = self.write_units()
        self.refuse_if_any()

        writing = _Nodes(self, plan, levels, scales, dimensions, markers, units, summary)
        for index, node_spec in enumerate(spec.nodes):
            writing.write(node_spec, None, index)
        self.refuse_if_any()

        # What the file no longer holds goes, nodes first (their rows cascade), then
        # what the nodes stood on.
        self.drop(Node.objects.filter(plan=plan).exclude(pk__in=writing.kept), ("nodes",), "node", "code")
        self.drop(
            plan.dimensions.exclude(pk__in=[d.pk for d in dimensions.values()]),
            ("dimensions",),
            "dimension",
            "key",
        )
        self.drop(
            plan.markers.exclude(pk__in=[m.pk for m in markers.values()]), ("markers",), "marker", "symbol"
        )
        self.drop(plan.levels.exclude(pk__in=[lv.pk for lv in levels.values()]), ("levels",), "level", "key")
        for queryset, path, what in self.drops:
            self.drop(queryset, path, "level", "code", what)
        self.refuse_if_any()
        self.validated(plan, plan_data["path"])  # the period against the data now stored
        self.refuse_if_any()
        return summary

    def scales_used_elsewhere(self, plan_codes: set[str]) -> list[tuple[ScaleData, Scale, list[str]]]:
        """Each scale of the file that is stored already and used by plans outside
        ``plan_codes``, with those plans' codes, sorted (two queries, however many scales)."""
        stored = {
            scale.code: scale
            for scale in Scale.objects.filter(code__in=[d["code"] for d in self.spec.scales])
        }
        users: defaultdict[int, set[str]] = defaultdict(set)
        for scale_id, plan_code in (
            Dimension.objects.filter(scale__in=list(stored.values()))
            .exclude(plan__code__in=plan_codes)
            .values_list("scale_id", "plan__code")
        ):
            users[scale_id].add(plan_code)
        return [
            (scale_data, scale, sorted(users[scale.pk]))
            for scale_data in self.spec.scales
            if (scale := stored.get(scale_data["code"])) is not None and users[scale.pk]
        ]

    def check_shared_scales(self) -> None:
        """Scales are shared by code: a file may not change one that other plans use."""
        for scale_data, scale, others in self.scales_used_elsewhere({self.spec.plan["code"]}):
            changes = scale_changes(scale, scale_data)
            if changes:
                self.problem(
                    scale_data["path"],
                    f"the scale {scale.code!r} is also used by {named('plan', others)}; "
                    f"this file would change it for them too ({'; '.join(changes)}). "
                    "Give it the same definition, or give this plan's scale a code of its own",
                )

    def write_levels(self, plan: Plan) -> dict[str, Level]:
        existing = {level.key: level for level in plan.levels.all()}
        stored = [(level.pk, level.key, level.depth) for level in existing.values()]
        written: list[tuple[Level, Path_]] = []
        for data in self.spec.levels:
            level = existing.get(data["key"]) or Level(plan=plan, key=data["key"])
            for name in ("depth", "kind", "name", "name_en", "rated"):
                setattr(level, name, data[name])
            # Level.clean compares with the stored depth: validated before the renumbering.
            if self.validated(level, data["path"], unique=False):
                written.append((level, data["path"]))
        self.refuse_if_any()
        _make_room(Level, stored, "depth", {level.key: level.depth for level, _ in written})
        for level, path in written:
            self.saved(level, path, fields=False, clean=False)
        return {level.key: level for level, _ in written}

    def write_scales(self) -> dict[str, tuple[Scale, dict[str, ScaleLevel]]]:
        scales = {}
        for data in self.spec.scales:
            scale = Scale.objects.filter(code=data["code"]).first() or Scale(code=data["code"])
            for name in ("name", "name_en", "good_end", "description"):
                setattr(scale, name, data[name])
            if not self.saved(scale, data["path"]):
                continue
            existing = {level.code: level for level in scale.levels.all()}
            wanted = {level["code"]: level["position"] for level in data["levels"]}
            stored = [(level.pk, level.code, level.position) for level in existing.values()]
            _make_room(ScaleLevel, stored, "position", wanted)
            scale_levels = {}
            for level_data in data["levels"]:
                level = existing.get(level_data["code"]) or ScaleLevel(scale=scale, code=level_data["code"])
                for field_name in ("label", "label_en", "adverse", "position"):
                    setattr(level, field_name, level_data[field_name])
                if self.saved(level, level_data["path"]):
                    scale_levels[level.code] = level
            dropped = scale.levels.exclude(code__in=list(wanted))
            self.drops.append((dropped, (*data["path"], "levels"), f" of the scale {scale.code!r}"))
            scales[scale.code] = (scale, scale_levels)
        return scales

    def write_dimensions(
        self, plan: Plan, levels: dict[str, Level], scales: dict[str, tuple[Scale, dict]]
    ) -> dict[tuple[str, str], Dimension]:
        existing = {(d.level_id, d.key): d for d in plan.dimensions.all()}
        plan.dimensions.filter(primary=True).update(primary=False)
        dimensions = {}
        for data in self.spec.dimensions:
            level = levels[data["level"]]
            dimension = existing.get((level.pk, data["key"])) or Dimension(
                plan=plan, level=level, key=data["key"]
            )
            dimension.name = data["name"]
            dimension.name_en = data["name_en"]
            dimension.scale = scales[data["scale"]][0]
            dimension.primary = data["primary"]
            dimension.position = data["position"]
            if self.saved(dimension, data["path"]):
                dimensions[(data["level"], data["key"])] = dimension
        return dimensions

    def write_markers(self, plan: Plan) -> dict[str, Marker]:
        existing = {marker.symbol: marker for marker in plan.markers.all()}
        markers = {}
        for data in self.spec.markers:
            marker = existing.get(data["symbol"]) or Marker(plan=plan, symbol=data["symbol"])
            for name in ("name", "name_en", "meaning", "note", "position"):
                setattr(marker, name, data[name])
            if self.saved(marker, data["path"]):
                markers[marker.symbol] = marker
        return markers

    def write_units(self) -> dict[str, OrgUnit]:
        units: dict[str, OrgUnit] = {}
        stored = match_units([UnitRef(code=data["code"]) for data in self.spec.units])
        for data, match in zip(self.spec.units, stored, strict=True):
            unit = match.unit or OrgUnit(code=data["code"])
            unit.name = data["name"]
            unit.kind = data["kind"]
            unit.parent = units.get(data["parent"])
            if self.saved(unit, data["path"]):
                units[unit.code] = unit
        return units

    def drop(self, queryset: models.QuerySet, path: Path_, noun: str, name: str, suffix: str = "") -> None:
        """Delete what the file no longer holds, or say which rows still use it."""
        self.at = path
        names = list(queryset.values_list(name, flat=True))
        if not names:
            return
        try:
            with transaction.atomic():
                queryset.delete()
        except (ProtectedError, RestrictedError) as error:
            what = f"{named(noun, names, most=10)}{suffix}"
            users, count = count_users(error)
            verb = "uses" if count == 1 else "use"
            self.problem(
                path, f"the file drops {what}, but {users} still {verb} {'it' if len(names) == 1 else 'them'}"
            )


class _Nodes:
    """Writes the tree of nodes with their targets, results, ratings and indicators."""

    def __init__(
        self,
        writer: PlanFileWriter,
        plan: Plan,
        levels: dict[str, Level],
        scales: dict[str, tuple[Scale, dict[str, ScaleLevel]]],
        dimensions: dict[tuple[str, str], Dimension],
        markers: dict[str, Marker],
        units: dict[str, OrgUnit],
        summary: LoadSummary,
    ) -> None:
        self.writer = writer
        self.plan = plan
        self.levels = levels
        self.scales = scales
        self.dimensions = dimensions
        self.markers = markers
        self.units = units
        self.summary = summary
        self.kept: list[int] = []
        self.existing = {node.code: node for node in Node.objects.filter(plan=plan)}

    def write(self, spec: NodeSpec, parent: Node | None, position: int) -> None:
        writer = self.writer
        node = self.existing.get(spec.code) or Node(plan=self.plan, code=spec.code)
        node.parent = parent
        node.level = self.levels[spec.level]
        node.position = position
        node.title = spec.title
        node.label = spec.label
        node.summary = spec.summary
        node.baseline = spec.baseline
        node.note = spec.note
        writer.at = spec.path
        try:
            node_save(node)  # full_clean, then save, keeping the paths of the tree true
        except ValidationError as error:
            writer.report(error, node, spec.path)
            return  # its subtree cannot be written without it
        self.kept.append(node.pk)
        self.summary.nodes += 1
        node.markers.set([self.markers[symbol] for symbol in spec.markers])

        node.unit_roles.all().delete()
        seen = set()
        for role_spec in spec.units:
            if (role_spec.unit, role_spec.role) in seen:
                continue
            seen.add((role_spec.unit, role_spec.role))
            role = NodeUnit(node=node, unit=self.units[role_spec.unit], role=role_spec.role)
            writer.saved(role, role_spec.path)

        node.targets.all().delete()
        for index, target_spec in enumerate(spec.targets):
            target = Target(
                node=node,
                position=index,
                row=target_spec.row,
                start_year=target_spec.start_year,
                end_year=target_spec.end_year,
                open_end=target_spec.open_end,
                text=target_spec.text,
                revised_text=target_spec.revised_text,
                revision_reason=target_spec.revision_reason,
                note=target_spec.note,
            )
            if writer.saved(target, target_spec.path):
                self.summary.targets += 1

        node.results.exclude(fiscal_year__in=[r.fiscal_year for r in spec.results]).delete()
        results = {result.fiscal_year: result for result in node.results.all()}
        for result_spec in spec.results:
            self.write_result(node, spec, result_spec, results.get(result_spec.fiscal_year))

        node.indicators.all().delete()
        for index, indicator_spec in enumerate(spec.indicators):
            self.write_indicator(node, index, indicator_spec)

        for index, child in enumerate(spec.children):
            self.write(child, node, index)

    def write_result(
        self, node: Node, spec: NodeSpec, result_spec: ResultSpec, result: Result | None
    ) -> None:
        writer = self.writer
        result = result or Result(node=node, fiscal_year=result_spec.fiscal_year)
        for name in ("text", "context_change", "response", "highlight", "note"):
            setattr(result, name, getattr(result_spec, name))
        if not writer.saved(result, result_spec.path):
            return
        self.summary.results += 1
        result.ratings.all().delete()
        for key, code in result_spec.ratings.items():
            dimension = self.dimensions[(spec.level, key)]
            rating = Rating(
                result=result, dimension=dimension, level=self.scales[dimension.scale.code][1][code]
            )
            if writer.saved(rating, (*result_spec.path, "ratings", key)):
                self.summary.ratings += 1

    def write_indicator(self, node: Node, index: int, spec: IndicatorSpec) -> None:
        writer = self.writer
        indicator = Indicator(
            node=node,
            position=index,
            name=spec.name,
            kind=spec.kind,
            unit=spec.unit,
            direction=spec.direction,
            baseline_value=spec.baseline_value,
            baseline_year=spec.baseline_year,
        )
        if not writer.saved(indicator, spec.path):
            return
        self.summary.indicators += 1
        for value_spec in spec.values:
            value = IndicatorValue(
                indicator=indicator,
                fiscal_year=value_spec.fiscal_year,
                target=value_spec.target,
                actual=value_spec.actual,
            )
            writer.saved(value, value_spec.path)


def _make_room(
    model: type[models.Model], stored: list[tuple[int, str, int]], name: str, wanted: dict[str, int]
) -> None:
    """Move stored rows (pk, natural key, number) out of the way when their order
    (``depth`` or ``position``, unique in their plan or scale) is about to change:
    above every stored and every wanted number, in one statement that never
    clashes midway, so that the rows can then take their new numbers one by one."""
    if all(wanted.get(key) == number for _pk, key, number in stored):
        return
    shift = max(max(number for _pk, _key, number in stored) + 1, len(wanted))
    rows = model._default_manager.filter(pk__in=[pk for pk, _key, _number in stored])
    rows.update(**{name: F(name) + shift})


def scale_changes(scale: Scale, data: ScaleData) -> list[str]:
    """How the file's definition of a stored scale differs from it, in words."""
    changes: list[str] = []
    for words, stored, given in (
        ("name", scale.name, data["name"]),
        ("English name", scale.name_en, data["name_en"]),
        ("good end", scale.good_end, data["good_end"]),
        ("description", scale.description, data["description"]),
    ):
        if stored != given:
            changes.append(f"changes its {words}")
    saved = list(scale.levels.order_by("position"))
    saved_codes = [level.code for level in saved]
    wanted_codes = [level["code"] for level in data["levels"]]
    dropped = [code for code in saved_codes if code not in wanted_codes]
    added = [code for code in wanted_codes if code not in saved_codes]
    for verb, codes in (("drops", dropped), ("adds", added)):
        if codes:
            changes.append(f"{verb} {named('level', codes)}")
    if [c for c in saved_codes if c in wanted_codes] != [c for c in wanted_codes if c in saved_codes]:
        changes.append("reorders the levels")
    by_code = {level.code: level for level in saved}
    for level in data["levels"]:
        old = by_code.get(level["code"])
        if old is None:
            continue
        if old.label != level["label"]:
            changes.append(f"relabels {old.code!r} ({old.label!r} → {level['label']!r})")
        if old.label_en != level["label_en"]:
            changes.append(f"relabels {old.code!r} in English ({old.label_en!r} → {level['label_en']!r})")
        if old.adverse != level["adverse"]:
            changes.append(f"makes {old.code!r} {'adverse' if level['adverse'] else 'not adverse'}")
    return changes


def named(noun: str, names: list[Any], most: int | None = None) -> str:
    """The noun, in the plural for more than one, and the names quoted: "the level '5'",
    "the plans 'a', 'b'"; past ``most`` names, the rest is cut to "…"."""
    shown = ", ".join(repr(str(name)) for name in names[:most])
    if most is not None and len(names) > most:
        shown += ", …"
    return f"the {noun}{'s' if len(names) > 1 else ''} {shown}"
