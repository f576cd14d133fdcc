"""What was published, as the feeds and the notification mails list it, and who follows
what by e-mail.

A ``Publication`` is one act of publishing a round (``review.services.round_publish``);
its ``PublicationEntry`` rows say what it brought to each feed: to a measure's (one
row per kind, ``count`` 1), to each plan area's and programme's above the measures it
published (how many of them), and to the plan's (``node`` None). They are written in the
publishing transaction (``shinchoku.follow.services.recorded``), never computed when a
feed is read, so that every feed is one indexed query whatever the size of the plan.

A ``Subscriber`` is an e-mail address that confirmed it wants the mails (a double opt-in:
nothing of it is stored before the confirmation link is opened and confirmed);
``Follow`` says which node's publications it receives. ``key`` is the secret of the
address's unsubscribe link.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shinchoku.plans.models import Node, Plan
from shinchoku.review.models import Round


class Publication(models.Model):
    """One act of publishing: the approved entries of a round made public together."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="+", verbose_name=_("plan"))
    round = models.ForeignKey(
        Round, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("round")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    published_at = models.DateTimeField(_("published at"))
    #: When its notification mails were sent (None: not yet); set once, by the job that sends them.
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.fiscal_year} {self.published_at:%Y-%m-%d %H:%M}"


class PublicationEntry(models.Model):
    """What one publication brought to the feed of ``node`` (None: of the plan): how many
    nodes at or under it got a result of the fiscal year, a corrected one (published again
    after a reopening), or revised targets."""

    class Kind(models.TextChoices):
        RESULT = "result", _("result published")
        CORRECTION = "correction", _("result corrected")
        TARGETS = "targets", _("targets revised")

    publication = models.ForeignKey(
        Publication, models.CASCADE, related_name="entries", verbose_name=_("publication")
    )
    plan = models.ForeignKey(Plan, models.CASCADE, related_name="+", db_index=False, verbose_name=_("plan"))
    node = models.ForeignKey(
        Node, models.CASCADE, null=True, blank=True, related_name="+", db_index=False, verbose_name=_("node")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        verbose_name = _("publication entry")
        verbose_name_plural = _("publication entries")
        indexes = [
            # A node's feed, newest first; the plan's below.
            models.Index(fields=["node", "-id"], name="follow_entry_node_feed"),
            models.Index(
                fields=["plan", "-id"], condition=models.Q(node__isnull=True), name="follow_entry_plan_feed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.node_id or 'plan'} {self.kind}: {self.count}"


class Subscriber(models.Model):
    """An address that confirmed it wants the notification mails."""

    address = models.EmailField(_("e-mail address"), unique=True)
    #: The secret of the address's unsubscribe link (``List-Unsubscribe``).
    key = models.CharField(_("unsubscribe key"), max_length=64, unique=True)
    confirmed_at = models.DateTimeField(_("confirmed at"))

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self) -> str:
        return f"subscriber {self.pk}"


class Follow(models.Model):
    """A subscriber receives what is published for ``node`` (and under it)."""

    subscriber = models.ForeignKey(
        Subscriber, models.CASCADE, related_name="follows", verbose_name=_("subscriber")
    )
    node = models.ForeignKey(Node, models.CASCADE, related_name="+", verbose_name=_("node"))
    confirmed_at = models.DateTimeField(_("confirmed at"))

    class Meta:
        verbose_name = _("followed node")
        verbose_name_plural = _("followed nodes")
        constraints = [models.UniqueConstraint(fields=["subscriber", "node"], name="follow_once_each")]

    def __str__(self) -> str:
        return f"{self.subscriber_id} → {self.node_id}"
