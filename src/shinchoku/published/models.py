"""Each plan's data version: a number that every write of the plan's published data
raises, in the transaction that writes it (``shinchoku.published.changes``). The row
without a plan is the site's version, raised by every write of any plan's public data
and by the shared vocabulary (scales, organisation units): the home page and the search,
which read every plan, key on it.

A version is never lowered: it is raised to at least the time of the write in
microseconds, so a database restored from a backup, whose versions are those of the
day it was taken, goes on with versions higher than any it served since.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from shinchoku.plans.models import Dimension, Level, Marker, Node, Plan, ScaleLevel


class DataVersion(models.Model):
    plan = models.OneToOneField(
        Plan, models.CASCADE, null=True, blank=True, related_name="data_version", verbose_name=_("plan")
    )
    version = models.BigIntegerField(_("version"))
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")
        constraints = [
            # One row per plan and one site row: NULLs repeat in a unique column, 0 does not.
            models.UniqueConstraint(
                Coalesce(models.F("plan"), models.Value(0)), name="published_one_version_each"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id or 'site'}@{self.version}"


# The counts and totals the public pages show, kept at write time -------------------------
#
# Each is kept for the whole plan (``node`` None) and for each node of a level that is not
# rated (a plan area, a programme): the subtree under it, the node included. The rows are
# made again by ``shinchoku.published.aggregates.refresh`` in the transaction of every
# write of what they count; nothing else writes them.


class RatingCount(models.Model):
    """How many ratings on ``dimension`` of ``fiscal_year`` are of ``level`` under
    ``node``; with ``marker``, how many of those rate a node that carries the marker
    (the primary dimension only)."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="+")
    node = models.ForeignKey(Node, models.CASCADE, null=True, related_name="+")
    dimension = models.ForeignKey(Dimension, models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    level = models.ForeignKey(ScaleLevel, models.CASCADE, related_name="+")
    marker = models.ForeignKey(Marker, models.CASCADE, null=True, related_name="+")
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("kept rating count")
        verbose_name_plural = _("kept rating counts")
        indexes = [models.Index(fields=["plan", "node"], name="ratingcount_subtree")]

    def __str__(self) -> str:
        return f"{self.node_id or 'plan'} {self.dimension_id} {self.fiscal_year}: {self.count}"


class CostTotal(models.Model):
    """The costs of the nodes of ``level`` under ``node`` for one fiscal year (None: the
    whole period's plan) and basis: how many there are (``projects``), and per figure
    its sum (None where none gives it) and how many give it. The staff and their hours
    are summed in hundredths, exactly."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="+")
    node = models.ForeignKey(Node, models.CASCADE, null=True, related_name="+")
    level = models.ForeignKey(Level, models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField(null=True)
    basis = models.CharField(max_length=10)
    projects = models.PositiveIntegerField()
    sum_national = models.BigIntegerField(null=True)
    given_national = models.PositiveIntegerField()
    sum_prefectural = models.BigIntegerField(null=True)
    given_prefectural = models.PositiveIntegerField()
    sum_bonds = models.BigIntegerField(null=True)
    given_bonds = models.PositiveIntegerField()
    sum_other = models.BigIntegerField(null=True)
    given_other = models.PositiveIntegerField()
    sum_general = models.BigIntegerField(null=True)
    given_general = models.PositiveIntegerField()
    sum_project_cost = models.BigIntegerField(null=True)
    given_project_cost = models.PositiveIntegerField()
    sum_staff_count = models.BigIntegerField(null=True)
    given_staff_count = models.PositiveIntegerField()
    sum_staff_hours = models.BigIntegerField(null=True)
    given_staff_hours = models.PositiveIntegerField()
    sum_staff_cost = models.BigIntegerField(null=True)
    given_staff_cost = models.PositiveIntegerField()
    sum_total_cost = models.BigIntegerField(null=True)
    given_total_cost = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("kept cost total")
        verbose_name_plural = _("kept cost totals")
        indexes = [models.Index(fields=["plan", "node"], name="costtotal_subtree")]

    def __str__(self) -> str:
        return f"{self.node_id or 'plan'} {self.level_id} {self.fiscal_year} {self.basis}: {self.projects}"


class ResultYear(models.Model):
    """How many results of ``fiscal_year`` are published under ``node``: the years a
    rating table counts and a report can be made for."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="+")
    node = models.ForeignKey(Node, models.CASCADE, null=True, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("kept result year")
        verbose_name_plural = _("kept result years")
        indexes = [models.Index(fields=["plan", "node"], name="resultyear_subtree")]

    def __str__(self) -> str:
        return f"{self.node_id or 'plan'} {self.fiscal_year}: {self.count}"


class NodeCount(models.Model):
    """How many nodes of ``level`` stand under ``node``: the measures of a plan or a
    plan area, the projects a cost table is out of."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="+")
    node = models.ForeignKey(Node, models.CASCADE, null=True, related_name="+")
    level = models.ForeignKey(Level, models.CASCADE, related_name="+")
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("kept node count")
        verbose_name_plural = _("kept node counts")
        indexes = [models.Index(fields=["plan", "node"], name="nodecount_subtree")]

    def __str__(self) -> str:
        return f"{self.node_id or 'plan'} {self.level_id}: {self.count}"
