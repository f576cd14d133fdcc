"""Background jobs in the test's own process: publishing queued from its page and run
by a worker, the job's page, a failed job's reason and its retry (audited), the sweep
for runs whose worker was lost, publishing run twice, mail through the queue, and the
reports rendered after publishing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.jobs import services
from shinchoku.jobs.models import Job, WorkerBeat
from shinchoku.jobs.progress import JobError
from shinchoku.jobs.sweep import jobs_sweep
from shinchoku.jobs.tasks import job_run
from shinchoku.jobs.work import publish
from shinchoku.progress.models import Rating, Result
from shinchoku.review import services as review_services
from shinchoku.review.errors import ReviewError
from shinchoku.review.models import Entry, Round
from tests.interchange.test_import_pages import download, filled, upload
from tests.jobs.conftest import client_of, work_off
from tests.portal.html import parse
from tests.review.conftest import Cycle

pytestmark = pytest.mark.django_db


def ja(text: Any) -> str:
    """``text`` (a message or a lazy label) as the Japanese pages say it."""
    with translation.override("ja"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def publish_job(cycle: Cycle) -> Job:
    return services.job_start(publish.KIND, publish.publish_params(cycle.round, entries=1), actor=cycle.admin)


def published_data(cycle: Cycle) -> dict[str, int]:
    return {
        "published": Entry.objects.filter(round=cycle.round, state=Entry.State.PUBLISHED).count(),
        "results": Result.objects.filter(fiscal_year=cycle.round.fiscal_year).count(),
        "ratings": Rating.objects.filter(result__fiscal_year=cycle.round.fiscal_year).count(),
        "entry rows": AuditEvent.objects.filter(event_type=EventType.ENTRY_PUBLISHED).count(),
        "round rows": AuditEvent.objects.filter(event_type=EventType.ROUND_PUBLISHED).count(),
    }


ONCE = {"published": 1, "results": 1, "ratings": 1, "entry rows": 1, "round rows": 1}


def status_of(client: Any, job: Job) -> Any:
    response = client.get(reverse("jobs:job", args=[job.pk]))
    assert response.status_code == 200
    return parse(response.content).find("div", id="job-status")


def test_the_publish_button_returns_at_once_and_leads_to_the_job(cycle: Cycle, queue: None) -> None:
    cycle.approved()
    admin = client_of(cycle.admin)
    response = admin.post(reverse("staff:round_publish", args=[cycle.round.pk]), {"entries": "1"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:job", args=[job.pk])
    assert (job.kind, job.state, job.requested_by) == (publish.KIND, Job.State.QUEUED, cycle.admin)
    assert cycle.fresh().state == Entry.State.APPROVED  # nothing published yet

    waiting = status_of(admin, job)
    assert waiting.attrs["aria-live"] == "polite" and waiting.attrs["data-finished"] == "false"
    assert ja(Job.State.QUEUED.label) in waiting.text

    assert work_off() == 1
    assert cycle.fresh().state == Entry.State.PUBLISHED
    assert published_data(cycle) == ONCE
    done = status_of(admin, job)
    assert done.attrs["data-finished"] == "true"
    assert ja(Job.State.SUCCEEDED.label) in done.text
    assert done.find("progress").attrs["value"] == "1" and done.find("progress").attrs["max"] == "1"
    link = done.find("p", class_="job-result").find("a")
    assert link.attrs["href"] == reverse("staff:round", args=[cycle.round.pk])
    assert done.find_all("form") == []  # nothing to retry


def test_with_jobs_run_at_once_publishing_answers_as_before(cycle: Cycle) -> None:
    cycle.approved()
    response = client_of(cycle.admin).post(
        reverse("staff:round_publish", args=[cycle.round.pk]), {"entries": "1"}
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "staff:round", args=[cycle.round.pk]
    )
    assert Job.objects.get().state == Job.State.SUCCEEDED
    assert published_data(cycle) == ONCE


def test_a_publish_job_run_again_after_it_committed_publishes_nothing_more(cycle: Cycle, queue: None) -> None:
    cycle.approved()
    job = publish_job(cycle)
    work_off()
    assert published_data(cycle) == ONCE
    first = Result.objects.get(fiscal_year=cycle.round.fiscal_year)

    # As if its worker was lost after the commit: the job waits again and runs again.
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)
    job_run(job.pk, task_id="second-run")
    job.refresh_from_db()
    assert (job.state, job.attempts, job.error) == (Job.State.SUCCEEDED, 2, "")
    assert published_data(cycle) == ONCE
    again = Result.objects.get(fiscal_year=cycle.round.fiscal_year)
    assert (again.pk, again.text) == (first.pk, first.text)

    # A copy of a run that finds its job taken does nothing.
    assert job_run(job.pk, task_id="a-copy") == {"job": job.pk, "skipped": True}
    assert published_data(cycle) == ONCE


def test_publishing_twice_directly_changes_nothing_the_second_time(cycle: Cycle) -> None:
    cycle.approved()
    review_services.round_publish(cycle.round, actor=cycle.admin)
    with pytest.raises(ReviewError):
        review_services.round_publish(Round.objects.get(pk=cycle.round.pk), actor=cycle.admin)
    assert published_data(cycle) == ONCE


def test_a_failed_job_says_why_and_a_retry_runs_it_again_and_is_audited(cycle: Cycle, queue: None) -> None:
    job = publish_job(cycle)  # nothing is approved yet
    work_off()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    reason = ja("No entry of this round is approved: there is nothing to publish.")
    assert job.error == reason
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    admin = client_of(cycle.admin)
    failed = status_of(admin, job)
    assert reason in failed.find("span", class_="job-error").text
    retry = reverse("jobs:job_retry", args=[job.pk])
    assert failed.find("form").attrs["action"] == retry

    cycle.approved()
    assert admin.post(retry).status_code == 302
    job.refresh_from_db()
    assert (job.state, job.error) == (Job.State.QUEUED, "")
    (event,) = AuditEvent.objects.filter(event_type=EventType.OBJECT_CHANGED, subject_id=job.pk)
    assert event.actor == cycle.admin and event.subject == job
    assert event.details["action"] == "retry"
    assert event.changes["state"] == {"before": "failed", "after": "queued"}

    work_off()
    job.refresh_from_db()
    assert (job.state, job.attempts) == (Job.State.SUCCEEDED, 2)
    assert published_data(cycle) == ONCE


def test_only_who_asked_or_an_administrator_sees_a_job_and_retries_it(cycle: Cycle, queue: None) -> None:
    job = publish_job(cycle)
    work_off()
    reviewer = client_of(cycle.reviewer)
    assert reviewer.get(reverse("jobs:job", args=[job.pk])).status_code == 403
    assert reviewer.post(reverse("jobs:job_retry", args=[job.pk])).status_code == 403
    assert Job.objects.get(pk=job.pk).state == Job.State.FAILED
    assert not AuditEvent.objects.filter(event_type=EventType.OBJECT_CHANGED).exists()
    listed = parse(reviewer.get(reverse("jobs:jobs")).content)
    assert listed.find_all("a", href=reverse("jobs:job", args=[job.pk])) == []
    mine = parse(client_of(cycle.admin).get(reverse("jobs:jobs")).content)
    assert mine.find_all("a", href=reverse("jobs:job", args=[job.pk]))


def test_a_job_that_did_not_fail_is_not_retried(cycle: Cycle, queue: None) -> None:
    cycle.approved()
    job = publish_job(cycle)
    with pytest.raises(services.JobRefusal):
        services.job_retry(job, actor=cycle.admin)
    response = client_of(cycle.admin).post(reverse("jobs:job_retry", args=[job.pk]))
    assert response.status_code == 409
    assert Job.objects.get(pk=job.pk).state == Job.State.QUEUED
    assert DBTaskResult.objects.filter(task_path="shinchoku.jobs.tasks.run_job").count() == 1


# ---------------------------------------------------------------- lost workers


def started_by(
    worker_id: str, cycle: Cycle, *, started: timedelta = timedelta(0)
) -> tuple[Job, DBTaskResult]:
    """A publish job whose run ``worker_id`` took ``started`` ago and is running."""
    job = publish_job(cycle)
    run = DBTaskResult.objects.ready().get(task_path="shinchoku.jobs.tasks.run_job")
    run.claim(worker_id)
    DBTaskResult.objects.filter(pk=run.pk).update(started_at=timezone.now() - started)
    run.refresh_from_db()
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, task_id=str(run.id), attempts=1)
    return job, run


def test_a_run_whose_worker_is_no_longer_heard_from_is_run_again(
    cycle: Cycle, queue: None, settings: Any
) -> None:
    cycle.approved()
    job, run = started_by("lost", cycle, started=timedelta(minutes=20))
    WorkerBeat.objects.create(
        worker_id="lost", beat_at=timezone.now() - timedelta(seconds=settings.JOBS_LEASE_SECONDS + 1)
    )
    swept = jobs_sweep()
    assert swept.requeued == [str(run.id)] and swept.failed == []
    run.refresh_from_db()
    job.refresh_from_db()
    assert (run.status, run.started_at) == (TaskResultStatus.READY, None)
    assert (job.state, job.lost) == (Job.State.QUEUED, 1)
    assert published_data(cycle)["published"] == 0

    work_off()
    job.refresh_from_db()
    assert (job.state, job.attempts, job.lost) == (Job.State.SUCCEEDED, 2, 1)
    assert published_data(cycle) == ONCE


def test_a_run_whose_worker_lives_is_left_alone(cycle: Cycle, queue: None) -> None:
    cycle.approved()
    job, run = started_by("alive", cycle, started=timedelta(hours=2))
    WorkerBeat.objects.create(worker_id="alive")
    assert jobs_sweep().requeued == []
    assert DBTaskResult.objects.get(pk=run.pk).status == TaskResultStatus.RUNNING
    assert Job.objects.get(pk=job.pk).state == Job.State.RUNNING


def test_a_worker_that_never_said_it_lives_is_given_a_lease_from_the_start_of_the_run(
    cycle: Cycle, queue: None, settings: Any
) -> None:
    cycle.approved()
    _job, run = started_by("silent", cycle, started=timedelta(seconds=settings.JOBS_LEASE_SECONDS - 60))
    assert jobs_sweep().requeued == []
    DBTaskResult.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - timedelta(seconds=settings.JOBS_LEASE_SECONDS + 1)
    )
    assert jobs_sweep().requeued == [str(run.id)]


def test_a_run_lost_too_many_times_fails_with_the_reason(cycle: Cycle, queue: None, settings: Any) -> None:
    settings.JOBS_MAX_ATTEMPTS = 2
    cycle.approved()
    job, run = started_by("first", cycle, started=timedelta(hours=1))
    run.claim("second")
    DBTaskResult.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(hours=1))
    swept = jobs_sweep()
    assert swept.failed == [str(run.id)]
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "2" in job.error
    assert DBTaskResult.objects.get(pk=run.pk).status == TaskResultStatus.FAILED
    assert services.job_retry(job, actor=cycle.admin).state == Job.State.QUEUED


# ------------------------------------------------------------------------ mail


def test_a_notice_is_queued_and_sent_by_the_worker(
    cycle: Cycle, queue: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        cycle.approved()  # the editor is told
    assert mail.outbox == []
    (run,) = DBTaskResult.objects.ready()
    assert run.task_path == "shinchoku.jobs.mail.mail_send"
    work_off()
    assert mail.outbox and all(message.to for message in mail.outbox)
    assert DBTaskResult.objects.get(pk=run.pk).status == TaskResultStatus.SUCCESSFUL


# --------------------------------------------------------------------- reports


def test_after_publishing_the_reports_are_rendered_into_the_cache(
    cycle: Cycle, queue: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.JOBS_REPORTS_AFTER_PUBLISH = True
    cycle.approved()
    publish_job(cycle)
    work_off()
    reports = Job.objects.get(kind="reports.render")
    assert reports.state == Job.State.SUCCEEDED, reports.error
    assert reports.requested_by == cycle.admin
    assert reports.progress_total and reports.progress_done == reports.progress_total
    assert reports.result["files"] == reports.progress_total

    def no_typesetting(*args: Any) -> bytes:
        raise AssertionError("the report was rendered again")

    monkeypatch.setattr("shinchoku.reports.render.render_pdf", no_typesetting)
    plan, year = cycle.sample.plan.code, cycle.round.fiscal_year
    response = client_of(cycle.admin).get(reverse("portal:report_pdf", args=[plan, year]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    done = status_of(client_of(cycle.admin), reports)
    assert done.find("p", class_="job-result").find("a").attrs["href"] == reverse(
        "portal:report_pdf", args=[plan, year]
    )


# --------------------------------------------------------------------- imports


def test_an_import_is_queued_and_run_by_the_worker_once(cycle: Cycle, queue: None) -> None:
    editor = client_of(cycle.editor)
    data = filled(download(editor, cycle, cycle.unit), "・取り込んだ記述")
    preview_url = upload(editor, data)["Location"]
    applied = editor.post(preview_url + "apply/")
    job = Job.objects.get()
    assert applied.status_code == 302 and applied["Location"] == reverse("jobs:job", args=[job.pk])
    assert (job.kind, job.requested_by) == ("import.apply", cycle.editor)
    assert cycle.fresh().text == ""  # nothing yet

    work_off()
    entry = cycle.fresh()
    assert entry.text == "・取り込んだ記述"
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.result["filename"] == "filled.xlsx"
    done = status_of(editor, job)
    assert done.find("p", class_="job-result").find("a").text == job.result["summary"]
    assert editor.get(preview_url).status_code == 404  # the kept file is gone

    # Run again (its worker lost after the commit): the file is gone, nothing is imported twice.
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)
    with pytest.raises(JobError):
        job_run(job.pk, task_id="again")
    job.refresh_from_db()
    assert (
        job.state == Job.State.FAILED
        and ja("The uploaded file is no longer kept: upload it again.") in job.error
    )
    assert cycle.fresh().version == entry.version
