"""The exports at scale: the JSON dataset and the open data ZIP, as written now (part by
part, a few hundred nodes at a time) and as the code of git revision REV writes them.

Uses the plan of ``bench/scale_pages.py`` (code ``bench-scale``: N measures × Y years) in
the database that DATABASE_URL names, building it first unless one of that size is there.
Then, run by run, each in a process of its own, wall time and peak resident memory (the
kernel's accounting, ``wait4``) of:

- ``shinchoku export --format json --plan bench-scale``;
- ``shinchoku export --format zip --plan bench-scale`` (the ZIP the portal serves: the
  whole plan; its build is the job's and the first download's);
- the same ZIP of one fiscal year;

as the working tree's code writes them and, with ``--previous REV``, as REV's does (its
``src`` exported with ``git archive`` and put first on the import path). The files of
both must be the same bytes. Last, the download of the ZIP through the portal's view:
the first request (which builds it when no job has), the next (served from the file)
and one answered 304.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shinchoku_bench \\
        .venv/bin/python bench/exports.py --measures 10000 --years 5 --previous HEAD

The figures at 100,000 measures × 10 years are extrapolated: time linearly in the rows;
the memory of the whole-in-memory export linearly above the start-up's; that of the
streamed one as the start-up's, one part's and the node index's, which alone grows with
the plan (bytes per node measured here).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

from processes import previous_src, run

os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("OPENDATA_BUILD_AFTER_WRITE", "false")
import scale_pages
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings

from shinchoku.plans.formats.dataset.export import dataset_parts
from shinchoku.plans.models import Node, Plan
from shinchoku.progress.models import Result

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
TARGET = (100_000, 10)


@dataclass
class Measured:
    label: str
    command: list[str]
    env: dict[str, str]
    output: Path
    runs: list[tuple[float, float]] = field(default_factory=list)

    def wall(self) -> float:
        return statistics.median(r[0] for r in self.runs)

    def peak(self) -> float:
        return statistics.median(r[1] for r in self.runs)

    def digest(self) -> str:
        return hashlib.sha256(self.output.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measures", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--previous", metavar="REV", help="also run the exports as the code of git revision REV"
    )
    args = parser.parse_args()

    plan = Plan.objects.filter(code=scale_pages.PLAN_CODE).first()
    measures = Node.objects.filter(plan=plan, level__key="measure").count() if plan else 0
    if plan is None or measures != args.measures or plan.fiscal_years != range(2011, 2011 + args.years):
        scale_pages.build(args.measures, args.years, args.seed)
        plan = Plan.objects.get(code=scale_pages.PLAN_CODE)
    nodes = Node.objects.filter(plan=plan).count()
    results = Result.objects.filter(node__plan=plan).count()
    year = str(plan.fiscal_years[-1])

    work = Path(tempfile.mkdtemp(prefix="shinchoku-bench-exports-"))
    env = {**os.environ, "SHINCHOKU_VAR_DIR": str(work)}
    shinchoku = str(BIN / "shinchoku")
    trees = {"now": env}
    if args.previous:
        trees[args.previous] = {**env, "PYTHONPATH": str(previous_src(args.previous, work))}

    def export(fmt: str, code: str, tree_env: dict[str, str], *options: str) -> Measured:
        output = work / f"{fmt}-{code}-{len(options)}.{fmt}"
        command = [shinchoku, "export", "--format", fmt, "--plan", plan.code, "-o", str(output), *options]
        label = f"export --format {fmt}" + (f" --year {options[-1]}" if options else "") + f" ({code})"
        return Measured(label, command, tree_env, output)

    measured = [
        export(fmt, code, tree_env, *options)
        for fmt, options in [("json", ()), ("zip", ()), ("zip", ("--year", year))]
        for code, tree_env in trees.items()
    ]
    job = [
        str(BIN / "python"),
        "-c",
        "import django; django.setup(); from shinchoku.opendata import bundles;"
        f" bundles.built_all({plan.code!r})",
    ]
    job_env = {**env, "DJANGO_SETTINGS_MODULE": "shinchoku.settings", "OPENDATA_DIR": str(work / "job")}
    years_label = f"the job: the whole ZIP and {len(plan.fiscal_years)} years' (now)"
    measured.append(Measured(years_label, job, job_env, work / "job"))
    baseline = Measured("start-up (shinchoku check)", [shinchoku, "check"], env, work / "none")
    for number in range(args.runs):
        for each in [baseline, *measured]:
            if each.command is job:
                shutil.rmtree(each.output, ignore_errors=True)  # what the job built, built again
            each.runs.append(run(each.command, each.env))
            print(
                f"run {number + 1}: {each.label} {each.runs[-1][0]:.1f} s {each.runs[-1][1]:.0f} MiB",
                file=sys.stderr,
            )

    per_node = node_index_bytes(plan, nodes)
    scale = TARGET[0] * TARGET[1] / (args.measures * args.years)
    extra_nodes = nodes * TARGET[0] / args.measures - nodes
    start = baseline.peak()
    print(
        f"data: {args.measures:,} measures x {args.years} years ({nodes:,} nodes, {results:,} results),"
        f" {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; runs: {args.runs};"
        f" start-up {start:.0f} MiB; node index {per_node:.0f} bytes/node"
    )
    print(
        f"{'':<42}{'wall s':>8}{'peak MiB':>10}{'MiB/s':>7}{'size MiB':>10}"
        f"{'x100k×10 wall s':>17}{'peak MiB':>10}"
    )
    for each in measured:
        if each.output.is_dir():
            size = sum(path.stat().st_size for path in each.output.rglob("*.zip")) / 2**20
        else:
            size = each.output.stat().st_size / 2**20
        streamed = "PYTHONPATH" not in each.env
        if streamed:
            peak_at_target = each.peak() + per_node * extra_nodes / 2**20
        else:
            peak_at_target = start + (each.peak() - start) * scale
        print(
            f"{each.label:<42}{each.wall():>8.1f}{each.peak():>10.0f}{size / each.wall():>7.1f}{size:>10.1f}"
            f"{each.wall() * scale:>17.0f}{peak_at_target:>10.0f}"
        )
    if args.previous:
        same = all(
            measured[i].digest() == measured[i + 1].digest() for i in range(0, len(measured) - 1, len(trees))
        )
        print(f"files of now and {args.previous}: {'the same bytes' if same else 'DIFFERENT'}")
    serve(plan.code, work)


def node_index_bytes(plan: Plan, nodes: int) -> float:
    """The memory the streamed export keeps for the whole plan (its node index, with the
    first part of one node), per node."""
    tracemalloc.start()
    parts = dataset_parts([plan], chunk=1)
    next(parts)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    parts.close()
    return peak / nodes


def serve(code: str, work: Path) -> None:
    """The portal's download of the whole plan's ZIP: built by the first request, served
    from its file by the next, 304 for a reader who has it."""
    client = Client()
    with override_settings(OPENDATA_DIR=work / "opendata", ALLOWED_HOSTS=["testserver"]):
        timings = []
        etag = ""
        for headers in ({}, {}, "etag"):
            started = time.perf_counter()
            response = client.get(
                f"/plans/{code}/opendata.zip", headers={"If-None-Match": etag} if headers else {}
            )
            if response.streaming:
                size = sum(len(chunk) for chunk in response.streaming_content)
            else:
                size = len(response.content)
            timings.append((time.perf_counter() - started, response.status_code, size))
            etag = response["ETag"]
    print(f"{'download of the ZIP (portal view)':<42}{'wall s':>8}{'status':>8}{'MiB':>8}")
    for label, (wall, status, size) in zip(
        ("first request (builds it)", "next request (its file)", "If-None-Match"), timings, strict=True
    ):
        print(f"  {label:<40}{wall:>8.2f}{status:>8}{size / 2**20:>8.1f}")


if __name__ == "__main__":
    main()
