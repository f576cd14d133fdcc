"""``shinchoku import FILE [--profile PROFILE] [--apply] [--user NAME]``: preview a file's
import, and with ``--apply`` write it; with ``--profile``, the file is a city's own
workbook read with that import profile (docs/import-profiles.md). Exit status 1 (and
nothing written) when the file or the profile has problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.accounts.commands import command_actor
from shinchoku.interchange.commands import add_language_argument, in_language, read_file
from shinchoku.interchange.importing import MAX_FILE_BYTES, import_apply, import_preview
from shinchoku.interchange.preview import ImportRefused, preview_lines
from shinchoku.plans.formats.profile.profile import ProfileRefused, read_profile
from shinchoku.plans.formats.profile.spec import Profile


class Command(BaseCommand):
    help = (
        "Preview importing a file (an entry workbook, a plan structure as CSV or xlsx, a "
        "dataset as JSON, or with --profile a city's own workbook); with --apply, import it in "
        "one transaction. Exits 1 when the file has problems; nothing is written then."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--apply", action="store_true", help="write the changes (default: preview only)")
        parser.add_argument(
            "--profile",
            type=Path,
            help="an import profile (YAML) saying what each column of a city's own workbook or CSV holds "
            "(docs/import-profiles.md)",
        )
        parser.add_argument(
            "--user",
            help="the account the import is made as: its role decides what it may change, and "
            "the audit history names it (required for entry workbooks)",
        )
        parser.add_argument("--verbose-rows", action="store_true", help="list unchanged rows too")
        add_language_argument(parser)

    def handle(self, *args: object, **options: Any) -> None:
        with in_language(options):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        data = read_file(path, MAX_FILE_BYTES)
        profile = self._profile(options.get("profile"))
        actor = command_actor(options.get("user"))
        if not options["apply"]:
            preview = import_preview(data, path.name, actor=actor, profile=profile)
            self.stdout.write("\n".join(preview_lines(preview, verbose=options["verbose_rows"])))
            if not preview.ok:
                raise CommandError(f"{len(preview.all_problems)} problem(s): nothing can be imported")
            self.stdout.write("The file can be imported: run again with --apply.")
            return
        try:
            result = import_apply(data, path.name, actor=actor, profile=profile)
        except ImportRefused as refusal:
            self.stdout.write("\n".join(preview_lines(refusal.preview, verbose=options["verbose_rows"])))
            raise CommandError(
                f"{len(refusal.preview.all_problems)} problem(s): nothing was imported"
            ) from refusal
        self.stdout.write(result.summary)

    def _profile(self, path: Path | None) -> Profile | None:
        if path is None:
            return None
        try:
            return read_profile(path)
        except ProfileRefused as refusal:
            self.stdout.write("\n".join(f"  ERROR {problem}" for problem in refusal.problems))
            raise CommandError(
                f"{len(refusal.problems)} problem(s) in the profile: nothing can be imported"
            ) from None
