"""The memory of a worker that makes a plan's PDF reports one after the other, as the
reports job does after publishing (``jobs/work/reports.py``): the whole plan's report, then
each plan area's, in one process.

For each report: the seconds, the worker's own resident memory after it and its peak so
far, and the peak of the largest typesetting process it started (the kernel's accounting,
``getrusage``). ``--in-process`` typesets in the worker itself, as render.py did before the
typesetting had a process of its own, to compare: Typst keeps what it laid out until ten
further documents have not used it, so there the worker's memory grows report by report.

Runs on the database the settings name (``DATABASE_URL``), on a plan already there:

    DATABASE_URL=sqlite:///…/bench.sqlite3 DEBUG=true \\
        .venv/bin/python bench/report_worker.py --plan ofunato --year 2024 [--in-process]

(``bench/import_profile.py --keep`` leaves such a database of the 大船渡市 plan; ``shinchoku
synth`` makes a synthetic one.)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")

import django

django.setup()

from django.utils import translation  # noqa: E402

from shinchoku.plans.models import Node, Plan  # noqa: E402
from shinchoku.reports import render  # noqa: E402
from shinchoku.reports.selectors import ReportDocument, report_build  # noqa: E402
from shinchoku.reports.typeset import typeset  # noqa: E402


def resident_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def in_process(document: ReportDocument, output: Path) -> None:
    family, folder = render.japanese_font()
    typeset(
        render.TEMPLATE,
        data=render.report_json(document),
        font_folder=folder,
        family=family,
        timestamp=render._fixed_offset(document.as_of),
        output=output,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--plan", required=True)
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--in-process", action="store_true", help="typeset in this process, as before")
    args = parser.parse_args()
    plan = Plan.objects.get(code=args.plan)
    roots = Node.objects.filter(plan=plan, parent=None).order_by("path")
    areas = [None, *roots.values_list("code", flat=True)]
    output = Path(tempfile.mkdtemp(prefix="shinchoku-bench-")) / "report.pdf"
    heads = f"{'s':>6} {'PDF MiB':>8} {'worker MiB':>10} {'worker peak':>11} {'typesetting peak':>16}"
    print(f"{'report':10} {heads}")
    with translation.override("ja"):
        for area in areas:
            started = time.perf_counter()
            document = report_build(plan.code, year=args.year, area_code=area)
            if args.in_process:
                in_process(document, output)
                size = output.stat().st_size
            else:
                size = len(render.render_pdf(document))
            seconds = time.perf_counter() - started
            own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(
                f"{area or 'whole':10} {seconds:6.1f} {size / 2**20:8.1f} {resident_mib():10.0f} "
                f"{own:11.0f} {children:16.0f}",
                flush=True,
            )
    shutil.rmtree(output.parent)


if __name__ == "__main__":
    main()
