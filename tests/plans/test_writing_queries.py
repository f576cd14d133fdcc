"""Writing a plan's content costs the same few queries however many nodes it adds: the
new nodes are inserted a generation of the tree at a time and the new rows of each kind
(indicators and their values, results with their ratings and section texts, costs,
markers, unit roles, section texts) together, validated in memory; a plan written again
reads each kind of a node's children once for all nodes. The content is read from a
made-up workbook in Ōfunato's layout with 10 and with 100 projects under the same
政策, 施策 and 基本事業."""

from __future__ import annotations

from typing import Any

import pytest

from shinchoku.interchange.importing import import_preview
from shinchoku.plans.content import PlanContent
from shinchoku.plans.formats.profile.profile import read_profile
from shinchoku.plans.models import Node
from shinchoku.plans.writing import Origin, plan_apply
from shinchoku.progress.models import Cost, IndicatorValue, Rating
from tests.plans.formats.profile.workbooks import PROFILE, many_projects, ofunato_workbook

pytestmark = pytest.mark.django_db

#: The queries of writing the whole plan from an empty instance, at any size (with what
#: the public reads derived from it, shinchoku.published.changes, a fixed number).
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


def write(content: PlanContent) -> Any:
    return plan_apply(content, actor=None, origin=Origin(file="city.xlsx", importer="profile"))


@pytest.mark.parametrize("count", [10, 100])
def test_writing_new_nodes_costs_the_same_queries_at_any_size(
    count: int, django_assert_max_num_queries: Any
) -> None:
    content = content_of(count)
    with django_assert_max_num_queries(MOST_QUERIES_NEW):
        summary = write(content)
    assert summary.written
    assert Node.objects.filter(level__key="jimu-jigyo").count() == count
    # Every kind of child is there, for every project.
    assert Cost.objects.values("node").distinct().count() == count
    assert Rating.objects.values("result__node").distinct().count() == count
    assert IndicatorValue.objects.values("indicator__node").distinct().count() == count


@pytest.mark.parametrize("count", [10, 100])
def test_writing_a_plan_again_reads_each_kind_once_at_any_size(
    count: int, django_assert_max_num_queries: Any
) -> None:
    write(content_of(count))
    changed = content_of(count, summary="架空の事業の概要を改めた。")
    with django_assert_max_num_queries(MOST_QUERIES_AGAIN + count):  # a changed node is saved on its own
        summary = write(changed)
    assert summary.written
    assert set(Node.objects.filter(level__key="jimu-jigyo").values_list("summary", flat=True)) == {
        "架空の事業の概要を改めた。"
    }
