"""The measure sheet: everything the printed table shows for one measure (its sections
of text, targets laid out by fiscal year, results with their sections, ratings and
reasons, costs, indicators by kind, units, source notes), read for one measure or for
many at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import F, Q, prefetch_related_objects
from django.utils.translation import gettext

from shinchoku import fiscal
from shinchoku.plans.models import Dimension, Level, Marker, Node, NodeSectionText, NodeUnit, Plan, Section
from shinchoku.plans.names import shown_name
from shinchoku.plans.sections import plan_sections, section_texts
from shinchoku.progress.models import (
    Cost,
    Indicator,
    IndicatorValue,
    Rating,
    Result,
    ResultSectionText,
    Target,
    achievement_rate,
)
from shinchoku.text import decimal_text

from .common import (
    MarkerView,
    NodeRef,
    PlanHeader,
    RatingView,
    Text,
    YearColumn,
    _breadcrumbs,
    _marker_view,
    _year_column,
    children_by_parent,
    format_decimal,
    format_rate,
    node_ref,
    ordered_markers,
    plan_header,
    rating_view,
    text_lines,
    year_columns,
    year_label,
)
from .costs import CostTable, cost_table

_Row = TypeVar("_Row")


@dataclass(frozen=True)
class TargetItem:
    """One target item (● item of a cell), as planned and, if revised, as revised."""

    text: Text
    revised_text: Text
    revision_reason: Text
    note: Text

    @property
    def revised(self) -> bool:
        return bool(self.revised_text)


@dataclass(frozen=True)
class TargetCell:
    """A cell of the target table; spans ``colspan`` year columns; empty when no items."""

    colspan: int
    #: "2012年度〜2014年度以降"; empty for an empty cell.
    period_label: str
    items: tuple[TargetItem, ...]


@dataclass(frozen=True)
class TargetRow:
    """One target row (``Target.row``). Overlapping spans in a row take extra lines."""

    number: int
    heading: str
    lines: tuple[tuple[TargetCell, ...], ...]

    @property
    def span(self) -> int:
        return len(self.lines)


@dataclass(frozen=True)
class TargetTable:
    caption: str
    columns: tuple[YearColumn, ...]
    rows: tuple[TargetRow, ...]
    #: Row headings are printed only when there is more than one row.
    row_headings: bool
    row_heading_label: str
    planned_label: str
    revised_label: str
    reason_label: str


def target_table(plan: Plan, targets: Iterable[Target]) -> TargetTable:
    """Lay target items out as the printed 事業内容・目標 table: one row per ``row``, one
    column per fiscal year plus the onwards column; a span is one cell across its
    columns; items with the same span in a row share a cell, in order."""
    columns = year_columns(plan, onwards=True)
    last = len(columns) - 1

    def column_of(year: int) -> int:
        return min(max(year - plan.first_year, 0), last)

    by_row: dict[int, dict[tuple[int, int], list[Target]]] = defaultdict(lambda: defaultdict(list))
    for target in sorted(targets, key=lambda t: (t.row, t.start_year, t.end_year, t.position, t.pk or 0)):
        span = (column_of(target.start_year), column_of(target.end_year))
        by_row[target.row][span].append(target)

    rows = []
    for number in sorted(by_row):
        lines: list[list[tuple[int, int] | None]] = []
        for span in sorted(by_row[number], key=lambda s: (s[0], -s[1])):
            for line in lines:
                if all(line[i] is None for i in range(span[0], span[1] + 1)):
                    break
            else:
                line = [None] * len(columns)
                lines.append(line)
            for i in range(span[0], span[1] + 1):
                line[i] = span
        cell_lines = []
        for line in lines:
            cells = []
            i = 0
            while i <= last:
                cell_span = line[i]
                if cell_span is None:
                    cells.append(TargetCell(colspan=1, period_label="", items=()))
                    i += 1
                    continue
                items = by_row[number][cell_span]
                cells.append(
                    TargetCell(
                        colspan=cell_span[1] - cell_span[0] + 1,
                        period_label=items[0].period_label,
                        items=tuple(
                            TargetItem(
                                text=text_lines(t.text),
                                revised_text=text_lines(t.revised_text),
                                revision_reason=text_lines(t.revision_reason),
                                note=text_lines(t.note),
                            )
                            for t in items
                        ),
                    )
                )
                i = cell_span[1] + 1
            cell_lines.append(tuple(cells))
        rows.append(
            TargetRow(
                number=number,
                heading=gettext("Row %(number)s") % {"number": number},
                lines=tuple(cell_lines),
            )
        )
    return TargetTable(
        caption=gettext("Targets by fiscal year"),
        columns=columns,
        rows=tuple(rows),
        row_headings=len(rows) > 1,
        row_heading_label=gettext("Row"),
        planned_label=gettext("As planned"),
        revised_label=gettext("Revised"),
        reason_label=gettext("Reason for the revision"),
    )


@dataclass(frozen=True)
class SectionView:
    """A section of text (概要, 対象, 課題 …) with what a node or a result writes in it."""

    key: str
    #: In the page's language (``plans.names``): 概要, Purpose.
    name: str
    #: The field the text is kept in (summary, text, highlight …; ``Section.Builtin``), or "".
    builtin: str
    #: Empty when nothing is written.
    text: Text


@dataclass(frozen=True)
class ResultView:
    fiscal_year: int
    #: "2012年度" (FY2012 in English)
    western: str
    #: "平成24年度" (empty in English)
    wareki: str
    text: Text
    #: One per dimension of the node's level, in order; ``rated`` false where not rated.
    ratings: tuple[RatingView, ...]
    context_change: Text
    response: Text
    highlight: Text
    #: Every section of each fiscal year of the node's level, in the plan's order, the
    #: builtin ones (text, context_change … above) among them; those not written too.
    sections: tuple[SectionView, ...] = ()

    @property
    def written_sections(self) -> tuple[SectionView, ...]:
        """The sections with something written, as a page shows them."""
        return tuple(section for section in self.sections if section.text)


@dataclass(frozen=True)
class UnitRef:
    code: str
    name: str
    #: Whether the unit's page (the measures it is responsible for) lists this node.
    has_page: bool


@dataclass(frozen=True)
class UnitGroup:
    role: str
    #: "responsible (所管)", translated
    role_label: str
    names: tuple[str, ...]
    #: The units, in the order of ``names``.
    units: tuple[UnitRef, ...] = ()


@dataclass(frozen=True)
class IndicatorRow:
    heading: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorPoint:
    """An indicator's figures of one fiscal year, as numbers (for its chart), each written
    as decimal text (``str(Decimal)``): the sheet is plain data, which the report hands
    to Typst as JSON."""

    fiscal_year: int
    target: str | None
    actual: str | None
    #: In percent (``progress.models.achievement_rate``).
    rate: str | None


@dataclass(frozen=True)
class IndicatorView:
    name: str
    #: "activity", "target_group" or "outcome" (``Indicator.Kind``).
    kind: str
    kind_label: str
    unit: str
    direction_label: str
    #: "120 (2010年度)" or empty.
    baseline: str
    caption: str
    columns: tuple[YearColumn, ...]
    #: Target value, actual value, achievement rate: one cell per column.
    rows: tuple[IndicatorRow, ...]
    #: The same figures as numbers, one per column.
    points: tuple[IndicatorPoint, ...] = ()


@dataclass(frozen=True)
class IndicatorGroup:
    """The indicators of one kind, in the order a 事務事業評価シート prints the kinds."""

    kind: str
    #: 活動指標 (Activity indicators) …
    heading: str
    indicators: tuple[IndicatorView, ...]


#: The kinds in the printed order: what is done, for whom, to what end.
INDICATOR_KINDS = (Indicator.Kind.ACTIVITY, Indicator.Kind.TARGET_GROUP, Indicator.Kind.OUTCOME)


def _indicator_groups(indicators: Sequence[IndicatorView]) -> tuple[IndicatorGroup, ...]:
    headings = {
        Indicator.Kind.ACTIVITY: gettext("Activity indicators"),
        Indicator.Kind.TARGET_GROUP: gettext("Target group indicators"),
        Indicator.Kind.OUTCOME: gettext("Outcome indicators"),
    }
    return tuple(
        IndicatorGroup(kind.value, headings[kind], found)
        for kind in INDICATOR_KINDS
        if (found := tuple(i for i in indicators if i.kind == kind))
    )


@dataclass(frozen=True)
class SourceNote:
    #: What the note is about: "This measure", "Target 2011年度: ●…", "Result 2012年度（平成24年度）".
    subject: str
    note: Text


def _source_notes(node: Node, targets: Sequence[Target], results: Sequence[Result]) -> tuple[SourceNote, ...]:
    notes = []
    if node.note.strip():
        notes.append(SourceNote(gettext("This measure"), text_lines(node.note)))
    for target in targets:
        if target.note.strip():
            first = text_lines(target.text)
            subject = gettext("Target %(period)s") % {"period": target.period_label}
            notes.append(SourceNote(f"{subject}: {first[0].text if first else ''}", text_lines(target.note)))
    for result in results:
        if result.note.strip():
            subject = gettext("Result %(year)s") % {"year": year_label(result.fiscal_year)}
            notes.append(SourceNote(subject, text_lines(result.note)))
    return tuple(notes)


@dataclass(frozen=True)
class MeasureSheet:
    """Everything the printed table shows for one measure."""

    plan: PlanHeader
    node: NodeRef
    breadcrumb: tuple[NodeRef, ...]
    #: The node's own fields (the first line of the printed target table shows them).
    summary: Text
    baseline: Text
    markers: tuple[MarkerView, ...]
    units: tuple[UnitGroup, ...]
    targets: TargetTable
    results: tuple[ResultView, ...]
    indicators: tuple[IndicatorView, ...]
    children: tuple[NodeRef, ...]
    #: Provenance and editorial notes of the measure, its targets and results: not part
    #: of the printed table, shown apart from it.
    source_notes: tuple[SourceNote, ...]
    #: Every section about the node of its level, in the plan's order (概要 and 現状 for a
    #: plan without sections of its own); those not written too.
    sections: tuple[SectionView, ...] = ()
    #: None when no cost is recorded.
    costs: CostTable | None = None
    #: ``indicators`` by kind, the kinds in printed order, a kind without any left out.
    indicator_groups: tuple[IndicatorGroup, ...] = ()

    @property
    def written_sections(self) -> tuple[SectionView, ...]:
        """The node's sections with something written, as a page shows them."""
        return tuple(section for section in self.sections if section.text)

    @property
    def further_sections(self) -> tuple[SectionView, ...]:
        """The written sections beyond the purpose and the baseline (概要 and 現状, kept in
        ``summary`` and ``baseline``), which the printed target table already shows as
        its first columns."""
        return tuple(s for s in self.written_sections if s.builtin not in Section.NODE_BUILTINS)


def _indicator_view(plan: Plan, indicator: Indicator, values: Sequence[IndicatorValue]) -> IndicatorView:
    years = sorted({v.fiscal_year for v in values})
    by_year = {v.fiscal_year: v for v in values}
    rates = {y: achievement_rate(indicator.direction, by_year[y].target, by_year[y].actual) for y in years}
    columns = tuple(_year_column(plan, year) for year in years)
    unit = f" ({indicator.unit})" if indicator.unit else ""
    baseline = ""
    if indicator.baseline_value is not None:
        baseline = format_decimal(indicator.baseline_value) + (indicator.unit or "")
        if indicator.baseline_year:
            baseline += f"（{fiscal.year_label_parts(indicator.baseline_year)[0]}）"
    return IndicatorView(
        name=indicator.name,
        kind=indicator.kind,
        kind_label=str(indicator.get_kind_display()),
        unit=indicator.unit,
        direction_label=str(indicator.get_direction_display()),
        baseline=baseline,
        caption=f"{indicator.name}{unit}",
        columns=columns,
        rows=(
            IndicatorRow(gettext("Target value"), tuple(format_decimal(by_year[y].target) for y in years)),
            IndicatorRow(gettext("Actual value"), tuple(format_decimal(by_year[y].actual) for y in years)),
            IndicatorRow(gettext("Achievement rate"), tuple(format_rate(rates[y]) for y in years)),
        ),
        points=tuple(
            IndicatorPoint(
                y, decimal_text(by_year[y].target), decimal_text(by_year[y].actual), decimal_text(rates[y])
            )
            for y in years
        ),
    )


def _level_sections(nodes: Sequence[Node]) -> dict[int, list[Section]]:
    """The sections of each of the nodes' levels, by level id, in order, as
    ``plans.sections`` says a level has them: one query a plan, however many nodes."""
    levels: dict[int, dict[int, Level]] = defaultdict(dict)
    plans = {}
    for node in nodes:
        plans[node.plan_id] = node.plan
        levels[node.plan_id][node.level_id] = node.level
    found: dict[int, list[Section]] = {}
    for plan_id, plan in plans.items():
        found.update(plan_sections(plan, levels[plan_id].values()))
    return found


def _section_views(
    owner: Node | Result, sections: Iterable[Section], texts: dict[int, str]
) -> tuple[SectionView, ...]:
    return tuple(
        SectionView(
            key=section.key,
            name=shown_name(section),
            builtin=section.builtin,
            text=text_lines(text),
        )
        for section, text in section_texts(owner, sections, texts)
    )


def _grouped(rows: Iterable[_Row], key: str) -> defaultdict[int, list[_Row]]:
    """Rows by the id in their field ``key``, each group in the rows' order."""
    groups: defaultdict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        groups[getattr(row, key)].append(row)
    return groups


@dataclass
class _SheetRows:
    """What the sheets of some nodes are made from, each kind of row by its owner's id, in
    the order the sheet shows them: read with plain filtered queries (no prefetch
    machinery, which costs more than the queries themselves on a single page), a query
    skipped where there is nothing to read it for."""

    targets: defaultdict[int, list[Target]]
    results: defaultdict[int, list[Result]]
    ratings: defaultdict[int, list[Rating]]
    #: The texts of the sections a plan defines without a field, by section id.
    node_texts: defaultdict[int, dict[int, str]]
    result_texts: defaultdict[int, dict[int, str]]
    markers: defaultdict[int, list[Marker]]
    units: defaultdict[int, list[NodeUnit]]
    indicators: defaultdict[int, list[Indicator]]
    values: defaultdict[int, list[IndicatorValue]]
    costs: defaultdict[int, list[Cost]]
    dimensions: defaultdict[int, list[Dimension]]
    #: The dimensions of ratings on another level's dimension, by id.
    other_dimensions: dict[int, Dimension]
    breadcrumbs: dict[int, tuple[NodeRef, ...]]
    children: defaultdict[int | None, list[Node]]


def _sheet_rows(nodes: Sequence[Node], *, own_texts: bool) -> _SheetRows:
    ids = [node.pk for node in nodes]
    # Sorted here, not by the database, where the order is of numbers only.
    results = sorted(Result.objects.filter(node_id__in=ids).order_by(), key=lambda r: r.fiscal_year)
    result_ids = [r.pk for r in results]
    # Of no ids, no query is made: nothing is read of no results, of no indicators.
    ratings = list(Rating.objects.filter(result_id__in=result_ids).select_related("level").order_by())
    node_texts: defaultdict[int, dict[int, str]] = defaultdict(dict)
    result_texts: defaultdict[int, dict[int, str]] = defaultdict(dict)
    # Texts of their own exist only for sections a plan defines without a field.
    if own_texts:
        of_nodes = NodeSectionText.objects.filter(node_id__in=ids).order_by()
        for node_id, section_id, text in of_nodes.values_list("node_id", "section_id", "text"):
            node_texts[node_id][section_id] = text
        of_results = ResultSectionText.objects.filter(result_id__in=result_ids).order_by()
        for result_id, section_id, text in of_results.values_list("result_id", "section_id", "text"):
            result_texts[result_id][section_id] = text
    indicators = sorted(
        Indicator.objects.filter(node_id__in=ids).order_by(), key=lambda i: (i.position, i.pk)
    )
    values = IndicatorValue.objects.filter(indicator_id__in=[i.pk for i in indicators]).order_by()
    # By position, then key, as everywhere: dimensions of equal position in one order every time.
    of_levels = Dimension.objects.filter(level_id__in={n.level_id for n in nodes})
    dimensions = _grouped(of_levels.order_by("position", "key"), "level_id")
    known = {d.pk for level_dimensions in dimensions.values() for d in level_dimensions}
    other = {r.dimension_id for r in ratings} - known
    # Ancestors (for the breadcrumbs) and children in one query.
    wanted = {ancestor for node in nodes for ancestor in node.ancestor_ids()}
    related = list(
        Node.objects.filter(Q(pk__in=wanted) | Q(parent_id__in=ids)).select_related("level").order_by()
    )
    id_set = set(ids)
    targets = Target.objects.filter(node_id__in=ids).order_by()
    return _SheetRows(
        targets=_grouped(sorted(targets, key=lambda t: (t.row, t.start_year, t.position, t.pk)), "node_id"),
        results=_grouped(results, "node_id"),
        ratings=_grouped(ratings, "result_id"),
        node_texts=node_texts,
        result_texts=result_texts,
        markers=_grouped(ordered_markers().filter(nodes__in=ids).annotate(bearer=F("nodes")), "bearer"),
        units=_grouped(
            NodeUnit.objects.filter(node_id__in=ids).select_related("unit").order_by("unit__code"), "node_id"
        ),
        indicators=_grouped(indicators, "node_id"),
        values=_grouped(values, "indicator_id"),
        costs=_grouped(Cost.objects.filter(node_id__in=ids).order_by(), "node_id"),
        dimensions=dimensions,
        other_dimensions=Dimension.objects.in_bulk(other) if other else {},
        breadcrumbs=_breadcrumbs(nodes, {n.pk: n for n in related if n.pk in wanted}),
        children=children_by_parent(n for n in related if n.parent_id in id_set),
    )


def _result_view(
    result: Result, ratings: Sequence[Rating], rows: _SheetRows, level_id: int, sections: Sequence[Section]
) -> ResultView:
    """A year's result with a rating view for each dimension of the node's level, in
    order, then any rating on a dimension of another level."""
    by_dimension = {r.dimension_id: r for r in ratings}
    level_dimensions = rows.dimensions[level_id]
    known = {d.pk for d in level_dimensions}
    extra = sorted(
        (r for r in ratings if r.dimension_id not in known),
        key=lambda r: rows.other_dimensions[r.dimension_id].position,
    )
    western, wareki = fiscal.year_label_parts(result.fiscal_year)
    return ResultView(
        fiscal_year=result.fiscal_year,
        western=western,
        wareki=wareki,
        text=text_lines(result.text),
        ratings=(
            *(rating_view(d, by_dimension.get(d.pk)) for d in level_dimensions),
            *(rating_view(rows.other_dimensions[r.dimension_id], r) for r in extra),
        ),
        context_change=text_lines(result.context_change),
        response=text_lines(result.response),
        highlight=text_lines(result.highlight),
        sections=_section_views(result, sections, rows.result_texts[result.pk]),
    )


def measure_sheets(nodes: Sequence[Node]) -> list[MeasureSheet]:
    """The sheets of the given rated nodes, in the given order, in a fixed number of
    queries however many nodes there are (eleven for one plan, two more when it has
    sections of its own, two more if plan and level were not select_related; fewer when
    there are no results or no indicators to read more of): the printed report can pass
    a whole plan's measures at once."""
    nodes = list(nodes)
    if not nodes:
        return []
    prefetch_related_objects(nodes, "plan", "level")
    sections = _level_sections(nodes)
    own_texts = any(not s.builtin for level_sections in sections.values() for s in level_sections)
    rows = _sheet_rows(nodes, own_texts=own_texts)

    sheets = []
    for node in nodes:
        node_sections = [s for s in sections[node.level_id] if s.scope == Section.Scope.NODE]
        year_sections = [s for s in sections[node.level_id] if s.scope == Section.Scope.YEAR]
        targets = rows.targets[node.pk]
        results = rows.results[node.pk]
        roles: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for role in rows.units[node.pk]:
            roles[role.role].append((role.unit.code, role.unit.name))
        indicator_rows = [(i, rows.values[i.pk]) for i in rows.indicators[node.pk]]
        indicators = tuple(_indicator_view(node.plan, i, values) for i, values in indicator_rows)
        sheets.append(
            MeasureSheet(
                plan=plan_header(node.plan),
                node=node_ref(node),
                breadcrumb=rows.breadcrumbs[node.pk],
                summary=text_lines(node.summary),
                baseline=text_lines(node.baseline),
                markers=tuple(_marker_view(m) for m in rows.markers[node.pk]),
                units=tuple(
                    UnitGroup(
                        role=role.value,
                        role_label=str(role.label),
                        names=tuple(name for _code, name in roles[role.value]),
                        units=tuple(
                            UnitRef(code, name, has_page=role == NodeUnit.Role.RESPONSIBLE)
                            for code, name in roles[role.value]
                        ),
                    )
                    for role in NodeUnit.Role
                    if roles.get(role.value)
                ),
                targets=target_table(node.plan, targets),
                results=tuple(
                    _result_view(r, rows.ratings[r.pk], rows, node.level_id, year_sections) for r in results
                ),
                indicators=indicators,
                children=tuple(node_ref(c) for c in rows.children[node.pk]),
                source_notes=_source_notes(node, targets, results),
                sections=_section_views(node, node_sections, rows.node_texts[node.pk]),
                costs=cost_table(node.plan, rows.costs[node.pk], indicator_rows),
                indicator_groups=_indicator_groups(indicators),
            )
        )
    return sheets


def measure_sheet(node: Node) -> MeasureSheet:
    """The sheet of one rated node from ``node_get``, in the queries of ``measure_sheets``."""
    return measure_sheets([node])[0]
