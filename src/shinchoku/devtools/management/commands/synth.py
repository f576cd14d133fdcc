import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.devtools.synth import MAX_YEARS, SynthError, plan_synthesize
from shinchoku.plans.models import Node
from shinchoku.progress.models import Cost, Indicator, Rating, Result, Target


class Command(BaseCommand):
    help = (
        "Create a synthetic plan (Japanese text recombined from the demonstration data) for scale tests "
        "and benchmarks; the same arguments give the same plan. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--measures", type=int, required=True, help="number of measures (施策計画), ≥ 1")
        parser.add_argument(
            "--years", type=int, required=True, help=f"fiscal years of results from 2011, 1 to {MAX_YEARS}"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--plan-code", help="the plan's code (default synth-<seed>)")
        parser.add_argument(
            "--replace", action="store_true", help="delete an existing plan with the same code first"
        )

    def handle(self, *args: object, **options: Any) -> None:
        started = time.perf_counter()
        try:
            plan = plan_synthesize(
                measures=int(options["measures"]),
                years=int(options["years"]),
                seed=int(options["seed"]),
                code=options.get("plan_code") or None,
                replace=bool(options["replace"]),
            )
        except SynthError as error:
            raise CommandError(f"nothing was written: {error}") from error
        seconds = time.perf_counter() - started
        nodes = Node.objects.filter(plan=plan)
        self.stdout.write(
            f"{plan.code}: {plan.title}, {plan.first_year}–{plan.last_year}: "
            f"{nodes.filter(level__key='plan').count()} plan areas, "
            f"{nodes.filter(level__key='programme').count()} programmes, "
            f"{nodes.filter(level__key='measure').count()} measures, "
            f"{Target.objects.filter(node__plan=plan).count()} targets, "
            f"{Result.objects.filter(node__plan=plan).count()} results, "
            f"{Rating.objects.filter(result__node__plan=plan).count()} ratings, "
            f"{Indicator.objects.filter(node__plan=plan).count()} indicators, "
            f"{Cost.objects.filter(node__plan=plan).count()} costs "
            f"in {seconds:.1f} s"
        )
