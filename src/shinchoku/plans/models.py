"""A plan's structure: its period, its levels, the tree of nodes, markers,
organisation units, the evaluation dimensions with their scales, and the sections of
text each level has.

Nothing here is specific to one city: levels, markers, scales, dimensions and sections
are rows that a plan defines.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shinchoku import fiscal
from shinchoku.plans.period import Period

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: Fiscal years the software accepts: from the Meiji era's calendar to far ahead.
YEAR_VALIDATORS = [MinValueValidator(1900), MaxValueValidator(2200)]

#: The English names of a plan's vocabulary are optional (``plans.names`` picks what is shown).
ENGLISH_NAME_HELP = _("The name on the English pages; the name above is shown there when this is blank.")

#: Node codes appear in web addresses and file names: no slash, white space or URL syntax.
node_code_validator = RegexValidator(
    r"^[^/\\?#%\s]+$",
    # The message is %-formatted by Django, hence %%.
    _("A code may not contain spaces or the characters / \\ ? # %%."),
)


class AmountUnit(models.TextChoices):
    """How a plan shows its amounts of money; they are always stored in yen, as integers."""

    YEN = "yen", _("yen (円)")
    THOUSAND = "thousand", _("thousand yen (千円)")


class Plan(models.Model):
    """A comprehensive plan's programme period, e.g. 第3期実行計画 (FY2011–2013)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    period_label = models.CharField(_("period label"), max_length=100, blank=True)
    first_year = models.PositiveSmallIntegerField(_("first fiscal year"), validators=YEAR_VALIDATORS)
    last_year = models.PositiveSmallIntegerField(_("last fiscal year"), validators=YEAR_VALIDATORS)
    onwards = models.BooleanField(
        _("onwards column"),
        default=True,
        help_text=_("Targets may be set for the years after the period (e.g. 2014年度以降)."),
    )
    description = models.TextField(_("description"), blank=True)
    note = models.TextField(_("note"), blank=True, help_text=_("Provenance and editorial decisions."))
    amount_unit = models.CharField(
        _("unit of amounts"),
        max_length=10,
        choices=AmountUnit.choices,
        default=AmountUnit.YEN,
        help_text=_("How the plan's amounts are shown, as the city prints them; they are stored in yen."),
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-first_year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")), name="plan_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.first_year and self.last_year and self.last_year < self.first_year:
            raise ValidationError({"last_year": _("The last fiscal year is before the first.")})
        if self.pk and self.first_year and self.last_year:
            outside = self.period.recorded_outside(self.nodes.all())
            if outside is None:
                outside = (
                    self.staff_rates.exclude(fiscal_year__in=self.period.target_years)
                    .values_list("fiscal_year", flat=True)
                    .first()
                )
            if outside is not None:
                raise ValidationError(
                    _("Data recorded for fiscal year %(year)s would fall outside the period.")
                    % {"year": outside}
                )

    @property
    def period(self) -> Period:
        """The plan's fiscal years, and which of them results, targets and values may name."""
        return Period(self.first_year, self.last_year, self.onwards)

    @property
    def fiscal_years(self) -> range:
        return self.period.result_years

    @property
    def onwards_year(self) -> int | None:
        """The first year of the "onwards" column, or None if the plan has none."""
        return self.period.onwards_year

    @property
    def target_years(self) -> range:
        """Years a target may name: the period, plus the onwards column's first year."""
        return self.period.target_years

    def period_display(self) -> str:
        return fiscal.period_label(self.first_year, self.last_year, era=True)


class Level(models.Model):
    """A named level of a plan's tree: プラン, アクションプログラム, 施策計画, 事務事業 …

    A plan may have any number of levels. ``key`` identifies the level within its plan;
    ``kind`` says what it is in the common vocabulary of the open data (several levels
    may share a kind, e.g. two levels of programmes)."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("plan area")
        PROGRAMME = "programme", _("programme")
        MEASURE = "measure", _("measure")
        PROJECT = "project", _("project")
        OTHER = "other", _("other level")

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="levels", verbose_name=_("plan"))
    depth = models.PositiveSmallIntegerField(_("depth"), help_text=_("0 for the top level."))
    key = models.SlugField(_("key"), max_length=30, help_text=_("Identifies the level within its plan."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True, help_text=ENGLISH_NAME_HELP)
    rated = models.BooleanField(_("rated"), default=False, help_text=_("Results and ratings attach here."))

    class Meta:
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        ordering = ["plan", "depth"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "depth"], name="level_unique_depth"),
            models.UniqueConstraint(fields=["plan", "key"], name="level_unique_key"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.pk:
            return
        saved = Level.objects.filter(pk=self.pk).values("depth", "rated").first()
        if saved is None:
            return
        errors: dict[str, StrOrPromise] = {}
        if saved["depth"] != self.depth and self.nodes.exists():
            errors["depth"] = _("Nodes stand on this level: its place in the tree cannot change.")
        if (
            saved["rated"]
            and not self.rated
            and (self.dimensions.exists() or self.nodes.filter(results__isnull=False).exists())
        ):
            errors["rated"] = _("Results or evaluation dimensions attach to this level: it must stay rated.")
        if errors:
            raise ValidationError(errors)


class Marker(models.Model):
    """A symbol a plan prints beside nodes, such as ○ or 重点, with its meaning."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="markers", verbose_name=_("plan"))
    symbol = models.CharField(_("symbol"), max_length=20)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True, help_text=ENGLISH_NAME_HELP)
    meaning = models.TextField(
        _("meaning"), blank=True, help_text=_("Leave empty when the source does not state it.")
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Provenance and editorial decisions."))
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("marker")
        verbose_name_plural = _("markers")
        ordering = ["plan", "position", "symbol"]
        constraints = [models.UniqueConstraint(fields=["plan", "symbol"], name="marker_unique_symbol")]

    def __str__(self) -> str:
        return self.symbol


class OrgUnit(models.Model):
    """An organisation unit of the city: 局, 区, 部 or 課."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("bureau (局)")
        WARD = "ward", _("ward (区)")
        DEPARTMENT = "department", _("department (部)")
        SECTION = "section", _("section (課)")
        OTHER = "other", _("other")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SECTION)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


def unit_and_ancestors(unit_id: int, parents: Mapping[int, int | None]) -> Iterator[int]:
    """``unit_id`` and the units above it, nearest first, from ``parents`` (each unit's
    parent id, by id); stops at a loop in the tree."""
    seen: set[int] = set()
    current: int | None = unit_id
    while current is not None and current not in seen:
        seen.add(current)
        yield current
        current = parents.get(current)


def sibling_order(position: int, code: str) -> tuple[int, str]:
    """Where a node stands among its siblings, as the outline prints them: by position,
    then code (unique within a plan)."""
    return (position, code)


#: The digits of a node's rank among its siblings in ``Node.outline``.
OUTLINE_WIDTH = 6


def outline_keys(
    rows: Iterable[tuple[int, int | None, int, str]], prefixes: Mapping[int | None, str] | None = None
) -> dict[int, str]:
    """The outline key (``Node.outline``) of each node of ``rows`` (id, parent id,
    position, code): its parent's key and its rank among its siblings
    (``sibling_order``). A parent not among the rows takes its key from ``prefixes`` (by id; the top,
    None, takes ""); a node under none of them has none."""
    children: dict[int | None, list[tuple[tuple[int, str], int]]] = {}
    for pk, parent_id, position, code in rows:
        children.setdefault(parent_id, []).append((sibling_order(position, code), pk))
    keys: dict[int, str] = {}
    stack: list[tuple[int | None, str]] = [(parent, key) for parent, key in (prefixes or {None: ""}).items()]
    while stack:
        parent, prefix = stack.pop()
        for rank, (_order, pk) in enumerate(sorted(children.get(parent, ()))):
            keys[pk] = f"{prefix}{rank:0{OUTLINE_WIDTH}d}"
            stack.append((pk, keys[pk]))
    return keys


def path_ancestor_ids(path: str) -> list[int]:
    """The ids of a node's ancestors, root first, from its path (``Node.path``)."""
    return [int(part) for part in path.strip("/").split("/")[:-1] if part]


class Node(models.Model):
    """A node of a plan's tree: a plan area, programme, measure or project.

    ``path`` is the chain of ancestor ids ("/3/17/42/"), kept by the services that
    move nodes, so a subtree is one indexed prefix query at any depth. ``outline`` is
    the node's place in its plan's outline (depth first, siblings by position, then
    code): its ancestors' ranks among their siblings and its own, ``OUTLINE_WIDTH``
    digits each ("000002000000000013"), so that nodes sort in the outline's order by it
    alone, in Python and in SQL alike; kept by the services that write the tree
    (``services.outline_refresh``).
    """

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="nodes", verbose_name=_("plan"))
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    level = models.ForeignKey(Level, models.RESTRICT, related_name="nodes", verbose_name=_("level"))
    code = models.CharField(_("code"), max_length=64, validators=[node_code_validator])
    label = models.CharField(
        _("printed label"), max_length=100, blank=True, help_text=_("As printed, e.g. プラン９.")
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("purpose (概要)"), blank=True)
    baseline = models.TextField(_("baseline (現状)"), blank=True)
    note = models.TextField(_("note"), blank=True, help_text=_("Provenance and editorial decisions."))
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)
    outline = models.CharField(_("place in the outline"), max_length=255, editable=False, default="")
    markers = models.ManyToManyField(Marker, blank=True, related_name="nodes", verbose_name=_("markers"))
    units: models.ManyToManyField[OrgUnit, NodeUnit] = models.ManyToManyField(
        OrgUnit, through="NodeUnit", blank=True, related_name="nodes", verbose_name=_("units")
    )

    class Meta:
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        ordering = ["plan", "outline"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="node_unique_code"),
            models.CheckConstraint(condition=~Q(title=""), name="node_title_not_empty"),
        ]
        indexes = [
            models.Index(fields=["parent", "position"], name="node_children"),
            models.Index(fields=["plan", "level"], name="node_plan_level"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def ancestor_ids(self) -> list[int]:
        return path_ancestor_ids(self.path)

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if not (self.title or "").strip():
            errors["title"] = _("The title must not be empty.")
        if self.level_id and self.plan_id and self.level.plan_id != self.plan_id:
            errors["level"] = _("The level belongs to another plan.")
        if self.parent_id:
            parent = self.parent
            if parent is not None and parent.plan_id != self.plan_id:
                errors["parent"] = _("The parent belongs to another plan.")
            elif self.pk and parent is not None and (parent.pk == self.pk or f"/{self.pk}/" in parent.path):
                errors["parent"] = _("A node cannot be placed under itself or one of its descendants.")
            elif (
                parent is not None
                and self.level_id
                and parent.level_id
                and self.level.depth <= parent.level.depth
            ):
                errors["level"] = _("The level must be deeper than the parent's level.")
        elif self.level_id and self.level.depth != 0:
            errors["parent"] = _("Only a node of the top level may stand without a parent.")
        if (
            self.pk
            and self.level_id
            and "level" not in errors
            and self.children.filter(level__depth__lte=self.level.depth).exists()
        ):
            errors["level"] = _("The level must be above the levels of the node's children.")
        if errors:
            raise ValidationError(errors)


class NodeUnit(models.Model):
    """An organisation unit's role on a node."""

    class Role(models.TextChoices):
        RESPONSIBLE = "responsible", _("responsible (所管)")
        AUTHORING = "authoring", _("authoring (作成)")
        RELATED = "related", _("related (関係)")

    node = models.ForeignKey(Node, models.CASCADE, related_name="unit_roles", verbose_name=_("node"))
    unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="node_roles", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RESPONSIBLE)

    class Meta:
        verbose_name = _("unit role")
        verbose_name_plural = _("unit roles")
        ordering = ["node", "role", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["node", "unit", "role"], name="nodeunit_unique"),
        ]
        indexes = [models.Index(fields=["unit", "role"], name="nodeunit_by_unit")]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()})"


class Scale(models.Model):
    """A rating scale: ordered levels, each with a code and a label."""

    class GoodEnd(models.TextChoices):
        FIRST = "first", _("the first level is the best")
        LAST = "last", _("the last level is the best")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True, help_text=ENGLISH_NAME_HELP)
    good_end = models.CharField(_("good end"), max_length=10, choices=GoodEnd.choices, default=GoodEnd.FIRST)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("scale")
        verbose_name_plural = _("scales")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ScaleLevel(models.Model):
    """One level of a scale, e.g. 3 目標をほぼ達成."""

    scale = models.ForeignKey(Scale, models.CASCADE, related_name="levels", verbose_name=_("scale"))
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("label"), max_length=200)
    label_en = models.CharField(
        _("English label"),
        max_length=200,
        blank=True,
        help_text=_("The label on the English pages; the label above is shown there when this is blank."),
    )
    position = models.PositiveSmallIntegerField(_("order"))
    adverse = models.BooleanField(
        _("adverse"),
        default=False,
        help_text=_("On the scale's bad side: an explanation of the context is expected."),
    )
    row_label = models.CharField(
        _("row of the matrix"),
        max_length=100,
        blank=True,
        help_text=_("A scale printed as a matrix (e.g. 変更 × 拡大): the row this level stands in."),
    )
    column_label = models.CharField(
        _("column of the matrix"),
        max_length=100,
        blank=True,
        help_text=_("A scale printed as a matrix: the column this level stands in."),
    )

    class Meta:
        verbose_name = _("scale level")
        verbose_name_plural = _("scale levels")
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="scalelevel_unique_code"),
            models.UniqueConstraint(fields=["scale", "position"], name="scalelevel_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


def primary_clashes(dimensions: Iterable[tuple[Hashable, bool]]) -> dict[int, int]:
    """A level has at most one primary dimension. Given the (level, primary) of each
    dimension in order, the second and later primaries of a level, by their index, each
    with the index of its level's first primary: what an importer or a form refuses
    before the database's ``dimension_one_primary`` would."""
    first: dict[Hashable, int] = {}
    clashes: dict[int, int] = {}
    for index, (level, primary) in enumerate(dimensions):
        if not primary:
            continue
        if level in first:
            clashes[index] = first[level]
        else:
            first[level] = index
    return clashes


class Dimension(models.Model):
    """A judgement that a plan asks for at one level, on one scale (e.g. 達成状況区分)."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="dimensions", verbose_name=_("plan"))
    level = models.ForeignKey(Level, models.RESTRICT, related_name="dimensions", verbose_name=_("level"))
    key = models.SlugField(_("key"), max_length=64)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True, help_text=ENGLISH_NAME_HELP)
    scale = models.ForeignKey(Scale, models.PROTECT, related_name="dimensions", verbose_name=_("scale"))
    primary = models.BooleanField(_("primary"), default=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("evaluation dimension")
        verbose_name_plural = _("evaluation dimensions")
        ordering = ["plan", "level__depth", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "level", "key"], name="dimension_unique_key"),
            models.UniqueConstraint(
                fields=["plan", "level"], condition=Q(primary=True), name="dimension_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.level_id and self.plan_id and self.level.plan_id != self.plan_id:
            raise ValidationError({"level": _("The level belongs to another plan.")})
        if self.level_id and not self.level.rated:
            raise ValidationError({"level": _("This level is not rated.")})
        if self.pk and self.scale_id and self.ratings.exists():
            saved_scale = Dimension.objects.filter(pk=self.pk).values_list("scale_id", flat=True).first()
            if saved_scale is not None and saved_scale != self.scale_id:
                raise ValidationError(
                    {"scale": _("Ratings have been given on this dimension: its scale cannot change.")}
                )


class Section(models.Model):
    """A text a plan writes for the nodes of one level (対象, 意図, 課題 …): about the node
    itself (``scope`` node: stable descriptions) or about each fiscal year (``scope`` year:
    results, kept with the node's result of that year).

    A ``builtin`` section's text is kept in a column of its own (``Node.summary`` and
    ``baseline``; ``Result.text``, ``context_change``, ``response`` and ``highlight``);
    the others' in ``NodeSectionText`` and ``progress.ResultSectionText``. A plan that
    defines no section has the builtin ones on its rated levels
    (``shinchoku.plans.sections``)."""

    class Scope(models.TextChoices):
        NODE = "node", _("the node")
        YEAR = "year", _("each fiscal year")

    class Builtin(models.TextChoices):
        NONE = "", _("a text of its own")
        SUMMARY = "summary", _("the node's purpose (概要)")
        BASELINE = "baseline", _("the node's baseline (現状)")
        TEXT = "text", _("the result (実施結果)")
        CONTEXT_CHANGE = "context_change", _("the context change (環境等の変化・課題等)")
        RESPONSE = "response", _("the response (新たな課題等への対応)")
        HIGHLIGHT = "highlight", _("the highlight (主な実施結果)")

    #: The builtin sections about the node itself; the others are about a fiscal year.
    NODE_BUILTINS = frozenset({Builtin.SUMMARY, Builtin.BASELINE})

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="sections", verbose_name=_("plan"))
    level = models.ForeignKey(Level, models.RESTRICT, related_name="sections", verbose_name=_("level"))
    key = models.SlugField(_("key"), max_length=64, help_text=_("Identifies the section within its level."))
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True, help_text=ENGLISH_NAME_HELP)
    scope = models.CharField(_("about"), max_length=10, choices=Scope.choices, default=Scope.NODE)
    builtin = models.CharField(
        _("kept in"),
        max_length=20,
        choices=Builtin.choices,
        blank=True,
        default=Builtin.NONE,
        help_text=_("A section kept in one of the fields every node or result has."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["plan", "level__depth", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "level", "key"], name="section_unique_key"),
            models.UniqueConstraint(
                fields=["plan", "level", "builtin"], condition=~Q(builtin=""), name="section_one_builtin"
            ),
            models.CheckConstraint(
                condition=Q(builtin="")
                | Q(builtin__in=["summary", "baseline"], scope="node")
                | Q(builtin__in=["text", "context_change", "response", "highlight"], scope="year"),
                name="section_builtin_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.level_id and self.plan_id and self.level.plan_id != self.plan_id:
            errors["level"] = _("The level belongs to another plan.")
        elif self.level_id and self.scope == self.Scope.YEAR and not self.level.rated:
            errors["scope"] = _("A section of each fiscal year needs a rated level: results attach there.")
        if self.builtin and (self.builtin in self.NODE_BUILTINS) != (self.scope == self.Scope.NODE):
            errors["builtin"] = (
                _("This field is about the node itself, not a fiscal year.")
                if (self.builtin in self.NODE_BUILTINS)
                else _("This field is about a fiscal year, not the node itself.")
            )
        if errors:
            raise ValidationError(errors)


class NodeSectionText(models.Model):
    """A node's text of one of its level's sections that has no column of its own."""

    node = models.ForeignKey(Node, models.CASCADE, related_name="section_texts", verbose_name=_("node"))
    section = models.ForeignKey(
        Section, models.RESTRICT, related_name="node_texts", verbose_name=_("section")
    )
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("section text")
        verbose_name_plural = _("section texts")
        ordering = ["node", "section__position", "section__key"]
        constraints = [
            models.UniqueConstraint(fields=["node", "section"], name="nodesectiontext_unique"),
            models.CheckConstraint(condition=~Q(text=""), name="nodesectiontext_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.node.code} {self.section}"

    def clean(self) -> None:
        node: Node | None = getattr(self, "node", None)  # may be unsaved, validated with its node
        section = self.section if self.section_id else None
        section_check(section, node.level_id if node is not None else None, Section.Scope.NODE)
        if not (self.text or "").strip():
            raise ValidationError({"text": _("The text must not be empty.")})


def section_check(section: Section | None, level_id: int | None, scope: str) -> None:
    """The rule of a section's text, on a node or on a result: its section is one of the
    level's, about the node or a year as the text is, and kept in no column of its own."""
    if section is None or level_id is None:
        return
    if section.level_id != level_id:
        raise ValidationError({"section": _("This section is not one of the node's level.")})
    if section.scope != scope:
        raise ValidationError(
            {
                "section": _("This section is about each fiscal year: its text goes with a result.")
                if scope == Section.Scope.NODE
                else _("This section is about the node itself: its text goes with the node.")
            }
        )
    if section.builtin:
        raise ValidationError(
            {"section": _("This section is kept in the field %(field)s.") % {"field": section.builtin}}
        )
