"""The PDF report at scale, against WeasyPrint rendering the same report's HTML.

Makes a scratch SQLite database with a synthetic plan (``shinchoku synth``), then in
turn, run by run:

A. ``shinchoku report --format pdf``: the whole command as a person runs it (start-up,
   reading the data, laying it out with Typst, writing the file);
B. WeasyPrint turning the project's own HTML report of the same data (made once, before
   the runs, with ``shinchoku report --format html``) into a PDF — the rendering alone.

Each run is a separate process; wall time and the peak resident memory (the kernel's
accounting of that process) are taken per run, and the medians and the ratio B/A printed.

    .venv/bin/python bench/report_pdf.py --measures 1000 --years 2 --runs 3

Needs WeasyPrint in the same environment (``pip install -e .[bench]``), unless run with
``--without-weasyprint``: A alone, e.g. to compare two versions of the report's layout.
"""

from __future__ import annotations

import argparse
import os
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
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--without-weasyprint", action="store_true", help="run A only")
    args = parser.parse_args()
    weasyprint = not args.without_weasyprint

    work = Path(tempfile.mkdtemp(prefix="shinchoku-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "DEBUG": "true",
        "SHINCHOKU_VAR_DIR": str(work),
    }
    shinchoku = str(BIN / "shinchoku")
    subprocess.run([shinchoku, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [
            shinchoku,
            "synth",
            "--measures",
            str(args.measures),
            "--years",
            str(args.years),
            "--seed",
            str(args.seed),
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    plan = f"synth-{args.seed}"
    year = str(2011 + args.years - 1)
    html = work / "report.html"
    if weasyprint:
        subprocess.run(
            [shinchoku, "report", "--plan", plan, "--year", year, "--format", "html", "-o", str(html)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    typst_command = [
        shinchoku,
        "report",
        "--plan",
        plan,
        "--year",
        year,
        "--format",
        "pdf",
        "-o",
        str(work / "a.pdf"),
    ]
    weasy_command = [str(BIN / "weasyprint"), str(html), str(work / "b.pdf")]

    typst_runs: list[tuple[float, float]] = []
    weasy_runs: list[tuple[float, float]] = []
    run(typst_command, env)  # warm-up: file caches, font discovery
    for number in range(args.runs):
        typst_runs.append(run(typst_command, env))
        line = f"run {number + 1}: typst {typst_runs[-1][0]:.1f} s {typst_runs[-1][1]:.0f} MiB"
        if weasyprint:
            weasy_runs.append(run(weasy_command, env))
            line += f"; weasyprint {weasy_runs[-1][0]:.1f} s {weasy_runs[-1][1]:.0f} MiB"
        print(line, file=sys.stderr)

    pages = subprocess.run(["pdfinfo", str(work / "a.pdf")], capture_output=True, text=True).stdout
    page_count = next((line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")), "?")
    print(f"data: {args.measures} measures x {args.years} years; PDF pages: {page_count}; runs: {args.runs}")
    print(f"{'':<34}{'median wall s':>14}{'max wall s':>12}{'median peak MiB':>17}")
    measured = [("A shinchoku report --format pdf", typst_runs)]
    if weasyprint:
        measured.append(("B weasyprint (HTML report)", weasy_runs))
    for name, runs in measured:
        walls = [r[0] for r in runs]
        print(
            f"{name:<34}{statistics.median(walls):>14.2f}{max(walls):>12.2f}"
            f"{statistics.median(r[1] for r in runs):>17.0f}"
        )
    if weasyprint:
        ratios = [b[0] / a[0] for a, b in zip(typst_runs, weasy_runs, strict=True)]
        print(
            f"B/A wall-time ratio, pair by pair: median {statistics.median(ratios):.1f}x "
            f"(min {min(ratios):.1f}x, max {max(ratios):.1f}x)"
        )


if __name__ == "__main__":
    main()
