"""How the public pages hold up at the size the data model is designed for.

Builds a plan of N measures (10 plan areas × 10 programmes × N/100 measures),
each with three targets and a rated result for every one of Y fiscal years, in
the database that DATABASE_URL names, then requests each kind of public page
several times and prints the number of queries and the median time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shinchoku_bench \
        .venv/bin/python bench/scale_pages.py --measures 100000 --years 10

The database is migrated first; the benchmark plan (code ``bench-scale``) is
replaced on every run. Other data in that database is left alone.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from shinchoku.plans.models import Dimension, Level, Node, Plan, Scale, ScaleLevel  # noqa: E402
from shinchoku.plans.services import outline_refresh  # noqa: E402
from shinchoku.published import changes  # noqa: E402
from shinchoku.progress.models import Rating, Result, Target  # noqa: E402

PLAN_CODE = "bench-scale"
FIRST_YEAR = 2011
BATCH = 5000


def build(measures: int, years: int, seed: int) -> None:
    rng = random.Random(seed)
    Plan.objects.filter(code=PLAN_CODE).delete()
    plan = Plan.objects.create(
        code=PLAN_CODE,
        title=f"規模確認用の計画({measures}施策)",
        first_year=FIRST_YEAR,
        last_year=FIRST_YEAR + years - 1,
    )
    levels = {
        key: Level.objects.create(plan=plan, depth=depth, key=key, name=name, rated=key == "measure")
        for depth, (key, name) in enumerate([("plan", "プラン"), ("programme", "アクションプログラム"), ("measure", "施策計画")])
    }
    scale, _ = Scale.objects.get_or_create(code="bench-five", defaults={"name": "達成状況区分"})
    scale_levels = [
        ScaleLevel.objects.get_or_create(scale=scale, code=str(n), defaults={"label": f"区分{n}", "position": n})[0]
        for n in range(1, 6)
    ]
    dimension = Dimension.objects.create(
        plan=plan, level=levels["measure"], key="achievement", name="達成状況区分", scale=scale, primary=True
    )

    def nodes_of(level: str, parents: list[Node | None], per_parent: int) -> list[Node]:
        created = Node.objects.bulk_create(
            [
                Node(
                    plan=plan,
                    parent=parent,
                    level=levels[level],
                    code=f"{parent.code}-{n + 1}" if parent else str(n + 1),
                    position=n,
                    title=f"{levels[level].name}{n + 1}",
                    summary="地域の課題を解決するための取組を推進します。" * 2,
                    path="",
                )
                for parent in parents
                for n in range(per_parent)
            ],
            batch_size=BATCH,
        )
        # Paths from the parents' paths, in one statement per level.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE plans_node SET path = COALESCE((SELECT p.path FROM plans_node p"
                " WHERE p.id = plans_node.parent_id), '/') || CAST(id AS TEXT) || '/' WHERE level_id = %s",
                [levels[level].pk],
            )
        return list(Node.objects.filter(level=levels[level]).order_by("path"))

    with transaction.atomic():
        areas = nodes_of("plan", [None], 10)
        programmes = nodes_of("programme", areas, 10)
        measure_nodes = nodes_of("measure", programmes, max(1, measures // 100))
    for start in range(0, len(measure_nodes), BATCH):
        chunk = measure_nodes[start : start + BATCH]
        with transaction.atomic():
            Target.objects.bulk_create(
                Target(node=node, row=1, position=k, start_year=FIRST_YEAR + k, end_year=FIRST_YEAR + k, text="●事業の推進")
                for node in chunk
                for k in range(min(3, years))
            )
            results = Result.objects.bulk_create(
                Result(
                    node=node,
                    fiscal_year=FIRST_YEAR + y,
                    text="・各区において取組を実施しました。" * 3,
                    highlight="・取組を実施しました。",
                )
                for node in chunk
                for y in range(years)
            )
            Rating.objects.bulk_create(
                Rating(result=result, dimension=dimension, level=rng.choice(scale_levels)) for result in results
            )
        print(f"  built {min(start + BATCH, len(measure_nodes))}/{len(measure_nodes)} measures", file=sys.stderr)
    started = time.perf_counter()
    derive(plan.pk)
    print(f"  derived in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def derive(plan_id: int) -> None:
    """Written in bulk, which no signal sees: the outline's keys made (``Node.outline``,
    by which pages and searches order nodes), and what was written said, so that the data
    version, the kept aggregates and the search documents are derived, as after an import."""
    outline_refresh(plan_id)
    with changes.batch():
        for label in ("plans.node", "progress.target", "progress.result", "progress.rating"):
            changes.plan_changed(plan_id, model=label)


def measure_pages(runs: int) -> list[tuple[str, str, int, float]]:
    plan = Plan.objects.get(code=PLAN_CODE)
    area = Node.objects.filter(plan=plan, parent=None).order_by("position").first()
    programme = Node.objects.filter(parent=area).order_by("position").last()
    measure = Node.objects.filter(parent=programme).order_by("position").last()
    pages = [
        ("home", "/"),
        ("plan", f"/plans/{plan.code}/"),
        ("plan area", f"/plans/{plan.code}/nodes/{area.code}/"),
        ("programme", f"/plans/{plan.code}/nodes/{programme.code}/"),
        ("measure sheet", f"/plans/{plan.code}/nodes/{measure.code}/"),
        # In every result: the first page of 100,000 measures; and in none.
        ("search, common", "/search/?q=%E5%8F%96%E7%B5%84"),  # 取組
        ("search, absent", "/search/?q=%E5%AD%98%E5%9C%A8%E3%81%97%E3%81%AA%E3%81%84"),  # 存在しない
    ]
    client = Client()
    rows = []
    for name, url in pages:
        client.get(url)  # warm-up
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        rows.append((name, url, len(queries), statistics.median(timings) * 1000))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--measures", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep an existing benchmark plan of this size")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    existing = Node.objects.filter(plan__code=PLAN_CODE, level__key="measure").count()
    if not (args.reuse and existing == (args.measures // 100) * 100):
        started = time.perf_counter()
        build(args.measures, args.years, args.seed)
        print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts = {
        "measures": Node.objects.filter(plan__code=PLAN_CODE, level__key="measure").count(),
        "results": Result.objects.filter(node__plan__code=PLAN_CODE).count(),
        "ratings": Rating.objects.filter(result__node__plan__code=PLAN_CODE).count(),
    }
    print(f"database: {connection.vendor}; " + ", ".join(f"{k}: {v:,}" for k, v in counts.items()))
    print(f"{'page':<14} {'queries':>7} {'median ms':>10}  url")
    for name, url, queries, milliseconds in measure_pages(args.runs):
        print(f"{name:<14} {queries:>7} {milliseconds:>10.1f}  {url}")


if __name__ == "__main__":
    main()
