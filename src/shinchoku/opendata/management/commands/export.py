import io
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.files import OutputError, written_atomically
from shinchoku.opendata import files as opendata
from shinchoku.opendata.package import DESCRIPTOR
from shinchoku.plans.formats.dataset.export import dataset_parts
from shinchoku.plans.formats.dataset.stream import write_json
from shinchoku.plans.models import Plan


class Command(BaseCommand):
    help = (
        "Export the data (docs/open-data.md): the JSON dataset, its tables as CSV files with "
        "datapackage.json, or all of them in one ZIP. Writes each file whole or not at all, "
        "as it reads the data, in memory that does not grow with it. "
        "(A section's entry workbook: `shinchoku workbook`.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "csv", "zip"], default="json")
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            help="json: a file, '-' or nothing for standard output; csv: a folder (made if missing); "
            "zip: a file",
        )
        parser.add_argument("--plan", action="append", help="a plan code (repeatable); default: all plans")
        parser.add_argument(
            "--year",
            type=int,
            help="only this fiscal year's results, ratings and indicator values, and the targets covering it",
        )
        parser.add_argument(
            "--bom",
            action="store_true",
            help="csv: the copies for spreadsheet programs: a UTF-8 byte order mark, and an apostrophe "
            "before each text that would run as a formula (docs/open-data.md)",
        )

    def handle(self, *args: object, **options: Any) -> None:
        codes: list[str] | None = options.get("plan")
        plans = Plan.objects.order_by("code")
        if codes:
            plans = plans.filter(code__in=codes)
            missing = sorted(set(codes) - set(plans.values_list("code", flat=True)))
            if missing:
                raise CommandError(f"no plan with the code {', '.join(missing)}")
        year: int | None = options.get("year")
        if year is not None and not any(year in plan.fiscal_years for plan in plans):
            raise CommandError(f"fiscal year {year} is outside the period of every plan exported")
        parts = dataset_parts(plans)
        if year is not None:
            parts = (opendata.for_year(part, year) for part in parts)
        output = options.get("output")
        to_stdout = output is None or str(output) == "-"
        try:
            if options["format"] == "json":
                if to_stdout:
                    write_json(sys.stdout, parts)
                    return
                with written_atomically(Path(str(output))) as stream:
                    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
                    write_json(text, parts)
                    text.detach()  # flushed, and the file left to close to its owner
            elif options["format"] == "csv":
                if to_stdout:
                    raise CommandError("CSV tables need --output FOLDER")
                folder = Path(str(output))
                if not folder.is_dir():
                    if folder.exists() or not (folder.parent if str(folder.parent) else Path(".")).is_dir():
                        raise CommandError(f"{folder}: not a folder, and cannot be made here")
                    folder.mkdir()
                tables = opendata.write_folder(parts, folder, bom=options["bom"], year=year)
                self.stdout.write(f"{folder}: {tables} tables and {DESCRIPTOR}")
            else:
                if to_stdout:
                    raise CommandError("a ZIP needs --output FILE")
                with written_atomically(Path(str(output))) as stream:
                    opendata.write_zip(parts, stream, year=year)
        except OutputError as error:
            raise CommandError(str(error)) from error
