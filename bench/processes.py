"""Running a command as a whole process and reading what it cost: wall seconds and the
peak resident memory the kernel accounts to it (``wait4``)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time


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
