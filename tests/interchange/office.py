"""A real spreadsheet application for the tests: LibreOffice, headless, turning one sheet
of a workbook into CSV as it shows it (computed values, never formulas)."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice")

#: Marks a test that needs LibreOffice (Debian's libreoffice-calc, which bin/setup installs).
needs_office = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (Debian libreoffice-calc) is installed by bin/setup"
)


def sheet_as_csv(workbook: Path, sheet: int, work: Path) -> list[list[str]]:
    """The rows of sheet number ``sheet`` (1 = the first) as LibreOffice shows them: the
    value of a formula is what it computes, a text is its text."""
    outdir = work / f"office-{workbook.stem}-{sheet}"
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{work / 'office-profile'}",
            "--headless",
            "--convert-to",
            # Comma, double quote, UTF-8 (76), from row 1, the cells as computed, not as formulas.
            f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{sheet}",
            "--outdir",
            str(outdir),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (converted,) = outdir.glob("*.csv")
    with converted.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def csv_as_workbook(path: Path, work: Path) -> Path:
    """The CSV file at ``path`` opened in LibreOffice (UTF-8, comma-separated) and saved as
    xlsx: what a person who opens it in a spreadsheet application gets."""
    outdir = work / f"office-{path.stem}-xlsx"
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{work / 'office-profile'}",
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(outdir),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return outdir / f"{path.stem}.xlsx"
