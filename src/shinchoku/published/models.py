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

from shinchoku.plans.models import Plan


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
