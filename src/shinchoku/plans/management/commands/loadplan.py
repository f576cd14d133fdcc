from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.plans.formats.planfile import PlanFileError, load_plan_file


class Command(BaseCommand):
    help = "Load a plan data file (YAML or JSON, format shinchoku-plan/1); all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, file: Path, **options: object) -> None:
        load(self, file)


def load(command: BaseCommand, file: Path) -> None:
    try:
        summary = load_plan_file(file)
    except PlanFileError as error:
        raise CommandError(f"nothing was loaded:\n{error}") from error
    command.stdout.write(
        f"{summary.plan.code}: {summary.nodes} nodes, {summary.targets} targets, "
        f"{summary.results} results, {summary.ratings} ratings, {summary.indicators} indicators"
    )
