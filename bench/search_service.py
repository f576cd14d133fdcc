"""The search's own cost: each class of search of ``bench/public_load.py``, asked in this
one process one at a time (no server, no concurrency, no page cache), timed from the
request's parameters to the page's data (``search_page``; the template is not drawn).

Under load, a page's latency is this cost times the requests queued for each core: the
figures say how much of a search's p95 in ``public_load.py`` is its own work.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shinchoku_load100k \\
        .venv/bin/python bench/search_service.py --per-class 40

Needs the benchmark plan already built (``public_load.py --measures … --years …``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
_ARGUMENTS, sys.argv[1:] = sys.argv[1:], []  # public_load reads no arguments of ours

import public_load  # noqa: E402  (sets Django up)

from shinchoku.plans.models import Plan  # noqa: E402
from shinchoku.plans.selectors.search import search_page  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-class", type=int, default=40, help="searches drawn from each class (40)")
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args(_ARGUMENTS)
    plan = Plan.objects.get(code=public_load.scale_pages.PLAN_CODE)
    classes = public_load.pages(plan, distinct_measures=1000, seed=1)
    rng = random.Random(args.seed)  # noqa: S311  (a reproducible draw)
    print("| search | searches | median ms | p95 ms | max ms | slowest |")
    print("|---|---:|---:|---:|---:|---|")
    for name, paths in classes.items():
        if not name.startswith("search"):
            continue
        timed = []
        for path in rng.sample(paths, min(args.per_class, len(paths))):
            query = {key: values[0] for key, values in parse_qs(urlparse(path).query).items()}
            search_page(**query)  # the first asking reads the statistics and warms the caches
            started = time.perf_counter()
            search_page(**query)
            timed.append(((time.perf_counter() - started) * 1000, query))
        times = sorted(ms for ms, _query in timed)
        slowest = max(timed, key=lambda item: item[0])[1]
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(
            f"| {name} | {len(times)} | {statistics.median(times):.1f} | {p95:.1f} | {times[-1]:.1f} "
            f"| {' '.join(f'{key}={value}' for key, value in slowest.items())} |"
        )


if __name__ == "__main__":
    main()
