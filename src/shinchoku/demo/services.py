"""Accounts for demonstration installs (``shinchoku demo``).

The demonstration dataset (``shinchoku loaddemo``) is a transcription of a published
report and names no organisation units. To let the evaluation round be tried, the demo
adds two units that are plainly marked as made up (「（デモ）…」, codes ``demo-…``),
makes them responsible for the plan's measures, gives one login per role, and opens
the FY2013 results round. Everything is matched by natural keys, so running it again
changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shinchoku.accounts.models import Role, StaffRole
from shinchoku.errors import ErrorCode, Refusal
from shinchoku.files import kept_secret
from shinchoku.plans.models import Node, NodeUnit, OrgUnit, Plan
from shinchoku.review.models import Entry, Round
from shinchoku.review.services import round_open

DEMO_ADMIN = "admin"
#: The plan of the demonstration dataset (data/seeds/kawasaki-plan9.yaml).
DEMO_PLAN = "kawasaki-frontier-3"
DEMO_ROUND_YEAR = 2013
DEMO_ROUND_DAYS = 30


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    #: The programmes whose measures the unit is responsible for.
    programmes: tuple[str, ...]


#: Made-up units, not the city's: the seed names none.
DEMO_UNITS = (
    DemoUnit("demo-community", "（デモ）地域づくり担当課", ("9-1", "9-2")),
    DemoUnit("demo-ward-offices", "（デモ）区役所機能担当課", ("9-3",)),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    #: Index into DEMO_UNITS, for an editor.
    unit: int | None = None
    superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount(DEMO_ADMIN, Role.ADMINISTRATOR, superuser=True),
    DemoAccount("editor", Role.EDITOR, unit=0),
    DemoAccount("editor2", Role.EDITOR, unit=1),
    DemoAccount("reviewer", Role.REVIEWER),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    unit: OrgUnit | None
    #: For an editor, how many measures their unit is responsible for.
    measures: int = 0
    superuser: bool = False


@dataclass(frozen=True)
class DemoSetup:
    logins: list[DemoLogin]
    round: Round
    entries: int


def demo_password(var_dir: Path) -> str:
    """A random password made once per installation and kept in var/ (never in the code)."""
    return kept_secret(var_dir / "demo-password", lambda: secrets.token_urlsafe(12))


class DemoDataMissing(Refusal):
    """The demonstration plan is not loaded (``shinchoku loaddemo`` first)."""

    code = ErrorCode.NOT_FOUND


class DemoPasswordRefused(Refusal):
    """The kept demonstration password breaks the password rules (AUTH_PASSWORD_VALIDATORS),
    e.g. a var/demo-password written by hand; why, in the validators' words."""

    code = ErrorCode.INVALID


def _demo_units(plan: Plan) -> dict[OrgUnit, int]:
    """The made-up units, responsible for the plan's rated nodes (split by programme;
    a node under no listed programme goes to the first unit). Unit → number of nodes."""
    units = []
    for data in DEMO_UNITS:
        unit, _ = OrgUnit.objects.get_or_create(
            code=data.code, defaults={"name": data.name, "kind": OrgUnit.Kind.SECTION}
        )
        if unit.name != data.name:
            unit.name = data.name
            unit.save(update_fields=["name"])
        units.append(unit)
    counts = dict.fromkeys(units, 0)
    rated = Node.objects.filter(plan=plan, level__rated=True)
    for node in rated.select_related("parent").order_by("outline"):
        programme = node.parent.code if node.parent else ""
        index = next((i for i, data in enumerate(DEMO_UNITS) if programme in data.programmes), 0)
        NodeUnit.objects.get_or_create(node=node, unit=units[index], role=NodeUnit.Role.RESPONSIBLE)
        counts[units[index]] += 1
    return counts


def _demo_user(account: DemoAccount, password: str, unit: OrgUnit | None) -> User:
    """The account with exactly its demonstration role; saved only when something differs."""
    user, created = get_user_model().objects.get_or_create(username=account.username)
    wanted = {
        "is_active": True,
        "is_staff": account.superuser,
        "is_superuser": account.superuser,
        "email": f"{account.username}@example.invalid",
    }
    changed = created or any(getattr(user, name) != value for name, value in wanted.items())
    for name, value in wanted.items():
        setattr(user, name, value)
    if not user.check_password(password):
        user.set_password(password)
        changed = True
    if changed:
        user.save()
    StaffRole.objects.filter(user=user).exclude(role=account.role, unit=unit).delete()
    StaffRole.objects.get_or_create(user=user, role=account.role, unit=unit)
    return user


@transaction.atomic
def demo_ensure(*, password: str) -> DemoSetup:
    """Set up the demonstration of the evaluation round on the loaded demonstration plan:
    the made-up units and their measures, one login per role (all with ``password``),
    and the FY2013 results round, opened with a deadline 30 days ahead if the plan has
    none yet. Idempotent."""
    plan = Plan.objects.filter(code=DEMO_PLAN).first()
    if plan is None:
        raise DemoDataMissing(
            f"the demonstration plan {DEMO_PLAN} is not loaded: run `shinchoku loaddemo` first"
        )
    for account in DEMO_ACCOUNTS:
        try:
            validate_password(password, get_user_model()(username=account.username))
        except ValidationError as error:
            raise DemoPasswordRefused(" ".join(error.messages)) from error
    counts = _demo_units(plan)
    units = list(counts)
    logins = []
    users = {}
    for account in DEMO_ACCOUNTS:
        unit = units[account.unit] if account.unit is not None else None
        users[account.username] = _demo_user(account, password, unit)
        logins.append(
            DemoLogin(
                username=account.username,
                password=password,
                role=account.role,
                unit=unit,
                measures=counts[unit] if unit else 0,
                superuser=account.superuser,
            )
        )
    round_ = Round.objects.filter(plan=plan, fiscal_year=DEMO_ROUND_YEAR, kind=Round.Kind.RESULTS).first()
    if round_ is None:
        round_ = round_open(
            plan,
            DEMO_ROUND_YEAR,
            Round.Kind.RESULTS,
            timezone.localdate() + timedelta(days=DEMO_ROUND_DAYS),
            actor=users[DEMO_ADMIN],
        )
    return DemoSetup(logins=logins, round=round_, entries=Entry.objects.filter(round=round_).count())
