"""What a person sees of a background job, beside the queue's own record of each run.

django-tasks keeps one row per run of a task (``DBTaskResult``: its status, times and
traceback), for programs. A ``Job`` is the work as the person who asked for it knows
it: what it is, who asked, how far it has got, what came of it or why it failed, in
words they can act on; and it outlives its runs: a job retried or run again after its
worker was lost keeps its page, its history and its link.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext_lazy


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job", "waiting for a worker")
        RUNNING = "running", pgettext_lazy("job", "running")
        SUCCEEDED = "succeeded", pgettext_lazy("job", "done")
        FAILED = "failed", pgettext_lazy("job", "failed")

    #: What the job does: a key of ``shinchoku.jobs.kinds.KINDS``.
    kind = models.CharField(pgettext_lazy("job", "kind"), max_length=40)
    #: What the job works on (ids and numbers), as its kind reads them.
    params = models.JSONField(pgettext_lazy("job", "parameters"), default=dict, blank=True)
    state = models.CharField(
        pgettext_lazy("job", "state"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("job", "requested by"),
    )
    created_at = models.DateTimeField(
        pgettext_lazy("job", "requested at"), default=timezone.now, db_index=True
    )
    started_at = models.DateTimeField(pgettext_lazy("job", "started at"), null=True, blank=True)
    finished_at = models.DateTimeField(pgettext_lazy("job", "finished at"), null=True, blank=True)
    #: The run of the queue that works on the job now (the id of its task result).
    task_id = models.CharField(pgettext_lazy("job", "task"), max_length=64, blank=True, db_index=True)
    #: Runs started, whatever ended them.
    attempts = models.PositiveIntegerField(pgettext_lazy("job", "attempts"), default=0)
    #: Runs whose worker stopped without a word (found by the sweep).
    lost = models.PositiveIntegerField(pgettext_lazy("job", "runs lost"), default=0)
    progress_done = models.PositiveIntegerField(pgettext_lazy("job", "steps done"), default=0)
    progress_total = models.PositiveIntegerField(pgettext_lazy("job", "steps in all"), null=True, blank=True)
    #: Why the job failed, said to the person.
    error = models.TextField(pgettext_lazy("job", "error"), blank=True)
    #: What came of it (ids and counts), as its kind reads them.
    result = models.JSONField(pgettext_lazy("job", "result"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("job", "background job")
        verbose_name_plural = pgettext_lazy("job", "background jobs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_total__isnull=True)
                | models.Q(progress_done__lte=models.F("progress_total")),
                name="job_progress_within_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.state in {self.State.SUCCEEDED, self.State.FAILED}


class WorkerBeat(models.Model):
    """A worker's sign of life: a worker writes its row when it starts and again every
    ``JOBS_HEARTBEAT_SECONDS``, and removes it when it stops cleanly. A task left
    running by a worker not heard from for ``JOBS_LEASE_SECONDS`` is run again."""

    worker_id = models.CharField(pgettext_lazy("job", "worker"), max_length=64, primary_key=True)
    host = models.CharField(pgettext_lazy("job", "host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(pgettext_lazy("job", "process id"), null=True, blank=True)
    started_at = models.DateTimeField(pgettext_lazy("job", "started at"), default=timezone.now)
    beat_at = models.DateTimeField(
        pgettext_lazy("job", "last heard from"), default=timezone.now, db_index=True
    )

    class Meta:
        verbose_name = pgettext_lazy("job", "worker")
        verbose_name_plural = pgettext_lazy("job", "workers")

    def __str__(self) -> str:
        return self.worker_id
