from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shinchoku.review.services import DEADLINE_NOTICE_DAYS, deadline_notices_send


class Command(BaseCommand):
    help = (
        f"Remind section editors of entries not yet submitted when a round's deadline is at most "
        f"{DEADLINE_NOTICE_DAYS} days away. Run it daily; each person is reminded once per round."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args: object, **options: object) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(str(options["date"]))
            except ValueError as error:
                raise CommandError(f"--date: {error}") from error
        sent = deadline_notices_send(today=today)
        self.stdout.write(f"{len(sent)} deadline notices sent.")
