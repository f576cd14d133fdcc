"""``shinchoku workbook``: a section's entry workbook for the results round of a year, the
file its editors download from the staff pages (``docs/workbook.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.files import OutputError, write_atomically
from shinchoku.review.workbook.writer import WorkbookError, entry_workbook


class Command(BaseCommand):
    help = (
        "Write a section's entry workbook (xlsx) for the results round of a fiscal year: the "
        "measures it and the units under it are responsible for, to fill in and import back with "
        "`shinchoku import`. Writes the file whole or not at all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--unit",
            required=True,
            help="the code of the section whose workbook to make (and its units below)",
        )
        parser.add_argument("--year", type=int, required=True, help="the fiscal year of the results round")
        parser.add_argument(
            "--plan", help="the plan's code, when several plans have a results round that year"
        )
        parser.add_argument("--output", "-o", type=Path, required=True, help="the file to write (.xlsx)")

    def handle(self, *args: object, **options: Any) -> None:
        output: Path = options["output"]
        if str(output) == "-":
            raise CommandError("an xlsx workbook needs --output FILE")
        try:
            data = entry_workbook(unit_code=options["unit"], year=options["year"], plan_code=options["plan"])
            write_atomically(output, data.content)
        except (WorkbookError, OutputError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{output}: {data.rows} measures of {data.unit}, {data.year_label}")
