"""Writing the tree of nodes of a plan's content, with the texts of each node's own
sections and the parts of each node that the content carries: its targets, its results
with their ratings and section texts, its indicators with their values, its costs. Each
row is matched with the stored one and written only when it changes; what the content
no longer holds is removed (``shinchoku.plans.writing`` gives the rules).

A rating, an indicator's value, a cost and a section text are matched with the stored
rows of their owner by the very fields their unique constraint names (a dimension, a
year, a year and basis, a section): no stored row can clash with one, so their unique
constraints are not looked up again (a query per row); the database still keeps them.
A result, a unit role and a node are checked against the others of the write in memory
(``Claims``): they too are matched with the stored rows by their keys.

The nodes new in this write are inserted together, a generation of the tree at a time;
the stored nodes that change but stay under their parents are updated together; the
rows of every kind that are new (a new node's all) are inserted together once every node
is written (``insert_new``). A new node's stored children are known to be none and are
not read, and a stored node's are read once for all nodes (``stored_nodes``): a write
costs a statement per kind and batch of rows, not per node, except a stored node that
changes (its model's rules look at its children) or moves (``node_save``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, models, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from shinchoku.errors import ApplicationError
from shinchoku.plans.content import (
    COSTS,
    INDICATORS,
    RESULTS,
    TARGETS,
    IndicatorContent,
    NodeContent,
    Source,
    UnitRoleContent,
    YearResultContent,
)
from shinchoku.plans.models import (
    Dimension,
    Level,
    Marker,
    Node,
    NodeSectionText,
    NodeUnit,
    OrgUnit,
    Plan,
    ScaleLevel,
    Section,
)
from shinchoku.plans.services import node_save, outline_refresh, path_for
from shinchoku.plans.writing.costs import by_year_and_basis, content_rates, cost_values
from shinchoku.plans.writing.pairing import pair_indicators, pair_targets
from shinchoku.progress.models import (
    Cost,
    Indicator,
    IndicatorValue,
    Rating,
    Result,
    ResultSectionText,
    Target,
)

if TYPE_CHECKING:
    from shinchoku.plans.writing.apply import PlanWriter


def assign(row: models.Model, values: Mapping[str, Any]) -> bool:
    """Set ``values`` on ``row``; True if the row is new or any value differs from its own."""
    changed = row.pk is None
    for name, value in values.items():
        if isinstance(value, models.Model):  # a relation: compared by id, never read
            changed = changed or getattr(row, f"{name}_id") != value.pk
            setattr(row, name, value)
        elif getattr(row, name) != value:
            changed = True
            setattr(row, name, value)
    return changed


class _Yearly(Protocol):
    fiscal_year: int


class _YearRow(_Yearly, Protocol):
    def delete(self) -> object: ...


Row = TypeVar("Row", bound=_YearRow)
Wanted = TypeVar("Wanted", bound=_Yearly)


def by_year(
    stored: Iterable[Row], wanted: Sequence[Wanted], new: Callable[[int], Row]
) -> list[tuple[Row, Wanted]]:
    """Each wanted item of a fiscal year (a result, an indicator value) with the stored row
    of its year, or a new one that ``new`` makes; the stored rows of the years no longer
    wanted are deleted first."""
    rows = {row.fiscal_year: row for row in stored}
    years = {item.fiscal_year for item in wanted}
    for year, row in rows.items():
        if year not in years:
            row.delete()
    return [(rows.get(item.fiscal_year) or new(item.fiscal_year), item) for item in wanted]


def _delete(row: models.Model) -> ApplicationError | None:
    """Delete ``row``; the refusal of a rule kept elsewhere (a revision of a target
    pending in an open round), if one refuses it."""
    try:
        with transaction.atomic():
            row.delete()
    except ApplicationError as refusal:
        return refusal
    return None


#: New rows inserted in one statement.
BULK_BATCH = 500


#: The fields of a node that its content sets.
NODE_FIELDS = ["level", "position", "title", "label", "summary", "baseline", "note"]


class Claims:
    """The keys of a unique constraint that the new rows of a write hold, per model: a
    second new row with the key of a first is refused in memory, as the database would
    refuse it, with the model's own message. An owner that is new is told by identity."""

    def __init__(self) -> None:
        #: Each key held, with the identity of the row that holds it (a row tried again keeps it).
        self.held: dict[tuple[Any, ...], int] = {}

    def claim(self, row: models.Model, fields: Sequence[str]) -> ValidationError | None:
        key: list[Any] = [type(row)]
        for name in fields:
            field_ = row._meta.get_field(name)
            if isinstance(field_, models.ForeignKey):
                related = getattr(row, name)
                key.append(related.pk if related.pk is not None else ("new", id(related)))
            else:
                key.append(getattr(row, name))
        if self.held.setdefault(tuple(key), id(row)) != id(row):
            return ValidationError(row.unique_error_message(type(row), tuple(fields)))
        return None


#: The models whose new rows other new rows point to, inserted first.
INSERT_FIRST: tuple[type[models.Model], ...] = (Result, Indicator)


class NodeWriter:
    """Writes the content's tree under its plan, each node after its parent."""

    def __init__(
        self,
        writer: PlanWriter,
        plan: Plan,
        levels: dict[str, Level],
        dimensions: dict[tuple[str, str], Dimension],
        markers: dict[str, Marker],
        units: dict[str, OrgUnit],
        scale_level: Callable[[Dimension, str], ScaleLevel | None],
        sections: dict[tuple[str, str], Section],
    ) -> None:
        self.writer = writer
        self.content = writer.content
        self.plan = plan
        self.levels = levels
        self.dimensions = dimensions
        self.markers = markers
        self.units = units
        self.scale_level = scale_level
        self.sections = sections
        self.rates = content_rates(self.content)
        self.kept: list[int] = []
        #: The new rows to insert, by model, each with the item it was validated as.
        self.new_rows: dict[type[models.Model], list[tuple[models.Model, tuple[str, Source]]]] = {
            model: [] for model in INSERT_FIRST
        }
        #: The ids of the nodes inserted by this write: they have no stored children.
        self.fresh: set[int] = set()
        #: The ids of the stored nodes that change but stay under their parents.
        self.in_place: set[int] = set()
        self.claims = Claims()
        self.existing = {node.code: node for node in self.stored_nodes(plan)}

    def stored_nodes(self, plan: Plan) -> models.QuerySet[Node]:
        nodes = Node.objects.filter(plan=plan).prefetch_related(
            "markers", "unit_roles__unit", "section_texts"
        )
        if self.content.carries(TARGETS):
            nodes = nodes.prefetch_related("targets")
        if self.content.carries(RESULTS):
            nodes = nodes.prefetch_related(
                Prefetch("results", Result.objects.prefetch_related("ratings", "section_texts"))
            )
        if self.content.carries(COSTS):
            nodes = nodes.prefetch_related("costs")
        if self.content.carries(INDICATORS):
            nodes = nodes.prefetch_related(
                Prefetch("indicators", Indicator.objects.prefetch_related("values"))
            )
        return nodes

    def write_all(self) -> None:
        """Every node, parents before children; then what each carries. A node refused for
        the tree as it stands midway (a child still on its old level) is tried again once the
        others are written; the nodes the content drops go first where no kept node stands
        under them, the others once the kept nodes have moved away."""
        writer = self.writer
        wanted: dict[str, Node] = {}
        pending: list[tuple[NodeContent, Node]] = []
        for spec, parent_spec in self.content.walk():
            node = self.existing.get(spec.code) or Node(plan=self.plan, code=spec.code)
            node.plan = self.plan  # the plan as written, with its new period
            level = self.levels.get(spec.level)
            if level is None:
                writer.problem(
                    "node", spec.source, "level", f"no level {spec.level!r} is written for this plan"
                )
                continue
            parent = wanted.get(parent_spec.code) if parent_spec is not None else None
            moved = node.pk is None or node.parent_id != (parent.pk if parent is not None else None)
            node.parent = parent
            changed = assign(
                node,
                {
                    "level": level,
                    "position": spec.position,
                    "title": spec.title,
                    "label": spec.label,
                    "summary": spec.summary,
                    "baseline": spec.baseline,
                    "note": spec.note,
                },
            )
            wanted[spec.code] = node
            if changed or moved:
                pending.append((spec, node))
                if not moved:
                    self.in_place.add(node.pk)
        writer.refuse_if_any()
        kept_ids = {node.pk for node in wanted.values() if node.pk}
        gone = {node.pk: node for code, node in self.existing.items() if code not in wanted}
        writer.keep_what_is_not_carried(Node.objects.filter(pk__in=list(gone)))
        writer.refuse_if_any()
        # The stored nodes with a kept node under them (their stored paths hold its ancestors).
        above_kept = {
            int(part)
            for node in self.existing.values()
            if node.pk in kept_ids
            for part in node.ancestor_ids()
        }
        early = [pk for pk in gone if pk not in above_kept]
        writer.drop(Node.objects.filter(pk__in=early), "plan", self.content.place("nodes"), "node", "code")
        placed = bool(pending)
        pending, errors = self.save_in_order(pending, {})
        writer.drop(
            Node.objects.filter(pk__in=[pk for pk in gone if pk not in early]),
            "plan",
            self.content.place("nodes"),
            "node",
            "code",
        )
        pending, errors = self.save_in_order(pending, errors)
        for spec, node in pending:
            writer.report(
                errors.get(spec.code) or ValidationError(_("Its parent could not be written.")),
                node,
                "node",
                spec.source,
            )
        writer.refuse_if_any()
        if placed:
            # Once, for the whole tree as written (``node_save`` left it to this).
            outline_refresh(self.plan.pk)
        self.kept = [node.pk for node in wanted.values()]
        for spec, _parent in self.content.walk():
            node = wanted[spec.code]
            self.write_markers(node, spec)
            self.write_roles(node, spec)
            self.write_texts(
                spec.level,
                spec.sections,
                [] if self.is_fresh(node) else list(node.section_texts.all()),
                (NodeSectionText, {"node": node}),
                ("node", spec.source, Section.Scope.NODE),
            )
            if self.content.carries(TARGETS):
                self.write_targets(node, spec)
            if self.content.carries(RESULTS):
                self.write_results(node, spec)
            if self.content.carries(INDICATORS):
                self.write_indicators(node, spec)
            if self.content.carries(COSTS):
                self.write_costs(node, spec)
        self.insert_new()

    def save_new(self, row: models.Model) -> None:
        """Save a row just validated: a changed one now, a new one with the others of its
        model once every node is written (``insert_new``), kept with the item it was
        validated as (``writer.at``)."""
        if row.pk is None:
            self.new_rows.setdefault(type(row), []).append((row, self.writer.at))
        else:
            row.save()

    def insert_new(self) -> None:
        """Insert the new rows, a statement per model and batch; those that others point
        to (``INSERT_FIRST``) first, so that the others take their new ids."""
        for model, rows in self.new_rows.items():
            self.insert(model, rows)
        self.new_rows = {model: [] for model in INSERT_FIRST}

    def insert(self, model: type[models.Model], rows: list[tuple[models.Model, tuple[str, Source]]]) -> None:
        """Insert ``rows`` in one statement per batch. What the database refuses (a
        constraint, a trigger) is found again row by row, so that it is told on the item
        of the content that gave the row."""
        if not rows:
            return
        self.writer.at = (model._meta.model_name or "", None)
        try:
            with transaction.atomic():
                model._default_manager.bulk_create([row for row, _at in rows], batch_size=BULK_BATCH)
        except (DataError, IntegrityError):
            for row, at in rows:
                self.writer.at = at
                row.pk = None  # the batch was taken back
                row._state.adding = True
                row.save(force_insert=True)  # the refused row raises, told at its item
            raise

    def is_fresh(self, node: Node) -> bool:
        return node.pk in self.fresh

    def insert_nodes(self, ready: list[tuple[NodeContent, Node]], errors: dict[str, ValidationError]) -> None:
        """Insert new nodes whose parents are saved (a generation of the new part of the
        tree): each validated in memory as ``node_save`` validates it (a new node's code is
        matched with none stored, and its parent's level is at hand), then all in one
        statement in the content's order, then their paths in one more. A node refused
        goes to ``errors``, under its code."""
        # The stored parents' paths may have moved with an ancestor since they were read.
        stored = {
            node.parent.pk: node.parent
            for _spec, node in ready
            if node.parent is not None and node.parent.pk is not None and node.parent.pk not in self.fresh
        }
        if stored:
            for pk, path in Node.objects.filter(pk__in=list(stored)).values_list("pk", "path"):
                stored[pk].path = path
        valid: list[tuple[models.Model, tuple[str, Source]]] = []
        for spec, node in ready:
            error = self.node_error(node)
            if error is not None:
                errors[spec.code] = error
                continue
            errors.pop(spec.code, None)
            node.path = ""  # known once it has its id
            valid.append((node, ("node", spec.source)))
        if not valid:
            return
        self.insert(Node, valid)
        nodes = [node for node, _at in valid if isinstance(node, Node)]
        for node in nodes:
            node.path = path_for(node)
            self.fresh.add(node.pk)
        Node.objects.bulk_update(nodes, ["path"], batch_size=BULK_BATCH)

    def update_nodes(
        self, ready: list[tuple[NodeContent, Node]], errors: dict[str, ValidationError]
    ) -> set[int]:
        """Save stored nodes that change but stay under their parents (their paths stay
        as they are): each validated in memory as ``node_save`` validates it (its code is
        the one it is matched by), then all in one statement. Returns the ids of those
        saved; a node refused goes to ``errors``, under its code."""
        valid: list[tuple[Node, Source]] = []
        for spec, node in ready:
            error = self.node_error(node, stored=True)
            if error is not None:
                errors[spec.code] = error
                continue
            errors.pop(spec.code, None)
            valid.append((node, spec.source))
        if not valid:
            return set()
        self.writer.at = ("node", None)
        try:
            with transaction.atomic():
                nodes = [node for node, _source in valid]
                Node.objects.bulk_update(nodes, NODE_FIELDS, batch_size=BULK_BATCH)
        except (DataError, IntegrityError):
            for node, source in valid:  # what the database refuses, told on its node
                self.writer.at = ("node", source)
                node.save(update_fields=NODE_FIELDS)
            raise
        return {node.pk for node, _source in valid}

    def node_error(self, node: Node, *, stored: bool = False) -> ValidationError | None:
        errors: dict[str, Any] = {}
        # Its plan, level and parent are rows of this write: not looked up again.
        steps: list[Callable[[], object]] = [
            lambda: node.clean_fields(exclude=["path", "plan", "level", "parent"]),
            node.clean,
        ]
        if not stored:
            steps.append(lambda: self.claimed(node, ["plan", "code"]))
        for step in steps:
            try:
                step()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        return ValidationError(errors) if errors else None

    def claimed(self, row: models.Model, fields: Sequence[str]) -> None:
        error = self.claims.claim(row, fields)
        if error is not None:
            raise error

    def claimed_valid(self, row: models.Model, kind: str, source: Source, fields: Sequence[str]) -> bool:
        """``validated`` with the unique constraint of ``fields`` checked in memory: the
        row is matched with the stored ones by those fields, so only another new row of the
        write can clash with it."""
        if not self.writer.validated(row, kind, source, unique=False):
            return False
        if row.pk is None:
            error = self.claims.claim(row, fields)
            if error is not None:
                self.writer.report(error, row, kind, source)
                return False
        return True

    def save_in_order(
        self, pending: list[tuple[NodeContent, Node]], errors: dict[str, ValidationError]
    ) -> tuple[list[tuple[NodeContent, Node]], dict[str, ValidationError]]:
        """node_save each node, parents first; a node refused for the tree as it stands
        midway is tried again after the others. Returns the nodes that could not be saved,
        with why."""
        while pending:
            waiting: list[tuple[NodeContent, Node]] = []
            ready: list[tuple[NodeContent, Node]] = []
            for spec, node in pending:
                parent = node.parent
                if parent is not None and parent.pk is None:
                    waiting.append((spec, node))
                    continue
                node.parent = parent  # sets parent_id, now that the parent is saved
                if node.pk is None or node.pk in self.in_place:
                    ready.append((spec, node))  # written with the others of this pass
                    continue
                if parent is not None and parent.pk not in self.fresh:
                    # Its path may have moved with an ancestor since it was read.
                    parent.path = Node.objects.filter(pk=parent.pk).values_list("path", flat=True).get()
                self.writer.at = ("node", spec.source)
                try:
                    # full_clean, then save, keeping the paths of the tree true
                    node_save(node, outline=False)
                except ValidationError as error:
                    errors[spec.code] = error
                    waiting.append((spec, node))
                    continue
                errors.pop(spec.code, None)
            new = [(spec, node) for spec, node in ready if node.pk is None]
            stored = [(spec, node) for spec, node in ready if node.pk is not None]
            self.insert_nodes(new, errors)
            updated = self.update_nodes(stored, errors)
            waiting.extend((spec, node) for spec, node in new if node.pk is None)
            waiting.extend((spec, node) for spec, node in stored if node.pk not in updated)
            if len(waiting) == len(pending):
                return waiting, errors
            pending = waiting
        return [], errors

    def write_markers(self, node: Node, spec: NodeContent) -> None:
        wanted = {self.markers[symbol].pk for symbol in spec.markers if symbol in self.markers}
        missing = [symbol for symbol in spec.markers if symbol not in self.markers]
        for symbol in missing:
            self.writer.problem(
                "node", spec.source, "markers", f"no marker {symbol!r} is written for this plan"
            )
        if self.is_fresh(node):
            through = Node.markers.through
            self.new_rows.setdefault(through, []).extend(
                (through(node_id=node.pk, marker_id=marker_id), ("node", spec.source))
                for marker_id in sorted(wanted)
            )
        elif {marker.pk for marker in node.markers.all()} != wanted:
            node.markers.set(list(wanted))

    def write_roles(self, node: Node, spec: NodeContent) -> None:
        roles = [] if self.is_fresh(node) else node.unit_roles.all()
        stored = {(role.unit.code, role.role): role for role in roles}
        wanted: dict[tuple[str, str], UnitRoleContent] = {}
        for role_spec in spec.units:
            wanted.setdefault((role_spec.unit, role_spec.role), role_spec)
        for key, role in stored.items():
            if key not in wanted:
                role.delete()
        for key, role_spec in wanted.items():
            if key in stored:
                continue
            unit = self.units.get(role_spec.unit)
            if unit is None:
                self.writer.problem(
                    "unit_role", role_spec.source, "unit", f"no unit {role_spec.unit!r} is written or stored"
                )
                continue
            row = NodeUnit(node=node, unit=unit, role=role_spec.role)
            if self.claimed_valid(row, "unit_role", role_spec.source, ["node", "unit", "role"]):
                self.save_new(row)

    def write_targets(self, node: Node, spec: NodeContent) -> None:
        """The target rule: see ``shinchoku.plans.writing``."""
        writer = self.writer
        targets = [] if self.is_fresh(node) else list(node.targets.all())
        pairs, left = pair_targets(targets, spec.targets)
        for target in left:
            refusal = _delete(target)
            if refusal is not None:
                writer.problem("node", spec.source, "targets", str(refusal))
        for stored, wanted in pairs:
            target = stored or Target(node=node)
            changed = assign(
                target,
                {
                    "row": wanted.row,
                    "start_year": wanted.start_year,
                    "end_year": wanted.end_year,
                    "open_end": wanted.open_end,
                    "text": wanted.text,
                    "revised_text": wanted.revised_text,
                    "revision_reason": wanted.revision_reason,
                    "note": wanted.note,
                    "position": wanted.position,
                },
            )
            if changed and writer.validated(target, "target", wanted.source):
                self.save_new(target)

    def write_results(self, node: Node, spec: NodeContent) -> None:
        stored = [] if self.is_fresh(node) else node.results.all()
        pairs = by_year(stored, spec.results, lambda year: Result(node=node, fiscal_year=year))
        for result, result_spec in pairs:
            changed = assign(
                result,
                {
                    "text": result_spec.text,
                    "context_change": result_spec.context_change,
                    "response": result_spec.response,
                    "highlight": result_spec.highlight,
                    "note": result_spec.note,
                },
            )
            is_new = result.pk is None
            if changed:
                if not self.claimed_valid(result, "result", result_spec.source, ["node", "fiscal_year"]):
                    continue
                self.save_new(result)
            self.write_ratings(spec.level, result, result_spec, () if is_new else result.ratings.all())
            self.write_texts(
                spec.level,
                result_spec.sections,
                [] if is_new else list(result.section_texts.all()),
                (ResultSectionText, {"result": result}),
                ("result", result_spec.source, Section.Scope.YEAR),
            )

    def write_ratings(
        self, level_key: str, result: Result, spec: YearResultContent, stored_ratings: Any
    ) -> None:
        writer = self.writer
        stored = {rating.dimension_id: rating for rating in stored_ratings}
        wanted: dict[int, tuple[Dimension, ScaleLevel, Any]] = {}  # the rating's content last
        for rating_spec in spec.ratings:
            dimension = self.dimensions.get((level_key, rating_spec.dimension))
            if dimension is None:
                writer.problem(
                    "rating",
                    rating_spec.source,
                    "dimension",
                    f"no dimension {rating_spec.dimension!r} is written for the level {level_key!r}",
                )
                continue
            scale_level = self.scale_level(dimension, rating_spec.level)
            if scale_level is None:
                writer.problem(
                    "rating",
                    rating_spec.source,
                    "level",
                    f"{rating_spec.level!r} is not on the scale {dimension.scale.code!r}",
                )
                continue
            wanted[dimension.pk] = (dimension, scale_level, rating_spec)
        for dimension_id, rating in stored.items():
            if dimension_id not in wanted:
                rating.delete()
        for dimension_id, (dimension, scale_level, rating_spec) in wanted.items():
            rating = stored.get(dimension_id) or Rating(result=result, dimension=dimension)
            if assign(rating, {"level": scale_level, "reason": rating_spec.reason}) and writer.validated(
                rating, "rating", rating_spec.source, unique=False
            ):
                self.save_new(rating)

    def write_indicators(self, node: Node, spec: NodeContent) -> None:
        writer = self.writer
        indicators = [] if self.is_fresh(node) else list(node.indicators.all())
        pairs, left = pair_indicators(indicators, spec.indicators)
        for indicator in left:
            indicator.delete()
        for stored, wanted in pairs:
            indicator = stored or Indicator(node=node)
            is_new = indicator.pk is None
            changed = assign(
                indicator,
                {
                    "name": wanted.name,
                    "kind": wanted.kind,
                    "unit": wanted.unit,
                    "direction": wanted.direction,
                    "baseline_value": wanted.baseline_value,
                    "baseline_year": wanted.baseline_year,
                    "position": wanted.position,
                },
            )
            if changed:
                if not writer.validated(indicator, "indicator", wanted.source):
                    continue
                self.save_new(indicator)
            self.write_values(indicator, wanted, [] if is_new else list(indicator.values.all()))

    def write_values(
        self, indicator: Indicator, spec: IndicatorContent, stored_values: list[IndicatorValue]
    ) -> None:
        writer = self.writer
        pairs = by_year(
            stored_values, spec.values, lambda year: IndicatorValue(indicator=indicator, fiscal_year=year)
        )
        for value, value_spec in pairs:
            if assign(value, {"target": value_spec.target, "actual": value_spec.actual}) and writer.validated(
                value, "indicator_value", value_spec.source, unique=False
            ):
                self.save_new(value)

    def write_texts(
        self,
        level_key: str,
        texts: Mapping[str, str],
        stored: list[Any],
        new: tuple[type[models.Model], dict[str, models.Model]],
        at: tuple[str, Source, str],
    ) -> None:
        """A node's or a result's texts of its level's sections without a field of their
        own (``new``: the model of a text and its owner, as the keyword that names it;
        ``at``: the kind of item, where it stands and the sections' scope): each written
        when it changes, the stored ones the content no longer gives removed."""
        kind, source, scope = at
        wanted: dict[int, tuple[Section, str]] = {}
        for key, text in texts.items():
            section = self.sections.get((level_key, key))
            if section is None or section.scope != scope or section.builtin:
                self.writer.problem(
                    kind, source, "sections", self.unknown_section(level_key, key, scope, section)
                )
                continue
            wanted[section.pk] = (section, text)
        by_section = {row.section_id: row for row in stored}
        for section_id, row in by_section.items():
            if section_id not in wanted:
                row.delete()
        model, owner = new
        for section_id, (section, text) in wanted.items():
            row = by_section.get(section_id) or model(**owner, section=section, text=text)
            if assign(row, {"text": text}) and self.writer.validated(
                row, "section_text", source, unique=False
            ):
                self.save_new(row)

    @staticmethod
    def unknown_section(level_key: str, key: str, scope: str, section: Section | None) -> str:
        if section is None:
            return f"no section {key!r} is written for the level {level_key!r}"
        if section.builtin:
            return f"the section {key!r} is kept in the field {section.builtin!r}: give its text there"
        other = "the node" if section.scope == Section.Scope.NODE else "each fiscal year"
        return f"the section {key!r} is about {other}"

    def write_costs(self, node: Node, spec: NodeContent) -> None:
        """The node's costs, matched by fiscal year and basis; B priced and the total
        computed as the diff shows them (``costs.cost_values``)."""
        stored = by_year_and_basis([] if self.is_fresh(node) else node.costs.all())
        wanted = by_year_and_basis(spec.costs)
        if len(wanted) < len(spec.costs):
            seen: set[tuple[int | None, str]] = set()
            for cost_spec in spec.costs:
                key = (cost_spec.fiscal_year, cost_spec.basis)
                if key in seen:
                    self.writer.problem(
                        "cost", cost_spec.source, "", "the node has another cost of this year and basis"
                    )
                seen.add(key)
            return
        for key, cost in stored.items():
            if key not in wanted:
                cost.delete()
        for key, cost_spec in wanted.items():
            cost = stored.get(key) or Cost(
                node=node, fiscal_year=cost_spec.fiscal_year, basis=cost_spec.basis
            )
            if assign(cost, cost_values(cost_spec, self.rates)) and self.writer.validated(
                cost, "cost", cost_spec.source, unique=False
            ):
                self.save_new(cost)
