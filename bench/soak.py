"""Load and soak: the whole stack under mixed traffic for some minutes, then checked.

The production stack, on this machine: gunicorn with 2 workers
(``shinchoku.ops.gunicorn_conf``, production settings: DEBUG off, JSON logs) and the
job worker, on the PostgreSQL database DATABASE_URL names (default ``shinchoku_soak``),
holding a synthetic plan of 10,000 measures × 5 years (``shinchoku synth``) and the
results round of its last year, opened anew on every run. Traffic on loopback only:

- citizens reading the home page, the plan, plan areas, programmes and measures, and
  searching (each with an address of their own, as a reverse proxy reports it);
- a report of one plan area (HTML or PDF) or an open-data ZIP every few seconds;
- editors, signed in through the login form, saving entries through the entry form
  with the version it carries; now and then the same form again (a stale version,
  which must be answered 409); pairs of editors saving the same entry at once;
- a few entries submitted and approved through the staff pages, and, in the middle of
  the run, the round published by the planning administrator through its page (the
  job followed on its page), then the published measure pages read.

At the end: no 5xx (answers and the server's log); every save answered 302 (taken) or
409 (refused) and nothing else; of each pair exactly one taken; every stale save
refused; every taken save written exactly once (one audit row with its text) and the
last one of each entry what the entry holds; no refused save written; the published
measure pages (read, and so cached, before the publish) show the new text after it,
and the search finds it. One table of latencies per kind of request, the checks as
PASS/FAIL; the exit status is 1 when a check fails.

    .venv/bin/python bench/soak.py --minutes 10
"""

from __future__ import annotations

import argparse
import collections
import itertools
import os
import random
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import soak_setup
    import soak_traffic
    from soak_client import Recorder

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/shinchoku_soak"


def stack_environment(args: argparse.Namespace, var: Path) -> dict[str, str]:
    """The settings of a production deployment behind one reverse proxy, on loopback."""
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=args.database_url,
        SHINCHOKU_VAR_DIR=str(var),
        SITE_URL=f"http://127.0.0.1:{args.port}",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        WEB_CONCURRENCY=str(args.workers),
        GUNICORN_BIND=f"127.0.0.1:{args.port}",
        TRUSTED_PROXY_COUNT="1",
        LOG_FORMAT="json",
    )
    return env


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the traffic (default 10)")
    parser.add_argument("--measures", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--editors", type=int, default=12, help="editors saving (two per unit; default 12)")
    parser.add_argument("--readers", type=int, default=8, help="citizens reading at once (default 8)")
    parser.add_argument("--publish", type=int, default=30, help="entries submitted, approved and published")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--var", type=Path, help="the stack's var directory (default: a new temporary one)")
    parser.add_argument("--rebuild", action="store_true", help="make the synthetic plan again")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE)
    parser.add_argument(
        "--report", action="store_true", help="print again the figures and checks of the run kept in --var"
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    # Stopped from outside: the stack is stopped too (the ``finally`` below).
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    var = args.var or Path(tempfile.mkdtemp(prefix="shinchoku-soak-"))
    var.mkdir(parents=True, exist_ok=True)
    env = stack_environment(args, var)
    os.environ.update(
        {k: env[k] for k in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SHINCHOKU_VAR_DIR")}
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "shinchoku.settings"
    import django

    django.setup()
    import soak_checks

    if args.report:
        if args.var is None:
            raise SystemExit("--report needs --var, the directory of the run")
        return 0 if soak_checks.report(args.var) else 1
    import soak_setup
    import soak_traffic
    from django.core.management import call_command
    from soak_client import Recorder

    started_setup = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started_setup:.0f} s", file=sys.stderr)
    setup = soak_setup.soak_prepare(
        measures=args.measures, years=args.years, editors=args.editors, rebuild=args.rebuild
    )
    plan = soak_traffic.Plan(
        code=setup.plan_code,
        year=setup.fiscal_year,
        areas=setup.areas,
        programmes=setup.programmes,
        measures=setup.measures,
        terms=soak_setup.search_terms(setup.plan_code, seed=args.seed),
    )
    print(
        f"prepared in {time.perf_counter() - started_setup:.0f} s: round {setup.round_id}, "
        f"{len(setup.editors)} editors, {len(plan.terms)} search terms",
        file=sys.stderr,
    )

    log = var / "server.log"
    subprocess.run(  # noqa: S603 - the project's own commands
        [str(ROOT / ".venv/bin/shinchoku"), "collectstatic", "--no-input", "-v0"], env=env, check=True
    )
    with log.open("ab") as output:
        worker = subprocess.Popen(  # noqa: S603 - the project's own commands
            [str(ROOT / ".venv/bin/shinchoku"), "jobs_worker"], env=env, stdout=output, stderr=output
        )
        server = subprocess.Popen(  # noqa: S603 - the project's own commands
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "python:shinchoku.ops.gunicorn_conf"],
            env=env,
            stdout=output,
            stderr=output,
            cwd=ROOT,
        )
    base = f"http://127.0.0.1:{args.port}"
    try:
        _wait_for(base + "/healthz")
        tag = f"soak{secrets.token_hex(3)}"
        recorder = Recorder()
        ledger = soak_traffic.Ledger()
        seconds = args.minutes * 60
        run = soak_traffic.Run(base, recorder, seconds, args.seed)
        threads = _people(run, ledger, plan, setup, args, tag)
        database = soak_checks.DatabaseCpu(args.database_url.rsplit("/", 1)[-1].split("?")[0])
        sampler = threading.Thread(target=database.run, daemon=True)
        sampler.start()
        cpu_before = soak_checks.cpu_seconds(server.pid, worker.pid)
        began = time.time()
        for thread in threads:
            thread.start()
        _progress(run, recorder, seconds, server, worker)
        for thread in threads:
            thread.join(timeout=900)
        elapsed = time.time() - began
        cpu_after = soak_checks.cpu_seconds(server.pid, worker.pid)
        database.stop.set()
        sampler.join()
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGTERM)
        for process in (server, worker):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
    client_cpu = resource.getrusage(resource.RUSAGE_SELF)
    soak_checks.record_write(
        var / "soak.json",
        samples=recorder.samples,
        ledger=ledger,
        facts={
            "plan_code": setup.plan_code,
            "fiscal_year": setup.fiscal_year,
            "began": began,
            "elapsed": elapsed,
            "traffic": seconds,
            "cpu_before": cpu_before,
            "cpu_after": cpu_after,
            "cpu_other": {
                "database backends": database.seconds,
                "this client (all)": client_cpu.ru_utime + client_cpu.ru_stime,
            },
        },
    )
    passed = soak_checks.report(var)
    return 0 if passed else 1


def _wait_for(url: str) -> None:
    for _ in range(120):
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url}")


def _people(
    run: soak_traffic.Run,
    ledger: soak_traffic.Ledger,
    plan: soak_traffic.Plan,
    setup: soak_setup.SoakSetup,
    args: argparse.Namespace,
    tag: str,
) -> list[threading.Thread]:
    """One thread per person; the entries of each unit split between those to publish,
    the pair's contested entries and each editor's own."""
    import soak_setup
    import soak_traffic

    threads: list[threading.Thread] = []
    by_unit: dict[str, list[soak_setup.Editor]] = collections.defaultdict(list)
    for seat in setup.editors:
        by_unit[seat.unit_code].append(seat)
    candidates: list[list[tuple[int, str]]] = []
    per_unit = max(1, args.publish // max(1, len(by_unit)))
    for number, (unit, seats) in enumerate(sorted(by_unit.items())):
        entries = list(seats[0].entries)
        random.Random(f"{args.seed}:{unit}").shuffle(entries)  # noqa: S311 - a reproducible draw
        publishing, contested, own = (
            entries[: 3 * per_unit],
            entries[3 * per_unit : 3 * per_unit + 20],
            entries[3 * per_unit + 20 :],
        )
        candidates.append([(entry_id, seats[0].username) for entry_id in publishing])
        for index, seat in enumerate(seats):
            mine = own[index :: len(seats)]
            threads.append(
                threading.Thread(
                    target=soak_traffic.editor,
                    args=(run, ledger, seat.username, setup.password, mine, tag),
                    daemon=True,
                )
            )
        if len(seats) >= 2:
            names = (seats[0].username, seats[1].username)
            threads.append(
                threading.Thread(
                    target=soak_traffic.pair,
                    args=(run, ledger, names, setup.password, contested, tag, number),
                    daemon=True,
                )
            )
    # Taken in turn from each unit.
    submitters = dict(pair for row in itertools.zip_longest(*candidates) for pair in row if pair)
    ledger.codes.update(_node_codes(submitters))
    threads.append(
        threading.Thread(
            target=soak_traffic.publisher,
            args=(
                run,
                ledger,
                plan,
                setup.round_id,
                setup.password,
                submitters,
                soak_setup.REVIEWER,
                soak_setup.ADMIN,
                tag,
                args.minutes * 60 / 2,
                args.publish,
            ),
            daemon=True,
        )
    )
    threads += [
        threading.Thread(target=soak_traffic.reader, args=(run, plan, n), daemon=True)
        for n in range(args.readers)
    ]
    threads.append(threading.Thread(target=soak_traffic.downloader, args=(run, plan), daemon=True))
    return threads


def _node_codes(entry_ids: dict[int, str]) -> dict[int, str]:
    """The code of each entry's node (for its public page)."""
    from shinchoku.review.models import Entry

    return dict(Entry.objects.filter(pk__in=entry_ids).values_list("pk", "node__code"))


def _progress(
    run: soak_traffic.Run, recorder: Recorder, seconds: float, *processes: subprocess.Popen[bytes]
) -> None:
    """A line a minute while the traffic runs; the traffic stops early when the server or
    the job worker has stopped (the checks then say so)."""
    last = time.monotonic()
    while run.going():
        run.stop.wait(min(5.0, max(0.1, run.ends - time.monotonic())))
        stopped = [f"process {p.pid}" for p in processes if p.poll() is not None]
        if stopped:
            print(
                f"  stopped early: {', '.join(stopped)} of the stack exited (see the server log)",
                file=sys.stderr,
            )
            run.stop.set()
        if time.monotonic() - last >= 60 or not run.going():
            last = time.monotonic()
            samples = list(recorder.samples)
            bad = sum(1 for s in samples if s.status >= 500 or s.status == 0)
            print(
                f"  {time.monotonic() - run.started:5.0f} s: {len(samples):,} requests, "
                f"{bad} 5xx or unanswered",
                file=sys.stderr,
            )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
