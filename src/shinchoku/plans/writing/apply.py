"""Writing a plan's content: ``plan_apply`` writes it in one transaction with one audit
row, ``plan_check`` tries it and takes it back (``shinchoku.plans.writing`` gives the
rules). ``PlanWriter`` writes the plan, its levels, scales, dimensions, markers, sections,
hourly staff costs and units, then the tree (``nodes.py``), then removes what the
content no longer holds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import DataError, IntegrityError, models, transaction
from django.db.models import F, ProtectedError, RestrictedError

from shinchoku.audit.models import EventType
from shinchoku.audit.services import audit_record
from shinchoku.errors import ApplicationError
from shinchoku.plans.content import (
    COSTS,
    INDICATORS,
    RESULTS,
    STRUCTURE,
    TARGETS,
    PlanContent,
    ScaleContent,
    Source,
)
from shinchoku.plans.models import Dimension, Level, Marker, Node, OrgUnit, Plan, Scale, ScaleLevel, Section
from shinchoku.plans.writing.diff import PlanDiff, plan_diff
from shinchoku.plans.writing.nodes import NodeWriter, assign
from shinchoku.plans.writing.pairing import orders_differ, ranks
from shinchoku.plans.writing.problems import (
    PlanWriteRefused,
    Reporter,
    WriteProblem,
    count_users,
    named,
)
from shinchoku.plans.writing.scope import whole_content
from shinchoku.progress.models import Cost, Indicator, Result, StaffRate, Target
from shinchoku.published import changes as published


@dataclass(frozen=True)
class Origin:
    """Where a content comes from, for the audit row: the file and the format that read
    it (``"plan-file"``, ``"dataset"``, ``"plan-structure"``), and the kind of event."""

    file: str
    importer: str
    event: EventType = EventType.PLAN_IMPORTED


@dataclass(frozen=True)
class WriteSummary:
    """What ``plan_apply`` did: the plan, the diff it wrote (``written`` is False when
    nothing changed: nothing was written, nothing recorded), and what the content holds."""

    plan: Plan
    diff: PlanDiff
    written: bool
    nodes: int
    targets: int
    results: int
    ratings: int
    indicators: int
    costs: int


def plan_apply(content: PlanContent, *, actor: Any, origin: Origin) -> WriteSummary:
    """Write ``content`` in one transaction, each object validated with its model's rules,
    and record one audit row for the plan, as ``actor`` (None: the console), holding
    each change before → after (``PlanDiff.audit_changes``). A content that changes
    nothing writes nothing. Raises PlanWriteRefused, with every problem, writing nothing."""
    with transaction.atomic(), published.batch():
        content = whole_content(content)
        diff = plan_diff(content)
        if diff.changed:
            plan = _written(content)
            # The writer writes in bulk, which no signal sees: the whole plan changed.
            published.plan_changed(plan.pk)
            audit_record(
                actor=actor,
                event_type=origin.event,
                subject=plan,
                changes=diff.audit_changes(),
                details={"file": origin.file, "importer": origin.importer, "counts": diff.counts()},
            )
        else:
            plan = Plan.objects.get(code=content.code)
    nodes = [node for node, _parent in content.walk()]
    return WriteSummary(
        plan=plan,
        diff=diff,
        written=diff.changed,
        nodes=len(nodes),
        targets=sum(len(node.targets) for node in nodes),
        results=sum(len(node.results) for node in nodes),
        ratings=sum(len(result.ratings) for node in nodes for result in node.results),
        indicators=sum(len(node.indicators) for node in nodes),
        costs=sum(len(node.costs) for node in nodes),
    )


class _TakeBack(Exception):
    pass


def plan_check(contents: Iterable[PlanContent]) -> list[WriteProblem]:
    """What writing ``contents``, one after the other, would refuse: they are written and
    taken back, and nothing is recorded. A content whose diff shows no change need not be
    checked: applying it writes nothing."""
    problems: list[WriteProblem] = []
    try:
        with transaction.atomic():
            for content in contents:
                try:
                    _written(content)
                except PlanWriteRefused as refusal:
                    problems.extend(refusal.problems)
            raise _TakeBack
    except _TakeBack:
        pass
    return problems


def _written(content: PlanContent) -> Plan:
    """Write ``content``, in a savepoint of its own; PlanWriteRefused when anything is refused.
    A content that speaks for some years only is written as the whole truth it comes to
    (``scope.whole_content``)."""
    writer = PlanWriter(whole_content(content))
    try:
        with transaction.atomic():
            return writer.write()
    except (DataError, IntegrityError) as error:
        raise PlanWriteRefused([writer.database_problem(error)]) from error


class PlanWriter(Reporter):
    """Writes a plan's content, validating every object it writes with its model's rules.

    A problem is collected on its item and the writing goes on where it can (a node that
    fails is written without its subtree), so that one write names as many problems as it
    can; any problem takes all back."""

    def __init__(self, content: PlanContent) -> None:
        super().__init__()
        if STRUCTURE not in content.parts:
            raise ValueError("a plan's content always carries its structure")
        self.content = content
        self.drops: list[tuple[models.QuerySet[Any], str, Source, str, str]] = []
        self.scale_levels: dict[str, dict[str, ScaleLevel]] = {}

    def saved(self, obj: models.Model, kind: str, source: Source, **steps: bool) -> bool:
        """Validate ``obj`` (``steps`` as for ``validated``) and save it if it is clean;
        True if it was saved."""
        if not self.validated(obj, kind, source, **steps):
            return False
        obj.save()
        return True

    def write(self) -> Plan:
        content = self.content
        self.check_shared_scales()
        self.refuse_if_any()

        data = content.plan
        plan = Plan.objects.filter(code=data["code"]).first() or Plan(code=data["code"])
        changed = assign(
            plan,
            {name: data[name] for name in PLAN_FIELDS},  # type: ignore[literal-required]
        )
        # Plan.clean compares the period with the data already stored: run at the end, on the new data.
        if changed:
            if not self.validated(plan, "plan", data["source"], clean=False):
                self.refuse_if_any()
            plan.save()

        levels = self.write_levels(plan)
        scales = self.write_scales()
        self.refuse_if_any()
        dimensions = self.write_dimensions(plan, levels, scales)
        markers = self.write_markers(plan)
        sections = self.write_sections(plan, levels)
        units = self.write_units()
        if content.carries(COSTS):
            self.write_staff_rates(plan)
        self.refuse_if_any()

        nodes = NodeWriter(self, plan, levels, dimensions, markers, units, self.scale_level, sections)
        nodes.write_all()
        self.refuse_if_any()

        # What the content no longer holds goes: the nodes went with the tree, then what
        # the nodes stood on.
        self.drop(
            plan.dimensions.exclude(pk__in=[d.pk for d in dimensions.values()]),
            "plan",
            content.place("dimensions"),
            "dimension",
            "key",
        )
        self.drop(
            plan.markers.exclude(pk__in=[m.pk for m in markers.values()]),
            "plan",
            content.place("markers"),
            "marker",
            "symbol",
        )
        self.drop(
            plan.sections.exclude(pk__in=[section.pk for section in sections.values()]),
            "plan",
            content.place("sections"),
            "section",
            "key",
        )

        self.drop(
            plan.levels.exclude(pk__in=[level.pk for level in levels.values()]),
            "plan",
            content.place("levels"),
            "level",
            "key",
        )
        for queryset, kind, source, field, suffix in self.drops:
            self.drop(queryset, kind, source, "level", "code", suffix, field=field)
        self.refuse_if_any()
        self.validated(plan, "plan", data["source"])  # the period against the data now stored
        self.refuse_if_any()
        return plan

    # -- scales shared between plans

    def scales_used_elsewhere(self, plan_codes: set[str]) -> list[tuple[ScaleContent, Scale, list[str]]]:
        """Each scale of the content that is stored already and used by plans outside
        ``plan_codes``, with those plans' codes, sorted (two queries, however many scales)."""
        stored = {
            scale.code: scale
            for scale in Scale.objects.filter(code__in=[data["code"] for data in self.content.scales])
        }
        users: defaultdict[int, set[str]] = defaultdict(set)
        for scale_id, plan_code in (
            Dimension.objects.filter(scale__in=list(stored.values()))
            .exclude(plan__code__in=plan_codes)
            .values_list("scale_id", "plan__code")
        ):
            users[scale_id].add(plan_code)
        return [
            (data, scale, sorted(users[scale.pk]))
            for data in self.content.scales
            if (scale := stored.get(data["code"])) is not None and users[scale.pk]
        ]

    def check_shared_scales(self) -> None:
        """Scales are shared by code: a content may not change one that plans written
        apart from it use."""
        for data, scale, others in self.scales_used_elsewhere({self.content.code, *self.content.writes_with}):
            changes = scale_changes(scale, data)
            if changes:
                self.problem(
                    "scale",
                    data["source"],
                    "",
                    f"the scale {scale.code!r} is also used by {named('plan', others)}, which this file "
                    f"does not hold; it would change it for them too ({'; '.join(changes)}). "
                    "Give it the same definition, or give this plan's scale a code of its own",
                )

    # -- the plan's vocabulary

    def write_levels(self, plan: Plan) -> dict[str, Level]:
        existing = {level.key: level for level in plan.levels.all()} if plan.pk else {}
        stored = [(level.pk, level.key, level.depth) for level in existing.values()]
        written: list[tuple[Level, Source, bool]] = []
        for data in self.content.levels:
            level = existing.get(data["key"]) or Level(plan=plan, key=data["key"])
            changed = assign(
                level,
                {
                    "depth": data["depth"],
                    "kind": data["kind"],
                    "name": data["name"],
                    "name_en": data["name_en"],
                    "rated": data["rated"],
                },
            )
            # Level.clean compares with the stored depth: validated before the renumbering.
            if not changed or self.validated(level, "level", data["source"], unique=False):
                written.append((level, data["source"], changed))
        self.refuse_if_any()
        moved = make_room(
            Level, stored, "depth", {level.key: level.depth for level, _source, _changed in written}
        )
        for level, source, changed in written:
            if changed or moved:
                self.saved(level, "level", source, fields=False, clean=False)
        return {level.key: level for level, _source, _changed in written}

    def write_scales(self) -> dict[str, Scale]:
        scales = {}
        for data in self.content.scales:
            scale = Scale.objects.filter(code=data["code"]).first() or Scale(code=data["code"])
            changed = assign(
                scale,
                {
                    "name": data["name"],
                    "name_en": data["name_en"],
                    "good_end": data["good_end"],
                    "description": data["description"],
                },
            )
            if changed and not self.saved(scale, "scale", data["source"]):
                continue
            existing = {level.code: level for level in scale.levels.all()}
            wanted = {level["code"]: level["position"] for level in data["levels"]}
            stored = [(level.pk, level.code, level.position) for level in existing.values()]
            moved = make_room(ScaleLevel, stored, "position", wanted)
            scale_levels = {}
            for level_data in data["levels"]:
                level = existing.get(level_data["code"]) or ScaleLevel(scale=scale, code=level_data["code"])
                level_changed = assign(
                    level,
                    {name: level_data[name] for name in SCALE_LEVEL_FIELDS},  # type: ignore[literal-required]
                )
                # Moved out of the way above: its position is written again.
                if (level_changed or moved) and not self.saved(level, "scale_level", level_data["source"]):
                    continue
                scale_levels[level.code] = level
            dropped = scale.levels.exclude(code__in=list(wanted))
            self.drops.append((dropped, "scale", data["source"], "levels", f" of the scale {scale.code!r}"))
            scales[scale.code] = scale
            self.scale_levels[scale.code] = scale_levels
        return scales

    def scale_level(self, dimension: Dimension, code: str) -> ScaleLevel | None:
        """The level ``code`` of the dimension's scale: as written, or as stored."""
        scale_code = dimension.scale.code
        if scale_code not in self.scale_levels:
            self.scale_levels[scale_code] = {level.code: level for level in dimension.scale.levels.all()}
        return self.scale_levels[scale_code].get(code)

    def write_dimensions(
        self, plan: Plan, levels: dict[str, Level], scales: dict[str, Scale]
    ) -> dict[tuple[str, str], Dimension]:
        existing = {(d.level_id, d.key): d for d in plan.dimensions.select_related("scale")}
        wanted_primary = {
            (levels[data["level"]].pk, data["key"])
            for data in self.content.dimensions
            if data["primary"] and data["level"] in levels
        }
        # One primary dimension per level: those that stop being primary do so first.
        leaving = [d.pk for key, d in existing.items() if d.primary and key not in wanted_primary]
        if leaving:
            Dimension.objects.filter(pk__in=leaving).update(primary=False)
            for dimension in existing.values():
                if dimension.pk in leaving:
                    dimension.primary = False
        # The numbers of a level's dimensions are written only when their order changes.
        reordered = set()
        for level_key, stored_level in levels.items():
            wanted = ranks(
                [data for data in self.content.dimensions if data["level"] == level_key],
                lambda data: data["key"],
                lambda data: data["position"],
            )
            stored = ranks(
                [d for d in existing.values() if d.level_id == stored_level.pk],
                lambda d: d.key,
                lambda d: d.position,
            )
            if orders_differ(stored, wanted):
                reordered.add(level_key)
        dimensions = {}
        for data in self.content.dimensions:
            on_level = levels.get(data["level"])
            scale = scales.get(data["scale"]) or Scale.objects.filter(code=data["scale"]).first()
            if on_level is None or scale is None:
                self.problem(
                    "dimension",
                    data["source"],
                    "level" if on_level is None else "scale",
                    f"no {'level' if on_level is None else 'scale'} "
                    f"{data['level'] if on_level is None else data['scale']!r} is written or stored",
                )
                continue
            dimension = existing.get((on_level.pk, data["key"])) or Dimension(
                plan=plan, level=on_level, key=data["key"]
            )
            values: dict[str, Any] = {
                "name": data["name"],
                "name_en": data["name_en"],
                "scale": scale,
                "primary": data["primary"],
            }
            if data["level"] in reordered or dimension.pk is None:
                values["position"] = data["position"]
            changed = assign(dimension, values)
            if not changed or self.saved(dimension, "dimension", data["source"]):
                dimensions[(data["level"], data["key"])] = dimension
        return dimensions

    def write_markers(self, plan: Plan) -> dict[str, Marker]:
        existing = {marker.symbol: marker for marker in plan.markers.all()}
        # The markers' numbers are written only when their order changes.
        reordered = orders_differ(
            ranks(list(existing.values()), lambda m: m.symbol, lambda m: m.position),
            ranks(self.content.markers, lambda data: data["symbol"], lambda data: data["position"]),
        )
        markers = {}
        for data in self.content.markers:
            marker = existing.get(data["symbol"]) or Marker(plan=plan, symbol=data["symbol"])
            names = ("name", "name_en", "meaning", "note", *(("position",) if reordered else ()))
            changed = assign(marker, {name: data[name] for name in names})  # type: ignore[literal-required]
            if not changed or self.saved(marker, "marker", data["source"]):
                markers[marker.symbol] = marker
        return markers

    def write_sections(self, plan: Plan, levels: dict[str, Level]) -> dict[tuple[str, str], Section]:
        """The content's sections, by level key and key."""
        existing = {(section.level_id, section.key): section for section in plan.sections.all()}
        sections = {}
        for data in self.content.sections:
            level = levels.get(data["level"])
            if level is None:
                self.problem("section", data["source"], "level", f"no level {data['level']!r} is written")
                continue
            section = existing.get((level.pk, data["key"])) or Section(
                plan=plan, level=level, key=data["key"]
            )
            names = ("name", "name_en", "scope", "builtin", "position")
            changed = assign(section, {name: data[name] for name in names})  # type: ignore[literal-required]
            if not changed or self.saved(section, "section", data["source"]):
                sections[(data["level"], data["key"])] = section
        return sections

    def write_staff_rates(self, plan: Plan) -> None:
        """The content's hourly staff costs, and those it no longer holds removed, before
        the costs they price (as the diff prices them: with the content's rates only)."""
        existing = {rate.fiscal_year: rate for rate in plan.staff_rates.all()}
        wanted = {data["fiscal_year"] for data in self.content.staff_rates}
        StaffRate.objects.filter(
            pk__in=[rate.pk for year, rate in existing.items() if year not in wanted]
        ).delete()
        for data in self.content.staff_rates:
            rate = existing.get(data["fiscal_year"]) or StaffRate(plan=plan, fiscal_year=data["fiscal_year"])
            if assign(rate, {"hourly_cost": data["hourly_cost"]}):
                self.saved(rate, "staff_rate", data["source"])

    def write_units(self) -> dict[str, OrgUnit]:
        """The content's units, parents before children, and the stored units its nodes name."""
        codes = {data["code"] for data in self.content.units} | {
            role.unit for node, _parent in self.content.walk() for role in node.units
        }
        stored = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=codes)}
        units: dict[str, OrgUnit] = {}
        for data in self.content.units:
            unit = stored.get(data["code"]) or OrgUnit(code=data["code"])
            parent = units.get(data["parent"]) or stored.get(data["parent"]) if data["parent"] else None
            changed = assign(unit, {"name": data["name"], "kind": data["kind"]})
            if unit.parent_id != (parent.pk if parent is not None else None):
                unit.parent = parent
                changed = True
            if not changed or self.saved(unit, "unit", data["source"]):
                units[unit.code] = unit
        return {**stored, **units}

    # -- what goes

    def keep_what_is_not_carried(self, gone: models.QuerySet[Node]) -> None:
        """A node the content drops takes its targets, results and indicators with it:
        refused for those of a part the content does not carry (they are left as they are)."""
        held = [
            (part, model, noun)
            for part, model, noun in (
                (TARGETS, Target, "targets"),
                (RESULTS, Result, "results"),
                (INDICATORS, Indicator, "indicators"),
                (COSTS, Cost, "costs"),
            )
            if not self.content.carries(part)
        ]
        for _part, model, noun in held:
            codes = sorted(
                set(model._default_manager.filter(node__in=gone).values_list("node__code", flat=True))
            )
            if codes:
                self.problem(
                    "plan",
                    self.content.place("nodes"),
                    "",
                    f"the file drops {named('node', codes, most=10)}, but "
                    f"{'it holds' if len(codes) == 1 else 'they hold'} {noun}, which this file does not "
                    "carry: they would be lost",
                )

    def drop(
        self,
        queryset: models.QuerySet[Any],
        kind: str,
        source: Source,
        noun: str,
        name: str,
        suffix: str = "",
        *,
        field: str = "",
    ) -> None:
        """Delete what the content no longer holds, or say which rows still use it."""
        self.at = (kind, source)
        names = list(queryset.values_list(name, flat=True))
        if not names:
            return
        what = f"{named(noun, names, most=10)}{suffix}"
        try:
            with transaction.atomic():
                queryset.delete()
        except (ProtectedError, RestrictedError) as error:
            users, count = count_users(error)
            verb = "uses" if count == 1 else "use"
            self.problem(
                kind,
                source,
                field,
                f"the file drops {what}, but {users} still {verb} {'it' if len(names) == 1 else 'them'}",
            )
        except ApplicationError as refusal:  # a rule kept elsewhere (a pending revision of a target)
            self.problem(kind, source, field, f"the file drops {what}: {refusal}")


#: The plan's fields a content gives.
PLAN_FIELDS = (
    "title",
    "period_label",
    "first_year",
    "last_year",
    "onwards",
    "description",
    "note",
    "amount_unit",
)
#: A scale level's fields a content gives, beside its code.
SCALE_LEVEL_FIELDS = ("label", "label_en", "adverse", "position", "row_label", "column_label")


def make_room(
    model: type[models.Model], stored: list[tuple[int, str, int]], name: str, wanted: dict[str, int]
) -> bool:
    """Move stored rows (pk, natural key, number) out of the way when their order
    (``depth`` or ``position``, unique in their plan or scale) is about to change:
    above every stored and every wanted number, in one statement that never
    clashes midway, so that the rows can then take their new numbers one by one.
    True if they were moved (each must then be saved with its number)."""
    if all(wanted.get(key) == number for _pk, key, number in stored):
        return False
    shift = max(max(number for _pk, _key, number in stored) + 1, len(wanted))
    rows = model._default_manager.filter(pk__in=[pk for pk, _key, _number in stored])
    rows.update(**{name: F(name) + shift})
    return True


def scale_changes(scale: Scale, data: ScaleContent) -> list[str]:
    """How the content's definition of a stored scale differs from it, in words."""
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
        if (old.row_label, old.column_label) != (level["row_label"], level["column_label"]):
            changes.append(f"moves {old.code!r} in the matrix")
    return changes
