"""A structure sheet as read, turned into the plan's content (``shinchoku.plans.content``)
that ``shinchoku.plans.writing`` compares and writes.

The sheet carries a plan's structure and its nodes' targets (``parts``), and only some of
each: what it does not say is the plan as stored. So the content is the stored plan with
the sheet laid over it: a column the sheet leaves out (a node's label, its units, the
years …), a node named only in another row's level columns, a target's revised text and
note, a level's key, the plan's markers, evaluation dimensions and sections, a node's
texts of its own sections, the units' other roles on a node: all are taken as they are
stored. Free text the sheet repeats as typed
elsewhere (``matching.same_text``) keeps its stored form, so that repeating it changes
nothing. A new level gets its key and kind from its name, a rated level without an
evaluation dimension a primary one on the scale its heading names or the default scale
(``vocabulary``), a unit named by a new name a code of its own (``parse.new_unit_code``).

Every item's ``source`` is the ``Where`` it was read from: a node's row (its cells in
``SheetContent.places``), a target's cell, a level's heading, a unit's cell; what the
sheet does not hold stands at its node's row or at the sheet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from shinchoku.interchange.preview import Problem, Where
from shinchoku.plans.content import (
    STRUCTURE,
    TARGETS,
    DimensionContent,
    LevelContent,
    MarkerContent,
    NodeContent,
    PlanContent,
    PlanFields,
    ScaleContent,
    ScaleLevelContent,
    TargetContent,
    UnitContent,
    UnitRoleContent,
)
from shinchoku.plans.formats.matching import same_text
from shinchoku.plans.formats.structure.parsed import SheetLevel, SheetNode, SheetUnit, Structure
from shinchoku.plans.formats.structure.vocabulary import (
    DEFAULT_SCALE_CODE,
    DEFAULT_SCALE_LEVELS,
    DEFAULT_SCALE_NAME,
    DEFAULT_SCALE_NAME_EN,
    LEVEL_KINDS,
    NO_SCALE,
    compacted,
)
from shinchoku.plans.models import (
    AmountUnit,
    Dimension,
    Level,
    Marker,
    Node,
    NodeUnit,
    OrgUnit,
    Plan,
    Scale,
)
from shinchoku.plans.sections import own_texts, stored_sections
from shinchoku.plans.writing import WriteProblem
from shinchoku.plans.writing.pairing import pair_targets, target_key
from shinchoku.progress.models import Result, Target

#: What a structure sheet carries of a plan.
PARTS = frozenset({STRUCTURE, TARGETS})


@dataclass
class Stored:
    """The stored plan a sheet names, as far as the sheet touches it."""

    plan: Plan | None
    levels: dict[int, Level]  # by depth
    dimensions: dict[int, list[Dimension]]  # by level id
    markers: list[Marker]
    nodes: dict[str, Node]  # by code, with their markers, unit roles and targets
    #: The ids of the levels whose nodes have results.
    levels_with_results: set[int]

    @classmethod
    def read(cls, code: str) -> Stored:
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            return cls(None, {}, {}, [], {}, set())
        dimensions: dict[int, list[Dimension]] = defaultdict(list)
        for dimension in plan.dimensions.select_related("scale", "level"):
            dimensions[dimension.level_id].append(dimension)
        nodes = {
            node.code: node
            for node in Node.objects.filter(plan=plan)
            .select_related("level", "parent")
            .prefetch_related("markers", "unit_roles__unit", "targets", "section_texts__section")
        }
        return cls(
            plan=plan,
            levels={level.depth: level for level in plan.levels.all()},
            dimensions=dimensions,
            markers=list(plan.markers.all()),
            nodes=nodes,
            levels_with_results=set(
                Result.objects.filter(node__plan=plan).values_list("node__level_id", flat=True).distinct()
            ),
        )


@dataclass
class SheetContent:
    """A structure sheet with the stored plan it names, and the content they make."""

    structure: Structure
    stored: Stored
    content: PlanContent
    #: The units the sheet names by a name no stored unit has, by the code each gets.
    new_units: dict[str, SheetUnit]
    #: The cells of each node's fields, by the node's source (its row).
    places: dict[Where, dict[str, Where]] = field(default_factory=dict)

    @property
    def sheet_where(self) -> Where:
        return Where(self.structure.file, self.structure.sheet)

    def level_of(self, node: SheetNode) -> SheetLevel:
        return self.structure.levels[node.depth]

    def located(self, problem: WriteProblem) -> Problem:
        """A refusal of the writer, at the cell of the sheet it concerns."""
        where = problem.source if isinstance(problem.source, Where) else self.sheet_where
        if problem.field:
            where = self.places.get(where, {}).get(problem.field, where)
        return Problem(where, problem.message)


def sheet_content(structure: Structure) -> SheetContent:
    """The content of a sheet whose plan row was read (``structure.plan`` is set)."""
    assert structure.plan is not None
    stored = Stored.read(structure.plan.code)
    return _Converter(structure, stored).convert()


class _Converter:
    def __init__(self, structure: Structure, stored: Stored) -> None:
        self.s = structure
        self.stored = stored
        self.sheet = Where(structure.file, structure.sheet)

    def convert(self) -> SheetContent:
        s, stored = self.s, self.stored
        assert s.plan is not None
        levels, dimensions, scales = self.levels()
        header = Where(s.file, s.sheet, s.header_row)
        new_units = {
            ref.code: ref for node in s.nodes for ref in node.units or [] if ref.new and not node.implied
        }
        content = PlanContent(
            plan=self.plan_fields(),
            levels=levels,
            scales=scales,
            dimensions=dimensions,
            markers=self.markers(),
            units=[
                UnitContent(
                    code=ref.code, name=ref.name, kind=unit_kind(ref.name), parent="", source=ref.where
                )
                for ref in new_units.values()
            ],
            nodes=[],
            parts=PARTS,
            sections=stored_sections(stored.plan, self.sheet),
            places={
                "levels": header,
                "dimensions": header,
                "markers": self.sheet,
                "nodes": self.sheet,
            },
        )
        sheet = SheetContent(s, stored, content, new_units)
        keys = {depth: level["key"] for depth, level in enumerate(levels)}
        by_code: dict[str, NodeContent] = {}
        for node in s.nodes:
            item = self.node(node, keys[node.depth], sheet)
            by_code[node.code] = item
            parent = by_code.get(node.parent) if node.parent is not None else None
            (parent.children if parent is not None else content.nodes).append(item)
        return sheet

    # -- the plan and its vocabulary

    def plan_fields(self) -> PlanFields:
        spec, plan = self.s.plan, self.stored.plan
        assert spec is not None
        title = spec.title
        period_label = spec.period_label
        if plan is not None:
            # Text stored as typed elsewhere, which the sheet repeats normalised, stays.
            if same_text(plan.title, title):
                title = plan.title
            if period_label is not None and same_text(plan.period_label, period_label):
                period_label = plan.period_label
        return PlanFields(
            code=spec.code,
            title=title,
            period_label=period_label if period_label is not None else (plan.period_label if plan else ""),
            first_year=spec.first_year or (plan.first_year if plan else 0),
            last_year=spec.last_year or (plan.last_year if plan else 0),
            onwards=self.onwards(),
            description=plan.description if plan else "",
            note=plan.note if plan else "",
            amount_unit=plan.amount_unit if plan else AmountUnit.YEN,
            source=spec.where,
        )

    def onwards(self) -> bool:
        """The onwards column decides when the sheet has year columns; else as stored."""
        if self.s.onwards is not None:
            return self.s.onwards
        return self.stored.plan.onwards if self.stored.plan is not None else True

    def levels(self) -> tuple[list[LevelContent], list[DimensionContent], list[ScaleContent]]:
        stored = self.stored
        used_keys = {level.key for level in stored.levels.values()}
        levels: list[LevelContent] = []
        dimensions: list[DimensionContent] = []
        scales: list[ScaleContent] = []
        for spec in self.s.levels:
            level = stored.levels.get(spec.depth)
            if level is None:
                kind = LEVEL_KINDS.get(compacted(spec.name), Level.Kind.OTHER)
                key = kind if kind != Level.Kind.OTHER and kind not in used_keys else f"level{spec.depth + 1}"
                suffix = 2
                while key in used_keys:
                    key, suffix = f"level{spec.depth + 1}-{suffix}", suffix + 1
                used_keys.add(key)
                name, name_en = spec.name, ""
            else:
                key, kind, name_en = level.key, level.kind, level.name_en
                name = level.name if same_text(level.name, spec.name) else spec.name
            levels.append(
                LevelContent(
                    depth=spec.depth,
                    key=key,
                    kind=kind,
                    name=name,
                    name_en=name_en,
                    rated=spec.rated,
                    source=spec.where,
                )
            )
            held = stored.dimensions.get(level.pk, []) if level is not None else []
            for dimension in held:
                dimensions.append(
                    DimensionContent(
                        key=dimension.key,
                        name=dimension.name,
                        name_en=dimension.name_en,
                        level=key,
                        scale=dimension.scale.code,
                        primary=dimension.primary,
                        position=dimension.position,
                        source=spec.where,
                    )
                )
            if spec.rated and not held and spec.scale != NO_SCALE:
                made, scale = primary_dimension(key, spec.scale or DEFAULT_SCALE_CODE, spec.where)
                dimensions.append(made)
                if scale is not None and all(other["code"] != scale["code"] for other in scales):
                    scales.append(scale)
        return levels, dimensions, scales

    def markers(self) -> list[MarkerContent]:
        """The plan's markers as stored, and those the sheet names first, after them."""
        markers = [
            MarkerContent(
                symbol=marker.symbol,
                name=marker.name,
                name_en=marker.name_en,
                meaning=marker.meaning,
                note=marker.note,
                position=marker.position,
                source=self.sheet,
            )
            for marker in self.stored.markers
        ]
        known = {marker["symbol"] for marker in markers}
        position = max((marker.position for marker in self.stored.markers), default=0)
        for node in self.s.nodes:
            if node.implied:
                continue
            for symbol in node.markers or []:
                if symbol in known:
                    continue
                known.add(symbol)
                position += 1
                markers.append(
                    MarkerContent(
                        symbol=symbol,
                        name=symbol,
                        name_en="",
                        meaning="",
                        note="",
                        position=position,
                        source=node.places["markers"],
                    )
                )
        return markers

    # -- the tree

    def node(self, node: SheetNode, level: str, sheet: SheetContent) -> NodeContent:
        stored = self.stored.nodes.get(node.code)
        sheet.places[node.where] = node.places
        texts = {"title": node.title, "label": node.label, "summary": node.summary, "baseline": node.baseline}
        for name, value in texts.items():
            if value is None:  # its column is absent: the stored value stays
                texts[name] = getattr(stored, name) if stored is not None else ""
            elif stored is not None and same_text(getattr(stored, name), value):
                texts[name] = getattr(stored, name)
        roles = list(stored.unit_roles.all()) if stored is not None else []
        units = [
            UnitRoleContent(role.unit.code, role.role, node.where)
            for role in roles
            if role.role != NodeUnit.Role.RESPONSIBLE or node.units is None
        ]
        units += [UnitRoleContent(ref.code, NodeUnit.Role.RESPONSIBLE, ref.where) for ref in node.units or []]
        if node.markers is not None:
            markers = list(node.markers)
        else:
            markers = [marker.symbol for marker in stored.markers.all()] if stored is not None else []
        return NodeContent(
            level=level,
            code=node.code,
            title=texts["title"] or "",
            label=texts["label"] or "",
            summary=texts["summary"] or "",
            baseline=texts["baseline"] or "",
            note=stored.note if stored is not None else "",
            position=node.position,
            markers=markers,
            units=units,
            targets=self.targets(node, stored),
            sections=own_texts(stored) if stored is not None else {},
            source=node.where,
        )

    def targets(self, node: SheetNode, stored: Node | None) -> list[TargetContent]:
        """The node's targets: the sheet's, each matched with the stored target it updates
        (whose revised text, reason and note it keeps), or the stored ones when the sheet
        has no year columns or names the node only in another row's level columns."""
        kept = sorted(stored.targets.all(), key=stored_order) if stored is not None else []
        if node.targets is None:
            return [
                TargetContent(
                    row=target.row,
                    start_year=target.start_year,
                    end_year=target.end_year,
                    open_end=target.open_end,
                    text=target.text,
                    revised_text=target.revised_text,
                    revision_reason=target.revision_reason,
                    note=target.note,
                    position=target.position,
                    source=node.where,
                )
                for target in kept
            ]
        wanted = [
            TargetContent(
                row=target.row,
                start_year=target.start,
                end_year=target.end,
                open_end=target.open_end,
                text=target.text,
                position=position,
                source=target.where,
            )
            for position, target in enumerate(node.targets)
        ]
        adopt_stored_texts(wanted, kept)
        pairs, _left = pair_targets(kept, wanted)
        for match, target in pairs:
            if match is not None:
                target.revised_text = match.revised_text
                target.revision_reason = match.revision_reason
                target.note = match.note
        return wanted


def adopt_stored_texts(wanted: list[TargetContent], stored: list[Target]) -> None:
    """A target's text is read normalised; where a stored target of the same row and years
    holds that text as typed elsewhere (full-width brackets or digits), the target takes
    the stored form, so that repeating it is no change. Equal texts pair first."""
    left = list(stored)
    paired: set[int] = set()
    for exact in (True, False):
        for number, target in enumerate(wanted):
            if number in paired:
                continue
            for index, candidate in enumerate(left):
                if target_key(candidate) == target_key(target) and (
                    candidate.text == target.text if exact else same_text(candidate.text, target.text)
                ):
                    target.text = candidate.text
                    del left[index]
                    paired.add(number)
                    break


def stored_order(target: Target) -> tuple[int, int, int, int]:
    """The order a node's stored targets are shown in: by row, year and position."""
    return (target.row, target.start_year, target.position, target.pk or 0)


def primary_dimension(
    level: str, scale_code: str, where: Where
) -> tuple[DimensionContent, ScaleContent | None]:
    """The primary evaluation dimension a rated level gets on the scale ``scale_code``, and
    that scale with the default definition when it is not stored (None when it is)."""
    scale = Scale.objects.filter(code=scale_code).first()
    new_scale = None
    if scale is None:
        new_scale = ScaleContent(
            code=scale_code,
            name=DEFAULT_SCALE_NAME,
            name_en=DEFAULT_SCALE_NAME_EN,
            good_end=Scale.GoodEnd.FIRST,
            description="",
            levels=[
                ScaleLevelContent(
                    code=code,
                    label=label,
                    label_en=label_en,
                    adverse=adverse,
                    position=position,
                    row_label="",
                    column_label="",
                    source=where,
                )
                for position, (code, label, label_en, adverse) in enumerate(DEFAULT_SCALE_LEVELS)
            ],
            source=where,
        )
    name = scale.name if scale is not None else DEFAULT_SCALE_NAME
    name_en = scale.name_en if scale is not None else DEFAULT_SCALE_NAME_EN
    dimension = DimensionContent(
        key="achievement",
        name=name[:100],
        name_en=name_en[:100],
        level=level,
        scale=scale_code,
        primary=True,
        position=0,
        source=where,
    )
    return dimension, new_scale


def unit_kind(name: str) -> str:
    """The kind of a unit the sheet names first, from the end of its name."""
    for suffix, kind in (
        ("局", OrgUnit.Kind.BUREAU),
        ("区", OrgUnit.Kind.WARD),
        ("部", OrgUnit.Kind.DEPARTMENT),
    ):
        if name.endswith(suffix):
            return kind
    return OrgUnit.Kind.SECTION
