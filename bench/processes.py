"""Running a command as a whole process and reading what it cost: wall seconds and the
peak resident memory the kernel accounts to it (``wait4``); and the code of an earlier
revision, to run it beside today's in the same benchmark (``previous_src``); and a
synthetic plan made in a new database (``synthesize``)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command to its end; its wall seconds and peak RSS in MiB. Its output goes to
    a file (never a pipe, which a long output would fill and stall); a failure stops the
    benchmark with the end of that output."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            output.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{output.read().decode()[-3000:]}")
    return wall, usage.ru_maxrss / 1024


def previous_src(revision: str, work: Path) -> Path:
    """The ``src`` folder of git revision ``revision``, exported under ``work``: put it
    first on ``PYTHONPATH`` to run that revision's code."""
    tree = work / "previous"
    tree.mkdir()
    archive = subprocess.run(  # noqa: S603 - git, fixed arguments
        ["git", "archive", revision, "src"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)  # noqa: S603
    return tree / "src"


def synthesize(env: dict[str, str], *, measures: int, years: int, seed: int) -> str:
    """Migrate the database of ``env`` and make ``shinchoku synth``'s plan in it with this
    interpreter's console command; the plan's code."""
    shinchoku = str(Path(sys.executable).parent / "shinchoku")
    subprocess.run([shinchoku, "migrate", "-v0"], env=env, check=True)  # noqa: S603
    synth = ["synth", "--measures", str(measures), "--years", str(years), "--seed", str(seed)]
    subprocess.run([shinchoku, *synth], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    return f"synth-{seed}"
