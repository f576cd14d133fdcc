"""``shinchoku structure``: a plan's structure as a spreadsheet (CSV or xlsx, by the output
file's name), in the layout ``shinchoku import`` reads; or, with ``--years``, an empty
template for a new plan."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.files import OutputError, write_atomically
from shinchoku.interchange.sheets.spreadsheet_text import CellRefused
from shinchoku.plans.formats.structure.export import plan_rows, template_rows, to_csv, to_xlsx
from shinchoku.plans.models import Plan


class Command(BaseCommand):
    help = (
        "Write a plan's structure as a spreadsheet (.csv or .xlsx) that `shinchoku import` reads "
        "back; with --years FIRST-LAST instead of --plan, an empty template."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", help="the code of the plan to write")
        parser.add_argument("--years", help="an empty template for these fiscal years, e.g. 2024-2027")
        parser.add_argument(
            "--output", "-o", type=Path, required=True, help="the file: NAME.csv or NAME.xlsx"
        )

    def handle(self, *args: object, **options: Any) -> None:
        output: Path = options["output"]
        suffix = output.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise CommandError("--output must name a .csv or .xlsx file")
        if bool(options.get("plan")) == bool(options.get("years")):
            raise CommandError("give either --plan CODE or --years FIRST-LAST")
        if options.get("plan"):
            plan = Plan.objects.filter(code=options["plan"]).first()
            if plan is None:
                raise CommandError(f"no plan with the code {options['plan']}")
            rows = plan_rows(plan)
        else:
            match = re.fullmatch(r"(\d{4})-(\d{4})", options["years"])
            if not match or int(match.group(2)) < int(match.group(1)):
                raise CommandError("--years must be FIRST-LAST, e.g. 2024-2027")
            rows = template_rows(int(match.group(1)), int(match.group(2)))
        try:
            data = to_csv(rows) if suffix == ".csv" else to_xlsx(rows)
        except CellRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        try:
            write_atomically(output, data)
        except OutputError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{output}: {len(rows) - 1} rows")
