"""The counts and totals kept at write time (``shinchoku.published.aggregates``) are the
ones counted afresh from the rows, on plans of random content, after each kind of write:
a plan imported, a round published, rows edited through the audited services, a node
moved or deleted. What is made again for a few nodes is what a whole plan's refresh
makes; and the pages read a few kept rows, not the ratings."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shinchoku.accounts.models import Role
from shinchoku.interchange.importing import import_apply
from shinchoku.plans import selectors
from shinchoku.plans import services as plan_services
from shinchoku.plans.formats.dataset.export import dumps, export_dataset
from shinchoku.plans.models import Dimension, Level, Marker, Node, Plan, ScaleLevel
from shinchoku.plans.selectors import Scope, cost_summaries_each, rating_summaries_each
from shinchoku.plans.selectors.summary import published_years
from shinchoku.progress import services as progress_services
from shinchoku.progress.models import Cost, Rating, Result
from shinchoku.published import aggregates
from shinchoku.published import changes as published
from shinchoku.published.changes import Change
from shinchoku.published.models import CostTotal, NodeCount, RatingCount, ResultYear
from shinchoku.reports.selectors import report_years
from shinchoku.review import services as review_services
from shinchoku.review.models import Entry, Round
from tests.factories import (
    add_target,
    add_unit,
    make_dimension,
    make_node,
    make_plan,
    make_scale,
    make_staff,
    make_unit,
)
from tests.plans.costed import make_verdict_scale

pytestmark = pytest.mark.django_db

FIRST, LAST = 2011, 2015


@dataclass
class Random:
    plan: Plan
    rng: random.Random
    areas: list[Node]
    programmes: list[Node]
    measures: list[Node]
    projects: list[Node]
    dimensions: dict[int, list[Dimension]]  # by level id
    levels: dict[int, list[ScaleLevel]]  # by dimension id
    markers: list[Marker]


def _figure(rng: random.Random, high: int) -> int | None:
    return rng.choice([None, rng.randrange(0, high)])


def _rows(world: Random, nodes: list[Node]) -> None:
    """Results on some years of each rated node, rated on some of its dimensions, and
    costs, some figures left out: written in bulk, and said so."""
    rng = world.rng
    results = Result.objects.bulk_create(
        Result(node=node, fiscal_year=year, text="結果")
        for node in nodes
        for year in range(FIRST, LAST + 1)
        if rng.random() < 0.7
    )
    by_pk = {node.pk: node for node in nodes}
    Rating.objects.bulk_create(
        Rating(result=result, dimension=dimension, level=rng.choice(world.levels[dimension.pk]))
        for result in results
        for dimension in world.dimensions[by_pk[result.node_id].level_id]
        if rng.random() < 0.85
    )
    costs = []
    for node in nodes:
        for year, basis in [(None, Cost.Basis.PLAN), *((y, Cost.Basis.ACTUAL) for y in range(FIRST, LAST))]:
            if rng.random() < 0.5:
                continue
            hours = rng.choice([None, Decimal(rng.randrange(0, 100_000)) / 100])
            cost = Cost(
                node=node,
                fiscal_year=year,
                basis=basis,
                national=_figure(rng, 10**9),
                general=_figure(rng, 10**9),
                project_cost=_figure(rng, 10**10),
                staff_count=rng.choice([None, Decimal(rng.randrange(0, 1_000)) / 100]),
                staff_hours=hours,
            )
            cost.derive(4_000 if year else None)
            costs.append(cost)
    Cost.objects.bulk_create(costs)
    published.plan_changed(world.plan.pk, nodes=[node.pk for node in nodes])


def make_random(seed: int) -> Random:
    """Plan areas, programmes under some, measures (rated) under programmes and directly
    under an area, projects (rated too) under some measures; two dimensions on the
    measures (one a matrix scale), one on the projects; markers on some measures."""
    rng = random.Random(seed)
    plan = make_plan(first_year=FIRST, last_year=LAST)
    area_level, programme_level, measure_level, project_level = (
        Level.objects.create(plan=plan, depth=depth, key=key, name=name, rated=rated)
        for depth, (key, name, rated) in enumerate(
            [
                ("area", "プラン", False),
                ("programme", "プログラム", False),
                ("measure", "施策", True),
                ("project", "事業", True),
            ]
        )
    )
    achievement, verdict = make_scale(), make_verdict_scale(f"verdict-{plan.code}")
    dimensions = {
        measure_level.pk: [
            make_dimension(plan, measure_level, achievement, key="achievement"),
            make_dimension(plan, measure_level, verdict, key="verdict", primary=False),
        ],
        project_level.pk: [make_dimension(plan, project_level, achievement, key="project")],
    }
    markers = [
        Marker.objects.create(plan=plan, symbol=symbol, name=symbol, position=n)
        for n, symbol in enumerate(["○", "重点"])
    ]
    world = Random(
        plan=plan,
        rng=rng,
        areas=[],
        programmes=[],
        measures=[],
        projects=[],
        dimensions=dimensions,
        levels={d.pk: list(d.scale.levels.all()) for ds in dimensions.values() for d in ds},
        markers=markers,
    )
    unit = make_unit(code=f"unit-{plan.code}")
    for a in range(3):
        area = make_node(area_level, code=f"{a}", position=a)
        world.areas.append(area)
        parents = [area]
        for p in range(rng.randrange(0, 3)):
            programme = make_node(programme_level, area, code=f"{a}-{p}", position=p)
            world.programmes.append(programme)
            parents.append(programme)
        for parent in parents:
            for m in range(rng.randrange(0, 5)):
                measure = make_node(
                    measure_level, parent, code=f"{parent.code}-m{m}", position=rng.randrange(3)
                )
                measure.markers.set(rng.sample(markers, rng.randrange(0, 3)))
                add_unit(measure, unit)
                world.measures.append(measure)
                for j in range(rng.choice([0, 0, 2])):
                    world.projects.append(make_node(project_level, measure, code=f"{measure.code}-{j}"))
    _rows(world, world.measures + world.projects)
    return world


# ------------------------------------------------------------------------- checks


def _kept_rows(plan: Plan) -> dict[str, list[tuple[Any, ...]]]:
    return {
        model.__name__: sorted(
            (
                tuple(row.values())
                for row in model.objects.filter(plan=plan).values(
                    *(f.attname for f in model._meta.concrete_fields if f.attname != "id")
                )
            ),
            key=repr,
        )
        for model in (RatingCount, CostTotal, ResultYear, NodeCount)
    }


def _years_counted(plan: Plan, under: Node | None) -> tuple[int, ...]:
    results = Result.objects.filter(
        node__plan=plan, fiscal_year__gte=plan.first_year, fiscal_year__lte=plan.last_year
    )
    if under is not None:
        results = results.filter(node__path__startswith=under.path)
    return tuple(sorted(set(results.values_list("fiscal_year", flat=True))))


def assert_kept_as_counted(plan: Plan) -> None:
    """Every page's figures read from the kept rows equal those counted afresh, and the
    kept rows are those a whole plan's refresh makes."""
    plan = Plan.objects.get(pk=plan.pk)
    areas = list(Node.objects.filter(plan=plan, parent=None).select_related("level"))
    nodes = list(Node.objects.filter(plan=plan, level__rated=False).select_related("level"))
    assert published_years(plan) == published_years(plan, live=True)
    scopes = [Scope.of(), Scope.of(each=areas), *(Scope.of(under=node) for node in nodes)]
    for scope in scopes:
        fresh = Scope.of(under=scope.under, each=scope.each, live=True)
        assert scope.kept and not fresh.kept
        assert rating_summaries_each(plan, scope) == rating_summaries_each(plan, fresh), scope
        some = [FIRST + 1, FIRST + 3]
        assert rating_summaries_each(plan, scope, years=some, matrix_year=FIRST + 1) == rating_summaries_each(
            plan, fresh, years=some, matrix_year=FIRST + 1
        )
        assert cost_summaries_each(plan, scope) == cost_summaries_each(plan, fresh), scope
    for under in [None, *nodes]:
        assert report_years(plan, under=under) == _years_counted(plan, under)
    measure_level = Level.objects.filter(plan=plan, rated=True).order_by("depth").first()
    measures = Node.objects.filter(plan=plan, level=measure_level)
    (listed,) = [item for item in selectors.plan_list() if item.plan.code == plan.code]
    assert listed.measure_count == measures.count()
    outline = selectors.plan_outline(plan.code)
    assert outline.measure_count == measures.count()
    stack = list(outline.roots)
    while stack:
        item = stack.pop()
        node = Node.objects.get(plan=plan, code=item.node.code)
        assert item.measure_count == measures.filter(path__startswith=node.path).count(), node
        stack.extend(item.children)
    for area in areas:
        shown = []
        overview = selectors.node_overview(area, page=1)
        for page in range(1, overview.page.num_pages + 1):
            shown += [
                h.node.code for g in selectors.node_overview(area, page=page).highlights for h in g.items
            ]
        assert sorted(shown) == sorted(
            measures.filter(path__startswith=area.path).values_list("code", flat=True)
        )
    kept = _kept_rows(plan)
    with transaction.atomic():
        aggregates.refresh(Change(plan_id=plan.pk, nodes=None, models=frozenset({""})))
        assert _kept_rows(plan) == kept
        transaction.set_rollback(True)


SEEDS = [1, 2, 3]


@pytest.mark.parametrize("seed", SEEDS)
def test_kept_as_counted_after_rows_written_in_bulk(seed: int) -> None:
    world = make_random(seed)
    assert RatingCount.objects.filter(plan=world.plan).exists()
    assert_kept_as_counted(world.plan)


@pytest.mark.parametrize("seed", SEEDS)
def test_kept_as_counted_after_a_plan_is_imported_and_imported_again_changed(seed: int) -> None:
    world = make_random(seed)
    data = export_dataset([world.plan])
    world.plan.delete()
    assert not RatingCount.objects.exists()
    import_apply(dumps(data).encode(), "dataset.json", actor=None)
    plan = Plan.objects.get(code=world.plan.code)
    assert_kept_as_counted(plan)

    rng = world.rng
    # Again, with results left out, a measure moved to another parent and one left out.
    data["results"] = [row for row in data["results"] if rng.random() < 0.7]
    by_id = {row["id"]: row for row in data["nodes"]}
    measures = [row for row in data["nodes"] if row["level_key"] == "measure"]
    parents = [row for row in data["nodes"] if row["level_key"] in ("area", "programme")]
    if measures:
        moved = rng.choice(measures)
        moved["parent_id"] = rng.choice([p for p in parents if p["id"] != moved["parent_id"]])["id"]
        dropped = rng.choice(measures)
        gone = {dropped["id"]} | {row["id"] for row in data["nodes"] if row["parent_id"] == dropped["id"]}
        for name in ("nodes", "targets", "results", "indicators", "costs"):
            data[name] = [row for row in data[name] if (row.get("node_id") or row.get("id")) not in gone]
    assert by_id
    import_apply(dumps(data).encode(), "dataset.json", actor=None)
    assert_kept_as_counted(plan)


@pytest.mark.parametrize("seed", SEEDS)
def test_kept_as_counted_after_a_round_is_published(seed: int) -> None:
    world = make_random(seed)
    admin = make_staff(Role.ADMINISTRATOR, username="kikaku")
    editor = make_staff(Role.EDITOR, unit=make_unit(code=f"unit-{world.plan.code}"), username="tanto")
    reviewer = make_staff(Role.REVIEWER, username="shinsa")
    round_ = review_services.round_open(
        world.plan, LAST, Round.Kind.RESULTS, timezone.localdate() + timedelta(days=14), actor=admin
    )
    entries = list(Entry.objects.filter(round=round_, node__level__key="measure").select_related("node"))
    assert entries or not world.measures
    for entry in entries:
        if world.rng.random() < 0.3:
            continue
        ratings = {
            d.pk: world.rng.choice(world.levels[d.pk]).pk for d in world.dimensions[entry.node.level_id]
        }
        data = {
            "text": "・実施しました。",
            "context_change": "・変化",
            "response": "・対応",
            "ratings": ratings,
            "costs": {"project_cost": "1,234", "staff_hours": "10.25"},
        }
        entry = review_services.entry_save(entry, data, actor=editor, expected_version=entry.version)
        entry = review_services.entry_transition(
            entry, "submit", actor=editor, expected_version=entry.version
        )
        review_services.entry_transition(entry, "approve", actor=reviewer, expected_version=entry.version)
    if Entry.objects.filter(round=round_, state=Entry.State.APPROVED).exists():
        review_services.round_publish(round_, actor=admin)
        assert Result.objects.filter(node__plan=world.plan, text="・実施しました。").exists()
    assert_kept_as_counted(world.plan)


@pytest.mark.parametrize("seed", SEEDS)
def test_kept_as_counted_after_rows_edited_and_nodes_moved_and_deleted_through_the_services(
    seed: int,
) -> None:
    world = make_random(seed)
    rng = world.rng
    admin = make_staff(Role.ADMINISTRATOR, username="kikaku")
    ratings = list(Rating.objects.filter(result__node__plan=world.plan).select_related("dimension"))
    for rating in rng.sample(ratings, min(3, len(ratings))):
        other = rng.choice(world.levels[rating.dimension_id])
        progress_services.rating_update(rating, data={"level": other}, actor=admin)
    assert_kept_as_counted(world.plan)
    costs = list(Cost.objects.filter(node__plan=world.plan))
    for cost in rng.sample(costs, min(2, len(costs))):
        progress_services.cost_update(cost, data={"project_cost": rng.randrange(10**8)}, actor=admin)
    results = list(Result.objects.filter(node__plan=world.plan))
    for result in rng.sample(results, min(2, len(results))):
        progress_services.result_delete(result, actor=admin)
    assert_kept_as_counted(world.plan)
    if world.measures:
        moved = rng.choice(world.measures)
        parent = rng.choice([n for n in world.areas + world.programmes if n.pk != moved.parent_id])
        plan_services.node_update(Node.objects.get(pk=moved.pk), data={"parent": parent}, actor=admin)
        assert_kept_as_counted(world.plan)
        marked = Node.objects.get(pk=rng.choice(world.measures).pk)
        plan_services.node_update(marked, data={"markers": world.markers[:1]}, actor=admin)
        assert_kept_as_counted(world.plan)
    for node in [rng.choice(world.measures)] if world.measures else []:
        plan_services.node_delete(Node.objects.get(pk=node.pk), actor=admin)
    plan_services.node_delete(Node.objects.get(pk=world.areas[0].pk), actor=admin)
    assert_kept_as_counted(world.plan)


def test_an_edit_refreshes_only_the_ancestors_and_reads_a_few_rows() -> None:
    world = make_random(4)
    measure = next(m for m in world.measures if Rating.objects.filter(result__node=m).exists())
    rating = Rating.objects.filter(result__node=measure).first()
    assert rating is not None
    admin = make_staff(Role.ADMINISTRATOR, username="kikaku")
    other = next(level for level in world.levels[rating.dimension_id] if level.pk != rating.level_id)
    with CaptureQueriesContext(connection) as context:
        progress_services.rating_update(rating, data={"level": other}, actor=admin)
    statements = [
        q["sql"] for q in context.captured_queries if "INSERT INTO" in q["sql"] and "published_" in q["sql"]
    ]
    # The rating counts of the measure's area, its programme (if any) and the plan: no other table.
    assert all("published_ratingcount" in sql for sql in statements)
    assert len(statements) == len(measure.ancestor_ids()) + 1
    assert_kept_as_counted(world.plan)


def test_the_pages_count_no_rating_and_no_node() -> None:
    world = make_random(6)
    area = Node.objects.select_related("plan", "level").get(pk=world.areas[0].pk)
    with CaptureQueriesContext(connection) as context:
        selectors.plan_list()
        selectors.plan_outline(world.plan.code)
        selectors.node_overview(area)
        report_years(world.plan, under=area)
    counting = [
        q["sql"]
        for q in context.captured_queries
        if ("COUNT(" in q["sql"] or "DISTINCT" in q["sql"])
        and any(
            table in q["sql"]
            for table in ("progress_rating", "progress_result", "plans_node", "progress_cost")
        )
    ]
    assert counting == []


def test_a_target_written_refreshes_nothing() -> None:
    world = make_random(5)
    before = _kept_rows(world.plan)
    node = world.measures[0] if world.measures else world.areas[0]
    with CaptureQueriesContext(connection) as context:
        add_target(node, FIRST, FIRST, "目標")
    assert not [q for q in context.captured_queries if "published_ratingcount" in q["sql"]]
    assert _kept_rows(world.plan) == before
