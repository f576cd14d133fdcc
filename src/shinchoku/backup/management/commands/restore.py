from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.backup.services import backup_check, backup_restore
from shinchoku.backup.tables import BackupError


class Command(BaseCommand):
    help = (
        "Restore a backup made by `shinchoku backup` (docs/backup.md) into this instance, which must be "
        "migrated and empty. Every member's checksum is checked before anything is changed; the database "
        "is loaded in one transaction. Stop the web servers and the worker first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace all the data of an instance that is not empty (in the same one transaction)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only check the file (manifest and checksums); change nothing",
        )

    def handle(self, *args: object, **options: Any) -> None:
        path: Path = options["file"]
        try:
            if options["check"]:
                zipped, manifest = backup_check(path)
                zipped.close()
                self.stdout.write(
                    f"{path}: a whole backup of {manifest['created_at']} (Shinchoku "
                    f"{manifest['shinchoku_version']}, {manifest['database']['vendor']}), "
                    f"{len(manifest['members'])} members, every checksum right"
                )
                return
            summary = backup_restore(path, replace=options["replace"])
        except BackupError as error:
            raise CommandError(f"nothing was restored: {error}") from error
        self.stdout.write(
            f"{path}: restored the backup of {summary.created_at} ({summary.vendor}): "
            f"{summary.tables} tables, {summary.rows} rows, {summary.files} files "
            f"in {summary.seconds:.1f} s. "
            "Everyone signs in again; background jobs queued before are gone."
        )
