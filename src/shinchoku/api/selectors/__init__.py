"""The reads of the API, each returning the response schema it answers with, filled in,
each in a fixed number of queries whatever the size of the plan (tests/api/test_queries.py).
By concern: ``plans`` (the plans, a plan's vocabulary and outline), ``nodes`` (pages of
nodes, one node), ``progress`` (a node's results, ratings, targets, indicators and costs; a
plan's ratings), ``aggregates`` (the counts and totals kept at write time) and ``search``.
"""

from .aggregates import cost_totals, rating_counts, year_summary
from .common import NotFound
from .nodes import MAX_PAGE_SIZE, PAGE_SIZE, NodeFilter, node_detail, node_page
from .plans import plan_detail, plan_list
from .progress import RatingFilter, node_costs, node_indicators, node_results, node_targets, rating_page
from .search import SearchRefused, search

__all__ = [
    "MAX_PAGE_SIZE",
    "PAGE_SIZE",
    "NodeFilter",
    "NotFound",
    "RatingFilter",
    "SearchRefused",
    "cost_totals",
    "node_costs",
    "node_detail",
    "node_indicators",
    "node_page",
    "node_results",
    "node_targets",
    "plan_detail",
    "plan_list",
    "rating_counts",
    "rating_page",
    "search",
    "year_summary",
]
