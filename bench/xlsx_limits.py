"""Uploaded xlsx files: what refusing a hostile workbook costs, and what reading an honest
large one costs, with the bounded reader (``interchange/sheets/xlsxfile.py``) and, for comparison,
with a whole-workbook load by openpyxl (what the importers did before the reader).

Makes, in a scratch folder, the workbooks of ``tests/interchange/xlsx_samples.py``:

- hostile, each under 10 MB and passing the ZIP checks: the cell bomb (12.85 million
  cells, a 184 MB sheet packed into 3 MB); the same kind just under a sheet's unpacked
  limit (4 million cells); 1.1 million inline texts; 1.5 million shared texts; a cell at
  XFD1048576; a row of 16,384 cells;
- honest: a plan structure of 2,000 rows × 250 columns, every cell filled;

then, each in a process of its own, with the kernel's peak resident memory of that process
(``wait4``) and the wall time of the whole process (start-up included):

A. ``preview``: ``shinchoku import FILE`` as a person runs it (nothing is written);
B. ``read``: the bounded reader alone, every worksheet (for a workbook that is no file
   Shinchoku imports, such as a city's own);
C. ``reload``: the staff pages' preview, then the same preview again as a reload of the
   page makes it, from the reading kept with the upload;
D. ``openpyxl`` (with ``--old``): ``load_workbook`` of the whole file, the first step of the
   importers before the reader; capped at ``--old-limit`` MiB of address space, so that a
   bomb fails there instead of taking the machine (it is then reported as failed).

With ``--realdata DIR``, every ``.xlsx`` file in DIR is read too (B, and D with ``--old``).

    .venv/bin/python bench/xlsx_limits.py [--old] [--realdata /work/shared/realdata/ofunato]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.interchange.xlsx_samples import (  # noqa: E402
    cell_bomb_rows,
    huge_dimension_rows,
    inline_text_rows,
    shared_heading_row,
    shared_string_bomb,
    structure_workbook,
    wide_row,
    write_xlsx,
)

BIN = Path(sys.executable).parent

READ = """
import sys
import django
django.setup()
from shinchoku.interchange.sheets.xlsxfile import XlsxRefused, open_xlsx
try:
    book = open_xlsx(open(sys.argv[1], "rb").read())
    for title in book.worksheets:
        sheet = book.sheet(title)
        print(f"{title}: {sheet.max_row} rows x {sheet.max_column} columns")
except XlsxRefused as refusal:
    print(f"refused: {refusal.sheet} {refusal.row} {refusal.column} {refusal}")
"""

RELOAD = """
import os, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from shinchoku.interchange import uploads
from shinchoku.interchange.importing import import_preview
user, _ = get_user_model().objects.get_or_create(username="bench-admin", is_superuser=True, is_staff=True)
token = uploads.upload_keep(open(sys.argv[1], "rb").read(), os.path.basename(sys.argv[1]), user_id=user.pk)
upload = uploads.upload_get(token, user_id=user.pk)
times = []
for _ in range(2):
    started = time.perf_counter()
    preview = import_preview(upload.data, upload.filename, actor=user, kept=uploads.upload_reading(upload))
    times.append(time.perf_counter() - started)
kept = uploads.upload_reading(upload).path.stat().st_size / 1024 / 1024
print(f"first preview {times[0]:.2f} s, reloaded {times[1]:.2f} s (reading kept: {kept:.1f} MB)")
"""

OPENPYXL = """
import io, sys
from openpyxl import load_workbook
data = open(sys.argv[1], "rb").read()
book = load_workbook(io.BytesIO(data), data_only=False, keep_vba=False, keep_links=False)
for sheet in book.worksheets:
    print(f"{sheet.title}: {sheet.max_row} rows x {sheet.max_column} columns")
"""

SAMPLES: dict[str, Callable[[Path], Path]] = {
    "cell bomb (12.85 M cells)": lambda path: write_xlsx(path, [("構造", cell_bomb_rows(12_850_000))]),
    "cells under the part limit (4 M)": lambda path: write_xlsx(path, [("構造", cell_bomb_rows(4_000_000))]),
    "1.1 M inline texts": lambda path: write_xlsx(path, [("構造", inline_text_rows(1_100_000))]),
    "1.5 M shared texts": lambda path: write_xlsx(
        path, [("構造", shared_heading_row())], shared_string_bomb(1_500_000)
    ),
    "a cell at XFD1048576": lambda path: write_xlsx(path, [("構造", huge_dimension_rows(far_cell=True))]),
    "a row of 16,384 cells": lambda path: write_xlsx(path, [("構造", wide_row(16_384))]),
    "structure 2,000 × 250 (honest)": lambda path: structure_workbook(path, rows=2000, columns=250),
}


def run(command: list[str], env: dict[str, str], limit_mib: int | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB and the last line of output of a whole process; a
    process that fails is reported with what it said last."""

    def cap() -> None:
        if limit_mib is not None:
            size = limit_mib * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size, size))

    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        # The commands are this script's own: the interpreter or shinchoku, and a file it made.
        process = subprocess.Popen(  # noqa: S603
            command, env=env, stdout=output, stderr=subprocess.STDOUT, preexec_fn=cap
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        output.seek(0)
        lines = [line for line in output.read().decode(errors="replace").splitlines() if line.strip()]
    # A refused preview ends with exit status 1 after its ERROR lines: that is its outcome.
    refusals = [line.strip() for line in lines if line.lstrip().startswith("ERROR")]
    said = refusals[0] if refusals else (lines[-1] if lines else "")
    if os.waitstatus_to_exitcode(status) != 0 and not refusals:
        said = f"FAILED: {said}"
    return wall, usage.ru_maxrss / 1024, said


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--old", action="store_true", help="also load each file whole with openpyxl")
    parser.add_argument(
        "--old-limit", type=int, default=6144, help="address space for the openpyxl runs, MiB"
    )
    parser.add_argument("--realdata", type=Path, help="a folder of real workbooks to read as well")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and print its path")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="shinchoku-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "DEBUG": "true",
        "SHINCHOKU_VAR_DIR": str(work),
        "DJANGO_SETTINGS_MODULE": "shinchoku.settings",
    }
    shinchoku = str(BIN / "shinchoku")
    subprocess.run([shinchoku, "migrate", "-v0"], env=env, check=True)  # noqa: S603
    files: list[tuple[str, Path, bool]] = []
    for number, (name, make) in enumerate(SAMPLES.items()):
        path = make(work / f"sample{number}.xlsx")
        files.append((name, path, True))
    if args.realdata:
        files += [(f"real: {path.name}", path, False) for path in sorted(args.realdata.glob("*.xlsx"))]

    print(f"{'file':34} {'size':>8} {'run':9} {'wall s':>7} {'peak MiB':>9}  outcome")
    for name, path, importable in files:
        size = f"{path.stat().st_size / 1024 / 1024:.1f} MB"
        runs: list[tuple[str, list[str], int | None]] = []
        if importable:
            runs.append(("preview", [shinchoku, "import", str(path), "--language=en"], None))
            runs.append(("reload", [sys.executable, "-c", RELOAD, str(path)], None))
        runs.append(("read", [sys.executable, "-c", READ, str(path)], None))
        if args.old:
            runs.append(("openpyxl", [sys.executable, "-c", OPENPYXL, str(path)], args.old_limit))
        for label, command, limit in runs:
            wall, peak, said = run(command, env, limit)
            print(f"{name:34} {size:>8} {label:9} {wall:7.2f} {peak:9.0f}  {said[:150]}")
            size = ""
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
