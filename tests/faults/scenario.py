"""The steps of the fault tests, each run in a process of its own against the database that
DATABASE_URL names (``python -m tests.faults.scenario STEP``), as a server runs them:

- ``base``: migrate, and make the planning administrator ``kikaku``;
- ``round MEASURES``: a synthetic plan of MEASURES measures, its FY2013 results round
  open with every entry approved, each the year's result with a line added;
- ``publish``: publish that round as ``kikaku`` (``review.services.round_publish``);
- ``enqueue``: ask for that publishing as a background job, as the *Publish* button does
  (run with the database queue: ``tests.jobs.worker_settings``).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.test_settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Value  # noqa: E402
from django.db.models.functions import Concat  # noqa: E402
from django.utils import timezone  # noqa: E402

from shinchoku.accounts.models import Role  # noqa: E402
from shinchoku.devtools.synth import plan_synthesize  # noqa: E402
from shinchoku.review import services  # noqa: E402
from shinchoku.review.models import Entry, Round  # noqa: E402
from tests.factories import make_staff  # noqa: E402

ADMIN = "kikaku"


def base() -> None:
    call_command("migrate", verbosity=0)
    make_staff(Role.ADMINISTRATOR, username=ADMIN)


def round_(measures: int) -> None:
    plan = plan_synthesize(measures=measures, years=3, seed=5)
    admin = User.objects.get(username=ADMIN)
    opened = services.round_open(
        plan, 2013, Round.Kind.RESULTS, timezone.localdate() + timedelta(days=14), actor=admin
    )
    # The entries as reviewers leave them: approved, each with the content it started from.
    approved = Entry.objects.filter(round=opened).update(
        state=Entry.State.APPROVED, text=Concat("text", Value("\n・追記しました。"))
    )
    print(json.dumps({"round": opened.pk, "approved": approved}))


def publish() -> None:
    published = services.round_publish(Round.objects.get(), actor=User.objects.get(username=ADMIN))
    print(json.dumps({"round": published.pk, "state": published.state}))


def enqueue() -> None:
    from shinchoku.jobs.services import job_start
    from shinchoku.jobs.work import publish as publishing

    round_ = Round.objects.get()
    entries = Entry.objects.filter(round=round_, state=Entry.State.APPROVED).count()
    job = job_start(
        publishing.KIND,
        publishing.publish_params(round_, entries=entries),
        actor=User.objects.get(username=ADMIN),
    )
    print(json.dumps({"job": job.pk}))


if __name__ == "__main__":
    step = sys.argv[1]
    if step == "base":
        base()
    elif step == "round":
        round_(int(sys.argv[2]))
    elif step == "publish":
        publish()
    elif step == "enqueue":
        enqueue()
    else:
        raise SystemExit(f"no step {step!r}")
