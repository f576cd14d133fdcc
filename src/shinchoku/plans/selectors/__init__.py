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
summary table) and ``search`` (the public search). Their public names are all
importable from this package.
"""

from .aggregates import CostSum, CostSummary, CostSumRow, cost_summaries, cost_summaries_each, format_amount
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

__all__ = [
    "BULLETS",
    "MAX_QUERY_LENGTH",
    "MAX_TERMS",
    "MEASURES_PER_PAGE",
    "RESULTS_PER_PAGE",
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
    "NodeOverview",
    "NodeRef",
    "OutlineNode",
    "PageInfo",
    "PlanHeader",
    "PlanOutline",
    "PlanSummary",
    "QueryError",
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
    "YearColumn",
    "cost_summaries",
    "cost_summaries_each",
    "cost_table",
    "format_amount",
    "format_decimal",
    "format_rate",
    "marker_symbols",
    "measure_sheet",
    "measure_sheets",
    "node_get",
    "node_overview",
    "plan_list",
    "plan_outline",
    "rating_summaries",
    "rating_summaries_each",
    "search_page",
    "search_terms",
    "summary_table",
    "target_table",
    "text_lines",
    "year_columns",
    "year_label",
]
