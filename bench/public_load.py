"""The public pages under load: throughput and latency of each kind of public page,
served by the production server, beside a minimal Django page on the same server.

The plan of ``bench/scale_pages.py`` (10 plan areas × 10 programmes × N/100 measures,
Y fiscal years) is built in the database DATABASE_URL names, with its derived data
(data versions, kept aggregates, search documents), unless ``--reuse`` finds it there.
Then gunicorn, configured as in production (``src/shinchoku/ops/gunicorn_conf.py``)
with 2 sync workers, serves the site on loopback, and wrk sends it 20 concurrent
clients, one kind of page at a time: each request's page drawn at random from 1,000
distinct measures (and every plan area, every programme), each search's word from a
list of at least 1,000 distinct words (``bench/public_load_words.py``), per class of
word and mixed, without and with filters. A warm-up precedes each measured run. Every
figure is measured with the page cache on and again with it off (``PUBLIC_PAGE_CACHE``),
a server started for each. It prints one table: page, req/s, p50, p95, p99 and the
ratio of its req/s to the minimal page's, measured in the same run; then the machine's
time each request took in the measured run, by whom (``Spent``: the app server's
processes, PostgreSQL's when it runs here, wrk): once the cores are busy, a page's
latency follows its cost, and this says whose cost to lower.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shinchoku_bench \\
        .venv/bin/python bench/public_load.py --measures 100000 --years 10 --reuse

Needs wrk (Debian: ``apt-get install -y wrk``). The server is started with the
production settings except HTTPS (plain HTTP on loopback) and the search limit per
client address (``SEARCH_RATE_LIMIT=0``: every client here is 127.0.0.1), plus one page,
``/bench/minimal/`` (``bench/public_load_settings.py``). Its log goes to a file in the
working folder, which the table's footer names. Load averages are printed with each run:
the machine is shared, so compare figures of one run with each other.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
sys.path.insert(0, str(BENCH))

import scale_pages  # noqa: E402  (sets Django up)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from public_load_urls import MINIMAL_PATH  # noqa: E402
from public_load_words import words  # noqa: E402

from shinchoku.plans.models import Node, Plan  # noqa: E402
from shinchoku.progress.models import Result, Target  # noqa: E402

GOAL_P95_MS = 100.0
GOAL_MEASURE_RATIO = 0.5
FILTER_SETS = [("plan",), ("year",), ("kind",), ("plan", "year"), ("year", "kind"), ("plan", "year", "kind")]


@dataclass(frozen=True)
class Figures:
    requests: int
    rate: float  # requests a second
    p50: float  # milliseconds
    p95: float
    p99: float
    errors: str  # what wrk counted as errors, "" when none
    load: tuple[float, float]  # 1-minute load average before and after
    #: The machine's time a request took in the run (``Spent``), in milliseconds: the app
    #: server's processes, PostgreSQL's (when it runs on this machine), wrk's.
    cpu: dict[str, float] = field(default_factory=dict)


# The pages ------------------------------------------------------------------------------


def pages(plan: Plan, *, distinct_measures: int, seed: int) -> dict[str, list[str]]:
    """Each kind of page with the paths its requests are drawn from."""
    rng = random.Random(seed)  # noqa: S311  (a reproducible draw)
    nodes = Node.objects.filter(plan=plan)
    areas = list(nodes.filter(parent=None).order_by("position").values_list("code", "title"))
    programme_ids = list(nodes.filter(parent__parent=None, parent__isnull=False).values_list("pk", flat=True))
    programmes = list(nodes.filter(pk__in=programme_ids).values_list("code", "title", "summary"))
    measure_ids = list(nodes.filter(level__rated=True).values_list("pk", flat=True))
    chosen = rng.sample(measure_ids, min(distinct_measures, len(measure_ids)))
    measures = list(nodes.filter(pk__in=chosen).values_list("code", "title", "summary"))
    # Every distinct text of the plan: the build writes the same few texts many times.
    node_texts = {text for _code, title, summary in [*programmes, *measures] for text in (title, summary)}
    node_texts.update(nodes.filter(parent=None).values_list("summary", flat=True))
    node_texts.update(code for code, *_ in [*areas, *programmes, *measures])
    # Measure titles are numbered within their programme: the sample holds every number
    # only when there are few; add the rest.
    node_texts.update(nodes.filter(pk__in=measure_ids[:2000]).values_list("title", flat=True).distinct())
    targets = set(Target.objects.filter(node_id__in=chosen).values_list("text", flat=True))
    results = {
        text
        for row in Result.objects.filter(node_id__in=chosen).values_list("text", "highlight")
        for text in row
        if text
    }
    vocabulary = words(
        area_titles=[title for _code, title in areas],
        other_node_texts=sorted(node_texts),
        measure_summary=measures[0][2],
        target_texts=sorted(targets),
        result_texts=sorted(results),
        codes=[code for code, *_ in measures],
        seed=seed,
    )
    years = list(range(plan.first_year, plan.last_year + 1))

    def search(terms: list[str], *, filtered: bool = False) -> list[str]:
        paths = []
        for term in terms:
            query: dict[str, str | int] = {"q": term}
            if filtered:
                # One filter, two or all three, drawn for each path.
                chosen_filters = rng.choice(FILTER_SETS)
                if "plan" in chosen_filters:
                    query["plan"] = plan.code
                if "year" in chosen_filters:
                    query["year"] = rng.choice(years)
                if "kind" in chosen_filters:
                    query["kind"] = rng.choice(["nodes", "targets", "results"])
            paths.append("/search/?" + urlencode(query, quote_via=quote))
        return paths

    node_path = f"/plans/{plan.code}/nodes/{{}}/"
    return {
        "minimal page (the ceiling)": [MINIMAL_PATH],
        "home": ["/"],
        "plan": [f"/plans/{plan.code}/"],
        "plan area": [node_path.format(quote(code)) for code, _title in areas],
        "programme": [node_path.format(quote(code)) for code, *_ in programmes],
        f"measure ({len(measures):,} distinct)": [node_path.format(quote(code)) for code, *_ in measures],
        f"search, {len(vocabulary.mixed):,} words mixed": search(vocabulary.mixed),
        "search, common word": search(vocabulary.common),
        "search, word only in results": search(vocabulary.results_only),
        "search, word only in plan-area titles": search(vocabulary.area_titles_only),
        "search, absent word": search(vocabulary.absent),
        "search, one character": search(vocabulary.one_character),
        "search, two characters": search(vocabulary.two_characters),
        "search, a node's code": search(vocabulary.codes),
        "search, mixed words with filters": search(vocabulary.mixed, filtered=True),
    }


# The data --------------------------------------------------------------------------------


def prepare(measures: int, years: int, *, reuse: bool, rederive: bool, seed: int) -> Plan:
    """The benchmark plan of this size, built unless ``reuse`` finds it, its derived data
    made again when ``rederive`` asks (after the code that derives it changed), and the
    statistics of PostgreSQL's planner fresh."""
    call_command("migrate", verbosity=0)
    plan = Plan.objects.filter(code=scale_pages.PLAN_CODE).first()
    existing = Node.objects.filter(plan=plan, level__rated=True).count() if plan else 0
    same = (
        plan is not None
        and existing == (measures // 100) * 100
        and plan.last_year - plan.first_year + 1 == years
    )
    fresh = not (reuse and same)
    if fresh:
        started = time.perf_counter()
        scale_pages.build(measures, years, seed)
        print(f"built (with the derived data) in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    elif rederive:
        started = time.perf_counter()
        assert plan is not None
        scale_pages.derive(plan.pk)
        print(f"derived again in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if connection.vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # After a bulk build, VACUUM sets the visibility map that index-only scans need.
            cursor.execute("VACUUM (ANALYZE)" if fresh or rederive else "ANALYZE")
        done = "vacuumed and analysed" if fresh or rederive else "analysed"
        print(f"{done} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return Plan.objects.get(code=scale_pages.PLAN_CODE)


# The server and the load -----------------------------------------------------------------


def server_environment(*, cache: bool, static_root: Path, args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    port = args.port
    if args.max_requests is not None:
        env["GUNICORN_MAX_REQUESTS"] = str(args.max_requests)
    env.update(
        DJANGO_SETTINGS_MODULE="public_load_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(BENCH), env.get("PYTHONPATH", "")])),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        SEARCH_RATE_LIMIT="0",
        STATIC_ROOT=str(static_root),
        WEB_CONCURRENCY=str(args.workers),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        PUBLIC_PAGE_CACHE="true" if cache else "false",
    )
    return env


class Server:
    """gunicorn serving the site, as production starts it, until ``stop``."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.url = env["SITE_URL"]
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603
                [str(ROOT / ".venv/bin/gunicorn"), "-c", "python:shinchoku.ops.gunicorn_conf"],
                env=env,
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self) -> None:
        # The workers start after the socket is open: a first request may wait for them.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn ended at start: see {self.log}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=10) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer within 120 s: see {self.log}")

    def get(self, path: str) -> int | str:
        """The status of one request, or why there is none."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=120) as response:  # noqa: S310
                response.read()
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code
        except OSError as error:
            return f"no answer ({error})"

    def wait_until_idle(self, quiet: float = 1.0, longest: float = 30.0) -> bool:
        """Wait until the requests a client left unanswered are done: wrk closes its
        connections when its time is up, but a sync worker finishes the request it holds,
        and those waiting behind it, before it notices. The site logs a line per request,
        so the server is idle when its log stops growing for ``quiet`` seconds. False
        when it is still busy after ``longest``."""
        deadline = time.monotonic() + longest
        size = -1
        while time.monotonic() < deadline:
            now = self.log.stat().st_size
            if now == size:
                return True
            size = now
            time.sleep(quiet)
        return False

    def stop(self) -> None:
        """Stop at once (SIGQUIT), dropping the requests still queued."""
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def wrk(
    url: str, paths_file: Path, *, seconds: int, connections: int, threads: int
) -> dict[str, int | float]:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "120s",
        "-s",
        str(BENCH / "public_load.lua"),
        url,
        "--",
        str(paths_file),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    last = [line for line in output.splitlines() if line.startswith("{")]
    if not last:
        raise SystemExit(f"wrk printed no figures:\n{output}")
    figures: dict[str, int | float] = json.loads(last[-1])
    return figures


def load_average() -> float:
    return os.getloadavg()[0]


def prime(server: Server, paths: list[str]) -> str:
    """Each path read once, two at a time (the server's workers), so that the measured run
    meets the cache as a site does once its pages have each had a reader; "" or what went
    wrong."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        for path, status in zip(paths, pool.map(server.get, paths), strict=True):
            if status != 200:
                return f"{path} answered {status} while the cache was primed"
    return ""


class Spent:
    """The processor time spent so far by the app server (gunicorn's master and workers,
    those it replaced included), by PostgreSQL's server when it runs on this machine (its
    postmaster and every process it started, those that ended included) and by the
    benchmark's own finished children (wrk), in seconds: read before and after a run,
    what a request cost each of them."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, server: Server, *, postgresql: bool) -> None:
        self.server = server.process.pid
        self.postgresql = postgresql

    @classmethod
    def _processes(cls) -> dict[int, tuple[int, str, float, float]]:
        """Each process: its parent, its command name, its own time and its waited-for
        children's."""
        found = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            own = (int(fields[11]) + int(fields[12])) / cls.TICK
            waited = (int(fields[13]) + int(fields[14])) / cls.TICK
            found[int(entry)] = (int(fields[1]), name, own, waited)
        return found

    def now(self) -> dict[str, float]:
        processes = self._processes()

        def tree(root: int) -> float:
            # The root's time and that of the children it waited for, and its living
            # children's own (a worker's or a backend's).
            _parent, _name, own, waited = processes[root]
            return own + waited + sum(p[2] for p in processes.values() if p[0] == root)

        spent = {"app": tree(self.server) if self.server in processes else 0.0}
        postmasters = [
            pid
            for pid, (parent, name, _own, _waited) in processes.items()
            if name == "postgres" and processes.get(parent, (0, ""))[1] != "postgres"
        ]
        if self.postgresql and postmasters:
            spent["database"] = sum(tree(pid) for pid in postmasters)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent["wrk"] = usage.ru_utime + usage.ru_stime
        return spent


def measure(
    env: dict[str, str], log: Path, paths_file: Path, args: argparse.Namespace, *, primed: bool = False
) -> Figures:
    """One kind of page under load, against a server of its own: its first path must be
    answered 200 (with ``primed``, every path, once, before anything is timed: the page
    cache then holds them all), then the warm-up, then the measured run. When the warm-up
    leaves the server busy with more than it can finish in 30 s (a slow page, 20 requests
    queued), a new server is started for the measured run."""
    clients = {"connections": args.connections, "threads": args.threads}
    paths = paths_file.read_text().splitlines()
    server = Server(env, log)
    try:
        status = server.get(paths[0])
        if status != 200:
            return Figures(0, 0, 0, 0, 0, f"{paths[0]} answered {status}", (load_average(), load_average()))
        failed = prime(server, sorted(set(paths))) if primed else ""
        if failed:
            return Figures(0, 0, 0, 0, 0, failed, (load_average(), load_average()))
        if args.warmup:
            wrk(server.url, paths_file, seconds=args.warmup, **clients)
            if not server.wait_until_idle():
                server.stop()
                server = Server(env, log)
        before = load_average()
        spent = Spent(server, postgresql=args.postgresql)
        started = spent.now()
        raw = wrk(server.url, paths_file, seconds=args.duration, **clients)
        ended = spent.now()
        after = load_average()
    finally:
        server.stop()
    kinds = ("status", "timeout", "connect", "read", "write")
    errors = ", ".join(f"{kind} {int(raw[kind]):,}" for kind in kinds if raw[kind] > 0)
    return Figures(
        requests=int(raw["requests"]),
        rate=raw["requests"] / raw["seconds"],
        p50=raw["p50"] / 1000,
        p95=raw["p95"] / 1000,
        p99=raw["p99"] / 1000,
        errors=errors,
        load=(before, after),
        cpu={
            part: (ended[part] - started[part]) * 1000 / max(1, int(raw["requests"]))
            for part in ended
            if part in started
        },
    )


def run(
    kinds: dict[str, list[str]], *, cache: bool, folder: Path, args: argparse.Namespace
) -> dict[str, Figures]:
    """Each kind of page under load with the page cache on or off."""
    env = server_environment(cache=cache, static_root=folder / "static", args=args)
    mode = "on" if cache else "off"
    figures: dict[str, Figures] = {}
    for number, (name, paths) in enumerate(kinds.items()):
        paths_file = folder / f"paths-{number}.txt"
        paths_file.write_text("\n".join(paths) + "\n")
        # The pages of the data are each read once first when the cache is on: the site's
        # steady state, every page of the last publish kept after its first reader. Not the
        # searches: with words drawn from thousands, each is rare, and the search must meet
        # its goal without the cache.
        primed = cache and args.prime and not name.startswith("search")
        log = folder / f"gunicorn-cache-{mode}.log"
        f = figures[name] = measure(env, log, paths_file, args, primed=primed)
        print(
            f"  cache {mode:<3} {name:<40} {f.rate:9.1f}/s p95 {f.p95:9.1f} ms"
            f"  load {f.load[0]:.2f}→{f.load[1]:.2f}" + (f"  errors: {f.errors}" if f.errors else ""),
            file=sys.stderr,
            flush=True,
        )
    return figures


# The table -------------------------------------------------------------------------------


def number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def table(results: dict[bool, dict[str, Figures]], kinds: list[str]) -> list[str]:
    modes = [cache for cache in (True, False) if cache in results]
    header = ["page"]
    for cache in modes:
        label = "cache on" if cache else "cache off"
        header += [f"req/s ({label})", "p50 ms", "p95 ms", "p99 ms", "× minimal"]
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    notes = []
    for name in kinds:
        cells = [name]
        for cache in modes:
            f = results[cache][name]
            ceiling = results[cache][kinds[0]].rate
            if f.requests:
                cells += [
                    number(f.rate),
                    number(f.p50),
                    number(f.p95),
                    number(f.p99),
                    f"{f.rate / ceiling:.3f}",
                ]
            else:
                cells += ["0", "—", "—", "—", "0"]
                notes.append(f"{name}, cache {'on' if cache else 'off'}: no answer within the run")
            if f.errors:
                notes.append(f"{name}, cache {'on' if cache else 'off'}: wrk errors {f.errors}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines + ([""] if notes else []) + notes


def spent_table(results: dict[bool, dict[str, Figures]], kinds: list[str]) -> list[str]:
    """The machine's time a request took, by whom (``Spent``): what a page costs under
    load, which its latency is once the cores are busy."""
    lines = [
        "| page | cache | app server ms | PostgreSQL ms | wrk ms | in all ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for cache in (True, False):
        for name in kinds:
            f = results.get(cache, {}).get(name)
            if f is None or not f.requests:
                continue
            parts = [f.cpu.get(part) for part in ("app", "database", "wrk")]
            cells = ["—" if value is None else f"{value:.2f}" for value in parts]
            total = sum(value for value in parts if value is not None)
            lines.append(f"| {name} | {'on' if cache else 'off'} | {' | '.join(cells)} | {total:.2f} |")
    return lines


def goals(results: dict[bool, dict[str, Figures]], kinds: list[str]) -> list[str]:
    """The issue's goals against the figures: p95 ≤ 100 ms for every page with the page
    cache, and for the search also without it; the measure page ≥ 0.5× the minimal page."""
    lines = []
    for cache, figures in results.items():
        mode = "cache on" if cache else "cache off"
        for name in kinds[1:]:
            f = figures[name]
            if (cache or name.startswith("search")) and (f.p95 > GOAL_P95_MS or not f.requests):
                p95 = f"{f.p95:,.0f} ms" if f.requests else "no answer"
                lines.append(f"goal p95 ≤ {GOAL_P95_MS:.0f} ms NOT met, {mode}: {name} ({p95})")
            if name.startswith("measure"):
                ratio = f.rate / figures[kinds[0]].rate
                verdict = "met" if ratio >= GOAL_MEASURE_RATIO else "NOT met"
                lines.append(f"goal measure ≥ {GOAL_MEASURE_RATIO}× minimal {verdict}, {mode}: {ratio:.3f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measures", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="keep an existing benchmark plan of this size")
    parser.add_argument("--rederive", action="store_true", help="with --reuse: derive its data again")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each measured run (20)")
    parser.add_argument(
        "--warmup", type=int, default=5, help="seconds of load before each run, not measured (5)"
    )
    parser.add_argument("--connections", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's workers (2)")
    parser.add_argument("--distinct-measures", type=int, default=1000)
    parser.add_argument(
        "--cache", choices=["both", "on", "off"], default="both", help="the page cache (both)"
    )
    parser.add_argument(
        "--only", default="", help="the pages whose name holds one of these comma-separated words"
    )
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument(
        "--max-requests", type=int, help="requests before gunicorn replaces a worker (production's default)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-prime",
        dest="prime",
        action="store_false",
        help="with the cache on, do not read each page once before the run (it is, by default)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")

    plan = prepare(args.measures, args.years, reuse=args.reuse, rederive=args.rederive, seed=args.seed)
    counts = {
        "measures": Node.objects.filter(plan=plan, level__rated=True).count(),
        "results": Result.objects.filter(node__plan=plan).count(),
    }
    kinds = pages(plan, distinct_measures=args.distinct_measures, seed=args.seed)
    wanted = [word.strip() for word in args.only.split(",") if word.strip()]
    names = [name for i, name in enumerate(kinds) if i == 0 or not wanted or any(w in name for w in wanted)]
    kinds = {name: kinds[name] for name in names}
    vendor = connection.vendor
    args.postgresql = vendor == "postgresql"
    connection.close()

    folder = Path(tempfile.mkdtemp(prefix="shinchoku-load-"))
    subprocess.run(  # noqa: S603
        [str(ROOT / ".venv/bin/shinchoku"), "collectstatic", "--no-input", "-v0"],
        env={**os.environ, "STATIC_ROOT": str(folder / "static")},
        check=True,
    )
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    modes = {"both": [True, False], "on": [True], "off": [False]}[args.cache]
    results = {cache: run(kinds, cache=cache, folder=folder, args=args) for cache in modes}
    loads = [value for figures in results.values() for f in figures.values() for value in f.load]

    print(
        f"\n{vendor}, {counts['measures']:,} measures × {args.years} years ({counts['results']:,} results); "
        f"gunicorn {args.workers} sync workers"
        + ("" if args.max_requests is None else f" replaced after {args.max_requests} requests (0: never)")
        + f", wrk {args.connections} connections, {args.duration} s a page "
        f"after {args.warmup} s of warm-up"
        + (
            "; with the cache on, each page but the searches read once before"
            if args.prime and True in modes
            else ""
        )
        + f"; {started}"
    )
    print(
        f"machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"load average (1 min) during the runs {min(loads):.2f}–{max(loads):.2f}; server log: {folder}\n"
    )
    print("\n".join(table(results, list(kinds))))
    print("\nThe machine's time a request took (processor time in the measured run ÷ requests):\n")
    print("\n".join(spent_table(results, list(kinds))))
    print("\n" + "\n".join(goals(results, list(kinds))))


if __name__ == "__main__":
    main()
