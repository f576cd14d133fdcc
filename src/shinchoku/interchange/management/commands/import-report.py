"""``shinchoku import-report FILE [--output draft.json] [--plan CODE] [--user NAME]``: read
a published progress report (a PDF, or the text extracted from one) into a draft import
(docs/report-import.md). With ``--output``, the draft is written to that file as JSON and
nothing else is touched; without it, the draft is stored for review. Exit status 1, and
nothing written, when the file cannot be read as a report."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from shinchoku.accounts.commands import command_actor
from shinchoku.interchange.commands import add_language_argument, in_language, read_file
from shinchoku.interchange.reportdrafts import store_draft
from shinchoku.interchange.reportdrafts.services import DraftRefused
from shinchoku.plans.formats.report.draft import Draft
from shinchoku.plans.formats.report.reading import read_source
from shinchoku.plans.formats.report.recognise import recognise
from shinchoku.plans.formats.report.source import MAX_SOURCE_BYTES, ReportRefused


class Command(BaseCommand):
    help = (
        "Read a published progress report (PDF, or text extracted from one) into a draft import: "
        "with --output, write the draft as JSON without touching the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--output", "-o", type=Path, help="write the draft (JSON) here; nothing else is written"
        )
        parser.add_argument(
            "--plan", default="", help="the code of the plan the draft makes (default: from the file)"
        )
        parser.add_argument("--user", help="the account the draft is stored as (without --output)")
        add_language_argument(parser)

    def handle(self, *args: object, **options: Any) -> None:
        with in_language(options):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        data = read_file(path, MAX_SOURCE_BYTES)
        try:
            draft = recognise(read_source(data, path.name), plan_code=options["plan"])
        except ReportRefused as refusal:
            raise CommandError(refusal.message) from refusal
        output: Path | None = options.get("output")
        if output is not None:
            _write(output, draft)
            self.stdout.write(_summary(draft) + f"\nThe draft is written to {output}.")
            return
        actor = command_actor(options.get("user"))
        try:
            stored = store_draft(draft, actor)
        except DraftRefused as refusal:
            raise CommandError(f"{options.get('user')}: {refusal}") from refusal
        self.stdout.write(_summary(draft))
        self.stdout.write(
            f"The draft is stored for review (draft {stored.pk}): "
            f"{reverse('interchange:report_draft', args=[stored.pk])}"
        )


def _summary(draft: Draft) -> str:
    dataset = draft.dataset
    levels: dict[str, int] = {}
    for node in dataset["nodes"]:
        levels[node["level"]] = levels.get(node["level"], 0) + 1
    flagged = draft.flagged
    return (
        f"{draft.source.name}: {levels.get('plan', 0)} plan area(s), "
        f"{levels.get('programme', 0)} programme(s), {levels.get('measure', 0)} measure(s), "
        f"{len(dataset['targets'])} target item(s), {len(dataset['results'])} result(s); "
        f"{len(draft.decisions)} decisions, {len(flagged)} flagged for review."
    ) + _pages_without_text(draft)


def _pages_without_text(draft: Draft) -> str:
    missing = draft.source.pages_without_text
    if not missing:
        return ""
    return (
        f"\nWarning: {len(missing)} page(s) of the PDF hold no text and were left out "
        f"(page {', '.join(str(page) for page in missing)}): they may be scanned images; "
        "read them yourself, or run OCR on the report and import it again."
    )


def _write(output: Path, draft: Draft) -> None:
    """Written whole or not at all: to a temporary file beside it, then renamed."""
    text = json.dumps(draft.to_json(), ensure_ascii=False, indent=1) + "\n"
    directory = output.resolve().parent
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".draft-", suffix=".json")
    except OSError as error:
        raise CommandError(f"{output}: cannot write ({error.strerror})") from error
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, output)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise CommandError(f"{output}: cannot write ({error.strerror})") from error
