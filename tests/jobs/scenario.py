"""The steps of the worker tests, each run in a process of its own against the database
that DATABASE_URL names (``python -m tests.jobs.scenario STEP``):

- ``setup``: migrate, make the round with one approved entry, and ask for its publishing
  as a job of KIND (argv[2]); prints the job's id;
- ``worker``: run ``shinchoku jobs_worker`` (further arguments are its options);
- ``check``: print what the round's publishing wrote, as JSON.

It also registers ``test.slow_publish``: publishing that, on its first run, waits
inside its transaction for the test to kill the worker (writing JOBS_TEST_MARKER first).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.jobs.worker_settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from shinchoku.audit.models import AuditEvent, EventType  # noqa: E402
from shinchoku.jobs.kinds import KINDS, JobKind  # noqa: E402
from shinchoku.jobs.models import Job  # noqa: E402
from shinchoku.jobs.progress import Outcome, Progress  # noqa: E402
from shinchoku.jobs.work import publish  # noqa: E402
from shinchoku.progress.models import Rating, Result  # noqa: E402
from shinchoku.review.models import Entry, Round  # noqa: E402

SLOW = "test.slow_publish"


def slow_publish(job: Job, progress: Progress) -> Outcome:
    if job.attempts == 1:
        with transaction.atomic():
            publish.publish_run(job, progress)
            Path(os.environ["JOBS_TEST_MARKER"]).write_text("published, not committed")
            time.sleep(600)
    return publish.publish_run(job, progress)


KINDS[SLOW] = JobKind(slow_publish, KINDS[publish.KIND].title, KINDS[publish.KIND].result)


def setup(kind: str) -> None:
    call_command("migrate", verbosity=0)
    from shinchoku.jobs.services import job_start
    from tests.review.conftest import make_cycle

    cycle = make_cycle()
    cycle.approved()
    job = job_start(kind, publish.publish_params(cycle.round, entries=1), actor=cycle.admin)
    print(json.dumps({"job": job.pk, "round": cycle.round.pk}))


def check() -> None:
    round_ = Round.objects.get()
    job = Job.objects.order_by("pk").last()
    assert job is not None
    print(
        json.dumps(
            {
                "job": {"state": job.state, "attempts": job.attempts, "lost": job.lost, "error": job.error},
                "round_state": round_.state,
                "published": Entry.objects.filter(round=round_, state=Entry.State.PUBLISHED).count(),
                "results": Result.objects.filter(fiscal_year=round_.fiscal_year).count(),
                "ratings": Rating.objects.filter(result__fiscal_year=round_.fiscal_year).count(),
                "entry_published_rows": AuditEvent.objects.filter(
                    event_type=EventType.ENTRY_PUBLISHED
                ).count(),
                "round_published_rows": AuditEvent.objects.filter(
                    event_type=EventType.ROUND_PUBLISHED
                ).count(),
            }
        )
    )


if __name__ == "__main__":
    step = sys.argv[1]
    if step == "setup":
        setup(sys.argv[2])
    elif step == "worker":
        call_command("jobs_worker", *sys.argv[2:])
    elif step == "check":
        check()
    else:
        raise SystemExit(f"no step {step!r}")
