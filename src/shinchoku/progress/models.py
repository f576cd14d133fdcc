"""What a plan sets out to do each year and what was done: targets, results (with
their ratings and the texts of the plan's own sections), indicators with their values,
and what each project cost, with the hourly staff cost that prices its staff hours."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from shinchoku import fiscal
from shinchoku.plans.models import YEAR_VALIDATORS, Dimension, Node, Plan, ScaleLevel, Section, section_check

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
    reason = models.TextField(_("reason (評価の理由)"), blank=True)

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


class ResultSectionText(models.Model):
    """A result's text of one of its level's sections of each fiscal year that has no
    column of its own (``plans.models.Section``)."""

    result = models.ForeignKey(Result, models.CASCADE, related_name="section_texts", verbose_name=_("result"))
    section = models.ForeignKey(
        Section, models.RESTRICT, related_name="result_texts", verbose_name=_("section")
    )
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("section text of a result")
        verbose_name_plural = _("section texts of results")
        ordering = ["result", "section__position", "section__key"]
        constraints = [
            models.UniqueConstraint(fields=["result", "section"], name="resultsectiontext_unique"),
            models.CheckConstraint(condition=~Q(text=""), name="resultsectiontext_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.result} {self.section}"

    def clean(self) -> None:
        result: Result | None = getattr(self, "result", None)  # may be unsaved, as in Target.clean
        node = result.node if result is not None and result.node_id else None
        section_check(
            self.section if self.section_id else None,
            node.level_id if node is not None else None,
            Section.Scope.YEAR,
        )
        if not (self.text or "").strip():
            raise ValidationError({"text": _("The text must not be empty.")})


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


# What a project cost ------------------------------------------------------------

#: The funding sources of a project's cost (財源内訳), whose sum is usually its 事業費 (A).
FUNDING_FIELDS = ("national", "prefectural", "bonds", "other", "general")
#: Every amount of a cost, in yen: the funding sources, A, B and the total.
AMOUNT_FIELDS = (*FUNDING_FIELDS, "project_cost", "staff_cost", "total_cost")
#: The staff figures of a cost, with two decimals.
STAFF_FIELDS = ("staff_count", "staff_hours")


def staff_cost_of(hours: Decimal | None, hourly_cost: int | None) -> int | None:
    """人件費 (B) priced from the staff hours at the year's hourly staff cost, rounded to
    the yen (half up); None without either."""
    if hours is None or hourly_cost is None:
        return None
    return int((hours * hourly_cost).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def total_cost_of(project_cost: int | None, staff_cost: int | None) -> int | None:
    """トータルコスト: A + B, a missing one counting as nothing; None when neither is given."""
    if project_cost is None and staff_cost is None:
        return None
    return (project_cost or 0) + (staff_cost or 0)


def _amount(
    name: StrOrPromise, help_text: StrOrPromise = ""
) -> models.BigIntegerField[int | None, int | None]:
    return models.BigIntegerField(
        name, null=True, blank=True, validators=[MinValueValidator(0)], help_text=help_text
    )


class StaffRate(models.Model):
    """The hourly cost of a member of staff in one fiscal year, set for a plan: what
    prices a project's staff hours when its 人件費 (B) is not given."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="staff_rates", verbose_name=_("plan"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), validators=YEAR_VALIDATORS)
    hourly_cost = models.PositiveIntegerField(_("hourly staff cost (yen)"))

    class Meta:
        verbose_name = _("hourly staff cost")
        verbose_name_plural = _("hourly staff costs")
        ordering = ["plan", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "fiscal_year"], name="staffrate_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{fiscal.western_label(self.fiscal_year)} {self.hourly_cost}"

    def clean(self) -> None:
        plan: Plan | None = getattr(self, "plan", None)  # may be unsaved, validated with its plan
        if plan is not None and plan.first_year and plan.last_year and self.fiscal_year:
            errors = check_year_in(self.fiscal_year, plan.target_years, "fiscal_year")
            if errors:
                raise ValidationError(errors)


class Cost(models.Model):
    """What a project cost, or was budgeted or planned to cost, in one fiscal year (or,
    without a year, over the whole period: 全体計画): its funding sources, 事業費 (A),
    the staff who worked on it and their cost, 人件費 (B), and トータルコスト = A + B.

    Amounts are in yen, integers, never negative; None is "not given". B not given is
    priced from the staff hours at the plan's hourly staff cost of the year, when there
    is one (``clean``); the total is always computed, never given (``save``, and a
    constraint of the database)."""

    class Basis(models.TextChoices):
        ACTUAL = "actual", _("actual (決算・実績)")
        BUDGET = "budget", _("budget (予算)")
        PLAN = "plan", _("plan (計画・目標)")

    node = models.ForeignKey(Node, models.CASCADE, related_name="costs", verbose_name=_("node"))
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"),
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
        help_text=_("Empty for the plan of the whole period (全体計画)."),
    )
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices, default=Basis.ACTUAL)
    national = _amount(_("national funds (国庫支出金)"))
    prefectural = _amount(_("prefectural funds (都道府県支出金)"))
    bonds = _amount(_("local bonds (地方債)"))
    other = _amount(_("other funds (その他)"))
    general = _amount(_("general funds (一般財源)"))
    project_cost = _amount(_("project cost (事業費, A)"))
    staff_count = models.DecimalField(
        _("staff (正規職員従事人数)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    staff_hours = models.DecimalField(
        _("staff hours (延べ業務時間)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    staff_cost = _amount(
        _("staff cost (人件費, B)"),
        _("Leave empty to price the staff hours at the plan's hourly staff cost of the year."),
    )
    total_cost = models.BigIntegerField(_("total cost (トータルコスト, A + B)"), null=True, editable=False)

    class Meta:
        verbose_name = _("cost")
        verbose_name_plural = _("costs")
        ordering = ["node", F("fiscal_year").asc(nulls_first=True), "basis"]
        constraints = [
            models.UniqueConstraint(fields=["node", "fiscal_year", "basis"], name="cost_one_per_year"),
            models.UniqueConstraint(
                fields=["node", "basis"], condition=Q(fiscal_year__isnull=True), name="cost_one_per_period"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                    name=f"cost_{name}_not_negative",
                )
                for name in (*AMOUNT_FIELDS, *STAFF_FIELDS)
            ),
            models.CheckConstraint(
                condition=Q(total_cost__isnull=True, project_cost__isnull=True, staff_cost__isnull=True)
                | Q(total_cost=Coalesce(F("project_cost"), 0) + Coalesce(F("staff_cost"), 0)),
                name="cost_total_is_a_plus_b",
            ),
        ]
        indexes = [models.Index(fields=["fiscal_year", "node"], name="cost_year_node")]

    def __str__(self) -> str:
        year = fiscal.western_label(self.fiscal_year) if self.fiscal_year else _("whole period")
        return f"{self.node.code} {year} {self.get_basis_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The total is computed whatever saves the cost; never given.
        self.total_cost = total_cost_of(self.project_cost, self.staff_cost)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:  # the computed figures go with any change
            kwargs["update_fields"] = {*update_fields, "staff_cost", "total_cost"}
        super().save(*args, **kwargs)

    @classmethod
    def planned_q(cls, prefix: str = "") -> Q:
        """The costs budgeted or planned, as against actual ones."""
        return Q(**{f"{prefix}basis__in": [cls.Basis.BUDGET, cls.Basis.PLAN]})

    @property
    def planned(self) -> bool:
        return self.basis != self.Basis.ACTUAL

    def derive(self, hourly_cost: int | None) -> None:
        """Fill in what is computed: B from the staff hours at ``hourly_cost`` when B is
        not given, and the total, A + B."""
        if self.staff_cost is None:
            self.staff_cost = staff_cost_of(self.staff_hours, hourly_cost)
        self.total_cost = total_cost_of(self.project_cost, self.staff_cost)

    def hourly_cost(self) -> int | None:
        """The plan's hourly staff cost of the cost's year, if it sets one."""
        node: Node | None = getattr(self, "node", None)
        if node is None or not node.plan_id or self.fiscal_year is None:
            return None
        return (
            StaffRate.objects.filter(plan_id=node.plan_id, fiscal_year=self.fiscal_year)
            .values_list("hourly_cost", flat=True)
            .first()
        )

    def clean(self) -> None:
        node: Node | None = getattr(self, "node", None)  # may be unsaved, as in Target.clean
        if node is not None and node.plan_id and node.level_id:
            errors: dict[str, StrOrPromise] = {}
            if self.fiscal_year:
                errors.update(
                    check_year_in(self.fiscal_year, node.plan.period.cost_years(self.planned), "fiscal_year")
                )
            if not node.level.rated:
                errors["node"] = _("Costs attach to rated levels only; %(level)s is not rated.") % {
                    "level": node.level.name
                }
            if errors:
                raise ValidationError(errors)
        if self.staff_cost is None and self.staff_hours is not None:
            self.derive(self.hourly_cost())
        else:
            self.derive(None)
