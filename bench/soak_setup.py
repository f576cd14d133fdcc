"""The data and the people of the soak test (``bench/soak.py``), written through the
services: a synthetic plan (``shinchoku synth``), one editor login per seat in the
largest units, a reviewer and a planning administrator, and the results round of the
plan's last year, opened anew on every run (the round of an earlier run is removed with
its entries, and the jobs it left waiting are dropped, so that every run starts from
drafts at version 1 and an idle job worker), and the plan's open data built.

Run inside a process where Django is set up on the soak's database."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from shinchoku.accounts.models import Role, StaffRole
from shinchoku.accounts.services import staff_role_grant
from shinchoku.opendata import bundles as opendata_bundles
from shinchoku.plans.models import Node, NodeUnit, Plan
from shinchoku.review.models import Entry, Round
from shinchoku.review.services import round_open

PLAN_CODE = "soak"
ADMIN = "soak-admin"
REVIEWER = "soak-reviewer"


@dataclass(frozen=True)
class Editor:
    username: str
    unit_code: str
    #: The ids of the round's entries this editor may write.
    entries: tuple[int, ...]


@dataclass(frozen=True)
class SoakSetup:
    plan_code: str
    round_id: int
    fiscal_year: int
    password: str
    editors: list[Editor]
    #: Codes of some nodes for the public reads: plan areas, programmes, measures.
    areas: list[str]
    programmes: list[str]
    measures: list[str]


def plan_ensure(measures: int, years: int, *, rebuild: bool) -> Plan:
    """The soak's synthetic plan of this size, made (or remade) when it is missing."""
    plan = Plan.objects.filter(code=PLAN_CODE).first()
    wanted = Node.objects.filter(plan=plan, level__key="measure").count() if plan else 0
    if plan is None or rebuild or wanted != measures or plan.last_year - plan.first_year + 1 != years:
        call_command(
            "synth",
            measures=measures,
            years=years,
            plan_code=PLAN_CODE,
            replace=plan is not None,
            verbosity=0,
        )
        plan = Plan.objects.get(code=PLAN_CODE)
    return plan


def _user(
    username: str, password: str, role: Role, *, unit_id: int | None, superuser: bool, admin: User | None
) -> User:
    user, _created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.invalid"}
    )
    user.is_active = True
    user.is_staff = user.is_superuser = superuser
    user.set_password(password)
    user.save()
    if not StaffRole.objects.filter(user=user, role=role, unit_id=unit_id).exists():
        StaffRole.objects.filter(user=user).delete()
        staff_role_grant(StaffRole(user=user, role=role, unit_id=unit_id), actor=admin or user)
    return user


def jobs_clear() -> int:
    """Stop waiting for the jobs an earlier run left queued or running (a run stops its
    worker at its end, and the reports job after a publish outlives it at this size):
    their tasks are dropped and the jobs marked failed, so that this run's publish is not
    queued behind them. The number of jobs."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from shinchoku.jobs.models import Job

    DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).delete()
    return Job.objects.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING]).update(
        state=Job.State.FAILED, error="left by an earlier soak run", finished_at=timezone.now()
    )


def soak_prepare(*, measures: int, years: int, editors: int, rebuild: bool = False) -> SoakSetup:
    """Everything the soak needs, with a fresh password for every login."""
    plan = plan_ensure(measures, years, rebuild=rebuild)
    jobs_clear()
    # The open data of the plan's current version, as a site that has run for a while has
    # it: the job builds it after each write, and until it has once, a download is
    # answered 503 (docs/open-data.md). Nothing is built when it is there already.
    opendata_bundles.built_all(plan.code)
    password = secrets.token_urlsafe(16)
    admin = _user(ADMIN, password, Role.ADMINISTRATOR, unit_id=None, superuser=False, admin=None)
    _user(REVIEWER, password, Role.REVIEWER, unit_id=None, superuser=False, admin=admin)

    year = plan.last_year
    for old in Round.objects.filter(plan=plan, fiscal_year=year, kind=Round.Kind.RESULTS):
        Entry.objects.filter(round=old).delete()
        old.delete()
    round_ = round_open(
        plan, year, Round.Kind.RESULTS, timezone.localdate() + timedelta(days=30), actor=admin
    )

    # Two editors in each of the largest units, so that pairs write the same entries.
    units = list(
        NodeUnit.objects.filter(node__plan=plan, node__level__rated=True, role=NodeUnit.Role.RESPONSIBLE)
        .values("unit_id", "unit__code")
        .annotate(n=Count("id"))
        .order_by("-n", "unit__code")[: max(1, (editors + 1) // 2)]
    )
    seats = []
    for index in range(editors):
        unit = units[index // 2]
        username = f"soak-editor-{index + 1:02d}"
        _user(username, password, Role.EDITOR, unit_id=unit["unit_id"], superuser=False, admin=admin)
        entries = tuple(
            Entry.objects.filter(
                round=round_,
                node__unit_roles__unit_id=unit["unit_id"],
                node__unit_roles__role=NodeUnit.Role.RESPONSIBLE,
            )
            .order_by("node__path")
            .values_list("pk", flat=True)
        )
        seats.append(Editor(username=username, unit_code=unit["unit__code"], entries=entries))

    nodes = Node.objects.filter(plan=plan).order_by("path")
    return SoakSetup(
        plan_code=plan.code,
        round_id=round_.pk,
        fiscal_year=year,
        password=password,
        editors=seats,
        areas=list(nodes.filter(level__key="plan").values_list("code", flat=True)),
        programmes=list(nodes.filter(level__key="programme").values_list("code", flat=True)),
        measures=list(
            nodes.filter(level__key="measure").values_list("code", flat=True)[:: max(1, measures // 1000)]
        ),
    )


def search_terms(plan_code: str, *, seed: int, count: int = 1000) -> list[str]:
    """Words a citizen might search for: pieces of one to four characters of the plan's
    titles (one- and two-character ones included), and some words found nowhere."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible draw
    titles = list(Node.objects.filter(plan__code=plan_code).values_list("title", flat=True))
    terms = {"存在しない語", "火星探査", "zzzq"}
    while len(terms) < count and titles:
        title = rng.choice(titles).replace(" ", "")
        length = rng.choice((1, 2, 2, 3, 4))
        if len(title) >= length:
            start = rng.randrange(len(title) - length + 1)
            terms.add(title[start : start + length])
    return sorted(terms)
