"""The entry workbook at scale: a section's workbook of N measures made, and the same
workbook, every row's result rewritten, previewed and imported.

Makes a scratch SQLite database with a synthetic plan (``shinchoku synth``), puts every
measure under one unit, opens the results round of the last year, and gives an editor of
that unit an account. Then, run by run, each a separate process timed whole (start-up
included), with the peak resident memory the kernel accounts to it:

A. ``shinchoku workbook --unit … --year …`` — the workbook made;
B. ``shinchoku import FILE --user …`` — the preview alone of the filled workbook;
C. ``shinchoku import FILE --apply --user …`` — preview and import in one transaction
   (every row changed: N saves, each with its audit row), from the same database each run.

    .venv/bin/python bench/workbook.py --measures 1000 --runs 3
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

BIN = Path(sys.executable).parent

SETUP = """
from datetime import timedelta
from django.utils import timezone
from django.contrib.auth import get_user_model
from shinchoku.accounts.models import Role, StaffRole
from shinchoku.plans.models import NodeUnit, OrgUnit, Plan
from shinchoku.review import services
plan = Plan.objects.get(code="{plan}")
city, _ = OrgUnit.objects.get_or_create(code="bench-city", defaults={{"name": "ベンチ市"}})
OrgUnit.objects.exclude(pk=city.pk).filter(parent__isnull=True).update(parent=city)
measures = plan.nodes.filter(level__rated=True)
for node in measures.exclude(unit_roles__role="responsible"):
    NodeUnit.objects.create(node=node, unit=city, role="responsible")
admin = get_user_model().objects.create(username="bench-admin", is_superuser=True, is_staff=True)
editor = get_user_model().objects.create(username="bench-editor")
StaffRole.objects.create(user=editor, role=Role.EDITOR, unit=city)
services.round_open(plan, {year}, "results", timezone.localdate() + timedelta(days=30), actor=admin)
print(measures.count())
"""

FILL = """
import sys
from openpyxl import load_workbook
book = load_workbook(sys.argv[1])
sheet = book["記入票"]
column = next(cell.column for cell in sheet[1] if cell.value == "実施結果")
for row in range(2, sheet.max_row + 1):
    value = sheet.cell(row=row, column=column).value or ""
    sheet.cell(row=row, column=column, value=value + "\\n・追記しました。")
book.save(sys.argv[2])
"""




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and print its path")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="shinchoku-bench-"))
    database = work / "bench.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "true",
        "SHINCHOKU_VAR_DIR": str(work),
    }
    shinchoku = str(BIN / "shinchoku")
    subprocess.run([shinchoku, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [shinchoku, "synth", "--measures", str(args.measures), "--years", str(args.years), "--seed", str(args.seed)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    plan = f"synth-{args.seed}"
    year = 2011 + args.years - 1
    count = subprocess.run(
        [shinchoku, "shell", "-c", SETUP.format(plan=plan, year=year)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip().splitlines()[-1]
    workbook, filled = work / "entries.xlsx", work / "filled.xlsx"
    export = [shinchoku, "workbook", "--unit", "bench-city", "--year", str(year), "-o", str(workbook)]
    subprocess.run(export, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-c", FILL, str(workbook), str(filled)], env=env, check=True)
    pristine = work / "pristine.sqlite3"
    shutil.copyfile(database, pristine)
    preview = [shinchoku, "import", str(filled), "--user", "bench-editor"]
    apply = [*preview, "--apply"]

    results: dict[str, list[tuple[float, float]]] = {"export": [], "preview": [], "preview + apply": []}
    for _ in range(args.runs):
        results["export"].append(run(export, env))
        results["preview"].append(run(preview, env))
        shutil.copyfile(pristine, database)
        results["preview + apply"].append(run(apply, env))
        shutil.copyfile(pristine, database)

    print(f"entry workbook of {count} measures ({workbook.stat().st_size / 1024:.0f} KiB), {args.runs} runs each")
    print(f"{'':18} {'median s':>9} {'min s':>7} {'max s':>7} {'peak RSS MiB':>13}")
    for name, runs in results.items():
        walls = [wall for wall, _ in runs]
        print(
            f"{name:18} {statistics.median(walls):9.2f} {min(walls):7.2f} {max(walls):7.2f} "
            f"{max(rss for _, rss in runs):13.0f}"
        )
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
