"""Backup and restore at scale (docs/backup.md): a synthetic plan backed up, and the
backup restored into an empty instance, checked by comparing the two JSON exports.

Makes a scratch SQLite instance with ``shinchoku synth``; then, run by run, each a
separate process timed whole (start-up included), with its peak resident memory:

A. ``shinchoku backup --output FILE`` on SQLite;
B. ``shinchoku restore FILE`` into a new, migrated SQLite instance;
C. and D., with ``--postgres URL`` (an empty database, emptied again each run):
   ``shinchoku restore FILE`` into it, then ``shinchoku backup`` from it.

    .venv/bin/python bench/backup.py --measures 1000 --years 3 --runs 3 \\
        --postgres postgres://postgres@127.0.0.1:5432/shinchoku_bench_backup
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", help="an empty PostgreSQL database to restore into (its data replaced)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="shinchoku-bench-backup-"))
    shinchoku = str(BIN / "shinchoku")

    def instance(name: str, url: str | None = None) -> dict[str, str]:
        var = work / name
        var.mkdir(exist_ok=True)
        return {
            **os.environ,
            "DATABASE_URL": url or f"sqlite:///{var / 'shinchoku.sqlite3'}",
            "DEBUG": "true",
            "SHINCHOKU_VAR_DIR": str(var),
        }

    source, target = instance("source"), instance("target")
    for env in (source, target):
        subprocess.run([shinchoku, "migrate", "-v0"], env=env, check=True)
    synth = [shinchoku, "synth", "--measures", str(args.measures), "--years", str(args.years)]
    subprocess.run(synth, env=source, check=True, stdout=subprocess.DEVNULL)
    empty = work / "empty.sqlite3"
    shutil.copyfile(work / "target" / "shinchoku.sqlite3", empty)
    backup = work / "backup.zip"
    results: dict[str, list[tuple[float, float]]] = {"backup (SQLite)": [], "restore (SQLite)": []}
    for _ in range(args.runs):
        results["backup (SQLite)"].append(run([shinchoku, "backup", "--output", str(backup)], source))
        shutil.copyfile(empty, work / "target" / "shinchoku.sqlite3")
        results["restore (SQLite)"].append(run([shinchoku, "restore", str(backup)], target))
    exports = {}
    for name, env in (("source", source), ("target", target)):
        exports[name] = subprocess.run(
            [shinchoku, "export", "--format", "json"], env=env, check=True, capture_output=True
        ).stdout
    if args.postgres:
        postgres = instance("postgres", args.postgres)
        subprocess.run([shinchoku, "migrate", "-v0"], env=postgres, check=True)
        results["restore (PostgreSQL)"], results["backup (PostgreSQL)"] = [], []
        for _ in range(args.runs):
            restore = [shinchoku, "restore", "--replace", str(backup)]
            results["restore (PostgreSQL)"].append(run(restore, postgres))
            again = [shinchoku, "backup", "--output", str(work / "again.zip")]
            results["backup (PostgreSQL)"].append(run(again, postgres))
        exports["postgres"] = subprocess.run(
            [shinchoku, "export", "--format", "json"], env=postgres, check=True, capture_output=True
        ).stdout

    database = work / "source" / "shinchoku.sqlite3"
    size = backup.stat().st_size / 1024 / 1024
    print(
        f"{args.measures} measures × {args.years} years: backup {size:.2f} MiB "
        f"(the SQLite file {database.stat().st_size / 1024 / 1024:.1f} MiB); exports the same: "
        f"{len(set(exports.values())) == 1}"
    )
    print(f"{'':22} {'median s':>9} {'min s':>7} {'max s':>7} {'peak RSS MiB':>13}")
    for name, runs in results.items():
        walls = [wall for wall, _ in runs]
        print(
            f"{name:22} {statistics.median(walls):9.2f} {min(walls):7.2f} {max(walls):7.2f} "
            f"{max(rss for _, rss in runs):13.0f}"
        )
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
