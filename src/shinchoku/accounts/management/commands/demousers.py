from django.conf import settings
from django.core.management.base import BaseCommand

from shinchoku.accounts.services import demo_password, demo_users_ensure


class Command(BaseCommand):
    help = "Create the demonstration accounts and print their logins. For demonstration installs only."

    def handle(self, *args: object, **options: object) -> None:
        for username, password, role in demo_users_ensure(password=demo_password(settings.VAR_DIR)):
            self.stdout.write(f"Login: {username} / {password}  ({role})")
