"""What the interchange keeps between steps: a report's draft import (``ReportDraft``),
stored until a person has reviewed, corrected and accepted or discarded it
(``shinchoku.interchange.reportdrafts``; docs/report-import.md, "Reviewing a draft").

An uploaded file waiting for its preview is not a row: it is kept as a file for a day
(``uploads.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportDraft(models.Model):
    """The draft recognised in a published progress report: ``draft`` is the draft's JSON
    form (``Draft.to_json()``: the dataset, the decisions, the source's lines), kept as
    it was recognised; the person's corrections are kept beside it, never written into
    it, so that what the machine read and what a person changed stay apart."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("to review")
        ACCEPTED = "accepted", _("accepted")
        DISCARDED = "discarded", _("discarded")

    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    draft = models.JSONField(_("draft"))
    #: The plan the draft's dataset holds (its first plan's code), for the list of drafts.
    plan_code = models.CharField(_("plan"), max_length=100, blank=True)
    measures = models.PositiveIntegerField(_("nodes"), default=0)
    flagged = models.PositiveIntegerField(_("decisions to check"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    #: Raised by every correction: an acceptance names the version it previewed.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_by_name = models.CharField(_("uploaded by (name)"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("accepted or discarded at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted or discarded by"),
    )
    decided_by_name = models.CharField(_("accepted or discarded by (name)"), max_length=150, blank=True)
    #: The audit row of the plan's import, once accepted (none when accepting changed nothing).
    audit_event = models.ForeignKey(
        "audit.AuditEvent",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("audit record of the import"),
    )

    class Meta:
        verbose_name = _("report draft")
        verbose_name_plural = _("report drafts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class ReportDraftCorrection(models.Model):
    """A person's correction of one place of a draft's dataset: the value ``pointer`` (a
    JSON pointer, RFC 6901) is to hold. The last correction of a place is the one that
    counts; the earlier ones stay as its history."""

    draft = models.ForeignKey(
        ReportDraft, models.CASCADE, related_name="corrections", verbose_name=_("report draft")
    )
    pointer = models.CharField(_("place in the dataset"), max_length=200)
    #: The kind of the decision corrected (``draft.DECISION_KINDS``).
    kind = models.CharField(_("kind"), max_length=40)
    value = models.JSONField(_("value"), null=True)
    made_at = models.DateTimeField(_("corrected at"), default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    made_by_name = models.CharField(_("corrected by (name)"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("report draft correction")
        verbose_name_plural = _("report draft corrections")
        ordering = ["draft", "id"]

    def __str__(self) -> str:
        return f"{self.pointer} = {self.value!r}"
