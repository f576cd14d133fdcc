import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.files import OutputError, write_atomically
from shinchoku.interchange.exporters import dumps, export_dataset
from shinchoku.plans.models import Plan


class Command(BaseCommand):
    help = "Export the data (docs/open-data.md). Writes the whole file or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument(
            "--output", "-o", type=Path, help="file to write; '-' or nothing for standard output"
        )
        parser.add_argument("--plan", action="append", help="a plan code (repeatable); default: all plans")
        parser.add_argument(
            "--unit", help="xlsx: the code of the section whose entry workbook to make (and its units below)"
        )
        parser.add_argument("--year", type=int, help="xlsx: the fiscal year of the results round")

    def handle(self, *args: object, **options: Any) -> None:
        if options["format"] == "xlsx":
            self._workbook(options)
            return
        codes: list[str] | None = options.get("plan")
        plans = Plan.objects.order_by("code")
        if codes:
            plans = plans.filter(code__in=codes)
            missing = sorted(set(codes) - set(plans.values_list("code", flat=True)))
            if missing:
                raise CommandError(f"no plan with the code {', '.join(missing)}")
        text = dumps(export_dataset(plans))
        output = options.get("output")
        if output is None or str(output) == "-":
            sys.stdout.write(text)
            return
        try:
            write_atomically(Path(str(output)), text.encode("utf-8"))
        except OutputError as error:
            raise CommandError(str(error)) from error

    def _workbook(self, options: dict[str, Any]) -> None:
        from shinchoku.interchange.workbook import WorkbookError, entry_workbook

        output = options.get("output")
        if output is None or str(output) == "-":
            raise CommandError("an xlsx workbook needs --output FILE")
        if not options.get("unit") or not options.get("year"):
            raise CommandError("an entry workbook needs --unit CODE and --year YEAR")
        codes = options.get("plan") or []
        if len(codes) > 1:
            raise CommandError("an entry workbook is of one plan: give --plan once")
        try:
            data = entry_workbook(
                unit_code=options["unit"], year=options["year"], plan_code=codes[0] if codes else None
            )
            write_atomically(Path(str(output)), data.content)
        except WorkbookError as error:
            raise CommandError(str(error)) from error
        except OutputError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{output}: {data.rows} measures of {data.unit}, {data.year_label}")
