"""What a plan sets out to do each year and what was done: targets, results,
ratings, and indicators with their values."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shinchoku import fiscal
from shinchoku.plans.models import Dimension, Node, ScaleLevel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def check_year_in(year: int | None, years: range, field: str) -> dict[str, str]:
    if year is None or year in years:
        return {}
    return {
        field: _("Fiscal year %(year)s is outside the plan period %(first)s–%(last)s.")
        % {"year": year, "first": years.start, "last": years.stop - 1}
    }


class TargetQuerySet(models.QuerySet["Target"]):
    """The targets a page, a round, a file or a search picks out."""

    def covering(self, year: int) -> TargetQuerySet:
        """The targets set for fiscal ``year`` (see ``Target.covers``)."""
        return self.filter(Target.covering_q(year))


class Target(models.Model):
    """One target item for a node: a cell (or one ● item of a cell) of 事業内容・目標.

    A target covers ``start_year``..``end_year``; a cell that spans columns has
    start < end; ``open_end`` marks the "onwards" column (e.g. 2014年度以降).
    ``text`` is the target as first planned; ``revised_text`` and ``revision_reason``
    hold a later revision (実行計画と差異のある事業目標).
    """

    node = models.ForeignKey(Node, models.CASCADE, related_name="targets", verbose_name=_("node"))
    row = models.PositiveSmallIntegerField(_("row"), default=1)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    start_year = models.PositiveSmallIntegerField(_("from fiscal year"))
    end_year = models.PositiveSmallIntegerField(_("to fiscal year"))
    open_end = models.BooleanField(_("and onwards"), default=False)
    text = models.TextField(_("target as planned"))
    revised_text = models.TextField(_("revised target"), blank=True)
    revision_reason = models.TextField(_("reason for the revision"), blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["node", "row", "start_year", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=F("start_year")), name="target_span_ordered"),
            models.CheckConstraint(condition=~Q(text=""), name="target_text_not_empty"),
        ]
        indexes = [models.Index(fields=["node", "start_year"], name="target_node_year")]

    def __str__(self) -> str:
        return f"{self.period_label}: {self.text[:40]}"

    @staticmethod
    def covers(start_year: int, end_year: int, open_end: bool, year: int) -> bool:
        """Whether a target of these years is one for fiscal ``year``: the year lies in
        its span, or the target is the onwards column starting at or before it. The one
        rule of a year's targets; ``covering_q`` is the same rule as a query, for the
        targets stored."""
        return start_year <= year and (year <= end_year or open_end)

    @staticmethod
    def covering_q(year: int, prefix: str = "") -> Q:
        """``covers`` as a condition on stored targets; ``prefix`` (e.g. ``"targets__"``)
        when the targets are reached through a relation."""
        return Q(**{f"{prefix}start_year__lte": year}) & (
            Q(**{f"{prefix}end_year__gte": year}) | Q(**{f"{prefix}open_end": True})
        )

    @property
    def fiscal_year(self) -> int | None:
        """The single year this target is for, or None for a span."""
        if self.start_year == self.end_year and not self.open_end:
            return self.start_year
        return None

    @property
    def period_label(self) -> str:
        """2011年度〜2013年度, 2014年度以降 (FY2011–FY2013 in English)."""
        return fiscal.period_label(self.start_year, self.end_year, onwards=self.open_end)

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if not (self.text or "").strip():
            errors["text"] = _("The target text must not be empty.")
        if self.revised_text and not self.revision_reason.strip():
            errors["revision_reason"] = _("A revised target needs its reason.")
        if self.start_year and self.end_year and self.end_year < self.start_year:
            errors["end_year"] = _("The span ends before it starts.")
        # getattr, not node_id: the node may be new, validated with its targets in one admin form.
        node: Node | None = getattr(self, "node", None)
        if node is not None and node.plan_id and self.start_year and self.end_year:
            plan = node.plan
            years = plan.target_years
            errors.update(check_year_in(self.start_year, years, "start_year"))
            errors.update(check_year_in(self.end_year, years, "end_year"))
            if self.open_end and self.end_year != plan.onwards_year:
                errors["open_end"] = _("Only a target reaching the onwards column can be open-ended.")
        if errors:
            raise ValidationError(errors)


class ResultContent(models.Model):
    """What a section writes about a year: the published ``Result`` and the working
    ``review.Entry`` hold the same four texts."""

    text = models.TextField(_("result (実施結果)"), blank=True)
    context_change = models.TextField(_("context change (環境等の変化・課題等)"), blank=True)
    response = models.TextField(_("response (新たな課題等への対応)"), blank=True)
    highlight = models.TextField(_("highlight (主な実施結果)"), blank=True)

    class Meta:
        abstract = True


class Result(ResultContent):
    """What was done for a node in one fiscal year (実施結果), with its context."""

    node = models.ForeignKey(Node, models.CASCADE, related_name="results", verbose_name=_("node"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["node", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["node", "fiscal_year"], name="result_one_per_year"),
        ]
        indexes = [models.Index(fields=["fiscal_year", "node"], name="result_year_node")]

    def __str__(self) -> str:
        return f"{self.node.code} {fiscal.western_label(self.fiscal_year)}"

    @property
    def wareki(self) -> str:
        return fiscal.wareki_label(self.fiscal_year)

    def clean(self) -> None:
        node: Node | None = getattr(self, "node", None)  # may be unsaved, as in Target.clean
        if node is not None and node.plan_id and node.level_id and self.fiscal_year:
            errors = check_year_in(self.fiscal_year, node.plan.fiscal_years, "fiscal_year")
            if not node.level.rated:
                errors["node"] = _("Results attach to rated levels only; %(level)s is not rated.") % {
                    "level": node.level.name
                }
            if errors:
                raise ValidationError(errors)


class Rating(models.Model):
    """One judgement on a result, on its dimension's scale."""

    result = models.ForeignKey(Result, models.CASCADE, related_name="ratings", verbose_name=_("result"))
    dimension = models.ForeignKey(
        Dimension, models.RESTRICT, related_name="ratings", verbose_name=_("dimension")
    )
    level = models.ForeignKey(ScaleLevel, models.RESTRICT, related_name="ratings", verbose_name=_("rating"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["result", "dimension__position"]
        constraints = [
            models.UniqueConstraint(fields=["result", "dimension"], name="rating_one_per_dimension"),
        ]
        indexes = [models.Index(fields=["dimension", "level"], name="rating_dimension_level")]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.level}"

    def clean(self) -> None:
        result: Result | None = getattr(self, "result", None)  # may be unsaved, as in Target.clean
        rating_check(self, result.node if result is not None and result.node_id else None)


def rating_check(rating: Any, node: Node | None) -> None:
    """The rule of a rating, published or in an entry: its level is on its dimension's
    scale, and its dimension applies to the node's level."""
    errors: dict[str, StrOrPromise] = {}
    if rating.dimension_id and rating.level_id and rating.level.scale_id != rating.dimension.scale_id:
        errors["level"] = _("%(level)s is not on the scale %(scale)s of %(dimension)s.") % {
            "level": rating.level,
            "scale": rating.dimension.scale,
            "dimension": rating.dimension,
        }
    dimension = rating.dimension if rating.dimension_id else None
    if (
        dimension is not None
        and node is not None
        and (dimension.plan_id, dimension.level_id)
        != (
            node.plan_id,
            node.level_id,
        )
    ):
        errors["dimension"] = _("This dimension does not apply to the node's level.")
    if errors:
        raise ValidationError(errors)


class Indicator(models.Model):
    """A measurable indicator (成果指標 etc.) of a node."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")

    class Kind(models.TextChoices):
        OUTCOME = "outcome", _("outcome (成果指標)")
        ACTIVITY = "activity", _("activity (活動指標)")
        TARGET_GROUP = "target_group", _("target group (対象指標)")

    node = models.ForeignKey(Node, models.CASCADE, related_name="indicators", verbose_name=_("node"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OUTCOME)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline fiscal year"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["node", "position"]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """An indicator's target and actual value for one fiscal year."""

    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    target = models.DecimalField(_("target value"), max_digits=20, decimal_places=4, null=True, blank=True)
    actual = models.DecimalField(_("actual value"), max_digits=20, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "fiscal_year"], name="indicatorvalue_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.fiscal_year}"

    @property
    def achievement_rate(self) -> Decimal | None:
        return achievement_rate(self.indicator.direction, self.target, self.actual)

    def clean(self) -> None:
        indicator: Indicator | None = getattr(self, "indicator", None)  # may be unsaved
        if indicator is not None and indicator.node_id and self.fiscal_year:
            plan = indicator.node.plan
            errors = check_year_in(self.fiscal_year, plan.target_years, "fiscal_year")
            if errors:
                raise ValidationError(errors)


def achievement_rate(direction: str, target: Decimal | None, actual: Decimal | None) -> Decimal | None:
    """Achievement rate in percent, rounded to 0.1 (docs/open-data.md, "Achievement rate").

    higher is better: actual / target × 100
    lower is better:  (2 × target − actual) / target × 100, never below 0
                      (100 when the actual meets the target, less as it exceeds it)
    A target of 0: 100 when the actual is on the good side of 0 or at 0, else 0.
    None when the target or the actual is missing.
    """
    if target is None or actual is None:
        return None
    if target == 0:
        good = actual >= 0 if direction == Indicator.Direction.HIGHER else actual <= 0
        return Decimal(100) if good else Decimal(0)
    if direction == Indicator.Direction.HIGHER:
        rate = actual / target * 100
    else:
        rate = max(Decimal(0), (2 * target - actual) / target * 100)
    return rate.quantize(Decimal("0.1"))
