"""What a measure page costs to make: milliseconds of Python and of database per page.

Requests measure pages through Django's test client (the whole middleware stack, the
view and its templates; no server, no network), the page cache off, and splits each
page's time into the database's (the time its queries take to execute, the rows sent
back included) and the rest: Python, the ORM's and the templates' work; and the
process's CPU time per page, which other programs on the machine disturb less than
the wall time (on SQLite it holds the database's work too). Each run is a
separate process that first requests every page once (warm-up), then the same pages
again, drawn at random from up to ``--distinct`` measures.

    .venv/bin/python bench/measure_page.py --measures 1000 --years 5 --runs 3

makes a scratch SQLite database with a synthetic plan (``shinchoku synth``); with
``--database-url`` it reads the measures of ``--plan`` in an existing database instead,
for example the one ``bench/scale_pages.py`` builds:

    .venv/bin/python bench/measure_page.py --runs 3 --plan bench-scale \\
        --database-url postgres://postgres@127.0.0.1:5432/shinchoku_bench

``--previous REV`` also runs the pages as the code of git revision REV makes them (its
``src`` exported with ``git archive`` and put first on the import path), run for run in
turn with the current code, to compare a change with what it replaces. ``--profile N``
runs the current code once more under cProfile and prints its N most costly functions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from processes import previous_src as exported_src
from processes import synthesize

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Version:
    """A version of the code, and what each of its runs measured per page."""

    label: str
    env: dict[str, str]
    runs: list[dict[str, float]] = field(default_factory=list)

    def median(self, key: str) -> float:
        return statistics.median(run[key] for run in self.runs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measures", type=int, default=1000, help="of the synthetic plan")
    parser.add_argument("--years", type=int, default=5, help="of the synthetic plan")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="an existing database instead of a synthetic plan")
    parser.add_argument("--plan", help="the plan whose measures are read (default synth-<seed>)")
    parser.add_argument("--pages", type=int, default=300, help="pages requested per run")
    parser.add_argument("--distinct", type=int, default=1000, help="measures the pages are drawn from")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--previous", metavar="REV", help="also run the code of git revision REV")
    parser.add_argument(
        "--previous-src", metavar="DIR", help="also run the code in DIR (a copy of src), as --previous"
    )
    parser.add_argument("--profile", type=int, metavar="N", help="print the N most costly functions")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(Path(args.worker), profile=args.profile)
        return

    work = Path(tempfile.mkdtemp(prefix="shinchoku-bench-"))
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench"),
        "ALLOWED_HOSTS": "testserver",
        "SHINCHOKU_VAR_DIR": str(work),
        "LOG_LEVEL": "WARNING",
    }
    plan = args.plan or f"synth-{args.seed}"
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
        synthesize(env, measures=args.measures, years=args.years, seed=args.seed)

    pages = work / "pages.json"
    pages.write_text(
        json.dumps({"plan": plan, "pages": args.pages, "distinct": args.distinct, "seed": args.seed})
    )
    versions = [Version("current", env)]
    previous_src = Path(args.previous_src).resolve() if args.previous_src else None
    if args.previous:
        previous_src = exported_src(args.previous, work)
    if previous_src:
        versions.append(
            Version(
                f"at {args.previous or previous_src.parent.name}",
                {**env, "PYTHONPATH": str(previous_src), "STATIC_ROOT": str(work / "previous-static")},
            )
        )
    # Static files with hashed names, as production serves them (the pages name them).
    for version in versions:
        subprocess.run(
            [sys.executable, "-m", "shinchoku", "collectstatic", "--noinput", "-v0"],
            env=version.env,
            check=True,
        )

    command = [sys.executable, __file__, "--worker", str(pages)]
    for number in range(args.runs):
        for version in versions:
            done = subprocess.run(command, env=version.env, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"{version.label} failed:\n{done.stderr[-3000:]}")
            version.runs.append(json.loads(done.stdout.splitlines()[-1]))
        line = "; ".join(f"{v.label} {v.runs[-1]['total']:.1f} ms" for v in versions)
        print(f"run {number + 1}: {line}", file=sys.stderr)

    first = versions[0].runs[0]
    print(
        f"database: {first['vendor']}; plan {plan}: {first['measures']:.0f} distinct measure pages, "
        f"{args.pages} requests a run, {args.runs} runs (medians of the runs' means)"
    )
    heading = f"{'code':<22}{'queries':>8}{'ms/page':>9}{'Python ms':>11}{'database ms':>13}"
    print(f"{heading}{'p95 ms':>8}{'CPU ms':>8}")
    for version in versions:
        print(
            f"{version.label:<22}{version.median('queries'):>8.1f}{version.median('total'):>9.2f}"
            f"{version.median('python'):>11.2f}{version.median('database'):>13.2f}{version.median('p95'):>8.2f}"
            f"{version.median('cpu'):>8.2f}"
        )
    if previous_src:
        current, previous = versions
        for key, what in (("python", "Python time"), ("cpu", "CPU time")):
            pairs = [p[key] / c[key] for c, p in zip(current.runs, previous.runs, strict=True)]
            print(f"{what}, previous / current, run by run: median {statistics.median(pairs):.2f}x")
    if args.profile:
        subprocess.run([*command, "--profile", str(args.profile)], env=env, check=True)


def worker(pages_file: Path, *, profile: int | None) -> None:
    """One run: every page once to warm up, then the drawn pages, timed; prints the means
    per page as one line of JSON (or, with ``profile``, the profile of the timed pages)."""
    import time

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client, override_settings

    from shinchoku.plans.models import Node

    spec = json.loads(pages_file.read_text())
    codes = list(
        Node.objects.filter(plan__code=spec["plan"], level__rated=True)
        .order_by("pk")
        .values_list("code", flat=True)
    )
    if not codes:
        raise SystemExit(f"the plan {spec['plan']} has no measures in this database")
    rng = random.Random(spec["seed"])  # noqa: S311 - the same pages on every run, not a secret
    distinct = rng.sample(codes, min(spec["distinct"], len(codes)))
    addresses = [f"/plans/{spec['plan']}/nodes/{code}/" for code in distinct]
    drawn = [rng.choice(addresses) for _ in range(spec["pages"])]
    client = Client()

    def get(address: str) -> None:
        response = client.get(address, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"{address}: {response.status_code}")

    # Whatever caches whole pages is off: the page is made every time.
    with override_settings(PUBLIC_PAGE_CACHE=False):
        for address in addresses:
            get(address)
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for address in drawn:
                get(address)
            profiler.disable()
            stats = pstats.Stats(profiler).strip_dirs()
            stats.sort_stats("tottime").print_stats(profile)
            stats.sort_stats("cumulative").print_stats(profile)
            return
        totals, cpus, databases, queries = [], [], [], []
        spent: list[float] = []

        def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent.append(time.perf_counter() - started)

        for address in drawn:
            spent.clear()
            with connection.execute_wrapper(timed):
                started, cpu = time.perf_counter(), time.process_time()
                get(address)
                totals.append((time.perf_counter() - started) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            databases.append(sum(spent) * 1000)
            queries.append(len(spent))
    total, database = statistics.mean(totals), statistics.mean(databases)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "measures": len(addresses),
                "queries": statistics.mean(queries),
                "total": total,
                "database": database,
                "python": total - database,
                "cpu": statistics.mean(cpus),
                "p95": statistics.quantiles(totals, n=20)[-1],
            }
        )
    )


if __name__ == "__main__":
    main()
