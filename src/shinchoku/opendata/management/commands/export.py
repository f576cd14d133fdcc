import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.files import OutputError, write_atomically
from shinchoku.opendata import files as opendata
from shinchoku.opendata.package import DESCRIPTOR
from shinchoku.plans.formats.dataset.export import dumps, export_dataset
from shinchoku.plans.models import Plan


class Command(BaseCommand):
    help = (
        "Export the data (docs/open-data.md): the JSON dataset, its tables as CSV files with "
        "datapackage.json, or all of them in one ZIP. Writes each file whole or not at all. "
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
        dataset = export_dataset(plans)
        if year is not None:
            dataset = opendata.for_year(dataset, year)
        output = options.get("output")
        to_stdout = output is None or str(output) == "-"
        if options["format"] == "json":
            text = dumps(dataset)
            if to_stdout:
                sys.stdout.write(text)
                return
            self._write({Path(str(output)): text.encode("utf-8")})
        elif options["format"] == "csv":
            if to_stdout:
                raise CommandError("CSV tables need --output FOLDER")
            folder = Path(str(output))
            if not folder.is_dir():
                if folder.exists() or not (folder.parent if str(folder.parent) else Path(".")).is_dir():
                    raise CommandError(f"{folder}: not a folder, and cannot be made here")
                folder.mkdir()
            files = opendata.csv_folder(dataset, bom=options["bom"], year=year)
            self._write({folder / name: data for name, data in files.items()})
            self.stdout.write(f"{folder}: {len(files) - 1} tables and {DESCRIPTOR}")
        else:
            if to_stdout:
                raise CommandError("a ZIP needs --output FILE")
            self._write({Path(str(output)): opendata.zip_bundle(dataset, year=year)})

    def _write(self, files: dict[Path, bytes]) -> None:
        """Write each file atomically; everything was made before the first is written."""
        try:
            for path, data in files.items():
                write_atomically(path, data)
        except OutputError as error:
            raise CommandError(str(error)) from error
