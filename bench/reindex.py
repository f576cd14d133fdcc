"""What a round's publish costs the search index: the search documents of a round's
measures written again, as a results round's publish has them written (that year's
results only), against every document of those measures (what a change to the nodes
themselves, or a writer that does not say what it wrote, has written).

Each way runs in a transaction rolled back at its end, twice, alternately; the table
prints the time, the documents deleted and written, and their ratio.

The rows written and rolled back stay in the tables and their indexes as dead rows
(560,000 documents a run of ``--nodes 10000``) until a vacuum: run
``VACUUM ANALYZE`` before measuring the searches on the same database. After four runs
unvacuumed, one character took 27 ms a search in one process against 7 (a block of nodes
asked of the index of tokens read each dead document's row to find it dead), 8.4 once
vacuumed; the index of tokens, 120 MB as the benchmark built it, was 222 MB, and 92 once
made again (``REINDEX``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shinchoku_load100k \\
        .venv/bin/python bench/reindex.py --nodes 10000

Needs the benchmark plan already built (``public_load.py --measures … --years …``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
_ARGUMENTS, sys.argv[1:] = sys.argv[1:], []  # public_load reads no arguments of ours

import public_load  # noqa: E402  (sets Django up)
from django.db import transaction  # noqa: E402
from django.db.models import Max  # noqa: E402

from shinchoku.plans.models import Node, Plan  # noqa: E402
from shinchoku.progress.models import Result  # noqa: E402
from shinchoku.published.changes import Change  # noqa: E402
from shinchoku.search import indexing  # noqa: E402
from shinchoku.search.models import SearchDocument  # noqa: E402


def timed(change: Change) -> tuple[float, int]:
    """Seconds to refresh the documents of ``change``, and the documents written after."""
    with transaction.atomic():
        started = time.perf_counter()
        indexing.refresh(change)
        seconds = time.perf_counter() - started
        written = SearchDocument.objects.filter(node_id__in=sorted(change.nodes or ())).count()
        transaction.set_rollback(True)
    return seconds, written


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=10000, help="the round's measures (10,000)")
    parser.add_argument("--runs", type=int, default=2, help="runs of each way, alternately (2)")
    args = parser.parse_args(_ARGUMENTS)
    plan = Plan.objects.get(code=public_load.scale_pages.PLAN_CODE)
    year = Result.objects.filter(node__plan=plan).aggregate(last=Max("fiscal_year"))["last"]
    measures = frozenset(
        Result.objects.filter(node__plan=plan, fiscal_year=year)
        .order_by("node_id")
        .values_list("node_id", flat=True)[: args.nodes]
    )
    documents = SearchDocument.objects.filter(node_id__in=sorted(measures))
    held = documents.count()
    of_year = documents.filter(kind=SearchDocument.Kind.RESULT, start_year=year).count()
    ways = {
        f"the year's results ({year})": Change(
            plan.pk, measures, frozenset({"progress.result", "progress.cost"}), years=frozenset({year})
        ),
        "every document of the measures": Change(plan.pk, measures, frozenset({""})),
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _run in range(args.runs):
        for name, change in ways.items():
            seconds, written = timed(change)
            assert written == held, (name, written, held)  # the same documents, written again
            times[name].append(seconds)
    print(
        f"{len(measures):,} measures of {Node.objects.filter(plan=plan).count():,} nodes: "
        f"{held:,} documents, {of_year:,} of them the year's results"
    )
    print("| written again | documents | seconds (best) | runs | × every document |")
    print("|---|---:|---:|---|---:|")
    every = min(times["every document of the measures"])
    for name, seconds in times.items():
        count = of_year if name.startswith("the year") else held
        runs = ", ".join(f"{value:.2f}" for value in seconds)
        print(f"| {name} | {count:,} | {min(seconds):.2f} | {runs} | {min(seconds) / every:.3f} |")


if __name__ == "__main__":
    main()
