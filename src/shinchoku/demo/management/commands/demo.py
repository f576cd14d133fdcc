from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.urls import NoReverseMatch, reverse

from shinchoku.accounts.models import Role
from shinchoku.demo.services import (
    DemoDataMissing,
    DemoLogin,
    DemoPasswordRefused,
    demo_ensure,
    demo_password,
)


def _staff_home() -> str:
    try:
        return reverse("staff:home")
    except NoReverseMatch:  # the staff pages are mounted at /staff/ (shinchoku/urls.py)
        return "/staff/"


def _password_file() -> str:
    file = Path(settings.VAR_DIR) / "demo-password"
    try:
        return str(file.relative_to(Path.cwd()))
    except ValueError:
        return str(file)


def _can(login: DemoLogin) -> str:
    if login.role == Role.ADMINISTRATOR:
        return (
            "planning administrator and Django admin superuser: opens, publishes and closes "
            "rounds, changes deadlines, reopens entries, restores earlier versions"
        )
    if login.role == Role.EDITOR:
        return (
            f"section editor of {login.unit}: writes and submits the entries of its {login.measures} measures"
        )
    return "reviewer: returns (with a comment) or approves submitted entries"


class Command(BaseCommand):
    help = (
        "Set up the demonstration of the evaluation round on the demonstration plan (run loaddemo "
        "first): two made-up units responsible for its measures, one login per role (admin, editor, "
        "editor2, reviewer; the password is made once and kept in var/demo-password) and the FY2013 "
        "results round, open for entry. Prints the logins. Running it again changes nothing. "
        "For demonstration installs only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url",
            default="",
            help="The site's address, printed in front of the pages (e.g. http://127.0.0.1:8000).",
        )

    @no_translations
    def handle(self, *args: object, url: str = "", **options: object) -> None:
        if not settings.DEBUG:
            # The demonstration accounts share one password and reset existing accounts of
            # the same names: never on a site in production.
            raise CommandError("the demonstration is for DEBUG=true installs only")
        try:
            setup = demo_ensure(password=demo_password(settings.VAR_DIR))
        except DemoDataMissing as error:
            raise CommandError(str(error)) from error
        except DemoPasswordRefused as error:
            raise CommandError(
                f"{_password_file()}: the demonstration password breaks the password rules: {error} "
                "Delete the file and run the command again to have a new one made."
            ) from error
        base = url.rstrip("/")
        round_ = setup.round
        self.stdout.write(
            f"FY{round_.fiscal_year} {round_.get_kind_display()} round of {round_.plan.code}: "
            f"{round_.get_state_display()}, deadline {round_.deadline.isoformat()}, {setup.entries} entries"
        )
        self.stdout.write(f"Demonstration logins (one password per install, kept in {_password_file()}):")
        width = max(len(login.username) for login in setup.logins)
        for login in setup.logins:
            self.stdout.write(f"  {login.username:<{width}} / {login.password}  {_can(login)}")
        self.stdout.write(
            f"Staff pages: {base}{_staff_home()}  (sign in at {base}{reverse('accounts:login')})"
        )
        self.stdout.write(f"Django admin: {base}{reverse('admin:index')}  (admin only)")
