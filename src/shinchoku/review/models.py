"""The yearly evaluation round: a fiscal year's entries per rated node, their review,
and what was sent about them.

An entry is the working copy of a node's result (or, in a targets round, of its target
revisions) for the round's year. The public never reads it: publishing a round copies
the approved entries into ``progress.Result`` / ``Rating`` / ``Target``, which the public
pages, the report and the exports read. The workflow over the states is declared in
``shinchoku.review.workflow``; every change goes through ``shinchoku.review.services``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shinchoku import fiscal
from shinchoku.plans.models import YEAR_VALIDATORS, Dimension, Node, Plan, ScaleLevel, Section
from shinchoku.progress.models import Cost, ResultContent, Target, rating_check

if TYPE_CHECKING:
    pass


class Action(models.TextChoices):
    """What a person does to an entry (the rows of ``workflow.TRANSITIONS``)."""

    SAVE = "save", _("save")
    SUBMIT = "submit", _("submit")
    RETURN = "return", _("return")
    APPROVE = "approve", _("approve")
    REOPEN = "reopen", _("reopen")
    RESTORE = "restore", _("restore an earlier version")
    PUBLISH = "publish", _("publish")


class Round(models.Model):
    """A plan's evaluation round for one fiscal year: results (評価時) or the coming
    year's target revisions (計画時)."""

    class Kind(models.TextChoices):
        RESULTS = "results", _("results")
        TARGETS = "targets", _("target revisions")

    class State(models.TextChoices):
        OPEN = "open", _("open")
        PUBLISHED = "published", _("published")
        CLOSED = "closed", _("closed")

    plan = models.ForeignKey(Plan, models.PROTECT, related_name="rounds", verbose_name=_("plan"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), validators=YEAR_VALIDATORS)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RESULTS)
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        ordering = ["plan", "-fiscal_year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "fiscal_year", "kind"], name="round_one_per_year_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.label}"

    @property
    def label(self) -> str:
        """The round's year and kind as the pages name it: 2013年度（平成25年度）実施結果,
        FY2013 results."""
        return gettext("%(year)s %(kind)s") % {
            "year": fiscal.year_label(self.fiscal_year),
            "kind": self.get_kind_display(),
        }

    def years(self) -> range:
        """The fiscal years a round of this kind may be for: a results round's year lies in
        the plan period; a targets round may also revise the onwards column."""
        plan = self.plan
        return plan.fiscal_years if self.kind == Round.Kind.RESULTS else plan.target_years

    def clean(self) -> None:
        if self.plan_id and self.fiscal_year and self.fiscal_year not in self.years():
            years = self.years()
            raise ValidationError(
                {
                    "fiscal_year": _("Fiscal year %(year)s is outside the plan period %(first)s–%(last)s.")
                    % {"year": self.fiscal_year, "first": years.start, "last": years.stop - 1}
                }
            )

    def past_deadline(self, today: date) -> bool:
        return today > self.deadline


#: The dashboard's column for drafts never changed since their round opened.
NOT_STARTED = "not_started"


class Entry(ResultContent):
    """A node's entry in a round. ``version`` grows by one with every change; a change is
    written only if the version is still the one the writer read (optimistic locking)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        APPROVED = "approved", _("approved")
        PUBLISHED = "published", _("published")

    round = models.ForeignKey(Round, models.CASCADE, related_name="entries", verbose_name=_("round"))
    node = models.ForeignKey(Node, models.CASCADE, related_name="entries", verbose_name=_("node"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("last changed at"))
    submitted_at = models.DateTimeField(_("last submitted at"), null=True, blank=True)
    published_version = models.PositiveIntegerField(
        _("published version"), null=True, blank=True, help_text=_("The version the public sees.")
    )

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["round", "node__path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "node"], name="entry_one_per_round_node"),
        ]
        indexes = [models.Index(fields=["round", "state"], name="entry_round_state")]

    def __str__(self) -> str:
        return f"{self.node.code} {fiscal.year_label(self.round.fiscal_year)}"

    @property
    def started(self) -> bool:
        """Changed at least once since the round opened."""
        return self.version > 1

    @staticmethod
    def progress_of(state: str, version: int) -> str:
        """The column the dashboard counts an entry in: its state, or "not_started" for a
        draft never changed since the round opened."""
        return NOT_STARTED if state == Entry.State.DRAFT and version == 1 else state

    @property
    def progress(self) -> str:
        return Entry.progress_of(self.state, self.version)


class EntryRating(models.Model):
    """The entry's rating on one dimension; the same rule as ``progress.Rating``."""

    entry = models.ForeignKey(Entry, models.CASCADE, related_name="ratings", verbose_name=_("entry"))
    dimension = models.ForeignKey(
        Dimension, models.RESTRICT, related_name="entry_ratings", verbose_name=_("dimension")
    )
    level = models.ForeignKey(
        ScaleLevel, models.RESTRICT, related_name="entry_ratings", verbose_name=_("rating")
    )
    reason = models.TextField(_("reason (評価の理由)"), blank=True)

    class Meta:
        verbose_name = _("entry rating")
        verbose_name_plural = _("entry ratings")
        ordering = ["entry", "dimension__position"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "dimension"], name="entryrating_one_per_dimension"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.level}"

    def clean(self) -> None:
        rating_check(self, self.entry.node if self.entry_id else None)


class EntrySectionText(models.Model):
    """The entry's text of one of its level's sections of each year that has no field of
    its own; publishing makes it the result's ``progress.ResultSectionText``."""

    entry = models.ForeignKey(Entry, models.CASCADE, related_name="section_texts", verbose_name=_("entry"))
    section = models.ForeignKey(
        Section, models.RESTRICT, related_name="entry_texts", verbose_name=_("section")
    )
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("section text of an entry")
        verbose_name_plural = _("section texts of entries")
        ordering = ["entry", "section__position", "section__key"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "section"], name="entrysectiontext_unique"),
            models.CheckConstraint(condition=~Q(text=""), name="entrysectiontext_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} {self.section}"


def _entry_figure(field: str) -> Any:
    """A figure of an entry's cost as ``progress.Cost`` has it: the same name, kind and
    validators (a field of the model, cloned before the models are ready)."""
    found: Any = next(f for f in Cost._meta.local_fields if f.name == field)
    return found.clone()


class EntryCost(models.Model):
    """What the node cost in the round's year (決算・実績) as the section enters it: the
    figures a person types, in yen (``progress.amounts`` reads them). 人件費 (B) left
    empty is priced from the staff hours when published; the total is never entered.
    Publishing makes it the node's actual ``progress.Cost`` of the year."""

    entry = models.OneToOneField(Entry, models.CASCADE, related_name="cost", verbose_name=_("entry"))
    national = _entry_figure("national")
    prefectural = _entry_figure("prefectural")
    bonds = _entry_figure("bonds")
    other = _entry_figure("other")
    general = _entry_figure("general")
    project_cost = _entry_figure("project_cost")
    staff_count = _entry_figure("staff_count")
    staff_hours = _entry_figure("staff_hours")
    staff_cost = _entry_figure("staff_cost")

    class Meta:
        verbose_name = _("cost of an entry")
        verbose_name_plural = _("costs of entries")
        ordering = ["entry"]

    def __str__(self) -> str:
        return f"{self.entry}"


class EntryTarget(models.Model):
    """A proposed revision of one of the node's targets, in a targets round. Publishing
    writes ``revised_text`` and ``revision_reason`` onto the target (empty clears them)."""

    entry = models.ForeignKey(Entry, models.CASCADE, related_name="target_revisions", verbose_name=_("entry"))
    target = models.ForeignKey(
        Target, models.CASCADE, related_name="proposed_revisions", verbose_name=_("target")
    )
    revised_text = models.TextField(_("revised target"), blank=True)
    revision_reason = models.TextField(_("reason for the revision"), blank=True)

    class Meta:
        verbose_name = _("target revision")
        verbose_name_plural = _("target revisions")
        ordering = ["entry", "target"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "target"], name="entrytarget_one_per_target"),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.revised_text[:40]}"


class Comment(models.Model):
    """What a person wrote with an action: a reviewer's return comment, a reopening's
    reason, an optional note with a submission or approval."""

    entry = models.ForeignKey(Entry, models.CASCADE, related_name="comments", verbose_name=_("entry"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["entry", "created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="comment_text_not_empty")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.text[:40]}"


class DeadlineNotice(models.Model):
    """A deadline reminder sent to one person for one round: at most one each."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="deadline_notices", verbose_name=_("round"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    sent_on = models.DateField(_("sent on"))
    entries = models.PositiveIntegerField(_("entries outstanding"))

    class Meta:
        verbose_name = _("deadline notice")
        verbose_name_plural = _("deadline notices")
        ordering = ["round", "sent_on", "recipient"]
        constraints = [
            models.UniqueConstraint(fields=["round", "recipient"], name="deadlinenotice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.round} → {self.recipient} ({self.sent_on})"
