"""Reads of plans and their progress, shaped for the people who read them.

Each public function returns frozen dataclasses (view-models). The public pages
render them; the printed report and the exports are meant to use the same ones, so
layout decisions live here and nowhere else: which columns a table has, how
target items fall into rows × fiscal-year columns, the headings and row labels.
Templates only loop over these.

Every function runs a fixed number of queries whatever the size of the data
(subtrees are one indexed prefix query on ``Node.path``); none queries in a loop.
Labels are translated with the language active when the function is called.

The modules, by concern: ``common`` (text, formatting, references, year columns, the
markers of nodes, ratings, breadcrumbs), ``outline`` (the plan list, a plan's outline, the page of a
plan area or programme), ``sheet`` (the measure sheet), ``summary`` (the rating
summary table), ``search`` (the public search), and the comparisons across years:
``years`` (a measure's years side by side), ``comparison`` (its texts of two years)
and ``changes`` (an area's ratings against the year before). Their public names are all
importable from this package.
"""

from .aggregates import CostSum, CostSummary, CostSumRow, cost_summaries, cost_summaries_each, format_amount
from .changes import (
    ChangeGroup,
    ChangeRow,
    NoChanges,
    RatingChanges,
    YearLink,
    change_links,
    change_years,
    rating_changes,
)
from .common import (
    BULLETS,
    Line,
    MarkerView,
    NodeRef,
    PlanHeader,
    RatingView,
    Text,
    YearColumn,
    format_decimal,
    format_rate,
    marker_symbols,
    text_lines,
    year_columns,
    year_label,
)
from .comparison import FieldDiff, NoComparison, YearComparison, year_comparison
from .costs import CostBar, CostCell, CostChart, CostColumn, CostRow, CostTable, CostTick, cost_table
from .outline import (
    MEASURES_PER_PAGE,
    Highlight,
    HighlightGroup,
    NodeOverview,
    OutlineNode,
    PageInfo,
    PlanOutline,
    PlanSummary,
    node_get,
    node_overview,
    plan_list,
    plan_outline,
)
from .search import (
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    RESULTS_PER_PAGE,
    Choice,
    Excerpt,
    Fragment,
    QueryError,
    SearchGroup,
    SearchHit,
    SearchPage,
    search_page,
    search_terms,
)
from .sheet import (
    IndicatorGroup,
    IndicatorPoint,
    IndicatorRow,
    IndicatorView,
    MeasureSheet,
    ResultView,
    SectionView,
    SourceNote,
    TargetCell,
    TargetItem,
    TargetRow,
    TargetTable,
    UnitGroup,
    UnitRef,
    measure_sheet,
    measure_sheets,
    target_table,
)
from .subtrees import Scope
from .summary import (
    MatrixCell,
    MatrixRow,
    RatingMatrix,
    RatingSummary,
    SummaryCell,
    SummaryRow,
    rating_summaries,
    rating_summaries_each,
    summary_table,
)
from .years import MeasureYears, YearCell, YearRow, measure_years

__all__ = [
    "BULLETS",
    "MAX_QUERY_LENGTH",
    "MAX_TERMS",
    "MEASURES_PER_PAGE",
    "RESULTS_PER_PAGE",
    "ChangeGroup",
    "ChangeRow",
    "Choice",
    "CostBar",
    "CostCell",
    "CostChart",
    "CostColumn",
    "CostRow",
    "CostSum",
    "CostSumRow",
    "CostSummary",
    "CostTable",
    "CostTick",
    "Excerpt",
    "FieldDiff",
    "Fragment",
    "Highlight",
    "HighlightGroup",
    "IndicatorGroup",
    "IndicatorPoint",
    "IndicatorRow",
    "IndicatorView",
    "Line",
    "MarkerView",
    "MatrixCell",
    "MatrixRow",
    "MeasureSheet",
    "MeasureYears",
    "NoChanges",
    "NoComparison",
    "NodeOverview",
    "NodeRef",
    "OutlineNode",
    "PageInfo",
    "PlanHeader",
    "PlanOutline",
    "PlanSummary",
    "QueryError",
    "RatingChanges",
    "RatingMatrix",
    "RatingSummary",
    "RatingView",
    "ResultView",
    "Scope",
    "SearchGroup",
    "SearchHit",
    "SearchPage",
    "SectionView",
    "SourceNote",
    "SummaryCell",
    "SummaryRow",
    "TargetCell",
    "TargetItem",
    "TargetRow",
    "TargetTable",
    "Text",
    "UnitGroup",
    "UnitRef",
    "YearCell",
    "YearColumn",
    "YearComparison",
    "YearLink",
    "YearRow",
    "change_links",
    "change_years",
    "cost_summaries",
    "cost_summaries_each",
    "cost_table",
    "format_amount",
    "format_decimal",
    "format_rate",
    "marker_symbols",
    "measure_sheet",
    "measure_sheets",
    "measure_years",
    "node_get",
    "node_overview",
    "plan_list",
    "plan_outline",
    "rating_changes",
    "rating_summaries",
    "rating_summaries_each",
    "search_page",
    "search_terms",
    "summary_table",
    "target_table",
    "text_lines",
    "year_columns",
    "year_comparison",
    "year_label",
]
