from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.backup.services import backup_write
from shinchoku.backup.tables import BackupError


class Command(BaseCommand):
    help = (
        "Back up the instance into one ZIP file (docs/backup.md): the database as a dump that restores "
        "on SQLite or PostgreSQL, the uploads and the secret key file under var/, and a manifest with the "
        "SHA-256 of each. Written whole or not at all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", type=Path, required=True, help="the backup file to write")

    def handle(self, *args: object, **options: Any) -> None:
        try:
            summary = backup_write(options["output"])
        except BackupError as error:
            raise CommandError(f"no backup was written: {error}") from error
        self.stdout.write(
            f"{summary.path}: {summary.tables} tables, {summary.rows} rows ({summary.vendor}), "
            f"{summary.files} files, {summary.size / 1024 / 1024:.1f} MiB in {summary.seconds:.1f} s"
        )
