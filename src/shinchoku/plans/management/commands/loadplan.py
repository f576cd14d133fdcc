"""``shinchoku loadplan FILE [--apply] [--user NAME]``: preview loading a plan data file
(each object new, changed or removed, as ``shinchoku import`` shows a file), and with
``--apply`` write it in one transaction, recorded in the audit log. Exit status 1 (and
nothing written) when the file has problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.accounts.commands import command_actor
from shinchoku.interchange.preview import preview_lines
from shinchoku.plans.formats.planfile import PlanFileError, load_plan_file, preview_plan_file


class Command(BaseCommand):
    help = (
        "Preview loading a plan data file (YAML or JSON, format shinchoku-plan/1); with --apply, "
        "load it, all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--apply", action="store_true", help="write the changes (default: preview only)")
        parser.add_argument("--user", help="the account the audit history names (default: the console)")
        parser.add_argument("--verbose-rows", action="store_true", help="list unchanged objects too")

    def handle(self, *args: object, file: Path, **options: Any) -> None:
        actor = command_actor(options.get("user"))
        if options.get("apply"):
            load(self, file, actor=actor)
            return
        try:
            preview = preview_plan_file(file)
        except PlanFileError as error:
            raise CommandError(f"nothing was loaded:\n{error}") from error
        self.stdout.write("\n".join(preview_lines(preview, verbose=options.get("verbose_rows", False))))
        self.stdout.write("The file can be loaded: run again with --apply.")


def load(command: BaseCommand, file: Path, *, actor: Any = None) -> None:
    """Load ``file`` as ``actor`` and say what it holds; CommandError with every problem."""
    try:
        summary = load_plan_file(file, actor=actor)
    except PlanFileError as error:
        raise CommandError(f"nothing was loaded:\n{error}") from error
    changes = ", ".join(f"{count} {status}" for status, count in summary.diff.counts().items())
    command.stdout.write(
        f"{summary.plan.code}: {summary.nodes} nodes, {summary.targets} targets, "
        f"{summary.results} results, {summary.ratings} ratings, {summary.indicators} indicators "
        f"({changes if summary.written else 'nothing changed'})"
    )
