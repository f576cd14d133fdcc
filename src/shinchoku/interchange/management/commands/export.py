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
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument(
            "--output", "-o", type=Path, help="file to write; '-' or nothing for standard output"
        )
        parser.add_argument("--plan", action="append", help="a plan code (repeatable); default: all plans")

    def handle(self, *args: object, **options: Any) -> None:
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
