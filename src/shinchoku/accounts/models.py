"""Staff roles: who may administer the cycle, write a section's entries, or review them.

A user may hold several roles. An editor's role names the organisation unit whose
measures they write; the administrator and reviewer roles apply to every plan.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shinchoku.plans.models import OrgUnit


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("planning administrator")
    EDITOR = "editor", _("section editor")
    REVIEWER = "reviewer", _("reviewer")


class StaffRole(models.Model):
    """One role of one user; an editor's role names its unit."""

    Role = Role

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff_roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        OrgUnit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("unit"),
        help_text=_("The unit whose measures an editor writes (and those of the units under it)."),
    )

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        ordering = ["user", "role", "unit"]
        constraints = [
            # An editor writes for a unit; the other roles span every unit.
            models.CheckConstraint(
                condition=Q(role=Role.EDITOR, unit__isnull=False)
                | (~Q(role=Role.EDITOR) & Q(unit__isnull=True)),
                name="staffrole_unit_for_editors_only",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit"], condition=Q(unit__isnull=False), name="staffrole_unique_unit"
            ),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(unit__isnull=True), name="staffrole_unique_global"
            ),
        ]
        indexes = [models.Index(fields=["role", "unit"], name="staffrole_by_role_unit")]

    def __str__(self) -> str:
        if self.unit_id:
            return f"{self.user} · {self.get_role_display()} · {self.unit}"
        return f"{self.user} · {self.get_role_display()}"
