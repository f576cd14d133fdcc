"""Writing a plan's content costs the same few queries however many nodes it adds: the
new nodes are inserted a generation of the tree at a time and the new rows of each kind
(indicators and their values, results with their ratings and section texts, costs,
markers, unit roles, section texts) together, validated in memory; a plan written again
reads each kind of a node's children once for all nodes. The content is read from a
made-up workbook in Ōfunato's layout with 10 and with 100 projects under the same
政策, 施策 and 基本事業."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinchoku.interchange.importing import import_preview
from shinchoku.plans.content import PlanContent
from shinchoku.plans.formats.profile.profile import read_profile
from shinchoku.plans.models import Node
from shinchoku.plans.writing import Origin, plan_apply
from shinchoku.progress.models import Cost, IndicatorValue, Rating
from tests.plans.formats.profile.workbooks import PROFILE, many_projects, ofunato_workbook

pytestmark = pytest.mark.django_db

#: The queries of writing the whole plan from an empty instance, at any size. What the
#: public reads derived from it (shinchoku.published.changes: the data version, the kept
#: aggregates, the search documents, written in batches) is counted apart: DERIVED.
MOST_QUERIES_NEW = 440
#: The queries of writing it again with every project's texts changed, at any size.
MOST_QUERIES_AGAIN = 110


def content_of(count: int, *, summary: str = "架空の事業の概要。") -> PlanContent:
    projects = many_projects(count, policies=2, measures=4, basics=5)
    for project in projects:
        project.summary = summary
    preview = import_preview(
        ofunato_workbook(projects), "city.xlsx", actor=None, profile=read_profile(PROFILE)
    )
    assert preview.ok, [str(problem) for problem in preview.all_problems][:5]
    content = preview.payload
    assert isinstance(content, PlanContent)
    return content


#: The tables derived from the plan's data, whose writes grow with it in batches.
DERIVED = ("published_", "search_")


@contextmanager
def at_most(count: int) -> Iterator[None]:
    """The plan's own queries (not those of its derived data) number at most ``count``."""
    with CaptureQueriesContext(connection) as queries:
        yield
    own = [query["sql"] for query in queries.captured_queries if not any(t in query["sql"] for t in DERIVED)]
    assert len(own) <= count, f"{len(own)} queries, expected at most {count}"


def write(content: PlanContent) -> Any:
    return plan_apply(content, actor=None, origin=Origin(file="city.xlsx", importer="profile"))


@pytest.mark.parametrize("count", [10, 100])
def test_writing_new_nodes_costs_the_same_queries_at_any_size(count: int) -> None:
    content = content_of(count)
    with at_most(MOST_QUERIES_NEW):
        summary = write(content)
    assert summary.written
    assert Node.objects.filter(level__key="jimu-jigyo").count() == count
    # Every kind of child is there, for every project.
    assert Cost.objects.values("node").distinct().count() == count
    assert Rating.objects.values("result__node").distinct().count() == count
    assert IndicatorValue.objects.values("indicator__node").distinct().count() == count


@pytest.mark.parametrize("count", [10, 100])
def test_writing_a_plan_again_reads_each_kind_once_at_any_size(count: int) -> None:
    write(content_of(count))
    changed = content_of(count, summary="架空の事業の概要を改めた。")
    with at_most(MOST_QUERIES_AGAIN + count):  # a changed node is saved on its own
        summary = write(changed)
    assert summary.written
    assert set(Node.objects.filter(level__key="jimu-jigyo").values_list("summary", flat=True)) == {
        "架空の事業の概要を改めた。"
    }
