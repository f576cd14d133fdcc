"""The annual progress report as one view-model, read once and drawn twice: by the
Typst template (PDF) and by the Django template (HTML). Every layout decision that
both share — what goes in which section, in which order, which years, which counts —
is made here; the renderers only draw it.

The report follows the published layout: per plan area, its summary pages (the
programmes and, under each, the 【主な実施結果】 of each measure for the report's
year), its rating tables (every dimension of each rated level, a matrix scale's matrix
of the report's year) and the sums of its costs, both read by the same selectors as the
area's page; per programme, its rating table and the sheets of its
measures; at the end, an index of measures by unit (作成局別索引).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from shinchoku import fiscal
from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.errors import ErrorCode, Refusal
from shinchoku.plans.models import (
    Dimension,
    Level,
    Marker,
    Node,
    NodeUnit,
    OrgUnit,
    Plan,
    ScaleLevel,
    Section,
    unit_and_ancestors,
)
from shinchoku.plans.names import own_names
from shinchoku.plans.selectors import (
    CostSummary,
    MarkerView,
    MeasureSheet,
    NodeRef,
    PlanHeader,
    RatingSummary,
    RatingView,
    Scope,
    Text,
    YearColumn,
    cost_summaries_each,
    measure_sheets,
    rating_summaries_each,
    summary_table,
    text_lines,
    year_columns,
    year_label,
)
from shinchoku.plans.selectors.common import children_by_parent, node_ref, ordered_markers, plan_header
from shinchoku.progress.models import Result
from shinchoku.published.models import ResultYear
from shinchoku.review.models import Round


class ReportError(Refusal):
    """A report that cannot be made from these options; the message says why, in one line.
    A report these options do not make is not found; one the installation cannot make now
    (no Japanese font, Typst failing) is unavailable."""

    code = ErrorCode.NOT_FOUND


@dataclass(frozen=True)
class ReportHighlight:
    """One measure's entry on the summary pages: its digest for the report's year."""

    node: NodeRef
    anchor: str
    markers: tuple[MarkerView, ...]
    text: Text
    rating: RatingView | None


@dataclass(frozen=True)
class ProgrammeSection:
    node: NodeRef
    anchor: str
    summary: Text
    highlights: tuple[ReportHighlight, ...]
    summaries: tuple[RatingSummary, ...]
    sheets: tuple[ReportSheet, ...]


@dataclass(frozen=True)
class ReportSheet:
    """A measure sheet as the report prints it: results limited to the report's years."""

    anchor: str
    sheet: MeasureSheet


@dataclass(frozen=True)
class AreaSection:
    node: NodeRef
    anchor: str
    summary: Text
    programmes: tuple[ProgrammeSection, ...]
    #: One table per dimension of each rated level, as on the area's page.
    summaries: tuple[RatingSummary, ...]
    #: The sums of the costs under the area, as on the area's page; none without costs.
    costs: tuple[CostSummary, ...] = ()


@dataclass(frozen=True)
class IndexEntry:
    """A unit of the 作成局別索引 and the measures it authors (or, failing that, is responsible for)."""

    unit: str
    measures: tuple[tuple[NodeRef, str], ...]


@dataclass(frozen=True)
class ReportLabels:
    """Every fixed word the report prints, translated once, so both templates stay free of prose."""

    contents: str
    summary_pages: str
    highlights: str
    ratings_table: str
    costs: str
    reason: str
    purpose: str
    baseline: str
    targets: str
    results: str
    what_was_done: str
    context_change: str
    response: str
    markers: str
    units: str
    unit_index: str
    no_result: str
    not_rated: str
    meaning_not_stated: str
    cover_note: str


@dataclass(frozen=True)
class ReportDocument:
    plan: PlanHeader
    title: str
    subtitle: str
    fiscal_year: int
    year_label: str
    #: The fiscal years whose results are printed.
    years: tuple[YearColumn, ...]
    first_page: int
    areas: tuple[AreaSection, ...]
    unit_index: tuple[IndexEntry, ...]
    markers: tuple[MarkerView, ...]
    labels: ReportLabels
    language: str
    #: The moment the report is dated by (its creation date as a PDF): see ``report_date``.
    as_of: datetime.datetime


def report_years(plan: Plan | PlanHeader, *, under: Node | None = None) -> tuple[int, ...]:
    """The fiscal years of the plan period that have results, oldest first: the years a
    report can be made for (see ``report_build``); with ``under``, the years with results
    in that subtree (a plan area's report). One query, of the years kept at write time
    (``shinchoku.published``) but under a rated node."""
    if under is None or not under.level.rated:
        kept = ResultYear.objects.filter(
            plan__code=plan.code,
            node=under,
            fiscal_year__gte=plan.first_year,
            fiscal_year__lte=plan.last_year,
        )
        return tuple(kept.values_list("fiscal_year", flat=True).order_by("fiscal_year"))
    results = Result.objects.filter(
        node__plan__code=plan.code,
        node__path__startswith=under.path,
        fiscal_year__gte=plan.first_year,
        fiscal_year__lte=plan.last_year,
    )
    return tuple(results.values_list("fiscal_year", flat=True).order_by("fiscal_year").distinct())


def _anchor(node: Node) -> str:
    return f"node-{node.pk}"


@own_names()  # the city's own document: the plan's own names, whatever the wording's language
def report_build(
    plan_code: str,
    *,
    year: int,
    years: Sequence[int] | None = None,
    area_code: str | None = None,
    first_page: int = 1,
    language: str = "ja",
) -> ReportDocument:
    """Read everything the report for fiscal ``year`` prints. ``years``: whose results to
    print (default: every year of the period up to ``year``); ``area_code``: one plan area
    (default: all). Raises ReportError for options that make no report. A fixed number of
    queries, whatever the size of the plan."""
    try:
        plan = Plan.objects.get(code=plan_code)
    except Plan.DoesNotExist as error:
        raise ReportError(
            gettext("There is no plan with the code %(code)s.") % {"code": plan_code}
        ) from error
    if year not in plan.fiscal_years:
        raise ReportError(
            gettext("Fiscal year %(year)s is outside the plan period %(first)s–%(last)s.")
            % {"year": year, "first": plan.first_year, "last": plan.last_year}
        )
    shown = sorted(set(years)) if years else list(range(plan.first_year, year + 1))
    outside = [y for y in shown if y not in plan.fiscal_years]
    if outside:
        raise ReportError(
            gettext("Fiscal year %(year)s is outside the plan period %(first)s–%(last)s.")
            % {"year": outside[0], "first": plan.first_year, "last": plan.last_year}
        )
    if first_page < 1:
        raise ReportError(gettext("The first page number must be 1 or more."), code=ErrorCode.INVALID)

    rated_levels = list(Level.objects.filter(plan=plan, rated=True).order_by("depth"))
    if not rated_levels:
        raise ReportError(gettext("The plan has no rated level, so there is nothing to report."))
    measure_level = rated_levels[0]
    nodes = list(
        Node.objects.filter(plan=plan, level__depth__lte=measure_level.depth).select_related("level")
    )
    children = children_by_parent(nodes)
    roots = children[None]
    if area_code is not None:
        roots = [node for node in roots if node.code == area_code]
        if not roots:
            raise ReportError(
                gettext("The plan %(plan)s has no plan area with the code %(code)s.")
                % {"plan": plan.code, "code": area_code}
            )
    if not Result.objects.filter(node__plan=plan, fiscal_year=year).exists():
        raise ReportError(
            gettext("The plan %(plan)s has no results for %(year)s.")
            % {"plan": plan.code, "year": fiscal.western_label(year)}
        )

    # Measures in printed order, each with the group (its nearest non-rated ancestor) it sits under.
    ordered: list[tuple[Node, list[tuple[Node, list[Node]]]]] = []
    for root in roots:
        groups: list[tuple[Node, list[Node]]] = []
        _collect_groups(root, children, measure_level.depth, groups)
        ordered.append((root, groups))
    all_measures = [m for _root, groups in ordered for _group, measures in groups for m in measures]
    for node in all_measures:
        node.plan = plan
    sheets = {sheet.node.code: sheet for sheet in measure_sheets(all_measures)}

    dimension = (
        Dimension.objects.filter(plan=plan, level=measure_level, primary=True).select_related("level").first()
    )
    scale_levels = list(ScaleLevel.objects.filter(scale_id=dimension.scale_id)) if dimension else []
    markers = list(ordered_markers().filter(plan=plan))
    columns = tuple(c for c in year_columns(plan, onwards=False) if c.year in shown)

    def summaries(measures: Sequence[Node]) -> tuple[RatingSummary, ...]:
        if dimension is None:
            return ()
        return (_count_table(dimension, scale_levels, markers, columns, [sheets[m.code] for m in measures]),)

    # The area's tables, as its page shows them: one query each for all areas at once.
    area_scope = Scope.of(each=roots)
    area_ratings = rating_summaries_each(plan, area_scope, years=shown, matrix_year=year)
    area_costs = cost_summaries_each(plan, area_scope)

    areas = []
    for root, groups in ordered:
        programmes = []
        for group, measures in groups:
            programmes.append(
                ProgrammeSection(
                    node=node_ref(group),
                    anchor=_anchor(group),
                    summary=text_lines(group.summary),
                    highlights=tuple(_highlight(m, sheets[m.code], year, dimension) for m in measures),
                    summaries=summaries(measures),
                    sheets=tuple(
                        ReportSheet(_anchor(m), _limit_years(sheets[m.code], shown)) for m in measures
                    ),
                )
            )
        areas.append(
            AreaSection(
                node=node_ref(root),
                anchor=_anchor(root),
                summary=text_lines(root.summary),
                programmes=tuple(programmes),
                summaries=area_ratings[root.pk],
                costs=area_costs[root.pk],
            )
        )

    year_text = year_label(year)
    return ReportDocument(
        plan=plan_header(plan),
        title=plan.title,
        subtitle=gettext("Progress report for %(year)s") % {"year": year_text},
        fiscal_year=year,
        year_label=year_text,
        years=columns,
        first_page=first_page,
        areas=tuple(areas),
        unit_index=_unit_index(all_measures),
        markers=tuple(MarkerView(m.symbol, m.name, m.meaning) for m in markers),
        labels=_labels(),
        language=language,
        as_of=report_date(plan, year=year, years=shown),
    )


def report_date(plan: Plan, *, year: int, years: Sequence[int]) -> datetime.datetime:
    """The moment the data a report prints was last published, so that the same data
    always carries the same date: the latest publication of a results round of a printed
    year or of a targets round of the plan (targets are printed as they stand), or import
    of the plan from a file through the site or ``shinchoku import`` (the audit log).
    Where neither is recorded (a plan loaded with ``shinchoku loadplan``), the end of the
    fiscal year reported on: its results cannot be complete before it. Two queries."""
    rounds = Round.objects.filter(plan=plan, published_at__isnull=False).filter(
        Q(kind=Round.Kind.RESULTS, fiscal_year__in=years) | Q(kind=Round.Kind.TARGETS)
    )
    imports = AuditEvent.objects.filter(
        event_type=EventType.PLAN_IMPORTED,
        subject_type=ContentType.objects.get_for_model(Plan),
        subject_id=plan.pk,
    )
    published = rounds.aggregate(last=Max("published_at"))["last"]
    imported = imports.aggregate(last=Max("created_at"))["last"]
    recorded = [moment for moment in (published, imported) if moment is not None]
    if recorded:
        return max(recorded)
    # 1 April of the next calendar year, at midnight where the plan is kept (Asia/Tokyo).
    return datetime.datetime(year + 1, 4, 1, tzinfo=timezone.get_default_timezone())


def _collect_groups(
    node: Node,
    children: dict[int | None, list[Node]],
    measure_depth: int,
    groups: list[tuple[Node, list[Node]]],
) -> None:
    """Depth first: each non-rated node with measures directly under it is a group."""
    measures = [child for child in children[node.pk] if child.level.depth == measure_depth]
    if measures:
        groups.append((node, measures))
    for child in children[node.pk]:
        if child.level.depth < measure_depth:
            _collect_groups(child, children, measure_depth, groups)


def _limit_years(sheet: MeasureSheet, years: Sequence[int]) -> MeasureSheet:
    """The sheet as the report prints it: the results of the printed years, without the
    highlight (主な実施結果), which the summary pages print and the sheet does not repeat."""
    return dataclasses.replace(
        sheet,
        results=tuple(
            dataclasses.replace(
                r, sections=tuple(s for s in r.sections if s.builtin != Section.Builtin.HIGHLIGHT)
            )
            for r in sheet.results
            if r.fiscal_year in years
        ),
    )


def _primary(rating_views: Sequence[RatingView], dimension: Dimension | None) -> RatingView | None:
    if dimension is None:
        return None
    return next((r for r in rating_views if r.dimension_key == dimension.key and r.code), None)


def _highlight(node: Node, sheet: MeasureSheet, year: int, dimension: Dimension | None) -> ReportHighlight:
    result = next((r for r in sheet.results if r.fiscal_year == year), None)
    return ReportHighlight(
        node=sheet.node,
        anchor=_anchor(node),
        markers=sheet.markers,
        # The digest printed on the summary pages; the result itself where none was written.
        text=(result.highlight or result.text) if result else (),
        rating=_primary(result.ratings, dimension) if result else None,
    )


def _count_table(
    dimension: Dimension,
    levels: list[ScaleLevel],
    markers: list[Marker],
    columns: tuple[YearColumn, ...],
    sheets: Sequence[MeasureSheet],
) -> RatingSummary:
    """The rating table of a group of measures, counted from the sheets already read."""
    counts: dict[tuple[int, str], int] = defaultdict(int)
    marked: dict[tuple[int, str, str], int] = defaultdict(int)
    for sheet in sheets:
        symbols = [m.symbol for m in sheet.markers]
        for result in sheet.results:
            rating = _primary(result.ratings, dimension)
            if rating is None:
                continue
            counts[(result.fiscal_year, rating.code)] += 1
            for symbol in symbols:
                marked[(result.fiscal_year, rating.code, symbol)] += 1
    return summary_table(
        dimension,
        sorted(levels, key=lambda level: level.position),
        markers,
        columns,
        lambda year, code: counts[(year, code)],
        lambda year, code, symbol: marked[(year, code, symbol)],
    )


def _unit_index(measures: Sequence[Node]) -> tuple[IndexEntry, ...]:
    """Measures by the bureau (top unit) that authors them, or else is responsible for them."""
    if not measures:
        return ()
    by_pk = {m.pk: m for m in measures}
    units = {unit.pk: unit for unit in OrgUnit.objects.all()}
    roles: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for node_id, unit_id, role in NodeUnit.objects.filter(node_id__in=by_pk).values_list(
        "node_id", "unit_id", "role"
    ):
        roles[node_id][role].append(unit_id)

    parents = {pk: unit.parent_id for pk, unit in units.items()}

    def top(unit_id: int) -> OrgUnit:
        return units[[pk for pk in unit_and_ancestors(unit_id, parents) if pk in units][-1]]

    entries: dict[str, list[Node]] = defaultdict(list)
    order: dict[str, str] = {}
    for measure in measures:
        node_roles = roles.get(measure.pk, {})
        unit_ids = node_roles.get(NodeUnit.Role.AUTHORING) or node_roles.get(NodeUnit.Role.RESPONSIBLE) or []
        for bureau in {top(unit_id).pk: top(unit_id) for unit_id in unit_ids}.values():
            entries[bureau.name].append(measure)
            order[bureau.name] = bureau.code
    return tuple(
        IndexEntry(unit=name, measures=tuple((node_ref(m), _anchor(m)) for m in entries[name]))
        for name in sorted(entries, key=lambda name: order[name])
    )


def _labels() -> ReportLabels:
    return ReportLabels(
        contents=gettext("Contents"),
        summary_pages=gettext("Main results"),
        highlights=gettext("Main results"),
        ratings_table=gettext("Ratings at a glance"),
        costs=gettext("Costs"),
        reason=pgettext("rating", "Reason"),
        purpose=gettext("Purpose"),
        baseline=gettext("Baseline"),
        targets=gettext("Targets"),
        results=gettext("Results by fiscal year"),
        what_was_done=gettext("What was done"),
        context_change=gettext("Changes in circumstances and issues"),
        response=gettext("Response to new issues"),
        markers=gettext("Markers"),
        units=gettext("Sections in charge"),
        unit_index=gettext("Index of measures by bureau"),
        no_result=gettext("No result has been reported yet."),
        not_rated=gettext("not rated"),
        meaning_not_stated=gettext("meaning not stated in the source"),
        cover_note=gettext(
            "Targets, results and ratings as reported by the responsible sections and published by the city."
        ),
    )
