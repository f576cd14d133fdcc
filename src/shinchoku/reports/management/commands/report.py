import argparse
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from shinchoku.files import OutputError, write_atomically
from shinchoku.plans.models import Plan
from shinchoku.reports.links import site_links
from shinchoku.reports.render import render_html, render_pdf
from shinchoku.reports.selectors import ReportError, report_build


def year_list(value: str) -> list[int]:
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError as error:
        message = f"fiscal years separated by commas, e.g. 2011,2012; not {value!r}"
        raise argparse.ArgumentTypeError(message) from error


class Command(BaseCommand):
    help = (
        "Make the annual progress report of a plan as PDF (A4 landscape, tagged, PDF/A-2a and PDF/UA-1) "
        "or as HTML. Writes the whole file or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="the fiscal year reported on, e.g. 2012")
        parser.add_argument("--format", choices=["pdf", "html"], default="pdf")
        parser.add_argument("--output", "-o", type=Path, required=True, help="the file to write")
        parser.add_argument("--plan", help="the plan's code; may be left out when there is only one plan")
        parser.add_argument("--area", help="one plan area's code (default: every plan area)")
        parser.add_argument(
            "--years",
            type=year_list,
            help="whose results to print, e.g. 2011,2012 (default: every year of the period up to --year)",
        )
        parser.add_argument("--first-page", type=int, default=1, help="the number of the first numbered page")
        parser.add_argument(
            "--language", choices=["ja", "en"], default="ja", help="the report's fixed wording"
        )

    def handle(self, *args: object, **options: Any) -> None:
        plan_code = options["plan"] or self.only_plan()
        with translation.override(str(options["language"])):
            try:
                document = report_build(
                    str(plan_code),
                    year=int(options["year"]),
                    years=options["years"],
                    area_code=options["area"],
                    first_page=int(options["first_page"]),
                    language=str(options["language"]),
                )
                if options["format"] == "pdf":
                    data = render_pdf(document)
                else:
                    # With the site's address known, the file leads back to the site.
                    links = site_links(document, area_code=options["area"]) if settings.SITE_URL else None
                    data = render_html(document, links).encode("utf-8")
            except ReportError as error:
                raise CommandError(str(error)) from error
        output = Path(str(options["output"]))
        try:
            write_atomically(output, data)
        except OutputError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{output}: {len(data):,} bytes")

    def only_plan(self) -> str:
        codes = list(Plan.objects.order_by("code").values_list("code", flat=True)[:2])
        if len(codes) != 1:
            raise CommandError(
                "there is no plan" if not codes else "there are several plans: name one with --plan CODE"
            )
        return codes[0]
