"""A city's own workbook imported with its profile: the real 大船渡市 事務事業評価 workbook
(407 projects, ~35,000 values) with docs/examples/profiles/ofunato-jimujigyo.yaml, when
``../shared/realdata`` is there (it is the city's document and never part of the project);
otherwise a made-up workbook of the same layout and size (407 projects under 8 政策, 25 施策
and 68 基本事業, every kind of dirt; ``tests/plans/formats/profile/workbooks.py``).

Makes a scratch database (SQLite, or ``--database`` for PostgreSQL), then, run by run,
each a separate process timed whole (start-up included), with the peak resident memory the
kernel accounts to it:

A. ``shinchoku import FILE --profile P`` — the preview, into an empty instance;
B. ``shinchoku import FILE --profile P --apply`` — the whole plan built, from the empty
   database each run;
C. the same again on the database B made — nothing changes, nothing is written.

On the plan the last run built, run by run, each a whole process:

D. ``shinchoku export --format json --plan CODE`` — the open data's JSON dataset;
E. ``shinchoku report --format pdf`` and F. ``--format html`` — the annual report of the
   judged year (``--year``, 2024 for a 令和7年度 sheet) with every project's sheet
   (``reports.selectors.report_build`` then ``reports.render``);

then, in one process, the public pages as the Django test client asks for them
(``--requests`` times each, after one request to warm up): the plan's page, the page of its
largest top-level node (the most nodes under it) and the page of the project with the
most costs and indicator values; the median and the 95th percentile. And what the preview
found: nodes per level, costs, indicators and their values, ratings, warnings by kind.

    .venv/bin/python bench/import_profile.py --runs 3
    .venv/bin/python bench/import_profile.py --lookalike --runs 3   # the made-up workbook
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from processes import run

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
WORKBOOK = ROOT.parent / "shared" / "realdata" / "ofunato" / "jimujigyo-hyoka-r7.xlsx"
PROFILE = ROOT / "docs" / "examples" / "profiles" / "ofunato-jimujigyo.yaml"

COUNT = """
import os
from collections import Counter
from pathlib import Path
from django.utils import translation
from shinchoku.interchange.importing import import_preview
from shinchoku.interchange.preview import warnings_by_kind
from shinchoku.plans.formats.profile.profile import read_profile
translation.activate("en")
data = Path(os.environ["BENCH_FILE"]).read_bytes()
profile = read_profile(Path(os.environ["BENCH_PROFILE"]))
preview = import_preview(data, "workbook.xlsx", actor=None, profile=profile)
assert preview.ok, [str(problem) for problem in preview.all_problems][:20]
content = preview.payload
levels = Counter(node.level for node, _parent in content.walk())
keys = [level["key"] for level in content.levels]
print("nodes per level:", ", ".join(f"{key} {levels[key]}" for key in keys))
nodes = [node for node, _parent in content.walk()]
indicators = [indicator for node in nodes for indicator in node.indicators]
values = sum(
    (value.target is not None) + (value.actual is not None)
    for indicator in indicators
    for value in indicator.values
)
costs = [cost for node in nodes for cost in node.costs]
ratings = sum(len(result.ratings) for node in nodes for result in node.results)
print(f"indicators: {len(indicators)}, indicator values: {values}, costs: {len(costs)}, ratings: {ratings}")
print(f"warnings: {len(preview.warnings)}")
for kind, items in warnings_by_kind(preview.warnings):
    print(f"  {kind}: {len(items)}")
"""

PAGES = """
import os
import statistics
import time
from collections import Counter
from django.test import Client
from django.urls import reverse
from shinchoku.plans.models import Node
from shinchoku.progress.models import Cost, IndicatorValue
from shinchoku.reports.render import render_html, render_pdf
from shinchoku.reports.selectors import report_build

plan_code, year = os.environ["BENCH_PLAN"], int(os.environ["BENCH_YEAR"])
requests = int(os.environ["BENCH_REQUESTS"])

started = time.perf_counter()
document = report_build(plan_code, year=year)
built = time.perf_counter() - started
started = time.perf_counter()
pdf = render_pdf(document)
pdf_seconds = time.perf_counter() - started
started = time.perf_counter()
html = render_html(document)
html_seconds = time.perf_counter() - started
print(
    f"report of {year}, in one process: report_build {built:.2f} s, "
    f"render_pdf {pdf_seconds:.2f} s ({len(pdf) / 1024 / 1024:.1f} MiB), "
    f"render_html {html_seconds:.2f} s ({len(html) / 1024 / 1024:.1f} MiB)"
)

nodes = list(Node.objects.filter(plan__code=plan_code).values_list("pk", "code", "parent_id"))
parent = {pk: parent_id for pk, _code, parent_id in nodes}
under = Counter()
for pk, _code, _parent in nodes:
    ancestor = parent[pk]
    while ancestor is not None:
        under[ancestor] += 1
        ancestor = parent[ancestor]
codes = {pk: code for pk, code, _parent in nodes}
tops = [pk for pk, _code, parent_id in nodes if parent_id is None]
largest = max(tops, key=lambda pk: (under[pk], codes[pk]))
held = Counter(Cost.objects.filter(node__plan__code=plan_code).values_list("node_id", flat=True))
held.update(
    IndicatorValue.objects.filter(indicator__node__plan__code=plan_code).values_list(
        "indicator__node_id", flat=True
    )
)
project = max(held, key=lambda pk: (held[pk], codes[pk]))
pages = [
    ("plan page", reverse("portal:plan", args=[plan_code])),
    (f"largest area page ({codes[largest]}, {under[largest]} nodes under it)",
     reverse("portal:node", args=[plan_code, codes[largest]])),
    (f"project page ({codes[project]}, {held[project]} costs and values)",
     reverse("portal:node", args=[plan_code, codes[project]])),
]
client = Client(HTTP_HOST="localhost")
for name, url in pages:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    size = len(response.content)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    p95 = statistics.quantiles(times, n=20)[18] if len(times) > 1 else times[0]
    print(
        f"{name}: {requests} requests, median {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, {size / 1024:.0f} KiB"
    )
"""


def lookalike(path: Path) -> Path:
    """A made-up workbook of the real one's layout and size, written to ``path``."""
    from tests.plans.formats.profile.workbooks import many_projects, ofunato_workbook

    path.write_bytes(ofunato_workbook(many_projects(407)))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--file", type=Path, default=WORKBOOK, help="the workbook (default: the real one)")
    parser.add_argument("--profile", type=Path, default=PROFILE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--database",
        help="a PostgreSQL URL to measure on (its database is emptied); default a scratch SQLite",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and print its path")
    parser.add_argument(
        "--lookalike", action="store_true", help="a made-up workbook of the same layout and size, not --file"
    )
    parser.add_argument("--plan", default="ofunato", help="the code of the plan the profile builds")
    parser.add_argument("--year", type=int, default=2024, help="the report's fiscal year (the judged year)")
    parser.add_argument("--requests", type=int, default=20, help="requests per public page")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="shinchoku-bench-"))
    if args.lookalike or not args.file.exists():
        if not args.lookalike:
            print(
                f"{args.file} is not here (the real workbook lives in ../shared/realdata): "
                "a look-alike is used."
            )
        args.file = lookalike(work / "lookalike-407.xlsx")
    database = work / "bench.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": args.database or f"sqlite:///{database}",
        "DEBUG": "true",
        "SHINCHOKU_VAR_DIR": str(work),
    }
    shinchoku = str(BIN / "shinchoku")

    def empty() -> None:
        if args.database:
            subprocess.run([shinchoku, "flush", "--no-input"], env=env, check=True)
        else:
            database.unlink(missing_ok=True)
        subprocess.run([shinchoku, "migrate", "-v0"], env=env, check=True)

    preview = [shinchoku, "import", str(args.file), "--profile", str(args.profile), "--language", "en"]
    apply = [*preview, "--apply"]
    results: dict[str, list[tuple[float, float]]] = {"preview": [], "apply": [], "apply again": []}
    for _ in range(args.runs):
        empty()
        results["preview"].append(run(preview, env))
        results["apply"].append(run(apply, env))
        results["apply again"].append(run(apply, env))
    report = [shinchoku, "report", "--plan", args.plan, "--year", str(args.year)]
    made = {
        "export json": [
            shinchoku,
            "export",
            "--format",
            "json",
            "--plan",
            args.plan,
            "-o",
            str(work / "data.json"),
        ],
        "report pdf": [*report, "--format", "pdf", "-o", str(work / "report.pdf")],
        "report html": [*report, "--format", "html", "-o", str(work / "report.html")],
    }
    for name in made:
        results[name] = []
    for _ in range(args.runs):
        for name, command in made.items():
            results[name].append(run(command, env))
    sizes = {
        name: (work / file).stat().st_size / 1024 / 1024
        for name, file in (
            ("export json", "data.json"),
            ("report pdf", "report.pdf"),
            ("report html", "report.html"),
        )
    }
    pages = subprocess.run(
        [shinchoku, "shell", "--no-imports", "-c", PAGES],
        env={
            **env,
            "BENCH_PLAN": args.plan,
            "BENCH_YEAR": str(args.year),
            "BENCH_REQUESTS": str(args.requests),
        },
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    empty()
    counts = subprocess.run(
        [shinchoku, "shell", "--no-imports", "-c", COUNT],
        env={**env, "BENCH_FILE": str(args.file), "BENCH_PROFILE": str(args.profile)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    size = args.file.stat().st_size / 1024
    print(f"{args.file.name} ({size:,.0f} KiB) with {args.profile.name}, {args.runs} runs each")
    print(f"{'':12} {'median s':>9} {'min s':>7} {'max s':>7} {'peak RSS MiB':>13} {'file MiB':>9}")
    for name, timed in results.items():
        walls = [wall for wall, _ in timed]
        size_text = f"{sizes[name]:9.1f}" if name in sizes else ""
        print(
            f"{name:12} {statistics.median(walls):9.2f} {min(walls):7.2f} {max(walls):7.2f} "
            f"{max(rss for _, rss in timed):13.0f} {size_text}"
        )
    print(pages.rstrip())
    print(counts.rstrip())
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
