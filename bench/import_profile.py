"""A city's own workbook imported with its profile: the real 大船渡市 事務事業評価 workbook
(407 projects, ~35,000 values) with docs/examples/profiles/ofunato-jimujigyo.yaml, when
``../shared/realdata`` is there (it is the city's document and never part of the project).

Makes a scratch database (SQLite, or ``--database`` for PostgreSQL), then, run by run,
each a separate process timed whole (start-up included), with the peak resident memory the
kernel accounts to it:

A. ``shinchoku import FILE --profile P`` — the preview, into an empty instance;
B. ``shinchoku import FILE --profile P --apply`` — the whole plan built, from the empty
   database each run;
C. the same again on the database B made — nothing changes, nothing is written.

Then prints what the preview found: nodes per level, costs, indicators and their values,
ratings, warnings by kind.

    .venv/bin/python bench/import_profile.py --runs 3
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
    args = parser.parse_args()
    if not args.file.exists():
        print(f"{args.file} is not here: nothing measured (the real workbook lives in ../shared/realdata).")
        return

    work = Path(tempfile.mkdtemp(prefix="shinchoku-bench-"))
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
    print(f"{'':12} {'median s':>9} {'min s':>7} {'max s':>7} {'peak RSS MiB':>13}")
    for name, timed in results.items():
        walls = [wall for wall, _ in timed]
        print(
            f"{name:12} {statistics.median(walls):9.2f} {min(walls):7.2f} {max(walls):7.2f} "
            f"{max(rss for _, rss in timed):13.0f}"
        )
    print(counts.rstrip())
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
