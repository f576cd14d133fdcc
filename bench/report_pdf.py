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
``--without-weasyprint``: A alone.

``--previous REV`` also runs A as the code of git revision REV draws the report (its
``src`` exported with ``git archive`` to the scratch folder and put first on the import
path), in turn with the others, to compare a change of the layout with what it replaces:

    .venv/bin/python bench/report_pdf.py --measures 1000 --years 2 --runs 3 --previous HEAD
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from processes import previous_src, run, synthesize

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--without-weasyprint", action="store_true", help="do not run B")
    parser.add_argument("--previous", metavar="REV", help="also run A as the code of git revision REV")
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
    plan = synthesize(env, measures=args.measures, years=args.years, seed=args.seed)
    year = str(2011 + args.years - 1)
    html = work / "report.html"
    if weasyprint:
        subprocess.run(
            [shinchoku, "report", "--plan", plan, "--year", year, "--format", "html", "-o", str(html)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def pdf_command(output: str) -> list[str]:
        return [
            shinchoku,
            "report",
            "--plan",
            plan,
            "--year",
            year,
            "--format",
            "pdf",
            "-o",
            str(work / output),
        ]

    # Run in this order, round by round.
    measured = [Measured("A", "A shinchoku report --format pdf", pdf_command("a.pdf"), env, work / "a.pdf")]
    if args.previous:
        previous_env = {**env, "PYTHONPATH": str(previous_src(args.previous, work))}
        label = f"A at {args.previous}"
        measured.append(
            Measured(label, label, pdf_command("previous.pdf"), previous_env, work / "previous.pdf")
        )
    if weasyprint:
        weasy_command = [str(BIN / "weasyprint"), str(html), str(work / "b.pdf")]
        measured.append(Measured("B", "B weasyprint (HTML report)", weasy_command, env, None))

    for each in measured:
        if each.pdf is not None:
            run(each.command, each.env)  # warm-up: file caches, font discovery
    for number in range(args.runs):
        for each in measured:
            each.runs.append(run(each.command, each.env))
        line = "; ".join(
            f"{each.label} {each.runs[-1][0]:.1f} s {each.runs[-1][1]:.0f} MiB" for each in measured
        )
        print(f"run {number + 1}: {line}", file=sys.stderr)

    print(f"data: {args.measures} measures x {args.years} years; runs: {args.runs}")
    print(f"{'':<34}{'PDF pages':>10}{'median wall s':>14}{'max wall s':>12}{'median peak MiB':>17}")
    for each in measured:
        walls = [r[0] for r in each.runs]
        print(
            f"{each.name:<34}{page_count(each.pdf) if each.pdf else '':>10}{statistics.median(walls):>14.2f}"
            f"{max(walls):>12.2f}{statistics.median(r[1] for r in each.runs):>17.0f}"
        )
    if weasyprint:
        print(ratios("B/A wall-time ratio", measured[-1], measured[0]))
    if args.previous:
        print(ratios(f"A at {args.previous} / A wall-time ratio", measured[1], measured[0]))


@dataclass
class Measured:
    """A command benchmarked, and its runs' wall seconds and peak MiB."""

    label: str
    name: str
    command: list[str]
    env: dict[str, str]
    pdf: Path | None
    runs: list[tuple[float, float]] = field(default_factory=list)


def page_count(pdf: Path) -> str:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def ratios(what: str, slower: Measured, faster: Measured) -> str:
    pairs = [s[0] / f[0] for s, f in zip(slower.runs, faster.runs, strict=True)]
    return (
        f"{what}, pair by pair: median {statistics.median(pairs):.1f}x "
        f"(min {min(pairs):.1f}x, max {max(pairs):.1f}x)"
    )


if __name__ == "__main__":
    main()
