"""What only the stored data can refuse of a structure sheet, told before anything is
written and named by the sheet's cells: a rated level that must stay rated, a heading that
names another scale than its level's, data that a new period would leave outside it, and
a node the sheet leaves out that holds what a structure import does not carry."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from shinchoku.interchange.preview import Problem, Where
from shinchoku.plans.formats.structure.convert import SheetContent
from shinchoku.plans.formats.structure.vocabulary import NO_SCALE
from shinchoku.plans.models import Node
from shinchoku.plans.period import Period
from shinchoku.progress.models import Result


def join(values: Iterable[str]) -> str:
    return "、".join(values)


def level_problems(sheet: SheetContent) -> list[Problem]:
    """A rated level with results or dimensions stays rated; a heading that names a scale
    names its level's."""
    problems = []
    stored = sheet.stored
    for spec in sheet.structure.levels:
        level = stored.levels.get(spec.depth)
        if level is None:
            continue
        dimensions = stored.dimensions.get(level.pk, [])
        if level.rated and not spec.rated and (dimensions or level.pk in stored.levels_with_results):
            problems.append(
                Problem(
                    spec.where,
                    _(
                        "The level %(level)s has results or evaluation dimensions: it must "
                        "stay rated; mark its heading （評価）."
                    )
                    % {"level": level.name},
                )
            )
        primary = next((d for d in dimensions if d.primary), None)
        if (
            spec.rated
            and primary is not None
            and spec.scale not in (None, NO_SCALE)
            and primary.scale.code != spec.scale
        ):
            problems.append(
                Problem(
                    spec.where,
                    _("The level %(level)s is rated on the scale %(scale)s; its heading names %(named)s.")
                    % {"level": spec.name, "scale": primary.scale.code, "named": spec.scale},
                )
            )
    return problems


def period_problems(sheet: SheetContent) -> list[Problem]:
    """Stored results, indicator values and the targets the sheet keeps (of the nodes it
    names only in level columns, or all when it has no year columns) stay in the period."""
    s, stored = sheet.structure, sheet.stored
    spec = s.plan
    if stored.plan is None or spec is None or spec.first_year is None or spec.last_year is None:
        return []
    kept = [stored.nodes[node.code].pk for node in s.nodes if node.code in stored.nodes]
    keeps_targets = [
        stored.nodes[node.code].pk for node in s.nodes if node.code in stored.nodes and node.targets is None
    ]
    period = Period(spec.first_year, spec.last_year, sheet.content.plan["onwards"])
    outside = period.recorded_outside(kept, targets_of=keeps_targets)
    if outside is None:
        return []
    return [
        Problem(
            Where(s.file, s.sheet, spec.where.row),
            _(
                "Year outside the period: data recorded for fiscal year %(year)s would fall "
                "outside %(first)s–%(last)s."
            )
            % {"year": outside, "first": spec.first_year, "last": spec.last_year},
        )
    ]


def removal_problems(sheet: SheetContent, removed: list[Node]) -> dict[str, Problem]:
    """Each node the sheet leaves out that has results, entries of a round or indicators,
    by its code: a structure import does not remove it."""
    if not removed:
        return {}
    ids = [node.pk for node in removed]
    with_results = set(Result.objects.filter(node_id__in=ids).values_list("node_id", flat=True))
    with_entries = set(Node.objects.filter(pk__in=ids, entries__isnull=False).values_list("pk", flat=True))
    with_indicators = set(
        Node.objects.filter(pk__in=ids, indicators__isnull=False).values_list("pk", flat=True)
    )
    problems = {}
    for node in removed:
        reasons = []
        if node.pk in with_results:
            reasons.append(_("results"))
        if node.pk in with_entries:
            reasons.append(_("entries of an evaluation round"))
        if node.pk in with_indicators:
            reasons.append(_("indicators"))
        if reasons:
            problems[node.code] = Problem(
                sheet.sheet_where,
                _(
                    "%(code)s %(title)s is not in the file, but it has %(what)s: a structure "
                    "import does "
                    "not remove it. Put its row back (or remove it in the administration pages)."
                )
                % {"code": node.code, "title": node.title, "what": join(reasons)},
            )
    return problems
