"""The search's own cost: each class of search of ``bench/public_load.py``, asked in this
one process one at a time (no server, no concurrency, no page cache), timed from the
request's parameters to the page's data (``search_page``; the template is not drawn).

Under load, a page's latency is this cost times the requests queued for each core: the
figures say how much of a search's p95 in ``public_load.py`` is its own work.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shinchoku_load100k \\
        .venv/bin/python bench/search_service.py --per-class 40

With ``--requests N``, each class's whole request instead (the site's WSGI handler: the
middleware, the view, the page drawn; the page cache off), N searches drawn at random
from the class after 60 drawn to warm the process, as the load benchmark draws them: what
a process keeps under the data version (``published.kept``) is warm for the words drawn
before, not for each word. Prints the mean, the median and p95. With ``--parts`` as well,
where the mean goes: the database's part (its queries' execution, as the connection sends
them), finding the nodes (``matching.find``), the page's nodes and their matched texts
(``_groups``, of which reading the texts: ``passages.page_documents``) and drawing the
page (the template).

With ``--ordering``, the ordering of a common word's thousand candidates alone
(``matching._ordered``, their places kept), for the first three words of the class.

With ``--walked-words``, the one- and two-character words of the benchmark that are
common enough to be walked (a token in at least ``matching.BLOCKS_UNTIL`` of the
documents, by the statistics) instead: each word's nodes found (``matching.find``, every
kind of text, no filter) five times after once to warm, the median kept; prints how many
words and the mean and median of their medians.

Needs the benchmark plan already built (``public_load.py --measures … --years …``).
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
_ARGUMENTS, sys.argv[1:] = sys.argv[1:], []  # public_load reads no arguments of ours
# As the load benchmark's server runs, for the whole requests (--requests).
for _name, _value in {
    "ALLOWED_HOSTS": "localhost",
    "PUBLIC_PAGE_CACHE": "false",
    "SEARCH_RATE_LIMIT": "0",
    "LOG_LEVEL": "WARNING",
    "SECURE_SSL_REDIRECT": "false",
}.items():
    os.environ.setdefault(_name, _value)

import public_load  # noqa: E402  (sets Django up)
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connections  # noqa: E402

from shinchoku.plans.models import Plan  # noqa: E402
from shinchoku.plans.selectors.search import search_page  # noqa: E402
from shinchoku.search import matching, tokens  # noqa: E402
from shinchoku.search.statistics import common_tokens  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-class", type=int, default=40, help="searches drawn from each class (40)")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--requests", type=int, default=0, help="time N whole requests a class instead")
    parser.add_argument("--walked-words", action="store_true", help="time the walked short words instead")
    parser.add_argument("--parts", action="store_true", help="with --requests: where the time goes")
    parser.add_argument(
        "--ordering", action="store_true", help="time the ordering of a common word's candidates instead"
    )
    args = parser.parse_args(_ARGUMENTS)
    plan = Plan.objects.get(code=public_load.scale_pages.PLAN_CODE)
    classes = public_load.pages(plan, distinct_measures=1000, seed=1)
    if args.ordering:
        _ordering(classes)
        return
    if args.walked_words:
        _walked_words(classes)
        return
    if args.requests:
        _whole_requests(classes, args.requests, random.Random(args.seed), parts=args.parts)  # noqa: S311
        return
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


def _walked_words(classes: dict[str, list[str]]) -> None:
    words = {
        parse_qs(urlparse(path).query)["q"][0]
        for name in ("search, one character", "search, two characters")
        for path in classes[name]
    }
    # The statistics read as such, not through ``search.planner`` (``Planner.frequency``),
    # so that this script also times the code before that module, side by side.
    common = common_tokens(connections[Plan.objects.db])
    walked = sorted(
        word
        for word in words
        if len(tokens.term_tokens(word)) == 1
        and common.get(tokens.term_tokens(word)[0], 0.0) >= matching.BLOCKS_UNTIL
    )
    every_kind = set(matching.KINDS)
    medians = []
    for word in walked:
        matching.find([word], kinds=every_kind, plan_id=None, year=None, version=1)
        times = []
        for _time in range(5):
            started = time.perf_counter()
            matching.find([word], kinds=every_kind, plan_id=None, year=None, version=1)
            times.append((time.perf_counter() - started) * 1000)
        medians.append(statistics.median(times))
    print(
        f"{len(walked)} of {len(words)} one- and two-character words walked: "
        f"mean {statistics.mean(medians):.2f} ms, median {statistics.median(medians):.2f} ms"
    )


def _ordering(classes: dict[str, list[str]]) -> None:
    """The ordering of the candidates (``matching._ordered``: which are named, the order
    shown) of the first three words of the class "common word", each searched twice (the
    second finds every candidate's place kept), then ordered again 200 times in each of
    seven rounds; prints the fastest round's mean and the median round's, a search."""
    asked: dict[str, Any] = {}
    ordered = matching._ordered

    def keep_arguments(*arguments: Any) -> Any:
        asked["arguments"] = arguments
        return ordered(*arguments)

    matching._ordered = keep_arguments
    words = [parse_qs(urlparse(path).query)["q"][0] for path in classes["search, common word"][:3]]
    figures = []
    for word in words:
        search_page(q=word)
        search_page(q=word)
        arguments = asked["arguments"]
        rounds = []
        for _round in range(7):
            started = time.perf_counter()
            for _time in range(200):
                ordered(*arguments)
            rounds.append((time.perf_counter() - started) / 200 * 1000)
        fastest, median = min(rounds), statistics.median(rounds)
        figures.append(f"{word} ({len(arguments[1])} candidates): {fastest:.3f} ms, median {median:.3f}")
    matching._ordered = ordered
    print("; ".join(figures))


#: What ``--parts`` times: a label, and the module and name of the function timed there.
_PARTS = (
    ("find", "shinchoku.search.matching", "find"),
    ("groups", "shinchoku.plans.selectors.search", "_groups"),
    ("texts", "shinchoku.search.passages", "page_documents"),
    ("drawing", "shinchoku.portal.views", "render"),
)


def _timed_parts(spent: dict[str, float]) -> None:
    """Each function of ``_PARTS`` replaced where it is called from by one that adds its
    time to ``spent``."""

    def timer(label: str, function: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - started

        return timed

    for label, module_name, name in _PARTS:
        module = importlib.import_module(module_name)
        setattr(module, name, timer(label, getattr(module, name)))


def _whole_requests(classes: dict[str, list[str]], count: int, rng: random.Random, *, parts: bool) -> None:
    handler = WSGIHandler()
    spent: dict[str, float] = dict.fromkeys(["database", *(label for label, _m, _n in _PARTS)], 0.0)
    if parts:
        _timed_parts(spent)

    def database(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["database"] += time.perf_counter() - started

    def get(path: str) -> None:
        address = urlparse(path)
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": address.path,
            "QUERY_STRING": address.query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "HTTP_HOST": "localhost",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        statuses: list[str] = []
        body = handler(environ, lambda status, _headers: statuses.append(status))
        b"".join(body)
        body.close()
        if not statuses[0].startswith(("200", "400")):
            raise SystemExit(f"{path}: {statuses[0]}")

    labels = list(spent) if parts else []
    heading = "".join(f" {label} ms |" for label in labels)
    print("| search | requests | mean ms | median ms | p95 ms |" + heading)
    print("|---|---:|---:|---:|---:|" + "---:|" * len(labels))
    for name, paths in classes.items():
        if not name.startswith("search"):
            continue
        for _warm in range(60):
            get(rng.choice(paths))
        timed = []
        spent.update(dict.fromkeys(spent, 0.0))
        with connections[Plan.objects.db].execute_wrapper(database):
            for _request in range(count):
                path = rng.choice(paths)
                started = time.perf_counter()
                get(path)
                timed.append((time.perf_counter() - started) * 1000)
        timed.sort()
        p95 = timed[min(len(timed) - 1, round(0.95 * (len(timed) - 1)))]
        print(
            f"| {name} | {len(timed)} | {statistics.mean(timed):.2f} | {statistics.median(timed):.2f} "
            f"| {p95:.2f} |" + "".join(f" {spent[label] / len(timed) * 1000:.2f} |" for label in labels)
        )


if __name__ == "__main__":
    main()
